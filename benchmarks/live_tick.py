"""What one live tick of the Playground costs, on the server and in the browser.

    python benchmarks/live_tick.py            # in-process breakdown + 3 browser runs per config
    python benchmarks/live_tick.py --quick    # in-process breakdown only
    python benchmarks/live_tick.py --runs 5 --seconds 8

1. In-process (no Streamlit): the CPU time of each part of a tick (training, every view's data)
   for the default config and for the largest allowed config.
2. A real ``streamlit run app.py`` on a free port, driven by headless Chromium (Playwright, Debian's
   /usr/bin/chromium): press Play for a few seconds and measure
   - server CPU per tick (the server process's CPU time / visible updates: training, views and
     Streamlit's run, the histograms and gradient views drawn once per run included),
   - visible updates per second (changes of the decision-boundary image in the page),
   - epochs shown per second (the epoch counter),
   - browser main-thread long-task time per second (PerformanceObserver "longtask"),
   - the browser main thread's busy time, every task counted (DevTools' Performance.getMetrics
     "TaskDuration"), per second and per update: near 1 000 ms/s the browser limits the rate,
     whatever the long tasks say,
   - bytes per update the browser received over the websocket.
   Each run is a new browser session; the figures are the median of ``--runs`` runs (default 3)
   with their range.
3. The floor: the same page, settings and training with every live view replaced by the epoch
   counter and a 2×2 image that changes with each update (an entry script written next to app.py for
   the run and removed after it): what the page costs before it shows anything.
   Targets (issue 12 §8): ≤ 25 ms server CPU per tick (default config), ≥ 12 visible updates/s,
   ≥ 60 epochs shown/s, ≤ 100 ms/s of browser long tasks.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playground import limits  # noqa: E402
from playground.experiment import Experiment, PlaygroundConfig  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LARGEST = {
    "points": str(limits.MAX_POINTS),
    "layers": ",".join([str(limits.MAX_NEURONS)] * limits.MAX_HIDDEN_LAYERS),
    "features": "x1,x2,x1^2,x2^2,x1*x2,sin_x1,sin_x2",
}


def largest_config() -> PlaygroundConfig:
    cfg = PlaygroundConfig()
    cfg.data.n_samples = limits.MAX_POINTS
    cfg.data.features = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin_x1", "sin_x2"]
    cfg.model.hidden = [limits.MAX_NEURONS] * limits.MAX_HIDDEN_LAYERS
    cfg.validate()
    return cfg


def cpu() -> float:
    return time.process_time()


def in_process(label: str, cfg: PlaygroundConfig, ticks: int = 30) -> None:
    """CPU ms per part of a tick, without Streamlit."""
    import pandas as pd  # noqa: F401  (imported once, as on the server)

    from playground.ui import live, netview
    from playground.viz import curves, health, histograms, svgcharts
    from playground.viz.boundary import boundary_image
    from playground.viz.png import data_uri

    exp = Experiment(cfg)
    exp.tick(budget_s=10)  # warm up
    parts: dict[str, float] = {}

    def timed(name, fn):
        t = cpu()
        out = fn()
        parts[name] = parts.get(name, 0.0) + (cpu() - t)
        return out

    epochs0 = exp.epoch
    for _ in range(ticks):
        timed("train", lambda: exp.tick())
        values = timed("grid predict", exp.grid_values)
        img = timed(
            "boundary image",
            lambda v=values: boundary_image(
                v, exp.task, x_range=exp.x_range, y_range=exp.y_range, train=exp.view_points("train")
            ),
        )
        timed("png encode", lambda i=img: data_uri(i))
        view = timed("network view data", lambda: netview.view_data(exp))
        timed("network view json", lambda v=view: json.dumps(v, separators=(",", ":")))
        timed("curves svg", lambda: live.curves_document(exp))
        m = timed("metrics", exp.metrics)
        timed("confusion svg", lambda m=m: svgcharts.confusion_svg(m["test"]["confusion"], exp.class_names))
    for _ in range(ticks):  # the slower views (histograms, gradient health), once per fragment run
        timed("internals*", lambda: live.internals_documents(exp))
    epochs = exp.epoch - epochs0
    total = sum(v for k, v in parts.items() if not k.endswith("*"))
    print(f"\n[{label}] {exp.network.n_params} parameters, {len(exp.inputs['train'])} training points")
    print(f"  epochs per tick: {epochs / ticks:.1f} (budget {limits.TICK_TRAIN_BUDGET_S * 1000:.0f} ms)")
    for name, secs in sorted(parts.items(), key=lambda kv: -kv[1]):
        print(f"  {name:16s} {secs / ticks * 1000:7.2f} ms")
    print(
        f"  {'total (no Streamlit)':16s} {total / ticks * 1000:7.2f} ms CPU per tick "
        f"(* = the histograms and gradient views, once per fragment run, "
        f"every {limits.INTERNALS_INTERVAL} s; not in total)"
    )
    # building the charts' specs once (cached afterwards) for reference
    t = cpu()
    curves.loss_chart(exp.history[:2]).to_dict()
    health.grad_norm_chart(exp.trainer.health[:2]).to_dict()
    histograms.activation_histograms({"layer 1": {"pre": [0.0], "post": [0.0]}}).to_dict()
    print(f"  (one-off Altair spec building, cached: {(cpu() - t) * 1000:.1f} ms)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_cpu(pid: int) -> float:
    """User + system CPU seconds of a process and its threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


