"""Lesson: backpropagation step by step on a computational graph; gradient descent; gradient check."""

from __future__ import annotations

import logging

import streamlit as st

from playground.engine import ACTIVATIONS
from playground.i18n import N_, _, ngettext
from playground.lessons.descent import (
    MODES,
    CheckConfig,
    check_network,
    entry_label,
    error_vs_h,
    fit_line,
    gradient_check,
    parameter_entries,
)
from playground.lessons.graph import EXAMPLES, graph_view, net221_engine_gradients
from playground.ui.page import route_through_app, show_error
from playground.viz import lessons as charts

route_through_app()

log = logging.getLogger(__name__)
ROLE_NAMES = {"input": N_("input"), "param": N_("parameter"), "const": N_("constant")}


def fail(exc: Exception) -> None:
    show_error(exc, log, _("Something went wrong with these values. Try other ones, or press Reset."))


def state() -> dict:
    """Forward and backward step counters of the current example."""
    return st.session_state.setdefault("bp_steps", {"fwd": 0, "bwd": 0})


def reset_steps() -> None:
    st.session_state["bp_steps"] = {"fwd": 0, "bwd": 0}


def step_forward(n: int) -> None:
    s = state()
    s["fwd"] = min(s["fwd"] + 1, n)


def step_backward(n_fwd: int, n_bwd: int) -> None:
    s = state()
    if s["fwd"] < n_fwd:
        s["fwd"] = n_fwd
    s["bwd"] = min(s["bwd"] + 1, n_bwd)


def run_all(n_fwd: int, n_bwd: int) -> None:
    st.session_state["bp_steps"] = {"fwd": n_fwd, "bwd": n_bwd}


st.title(_("Backpropagation, step by step"))
st.markdown(
    _(
        "A computation is a graph of small operations. **Forward** fills in each node's value from its "
        "inputs; **backward** starts from ∂out/∂out = 1 and walks the edges in reverse, multiplying the "
        "gradient arriving at a node by the edge's local derivative (the chain rule) and adding up where "
        "paths meet. Step through the examples, edit any input, and watch every number update."
    )
)
graph_tab, descent_tab, check_tab = st.tabs(
    [_("Computational graph"), _("Learning y = 2x"), _("Gradient check")]
)

