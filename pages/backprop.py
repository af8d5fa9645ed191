"""Lesson: backpropagation step by step on a computational graph; gradient descent; gradient check."""

from __future__ import annotations

import logging

import streamlit as st

from playground.engine import ACTIVATIONS
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
ROLE_NAMES = {"input": "input", "param": "parameter", "const": "constant"}


def fail(exc: Exception) -> None:
    show_error(exc, log, "Something went wrong with these values. Try other ones, or press Reset.")


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


st.title("Backpropagation, step by step")
st.markdown(
    "A computation is a graph of small operations. **Forward** fills in each node's value from its inputs; "
    "**backward** starts from ∂out/∂out = 1 and walks the edges in reverse, multiplying the gradient "
    "arriving at a node by the edge's local derivative (the chain rule) and adding up where paths meet. "
    "Step through the examples, edit any input, and watch every number update."
)
graph_tab, descent_tab, check_tab = st.tabs(["Computational graph", "Learning y = 2x", "Gradient check"])

with graph_tab:
    key = st.selectbox(
        "Example",
        list(EXAMPLES),
        format_func=lambda k: EXAMPLES[k].title,
        key="bp_example",
        on_change=reset_steps,
        help="Each example is a list of nodes; the same small autodiff runs them all.",
    )
    graph = EXAMPLES[key]
    leaves = [n for n in graph.nodes if n.is_leaf and n.op != "const"]
    with st.expander("Input values (edit any)", expanded=False):
        cols = st.columns(min(6, max(1, len(leaves))))
        values = {}
        for i, node in enumerate(leaves):
            values[node.name] = cols[i % len(cols)].number_input(
                node.title,
                value=float(node.value),
                step=0.1,
                format="%.4g",
                key=f"bp_in_{key}_{node.name}",
                help=f"A {ROLE_NAMES[node.op]} of the graph.",
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
            "Forward ▶",
            key="bp_forward",
            on_click=step_forward,
            args=(n_fwd,),
            disabled=s["fwd"] >= n_fwd,
            help="Compute the next node's value.",
        )
        b2.button(
            "◀ Backward",
            key="bp_backward",
            on_click=step_backward,
            args=(n_fwd, n_bwd),
            disabled=s["bwd"] >= n_bwd,
            help="Send the gradient along the next edge (finishes the forward pass first).",
        )
        b3.button("Run all", key="bp_all", on_click=run_all, args=(n_fwd, n_bwd), help="Every step at once.")
        b4.button("Reset", key="bp_reset", on_click=reset_steps, help="Back to the inputs only.")
        b5.markdown(f"Forward **{s['fwd']}/{n_fwd}** nodes · backward **{s['bwd']}/{n_bwd}** edges")

        try:
            st.graphviz_chart(charts.graph_dot(graph_view(graph, trace, s["fwd"], s["bwd"])), width="stretch")
        except Exception as exc:  # noqa: BLE001
            fail(exc)
        if s["bwd"] > 0:
            step = trace.backward_steps[s["bwd"] - 1]
            st.success(f"**Backward step {s['bwd']}:** {step.text}", icon=":material/arrow_back:")
        elif s["fwd"] > 0:
            step = trace.forward_steps[s["fwd"] - 1]
            st.info(f"**Forward step {s['fwd']}:** {step.text}", icon=":material/arrow_forward:")
        else:
            st.info("Press **Forward ▶** to compute the first node.", icon=":material/arrow_forward:")
        st.caption(graph.description)

        left, right = st.columns(2)
        with left:
            st.markdown("**Forward pass**")
            for i, f in enumerate(trace.forward_steps[: s["fwd"]], start=1):
                st.markdown(f"{i}. `{f.text}`")
        with right:
            st.markdown("**Backward pass** (local derivative × gradient from above)")
            for i, b in enumerate(trace.backward_steps[: s["bwd"]], start=1):
                st.markdown(f"{i}. `{b.text}`")
        if s["bwd"] >= n_bwd:
            out = graph.node_map[graph.output].title
            rows = [
                {
                    "node": n.title,
                    "kind": ROLE_NAMES[n.op],
                    "value": trace.values[n.name],
                    f"∂{out}/∂node": trace.grads[n.name],
                }
                for n in graph.nodes
                if n.is_leaf
            ]
            st.dataframe(rows, hide_index=True, key="bp_grads")
            if key == "net221":
                engine = net221_engine_gradients(values)
                diff = max(abs(engine[k] - trace.grads[k]) for k in engine)
                st.success(
                    f"The engine's backprop (`Network(hidden=[2], activation='sigmoid', task='binary')` "
                    f"with these weights) gives the same gradients: largest difference {diff:.1e}.",
                    icon=":material/check_circle:",
                )

