"""What the live network view costs per tick: server time to build its data, bytes on the wire, and
the browser's main-thread time to redraw it.

    python benchmarks/netview_cost.py               # in-process figures + one browser run per setup
    python benchmarks/netview_cost.py --quick       # in-process figures only
    python benchmarks/netview_cost.py --seconds 8

1. In-process: the median time of ``playground.ui.netview.view_data`` (neuron maps, quantization,
   base64, labels) and the size of its JSON, for the default net, Iris and 8-8-5 with three inputs.
2. A real ``streamlit run app.py`` driven by headless Chromium (Debian's /usr/bin/chromium): press
   Play for a few seconds and report
   - the websocket bytes of the network view per tick (the frames that carry the component, median),
     and all websocket bytes per tick,
   - the browser's time in the view's own update per tick (timed around it in the page),
   - the main thread's long tasks per second while playing (PerformanceObserver "longtask").
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playground.experiment import Experiment, PlaygroundConfig  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
SETUPS = {
    "default (2-4-2-1)": "",
    "iris (4-4-2-3)": "?dataset=iris",
    "8-8-5, 3 inputs": "?layers=8,8,5&features=x1,x2,x1*x2",
}

TIMING_JS = """() => {
  const host = document.querySelector('[data-testid="stBidiComponentIsolated"]');
  const view = host && host.shadowRoot && host.shadowRoot.__netview;
  if (!view || view.__timed) return !!view;
  view.__timed = true;
  window.__nvTimes = [];
  const update = view.update.bind(view);
  view.update = (d) => {
    const t = performance.now(); update(d); window.__nvTimes.push(performance.now() - t);
  };
  window.__longTasks = 0;
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks += e.duration; })
    .observe({ type: 'longtask', buffered: false });
  return true;
}"""


def in_process(repeat: int = 30) -> None:
    from playground.ui import netview

    print("In-process: playground.ui.netview.view_data per tick")
    for name, query in SETUPS.items():
        params = dict(p.split("=") for p in query.lstrip("?").split("&") if p)
        d: dict = {"data": {}, "model": {}}
        if "dataset" in params:
            d["data"]["dataset"] = params["dataset"]
        if "features" in params:
            d["data"]["features"] = params["features"].split(",")
        if "layers" in params:
            d["model"]["hidden"] = [int(x) for x in params["layers"].split(",")]
        exp = Experiment(PlaygroundConfig.from_dict(d))
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            data = netview.view_data(exp)
            times.append((time.perf_counter() - t) * 1000)
        size = len(json.dumps(data))
        print(f"  {name:<20} {statistics.median(times):6.2f} ms   {size / 1024:5.1f} kB of JSON")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser_run(url: str, query: str, seconds: float) -> dict:
    from playwright.sync_api import sync_playwright

    frames: list[bytes] = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        page = b.new_page(viewport={"width": 1440, "height": 900})

        def on_ws(ws):
            ws.on("framereceived", lambda f: frames.append(f if isinstance(f, bytes) else f.encode()))

        page.on("websocket", on_ws)
        page.goto(url + "/" + query)
        page.locator(".nv-node").first.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        page.evaluate(TIMING_JS)
        frames.clear()
        page.get_by_role("button", name="Play").click()
        page.wait_for_timeout(1000)
        page.evaluate("() => { window.__nvTimes = []; window.__longTasks = 0; }")
        n0 = len(frames)
        t0 = time.time()
        page.wait_for_timeout(int(seconds * 1000))
        elapsed = time.time() - t0
        times = page.evaluate("() => window.__nvTimes")
        long_tasks = page.evaluate("() => window.__longTasks")
        page.get_by_role("button", name="Pause").click()
        b.close()
    window = frames[n0:]
    view = [len(f) for f in window if b"nn_playground.netview" in f]
    ticks = max(1, len(times))
    return {
        "view_bytes": statistics.median(view) if view else 0,
        "all_bytes_per_tick": sum(len(f) for f in window) / ticks,
        "updates_per_s": len(times) / elapsed,
        "update_ms": statistics.median(times) if times else float("nan"),
        "update_ms_p90": sorted(times)[int(0.9 * (len(times) - 1))] if times else float("nan"),
        "long_tasks_ms_per_s": long_tasks / elapsed,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seconds", type=float, default=6.0)
    args = ap.parse_args()
    in_process()
    if args.quick:
        return
    port = free_port()
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    cmd += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        print(f"\nBrowser, {args.seconds:g} s of Play per setup (1440×900; load {os.getloadavg()[0]:.1f})")
        print(
            f"  {'setup':<20} {'view B/tick':>11} {'all B/tick':>10} {'ticks/s':>8} "
            f"{'view update ms':>15} {'long tasks ms/s':>16}"
        )
        for name, query in SETUPS.items():
            r = browser_run(url, query, args.seconds)
            print(
                f"  {name:<20} {r['view_bytes']:>11,.0f} {r['all_bytes_per_tick']:>10,.0f} "
                f"{r['updates_per_s']:>8.1f} {r['update_ms']:>7.2f} (p90 {r['update_ms_p90']:.2f}) "
                f"{r['long_tasks_ms_per_s']:>10.0f}"
            )
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
