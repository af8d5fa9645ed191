"""Per-session state of the Playground page (``st.session_state``: two tabs are two sessions).

Keys: ``exp`` (the Experiment), ``playing``, ``callout`` (a (kind, text) message about the run:
divergence, stop condition, rebuild), ``url_notices`` (what the URL or a pasted link got wrong),
``upload``/``upload_error`` (the CSV), ``weights_version`` (refreshes the weight tables).
The callbacks here run before the page script, as Streamlit button callbacks do.
"""

from __future__ import annotations

import functools
import logging
import threading

import streamlit as st

from playground import i18n
from playground.errors import PlaygroundError
from playground.experiment import PRESETS, UPLOAD, Experiment, PlaygroundConfig, Upload, load_preset
from playground.experiment.schema import setting
from playground.hosting import streamlit_glue as hosting
from playground.i18n import N_, _
from playground.ui.controls import CHANGED_KEY, config_value, sync_widgets
from playground.ui.page import Later, join
from playground.urlconfig import from_query, parse_link, share_link, to_query

log = logging.getLogger("playground.ui")


def callback(fn):
    """Button callbacks run outside the page's error boundary: catch anything unexpected, log it,
    pause, and say so in the callout instead of showing a traceback.

    A callback holds the session's :func:`run_lock`: a click while playing starts a new script run
    whose callbacks run while the previous live update may still be training in its own thread
    (Streamlit stops that run at its next element), so Pause, Step, Reset, a preset or a link wait for
    that update to finish (one tick at most) and the next update already sees what they did."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            with run_lock(st.session_state):
                return fn(*args, **kwargs)
        except Exception:  # st.rerun/st.stop are BaseExceptions and pass through
            log.exception("%s failed", fn.__name__)
            st.session_state.playing = False
            set_callout(
                "error",
                Later(N_("That did not work on our side; your settings are kept. Try again or press Reset.")),
            )

    return wrapper


def init_session() -> Experiment:
    """On a session's first run: the config from the URL (with notices), the experiment, the widgets."""
    s = st.session_state
    if "exp" not in s:
        params = st.query_params.to_dict()
        # the run saved under the URL's id (``sid``), after a reload or on another replica
        restored = hosting.restore(params, Experiment.from_state_dict)
        cfg, notices = from_query(hosting.split_params(params))
        notices += hosting.take_notices()
        if restored is not None:
            s.exp, notices = restored[0], []
        else:
            try:
                s.exp = Experiment(cfg)
            except PlaygroundError as exc:
                notices.append(Later(N_("{error} The default settings are used instead."), {"error": exc}))
                cfg = PlaygroundConfig()
                s.exp = Experiment(cfg)
        s.url_notices = notices
        s.playing = bool(restored and restored[1].get("playing") and s.exp.can_train)
        s.callout = None
        s.upload = s.exp.upload
        s.upload_error = None
        s.weights_version = 0
        sync_widgets(s.exp.config)
    return s.exp


_LOCK_KEY = "_run_lock"
_lock_guard = threading.Lock()


def run_lock(state) -> threading.RLock:
    """The session's one lock around every mutation of its run (a tick training, a weight typed into the
    network view, a structure change): take it with ``with run_lock(st.session_state):``. Re-entrant, so
    a callback that holds it may call code that takes it again."""
    lock = state.get(_LOCK_KEY)
    if lock is None:
        with _lock_guard:  # two threads of one session must not make two locks
            lock = state.get(_LOCK_KEY)
            if lock is None:
                lock = threading.RLock()
                state[_LOCK_KEY] = lock
    return lock


def set_callout(kind: str, text) -> None:
    """Show ``text`` above the views until the next action: a :class:`~playground.ui.page.Later`, a
    callable (recomputed when shown) or a translated string (``page.message_text`` shows any)."""
    st.session_state.callout = (kind, text)


def rebuilt_text(reasons, old: PlaygroundConfig | None = None, new: PlaygroundConfig | None = None) -> Later:
    """The callout of a rebuild: which settings forced it. With the configs before and after, the
    reasons are worked out again whenever it is shown, so they follow a language switch."""
    if not reasons:
        return Later(N_("Network rebuilt with new weights because the setup changed."))
    fixed = [str(r) for r in reasons]

    def named() -> str:
        if old is None or new is None:
            return join(fixed)
        now = old.rebuild_reasons(new)
        if len(now) < len(fixed):  # the upload, which the configs do not hold
            now.append(_("uploaded data"))
        return join(now)

    return Later(N_("Network rebuilt with new weights because {reasons} changed."), {"reasons": named})


def stop_text(exp: Experiment, said: str | None):
    """Why training paused, recomputed in the language active when it is shown (a language switch
    translates it); ``said`` (the tick's own words) when it cannot be recomputed."""

    def text() -> str:
        if exp.stop_kind == "diverged":
            return exp.divergence_message() or said or ""
        if exp.stop_kind == "stopped":
            return exp.stop_condition_met() or said or ""
        return said or ""

    return text


