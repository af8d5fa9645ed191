"""Lesson: the optimizer race on 2-D functions, and learning-rate schedules (thin page)."""

from __future__ import annotations

import logging

import streamlit as st

from playground.engine import OPTIMIZERS, SCHEDULES
from playground.lessons.race import (
    DEFAULT_SURFACE,
    MAX_STEPS,
    SURFACES,
    RunnerSpec,
    contour_grid,
    optimizer_defaults,
    race,
    schedule_curves,
    schedule_defaults,
    schedule_latex,
)
from playground.ui.controls import param_input
from playground.ui.page import route_through_app, show_error
from playground.viz import lessons as charts

route_through_app()

log = logging.getLogger(__name__)
BOOK_FOUR = ["sgd", "momentum", "adagrad", "adam"]


def fail(exc: Exception) -> None:
    show_error(exc, log, "Something went wrong with these settings. Try other values.")


st.title("Optimizers and learning rates")
st.markdown(
    "Every optimizer starts from the same point on a 2-D function; the paths are drawn over its contour "
    "lines. On the book's elongated bowl, plain **SGD zig-zags** across the steep direction, **Momentum** "
    "rolls past the minimum and back, **AdaGrad** and **Adam** rescale each axis. Raise a learning rate "
    "until the path oscillates outward and diverges; then look at how schedules shrink α over time."
)
race_tab, sched_tab = st.tabs(["Optimizer race", "Learning-rate schedules"])

with race_tab:
    c1, c2, c3 = st.columns([1.3, 2.4, 0.9])
    skey = c1.selectbox(
        "Function",
        list(SURFACES),
        index=list(SURFACES).index(DEFAULT_SURFACE),
        format_func=lambda k: SURFACES[k].label,
        key="opt_surface",
        help="The function to minimize; each has its own start and suggested learning rates.",
    )
    surface = SURFACES[skey]
    chosen = c2.multiselect(
        "Optimizers",
        list(OPTIMIZERS),
        default=list(OPTIMIZERS),
        format_func=lambda k: OPTIMIZERS[k].label,
        key="opt_chosen",
        help="The racers (the engine's own optimizer classes).",
    )
    layout = c3.radio(
        "Layout",
        ["panels", "overlaid"],
        format_func=lambda k: "one panel each" if k == "panels" else "all in one",
        key="opt_layout",
        horizontal=True,
        help="Small multiples as in the book's figure, or all paths on one plot.",
    )
    st.latex(surface.latex)
    st.caption(surface.note)

    c4, c5, c6, c7, c8 = st.columns(5)
    x0 = c4.number_input(
        "start x",
        -100.0,
        100.0,
        float(surface.start[0]),
        key=f"opt_x0_{skey}",
        help="Where every path starts.",
    )
    y0 = c5.number_input(
        "start y",
        -100.0,
        100.0,
        float(surface.start[1]),
        key=f"opt_y0_{skey}",
        help="Where every path starts.",
    )
    steps = int(
        c6.number_input(
            "steps",
            1,
            MAX_STEPS,
            int(surface.steps),
            key=f"opt_steps_{skey}",
            help="Optimizer steps per path.",
        )
    )
    noise = c7.number_input(
        "gradient noise σ",
        0.0,
        50.0,
        float(surface.noise),
        step=0.1,
        key=f"opt_noise_{skey}",
        help="Adds N(0, σ²) to each gradient component, like a mini-batch estimate (same draws for all).",
    )
    sched = c8.selectbox(
        "α schedule",
        list(SCHEDULES),
        format_func=lambda k: SCHEDULES[k].label,
        key="opt_schedule",
        help="Change every learning rate per step (a step plays the role of an epoch here).",
    )

    with st.expander("Hyperparameters of each optimizer", expanded=False):
        st.caption(
            "Suggested values for this function; the book's: SGD 0.95, Momentum 0.1, AdaGrad 1.5, Adam 0.3."
        )
        specs = []
        cols = st.columns(max(1, min(4, len(chosen))))
        for i, name in enumerate(chosen):
            entry = OPTIMIZERS[name]
            box = cols[i % len(cols)].container(border=True)
            box.markdown(f"**{entry.label}**")
            values = optimizer_defaults(skey, name)
            hyper = {}
            for pname, param in entry.params.items():
                label = param.title(pname)
                hyper[pname] = param_input(box, label, param, f"opt_hp_{skey}_{name}_{pname}", values[pname])
            specs.append(RunnerSpec.from_values(name, hyper))
        sched_params = {}
        if SCHEDULES[sched].params:
            st.markdown(f"**{SCHEDULES[sched].label}** schedule")
            scols = st.columns(len(SCHEDULES[sched].params))
            for j, (pname, param) in enumerate(SCHEDULES[sched].params.items()):
                sched_params[pname] = param_input(
                    scols[j],
                    param.title(pname),
                    param,
                    f"opt_race_sched_{sched}_{pname}",
                    schedule_defaults(sched)[pname],
                )

    if not chosen:
        st.info("Pick at least one optimizer.")
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
            fail(exc)
            paths = []
        if paths:
            longest = max(t.steps for t in paths)
            upto = st.slider(
                "Reveal steps",
                0,
                max(longest, 1),
                max(longest, 1),
                key=f"opt_reveal_{skey}_{steps}",
                help="Drag to replay the race step by step.",
            )
            if layout == "panels":
                fig = charts.race_panels(surface, paths, upto, grid=contour_grid(surface, 90), start=(x0, y0))
            else:
                fig = charts.race_contour(surface, paths, upto, grid=contour_grid(surface), start=(x0, y0))
            st.plotly_chart(fig, key="opt_contour", config={"displayModeBar": False})
            bad = [t for t in paths if t.diverged or t.growing]
            for t in bad:
                st.warning(
                    f"**{t.label}** {t.status(surface)}. Lower its learning rate.",
                    icon=":material/trending_up:",
                )
            st.altair_chart(charts.race_values_chart(surface, paths, upto), width="stretch", key="opt_values")
            rows = []
            for t, spec in zip(paths, specs, strict=True):
                end = t.points[-1]
                rows.append(
                    {
                        "optimizer": t.label,
                        "α": spec.hyper.get("lr"),
                        "steps": t.steps,
                        "end x": float(end[0]),
                        "end y": float(end[1]),
                        "f": float(t.values[-1]),
                        "y sign changes": t.sign_changes(1),
                        "status": "diverged" if t.diverged else ("growing" if t.growing else "ok"),
                    }
                )
            st.dataframe(
                rows,
                hide_index=True,
                key="opt_table",
                column_config={
                    "α": st.column_config.NumberColumn(format="%.4g"),
                    "end x": st.column_config.NumberColumn(format="%.4g"),
                    "end y": st.column_config.NumberColumn(format="%.4g"),
                    "f": st.column_config.NumberColumn(format="%.4g"),
                    "y sign changes": st.column_config.NumberColumn(
                        help="How often y flips sign: the zig-zag across the valley."
                    ),
                },
            )

