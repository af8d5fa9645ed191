"""Soak the live loop: Play each setup that used to freeze the page with Streamlit's "Connection
error … Cached ForwardMsg MISS" dialog, for a minute each, directly and behind the workshop proxy.

    python benchmarks/soak.py                      # 60 s per setup, direct and via serve-workshop
    python benchmarks/soak.py --seconds 20 --direct-only
    python benchmarks/soak.py --workshop-only --replicas 2

The setups and the watching are those of ``tests/e2e/test_soak_e2e.py`` (which plays each 20 s in
CI). ``--direct``: one ``streamlit run app.py`` on a free port. ``--workshop``: ``scripts/serve-workshop
--replicas 2`` (nginx, Redis, two replicas on loopback; needs nginx and redis-server installed, see
README "Hosting a workshop"), the browser going through the proxy. Per setup it prints: seconds played,
epochs trained, epochs per second, whether the counter was still advancing at the end, and any
error dialog. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, free_port, streamlit_server  # noqa: E402
from tests.e2e.test_soak_e2e import SETUPS, soak  # noqa: E402


def play_all(url: str, seconds: float, label: str) -> list[dict]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for name, query in SETUPS:
            context = browser.new_context(viewport={"width": 1280, "height": 720})
            page = context.new_page()
            try:
                r = soak(page, f"{url.rstrip('/')}/?{query}", seconds)
            except Exception as exc:  # noqa: BLE001 (a page that never loads is a result here)
                r = {"played_s": 0.0, "epochs": 0, "advancing": False, "dialog": f"failed: {exc}"[:200]}
            finally:
                context.close()
            r["name"] = name
            rows.append(r)
            dialog = (r["dialog"] or "").replace("\n", " ")[:90]
            print(
                f"  [{label}] {name:24s} {r['played_s']:5.1f} s  {r['epochs']:6d} epochs "
                f"({r['epochs'] / max(r['played_s'], 1e-9):4.0f}/s)  advancing at the end: "
                f"{'yes' if r['advancing'] else 'NO '}  dialog: {dialog or 'none'}",
                flush=True,
            )
    return rows


def summary(label: str, rows: list[dict]) -> None:
    dialogs = sum(1 for r in rows if r["dialog"])
    stalled = sum(1 for r in rows if not r["advancing"])
    played = sum(r["played_s"] for r in rows)
    print(
        f"[{label}] {len(rows)} setups, {played:.0f} s of play: {dialogs} error dialogs, "
        f"{stalled} counters not advancing at the end"
    )


def serve_workshop(replicas: int):
    """Start scripts/serve-workshop on loopback; (url, process)."""
    run = Path(tempfile.mkdtemp(prefix="soak-workshop-"))
    port, base, rport = free_port(), free_port(), free_port()
    while any(p in range(base, base + replicas) for p in (port, rport)):
        base = free_port()
    cmd = [
        sys.executable, str(ROOT / "scripts" / "serve-workshop"), "--replicas", str(replicas),
        "--host", "127.0.0.1", "--port", str(port), "--base-port", str(base), "--redis-port", str(rport),
        "--run-dir", str(run), "--no-install",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    end = time.monotonic() + 120
    while not (run / "state.json").exists():
        if proc.poll() is not None or time.monotonic() > end:
            proc.kill()
            out = proc.stdout.read() if proc.stdout else ""
            raise SystemExit(f"serve-workshop did not start:\n{out[-2000:]}")
        time.sleep(0.25)
    return f"http://127.0.0.1:{port}/", proc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60.0, help="play per setup (default 60)")
    ap.add_argument("--replicas", type=int, default=2)
    group = ap.add_mutually_exclusive_group()
    group.add_argument("--direct-only", action="store_true")
    group.add_argument("--workshop-only", action="store_true")
    args = ap.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no Chromium at {CHROMIUM}")
    print(f"Soak: {len(SETUPS)} setups × {args.seconds:g} s; load average {os.getloadavg()[0]:.1f}")
    results = {}
    if not args.workshop_only:
        with streamlit_server() as url:
            results["direct"] = play_all(url, args.seconds, "direct")
    if not args.direct_only:
        url, proc = serve_workshop(args.replicas)
        try:
            results[f"workshop ×{args.replicas}"] = play_all(url, args.seconds, f"workshop ×{args.replicas}")
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    print()
    for label, rows in results.items():
        summary(label, rows)


if __name__ == "__main__":
    main()
