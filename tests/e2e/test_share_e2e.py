"""Sharing in headless Chromium against a real ``streamlit run app.py``: two browser contexts are two
browsers (separate cookies). A link copied from the address bar of one opens the setup at epoch 0 in
the other, while a reload in the first restores its run; the Share control's link carries the setup
and no run id, and its copy button puts exactly that link on the clipboard."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.e2e.conftest import ARTIFACTS, no_errors, settle
from tests.e2e.test_playground_e2e import epoch, wait_until


def open_url(browser, url: str, size=(1280, 720)):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
    return context, page


def query(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


def test_address_bar_link_opens_the_setup_elsewhere_and_a_reload_restores_the_run(server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    mine, page = open_url(browser, f"{server}/?dataset=xor&layers=3")
    theirs = None
    try:
        for _ in range(3):
            page.get_by_role("button", name="Step").click()
            settle(page)
        assert wait_until(lambda: epoch(page) == 3), epoch(page)
        assert wait_until(lambda: "sid" in query(page.url)), page.url
        address = page.url  # what a learner copies from the address bar
        assert query(address)["dataset"] == "xor"

        # another browser: the same address opens the setup, at epoch 0
        theirs, other = open_url(browser, address)
        settle(other)
        assert epoch(other) == 0
        assert query(other.url)["layers"] == "3" and query(other.url)["sid"] != query(address)["sid"]
        other.get_by_role("button", name="Step").click()  # and its run does not touch the first one
        assert wait_until(lambda: epoch(other) == 1)
        no_errors(other)

        # the same browser: a reload restores its own run
        page.reload()
        page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
        settle(page)
        assert epoch(page) == 3
        no_errors(page)
    finally:
        mine.close()
        if theirs is not None:
            theirs.close()


def test_share_control_copies_a_link_with_the_setup_only(server, browser):
    mine, page = open_url(browser, f"{server}/?dataset=spiral&activation=relu")
    theirs = None
    try:
        mine.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
        page.get_by_role("button", name="Step").click()
        assert wait_until(lambda: epoch(page) == 1)
        settle(page)
        page.get_by_role("button", name="Share").click()
        code = page.locator('[data-testid="stPopoverBody"] [data-testid="stCode"]')
        code.wait_for(timeout=10_000)
        link = code.inner_text().strip()
        assert link.startswith(server + "/?"), link
        # the setup and the language it was shared in; no sid, nothing else
        assert query(link) == {"dataset": "spiral", "activation": "relu", "lang": "en"}
        page.screenshot(path=str(ARTIFACTS / "playground_share_1280.png"))
        code.hover()
        code.locator("button").first.click()  # the code block's copy button
        assert wait_until(lambda: page.evaluate("navigator.clipboard.readText()").strip() == link)

        theirs, other = open_url(browser, link)
        settle(other)
        assert epoch(other) == 0 and query(other.url)["dataset"] == "spiral"
        no_errors(other)
    finally:
        mine.close()
        if theirs is not None:
            theirs.close()
