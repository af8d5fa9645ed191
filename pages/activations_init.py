"""Lesson: activations and initialization; vanishing and exploding signals (thin page)."""

from __future__ import annotations

import logging

import numpy as np
import streamlit as st

from playground.engine import ACTIVATIONS, BN_MODES
from playground.i18n import N_, _
from playground.lessons.signals import (
    CUSTOM_STD,
    DEFAULT_PRESET,
    INIT_CHOICES,
    LINEAR_MODES,
    MAX_DEPTH,
    MAX_SAMPLES,
    MAX_WIDTH,
    PRESETS,
    SignalConfig,
    deep_linear,
    run_signals,
)
from playground.ui.links import playground_url, signal_query
from playground.ui.page import route_through_app, show_error
from playground.viz import lessons as charts

route_through_app()

log = logging.getLogger(__name__)
BN_LABELS = {"off": N_("off"), "before": N_("before the activation"), "after": N_("after the activation")}
#: The statistics table's columns (keys of ``SignalResult.table``) as the page names them.
TABLE_LABELS = {
    "layer": N_("layer"),
    "act. mean": N_("act. mean"),
    "act. std": N_("act. std"),
    "saturated": N_("saturated"),
    "zero outputs": N_("zero outputs"),
    "dead units": N_("dead units"),
    "grad. std": N_("grad. std"),
}


def fail(exc: Exception) -> None:
    show_error(
        exc, log, _("Something went wrong with these settings. Try other values, or pick a preset again.")
    )


def apply_preset() -> None:
    cfg = PRESETS[st.session_state.ai_preset].config
    st.session_state.ai_activation = cfg.activation
    st.session_state.ai_init = cfg.init
    st.session_state.ai_bn = cfg.batch_norm


def init_state() -> None:
    defaults = PRESETS[DEFAULT_PRESET].config
    for key, value in {
        "ai_preset": DEFAULT_PRESET,
        "ai_activation": defaults.activation,
        "ai_init": defaults.init,
        "ai_bn": defaults.batch_norm,
    }.items():
        st.session_state.setdefault(key, value)


st.title(_("Activations and initialization"))
st.markdown(
    _(
        "Feed random inputs through a deep fully-connected net and look at each hidden layer's "
        "**activations** (top row) and the **gradients** flowing back (bottom row). A bad initialization "
        "saturates the units or makes them all alike; going back through a layer, the gradient is "
        "multiplied by the activation's slope and by the weights, so with sigmoid (slope at most ¼) it "
        "shrinks unless the weights are large. Pick a textbook experiment and read what to look for."
    )
)
init_state()

c1, c2, c3, c4 = st.columns([1.3, 1, 1.2, 1])
c1.selectbox(
    _("Textbook experiment"),
    list(PRESETS),
    format_func=lambda k: _(PRESETS[k].label),
    key="ai_preset",
    on_change=apply_preset,
    help=_("Sets activation, initialization and batch norm to one of the book's experiments."),
)
c2.selectbox(
    _("Activation"),
    list(ACTIVATIONS),
    format_func=lambda k: _(ACTIVATIONS[k].label),
    key="ai_activation",
    help=_("The non-linearity of every hidden layer (from the engine's registry)."),
)
c3.selectbox(
    _("Weight initialization"),
    list(INIT_CHOICES),
    format_func=lambda k: _(INIT_CHOICES[k].label),
    key="ai_init",
    help=_("How the weights are drawn: a fixed std (1 or 0.01), Xavier 1/√n, He √(2/n), LeCun, …."),
)
c4.selectbox(
    _("Batch norm"),
    list(BN_MODES),
    format_func=lambda k: _(BN_LABELS[k]) if k in BN_LABELS else k,
    key="ai_bn",
    help=_("Normalize each layer over the batch, before or after its activation."),
)
more = st.expander(_("Depth, width, inputs and seed"), expanded=False)
c5, c6, c7, c8 = more.columns(4)
depth = c5.slider(_("Hidden layers"), 1, MAX_DEPTH, 5, key="ai_depth", help=_("Depth of the net."))
width = c6.slider(
    _("Units per layer"),
    1,
    MAX_WIDTH,
    100,
    key="ai_width",
    help=_("Width of every layer (and of the input)."),
)
n_samples = c7.number_input(
    _("Inputs"),
    10,
    MAX_SAMPLES,
    1000,
    step=100,
    key="ai_samples",
    help=_("How many random N(0, 1) input vectors."),
)
seed = c8.number_input(
    _("Seed"), 0, 10_000, 0, key="ai_seed", help=_("Seeds the weights, the inputs and the gradient.")
)
custom_std = 0.05
if st.session_state.ai_init == CUSTOM_STD:
    custom_std = c3.number_input(
        _("Custom std σ"),
        min_value=1e-6,
        max_value=100.0,
        value=0.05,
        format="%.4g",
        key="ai_custom_std",
        help=_("The standard deviation of the weights, N(0, σ²)."),
    )

