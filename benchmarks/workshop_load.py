"""Capacity of a workshop deployment, measured: start `scripts/serve-workshop` on loopback, drive it
with simulated participants (tools/loadtest) at increasing loads, print the table for the README.

    python benchmarks/workshop_load.py --replicas 2 --levels 20,40,60,80,120 --duration 40
    python benchmarks/workshop_load.py --replicas 2 --levels 60 --fault     # kill r1 mid-run, late joiners
    python benchmarks/workshop_load.py --levels 16,32,40 --repeat 3        # the README's table

With ``--repeat N`` every level runs N times and each figure is printed as the median with the
spread (lowest–highest) of the N runs.

Each level: participants arrive over 10 s, 10 s warm-up, then `--duration` s measured. The target
rate is the workshop's (1 / PLAYGROUND_INTERVAL, 2 updates/s by default). Bounded: at most 400
participants, 900 s per level; loopback only. Not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.loadtest.__main__ import main_async  # noqa: E402


def run_level(state: str, n: int, a: argparse.Namespace, fault: bool) -> dict:
    args = dict(
        url=None, state=state, participants=n, duration=a.duration, ramp=a.ramp, warmup=a.warmup,
        target_rate=1.0 / a.interval, kill="r1@15" if fault else None,
        late=f"{max(2, n // 10)}@{int(a.duration) - 12}" if fault else None, no_play=False, json=None,
    )  # fmt: skip
    return asyncio.run(main_async(type("A", (), args)()))


def _figures(r: dict) -> dict[str, float]:
    m = r["measure"]
    reps = [v for k, v in r["replicas"].items() if k.startswith("r") and k != "redis"]
    cpus = [v["cpu"] for v in reps if v.get("cpu") is not None]
    rss = [v["peak_rss_mb"] for v in reps if v.get("peak_rss_mb")]
    return {
        "mean": m["updates_per_s_mean"],
        "min": m["updates_per_s_min"],
        "at90": 100 * m["share_at_90pct"],
        "p95": m["gap_p95_s"],
        "errors": sum(v for k, v in m["errors"].items() if k != "room_full_pages"),
        "room_full": m["errors"]["room_full_pages"],
        "cpu": statistics.mean(cpus) if cpus else float("nan"),
        "rss": max(rss) if rss else float("nan"),
    }


def _spread(values: list[float], fmt: str = "{:.2f}") -> str:
    """The median, and the lowest–highest of several runs."""
    med = fmt.format(statistics.median(values))
    if len(values) == 1:
        return med
    return f"{med} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--replicas", type=int, default=2)
    p.add_argument("--levels", default="20,40,60")
    p.add_argument("--duration", type=float, default=40)
    p.add_argument("--ramp", type=float, default=10)
    p.add_argument("--warmup", type=float, default=10)
    p.add_argument("--interval", type=float, default=0.5)
    p.add_argument("--max-sessions", type=int, default=100)
    p.add_argument("--port", type=int, default=8090)
    p.add_argument("--fault", action="store_true")
    p.add_argument("--repeat", type=int, default=1, help="runs per level (median and spread)")
    p.add_argument("--json", help="write every level's full report here")
    a = p.parse_args()
    run = Path(f"/tmp/nn-playground-bench-{a.port}")
    cmd = [
        sys.executable, str(ROOT / "scripts" / "serve-workshop"), "--replicas", str(a.replicas),
        "--host", "127.0.0.1", "--port", str(a.port), "--base-port", str(a.port + 100),
        "--redis-port", str(a.port + 200), "--run-dir", str(run), "--no-install",
        "--max-sessions", str(a.max_sessions), "--interval", str(a.interval),
        "--ws-per-address", "1000",  # every simulated learner connects from 127.0.0.1
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=False
    )
    state = run / "state.json"
    try:
        end = time.monotonic() + 120
        while not state.exists():
            if proc.poll() is not None or time.monotonic() > end:
                raise SystemExit("serve-workshop did not start")
            time.sleep(0.5)
        results = []
        print(
            f"{a.replicas} replicas on {os.cpu_count()} cores, "
            f"interval {a.interval} s (target {1 / a.interval:g}/s)"
        )
        print(
            "| participants | per replica | updates/s mean | min | ≥90 % of target | p95 gap (s) | errors "
            "| CPU per replica | RSS per replica (MB) |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for n in (int(x) for x in a.levels.split(",")):
            rows = []
            for _ in range(max(1, a.repeat)):
                r = run_level(str(state), n, a, a.fault)
                results.append(r)
                rows.append(_figures(r))
                if "fault" in r:
                    print("fault:", json.dumps(r["fault"]), flush=True)
                    late = {k: v for k, v in r["late"].items() if k != "summary"}
                    print("late:", json.dumps(late), flush=True)
                time.sleep(8)
            f = {k: [row[k] for row in rows] for k in rows[0]}
            print(
                f"| {n} | {n / a.replicas:g} | {_spread(f['mean'])} | {_spread(f['min'])} | "
                f"{_spread(f['at90'], '{:.0f} %')} | {_spread(f['p95'])} | {max(f['errors'])} "
                f"(room full {max(f['room_full'])}) | {_spread(f['cpu'])} | {_spread(f['rss'], '{:.0f}')} |",
                flush=True,
            )
        if a.json:
            Path(a.json).write_text(json.dumps(results, indent=1))
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