with descent_tab:
    st.markdown(
        "The PyTorch tutorial's first model: ŷ = w·x on (1, 2), (2, 4), (3, 6), squared error, w starting "
        "at 1. Each update moves w by −α·∂L/∂w with ∂L/∂w = 2x(wx − y). A small α creeps toward w = 2; "
        "a large one **overshoots** past 2 and back; too large and it diverges."
    )
    d1, d2, d3, d4 = st.columns(4)
    lr = d1.number_input(
        "learning rate α", 1e-4, 10.0, 0.01, format="%.4g", key="gd_lr", help="Try 0.1 (overshoot) or 0.25."
    )
    epochs = d2.number_input("epochs", 1, 1000, 10, key="gd_epochs", help="Passes over the three examples.")
    w0 = d3.number_input("initial w", -100.0, 100.0, 1.0, key="gd_w0", help="Where w starts.")
    mode = d4.radio(
        "updates",
        list(MODES),
        format_func=lambda k: "per example" if k == "sample" else "per epoch (full batch)",
        key="gd_mode",
        help="One update per example (as the tutorial) or one per epoch with the mean gradient.",
    )
    try:
        fit = fit_line(float(lr), int(epochs), float(w0), mode)
        final = fit.w[-1]
        if fit.diverged:
            st.error(
                f"Diverged: w left ±10⁶ after {len(fit.w) - 1} epochs. Lower the learning rate.",
                icon=":material/trending_up:",
            )
        elif abs(final - 2.0) > abs(fit.w[0] - 2.0) + 1e-12:
            st.warning(
                f"w ends at {final:.4g}, further from 2 than it started: α is too large.",
                icon=":material/trending_up:",
            )
        elif fit.overshoots:
            st.warning(
                f"w overshoots past 2 and comes back; after {len(fit.w) - 1} epochs w = {final:.6g}.",
                icon=":material/swap_horiz:",
            )
        else:
            st.info(f"After {len(fit.w) - 1} epochs w = **{final:.6g}** (target 2), loss {fit.loss[-1]:.3g}.")
        g1, g2 = st.columns(2)
        g1.altair_chart(charts.line_fit_chart(fit), width="stretch", key="gd_w_chart")
        g2.altair_chart(charts.line_loss_chart(fit), width="stretch", key="gd_loss_chart")
        st.dataframe(
            fit.rows(),
            hide_index=True,
            key="gd_table",
            column_config={
                "w": st.column_config.NumberColumn(format="%.6g"),
                "dL/dw": st.column_config.NumberColumn(format="%.4g", help="Full-data gradient at this w."),
                "loss": st.column_config.NumberColumn(format="%.4g", help="Mean squared error at this w."),
            },
        )
    except Exception as exc:  # noqa: BLE001
        fail(exc)

with check_tab:
    st.markdown(
        "Backprop's gradient can be checked against the definition of a derivative: nudge one weight by ±h "
        "and measure the change of the loss, (L(θ + h) − L(θ − h))/2h. They should agree to a relative error "
        "around 1e-7 or better; a bug shows as 1e-3 or worse. Too small an h drowns in rounding error."
    )
    k1, k2, k3, k4 = st.columns(4)
    act = k1.selectbox(
        "activation",
        [a for a in ACTIVATIONS if a not in ("rrelu",)],
        index=list(ACTIVATIONS).index("tanh"),
        format_func=lambda a: ACTIVATIONS[a].label,
        key="gc_act",
        help="The hidden layer's activation (ReLU's kink can spoil the estimate when h crosses it).",
    )
    hidden = k2.slider("hidden units", 1, 8, 3, key="gc_hidden", help="A 2-n-1 network.")
    seed = k3.number_input("seed", 0, 10_000, 0, key="gc_seed", help="Seeds the weights and the 8 examples.")
    h = k4.select_slider(
        "step h",
        [10.0**-e for e in range(1, 13)],
        value=1e-5,
        format_func=lambda v: f"{v:.0e}",
        key="gc_h",
        help="The finite-difference step.",
    )
    try:
        cfg = CheckConfig(hidden=(int(hidden),), activation=act, seed=int(seed))
        net, _, _ = check_network(cfg)
        entries = parameter_entries(net)
        labels = [entry_label(n, i) for n, i in entries]
        choice = st.selectbox(
            "weight", labels, index=min(1, len(labels) - 1), key="gc_param", help="Which θ to nudge."
        )
        pname, idx = entries[labels.index(choice)]
        res = gradient_check(cfg, pname, idx, float(h))
        m1, m2, m3 = st.columns(3)
        m1.metric("backprop ∂L/∂θ", f"{res.analytic:.10g}")
        m2.metric("finite difference", f"{res.numeric:.10g}")
        m3.metric("relative error", f"{res.relative_error:.2e}")
        if res.relative_error < 1e-7:
            st.success("Agreement to better than 1e-7: backprop is right.", icon=":material/check_circle:")
        elif res.relative_error < 1e-3:
            st.info(
                "Close, but not to 1e-7: try another h (or a kink of ReLU is near).", icon=":material/search:"
            )
        else:
            st.warning(
                "They disagree: h is far from ideal, or the function has a kink here.",
                icon=":material/warning:",
            )
        hs, errs = error_vs_h(cfg, pname, idx)
        st.altair_chart(charts.gradcheck_chart(hs, errs, float(h)), width="stretch", key="gc_chart")
    except Exception as exc:  # noqa: BLE001
        fail(exc)
