"""Controls that answer while playing (issue 12 §5), on the Playground page under AppTest.

A full page run draws ~40 widgets before the settings they describe are applied; these tests pin the
two things that do not wait for them: a setting changed on the fly is in the run first thing in the
page run (``session.apply_changes``), and the run buttons are drawn before any setting, so the browser
shows Play as soon as that part of a Pause's run arrives. ``benchmarks/controls_latency.py`` measures
the times in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.elements.widgets.button import ButtonMixin
from streamlit.testing.v1 import AppTest

from playground.ui import controls

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def playing() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.button(key="btn_play").click().run()
    assert not at.exception, at.exception
    assert at.session_state["playing"] is True and at.session_state["exp"].epoch > 0
    return at


@pytest.fixture
def drawn(monkeypatch) -> list:
    """What the page draws, in order: ("button", key) and ("settings", learning rate in the run then)."""
    events: list = []
    button = ButtonMixin.button
    toolbar = controls.toolbar_controls

    def spy_button(self, label, key=None, *args, **kwargs):
        events.append(("button", key))
        return button(self, label, key, *args, **kwargs)

    def spy_toolbar(*args, **kwargs):
        events.append(("settings", st.session_state["exp"].trainer.config.learning_rate))
        return toolbar(*args, **kwargs)

    monkeypatch.setattr(ButtonMixin, "button", spy_button)
    monkeypatch.setattr(controls, "toolbar_controls", spy_toolbar)
    return events


def test_a_learning_rate_changed_while_playing_is_in_the_run_before_any_setting_is_drawn(drawn):
    at = playing()
    weights = at.session_state["exp"].network.get_params()["h1.W"].copy()
    drawn.clear()
    at.select_slider(key="c_lr").set_value(0.1).run()
    assert not at.exception, at.exception
    settings = [value for kind, value in drawn if kind == "settings"]
    assert settings and settings[0] == 0.1  # the trainer had it when the top bar was drawn
    exp = at.session_state["exp"]
    assert exp.trainer.config.learning_rate == 0.1 and exp.config.training.learning_rate == 0.1
    assert at.session_state["playing"] is True and exp.epoch > 0
    assert not (exp.network.get_params()["h1.W"] == weights).all()  # trained on, not rebuilt
    assert at.query_params["lr"] in ("0.1", ["0.1"])
    assert any("Applied on the fly" in str(t.value) for t in at.toast)


def test_pause_draws_the_play_button_before_any_setting(drawn):
    at = playing()
    drawn.clear()
    at.button(key="btn_pause").click().run()
    assert not at.exception, at.exception
    order = [value if kind == "button" else "settings" for kind, value in drawn]
    assert "btn_play" in order and order.index("btn_play") < order.index("settings")
    assert at.session_state["playing"] is False and at.button(key="btn_play").label == "Play"


def test_a_change_that_rebuilds_the_network_pauses_and_shows_play():
    at = playing()
    at.selectbox(key="c_activation").set_value("relu").run()
    assert not at.exception, at.exception
    exp = at.session_state["exp"]
    assert exp.config.model.activation == "relu" and exp.epoch == 0
    assert at.session_state["playing"] is False
    assert at.button(key="btn_play").label == "Play"
    assert "rebuilt" in " ".join(str(e.value) for e in at.info)


def test_a_value_the_run_refuses_is_left_to_the_page_and_explained():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.radio(key="c_bn").set_value("after").run()
    at.button(key="btn_play").click().run()
    assert at.session_state["playing"] is True
    at.number_input(key="c_batch").set_value(1).run()  # batch norm cannot train on batches of one
    assert not at.exception, at.exception
    assert at.session_state["exp"].config.training.batch_size == 10  # the run kept its valid config
    assert "Batch norm" in " ".join(str(e.value) for e in at.sidebar.error)
