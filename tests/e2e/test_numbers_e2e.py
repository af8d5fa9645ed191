"""Axis labels a learner can read (issue 12, §7), in headless Chromium against a real server: with
zero initial weights both splits' loss is exactly ln 2 at epoch 0, a flat curve for which Vega used
to draw ticks 1e-12 apart labelled "0.69314718158"."""

from __future__ import annotations

import re

from tests.e2e.conftest import ARTIFACTS, no_errors, settle
from tests.e2e.test_share_e2e import open_url

NUMBER = re.compile(r"^[−-]?[0-9][0-9.,]*%?$")


def test_flat_loss_curve_has_short_tick_labels(server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = open_url(browser, f"{server}/?init=zeros&bias_init=0", size=(1280, 900))
    try:
        page.wait_for_selector("svg.pg-curves text", timeout=60_000)
        settle(page)
        chart = page.locator("svg.pg-curves").first
        labels = [t.strip() for t in chart.locator("text").all_text_contents()]
        numbers = [t for t in labels if NUMBER.match(t)]
        assert "loss" in labels and len(numbers) >= 3, labels  # the epoch tick and several loss ticks
        assert all(len(t) <= 6 for t in numbers), numbers
        loss_ticks = sorted(float(t) for t in numbers if "." in t)
        assert len(set(loss_ticks)) == len(loss_ticks) >= 2, numbers  # distinct ticks, not one value
        assert loss_ticks[0] <= 0.6931 <= loss_ticks[-1], loss_ticks  # ln 2 lies within the axis
        chart.screenshot(path=str(ARTIFACTS / "playground_flat_loss_axis.png"))
        no_errors(page)
    finally:
        context.close()
