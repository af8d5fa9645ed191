"""The convolution page in headless Chromium against a real ``streamlit run``: Play trains (the epoch
counter advances, the feature-map images change), a digit drawn on the 8×8 grid gets a prediction, the
plain-vs-residual comparison draws its curves; in Chinese the page is Chinese. Screenshots at 1280×720
and 1440×900 go to ``artifacts/``."""

from __future__ import annotations

import re

from tests.e2e.conftest import ARTIFACTS, no_errors, settle

MAPS = ".cv-panel img"  # the live views: one HTML block, one image per layer


def epoch_shown(page, word: str = "Epoch") -> int:
    m = re.search(word + r" (\d+) ·", page.locator("body").inner_text())
    return int(m.group(1)) if m else -1


def image_sources(page) -> list[str]:
    return page.locator(MAPS).evaluate_all("els => els.map(e => e.src)")


def test_conv_page_trains_and_reads_a_drawing(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(f"{server}/convolution?lang=en", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Convolutional networks").first.wait_for(timeout=30_000)
        page.get_by_text("Epoch 0 ·").first.wait_for(timeout=30_000)
        page.locator(MAPS).first.wait_for(timeout=30_000)
        settle(page)
        no_errors(page)
        ARTIFACTS.mkdir(exist_ok=True)
        before = image_sources(page)
        page.get_by_role("button", name="Play").first.click()
        page.wait_for_function(
            "() => /Epoch [2-9]\\d* ·|Epoch 1\\d+ ·/.test(document.body.innerText)", timeout=120_000
        )
        page.locator("[data-testid='stVegaLiteChart']").first.wait_for(timeout=20_000)
        page.screenshot(path=str(ARTIFACTS / "conv_1280x720.png"))
        assert image_sources(page) != before  # feature maps, kernels and gradients were redrawn
        first = epoch_shown(page)
        later = "(n) => { const m = /Epoch (\\d+) ·/.exec(document.body.innerText); return m && +m[1] > n; }"
        page.wait_for_function(later, arg=first, timeout=60_000)
        page.get_by_role("button", name="Pause").first.click()
        page.get_by_role("button", name="Play").first.wait_for(timeout=30_000)
        settle(page)
        no_errors(page)
        assert "Parameters: 1,898 in this network" in page.locator("body").inner_text()

        page.set_viewport_size({"width": 1440, "height": 900})
        page.get_by_role("tab", name="Draw a digit").click()
        for r, c in ((1, 4), (2, 4), (3, 4), (4, 4), (5, 4), (6, 4), (7, 4)):  # a "1"
            page.get_by_label(f"row {r}, column {c}", exact=True).check(force=True)
            settle(page)
        page.get_by_text(re.compile(r"The net says \d")).first.wait_for(timeout=30_000)
        no_errors(page)
        page.wait_for_timeout(800)
        page.screenshot(path=str(ARTIFACTS / "conv_draw_1440x900.png"))

        page.get_by_role("tab", name="Plain vs residual").click()
        page.get_by_role("button", name="Train plain and residual nets").click()
        page.get_by_text(re.compile(r"epoch [1-8] of 8")).first.wait_for(timeout=120_000)
        page.locator("[data-testid='stVegaLiteChart']:visible").first.wait_for(timeout=30_000)
        no_errors(page)

        page.get_by_role("tab", name="Receptive field & im2col").click()
        page.get_by_text("the network computed").first.wait_for(timeout=30_000)
        page.wait_for_timeout(800)
        page.screenshot(path=str(ARTIFACTS / "conv_receptive_1440x900.png"))
    finally:
        page.close()


def test_conv_page_in_chinese(server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        page.goto(f"{server}/convolution?lang=zh", wait_until="domcontentloaded")
        page.get_by_role("heading", name="卷积神经网络").first.wait_for(timeout=30_000)
        page.get_by_role("button", name="播放").first.click()
        page.wait_for_function("() => /轮次 [1-9]\\d* ·/.test(document.body.innerText)", timeout=120_000)
        page.get_by_role("button", name="暂停").first.click()
        page.get_by_role("button", name="播放").first.wait_for(timeout=30_000)
        settle(page)
        no_errors(page)
        body = page.locator("body").inner_text()
        assert "特征图" in body
        assert "参数：此网络共 1,898 个" in body  # the default net, unchanged by Play and Pause
        page.wait_for_timeout(800)
        page.screenshot(path=str(ARTIFACTS / "conv_zh_1440x900.png"))
    finally:
        page.close()
