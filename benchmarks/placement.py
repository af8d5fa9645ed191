#!/usr/bin/env python3
"""Where do new visitors go after a replica restart? (issue 13 §8: nginx's least_conn vs weights)

    python benchmarks/placement.py            # 8 learners, kill r1, then 10 new visitors; both modes

Starts ``scripts/serve-workshop --replicas 2`` twice: with the supervisor's pool weights (default)
and with ``--no-rebalance`` (nginx's least_conn alone). In each: 8 learners connect, r1 is killed (its
learners fail over to r0), and once r1 is back and answering, 10 new visitors open the page one after
another; prints how many landed on the restarted, empty replica. Placement, not timing: the figures
do not depend on the machine's load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.loadtest.client import Participant  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_for(pred, what: str, timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            raise SystemExit(f"timed out waiting for {what}")
        await asyncio.sleep(0.3)


async def scenario(url: str, state_path: Path, n_learners: int, n_visitors: int, rebalance: bool) -> list:
    def state():
        return json.loads(state_path.read_text())

    stop = asyncio.Event()
    learners = [Participant(url, i, stop, press_play=False) for i in range(n_learners)]
    tasks = [asyncio.create_task(p.run()) for p in learners]
    await wait_for(lambda: all(p.session_id for p in learners), "the learners")
    r1 = next(r for r in state()["replicas"] if r["name"] == "r1")
    os.kill(r1["pid"], signal.SIGKILL)
    await wait_for(lambda: all(p.replica == "r0" and p.session_id for p in learners), "the failover")

    def back() -> bool:
        now = next(r for r in state()["replicas"] if r["name"] == "r1")
        if now["pid"] == r1["pid"]:
            return False
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{r1['port']}/_stcore/health", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    await wait_for(back, "r1 to come back")
    if rebalance:
        await wait_for(lambda: state()["pool_weights"][1] > state()["pool_weights"][0], "the weights")
    else:
        await asyncio.sleep(5)  # the same settling time the weights take
    placements = []
    for i in range(n_visitors):
        v = Participant(url, 100 + i, stop, press_play=False)
        await v.open_page()
        placements.append(v.replica)
    stop.set()
    await asyncio.wait(tasks, timeout=15)
    return placements


def run(rebalance: bool, n_learners: int, n_visitors: int) -> list:
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        port, base, rport = free_port(), free_port(), free_port()
        while base + 1 in (port, rport):
            base = free_port()
        cmd = [
            sys.executable, str(ROOT / "scripts" / "serve-workshop"), "--replicas", "2",
            "--host", "127.0.0.1", "--port", str(port), "--base-port", str(base),
            "--redis-port", str(rport), "--run-dir", tmp, "--no-install", "--max-sessions", "40",
            "--restart-delay", "0.5", *([] if rebalance else ["--no-rebalance"]),
        ]  # fmt: skip
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        state = Path(tmp) / "state.json"
        try:
            end = time.monotonic() + 90
            while not state.exists():
                if time.monotonic() > end or proc.poll() is not None:
                    raise SystemExit("serve-workshop did not start")
                time.sleep(0.3)
            return asyncio.run(
                scenario(f"http://127.0.0.1:{port}/", state, n_learners, n_visitors, rebalance)
            )
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--learners", type=int, default=8)
    ap.add_argument("--visitors", type=int, default=10)
    a = ap.parse_args()
    print(f"{a.learners} learners, r1 killed (they fail over to r0), then {a.visitors} new visitors")
    for rebalance in (False, True):
        placed = run(rebalance, a.learners, a.visitors)
        mode = "pool weights from live connections" if rebalance else "least_conn alone (--no-rebalance)"
        print(f"{mode:<38} {placed.count('r1')}/{len(placed)} to the restarted replica  {placed}")


if __name__ == "__main__":
    main()
