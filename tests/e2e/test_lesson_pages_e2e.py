"""The lesson pages in headless Chromium against a real ``streamlit run app.py``.

Each page opens by its URL path, renders its title and charts without an error element, and is
saved as a screenshot in ``artifacts/`` (git-ignored). Skips with a reason when Playwright or the
browser is missing.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, no_errors, screenshot, settle, streamlit_server

PAGES = [
    ("activations_init", "Activations and initialization"),
    ("optimizers", "Optimizers and learning rates"),
    ("backprop", "Backpropagation, step by step"),
    ("overfitting", "Overfitting and regularization"),
    ("hyperparameter_search", "Hyperparameter search"),
]
CHARTS = (
    ".stPlotlyChart .main-svg, [data-testid='stVegaLiteChart'] canvas, "
    "[data-testid='stVegaLiteChart'] svg .mark-group, [data-testid='stGraphVizChart'] svg"
)
FIRST_CHART_TOP = """
(sel) => {
  const tops = [...document.querySelectorAll(sel)]
    .map(e => e.getBoundingClientRect()).filter(r => r.width > 20 && r.height > 20).map(r => r.top);
  return tops.length ? Math.min(...tops) : null;
}
"""


def test_a_deep_link_to_a_fresh_server_gets_the_apps_navigation(browser):
    """With a ``pages/`` folder, Streamlit runs a page file on its own until ``app.py``'s
    ``st.navigation`` has run once in the process; the pages route such a first request through
    ``app.py`` (``playground.ui.page.route_through_app``), so a learner's first link works."""
    with streamlit_server() as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{url}/optimizers", wait_until="domcontentloaded")
            page.get_by_role("heading", name="Optimizers and learning rates").first.wait_for(timeout=30_000)
            nav = page.locator('[data-testid="stSidebarNav"]').first
            nav.wait_for(timeout=30_000)
            text = nav.inner_text()
            assert "Playground" in text and "Hyperparameter search" in text, text
            assert "activations init" not in text.lower(), f"legacy pages/ navigation: {text!r}"
            no_errors(page)
        finally:
            page.close()


@pytest.mark.parametrize("path,title", PAGES, ids=[p for p, _ in PAGES])
def test_lesson_page_renders(server, browser, path, title):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{server}/{path}", wait_until="domcontentloaded")
        page.get_by_role("heading", name=title).first.wait_for(timeout=30_000)
        settle(page)
        # charts mount after the script finishes (under CI's load once more than a second later)
        charts = ".stPlotlyChart, [data-testid='stVegaLiteChart'], [data-testid='stGraphVizChart']"
        page.locator(charts).first.wait_for(timeout=30_000)
        no_errors(page)
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "Backprop step by step" in nav, f"the app's navigation is missing: {nav!r}"
        screenshot(page, f"lesson_{path}.png")
    finally:
        page.close()


def test_backprop_steps_in_browser(server, browser):
    """Pressing Run all in the browser fills in the graph's numbers."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{server}/backprop", wait_until="domcontentloaded")
        page.get_by_role("button", name="Run all").wait_for(timeout=30_000)
        settle(page)
        page.get_by_role("button", name="Run all").click()
        page.get_by_text("∂J/∂c += ∂J/∂u · ∂u/∂c = 3 · 3 = 9").first.wait_for(timeout=15_000)
        settle(page)
        page.wait_for_timeout(800)
        no_errors(page)
        screenshot(page, "lesson_backprop_done.png")
    finally:
        page.close()


@pytest.mark.parametrize("path,title", PAGES, ids=[p for p, _ in PAGES])
@pytest.mark.parametrize("size", [(1280, 720), (1440, 900)], ids=["1280x720", "1440x900"])
def test_first_chart_is_above_the_fold(server, browser, path, title, size):
    """Where the learner is looking: the page's first chart starts within the first screen."""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    try:
        page.goto(f"{server}/{path}", wait_until="domcontentloaded")
        page.get_by_role("heading", name=title).first.wait_for(timeout=30_000)
        page.wait_for_function(f"() => ({FIRST_CHART_TOP})({CHARTS!r}) !== null", timeout=30_000)
        top = page.evaluate(FIRST_CHART_TOP, CHARTS)
        assert top < size[1] - 150, f"the first chart starts at {top} px of {size[1]}"
        no_errors(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / f"lesson_{path}_{size[0]}x{size[1]}.png"))
    finally:
        page.close()


def test_the_optimizer_race_plays_in_the_browser(server, browser):
    """Opening the page plays the race: the step counter advances by itself to the end, then Play
    returns; Step moves one step."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(f"{server}/optimizers", wait_until="domcontentloaded")
        page.get_by_text("· playing").first.wait_for(timeout=30_000)
        page.get_by_text("Step 30 of 30").first.wait_for(timeout=60_000)
        page.get_by_role("button", name="Play", exact=True).wait_for(timeout=15_000)
        page.get_by_role("button", name="Start", exact=True).click()
        page.get_by_text("Step 0 of 30").first.wait_for(timeout=15_000)
        page.get_by_role("button", name="Step", exact=True).click()
        page.get_by_text("Step 1 of 30").first.wait_for(timeout=15_000)
        no_errors(page)
    finally:
        page.close()
