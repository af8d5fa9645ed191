"""The word-embedding page in headless Chromium against a real ``streamlit run``: Play trains (the epoch
counter, the analogy share and the map change), Pause stops, a neighbour query answers; screenshots at
1280×720 and 1440×900 (English) and in Chinese go to ``artifacts/``."""

from __future__ import annotations

import re

from tests.e2e.conftest import ARTIFACTS, no_errors, screenshot, settle


def _status(page) -> tuple[float, int]:
    text = (
        page.locator("[data-testid='stMarkdownContainer']")
        .filter(has_text="analogies correct")
        .first.inner_text()
    )
    m = re.search(r"Epoch ([0-9.]+).*analogies correct: ([0-9]+)\s?%", text)
    assert m, text
    return float(m.group(1)), int(m.group(2))


def _map_png(page) -> bytes:
    return page.locator("[data-testid='stVegaLiteChart']").first.screenshot()


def _shot(page, name: str, width: int, height: int) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / name))


def test_play_trains_the_map_and_a_neighbour_query_answers(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(f"{server}/word_embeddings?lang=en", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Word embeddings").first.wait_for(timeout=60_000)
        page.get_by_text(re.compile(r"Epoch 0\.0")).first.wait_for(timeout=60_000)
        settle(page)
        no_errors(page)
        _shot(page, "wordvec_1280x720_start.png", 1280, 720)
        map_before = _map_png(page)
        epoch0, share0 = _status(page)
        assert epoch0 == 0.0 and share0 < 10  # random vectors: about 1 % by chance
        page.get_by_role("button", name="Play").click()
        page.get_by_role("button", name="Pause").wait_for(timeout=30_000)
        # training for a while: wait for the state (several epochs and analogies found), not for a time
        page.get_by_text(re.compile(r"Epoch ([4-9]|[1-9][0-9])\.")).first.wait_for(timeout=240_000)
        page.get_by_role("button", name="Pause").click()
        page.get_by_role("button", name="Play").wait_for(timeout=90_000)
        settle(page)
        epoch, share = _status(page)
        assert epoch >= 4 and share > share0, (epoch, share)
        assert _map_png(page) != map_before
        settle(page)
        paused = _status(page)
        page.wait_for_timeout(1500)
        assert _status(page) == paused  # paused: nothing trains
        box = page.get_by_label("A word or an expression", exact=True)
        box.fill("paris - france + italy")
        box.press("Enter")
        settle(page)
        table = page.locator("[data-testid='stTable']").first
        table.wait_for(timeout=30_000)
        assert "rome" in table.inner_text()
        no_errors(page)
        _shot(page, "wordvec_1280x720.png", 1280, 720)
        _shot(page, "wordvec_1440x900.png", 1440, 900)
        screenshot(page, "wordvec_full.png")
    finally:
        page.close()


def test_chinese_page_trains_and_shows_the_tree(server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        page.goto(f"{server}/word_embeddings?lang=zh", wait_until="domcontentloaded")
        page.get_by_role("heading", name="词嵌入").first.wait_for(timeout=60_000)
        settle(page)
        page.get_by_role("button", name="单步").click()
        page.get_by_text(re.compile(r"第 1\.0 轮")).first.wait_for(timeout=120_000)
        settle(page)
        page.get_by_role("tab", name="Huffman 树").click()
        page.get_by_text(re.compile(r"“国王”的编码是")).first.wait_for(timeout=30_000)
        no_errors(page)
        _shot(page, "wordvec_zh_1440x900.png", 1440, 900)
        screenshot(page, "wordvec_zh_full.png")
    finally:
        page.close()


def test_an_uploaded_text_trains_and_a_bad_file_gets_a_message(server, browser, tmp_path):
    good = tmp_path / "mine.txt"
    good.write_text(("the cat sat on the mat. the dog sat on the log.\n" * 40), encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\xfa not utf-8 " * 50)
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        page.goto(f"{server}/word_embeddings?lang=en", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Word embeddings").first.wait_for(timeout=60_000)
        settle(page)
        page.get_by_text("More settings: dimension").first.click()
        upload = page.locator("[data-testid='stFileUploader'] input[type='file']").first
        upload.set_input_files(str(bad))
        page.get_by_text(re.compile("not UTF-8 text")).first.wait_for(timeout=60_000)
        upload.set_input_files(str(good))
        page.get_by_text(re.compile(r"Epoch 0\.0 · 7 words")).first.wait_for(timeout=60_000)
        settle(page)
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0
        page.get_by_role("button", name="Step").click()
        page.get_by_text(re.compile(r"Epoch 1\.0 · 7 words")).first.wait_for(timeout=60_000)
        no_errors(page)
    finally:
        page.close()
