"""Lesson: the optimizer race on 2-D functions, and learning-rate schedules (thin page)."""

from __future__ import annotations

import logging

import pyarrow as pa
import streamlit as st

from playground.engine import OPTIMIZERS, SCHEDULES
from playground.i18n import _
from playground.lessons.race import (
    DEFAULT_SURFACE,
    MAX_STEPS,
    SURFACES,
    Replay,
    RunnerSpec,
    contour_grid,
    optimizer_defaults,
    race,
    schedule_curves,
    schedule_defaults,
    schedule_latex,
)
from playground.ui.controls import param_input
from playground.ui.lang import fragment
from playground.ui.page import route_through_app, show_error
from playground.viz import lessons as charts
from playground.viz.png import data_uri

route_through_app()

log = logging.getLogger(__name__)
BOOK_FOUR = ["sgd", "momentum", "adagrad", "adam"]


TICK_S = 0.15  # a live tick: several steps a second


def fail(exc: Exception) -> None:
    show_error(exc, log, _("Something went wrong with these settings. Try other values."))


@st.cache_data(max_entries=64, show_spinner=False)
def background(skey: str, width: int, height: int) -> str:
    """The surface's contour lines as a PNG data URI, one pixel per grid cell (row 0 at the top)."""
    surface = SURFACES[skey]
    _xs, _ys, Z = contour_grid(surface, width, height)
    return data_uri(charts.contour_image(Z[::-1], log_levels=surface.log_levels), level=6)


def replay() -> Replay | None:
    return st.session_state.get("opt_replay")


def on_play() -> None:
    replay().play()


def on_pause() -> None:
    replay().playing = False


def on_step() -> None:
    r = replay()
    r.playing = False
    r.advance(1)


def on_rewind() -> None:
    replay().rewind()


def on_end() -> None:
    replay().show_all()


st.title(_("Optimizers and learning rates"))
st.markdown(
    _(
        "Every optimizer starts from the same point on a 2-D function and takes one step after another; "
        "watch the paths grow over the contour lines, then change a learning rate and watch again."
    )
)
race_tab, sched_tab = st.tabs([_("Optimizer race"), _("Learning-rate schedules")])

