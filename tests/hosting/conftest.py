"""Fixtures of the hosting tests."""

from __future__ import annotations

import os

import pytest

from playground import limits
from playground.hosting import streamlit_glue as glue


@pytest.fixture
def fresh_replica(monkeypatch):
    """A clean per-process hosting state (settings from a clean environment, an empty memory store);
    the caps are the defaults again afterwards."""
    for key in list(os.environ):
        if key.startswith("PLAYGROUND_"):
            monkeypatch.delenv(key)
    monkeypatch.setattr(glue, "_replica", None)
    glue.configure()
    yield glue.replica()
    monkeypatch.setattr(glue, "_replica", None)
    limits.install(limits.DEFAULT)
