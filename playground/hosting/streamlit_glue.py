"""The hosting hooks the Playground page calls (the only module here that imports Streamlit).

    configure()                      app.py, before the pages load: settings, caps
    gate()                           top of the page: rerun pacing, admission (room-full page + st.stop)
    split_params(params)             the URL's query params without ``sid`` (for urlconfig)
    restore(params, build)           on a session's first run: the run this browser saved under the
                                     URL's ``sid`` (nothing for a link opened in another browser)
    url_params()                     what the page adds to its URL (``sid``)
    live_interval(user_interval)     the fragment's run_every: the learner's, or slower under load
    live_turn(interval)              around a live fragment's work: spacing, a fair turn on the replica
    after_update(exp, playing)       last thing in the live fragment: load accounting, checkpoint
    checkpoint(exp, playing)         after a full run (pause, step, edits): checkpoint if changed

Every hook is cheap when hosting is off (single-user ``streamlit run app.py``): the in-memory store
still checkpoints, so a page reload restores the run, but nobody is held back or slowed down.

Whose run: a checkpoint is stored under ``run_key(browser, sid)``, where ``sid`` is the run's id in
the URL and ``browser`` the token inside Streamlit's XSRF cookie, which only this browser holds (the
cookie is set before the websocket opens, sent to every replica, and never part of a link). So a
reload, a second tab opened from the address bar and a replica failover find the run, while the
same address opened in another browser opens the setup at epoch 0. Without the cookie (XSRF
protection switched off, or AppTest) nothing is checkpointed: a run is never findable by its URL
alone.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import streamlit as st

from playground import limits
from playground.hosting import checkpoint as ckpt
from playground.hosting import flood
from playground.hosting.pacing import Admission, LoadMonitor, Pacer, Turns
from playground.hosting.settings import WorkshopSettings, apply_caps, load_settings
from playground.hosting.store import CheckpointStore, open_store, run_key, valid_sid, xsrf_token
from playground.i18n import _, activate, fmt_number, language

log = logging.getLogger("playground.hosting")

SID = "sid"
XSRF_COOKIE = "_streamlit_xsrf"
_K = "_pg_host"  # session_state key of this session's hosting state
MAX_WAIT_S = 2.0


@dataclass
class _Replica:
    settings: WorkshopSettings
    store: CheckpointStore
    monitor: LoadMonitor
    admission: Admission
    turns: Turns


_lock = threading.Lock()
_replica: _Replica | None = None
_logged_at = 0.0
_warned_no_cookie = False


def configure(env=None) -> WorkshopSettings:
    """Load the workshop settings once per process, lower the caps, open the store."""
    global _replica
    with _lock:
        if _replica is None:
            s = load_settings(env)
            apply_caps(s)
            try:
                store = open_store(
                    s.store, s.checkpoint_ttl_s, s.checkpoint_max_count, s.checkpoint_max_bytes
                )
            except RuntimeError as exc:  # redis client missing: keep serving, without failover
                log.error("%s; using the in-memory store", exc)
                store = open_store(
                    "memory", s.checkpoint_ttl_s, s.checkpoint_max_count, s.checkpoint_max_bytes
                )
            flood.install()  # rerun floods are refused before Streamlit starts a run (every mode)
            flood.install_upload_limits()  # and upload floods before they fill the replica's memory
            _replica = _Replica(
                s,
                store,
                LoadMonitor(s.interval, s.max_interval, s.target_cpu),
                Admission(s.max_sessions, idle_s=s.idle_seat_s),
                Turns(1),
            )
            if s.enabled:
                if not log.handlers:
                    handler = logging.StreamHandler()
                    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s"))
                    log.addHandler(handler)
                    log.setLevel(logging.INFO)
                log.info("workshop mode: %s", s.to_dict())
        return _replica.settings


def replica() -> _Replica:
    if _replica is None:
        configure()
    assert _replica is not None
    return _replica


class _SessionHosting:
    """Per-session hosting state (in st.session_state)."""

    def __init__(self, settings: WorkshopSettings):
        self.sid: str | None = None
        self.notices: list[str] = []
        self.browser: str | None = _browser_secret()
        self.pacer = Pacer(settings.reruns_per_s, settings.rerun_burst)
        self.saved_at = 0.0
        self.saved_mark: tuple | None = None
        self.browser_interval: float | None = None
        self.interval_changed_at = 0.0
        self.admitted = False
        self.too_large: tuple[int, int] | None = None  # (size, cap) of the last checkpoint not saved


def _state() -> _SessionHosting:
    s = st.session_state
    if _K not in s:
        s[_K] = _SessionHosting(replica().settings)
    return s[_K]


def _browser_secret() -> str | None:
    """The token in this browser's XSRF cookie (see the module docstring), or None without one."""
    global _warned_no_cookie
    try:
        token = xsrf_token(st.context.cookies.get(XSRF_COOKIE))
    except Exception:  # no script-run context (a bare import): no browser
        token = None
    if token is None and not _warned_no_cookie:
        _warned_no_cookie = True
        log.info("no %s cookie: runs are not checkpointed (a reload opens the URL's setup)", XSRF_COOKIE)
    return token


