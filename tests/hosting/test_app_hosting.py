"""The hosting hooks on the real Playground page (AppTest): the run saved under the URL's ``sid`` is
restored (weights, epoch, playing) and gets a fresh id; the room-full page when the replica is full;
checkpoints are written while the page is used."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.experiment import Experiment, PlaygroundConfig
from playground.hosting import checkpoint as ck
from playground.hosting import streamlit_glue as glue
from playground.hosting.pacing import Admission
from playground.hosting.store import MemoryStore

APP = str(Path(__file__).resolve().parents[2] / "app.py")
SID = "restoreMe_0123456789"


@pytest.fixture
def fresh_replica(monkeypatch):
    """A clean per-process hosting state (settings from a clean environment, an empty memory store)."""
    for key in list(__import__("os").environ):
        if key.startswith("PLAYGROUND_"):
            monkeypatch.delenv(key)
    monkeypatch.setattr(glue, "_replica", None)
    glue.configure()
    yield glue.replica()
    monkeypatch.setattr(glue, "_replica", None)


def run(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def test_restores_the_run_saved_under_the_urls_sid(fresh_replica):
    cfg = PlaygroundConfig.from_dict({"data": {"dataset": "xor"}, "model": {"hidden": [5]}})
    e = Experiment(cfg)
    e.step(7)
    fresh_replica.store.put(SID, ck.encode(e, {"playing": False}))
    at = run({"sid": SID, "dataset": "xor", "layers": "5"})
    got = at.session_state["exp"]
    assert got.epoch == 7 and got.history == e.history
    assert (got.network.params.values == e.network.params.values).all()
    assert at.metric[0].value == "7"
    assert not at.session_state["url_notices"]  # "sid" is not an unknown parameter
    new_sid = at.query_params["sid"]
    assert new_sid and new_sid != SID  # copy on restore: two tabs of one link never overwrite each other


def test_checkpoints_are_written_and_a_missing_sid_starts_fresh(fresh_replica):
    at = run({"sid": "nothingStoredHere_123"})
    assert at.session_state["exp"].epoch == 0
    at.button(key="btn_step").click().run()
    sid = at.query_params["sid"]
    saved = fresh_replica.store.get(sid)
    assert saved is not None and ck.peek(saved)["trainer"]["epoch"] == 1


def test_room_full_page(fresh_replica, monkeypatch):
    fresh_replica.settings.enabled = True
    monkeypatch.setattr(fresh_replica, "admission", Admission(1))
    fresh_replica.admission.admit("someone-else")
    at = run()
    body = " ".join(str(x.value) for x in at.info)
    assert "room is full" in body.lower() and "retrying in" in body
    assert "exp" not in at.session_state  # nothing built for a waiting learner


def test_memory_store_is_the_single_process_default(fresh_replica):
    assert isinstance(fresh_replica.store, MemoryStore) and not fresh_replica.settings.enabled
