"""Fixtures of the AppTest tests."""

from __future__ import annotations

import pytest

from playground.hosting import flood


@pytest.fixture(autouse=True)
def fresh_upload_counts():
    """Every AppTest runs as the same session ("test session id"), so the per-session upload limit
    (12 a minute, playground.hosting.flood) would count one test's uploads against the next: start
    each test with none."""
    flood.forget_upload_counts()
    yield