COUNTER_JS = """
() => {
  // A visible update: a painted frame in which the decision-boundary image (the last PNG data URI on
  // the page) differs from the previous frame's.
  window.__updates = 0; window.__longtask = 0;
  let last = null;
  const loop = () => {
    const imgs = [...document.querySelectorAll('img')].filter(i => i.src.startsWith('data:image/png'));
    const img = imgs[imgs.length - 1];
    const sig = img ? img.src.length + ':' + img.src.slice(-64) : '';
    if (sig !== last) { last = sig; window.__updates += 1; }
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  new PerformanceObserver(list => { for (const e of list.getEntries()) window.__longtask += e.duration; })
    .observe({type: 'longtask', buffered: false});
}
"""


def epoch_value(page) -> int:
    txt = page.locator('[data-testid="stMetricValue"]').first.inner_text()
    return int(txt.replace(",", "").strip() or 0)


def browser_run(query: dict[str, str], seconds: float, port: int, proc) -> dict[str, float]:
    """One run in a new browser session: Play, measure ``seconds``, Pause; the figures."""
    from urllib.parse import urlencode

    from playwright.sync_api import sync_playwright

    url = f"http://127.0.0.1:{port}/?{urlencode(query)}"
    received = [0]
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1440, "height": 900})

        def on_ws(ws):
            ws.on("framereceived", lambda payload: received.__setitem__(0, received[0] + len(payload)))

        page.on("websocket", on_ws)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")

        def busy_s() -> float:  # the renderer's main-thread time so far (every task, long or not)
            metrics = cdp.send("Performance.getMetrics")["metrics"]
            return next(m["value"] for m in metrics if m["name"] == "TaskDuration")

        page.goto(url)
        page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
        time.sleep(1.5)
        page.evaluate(COUNTER_JS)
        page.get_by_role("button", name="Play", exact=True).click()
        time.sleep(1.0)  # let the loop settle
        e0, u0, l0 = epoch_value(page), page.evaluate("window.__updates"), page.evaluate("window.__longtask")
        c0, t0, b0, m0 = proc_cpu(proc.pid), time.perf_counter(), received[0], busy_s()
        time.sleep(seconds)
        e1, u1, l1 = epoch_value(page), page.evaluate("window.__updates"), page.evaluate("window.__longtask")
        c1, t1, b1, m1 = proc_cpu(proc.pid), time.perf_counter(), received[0], busy_s()
        page.get_by_role("button", name="Pause", exact=True).click()
        browser.close()
    dt = t1 - t0
    updates = max(u1 - u0, 1)
    return {
        "updates/s": (u1 - u0) / dt,
        "epochs/s": (e1 - e0) / dt,
        "server ms/tick": (c1 - c0) / updates * 1000,
        "server % core": 100 * (c1 - c0) / dt,
        "long tasks ms/s": (l1 - l0) / dt,
        "main thread ms/s": (m1 - m0) / dt * 1000,
        "main thread ms/update": (m1 - m0) / updates * 1000,
        "kB/update": (b1 - b0) / updates / 1000,
    }