def _session_id() -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else "?"


def _active_session_ids() -> set[str] | None:
    """Ids of the sessions with a connected browser (None if the runtime cannot tell)."""
    try:
        from streamlit import runtime

        mgr = runtime.get_instance()._session_mgr
        return {info.session.id for info in mgr.list_active_sessions()}
    except Exception:  # a private API: degrade to the admission's time-based expiry
        return None


def _sleep(seconds: float) -> None:
    if seconds > 0.001:
        time.sleep(min(seconds, MAX_WAIT_S))


# -- the page's hooks ------------------------------------------------------------------------------


def gate() -> None:
    """Rerun pacing and admission; on a full room, draw the room-full page and stop the run.

    ``app.py`` calls it once per full run, before any page: every page is paced and admitted alike."""
    r = replica()
    h = _state()
    _sleep(h.pacer.rerun_wait())
    if not r.settings.enabled:
        return
    session = _session_id()
    if r.admission.admit(session, _active_session_ids()):
        h.admitted = True
        return
    _room_full(session, r)
    st.stop()


def _room_full(session: str, r: _Replica) -> None:
    retry = r.settings.retry_s
    lang = language()  # the session's (app.py activated it); a fragment's run starts in English
    st.title("🧠 " + _("The room is full"))
    place = r.admission.position(session)
    st.info(
        _(
            "The room is full right now: this server holds {n} learners. "
            "You are number {place} in the queue; retrying in {retry} s. Keep this tab open; "
            "the Playground opens by itself as soon as a seat is free — a seat left idle for "
            "{idle} minutes goes to the next in line.",
            n=fmt_number(r.settings.max_sessions),
            place=place,
            retry=f"{retry:g}",
            idle=f"{r.settings.idle_seat_s / 60:g}",
        ),
        icon="⏳",
    )

    @st.fragment(run_every=retry)
    def poll() -> None:
        activate(lang)
        if r.admission.admit(session, _active_session_ids()):
            st.rerun()
        st.caption(
            _(
                "Still full at {time}; place {place} in the queue.",
                time=time.strftime("%H:%M:%S"),
                place=r.admission.position(session),
            )
        )

    poll()


def split_params(params: dict[str, Any]) -> dict[str, Any]:
    """The query params without the hosting ones (urlconfig would call ``sid`` unknown)."""
    return {k: v for k, v in params.items() if k != SID}


def restore(params: dict[str, Any], build: Callable[[dict[str, Any]], Any]):
    """On a session's first run: (run, extra) that this browser saved under the URL's ``sid``, else
    None; ``build`` makes the run from its state dict (``Experiment.from_state_dict``).

    The restored run gets a new ``sid`` (copy on restore): two tabs opened from one address never
    write over each other's checkpoint."""
    h = _state()
    sid = params.get(SID)
    if isinstance(sid, list):
        sid = sid[-1] if sid else None
    restored = None
    if valid_sid(sid) and h.browser is not None:
        key = run_key(h.browser, sid)
        data = replica().store.get(key)
        if data is not None:
            try:
                restored = ckpt.decode(data, build)
                log.info("restored run %s at epoch %d", sid[:6], restored[0].epoch)
            except ckpt.CheckpointError as exc:
                # never again: the bad entry goes, the learner gets a fresh run and is told why
                log.warning("checkpoint %s unusable, deleted: %s", sid[:6], exc)
                replica().store.delete(key)
                h.notices.append(
                    _(
                        "Your saved run could not be restored (the saved copy was damaged), "
                        "so a fresh run with this setup has started."
                    )
                )
    h.sid = secrets.token_urlsafe(12)
    return restored


def take_notices() -> list[str]:
    """Messages for the learner from hosting (e.g. a saved run that could not be restored), once."""
    h = _state()
    out, h.notices = list(h.notices), []
    guard = flood.installed()
    if guard is not None and guard.take_oversized_query(_session_id()):
        out.append(
            _(
                "This link has more than {n} parameters (or is longer than 512 KB), and such a link is "
                "ignored as a whole: the default settings are shown.",
                n=fmt_number(flood.MAX_QUERY_FIELDS),
            )
        )
    return out


def url_params() -> dict[str, str]:
    h = _state()
    if h.sid is None:
        h.sid = secrets.token_urlsafe(12)
    return {SID: h.sid}


def live_interval(user_interval: float) -> float:
    """The live fragment's timer: the learner's interval, or the replica's adaptive one if slower."""
    r = replica()
    if not r.settings.enabled:
        return user_interval
    interval = max(user_interval, r.monitor.interval)
    _state().browser_interval = interval
    return interval


