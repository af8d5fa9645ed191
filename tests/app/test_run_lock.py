"""The session's run lock around the Play/Pause/Step/Reset callbacks (issue 12 §5).

A click while playing starts a new script run whose callback runs while the previous live update
may still be training in its own thread; the callback must wait for that update (which holds the
lock) and then act, so that no two threads change one run at once and the next update sees it.
"""

from __future__ import annotations

import threading

import pytest

from playground.experiment import Experiment, PlaygroundConfig
from playground.ui import session


class State(dict):
    """A stand-in for st.session_state: items and attributes."""

    __getattr__ = dict.__getitem__
    __setattr__ = dict.__setitem__


@pytest.fixture
def state(monkeypatch):
    s = State(exp=Experiment(PlaygroundConfig()), playing=True, callout=None, weights_version=0)
    monkeypatch.setattr(session.st, "session_state", s)
    return s


def run_while_a_tick_holds_the_lock(state, callback) -> tuple[bool, bool]:
    """(whether ``callback`` finished while another thread held the run lock, whether it finished
    once the lock was released)."""
    lock = session.run_lock(state)
    holding, release = threading.Event(), threading.Event()

    def tick():
        with lock:
            holding.set()
            release.wait(30)

    t = threading.Thread(target=tick)
    t.start()
    assert holding.wait(30)
    done = threading.Event()
    c = threading.Thread(target=lambda: (callback(), done.set()))
    c.start()
    early = done.wait(0.3)  # must not finish while the tick holds the lock
    release.set()
    late = done.wait(30)
    t.join(30)
    c.join(30)
    return early, late


@pytest.mark.parametrize("name", ["on_pause", "on_step", "on_reset"])
def test_a_callback_waits_for_the_tick_in_flight(state, name):
    early, late = run_while_a_tick_holds_the_lock(state, getattr(session, name))
    assert not early, f"{name} ran while a tick held the run lock"
    assert late and state["playing"] is False


def test_pause_takes_effect_for_the_next_tick(state):
    """After Pause returns, a tick that takes the lock sees playing == False (it does not train)."""
    epoch = state["exp"].epoch
    early, late = run_while_a_tick_holds_the_lock(state, session.on_pause)
    assert late and not early
    with session.run_lock(state):
        if state["playing"]:
            state["exp"].tick()
    assert state["exp"].epoch == epoch


def test_the_lock_is_one_per_session_and_reentrant(state):
    lock = session.run_lock(state)
    assert session.run_lock(state) is lock
    with lock:
        session.on_play()  # takes the lock again from the same thread: no deadlock
    assert session.run_lock(State()) is not lock