UNITS = {
    "updates/s": ("visible updates per second", "{:.1f}", "≥ 12"),
    "epochs/s": ("epochs shown per second", "{:.0f}", "≥ 60"),
    "server ms/tick": ("server CPU per tick (ms)", "{:.1f}", "≤ 25"),
    "server % core": ("server CPU (% of one core)", "{:.0f}", ""),
    "long tasks ms/s": ("browser long tasks (ms/s)", "{:.0f}", "≤ 100"),
    "main thread ms/s": ("browser main thread busy (ms/s)", "{:.0f}", ""),
    "main thread ms/update": ("browser main thread per update (ms)", "{:.0f}", ""),
    "kB/update": ("websocket kB per update", "{:.1f}", ""),
}


def report(label: str, runs: list[dict[str, float]], targets: bool) -> None:
    print(f"\n[{label}] browser: median of {len(runs)} runs (min – max)")
    for key, (name, f, target) in UNITS.items():
        vals = sorted(r[key] for r in runs)
        med = statistics.median(vals)
        spread = f"{f.format(vals[0])} – {f.format(vals[-1])}"
        goal = f"   target {target}" if targets and target else ""
        print(f"  {name:30s} {f.format(med):>7s}   ({spread}){goal}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="in-process figures only")
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--runs", type=int, default=3, help="browser runs per config (median and range)")
    args = ap.parse_args()
    in_process("default config", PlaygroundConfig())
    in_process("largest config", largest_config(), ticks=5)
    if args.quick:
        return
    if not Path(CHROMIUM).exists():
        print("\n(no /usr/bin/chromium: browser figures skipped)")
        return
    print(f"\n(load average before the browser runs: {os.getloadavg()[0]:.1f})")
    with serve(ROOT / "app.py") as (proc, port):
        report("default config", [browser_run({}, args.seconds, port, proc) for _ in range(args.runs)], True)
        report(
            "largest config",
            [browser_run(LARGEST, args.seconds, port, proc) for _ in range(args.runs)],
            False,
        )
    # The same page, settings and training with every live view replaced by the epoch counter and a
    # 2×2 image that changes each update: what the page costs before it shows anything.
    floor = ROOT / ".live_tick_floor.py"
    floor.write_text(FLOOR_APP.format(app=ROOT / "app.py"))
    try:
        with serve(floor) as (proc, port):
            report(
                "floor: the Playground's controls and training, no views (counter only)",
                [browser_run({}, args.seconds, port, proc) for _ in range(args.runs)],
                False,
            )
    finally:
        floor.unlink(missing_ok=True)


FLOOR_APP = """# Written and removed by benchmarks/live_tick.py: the app, with the Playground's live views
# replaced by the epoch counter and a 2x2 image that changes with every update (what it counts).
import runpy

import numpy as np
import streamlit as st

from playground.ui import charts, live


def counter_only(exp, **_):
    st.metric("Epoch", exp.epoch)
    charts.image(np.full((2, 2, 3), exp.epoch % 256, dtype=np.uint8))


live.render_live = counter_only
live.render_internals = lambda exp: None
runpy.run_path("{app}", run_name="__main__")
"""


@contextlib.contextmanager
def serve(entry: Path):
    """``streamlit run entry`` on a free port, until the block ends: yields (process, port)."""
    import urllib.request

    port = free_port()
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(entry), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield proc, port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