def before_update(interval: float, key: str = "live") -> None:
    """Keep this session's updates at least the replica's current interval apart (a request that
    comes early waits here; those that arrive meanwhile coalesce). If the replica's interval has
    moved more than 15 % away from the browser's timer, rerun the page (at most every 10 s) so that
    the fragment is registered again with the new timer."""
    r = replica()
    if not r.settings.enabled:
        return
    h = _state()
    want = max(interval, r.monitor.interval)
    _sleep(h.pacer.update_wait(want, key))
    current = h.browser_interval or interval
    now = time.monotonic()
    if abs(want - current) > 0.15 * current and now - h.interval_changed_at > 10:
        h.interval_changed_at = now
        st.rerun()  # the full run re-registers the fragment with live_interval()


@contextlib.contextmanager
def live_turn(interval: float | None, key: str = "live") -> Iterator[None]:
    """Around the work of a live fragment: first the spacing of this session's updates
    (:func:`before_update`, when ``interval`` is given), then, on a loaded replica, a
    first-come-first-served turn, so that every session is served in order and none starves."""
    r = replica()
    if not r.settings.enabled:
        yield
        return
    if interval is not None:
        before_update(interval, key)
    # turns only when the replica is loaded (the interval has grown): at light load they would only
    # add hand-over latency; under load they keep the order of arrival
    taken = r.monitor.interval > 1.05 * r.settings.interval and r.turns.acquire()
    try:
        yield
    finally:
        if taken:
            r.turns.release()


def lesson_budget(seconds: float) -> float:
    """A lesson's training time per tick: ``seconds`` for one learner; in a workshop at most the
    replica's tick budget (``TICK_TRAIN_BUDGET_S``), so a long search or comparison shares the
    replica like a Playground run does (a 1 000 x 1 000 search held a third of a core before)."""
    if not replica().settings.enabled:
        return seconds
    return min(seconds, limits.caps().tick_train_budget_s)


def after_update(exp, playing: bool) -> None:
    """In the live fragment, after drawing: count the update, checkpoint every few seconds."""
    r = replica()
    if playing:
        r.monitor.tick(_session_id())
        global _logged_at
        now = time.monotonic()
        if r.settings.enabled and now - _logged_at > 15:
            _logged_at = now
            log.info("load: %s", status())
    checkpoint(exp, playing)


def checkpoint(exp, playing: bool, force: bool = False) -> bool:
    """Save the run under this browser's key for this session's ``sid`` if it changed and the last
    save is old enough."""
    r = replica()
    h = _state()
    if h.sid is None or h.browser is None:
        return False
    mark = (id(exp), exp.epoch, len(exp.history), exp.config.to_json(), bool(playing), exp.reset_count)
    now = time.monotonic()
    if mark == h.saved_mark or (not force and now - h.saved_at < r.settings.checkpoint_s and playing):
        return False
    try:
        data = ckpt.encode(exp, {"playing": bool(playing)}, max_bytes=r.settings.checkpoint_max_bytes)
    except ckpt.CheckpointTooLarge as exc:
        if h.too_large is None:  # once per stretch of unsaved run, not on every attempt
            log.warning("run %s not checkpointed (the learner is told): %s", h.sid[:6], exc)
            r.store.delete(run_key(h.browser, h.sid))  # an older, smaller save would not be this run
        h.too_large = (int(exc.params["size"]), int(exc.params["cap"]))
        h.saved_mark, h.saved_at = mark, now
        return False
    except ckpt.CheckpointError as exc:
        log.warning("run %s not checkpointed: %s", h.sid[:6], exc)
        h.saved_mark, h.saved_at = mark, now
        return False
    h.too_large = None
    ok = r.store.put(run_key(h.browser, h.sid), data)
    h.saved_mark, h.saved_at = mark, now
    return ok


def unsaved_notice() -> str | None:
    """What the learner should know when this run is too large to be saved (in the session's
    language, drawn each update so it follows a language switch), else None."""
    h = _state()
    if h.too_large is None:
        return None
    size, cap = h.too_large
    return _(
        "This run is too large to be saved ({size} KB, above the {cap} KB limit): if the page reloads "
        "or the connection drops, training starts again from epoch 0. Fewer or narrower layers make "
        "it fit.",
        size=fmt_number(-(-size // 1024)),
        cap=fmt_number(cap // 1024),
    )


def status() -> dict[str, Any]:
    """This replica's hosting figures (for a caption or a log line)."""
    r = replica()
    return {
        "replica": r.settings.replica,
        "workshop": r.settings.enabled,
        "seated": r.admission.seated,
        "waiting": r.admission.waiting,
        **r.monitor.snapshot(),
    }
