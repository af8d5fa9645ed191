"""The hosting hooks on the real Playground page (AppTest): the run a browser saved under the URL's
``sid`` is restored in that browser (weights, epoch, playing) and gets a fresh id, while another
browser opening the same address gets the setup at epoch 0; the Share link carries the setup only;
the room-full page when the replica is full; checkpoints are written while the page is used.

AppTest sends no cookies, so the browser's secret (the token in its XSRF cookie) is set here by
replacing ``glue._browser_secret``."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground import i18n
from playground.experiment import Experiment, PlaygroundConfig
from playground.hosting import checkpoint as ck
from playground.hosting import streamlit_glue as glue
from playground.hosting.pacing import Admission
from playground.hosting.store import MemoryStore, run_key
from playground.ui.lang import widget_key

APP = str(Path(__file__).resolve().parents[2] / "app.py")
SID = "restoreMe_0123456789"
MINE, THEIRS = "aa" * 16, "bb" * 16  # two browsers' XSRF tokens


def as_browser(monkeypatch, token: str | None) -> None:
    monkeypatch.setattr(glue, "_browser_secret", lambda: token)


def run(query: dict[str, str] | None = None, url: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if url:
        at.context["url"] = url
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def saved_run(fresh_replica, browser: str) -> Experiment:
    cfg = PlaygroundConfig.from_dict({"data": {"dataset": "xor"}, "model": {"hidden": [5]}})
    e = Experiment(cfg)
    e.step(7)
    fresh_replica.store.put(run_key(browser, SID), ck.encode(e, {"playing": False}))
    return e


def test_restores_the_run_this_browser_saved_under_the_urls_sid(fresh_replica, monkeypatch):
    e = saved_run(fresh_replica, MINE)
    as_browser(monkeypatch, MINE)
    at = run({"sid": SID, "dataset": "xor", "layers": "5"})
    got = at.session_state["exp"]
    assert got.epoch == 7 and got.history == e.history
    assert (got.network.params.values == e.network.params.values).all()
    assert at.metric[0].value == "7"
    assert not at.session_state["url_notices"]  # "sid" is not an unknown parameter
    new_sid = at.query_params["sid"]
    assert new_sid and new_sid != SID  # copy on restore: two tabs of one link never overwrite each other


def test_the_same_address_in_another_browser_opens_the_setup_at_epoch_0(fresh_replica, monkeypatch):
    saved_run(fresh_replica, MINE)
    as_browser(monkeypatch, THEIRS)
    at = run({"sid": SID, "dataset": "xor", "layers": "5"})
    got = at.session_state["exp"]
    assert got.epoch == 0 and [r["epoch"] for r in got.history] == [0]
    assert got.config.data.dataset == "xor" and got.network.config.hidden == [5]  # the setup, not the run
    assert at.metric[0].value == "0" and not at.session_state["url_notices"]
    assert at.query_params["sid"] != SID  # and its own run id from here on
    at.button(key="btn_step").click().run()
    assert ck.peek(fresh_replica.store.get(run_key(MINE, SID)))["trainer"]["epoch"] == 7  # not overwritten


def test_without_a_browser_secret_nothing_is_saved_or_restored(fresh_replica, monkeypatch):
    saved_run(fresh_replica, MINE)
    as_browser(monkeypatch, None)
    before = len(fresh_replica.store)
    at = run({"sid": SID, "dataset": "xor", "layers": "5"})
    assert at.session_state["exp"].epoch == 0
    at.button(key="btn_step").click().run()
    assert len(fresh_replica.store) == before


def test_checkpoints_are_written_and_a_missing_sid_starts_fresh(fresh_replica, monkeypatch):
    as_browser(monkeypatch, MINE)
    at = run({"sid": "nothingStoredHere_123"})
    assert at.session_state["exp"].epoch == 0
    at.button(key="btn_step").click().run()
    sid = at.query_params["sid"]
    assert fresh_replica.store.get(sid) is None  # never under the bare id of the URL
    saved = fresh_replica.store.get(run_key(MINE, sid))
    assert saved is not None and ck.peek(saved)["trainer"]["epoch"] == 1


def test_share_link_has_the_setup_and_no_run_id(fresh_replica, monkeypatch):
    as_browser(monkeypatch, MINE)
    at = run({"dataset": "xor", "layers": "5", "lr": "0.1"}, url="http://room.example:8080/")
    at.button(key="btn_step").click().run()
    assert at.query_params["sid"]  # the address bar has the run id ...
    links = [c.value for c in at.code if "room.example" in str(c.value)]
    assert len(links) == 1, [c.value for c in at.code]
    link = links[0]
    assert link.startswith("http://room.example:8080/?") and "sid" not in link  # ... the Share link not
    # the setup and the language it was shared in (a workshop leader's link opens in the room's language)
    assert set(link.split("?", 1)[1].split("&")) == {"dataset=xor", "layers=5", "lr=0.1", "lang=en"}
    assert "Share" in [p.proto.popover.label for p in at.get("popover")]


def test_room_full_page(fresh_replica, monkeypatch):
    fresh_replica.settings.enabled = True
    monkeypatch.setattr(fresh_replica, "admission", Admission(1))
    fresh_replica.admission.admit("someone-else")
    at = run()
    body = " ".join(str(x.value) for x in at.info)
    assert "room is full" in body.lower() and "retrying in" in body
    assert "exp" not in at.session_state  # nothing built for a waiting learner


@pytest.mark.parametrize("page", ["hyperparameter_search", "optimizers", "convolution"])
def test_every_page_is_admitted_alike(fresh_replica, monkeypatch, page):
    """Issue 13 §8: the lesson pages had no admission control; app.py gates every page, so a full
    room shows the room-full page whichever page a link opens, and nothing of the lesson runs."""
    fresh_replica.settings.enabled = True
    monkeypatch.setattr(fresh_replica, "admission", Admission(1))
    fresh_replica.admission.admit("someone-else")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    body = " ".join(str(x.value) for x in at.info)
    assert "room is full" in body.lower(), body
    assert not at.title or all("room is full" in str(t.value).lower() for t in at.title)


def test_memory_store_is_the_single_process_default(fresh_replica):
    assert isinstance(fresh_replica.store, MemoryStore) and not fresh_replica.settings.enabled


def test_a_damaged_saved_run_starts_fresh_with_a_notice_and_is_deleted(fresh_replica, monkeypatch):
    good = ck.encode(Experiment(PlaygroundConfig()), {"playing": True})
    fresh_replica.store.put(run_key(MINE, SID), good[: len(good) // 2])  # cut in half
    as_browser(monkeypatch, MINE)
    at = run({"sid": SID})
    assert at.session_state["exp"].epoch == 0
    assert any("could not be restored" in n for n in at.session_state["url_notices"])
    assert fresh_replica.store.get(run_key(MINE, SID)) is None  # the bad entry is gone
    again = run({"sid": SID})  # a reload of the same address: a fresh run, no error
    assert again.session_state["exp"].epoch == 0


def test_a_run_too_large_to_save_tells_the_learner(fresh_replica, monkeypatch):
    """Issue 13 §4: a checkpoint above the cap used to be skipped with an info line in the log only;
    the learner now reads that a reload would start afresh (in their language), and once the run
    fits again (a smaller network) the notice goes and the run is saved."""
    as_browser(monkeypatch, MINE)
    at = run({"layers": "64,64,64"})
    monkeypatch.setattr(fresh_replica.settings, "checkpoint_max_kb", 16)  # the smallest cap allowed
    at.button(key="btn_step").click().run()
    size = len(ck.encode(at.session_state["exp"], {"playing": False}))
    assert size > 16 * 1024
    sid = at.query_params["sid"]
    assert fresh_replica.store.get(run_key(MINE, sid)) is None
    captions = [str(c.value) for c in at.caption if "too large to be saved" in str(c.value)]
    assert len(captions) == 1, [c.value for c in at.caption]
    kb = -(-size // 1024)
    assert f"({kb} KB, above the 16 KB limit)" in captions[0], captions[0]

    at.radio(key=widget_key("en")).set_value("zh").run()
    assert any("太大" in str(c.value) for c in at.caption), [c.value for c in at.caption]

    monkeypatch.setattr(fresh_replica.settings, "checkpoint_max_kb", 64 * 1024)
    with i18n.using("zh"):
        at.button(key="btn_step").click().run()
    assert not any("太大" in str(c.value) for c in at.caption)
    assert fresh_replica.store.get(run_key(MINE, at.query_params["sid"])) is not None
