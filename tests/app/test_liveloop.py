"""playground.ui.liveloop: several live updates in one fragment run, on Streamlit's run internals.

The run context is a real ``ScriptRunContext``-like object with Streamlit's own ``SharedRunState`` and
``ScriptRequests`` (the internals the module reads): if Streamlit renames or reshapes them, these fail.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData, ScriptRequests
from streamlit.runtime.scriptrunner_utils.shared_run_state import SharedRunState

from playground.ui import liveloop


class Clock:
    """A fake monotonic clock: sleeping advances it; each update takes ``work`` seconds."""

    def __init__(self, work: float = 0.03) -> None:
        self.t = 100.0
        self.work = work
        self.slept = 0.0

    def __call__(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.t += s
        self.slept += s


@pytest.fixture
def ctx(monkeypatch):
    c = SimpleNamespace(
        fragment_ids_this_run=["frag"], shared=SharedRunState(), script_requests=ScriptRequests()
    )
    c.script_requests.on_scriptrunner_ready()  # a run in progress: no request waiting
    c.script_requests._state = liveloop.ScriptRequestType.CONTINUE
    monkeypatch.setattr(liveloop, "get_script_run_ctx", lambda suppress_warning=True: c)
    return c


def run(updates: liveloop.Updates, clock: Clock, each=None) -> int:
    n = 0
    for i in updates:
        assert i == n
        if each:
            each(i)
        clock.t += clock.work
        n += 1
    return n


def test_outside_a_fragment_run_one_update(monkeypatch):
    """The page's full run (and AppTest, which runs fragments inline) draws once."""
    c = SimpleNamespace(fragment_ids_this_run=None, shared=SharedRunState(), script_requests=None)
    monkeypatch.setattr(liveloop, "get_script_run_ctx", lambda suppress_warning=True: c)
    clock = Clock()
    assert run(liveloop.Updates(0.08, 0.5, lambda: True, clock=clock, sleep=clock.sleep), clock) == 1
    monkeypatch.setattr(liveloop, "get_script_run_ctx", lambda suppress_warning=True: None)
    assert run(liveloop.Updates(0.08, 0.5, lambda: True, clock=clock, sleep=clock.sleep), clock) == 1


def test_playing_repeats_every_interval_for_the_span(ctx):
    clock = Clock(work=0.03)
    starts = []
    n = run(
        liveloop.Updates(0.08, 0.5, lambda: True, clock=clock, sleep=clock.sleep),
        clock,
        lambda i: starts.append(clock.t),
    )
    # updates start 0.08 s apart, and the last one ends inside the span: 0, .08, … .40 (the next, at .48,
    # would end past .5)
    assert n == 6
    assert [round(b - a, 6) for a, b in zip(starts, starts[1:], strict=False)] == [0.08] * 5
    assert starts[-1] + 0.08 - starts[0] <= 0.5


def test_slow_updates_are_not_paced_further(ctx):
    """When an update takes longer than the interval, the next starts at once (no sleep)."""
    clock = Clock(work=0.12)
    n = run(liveloop.Updates(0.08, 0.5, lambda: True, clock=clock, sleep=clock.sleep), clock)
    assert n == 4 and clock.slept == 0.0  # starts at 0, .12, .24, .36; a fifth would end past .5


def test_paused_or_stopped_run_draws_once_more_at_most(ctx):
    clock = Clock()
    assert run(liveloop.Updates(0.08, 0.5, lambda: False, clock=clock, sleep=clock.sleep), clock) == 1
    state = {"playing": True}
    n = run(
        liveloop.Updates(0.08, 0.5, lambda: state["playing"], clock=clock, sleep=clock.sleep),
        clock,
        lambda i: state.update(playing=i < 2),  # the third update stops the run (a target reached)
    )
    assert n == 3


def test_each_repetition_may_write_the_same_keyed_elements(ctx):
    """Ids written in one update are forgotten before the next; those from before the loop are kept."""
    shared = ctx.shared
    shared.widget_ids_this_run.check_and_add("before")
    shared.widget_user_keys_this_run.check_and_add("before_key")
    clock = Clock()

    def write(i):
        # as Streamlit's duplicate check does (elements.lib.utils._register_element_id)
        assert shared.widget_user_keys_this_run.check_and_add("netview"), f"duplicate key in update {i}"
        assert shared.widget_ids_this_run.check_and_add("$$ID-netview"), f"duplicate id in update {i}"
        assert "before" in shared.widget_ids_this_run and "before_key" in shared.widget_user_keys_this_run

    assert run(liveloop.Updates(0.08, 0.5, lambda: True, clock=clock, sleep=clock.sleep), clock, write) == 6
    # the run ends with the ids of its last update (Streamlit keeps those widgets' state)
    assert shared.widget_ids_this_run.snapshot() == {"before", "$$ID-netview"}


def widget_states(trigger: bool) -> WidgetStates:
    ws = WidgetStates()
    w = ws.widgets.add()
    w.id = "$$ID-c_lr"
    w.double_value = 0.03
    if trigger:  # the browser sends a trigger once, with the request it caused
        t = ws.widgets.add()
        t.id = "$$ID-netview"
        t.json_trigger_value = '{"action": {"kind": "weight"}}'
    return ws


def test_event_waiting(ctx):
    req = ctx.script_requests
    assert not liveloop.event_waiting()
    # the fragments' timers ask for their next run: not an event, the updates go on
    req.request_rerun(
        RerunData(fragment_id_queue=["frag"], widget_states=widget_states(False), is_auto_rerun=True)
    )
    assert not liveloop.event_waiting()
    # the network view's action (a trigger) waits behind this run: stop repeating
    req.request_rerun(RerunData(fragment_id_queue=["frag"], widget_states=widget_states(True)))
    assert liveloop.event_waiting()
    # a later timer request coalesces with it and keeps the trigger
    req.request_rerun(
        RerunData(fragment_id_queue=["frag"], widget_states=widget_states(False), is_auto_rerun=True)
    )
    assert liveloop.event_waiting()


def test_a_full_run_waiting_ends_the_repetition(ctx):
    ctx.script_requests.request_rerun(RerunData(widget_states=widget_states(False)))
    assert liveloop.event_waiting()


def test_an_event_during_the_wait_ends_the_updates(ctx):
    clock = Clock(work=0.01)
    req = ctx.script_requests

    def each(i):
        if i == 2:
            req.request_rerun(RerunData(fragment_id_queue=["frag"], widget_states=widget_states(True)))

    assert run(liveloop.Updates(0.08, 0.5, lambda: True, clock=clock, sleep=clock.sleep), clock, each) == 3
    # it stopped within one sleep step of the event, not at the next update
    assert clock.slept <= 2 * 0.07 + liveloop.SLEEP_STEP