with graph_tab:
    key = st.selectbox(
        _("Example"),
        list(EXAMPLES),
        format_func=lambda k: _(EXAMPLES[k].title),
        key="bp_example",
        on_change=reset_steps,
        help=_("Each example is a list of nodes; the same small autodiff runs them all."),
    )
    graph = EXAMPLES[key]
    leaves = [n for n in graph.nodes if n.is_leaf and n.op != "const"]
    with st.expander(_("Input values (edit any)"), expanded=False):
        cols = st.columns(min(6, max(1, len(leaves))))
        values = {}
        for i, node in enumerate(leaves):
            values[node.name] = cols[i % len(cols)].number_input(
                node.title,
                value=float(node.value),
                step=0.1,
                format="%.4g",
                key=f"bp_in_{key}_{node.name}",
                help=_("A {role} of the graph.", role=_(ROLE_NAMES[node.op])),
            )
    try:
        trace = graph.trace(values)
    except Exception as exc:  # noqa: BLE001
        fail(exc)
        trace = None
    if trace is not None:
        n_fwd, n_bwd = len(trace.forward_steps), len(trace.backward_steps)
        s = state()
        s["fwd"], s["bwd"] = min(s["fwd"], n_fwd), min(s["bwd"], n_bwd)
        b1, b2, b3, b4, b5 = st.columns([1, 1, 1, 1, 2.4])
        b1.button(
            _("Forward ▶"),
            key="bp_forward",
            on_click=step_forward,
            args=(n_fwd,),
            disabled=s["fwd"] >= n_fwd,
            help=_("Compute the next node's value."),
        )
        b2.button(
            _("◀ Backward"),
            key="bp_backward",
            on_click=step_backward,
            args=(n_fwd, n_bwd),
            disabled=s["bwd"] >= n_bwd,
            help=_("Send the gradient along the next edge (finishes the forward pass first)."),
        )
        b3.button(
            _("Run all"), key="bp_all", on_click=run_all, args=(n_fwd, n_bwd), help=_("Every step at once.")
        )
        b4.button(_("Reset"), key="bp_reset", on_click=reset_steps, help=_("Back to the inputs only."))
        b5.markdown(
            _(
                "Forward **{fwd}/{n_fwd}** nodes · backward **{bwd}/{n_bwd}** edges",
                fwd=s["fwd"],
                n_fwd=n_fwd,
                bwd=s["bwd"],
                n_bwd=n_bwd,
            )
        )

        try:
            st.graphviz_chart(charts.graph_dot(graph_view(graph, trace, s["fwd"], s["bwd"])), width="stretch")
        except Exception as exc:  # noqa: BLE001
            fail(exc)
        if s["bwd"] > 0:
            step = trace.backward_steps[s["bwd"] - 1]
            st.success(
                _("**Backward step {k}:** {text}", k=s["bwd"], text=step.text), icon=":material/arrow_back:"
            )
        elif s["fwd"] > 0:
            step = trace.forward_steps[s["fwd"] - 1]
            st.info(
                _("**Forward step {k}:** {text}", k=s["fwd"], text=step.text), icon=":material/arrow_forward:"
            )
        else:
            st.info(_("Press **Forward ▶** to compute the first node."), icon=":material/arrow_forward:")
        st.caption(_(graph.description))

        left, right = st.columns(2)
        with left:
            st.markdown(_("**Forward pass**"))
            for i, f in enumerate(trace.forward_steps[: s["fwd"]], start=1):
                st.markdown(f"{i}. `{f.text}`")
        with right:
            st.markdown(_("**Backward pass** (local derivative × gradient from above)"))
            for i, b in enumerate(trace.backward_steps[: s["bwd"]], start=1):
                st.markdown(f"{i}. `{b.text}`")
        if s["bwd"] >= n_bwd:
            out = graph.node_map[graph.output].title
            rows = [
                {
                    "node": n.title,
                    "kind": _(ROLE_NAMES[n.op]),
                    "value": trace.values[n.name],
                    f"∂{out}/∂node": trace.grads[n.name],
                }
                for n in graph.nodes
                if n.is_leaf
            ]
            st.dataframe(
                rows,
                hide_index=True,
                key="bp_grads",
                column_config={
                    "node": st.column_config.TextColumn(_("node")),
                    "kind": st.column_config.TextColumn(_("kind")),
                    "value": st.column_config.NumberColumn(_("value")),
                    f"∂{out}/∂node": st.column_config.NumberColumn(_("∂{out}/∂node", out=out)),
                },
            )
            if key == "net221":
                engine = net221_engine_gradients(values)
                diff = max(abs(engine[k] - trace.grads[k]) for k in engine)
                st.success(
                    _(
                        "The engine's backprop (`Network(hidden=[2], activation='sigmoid', task='binary')` "
                        "with these weights) gives the same gradients: largest difference {diff}.",
                        diff=f"{diff:.1e}",
                    ),
                    icon=":material/check_circle:",
                )

with descent_tab:
    st.markdown(
        _(
            "The PyTorch tutorial's first model: ŷ = w·x on (1, 2), (2, 4), (3, 6), squared error, w "
            "starting at 1. Each update moves w by −α·∂L/∂w with ∂L/∂w = 2x(wx − y). A small α creeps "
            "toward w = 2; a large one **overshoots** past 2 and back; too large and it diverges."
        )
    )
    d1, d2, d3, d4 = st.columns(4)
    lr = d1.number_input(
        _("learning rate α"),
        1e-4,
        10.0,
        0.01,
        format="%.4g",
        key="gd_lr",
        help=_("Try 0.1 (overshoot) or 0.25."),
    )
    epochs = d2.number_input(
        _("epochs"), 1, 1000, 10, key="gd_epochs", help=_("Passes over the three examples.")
    )
    w0 = d3.number_input(_("initial w"), -100.0, 100.0, 1.0, key="gd_w0", help=_("Where w starts."))
    mode = d4.radio(
        _("update rule"),
        list(MODES),
        format_func=lambda k: _("per example") if k == "sample" else _("per epoch (full batch)"),
        key="gd_mode",
        help=_("One update per example (as the tutorial) or one per epoch with the mean gradient."),
    )
    try:
        fit = fit_line(float(lr), int(epochs), float(w0), mode)
        final = fit.w[-1]
        if fit.diverged:
            st.error(
                ngettext(
                    "Diverged: w left ±10⁶ after {n} epoch. Lower the learning rate.",
                    "Diverged: w left ±10⁶ after {n} epochs. Lower the learning rate.",
                    len(fit.w) - 1,
                ),
                icon=":material/trending_up:",
            )
        elif abs(final - 2.0) > abs(fit.w[0] - 2.0) + 1e-12:
            st.warning(
                _("w ends at {w}, further from 2 than it started: α is too large.", w=f"{final:.4g}"),
                icon=":material/trending_up:",
            )
        elif fit.overshoots:
            st.warning(
                ngettext(
                    "w overshoots past 2 and comes back; after {n} epoch w = {w}.",
                    "w overshoots past 2 and comes back; after {n} epochs w = {w}.",
                    len(fit.w) - 1,
                    w=f"{final:.6g}",
                ),
                icon=":material/swap_horiz:",
            )
        else:
            st.info(
                ngettext(
                    "After {n} epoch w = **{w}** (target 2), loss {loss}.",
                    "After {n} epochs w = **{w}** (target 2), loss {loss}.",
                    len(fit.w) - 1,
                    w=f"{final:.6g}",
                    loss=f"{fit.loss[-1]:.3g}",
                )
            )
        g1, g2 = st.columns(2)
        g1.altair_chart(charts.line_fit_chart(fit), width="stretch", key="gd_w_chart")
        g2.altair_chart(charts.line_loss_chart(fit), width="stretch", key="gd_loss_chart")
        st.dataframe(
            fit.rows(),
            hide_index=True,
            key="gd_table",
            column_config={
                "epoch": st.column_config.NumberColumn(_("epoch")),
                "w": st.column_config.NumberColumn(format="%.6g"),
                "dL/dw": st.column_config.NumberColumn(
                    format="%.4g", help=_("Full-data gradient at this w.")
                ),
                "loss": st.column_config.NumberColumn(
                    _("loss"), format="%.4g", help=_("Mean squared error at this w.")
                ),
            },
        )
    except Exception as exc:  # noqa: BLE001
        fail(exc)

