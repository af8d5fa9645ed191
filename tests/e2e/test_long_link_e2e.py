"""Issue 13 §8: a link with more than 1 000 parameters is ignored by Streamlit as a whole (it logs a
warning no learner sees); the Playground says so instead of silently showing the defaults.

The check sits in the hook on the runtime's message handler (playground/hosting/flood.py), which the
app installs on its first run in a process: the very first page of a freshly started server is not
checked, so this test opens a normal page first (and checks it gets no such notice)."""

from __future__ import annotations

from tests.e2e.conftest import no_errors


def test_a_link_with_too_many_parameters_is_explained(server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        page.goto(f"{server}/?lr=0.3", wait_until="domcontentloaded")
        page.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=60_000)
        assert page.get_by_text("more than 1,000 parameters", exact=False).count() == 0
    finally:
        page.close()
    query = "&".join(f"x{i}=1" for i in range(1200))
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        page.goto(f"{server}/?lr=0.3&{query}", wait_until="domcontentloaded")
        page.get_by_text("more than 1,000 parameters", exact=False).first.wait_for(timeout=60_000)
        no_errors(page)
    finally:
        page.close()
