"""The Playground's language switch in Chromium: trained in English, switched to 简体中文 in the sidebar,
the run goes on where it was (same epoch; Play trains on, nothing is rebuilt — the select boxes keep
their choices although the browser holds them as their English labels), and the page, the network
view's words included, is in Chinese. Screenshots at 1280×720 and 1440×900 go to ``artifacts/``."""

from __future__ import annotations

import time

from tests.e2e.conftest import ARTIFACTS, no_errors, settle


def epoch(page) -> int:
    return int(page.locator('[data-testid="stMetricValue"]').first.inner_text().replace(",", ""))


def wait_until(pred, timeout: float = 30.0) -> bool:
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.2)
    return False


def test_switching_to_chinese_keeps_the_run_and_play_trains_on(server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(f"{server}/?lang=en")
        page.wait_for_selector(".nv-title", timeout=60_000)
        assert page.locator(".nv-title").all_inner_texts()[0].lower() == "features"
        page.get_by_role("button", name="Play").click()
        assert wait_until(lambda: epoch(page) >= 20), "the epoch counter did not advance"
        page.get_by_role("button", name="Pause").click()
        page.get_by_role("button", name="Play").wait_for(timeout=60_000)
        settle(page)
        before = epoch(page)

        page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').get_by_text("简体中文").click()
        page.get_by_role("button", name="播放").wait_for(timeout=60_000)
        assert wait_until(lambda: page.locator(".nv-title").all_inner_texts() == ["特征", "输出"])
        settle(page)
        assert epoch(page) == before, "the switch changed the run"
        assert "lang=zh" in page.url
        assert page.get_by_text("神经网络游乐场").count() == 1
        for w, h in ((1280, 720), (1440, 900)):
            page.set_viewport_size({"width": w, "height": h})
            page.wait_for_timeout(1000)
            page.screenshot(path=str(ARTIFACTS / f"playground_zh_{w}x{h}.png"))

        page.get_by_role("button", name="播放").click()
        assert wait_until(lambda: epoch(page) >= before + 10), "Play did not train on after the switch"
        assert page.get_by_text("重建").count() == 0, "the switch rebuilt the network"
        # the live updates (fragment runs, in threads of their own) speak the session's language too
        labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
        assert labels[:2] == ["轮数", "训练损失"], labels
        assert page.locator(".nv-title").all_inner_texts() == ["特征", "输出"]
        page.get_by_role("button", name="暂停").click()
        page.get_by_role("button", name="播放").wait_for(timeout=60_000)
        no_errors(page)
    finally:
        context.close()