cfg = SignalConfig(
    activation=st.session_state.ai_activation,
    init=st.session_state.ai_init,
    custom_std=float(custom_std),
    batch_norm=st.session_state.ai_bn,
    depth=int(depth),
    width=int(width),
    n_samples=int(n_samples),
    seed=int(seed),
)
preset = PRESETS[st.session_state.ai_preset]
matches = (
    preset.config.activation == cfg.activation
    and preset.config.init == cfg.init
    and preset.config.batch_norm == cfg.batch_norm
)
if matches:
    st.info(
        _("**What to look for — {preset}:** {expect}", preset=_(preset.label), expect=_(preset.expect)),
        icon=":material/search:",
    )
else:
    st.caption(f"{_(ACTIVATIONS[cfg.activation].description)} — {_(INIT_CHOICES[cfg.init].description)}")

try:
    result = run_signals(cfg)
except Exception as exc:  # noqa: BLE001 - the page shows every failure as a message
    fail(exc)
    result = None

if result is not None:
    st.vega_lite_chart(
        charts.signal_histogram_rows(result),
        charts.signal_histograms_spec(result),
        key="ai_hist",
        width="content",
    )
    note = _(
        "Bars are shares of each layer's values; every layer shares one x range, so a shrinking signal shows."
    )
    if result.drops_zeros:
        note += " " + _("Exact zeros (inactive ReLUs) are left out of the bars; their share is in the table.")
    st.caption(note)
    left, right = st.columns([1.5, 1])
    with left:
        st.dataframe(
            result.table(),
            hide_index=True,
            key="ai_table",
            column_config={
                "layer": st.column_config.NumberColumn(_(TABLE_LABELS["layer"]), format="%d"),
                "act. mean": st.column_config.NumberColumn(_(TABLE_LABELS["act. mean"]), format="%.3g"),
                "act. std": st.column_config.NumberColumn(_(TABLE_LABELS["act. std"]), format="%.3g"),
                "saturated": st.column_config.NumberColumn(
                    _(TABLE_LABELS["saturated"]),
                    format="percent",
                    help=_("Share of outputs in sigmoid/tanh's flat tails (<0.05 or >0.95)."),
                ),
                "zero outputs": st.column_config.NumberColumn(
                    _(TABLE_LABELS["zero outputs"]), format="percent", help=_("Share of outputs exactly 0.")
                ),
                "dead units": st.column_config.NumberColumn(
                    _(TABLE_LABELS["dead units"]),
                    format="percent",
                    help=_("Share of ReLU units that output 0 for every input."),
                ),
                "grad. std": st.column_config.NumberColumn(_(TABLE_LABELS["grad. std"]), format="%.3g"),
            },
        )
        last = result.layers[-1]
        numbers = {
            "std": f"{last.std:.3g}",
            "saturated": f"{last.saturated:.0%}",
            "zeros": f"{last.zero_share:.0%}",
            "layer": last.layer,
            "g_last": f"{last.grad_std:.2g}",
            "g_first": f"{result.layers[0].grad_std:.2g}",
        }
        if np.isfinite(result.gradient_factor()):
            st.markdown(
                _(
                    "Last layer: std **{std}**, saturated **{saturated}**, zero outputs **{zeros}**; "
                    "gradient std from layer {layer} back to 1: **{g_last} → {g_first}**, ×{factor} per "
                    "layer on the way back.",
                    factor=f"{result.gradient_factor():.2g}",
                    **numbers,
                )
            )
        else:
            st.markdown(
                _(
                    "Last layer: std **{std}**, saturated **{saturated}**, zero outputs **{zeros}**; "
                    "gradient std from layer {layer} back to 1: **{g_last} → {g_first}**.",
                    **numbers,
                )
            )
    with right:
        st.plotly_chart(charts.signal_std_chart(result), key="ai_std", config={"displayModeBar": False})

    try:
        query, notes = signal_query(cfg)
        try:
            st.page_link(
                "pages/live_playground.py",
                label=_("Open this setup in the Playground ↗"),
                query_params=query,
                help=_("The Playground with this activation, initialization, depth, width and batch norm."),
            )
        except Exception:  # noqa: BLE001 - outside the app's navigation (a page run on its own)
            st.link_button(
                _("Open this setup in the Playground ↗"), playground_url(query, "/"), key="ai_link"
            )
        for n in notes:
            st.caption(n)
    except Exception as exc:  # noqa: BLE001
        log.warning("no playground link: %s", exc)

