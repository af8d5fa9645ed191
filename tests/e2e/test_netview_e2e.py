"""The network view in headless Chromium, as a learner uses it while the net trains: hover a neuron and
its value and enlarged map follow the run; click an input to switch it; + / − add a layer and a
neuron; click a weight and type a value; a CSV column name is shown as text, never run as HTML."""

from __future__ import annotations

import time

from tests.e2e.conftest import ARTIFACTS, no_errors, settle

TIP_MAP_JS = """() => {
  const host = document.querySelector('[data-testid="stBidiComponentIsolated"]');
  const c = host.shadowRoot.querySelector('.nv-tip:not([hidden]) canvas');
  if (!c) return null;
  return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data).join(',');
}"""


def wait_until(pred, timeout: float = 60.0) -> bool:  # generous: the CI machine may be busy
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.15)
    return False


def epoch(page) -> int:
    return int(page.locator('[data-testid="stMetricValue"]').first.inner_text().replace(",", ""))


def open_page(browser, server, query: str = ""):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(server + "/" + query)
    page.locator(".nv-node").first.wait_for(timeout=60_000)
    settle(page)
    return context, page


def query(page) -> str:
    """The address bar's query (``page.url`` can miss a quick series of history updates)."""
    return page.evaluate("() => decodeURIComponent(location.search)")


def active_inputs(page) -> int:
    return page.locator(".nv-input:not(.nv-off)").count()


def test_hover_follows_the_run_while_playing(server, browser):
    context, page = open_page(browser, server)
    try:
        page.get_by_role("button", name="Play").click()
        assert wait_until(lambda: epoch(page) > 20), "training did not start"
        unit = page.locator(".nv-node:not(.nv-input)").first
        unit.hover()
        tip = page.locator(".nv-tip")
        tip.wait_for(state="visible", timeout=5_000)
        assert "hidden 1 · neuron 1" in tip.inner_text() and "bias" in tip.inner_text()
        first_text, first_map = tip.inner_text(), page.evaluate(TIP_MAP_JS)
        assert first_map, "no enlarged map in the tooltip"
        e0 = epoch(page)
        # the mouse stays put; the run goes on and the tooltip follows it
        assert wait_until(lambda: epoch(page) > e0 + 30), "the run stopped while hovering"
        assert wait_until(
            lambda: tip.inner_text() != first_text and page.evaluate(TIP_MAP_JS) != first_map
        ), "the hovered neuron's value and map did not change while training"
        assert tip.is_visible()
        # a weight: its value on hover
        page.mouse.move(0, 0)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "netview_playing.png"))
        page.get_by_role("button", name="Pause").click()
        page.get_by_role("button", name="Play").wait_for(timeout=10_000)
        no_errors(page)
    finally:
        context.close()


def test_toggle_inputs_and_plus_minus_rebuild_through_the_settings(server, browser):
    context, page = open_page(browser, server)
    try:
        assert active_inputs(page) == 2
        page.locator(".nv-input.nv-off").first.click()  # x₁², off -> on
        assert wait_until(lambda: active_inputs(page) == 3), "the input did not switch on"
        assert wait_until(lambda: "features=x1,x2,x1^2" in query(page)), query(page)
        page.get_by_role("button", name="Add a hidden layer").click()
        assert wait_until(
            lambda: page.get_by_role("button", name="Add a neuron to hidden layer 3").count() == 1
        )
        page.get_by_role("button", name="Add a neuron to hidden layer 1").click()
        assert wait_until(lambda: "layers=5,2,4" in query(page)), query(page)
        page.get_by_role("button", name="Remove the last hidden layer").click()
        assert wait_until(
            lambda: page.get_by_role("button", name="Add a neuron to hidden layer 3").count() == 0
        )
        # the sidebar follows: the layer count there reads 2
        assert page.locator(".st-key-c_layers input").input_value() == "2"
        info = page.locator('[data-testid="stAlertContentInfo"]').all_inner_texts()
        assert any("rebuilt" in t for t in info), info
        no_errors(page)
    finally:
        context.close()


def test_click_a_weight_and_type_its_value_while_playing(server, browser):
    context, page = open_page(browser, server)
    try:
        page.get_by_role("button", name="Play").click()
        assert wait_until(lambda: epoch(page) > 10)
        hit = page.locator(".nv-hit").first
        hit.click(force=True)
        editor = page.locator(".nv-edit input")
        editor.wait_for(timeout=5_000)
        e0 = epoch(page)
        assert wait_until(lambda: epoch(page) > e0), "ticks stopped while the editor was open"
        assert editor.is_visible(), "a tick closed the editor"
        editor.fill("2.5")
        editor.press("Enter")
        tip = page.locator(".nv-tip")

        def hovered_weight() -> float:
            """The weight the view shows on hover (NaN if no tooltip came)."""
            page.mouse.move(0, 0)
            hit.hover(force=True)
            try:
                tip.wait_for(state="visible", timeout=5_000)
                return float(tip.inner_text().split("weight")[1].split()[0])
            except Exception:  # noqa: BLE001 (no tooltip yet: not a value)
                return float("nan")

        # still playing: the view shows the value set (it trains on from 2.5 a little) within a few ticks
        assert wait_until(lambda: 2.0 < hovered_weight() < 3.0, 20), tip.inner_text()
        assert page.get_by_role("button", name="Pause").count() == 1
        page.get_by_role("button", name="Pause").click()
        page.get_by_role("button", name="Play").wait_for(timeout=10_000)
        settle(page)
        # paused: the view keeps it
        value = hovered_weight()
        assert 2.0 < value < 3.0, tip.inner_text()
        no_errors(page)
    finally:
        context.close()


def test_a_csv_column_name_is_shown_as_text(server, browser, tmp_path):
    hostile = "<img src=x onerror=window.__pwned=1>"
    rows = [f"a,{hostile},label"] + [f"{i % 7},{(i * 3) % 5},{i % 2}" for i in range(60)]
    csv = tmp_path / "hostile.csv"
    csv.write_text("\n".join(rows) + "\n")
    context, page = open_page(browser, server)
    try:
        page.locator('[data-testid="stSidebar"] summary', has_text="Data").click()
        page.locator('[data-testid="stSidebar"] input[type="file"]').set_input_files(str(csv))
        label = page.locator(".nv-label").get_by_text(hostile, exact=True)
        label.wait_for(timeout=30_000)  # the raw column name, as text (also inside x², sin(…) labels)
        assert page.evaluate("() => window.__pwned") is None
        host_imgs = page.evaluate(
            "() => document.querySelector('[data-testid=\"stBidiComponentIsolated\"]')"
            ".shadowRoot.querySelectorAll('img').length"
        )
        assert host_imgs == 0
    finally:
        context.close()