with sched_tab:
    st.markdown(
        "A schedule lowers the learning rate as training goes on: big steps early, small steps to settle. "
        "Every schedule of the engine is drawn below; edit α₀, the number of epochs and each one's "
        "parameters (the trainer applies the schedule at the start of every epoch, counting from 0)."
    )
    s1, s2 = st.columns(2)
    lr0 = s1.number_input(
        "α₀ (initial learning rate)", 1e-6, 10.0, 0.1, format="%.4g", key="sch_lr0", help="The starting α."
    )
    epochs = s2.slider("Epochs", 5, 500, 100, key="sch_epochs", help="How many epochs to draw.")
    params: dict[str, dict] = {}
    names = list(SCHEDULES)
    grid = st.columns(3)
    for i, name in enumerate(names):
        entry = SCHEDULES[name]
        box = grid[i % 3].container(border=True)
        box.markdown(f"**{entry.label}**")
        box.latex(schedule_latex(name))
        defaults = schedule_defaults(name)
        params[name] = {
            pname: param_input(box, param.title(pname), param, f"sch_{name}_{pname}", defaults[pname])
            for pname, param in entry.params.items()
        }
    try:
        curves = schedule_curves(lr0, epochs, params)
        st.altair_chart(
            charts.schedules_chart(curves, {n: SCHEDULES[n].label for n in names}),
            width="stretch",
            key="sch_chart",
        )
        st.dataframe(
            [
                {
                    "schedule": SCHEDULES[n].label,
                    "α at epoch 0": float(c[0]),
                    f"α at epoch {epochs - 1}": float(c[-1]),
                }
                for n, c in curves.items()
            ],
            hide_index=True,
            key="sch_table",
        )
    except Exception as exc:  # noqa: BLE001
        fail(exc)