# -- buttons (callbacks) -------------------------------------------------------------------------


@callback
def on_pause() -> None:
    s = st.session_state
    if s.playing:
        s.playing = False
        s.weights_version += 1


@callback
def on_play() -> None:
    s = st.session_state
    if s.playing:
        return
    s.callout = None
    reason = s.exp.stop_condition_met()
    if reason:
        set_callout(
            "info",
            lambda: _(
                "{reason} Raise the stop condition or switch it off to go on.",
                reason=s.exp.stop_condition_met() or reason,
            ),
        )
        return
    if s.exp.can_train:
        s.playing = True


@callback
def on_step() -> None:
    s = st.session_state
    s.playing = False
    s.callout = None
    s.exp.step(1)
    s.weights_version += 1
    if s.exp.trainer.status == "diverged":
        set_callout("error", lambda: s.exp.divergence_message() or "")


@callback
def on_reset() -> None:
    s = st.session_state
    s.playing = False
    s.exp.reset()
    s.callout = None
    s.weights_version += 1


@callback
def on_preset() -> None:
    s = st.session_state
    name = s.get("c_preset")
    if name not in PRESETS:
        return
    s.playing = False
    try:
        load_preset(name, s.exp)
    except PlaygroundError as exc:
        set_callout("error", exc)
        return
    sync_widgets(s.exp.config)
    s.weights_version += 1
    set_callout(
        "success",
        Later(
            N_("Loaded “{label}”: {description}"),
            {"label": Later(PRESETS[name].label), "description": Later(PRESETS[name].description)},
        ),
    )


@callback
def on_link() -> None:
    s = st.session_state
    text = s.get("c_link", "")
    cfg, notices = parse_link(text)
    s.playing = False
    try:
        s.exp.apply(cfg, upload=None)
    except PlaygroundError as exc:
        notices.append(exc)
    sync_widgets(s.exp.config)
    s.weights_version += 1
    s.url_notices = notices
    set_callout(
        "success",
        Later(N_("Loaded the settings of the pasted link. See the notes above."))
        if notices
        else Later(N_("Loaded the settings of the pasted link.")),
    )


@callback
def on_upload() -> None:
    """Parse a newly chosen CSV; a defect shows next to the uploader, a good file is selected."""
    s = st.session_state
    file = s.get("c_upload")
    if file is None:
        s.upload, s.upload_error = None, None
        if s.get("c_dataset") == UPLOAD:
            s.c_dataset = "circle"
        return
    try:
        s.upload = Upload.parse(file.name, file.getvalue())
        s.upload_error = None
        s.c_dataset = UPLOAD
        s.c_problem = "auto"
    except PlaygroundError as exc:
        s.upload = None
        s.upload_error = exc  # shown with upload_error_text, in the language of the moment


@callback
def dismiss_notices() -> None:
    st.session_state.url_notices = []


def apply_changes(exp: Experiment) -> bool:
    """First thing in a page run: apply the settings the learner just changed (noted by their widgets'
    ``on_change``) if they change the run on the fly (learning rate, batch size, schedule, penalty,
    the loop's and the views' settings), under the run lock, and put them in the URL. The page's own
    ``apply`` comes only after it has drawn its ~40 widgets (a tenth of a second or more of the run);
    done here, the live update that the run starts already trains with the new value. Changes that
    rebuild the network, and any value the schema refuses, are left to that ``apply``, which says
    why. Returns True if the run changed here (the page then says "applied on the fly")."""
    s = st.session_state
    changed = s.pop(CHANGED_KEY, None)
    if not changed:
        return False
    base = exp.config.to_dict()
    for section, name, key in changed:
        if key in s:
            base[section][name] = config_value(setting(section, name), s[key])
    try:
        new = PlaygroundConfig.from_dict(base)
        if exp.config.rebuild_reasons(new):
            return False
        with run_lock(s):
            result = exp.apply(new)
    except PlaygroundError:
        return False
    sync_url(exp.config)
    return result.kind == "updated"


def sync_url(cfg: PlaygroundConfig) -> None:
    """Put the config in the address bar (only when it changed, which costs a message)."""
    want = {**to_query(cfg), **hosting.url_params(), "lang": i18n.language()}
    if dict(st.query_params.to_dict()) != want:
        st.query_params.from_dict(want)


def share_control(cfg: PlaygroundConfig) -> None:
    """The **Share** popover: a link with this setup only (no run id, no weights) and its copy
    button. The address bar's link is safe too (its run id only works in this browser), but this
    one is short and says what it shares."""
    with st.popover(_("Share"), icon=":material/share:", help=_("A link to this setup, without your run.")):
        st.markdown("**" + _("Share this setup") + "**")  # i18n: not text
        st.caption(
            _(
                "Copy this link (point at it: a copy button appears at its right). It opens these "
                "settings with fresh weights at epoch 0; your trained run stays yours."
            )
        )
        st.code(share_link(cfg, st.context.url, i18n.language()), language=None, wrap_lines=True)
