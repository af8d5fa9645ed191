"""The fastText page in headless Chromium against a real ``streamlit run``: it opens training and the
epoch counter advances; it plays to the end; a typed sentence is tokenized and explained; under
hierarchical softmax the tree's path callout appears; the text CNN trains beside it; in Chinese the
page is Chinese. Screenshots at 1280×720 and 1440×900 (and the full page) go to ``artifacts/``."""

from __future__ import annotations

import re

from tests.e2e.conftest import ARTIFACTS, no_errors, screenshot, settle


def epoch_shown(page) -> int:
    text = page.locator('[data-testid="stProgress"]').first.inner_text()
    m = re.search(r"epoch (\d+) of", text)
    return int(m.group(1)) if m else -1


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label`` (reopened if a rerun closed the list)."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    for _attempt in range(5):
        settle(page)
        box.locator("input").click()
        item = page.get_by_role("option").filter(has_text=option).first
        try:
            item.wait_for(timeout=5_000)
        except Exception:  # noqa: BLE001 - the list closed under a rerun: open it again
            continue
        item.click()
        settle(page)
        return
    raise AssertionError(f"could not choose {option!r} in {label!r}")


def test_fasttext_page_in_the_browser(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(f"{server}/fasttext?lang=en", wait_until="domcontentloaded")
        page.get_by_role("heading", name="fastText text classification").first.wait_for(timeout=30_000)
        page.get_by_text("epoch ").first.wait_for(timeout=30_000)
        page.wait_for_function(
            "() => /epoch ([1-9]|10) of 10/.test(document.body.innerText)", timeout=60_000
        )  # it trains while playing
        first = epoch_shown(page)
        page.get_by_text("epoch 10 of 10").first.wait_for(timeout=120_000)
        assert epoch_shown(page) > first or first == 10
        page.get_by_role("button", name="Play").first.wait_for(timeout=30_000)  # stopped at the end
        settle(page)
        page.locator("[data-testid='stVegaLiteChart']").first.wait_for(timeout=20_000)
        no_errors(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "fasttext_1280x720.png"))

        box = page.get_by_label("Sentence", exact=True)
        box.fill("the room was not dirty")
        box.press("Enter")
        settle(page)
        page.get_by_text("the · room · was · not · dirty").first.wait_for(timeout=30_000)  # the tokens

        choose(page, "Loss", "hierarchical softmax")
        page.get_by_text("product of the σ on its path").first.wait_for(timeout=120_000)
        no_errors(page)
        page.set_viewport_size({"width": 1440, "height": 900})
        page.get_by_role(
            "heading", name="The label tree (hierarchical softmax)"
        ).first.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        page.screenshot(path=str(ARTIFACTS / "fasttext_tree_1440x900.png"))

        page.get_by_role("button", name="Train the text CNN").click()
        page.get_by_text("Which n-gram each filter fired on").first.wait_for(timeout=120_000)
        page.get_by_text("epoch 10 of 10").last.wait_for(timeout=120_000)
        settle(page)
        no_errors(page)
        screenshot(page, "fasttext_full.png")
    finally:
        page.close()


def test_fasttext_page_in_chinese(server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        page.goto(f"{server}/fasttext?lang=zh", wait_until="domcontentloaded")
        page.get_by_role("heading", name="fastText 文本分类").first.wait_for(timeout=30_000)
        page.get_by_text("第 10 轮，共 10 轮").first.wait_for(timeout=120_000)
        page.get_by_role("button", name="播放").first.wait_for(timeout=30_000)
        settle(page)
        no_errors(page)
        assert "汤" in page.locator("body").inner_text()  # the Chinese example sentence, split
        page.screenshot(path=str(ARTIFACTS / "fasttext_zh_1440x900.png"))
    finally:
        page.close()


def test_upload_in_the_browser(server, browser, tmp_path):
    """A malformed __label__ file gets a line-numbered message; a good one trains."""
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        page.goto(f"{server}/fasttext?lang=en", wait_until="domcontentloaded")
        page.get_by_role("heading", name="fastText text classification").first.wait_for(timeout=30_000)
        choose(page, "Data", "Your __label__ file")
        page.get_by_text("Choose a __label__ file to upload").first.wait_for(timeout=30_000)
        bad = tmp_path / "bad.txt"
        bad.write_text("__label__yes good day\nno label on this line\n", encoding="utf-8")
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
        page.get_by_text("Line 2 does not start with a label").first.wait_for(timeout=30_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        good = tmp_path / "good.txt"
        lines = [
            f"__label__{'yes' if i % 2 else 'no'} {'good' if i % 2 else 'bad'} day {i}" for i in range(40)
        ]
        good.write_text("\n".join(lines) + "\n", encoding="utf-8")
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(good))
        page.get_by_text("epoch 10 of 10").first.wait_for(timeout=120_000)
        settle(page)
        no_errors(page)
    finally:
        page.close()