with check_tab:
    st.markdown(
        _(
            "Backprop's gradient can be checked against the definition of a derivative: nudge one weight "
            "by ±h and measure the change of the loss, (L(θ + h) − L(θ − h))/2h. They should agree to a "
            "relative error around 1e-7 or better; a bug shows as 1e-3 or worse. Too small an h drowns in "
            "rounding error."
        )
    )
    k1, k2, k3, k4 = st.columns(4)
    act = k1.selectbox(
        _("activation function"),
        [a for a in ACTIVATIONS if a not in ("rrelu",)],
        index=list(ACTIVATIONS).index("tanh"),
        format_func=lambda a: _(ACTIVATIONS[a].label),
        key="gc_act",
        help=_("The hidden layer's activation (ReLU's kink can spoil the estimate when h crosses it)."),
    )
    hidden = k2.slider(_("hidden units"), 1, 8, 3, key="gc_hidden", help=_("A 2-n-1 network."))
    seed = k3.number_input(
        _("seed"), 0, 10_000, 0, key="gc_seed", help=_("Seeds the weights and the 8 examples.")
    )
    h = k4.select_slider(
        _("step h"),
        [10.0**-e for e in range(1, 13)],
        value=1e-5,
        format_func=lambda v: f"{v:.0e}",
        key="gc_h",
        help=_("The finite-difference step."),
    )
    try:
        cfg = CheckConfig(hidden=(int(hidden),), activation=act, seed=int(seed))
        net, _x, _y = check_network(cfg)
        entries = parameter_entries(net)
        labels = [entry_label(n, i) for n, i in entries]
        choice = st.selectbox(
            _("weight"), labels, index=min(1, len(labels) - 1), key="gc_param", help=_("Which θ to nudge.")
        )
        pname, idx = entries[labels.index(choice)]
        res = gradient_check(cfg, pname, idx, float(h))
        m1, m2, m3 = st.columns(3)
        m1.metric(_("backprop ∂L/∂θ"), f"{res.analytic:.10g}")
        m2.metric(_("finite difference"), f"{res.numeric:.10g}")
        m3.metric(_("relative error"), f"{res.relative_error:.2e}")
        if res.relative_error < 1e-7:
            st.success(_("Agreement to better than 1e-7: backprop is right."), icon=":material/check_circle:")
        elif res.relative_error < 1e-3:
            st.info(
                _("Close, but not to 1e-7: try another h (or a kink of ReLU is near)."),
                icon=":material/search:",
            )
        else:
            st.warning(
                _("They disagree: h is far from ideal, or the function has a kink here."),
                icon=":material/warning:",
            )
        hs, errs = error_vs_h(cfg, pname, idx)
        st.altair_chart(charts.gradcheck_chart(hs, errs, float(h)), width="stretch", key="gc_chart")
    except Exception as exc:  # noqa: BLE001
        fail(exc)
