"""What one live tick of the Playground costs, on the server and in the browser.

    python benchmarks/live_tick.py            # in-process breakdown + real server and browser
    python benchmarks/live_tick.py --quick    # in-process breakdown only

1. In-process (no Streamlit): the CPU time of each part of a tick (training, every figure built)
   for the default config and for the largest allowed config.
2. A real ``streamlit run app.py`` on a free port, driven by headless Chromium (Playwright, Debian's
   /usr/bin/chromium): press Play for a few seconds and measure
   - server CPU per tick (the server process's CPU time / ticks: training + figures + Streamlit's run),
   - visible updates per second (changes of the decision-boundary image in the page),
   - epochs shown per second (the epoch counter),
   - browser main-thread long-task time per second (PerformanceObserver "longtask").
   Targets (issue 5): ≤ 25 ms server CPU per tick (default config), ≥ 10 visible updates/s,
   ≥ 60 epochs/s on the default 2-D problem.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import socket
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

    from playground.ui import live
    from playground.viz import curves, health, histograms, metrics
    from playground.viz.boundary import boundary_image
    from playground.viz.network import network_image, network_view_too_large
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
        sizes, weights, biases = live.network_arrays(exp)
        if not network_view_too_large(sizes):
            maps = timed("neuron maps", lambda: live.network_maps(exp))
            net_img = timed(
                "network image",
                lambda m=maps, s=sizes, w=weights, b=biases: network_image(
                    s, w, m, input_names=exp.input_names(), biases=b
                ),
            )
            timed("png encode", lambda i=net_img: data_uri(i))
        timed(
            "loss rows",
            lambda: live.loss_table(exp.history, ("loss", "acc")),
        )
        m = timed("metrics", exp.metrics)
        timed("confusion rows", lambda m=m: metrics.confusion_rows(m["test"]["confusion"]))
    for _ in range(ticks):  # the slower fragment (histograms, gradient health), per run
        timed("internals*", lambda: live.histogram_frame(exp.probe()))
        timed(
            "internals*",
            lambda: (
                live.health_frame(exp.trainer.health, "grad_norm", True),
                live.health_frame(exp.trainer.health, "dead_fraction", False),
            ),
        )
    epochs = exp.epoch - epochs0
    total = sum(v for k, v in parts.items() if not k.endswith("*"))
    print(f"\n[{label}] {exp.network.n_params} parameters, {len(exp.inputs['train'])} training points")
    print(f"  epochs per tick: {epochs / ticks:.1f} (budget {limits.TICK_TRAIN_BUDGET_S * 1000:.0f} ms)")
    for name, secs in sorted(parts.items(), key=lambda kv: -kv[1]):
        print(f"  {name:16s} {secs / ticks * 1000:7.2f} ms")
    print(
        f"  {'total (no Streamlit)':16s} {total / ticks * 1000:7.2f} ms CPU per tick "
        f"(* = per run of the slower internals fragment, every {limits.INTERNALS_INTERVAL} s; not in total)"
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


def browser_run(label: str, query: dict[str, str], seconds: float, port: int, proc) -> None:
    from urllib.parse import urlencode

    from playwright.sync_api import sync_playwright

    url = f"http://127.0.0.1:{port}/?{urlencode(query)}"
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
        page = browser.new_page(viewport={"width": 1500, "height": 1400})
        page.goto(url)
        page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
        time.sleep(1.5)
        page.evaluate(COUNTER_JS)
        page.get_by_role("button", name="Play").click()
        time.sleep(1.0)  # let the loop settle
        e0, u0, l0 = epoch_value(page), page.evaluate("window.__updates"), page.evaluate("window.__longtask")
        c0, t0 = proc_cpu(proc.pid), time.perf_counter()
        time.sleep(seconds)
        e1, u1, l1 = epoch_value(page), page.evaluate("window.__updates"), page.evaluate("window.__longtask")
        c1, t1 = proc_cpu(proc.pid), time.perf_counter()
        page.get_by_role("button", name="Pause").click()
        browser.close()
    dt = t1 - t0
    updates = u1 - u0
    ups = updates / dt
    print(f"\n[{label}] browser, {dt:.1f} s of play")
    print(f"  visible updates per second: {ups:.1f}")
    print(f"  epochs shown per second:    {(e1 - e0) / dt:.0f}")
    print(
        f"  server CPU per tick:        {(c1 - c0) / max(updates, 1) * 1000:.1f} ms "
        f"(server CPU {100 * (c1 - c0) / dt:.0f} % of one core)"
    )
    print(f"  browser long tasks:         {(l1 - l0) / dt:.0f} ms per second")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="in-process figures only")
    ap.add_argument("--seconds", type=float, default=6.0)
    args = ap.parse_args()
    in_process("default config", PlaygroundConfig())
    in_process("largest config", largest_config(), ticks=5)
    if args.quick:
        return
    if not Path(CHROMIUM).exists():
        print("\n(no /usr/bin/chromium: browser figures skipped)")
        return
    port = free_port()
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        import urllib.request

        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        browser_run("default config", {}, args.seconds, port, proc)
        browser_run("largest config", LARGEST, args.seconds, port, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
