"""The live Playground: TensorFlow Playground's page, in Python, with more knobs and views.

Thin page: widgets -> config (``playground.ui.controls``), session state and callbacks
(``playground.ui.session``), the live fragment (``playground.ui.live``); the logic is in
``playground.experiment``.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import streamlit as st

from playground import limits
from playground.errors import PlaygroundError
from playground.experiment import PRESETS, UPLOAD, Experiment, problems_for
from playground.hosting import streamlit_glue as hosting
from playground.i18n import N_, _, error_text, fmt_number
from playground.ui import controls, liveloop, netview, session
from playground.ui.lang import fragment
from playground.ui.live import render_internals, render_live
from playground.ui.page import message_text, plain, route_through_app

route_through_app()

log = logging.getLogger("playground.page")
FRIENDLY = N_(
    "Something went wrong on our side. Your settings are kept; press Reset, or reload the page. "
    "(The details were logged for the maintainers.)"
)


TITLE = N_("Neural network playground")
ORIENTATION = N_(
    "Pick the data on the left, click the inputs and the + / − buttons to shape the network, then press "
    "**Play** and watch it learn {goal}."
)
GOALS = {
    "binary": N_("to tell the orange points from the blue ones"),
    "multiclass": N_("to tell the classes apart, each in its colour"),
    "regression": N_("the value at every point (orange below zero, blue above)"),
}
# Streamlit's wide layout keeps 5 rem either side and 6 rem on top: too much for four columns at 1280 px.
# The slower views (histograms, gradient health) are drawn once per run of the live fragment, which repeats
# the fast views meanwhile (``playground.ui.liveloop``): they must not fade as "stale" while they wait.
PAGE_CSS = """<style>  /* i18n: not text */
[data-testid="stMainBlockContainer"] { padding: 3.4rem 1.5rem 3rem 1.5rem; max-width: 1800px; }
.st-key-live_internals [data-stale="true"] { opacity: 1 !important; transition: none !important; }
</style>"""
PLAYING_CSS = """<style>  /* i18n: not text */
[data-testid="stStatusWidgetRunningIcon"],
[data-testid="stStatusWidget"] [data-testid="stBaseButton-header"] { display: none; }
</style>"""
# While playing, a fragment run lasts ~0.5 s (``playground.ui.liveloop``): Streamlit's "Running… Stop" would
# show the whole time (Pause is the learner's stop); its connection notices still show.


def sidebar_groups() -> dict:
    """The sidebar: everything but the common controls, in collapsed groups whose titles fit on one
    screen (so presets, links and downloads are found without scrolling)."""
    with st.sidebar:
        st.markdown("#### " + _("More settings"))
        return {
            "presets": st.expander(_("Presets & links"), icon=":material/bookmarks:"),
            "data": st.expander(_("Data"), icon=":material/scatter_plot:"),
            "network": st.expander(_("Network"), icon=":material/hub:"),
            "training": st.expander(_("Training"), icon=":material/model_training:"),
            "loop": st.expander(_("Live loop & views"), icon=":material/speed:"),
            "downloads": st.expander(_("Downloads"), icon=":material/download:"),
        }


def presets_and_links(box) -> None:
    with box:
        st.selectbox(
            _("Preset"),
            list(PRESETS),
            format_func=lambda n: _(PRESETS[n].label),
            key="c_preset",
            help=_("A ready-made setup with hand-set weights (paused, so you can read them)."),
        )
        st.button(_("Load preset"), key="btn_preset", on_click=session.on_preset, width="stretch")
        st.text_input(
            _("Paste a link"),
            key="c_link",
            placeholder="https://playground.tensorflow.org/#activation=relu&…",  # i18n: not text
            help=_("A TensorFlow Playground link (its # settings) or a link to this page."),
        )
        st.button(_("Open link"), key="btn_link", on_click=session.on_link, width="stretch")


def downloads(box, exp: Experiment) -> None:
    with box:
        st.download_button(
            _("Config (JSON)"),
            data=exp.config_json,
            file_name="playground-config.json",
            mime="application/json",
            key="dl_config",
            on_click="ignore",
            help=_("Every setting of this run; load it back through its URL or the JSON."),
            width="stretch",
        )
        st.download_button(
            _("Weights (JSON)"),
            data=exp.weights_json,
            file_name="playground-weights.json",
            mime="application/json",
            key="dl_weights",
            on_click="ignore",
            help=_("The network's config and current weights (playground.engine.from_json reads it)."),
            width="stretch",
        )
        st.download_button(
            _("Loss history (CSV)"),
            data=exp.history_csv,
            file_name="playground-history.csv",
            mime="text/csv",
            key="dl_history",
            on_click="ignore",
            help=_("Loss and accuracy per epoch on every split."),
            width="stretch",
        )


def settings(exp: Experiment, top: dict, data_col, groups: dict):
    """Every control: the common ones on the page (top bar, data column), the rest in the sidebar's
    groups; returns the config they describe (or None if it is invalid, with the error shown)."""
    s = st.session_state
    presets_and_links(groups["presets"])
    with data_col:
        st.markdown("**" + _("Data") + "**")  # i18n: not text
        data = controls.data_controls(
            s.upload_error,
            s.upload is not None,
            problems_for(exp.config.data, s.upload),
            session.on_upload,
            more=groups["data"],
        )
        st.caption(_("Your own CSV, the validation share and the seed: *More settings › Data* (sidebar)."))
        st.markdown("**" + _("View") + "**")  # i18n: not text
        view = controls.view_controls()
        st.toggle(
            _("Hover values"),
            key="c_interactive",
            disabled=bool(s.playing),
            help=_(
                "While paused: the output as a Plotly view you can hover and zoom (the network view "
                "shows values on hover at any time)."
            ),
        )
    with groups["network"]:
        model = controls.network_controls(exp.network.config.n_inputs, top["activation"])
    with groups["training"]:
        training = controls.training_controls(data["val_fraction"], top["optimizer"])
    with groups["loop"]:
        loop = controls.loop_controls()
        st.toggle(
            _("Show activations & gradients"),
            value=True,
            key="c_internals",
            help=_("Histograms and gradient health (cost a little per update)."),
        )
    downloads(groups["downloads"], exp)
    model["activation"] = top["activation"]
    training["optimizer"] = top["optimizer"]
    training["learning_rate"] = top["learning_rate"]
    try:
        return controls.build_config(exp.config, data, model, training, loop, view)
    except PlaygroundError as exc:
        st.sidebar.error(error_text(exc), icon=":material/warning:")
        return None


def weight_editor(exp: Experiment) -> None:
    """Paused: one table per layer; edit a cell and the views follow."""
    n_params = exp.network.n_params
    with st.expander("✏️ " + _("Edit weights and biases"), expanded=False):
        most = limits.caps().max_editable_weights
        if n_params > most:
            st.info(
                _(
                    "This network has {n} parameters; tables are offered up to {most}.",
                    n=fmt_number(n_params),
                    most=fmt_number(most),
                )
            )
            return
        st.caption(
            _(
                "Rows: the layer's inputs; columns: its units; the last row is the bias. "
                "The XOR preset was built this way."
            )
        )
        names = exp.layer_names()
        layer = st.radio(_("Layer"), names, horizontal=True, key="c_edit_layer")
        W, b = exp.layer_weights(layer)
        rows, cols = exp.layer_labels(layer)
        if W.shape[1] != len(cols):  # maxout pieces
            cols = [f"{layer}.{k + 1}" for k in range(W.shape[1])]
        table = pd.DataFrame(np.vstack([W, b[None, :]]), index=[*rows, _("bias")], columns=cols)
        edited = st.data_editor(
            table,
            key=f"edit_{layer}_{st.session_state.weights_version}",
            width="stretch",
            num_rows="fixed",
        )
        values = edited.to_numpy(dtype=np.float64, na_value=np.nan)
        if not np.array_equal(values, table.to_numpy()):
            try:
                exp.set_layer_weights(layer, values[:-1], values[-1])
                st.session_state.weights_version += 1
                st.rerun()
            except PlaygroundError as exc:
                st.error(error_text(exc))


def play_buttons(boxes, exp: Experiment, playing: bool) -> None:
    b1, b2, b3 = boxes
    # Two buttons with their own keys, each idempotent: Streamlit can replay a button's trigger in
    # the fragment rerun that follows the click, and one toggling button would then flip twice.
    if playing:
        b1.button(
            _("Pause"),
            key="btn_pause",
            icon=":material/pause:",
            on_click=session.on_pause,
            type="primary",
            width="stretch",
            help=_("Stop training; the weights and the views stay as they are."),
        )
    else:
        b1.button(
            _("Play"),
            key="btn_play",
            icon=":material/play_arrow:",
            on_click=session.on_play,
            type="primary",
            width="stretch",
            disabled=not exp.can_train,
            help=_("Train continuously, updating the views several times a second."),
        )
    b2.button(
        _("Step"),
        key="btn_step",
        icon=":material/skip_next:",
        on_click=session.on_step,
        disabled=playing or not exp.can_train,
        help=_("Train one epoch."),
        width="stretch",
    )
    b3.button(
        _("Reset"),
        key="btn_reset",
        icon=":material/restart_alt:",
        on_click=session.on_reset,
        help=_("New weights, same settings."),
        width="stretch",
    )


def main() -> None:
    s = st.session_state
    exp = session.init_session()
    applied_now = session.apply_changes(exp)  # before any widget: the next update trains with it
    controls.keep_choices_across_languages(("c_preset", "c_edit_layer"))  # a language switch keeps them
    st.html(PAGE_CSS + (PLAYING_CSS if s.playing else ""))
    st.markdown("### " + _(TITLE))
    orientation = st.empty()  # filled once the run has its settings: the sentence names what it shows

    # The top bar, as TF Playground's: run buttons, then the settings changed most often.
    bar = st.columns([0.95, 0.9, 1.0, 2.0, 1.4, 1.4, 1.05], vertical_alignment="bottom", gap="small")
    # The run buttons first: after Pause the browser shows Play as soon as this part of the run arrives,
    # not after the ~40 settings widgets (if applying the settings changes them, the page runs again).
    buttons = (bool(s.playing), exp.can_train)
    play_buttons(bar[:3], exp, buttons[0])
    top = controls.toolbar_controls(bar[3], bar[4], bar[5])
    notices = st.container()
    # Left to right: data | (features -> network -> output), curves and metrics beneath.
    data_col, live_col = st.columns([1.4, 4.4], gap="medium")
    groups = sidebar_groups()
    cfg = settings(exp, top, data_col, groups)
    if cfg is not None:
        try:
            with session.run_lock(s):
                old = exp.config
                result = exp.apply(cfg, upload=s.upload if cfg.data.dataset == UPLOAD else None)
            if result.kind == "rebuilt":
                s.playing = False
                s.weights_version += 1
                session.set_callout("info", session.rebuilt_text(result.reasons, old, exp.config))
            elif (applied_now or result.kind == "updated") and exp.epoch > 0:
                st.toast(_("Applied on the fly: the weights are kept."), icon=":material/bolt:")
        except PlaygroundError as exc:
            st.sidebar.error(error_text(exc), icon=":material/warning:")
        session.sync_url(exp.config)

    orientation.markdown(_(ORIENTATION, goal=_(GOALS.get(exp.task, GOALS["binary"]))))
    playing = bool(s.playing)
    if (playing, exp.can_train) != buttons:  # a rebuild paused the run, or it can no longer train
        st.rerun()
    with bar[6]:
        session.share_control(exp.config)  # a link with the setup only, never the run

    with notices:
        if s.url_notices:
            with st.container(border=True):
                st.warning(
                    _("Some settings in the link could not be used:")
                    + "\n\n"
                    + "\n".join(f"- {plain(message_text(n))}" for n in s.url_notices),
                    icon=":material/link:",
                )
                st.button(_("Dismiss"), key="btn_dismiss", on_click=session.dismiss_notices)
        if s.callout:
            kind, text = s.callout
            getattr(st, kind if kind in ("info", "error", "success", "warning") else "info")(
                message_text(text)
            )

    interactive = bool(s.get("c_interactive")) and not playing
    live_slot = live_col.container()
    # below the page, written by the live fragment (a container outside it: see ``live``)
    internals_box = st.container(key="live_internals").empty()
    if not playing:
        weight_editor(exp)

    interval = hosting.live_interval(exp.config.loop.update_interval)  # slower when the replica is loaded
    show_internals = bool(s.get("c_internals", True))

    slow = max(limits.caps().internals_interval, interval)

    @fragment(run_every=interval if playing else None)
    def live() -> None:
        """The fast loop: train a few epochs, redraw counter, network, output, curves, metrics — while
        playing, several times in one fragment run (``playground.ui.liveloop``)."""
        ss = st.session_state
        if netview.needs_full_run():  # a structure change in the network view: the whole page applies it
            st.rerun(scope="app")

        def update() -> bool:
            """One update of the live views (training a few epochs first while playing); False when the
            run stopped here (an error shown in its place)."""
            current = ss.exp
            # paced, and one update at a time on a loaded replica (in order: nobody starves)
            with hosting.live_turn(interval if ss.playing else None), session.run_lock(ss):
                try:
                    if ss.playing:
                        result = current.tick()
                        if result.stopped:
                            ss.playing = False
                            kind = "error" if current.stop_kind == "diverged" else "info"
                            session.set_callout(kind, result.stopped)
                            ss.weights_version += 1
                            st.rerun()
                    render_live(current, interactive=interactive and not ss.playing)
                    hosting.after_update(current, ss.playing)  # load accounting, a checkpoint now and then
                    if unsaved := hosting.unsaved_notice():  # the run is too large to keep for a reload
                        st.caption(f":material/cloud_off: {unsaved}")
                    return True
                except PlaygroundError as exc:
                    ss.playing = False
                    st.error(error_text(exc))
                except Exception:
                    log.exception("live view failed")
                    ss.playing = False
                    st.error(_(FRIENDLY))
            return False

        def internals_view() -> None:
            """Activation histograms and gradient health, in their place below the page. Drawn by this
            fragment once per run (every ~0.5 s while playing): as a second fragment with its own timer
            they shared the runs of this one, were drawn at their end, and the browser showed a change
            only every 0.6–2.6 s."""
            with hosting.live_turn(None), session.run_lock(ss), internals_box.container():
                try:
                    render_internals(ss.exp)
                except Exception:
                    log.exception("internals view failed")
                    st.error(_(FRIENDLY))

        slot = st.empty()
        for n in liveloop.Updates(interval, slow, lambda: bool(ss.playing)):
            with slot.container():
                ok = update()
            if n == 0 and show_internals:  # every run, the page's full run included (Streamlit requires it)
                internals_view()
            if not ok:
                break

    with live_slot:
        live()
    hosting.checkpoint(exp, playing)  # paused changes (Step, edits, Pause) are saved too
    netview.install()  # the network view's code, once per full run (the live ticks send data only)


try:
    main()
except Exception:  # st.rerun/st.stop are BaseExceptions and pass through
    log.exception("playground page failed")
    st.error(_(FRIENDLY), icon=":material/sentiment_dissatisfied:")
