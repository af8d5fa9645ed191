"""Load test (and fault test) of a hosted playground with simulated participants.

    python -m tools.loadtest --url http://127.0.0.1:8080/ --participants 60 --duration 60
    python -m tools.loadtest --state /tmp/nn-playground-workshop-8080/state.json \
        --participants 60 --duration 60 --kill r1@20 --late 6@45 --json result.json

Every participant opens the page, presses Play and follows the live updates on the browser's timer.
Reported after a ramp and a warm-up: per-participant live updates/s (mean, min), the gap between
updates (p95, max), errors (HTTP non-200, websocket, app error callouts, images that do not load),
and per replica (from ``--state``, the file scripts/serve-workshop writes) participants, CPU (share of
one core) and RSS. With ``--kill NAME@T`` the replica NAME is SIGKILLed T s into the measurement; the
report then gives, for its participants, the time until their updates resumed and the epochs lost.
Bounded: at most 400 participants, 900 s, loopback targets only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import signal
import statistics
import sys
import time
from pathlib import Path

from tools.loadtest.client import Participant, http_get, require_loopback
from tools.loadtest.procstat import CpuMeter

MAX_PARTICIPANTS = 400
MAX_DURATION = 900


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def read_state(path: str | None) -> dict:
    if not path:
        return {}
    return json.loads(Path(path).read_text())


async def wait_healthy(host: str, port: int, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            status, _, _ = await http_get(host, port, "/_stcore/health", {}, timeout=1)
            if status == 200:
                return True
        except (TimeoutError, OSError):
            pass
        await asyncio.sleep(0.25)
    return False


def summarize(parts: list[Participant], start: float, end: float, target_rate: float | None) -> dict:
    rates, gaps, per = [], [], []
    for p in parts:
        ups = [t for t in p.stats.updates if start <= t <= end]
        rate = len(ups) / (end - start) if end > start else 0.0
        g = [b - a for a, b in zip(ups, ups[1:], strict=False)]
        # a participant with no update in the window: its gap is the whole window
        if len(ups) < 2:
            g = [end - start if not ups else max(ups[0] - start, end - ups[0])]
        rates.append(rate)
        gaps += g
        per.append(
            {
                "i": p.index,
                "replica": p.replica,
                "rate": round(rate, 3),
                "max_gap": round(max(g), 3),
                "disconnects": [round(t, 2) for t in p.stats.disconnects],
                "reconnects": p.stats.reconnects,
                "presses": p.stats.presses,
            }
        )
    errors = {
        "http_non_200": sum(len(p.stats.http_errors) for p in parts),
        "missing_images": sum(p.stats.missing_images for p in parts),
        "app_errors": sum(len(p.stats.app_errors) for p in parts),
        "ws_errors": sum(len(p.stats.ws_errors) for p in parts),
        "room_full_pages": sum(1 for p in parts if p.stats.room_full),
    }
    out = {
        "participants": len(parts),
        "window_s": round(end - start, 1),
        "updates_per_s_mean": round(statistics.fmean(rates), 3) if rates else None,
        "updates_per_s_min": round(min(rates), 3) if rates else None,
        "gap_p95_s": round(percentile(gaps, 0.95) or 0, 3),
        "gap_max_s": round(max(gaps), 3) if gaps else None,
        "errors": errors,
        "images": {
            "data_uri": sum(p.stats.data_images for p in parts),
            "media_fetched": sum(p.stats.media_fetched for p in parts),
        },
        "examples": sorted(
            {e for p in parts for e in p.stats.http_errors + p.stats.app_errors + p.stats.ws_errors}
        )[:8],
        "per_participant": per,
    }
    if target_rate:
        out["target_rate"] = target_rate
        out["share_at_90pct"] = round(sum(r >= 0.9 * target_rate for r in rates) / max(1, len(rates)), 3)
        out["min_over_target"] = round(min(rates) / target_rate, 3) if rates else None
    return out


async def main_async(a: argparse.Namespace) -> dict:
    state = read_state(a.state)
    url = a.url or state.get("url")
    if not url:
        raise SystemExit("Give --url or --state.")
    host, port = require_loopback(url)
    if not await wait_healthy(host, port, 30):
        raise SystemExit(f"{url} is not healthy.")
    stop = asyncio.Event()
    t0 = time.monotonic()
    parts: list[Participant] = []
    tasks: list[asyncio.Task] = []

    def launch(i: int) -> None:
        p = Participant(url, i, stop, press_play=not a.no_play, t0=t0)
        parts.append(p)
        tasks.append(asyncio.create_task(p.run()))

    for i in range(a.participants):
        launch(i)
        await asyncio.sleep(a.ramp / max(1, a.participants))
    await asyncio.sleep(a.warmup)
    pids = {r["name"]: r["pid"] for r in state.get("replicas", [])}
    if state.get("proxy_pid"):
        pids["nginx"] = state["proxy_pid"]
    meter = CpuMeter(pids)
    start = time.monotonic() - t0
    meter.start(time.monotonic())
    self_cpu0 = time.process_time()
    events: list[dict] = []
    kill_name, kill_at = (a.kill.split("@") + ["0"])[:2] if a.kill else (None, "0")
    late_n, late_at = (int(x) for x in a.late.split("@")) if a.late else (0, 0)
    killed = False
    late_launched = False
    replicas_before_late: dict[int, str | None] = {}
    deadline = time.monotonic() + a.duration
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        meter.sample_rss()
        elapsed = time.monotonic() - t0 - start
        if kill_name and not killed and elapsed >= float(kill_at):
            st = read_state(a.state)
            if kill_name == "redis":  # the checkpoint store, not a replica: nobody is on it
                pid = (st.get("redis") or {}).get("pid")
            else:
                pid = next((r["pid"] for r in st.get("replicas", []) if r["name"] == kill_name), None)
            if pid is None:
                raise SystemExit(f"No process {kill_name} in {a.state}.")
            victims = [p.index for p in parts if p.replica == kill_name]
            os.kill(pid, signal.SIGKILL)
            killed = True
            events.append(
                {
                    "t": round(elapsed, 2),
                    "event": f"SIGKILL {kill_name} (pid {pid})",
                    "its_participants": victims,
                }
            )
        if late_n and not late_launched and elapsed >= late_at:
            replicas_before_late = {p.index: p.replica for p in parts}
            n0 = len(parts)
            for i in range(n0, n0 + late_n):
                launch(i)
                await asyncio.sleep(0.2)
            late_launched = True
            events.append({"t": round(elapsed, 2), "event": f"{late_n} late participants joined"})
    end = time.monotonic() - t0
    procs = meter.stop(time.monotonic())
    stop.set()
    await asyncio.wait(tasks, timeout=10)
    base = [p for p in parts if p.index < a.participants]
    report = {
        "url": url,
        "config": {k: v for k, v in vars(a).items() if k != "json"},
        "measure": summarize(base, start, end, a.target_rate),
        "replicas": {},
        "events": events,
        "load_generator_cpu": round((time.process_time() - self_cpu0) / max(1e-9, end - start), 3),
    }
    for name in sorted(set(procs) | {p.replica or "?" for p in base}):
        on = [p for p in base if (p.replica or "?") == name]
        report["replicas"][name] = {
            "participants_at_end": len(on),
            **{k: (round(v, 3) if isinstance(v, float) else v) for k, v in procs.get(name, {}).items()},
        }
    if killed:
        victims = set(events[0]["its_participants"])
        others = [p for p in base if p.index not in victims]
        vic = [p for p in base if p.index in victims]
        recs = [r for p in vic for r in p.stats.reconnects]
        kill_t = start + float(kill_at)
        lost = []
        for p in vic:
            rate = [e for t, e in p.stats.epochs if kill_t - 10 <= t <= kill_t]
            eps = (rate[-1] - rate[0]) / 10 if len(rate) > 1 else None
            for r in p.stats.reconnects:
                if r["epoch_before"] is not None and r["epoch_after"] is not None and eps:
                    lost.append((r["epoch_before"] - r["epoch_after"]) / eps)
        report["fault"] = {
            "killed": kill_name,
            "its_participants": len(vic),
            "recovered": sum(1 for p in vic if p.stats.reconnects),
            "back_after_s_max": round(max((r["back_after_s"] for r in recs), default=float("nan")), 2),
            "back_after_s_mean": round(statistics.fmean([r["back_after_s"] for r in recs]), 2)
            if recs
            else None,
            "pressed_play_again": sum(1 for r in recs if r["pressed_play_again"]),
            "seconds_of_training_lost_max": round(max(lost), 2) if lost else None,
            "epochs_lost": [
                r["epoch_before"] - r["epoch_after"]
                for r in recs
                if r["epoch_before"] is not None and r["epoch_after"] is not None
            ],
            "new_replicas": sorted({p.replica or "?" for p in vic}),
            "others_errors": summarize(others, start, end, a.target_rate)["errors"] if others else None,
            "others_disconnects": sum(len(p.stats.disconnects) for p in others),
        }
        if a.target_rate and others:
            s = summarize(others, start, end, a.target_rate)
            report["fault"]["others_min_rate"] = s["updates_per_s_min"]
    if late_launched:
        late = [p for p in parts if p.index >= a.participants]
        moved = [i for i, r in replicas_before_late.items() if parts[i].replica != r]
        report["late"] = {
            "joined": len(late),
            "replicas": {
                r: sum(1 for p in late if p.replica == r) for r in sorted({p.replica or "?" for p in late})
            },
            "moved_after_join": moved,
            "summary": summarize(late, late_at + start + 5, end, a.target_rate)
            if end > late_at + start + 5
            else None,
        }
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--url", help="the playground URL (loopback), e.g. http://127.0.0.1:8080/")
    p.add_argument("--state", help="state.json of scripts/serve-workshop (URL, replica pids)")
    p.add_argument("--participants", type=int, default=20)
    p.add_argument("--duration", type=float, default=30, help="measured seconds (after ramp and warm-up)")
    p.add_argument("--ramp", type=float, default=10, help="seconds over which participants arrive")
    p.add_argument("--warmup", type=float, default=10)
    p.add_argument("--target-rate", type=float, help="updates/s expected (1/interval), for the ≥90 %% check")
    p.add_argument(
        "--kill", help="NAME@SECONDS: SIGKILL replica NAME (or redis) that many seconds into the measurement"
    )
    p.add_argument(
        "--late", help="N@SECONDS: N more participants join then (after a --kill: to see where they go)"
    )
    p.add_argument("--no-play", action="store_true", help="open the page but do not press Play")
    p.add_argument("--json", help="write the full report here")
    a = p.parse_args(argv)
    if not 1 <= a.participants <= MAX_PARTICIPANTS:
        p.error(f"--participants must be 1–{MAX_PARTICIPANTS}")
    if not 1 <= a.duration + a.ramp + a.warmup <= MAX_DURATION:
        p.error(f"ramp + warm-up + duration must be at most {MAX_DURATION} s")
    report = asyncio.run(main_async(a))
    text = json.dumps(report, indent=1)
    if a.json:
        Path(a.json).write_text(text)
    brief = {k: v for k, v in report.items() if k != "config"}
    brief["measure"] = {k: v for k, v in report["measure"].items() if k != "per_participant"}
    print(json.dumps(brief, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
