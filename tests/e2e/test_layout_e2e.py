"""The Playground's layout in a real browser at 1280×720, 1440×900 and 1920×1080: the main views
(top bar, data column, network view, output, curves, metrics) never overlap and stay on screen, no
label is cut short (on the page, in the sidebar's groups, in the network view), the common controls
are visible without scrolling at 1440×900, and nothing in the network view spills out of it.
Screenshots land in ``artifacts/``."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, no_errors, settle

SIZES = [(1280, 720), (1440, 900), (1920, 1080)]
SETUPS = {
    "default": "",
    "iris": "?dataset=iris",
    "wide": "?layers=8,8,5&features=x1,x2,x1*x2",
    "regression": "?dataset=reg-gauss&layers=8,6",  # the longest dataset name in the menu
}

# Boxes of the main views, in page coordinates (the main area scrolls inside stMain).
MAIN_VIEWS_JS = """() => {
  const box = (e) => { if (!e) return null; const r = e.getBoundingClientRect();
    return {x: r.left, y: r.top, w: r.width, h: r.height}; };
  const play = document.querySelector('.st-key-btn_play, .st-key-btn_pause');
  const bar = play && play.closest('[data-testid="stHorizontalBlock"]');
  const dataset = document.querySelector('.st-key-c_dataset');
  const dataCol = dataset && dataset.closest('[data-testid="stColumn"]');
  const net = document.querySelector('[data-testid="stBidiComponentIsolated"]');
  const curves = document.querySelector('[data-testid="stMain"] svg.pg-curves');
  const metricsView = document.querySelector('[data-testid="stMain"] .st-key-live_metrics');
  const metrics = document.querySelector('[data-testid="stMain"] [data-testid="stMetric"]');
  const header = metrics && metrics.closest('[data-testid="stHorizontalBlock"]');
  const img = document.querySelector('[data-testid="stMain"] [data-testid="stImage"] img');
  return {
    "top bar": box(bar), "data": box(dataCol), "header": box(header), "network": box(net),
    "output": box(img), "curves": box(curves), "metrics": box(metricsView),
  };
}"""

# Every visible element that cuts its text with an ellipsis (or hides overflowing text) and does.
TRUNCATED_JS = """(rootSel) => {
  const out = [];
  const roots = [...document.querySelectorAll(rootSel)];
  const host = document.querySelector('[data-testid="stBidiComponentIsolated"]');
  if (host && host.shadowRoot && rootSel.includes('stMain')) roots.push(host.shadowRoot);
  for (const root of roots) {
    for (const e of root.querySelectorAll('*')) {
      if (!e.textContent.trim() || e.children.length > 3) continue;
      const r = e.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const cs = getComputedStyle(e);
      const clips = cs.textOverflow === 'ellipsis'
        || (cs.overflowX !== 'visible' && cs.whiteSpace === 'nowrap');
      if (clips && e.scrollWidth > e.clientWidth + 1) out.push(e.textContent.trim().slice(0, 40));
    }
    // a select box shows its choice in an input: its text must fit too
    for (const e of root.querySelectorAll('input:not([type]), input[type="text"], input[role="combobox"]')) {
      const r = e.getBoundingClientRect();
      const cut = r.width > 0 && e.value && e.scrollWidth > e.clientWidth + 1;
      if (cut) out.push('input: ' + e.value.slice(0, 40));
    }
  }
  return out;
}"""

# Inside the network view: every part within the view's box, and neurons, labels and the heading
# never on top of one another.
NETVIEW_JS = """() => {
  const host = document.querySelector('[data-testid="stBidiComponentIsolated"]');
  const root = host.shadowRoot;
  const hb = host.getBoundingClientRect();
  const sel = '.nv-node, .nv-label, .nv-btn, .nv-title, .nv-layers, .nv-neurons, .nv-small, .nv-block';
  const parts = [...root.querySelectorAll(sel)];
  const outside = [];
  const boxes = [];
  for (const e of parts) {
    const r = e.getBoundingClientRect();
    if (r.left < hb.left - 1 || r.right > hb.right + 1 || r.top < hb.top - 1 || r.bottom > hb.bottom + 1)
      outside.push(e.className + ' ' + e.textContent.slice(0, 30));
    if (e.matches('.nv-node, .nv-label, .nv-title, .nv-layers, .nv-neurons'))
      boxes.push([e.className + ' ' + e.textContent.slice(0, 20), r]);
  }
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, ra] = boxes[i], [b, rb] = boxes[j];
    const ox = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
    const oy = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
    if (ox > 1.5 && oy > 1.5) overlaps.push(a + ' / ' + b);
  }
  return {outside, overlaps, nodes: root.querySelectorAll('.nv-node').length};
}"""


def overlap(a: dict, b: dict, tol: float = 1.0) -> bool:
    ox = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
    oy = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
    return ox > tol and oy > tol


def open_page(browser, server, width: int, height: int, query: str = ""):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(server + "/" + query)
    page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
    page.locator(".nv-node").first.wait_for(timeout=30_000)
    # every main view drawn (on a busy machine the live area can lag the first quiet moment)
    page.wait_for_function(
        f"() => Object.values(({MAIN_VIEWS_JS})()).every(v => v && v.w > 0)", timeout=60_000
    )
    settle(page)
    return page


@pytest.mark.parametrize("setup", list(SETUPS))
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_main_views_do_not_overlap_and_nothing_is_cut(server, browser, size, setup):
    width, height = size
    page = open_page(browser, server, width, height, SETUPS[setup])
    try:
        no_errors(page)
        views = page.evaluate(MAIN_VIEWS_JS)
        missing = [k for k, v in views.items() if v is None or v["w"] <= 0]
        assert not missing, f"views not found: {missing}"
        names = list(views)
        clashes = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :] if overlap(views[a], views[b])]
        assert not clashes, f"overlapping views at {width}x{height} ({setup}): {clashes}\n{views}"
        off = [k for k, v in views.items() if v["x"] < -1 or v["x"] + v["w"] > width + 1]
        assert not off, f"views beyond the window's width: {off}\n{views}"

        inside = page.evaluate(NETVIEW_JS)
        assert inside["nodes"] > 0
        assert not inside["outside"], inside["outside"]
        assert not inside["overlaps"], inside["overlaps"]

        cut = page.evaluate(TRUNCATED_JS, '[data-testid="stMain"]')
        assert not cut, f"labels cut short on the page: {cut}"
        # the sidebar's groups, opened one by one
        for summary in page.locator('[data-testid="stSidebar"] summary').all():
            summary.click()
        page.wait_for_timeout(400)
        cut = page.evaluate(TRUNCATED_JS, '[data-testid="stSidebar"]')
        assert not cut, f"labels cut short in the sidebar: {cut}"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"layout_{setup}_{width}x{height}.png"))
    finally:
        page.close()


def test_the_common_controls_are_visible_without_scrolling_at_1440x900(server, browser):
    page = open_page(browser, server, 1440, 900)
    try:
        wanted = {
            "Play": page.locator(".st-key-btn_play"),
            "dataset": page.locator(".st-key-c_dataset"),
            "learning rate": page.locator(".st-key-c_lr"),
            "activation": page.locator(".st-key-c_activation"),
            "optimizer": page.locator(".st-key-c_optimizer"),
            "features (inputs)": page.locator(".nv-input").first,
            "add a layer": page.get_by_role("button", name="Add a hidden layer"),
            "neurons": page.get_by_role("button", name="Add a neuron to hidden layer 1"),
            "Share": page.get_by_role("button", name="Share"),
            "More settings": page.get_by_text("More settings", exact=True),
        }
        for name, loc in wanted.items():
            box = loc.bounding_box()
            assert box is not None, f"{name} is not on the page"
            assert box["y"] >= 0 and box["y"] + box["height"] <= 900, f"{name} is below the fold: {box}"
            assert box["x"] >= 0 and box["x"] + box["width"] <= 1440, f"{name} is off to the side: {box}"
        # the sidebar's groups (presets & links, downloads…) are all in sight, closed
        for group in ("Presets & links", "Data", "Network", "Training", "Live loop & views", "Downloads"):
            box = page.locator('[data-testid="stSidebar"] summary', has_text=group).bounding_box()
            assert box is not None and box["y"] + box["height"] <= 900, f"sidebar group {group!r}: {box}"
    finally:
        page.close()
