"""The recurrent-networks page in headless Chromium against a real ``streamlit run``: it opens
training, the counter, the curves and the gradient-by-step chart change while playing; the English
character model shows generated text that changes as it learns; the page in Chinese runs clean.
Screenshots at 1280×720 and 1440×900 go to ``artifacts/`` (look at them)."""

from __future__ import annotations

import re

from tests.e2e.conftest import no_errors, settle

COUNTER = re.compile(r"^(\d[\d,]*) updates ·")
COUNTER_ZH = re.compile(r"^(\d[\d,]*) 次更新 ·")


def _count(page, pattern=COUNTER) -> int:
    text = page.get_by_text(pattern).first.inner_text(timeout=30_000)
    return int(pattern.match(text.strip()).group(1).replace(",", ""))


def _charts(page) -> str:
    return page.locator("[data-testid='stVegaLiteChart']").first.inner_html(timeout=30_000)


def _wait_until(page, done, timeout_ms: int = 60_000) -> None:
    waited = 0
    while not done():
        assert waited < timeout_ms, "the page did not get there in time"
        page.wait_for_timeout(250)
        waited += 250


def test_the_page_trains_live_and_the_views_change(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(f"{server}/recurrent?lang=en", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Recurrent networks").first.wait_for(timeout=30_000)
        first = _count(page)
        page.locator(
            "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"
        ).first.wait_for(timeout=30_000)
        before = _charts(page)
        _wait_until(page, lambda: _count(page) >= first + 50)
        _wait_until(page, lambda: _charts(page) != before)
        no_errors(page)
        page.wait_for_timeout(800)
        page.screenshot(path="artifacts/rnn_1280x720.png")
        page.set_viewport_size({"width": 1440, "height": 900})
        page.wait_for_timeout(1500)
        page.screenshot(path="artifacts/rnn_1440x900.png")
        # the English character model: generated text that changes while it learns
        page.get_by_role("button", name="Pause").first.click()
        settle(page)
        page.get_by_label("Task").first.click()
        page.get_by_role("option", name="Character model: English (Shakespeare)").click()
        settle(page)
        page.get_by_role("button", name="Play").first.click()
        sample = page.locator("[data-testid='stCode']").first
        sample.wait_for(timeout=60_000)
        text = sample.inner_text()
        _wait_until(page, lambda: sample.inner_text() != text, 90_000)
        page.get_by_text("bits per character").first.wait_for(timeout=30_000)
        no_errors(page)
        page.wait_for_timeout(800)
        page.screenshot(path="artifacts/rnn_text_1440x900.png")
    finally:
        page.close()


def test_the_page_in_chinese(server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        page.goto(f"{server}/recurrent?lang=zh", wait_until="domcontentloaded")
        page.get_by_role("heading", name="循环神经网络").first.wait_for(timeout=30_000)
        first = _count(page, COUNTER_ZH)
        _wait_until(page, lambda: _count(page, COUNTER_ZH) > first)
        page.get_by_text("随时间传播的梯度").first.wait_for(timeout=30_000)
        no_errors(page)
        page.wait_for_timeout(800)
        page.screenshot(path="artifacts/rnn_zh_1440x900.png")
    finally:
        page.close()
