"""Soak: Play the setups that froze the page with Streamlit's "Connection error" dialog.

The dialog ("Failed to process a Websocket message. Error: Cached ForwardMsg MISS …") came within
seconds of Play whenever a live view's bytes repeated from one tick to a later one (a dead or
saturated net draws the same picture again). Streamlit then sends a reference to a message the
browser has already evicted from its cache: the server trusts the list of cached hashes that the
browser sent with its rerun request, and the browser evicts entries when an earlier run's
"finished" message arrives after that request went out (``run_every`` does not wait for the
previous run). ``.streamlit/config.toml`` switches that cache off (``global.minCachedMessageSize``),
so no reference is ever sent. Each setup plays ``SOAK_S`` seconds (``PLAYGROUND_SOAK_S``, default
20); ``benchmarks/soak.py`` runs the same soak longer and behind the workshop proxy.
"""

from __future__ import annotations

import os
import time

import pytest

from tests.e2e.conftest import no_errors

SOAK_S = float(os.environ.get("PLAYGROUND_SOAK_S", "20"))

# (name, query): every setup the issue saw fail, and two more of the same families.
SETUPS = [
    ("relu N(0, 0.01) 5x64", "layers=64,64,64,64,64&activation=relu&init=normal&bias_init=0"),
    ("relu N(0, 0.01) 8x8", "layers=8,8,8,8,8,8,8,8&activation=relu&init=normal&bias_init=0"),
    ("momentum lr 10", "optimizer=momentum&lr=10"),
    ("zeros init", "init=zeros&bias_init=0"),
    ("rmsprop lr 10", "optimizer=rmsprop&lr=10"),
    ("nesterov lr 10", "optimizer=nesterov&lr=10"),
    ("adamw lr 3", "optimizer=adamw&lr=3"),
    ("softplus lr 3", "activation=softplus&lr=3"),
    ("softplus nesterov lr 3", "activation=softplus&optimizer=nesterov&lr=3"),
]

ERROR_WORDS = ("Cached ForwardMsg", "Websocket message", "Connection error")


def error_dialog(page) -> str | None:
    """The text of Streamlit's own error dialog, if one is open."""
    dialogs = page.locator('[role="dialog"]')
    for i in range(dialogs.count()):
        text = dialogs.nth(i).inner_text()
        if any(w in text for w in ERROR_WORDS):
            return text
    return None


def epoch(page) -> int:
    return int(page.locator('[data-testid="stMetricValue"]').first.inner_text().replace(",", "") or 0)


def soak(page, url: str, seconds: float) -> dict:
    """Open ``url``, press Play, watch for ``seconds``; return what happened (no asserts here, so
    ``benchmarks/soak.py`` uses the same function)."""
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "ForwardMsg" in m.text else None)
    page.goto(url)
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=30_000)
    t0 = time.monotonic()
    e_start, dialog = epoch(page), None
    while time.monotonic() - t0 < seconds:
        dialog = error_dialog(page)
        if dialog:
            break
        page.wait_for_timeout(250)
    played = time.monotonic() - t0
    e_end = epoch(page)
    # still advancing at the end: the counter moves again (a state, not a rate)
    advancing = False
    if not dialog:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not advancing:
            advancing = epoch(page) > e_end
            dialog = error_dialog(page)
            if dialog:
                break
            page.wait_for_timeout(200)
    return {
        "played_s": played,
        "epochs": e_end - e_start,
        "advancing": advancing,
        "dialog": dialog,
        "console": console,
    }


@pytest.mark.parametrize("name,query", SETUPS, ids=[s[0] for s in SETUPS])
def test_play_soak_has_no_connection_error(server, browser, name, query):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        r = soak(page, f"{server}/?{query}", SOAK_S)
        assert r["dialog"] is None, f"{name}: error dialog after {r['played_s']:.1f} s: {r['dialog']}"
        assert not r["console"], f"{name}: {r['console'][:2]}"
        assert r["epochs"] > 0 and r["advancing"], f"{name}: the epoch counter stopped ({r})"
        assert page.get_by_role("button", name="Pause", exact=True).count() == 1, f"{name}: no longer playing"
        no_errors(page)
    finally:
        context.close()
