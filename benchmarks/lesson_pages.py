"""Time to the first chart on every lesson page, measured in headless Chromium against a real
``streamlit run app.py``; optionally screenshots of each page at 1280×720 and 1440×900.

For each page and viewport: open the page's URL in a fresh browser tab and wait until the first
chart is drawn (a Plotly SVG, a Vega-Lite canvas/SVG with marks, a Graphviz SVG or an image),
and whether that chart lies within the first screen (above the fold). The first opening of each
page in the server process includes importing its modules; the median is over the later openings.

    OPENBLAS_NUM_THREADS=1 python benchmarks/lesson_pages.py [--rounds 5] [--screenshots DIR]

Prints figures; asserts nothing (timings vary with the machine's load).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, streamlit_server  # noqa: E402

PAGES = {
    "activations_init": "Activations and initialization",
    "optimizers": "Optimizers and learning rates",
    "backprop": "Backpropagation, step by step",
    "overfitting": "Overfitting and regularization",
    "hyperparameter_search": "Hyperparameter search",
}
VIEWPORTS = ((1280, 720), (1440, 900))
#: A drawn chart: Plotly's SVG, a Vega-Lite view with marks, a Graphviz SVG, or an image.
CHART = (
    ".stPlotlyChart .main-svg, [data-testid='stVegaLiteChart'] canvas, "
    "[data-testid='stVegaLiteChart'] svg .mark-group, [data-testid='stGraphVizChart'] svg, "
    "[data-testid='stImage'] img"
)
FIRST_CHART_JS = """
(sel) => {
  const els = [...document.querySelectorAll(sel)].filter(e => {
    const r = e.getBoundingClientRect(); return r.width > 20 && r.height > 20;
  });
  if (!els.length) return null;
  const tops = els.map(e => e.getBoundingClientRect().top);
  return {top: Math.min(...tops), count: els.length};
}
"""


def open_page(browser, url: str, path: str, viewport: tuple[int, int], timeout_s: float = 30.0):
    """(seconds to the first drawn chart, its top in px, the page) for one fresh opening."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    t0 = time.perf_counter()
    page.goto(f"{url}/{path}", wait_until="commit")
    deadline = t0 + timeout_s
    found = None
    while time.perf_counter() < deadline:
        found = page.evaluate(FIRST_CHART_JS, CHART)
        if found:
            break
        page.wait_for_timeout(20)
    elapsed = time.perf_counter() - t0
    return (elapsed if found else float("nan")), (found or {}).get("top", float("nan")), page


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5, help="openings per page and viewport after the first")
    ap.add_argument("--screenshots", type=Path, default=None, help="save a screenshot per page and viewport")
    ap.add_argument("--pages", nargs="*", default=list(PAGES), choices=list(PAGES))
    args = ap.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from playwright.sync_api import sync_playwright

    print(
        f"first chart per lesson page; headless Chromium, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.2f}; median of {args.rounds} openings after the first"
    )
    print(f"{'page':24} {'viewport':>9} {'first s':>8} {'median s':>9} {'max s':>6} {'chart top px':>13}")
    with streamlit_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for path in args.pages:
            for vp in VIEWPORTS:
                times, tops = [], []
                for r in range(args.rounds + 1):
                    t, top, page = open_page(browser, url, path, vp)
                    times.append(t)
                    tops.append(top)
                    if r == args.rounds and args.screenshots is not None:
                        args.screenshots.mkdir(parents=True, exist_ok=True)
                        page.wait_for_timeout(2500)  # let the live views run a little
                        page.screenshot(path=str(args.screenshots / f"{path}_{vp[0]}x{vp[1]}.png"))
                    page.close()
                later = times[1:] or times
                fold = "above" if max(tops) < vp[1] else "BELOW"
                print(
                    f"{path:24} {vp[0]}x{vp[1]:<4} {times[0]:8.2f} {statistics.median(later):9.2f} "
                    f"{max(later):6.2f} {max(tops):8.0f} ({fold} the fold)"
                )
        browser.close()


if __name__ == "__main__":
    main()