with race_tab:
    c1, c2, c3 = st.columns([1.3, 2.4, 0.9])
    skey = c1.selectbox(
        _("Function"),
        list(SURFACES),
        index=list(SURFACES).index(DEFAULT_SURFACE),
        format_func=lambda k: _(SURFACES[k].label),
        key="opt_surface",
        help=_("The function to minimize; each has its own start and suggested learning rates."),
    )
    surface = SURFACES[skey]
    chosen = c2.multiselect(
        _("Optimizers"),
        list(OPTIMIZERS),
        default=list(OPTIMIZERS),
        format_func=lambda k: _(OPTIMIZERS[k].label),
        key="opt_chosen",
        help=_("The racers (the engine's own optimizer classes)."),
    )
    layout = c3.radio(
        _("Layout"),
        ["panels", "overlaid"],
        format_func=lambda k: _("one panel each") if k == "panels" else _("all in one"),
        key="opt_layout",
        horizontal=True,
        help=_("Small multiples as in the book's figure, or all paths on one plot."),
    )
    buttons = st.container()
    race_slot = st.container()
    st.latex(surface.latex)
    st.caption(_(surface.note))

    c4, c5, c6, c7, c8 = st.columns(5)
    x0 = c4.number_input(
        _("start x"),
        -100.0,
        100.0,
        float(surface.start[0]),
        key=f"opt_x0_{skey}",
        help=_("Where every path starts."),
    )
    y0 = c5.number_input(
        _("start y"),
        -100.0,
        100.0,
        float(surface.start[1]),
        key=f"opt_y0_{skey}",
        help=_("Where every path starts."),
    )
    steps = int(
        c6.number_input(
            _("steps"),
            1,
            MAX_STEPS,
            int(surface.steps),
            key=f"opt_steps_{skey}",
            help=_("Optimizer steps per path."),
        )
    )
    noise = c7.number_input(
        _("gradient noise σ"),
        0.0,
        50.0,
        float(surface.noise),
        step=0.1,
        key=f"opt_noise_{skey}",
        help=_("Adds N(0, σ²) to each gradient component, like a mini-batch estimate (same draws for all)."),
    )
    sched = c8.selectbox(
        _("α schedule"),
        list(SCHEDULES),
        format_func=lambda k: _(SCHEDULES[k].label),
        key="opt_schedule",
        help=_("Change every learning rate per step (a step plays the role of an epoch here)."),
    )

    with st.expander(_("Hyperparameters of each optimizer"), expanded=False):
        st.caption(
            _(
                "Suggested values for this function; the book's: SGD 0.95, Momentum 0.1, AdaGrad 1.5, Adam "
                "0.3."
            )
        )
        specs = []
        cols = st.columns(max(1, min(4, len(chosen))))
        for i, name in enumerate(chosen):
            entry = OPTIMIZERS[name]
            box = cols[i % len(cols)].container(border=True)
            box.markdown(f"**{_(entry.label)}**")
            values = optimizer_defaults(skey, name)
            hyper = {}
            for pname, param in entry.params.items():
                label = _(param.title(pname))
                hyper[pname] = param_input(box, label, param, f"opt_hp_{skey}_{name}_{pname}", values[pname])
            specs.append(RunnerSpec.from_values(name, hyper))
        sched_params = {}
        if SCHEDULES[sched].params:
            st.markdown(_("**{name}** schedule", name=_(SCHEDULES[sched].label)))
            scols = st.columns(len(SCHEDULES[sched].params))
            for j, (pname, param) in enumerate(SCHEDULES[sched].params.items()):
                sched_params[pname] = param_input(
                    scols[j],
                    _(param.title(pname)),
                    param,
                    f"opt_race_sched_{sched}_{pname}",
                    schedule_defaults(sched)[pname],
                )

    paths = []
    if not chosen:
        race_slot.info(_("Pick at least one optimizer."))
    else:
        try:
            paths = race(
                surface,
                specs,
                start=(x0, y0),
                steps=steps,
                noise=noise,
                schedule=sched,
                schedule_params=sched_params,
            )
        except Exception as exc:  # noqa: BLE001
            with race_slot:
                fail(exc)
    if paths:
        # A new race (any setting changed) replays from the start; the same race keeps its place.
        signature = repr((skey, x0, y0, steps, noise, sched, sched_params, specs))
        if st.session_state.get("opt_race_sig") != signature or replay() is None:
            st.session_state.opt_race_sig = signature
            st.session_state.opt_replay = Replay(max(t.steps for t in paths))
        rep = replay()
        panels = layout == "panels"
        if panels:
            cols_n = min(4, len(paths))
            width = max(150, min(240, (700 // cols_n) - 12))
            height = int(width * 0.62)
            spec = charts.race_spec(
                surface,
                paths,
                background=background(skey, width, height),
                start=(x0, y0),
                panels=True,
                width=width,
                height=height,
                columns=cols_n,
            )
        else:
            width, height = 460, 290
            spec = charts.race_spec(
                surface,
                paths,
                background=background(skey, width, height),
                start=(x0, y0),
                width=width,
                height=height,
            )
        values_spec = charts.race_values_spec(
            surface, paths, steps=rep.steps, width=700 if panels else 250, height=200 if panels else 250
        )

        with buttons:
            b1, b2, b3, b4, _rest = st.columns([1, 1, 1, 1, 2.2])
            if rep.playing:
                b1.button(
                    _("Pause"),
                    key="opt_pause",
                    icon=":material/pause:",
                    on_click=on_pause,
                    type="primary",
                    width="stretch",
                    help=_("Stop the replay where it is."),
                )
            else:
                b1.button(
                    _("Play"),
                    key="opt_play",
                    icon=":material/play_arrow:",
                    on_click=on_play,
                    type="primary",
                    width="stretch",
                    help=_("Draw the paths step by step (from the start again when the race is over)."),
                )
            b2.button(
                _("Step"),
                key="opt_step",
                icon=":material/skip_next:",
                on_click=on_step,
                disabled=rep.finished,
                width="stretch",
                help=_("One more step of every optimizer."),
            )
            b3.button(
                _("Start"),
                key="opt_rewind",
                icon=":material/first_page:",
                on_click=on_rewind,
                width="stretch",
                help=_("Back to the start point."),
            )
            b4.button(
                _("All steps"),
                key="opt_end",
                icon=":material/last_page:",
                on_click=on_end,
                width="stretch",
                help=_("Draw the whole race at once."),
            )

        @fragment(run_every=TICK_S if rep.playing else None)
        def live_race() -> None:
            """One tick: reveal the next steps and feed the charts their rows (the specs stay put)."""
            r = replay()
            if r is None:
                return
            was_playing = r.playing
            if r.playing:
                r.advance()
            if r.playing:
                st.markdown(_("Step **{upto}** of {steps} · playing", upto=r.upto, steps=r.steps))
            else:
                st.markdown(_("Step **{upto}** of {steps}", upto=r.upto, steps=r.steps))
            rows = pa.Table.from_pylist(charts.race_rows(paths, r.upto))
            if panels:
                st.vega_lite_chart(rows, spec, key="opt_race", width="content")
                st.vega_lite_chart(rows, values_spec, key="opt_values", width="content")
            else:
                left, right = st.columns([1.75, 1])
                with left:
                    st.vega_lite_chart(rows, spec, key="opt_race", width="content")
                with right:
                    st.vega_lite_chart(rows, values_spec, key="opt_values", width="content")
            if was_playing and not r.playing:
                st.rerun()  # the race is over: stop the timer and turn Pause back into Play

        with race_slot:
            live_race()

        st.markdown(_("**After all {steps} steps**", steps=steps))
        for t in paths:
            if t.diverged or t.growing:
                st.warning(
                    _(
                        "**{name}** {status}. Lower its learning rate.",
                        name=_(t.label),
                        status=t.status(surface),
                    ),
                    icon=":material/trending_up:",
                )
        rows = []
        for t, spec_ in zip(paths, specs, strict=True):
            end = t.points[-1]
            rows.append(
                {
                    "optimizer": _(t.label),
                    "α": spec_.lr,
                    "steps": t.steps,
                    "end x": float(end[0]),
                    "end y": float(end[1]),
                    "f": float(t.values[-1]),
                    "y sign changes": t.sign_changes(1),
                    "status": _("diverged") if t.diverged else (_("growing") if t.growing else _("ok")),
                }
            )
        st.dataframe(
            rows,
            hide_index=True,
            key="opt_table",
            column_config={
                "optimizer": st.column_config.TextColumn(_("optimizer")),
                "α": st.column_config.NumberColumn(format="%.4g"),
                "steps": st.column_config.NumberColumn(_("steps")),
                "end x": st.column_config.NumberColumn(_("end x"), format="%.4g"),
                "end y": st.column_config.NumberColumn(_("end y"), format="%.4g"),
                "f": st.column_config.NumberColumn(format="%.4g"),
                "y sign changes": st.column_config.NumberColumn(
                    _("y sign changes"), help=_("How often y flips sign: the zig-zag across the valley.")
                ),
                "status": st.column_config.TextColumn(_("status")),
            },
        )
    st.markdown(
        _(
            "On the book's elongated bowl, plain **SGD zig-zags** across the steep direction, **Momentum** "
            "rolls past the minimum and back, **AdaGrad** and **Adam** rescale each axis. Raise a learning "
            "rate until the path oscillates outward and diverges; then look at how schedules shrink α over "
            "time (second tab)."
        )
    )

with sched_tab:
    st.markdown(
        _(
            "A schedule lowers the learning rate as training goes on: big steps early, small steps to "
            "settle. Every schedule of the engine is drawn below; edit α₀, the number of epochs and each "
            "one's parameters (the trainer applies the schedule at the start of every epoch, counting from "
            "0)."
        )
    )
    s1, s2 = st.columns(2)
    lr0 = s1.number_input(
        _("α₀ (initial learning rate)"),
        1e-6,
        10.0,
        0.1,
        format="%.4g",
        key="sch_lr0",
        help=_("The starting α."),
    )
    epochs = s2.slider(_("Epochs"), 5, 500, 100, key="sch_epochs", help=_("How many epochs to draw."))
    params: dict[str, dict] = {}
    names = list(SCHEDULES)
    grid = st.columns(3)
    for i, name in enumerate(names):
        entry = SCHEDULES[name]
        box = grid[i % 3].container(border=True)
        box.markdown(f"**{_(entry.label)}**")
        box.latex(schedule_latex(name))
        defaults = schedule_defaults(name)
        params[name] = {
            pname: param_input(box, _(param.title(pname)), param, f"sch_{name}_{pname}", defaults[pname])
            for pname, param in entry.params.items()
        }
    try:
        curves = schedule_curves(lr0, epochs, params)
        st.altair_chart(
            charts.schedules_chart(curves, {n: _(SCHEDULES[n].label) for n in names}),
            width="stretch",
            key="sch_chart",
        )
        st.dataframe(
            [
                {"schedule": _(SCHEDULES[n].label), "first": float(c[0]), "last": float(c[-1])}
                for n, c in curves.items()
            ],
            hide_index=True,
            key="sch_table",
            column_config={
                "schedule": st.column_config.TextColumn(_("schedule")),
                "first": st.column_config.NumberColumn(_("α at epoch {epoch}", epoch=0)),
                "last": st.column_config.NumberColumn(_("α at epoch {epoch}", epoch=epochs - 1)),
            },
        )
    except Exception as exc:  # noqa: BLE001
        fail(exc)