st.divider()
st.header(_("Vanishing and exploding signals: a deep linear net"))
st.markdown(
    _(
        "Take identity activations and give every layer the same weight gain *w*. Then layer *l* holds "
        "$w^l x$ on the way forward and receives $w^{L-l}\\,g$ on the way back: above 1 the signals "
        "**explode** exponentially with depth, below 1 they **vanish** (Ng's example with $W^{[l]} = "
        "\\mathrm{diag}(1.5)$). Dashed lines are $w^l$; points are measured on the engine's network."
    )
)
d1, d2, d3, d4 = st.columns([1.6, 1, 1, 1.2])
ws = d1.multiselect(
    _("Weight gain w"),
    [0.5, 0.8, 0.9, 1.0, 1.1, 1.2, 1.5, 2.0],
    default=[0.5, 1.0, 1.5],
    key="ai_lin_ws",
    help=_("Each value adds a curve: every weight matrix multiplies the signal by w."),
)
lin_depth = d2.slider(_("Layers L"), 2, 60, 20, key="ai_lin_depth", help=_("Depth of the linear net."))
lin_width = d3.slider(_("Units"), 2, 50, 2, key="ai_lin_width", help=_("Width of every layer (Ng uses 2)."))
mode = d4.radio(
    _("Weights"),
    list(LINEAR_MODES),
    format_func=lambda k: _("w·I (diagonal)") if k == "diagonal" else _("random, gain w"),
    key="ai_lin_mode",
    help=_("w·I multiplies by exactly w; random N(0, w²/n) matrices do so on average."),
)
if not ws:
    st.info(_("Pick at least one weight gain w."))
else:
    try:
        curves = deep_linear(sorted(ws), depth=lin_depth, width=lin_width, mode=mode)
        st.plotly_chart(
            charts.deep_linear_chart(curves), key="ai_lin_chart", config={"displayModeBar": False}
        )
        summary = _(", ").join(
            _(
                "w = {w}: activations {first} → {last}",
                w=f"{c.w:g}",
                first=f"{c.activation_rms[0]:.2g}",
                last=f"{c.activation_rms[-1]:.2g}",
            )
            for c in curves
        )
        st.caption(
            _(
                "From layer 1 to layer {depth} ({width} units): {summary}. {mode}.",
                depth=lin_depth,
                width=lin_width,
                summary=summary,
                mode=_(LINEAR_MODES[mode]),
            )
        )
        if any(not np.all(np.isfinite(c.activation_rms)) for c in curves):
            st.warning(_("Some signals overflowed to infinity: that is the explosion, taken to its end."))
    except Exception as exc:  # noqa: BLE001
        fail(exc)
