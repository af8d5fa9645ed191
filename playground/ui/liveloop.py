"""Several live updates in one fragment run.

A Streamlit fragment with ``run_every`` is one script run per update: the browser asks for the run,
the server starts it, sends the elements and says it has finished. The browser's front end redraws the
whole page for the run's start and end as well as for its elements, so on the Playground (forty-odd
settings widgets on the page) each update cost its main thread ~100 ms before anything was drawn,
and the page could not show more than ~9 updates a second on a 2-core machine (README, Performance).

So while playing, one fragment run draws several updates: :class:`Updates` repeats the body every
``interval`` seconds for ``span`` seconds (the page draws its slower views, histograms and gradient
health, once per run), writing each update over the previous one in one ``st.empty``. The
browser then draws one update for ~1/3 of the cost. What stops the repetition early:

- a change anywhere outside the fragment (a setting, Pause): Streamlit stops the run at the next
  element written and starts the page's run, as it does for any run in progress;
- an event of an element inside the fragment (the network view's click or edit): Streamlit would queue
  it behind the run (a fragment's own rerun does not interrupt a run), so :func:`event_waiting` looks for
  it between updates and the repetition ends, and the queued run handles it at once;
- the run stops playing (a target reached, a diverged run: the body reruns the page).

Between updates, the element ids this run has seen are forgotten (:meth:`Updates._again`), so the same
keyed elements (the network view, the SVG views) can be written again: each repetition is the same
elements at the same places, as in a new fragment run.

This uses three of Streamlit's run internals (the run context's ``fragment_ids_this_run``, its shared
per-run id sets and its pending script request), tested on Streamlit 1.67
(``tests/app/test_liveloop.py`` fails if they change).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType, _has_active_trigger_value
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

SLEEP_STEP = 0.02
# While waiting for the next update, look for an event of the fragment's elements this often (s).


def in_fragment_run() -> bool:
    """True in a run of fragments only (a fragment's timer or event), False in the page's full run
    (and under AppTest, which runs fragments inside the full run)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def event_waiting() -> bool:
    """True when a run is waiting that carries an event of a widget (a trigger, such as the network
    view's action): it should not wait behind the repeated updates. A fragment timer's request carries
    none."""
    ctx = get_script_run_ctx(suppress_warning=True)
    requests = ctx.script_requests if ctx is not None else None
    if requests is None:
        return False
    with requests._lock:
        if requests._state != ScriptRequestType.RERUN:
            return False
        data = requests._rerun_data
        if not data.fragment_id_queue:  # the page's full run: Streamlit stops this run by itself
            return True
        states = data.widget_states
        return bool(states) and any(_has_active_trigger_value(w) for w in states.widgets)


class Updates:
    """Iterate once (the page's run, or paused), or, in a fragment run while ``playing()`` holds, once
    per ``interval`` seconds for about ``span`` seconds; stops early when an event waits."""

    def __init__(
        self,
        interval: float,
        span: float,
        playing: Callable[[], bool],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = interval
        self.span = span if in_fragment_run() else 0.0
        self.playing = playing
        self.clock = clock
        self.sleep = sleep

    def __iter__(self) -> Iterator[int]:
        ctx = get_script_run_ctx(suppress_warning=True)
        if ctx is not None:
            shared = ctx.shared
            base = (shared.widget_ids_this_run.snapshot(), shared.widget_user_keys_this_run.snapshot())
        end = self.clock() + self.span
        n = 0
        while True:
            started = self.clock()
            if n and ctx is not None:
                self._again(ctx, base)
            yield n
            n += 1
            next_at = started + self.interval
            # the last update of the run: the next would end past the span (the fragment's timer then
            # starts the next run)
            if self.span <= 0 or not self.playing() or next_at + self.interval > end:
                return
            while not event_waiting():
                if (wait := next_at - self.clock()) <= 0:
                    break
                self.sleep(min(wait, SLEEP_STEP))
            else:
                return

    @staticmethod
    def _again(ctx, base) -> None:
        """Forget the element ids written since the run began (those of the previous update)."""
        ids, keys = ctx.shared.widget_ids_this_run, ctx.shared.widget_user_keys_this_run
        ids.clear()
        keys.clear()
        for i in base[0]:
            ids.check_and_add(i)
        for k in base[1]:
            keys.check_and_add(k)
