"""The overfitting and hyperparameter-search pages in headless Chromium against a real ``streamlit run``.

A small search runs to completion in the browser (the progress bar reaches the end, the scatter and the
best trial appear); the classic comparison trains and shows its boundaries. Screenshots go to
``artifacts/`` (git-ignored). Skips with a reason when Playwright or the browser is missing.
"""

from __future__ import annotations

from tests.e2e.conftest import no_errors, screenshot, settle


def _set_number(page, label: str, value: int) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    settle(page)


def test_search_runs_to_completion_in_the_browser(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{server}/hyperparameter_search", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Hyperparameter search").first.wait_for(timeout=30_000)
        page.get_by_text("of 100 trials").first.wait_for(timeout=30_000)  # the page opens searching
        page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Stop").click()
        settle(page)
        _set_number(page, "Trials", 30)
        _set_number(page, "Epochs per trial", 20)
        page.get_by_role("button", name="Start search").click()
        page.get_by_text("30 of 30 trials").first.wait_for(timeout=60_000)
        bar = page.locator('[data-testid="stProgress"] [role="progressbar"]').first
        assert bar.get_attribute("aria-valuenow") == "100"
        page.get_by_text("Test accuracy").first.wait_for(timeout=30_000)
        settle(page)
        page.locator(
            "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"
        ).first.wait_for(timeout=20_000)
        link = page.get_by_role("link", name="Open the best configuration in the Playground ↗")
        href = link.get_attribute("href")
        assert href and "lr=" in href and "reg=l2" in href, href
        no_errors(page)
        screenshot(page, "lesson_hyperparameter_search.png")
        # The link opens the Playground with the best trial's settings, without a notice or error.
        page.goto(server + href if href.startswith("/") else href, wait_until="domcontentloaded")
        page.locator('[data-testid="stSidebarNav"]').first.wait_for(timeout=30_000)
        settle(page)
        page.wait_for_timeout(1500)
        no_errors(page)
        screenshot(page, "lesson_hyperparameter_search_best_in_playground.png")
    finally:
        page.close()


def test_overfitting_comparison_trains_in_the_browser(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{server}/overfitting", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Overfitting and regularization").first.wait_for(timeout=30_000)
        page.get_by_text("training… epoch").first.wait_for(timeout=30_000)  # the page opens training
        page.get_by_text("all runs finished").first.wait_for(timeout=90_000)
        page.get_by_text("All runs (JSON)").first.wait_for(timeout=30_000)
        settle(page)
        assert page.locator('[data-testid="stImage"]').count() >= 8  # 4 boundaries, 4 network views
        no_errors(page)
        screenshot(page, "lesson_overfitting.png")
    finally:
        page.close()
