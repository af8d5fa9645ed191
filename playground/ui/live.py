"""The live views: decision boundary, network view, curves, histograms, gradient health, metrics.

``render_live`` draws everything from an ``Experiment``; the page calls it inside an ``st.fragment``
whose ``run_every`` is set while playing, and while playing one run of it trains a few epochs and
redraws this part every interval for about half a second (``playground.ui.liveloop``). Images go out as
PNG data URIs; the curves, confusion matrix and internals are small SVG documents set in place
(``playground.ui.svgview``), and the network view is a component updated in place
(``playground.ui.netview``), so nothing is re-mounted per update.
"""

from __future__ import annotations

import html
import math
import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from playground.experiment import Experiment
from playground.i18n import N_, _, fmt_number
from playground.ui import netview, svgview
from playground.ui.charts import image
from playground.ui.page import plain
from playground.viz import curves, histograms, palette, svgcharts
from playground.viz.boundary import boundary_figure, boundary_image

HIST_BINS = 24
CHART_WIDTH = 320
# Plot width (px) of the curves: with axes and legend it fits the page's curves column at 1280 px.
VIEW_COLUMNS = [1.25, 1]
# Network | output, and curves | metrics beneath (the output column holds the 320 px boundary).


# ------------------------------------------------------------------------------------------------
# data for the views (pure functions of the experiment; tested without a browser)


def network_maps(exp: Experiment) -> list[np.ndarray]:
    """Per layer (inputs, hidden…, output) the (n, g, g) maps in [-1, 1] the network view draws."""
    maps = exp.neuron_maps()
    inputs = maps["inputs"]
    scale = np.abs(inputs).reshape(len(inputs), -1).max(axis=1)
    inputs = inputs / np.where(scale > 0, scale, 1.0)[:, None, None]
    out = maps["output"]
    if exp.task == "regression":
        out = out[None] if out.ndim == 2 else out
    else:
        out = 2.0 * (out[None] if out.ndim == 2 else out) - 1.0  # probability 0..1 -> -1..1
    return [inputs, *maps["hidden"], out]


def network_arrays(exp: Experiment) -> tuple[list[int], list[np.ndarray], list[np.ndarray] | None]:
    """(layer sizes, unit weight matrices, biases or None) for the network view."""
    net = exp.network
    sizes = net.layer_sizes()
    weights = net.unit_weights()
    biases = []
    for h in net.hidden_layers:
        b = h.dense.b.value
        if b.size != h.activation.width:  # maxout: pieces per unit, no single bias to draw
            return sizes, weights, None
        biases.append(b)
    biases.append(net.output.b.value)
    return sizes, weights, biases


SPLIT_NAMES = {"train": "train", "val": "validation", "test": "test"}
# The curves' ``split`` values (language-free data; the charts label them, ``viz.curves``).
SPLIT_LABELS = {"train": N_("train"), "val": N_("validation"), "test": N_("test")}
# A metrics split as the learner reads it (translated where shown).
LIVE_POINTS = 160
# Epochs per series the live charts draw (evenly spaced, first and last kept): about two pixels per point at
# the charts' width. The browser's cost of a Vega update grows with its rows, and the curves go out on every
# tick (500 points per series were 2 000 rows and 64 kB of Arrow per tick); the downloadable history keeps
# every epoch.


def curve_series(
    history: list[dict[str, Any]], metrics: tuple[str, ...], log_scale: bool = False
) -> dict[str, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Per metric, per split ("train", "validation", "test") the (epochs, values) the curves draw: at
    most ``LIVE_POINTS`` evenly spaced epochs (first and last kept), finite values only (positive ones
    for a log-scale loss). Built with NumPy, no per-row Python dicts: this runs on every tick."""
    rows = curves.downsample(history, LIVE_POINTS)
    epochs = np.array([r["epoch"] for r in rows], dtype=np.float64)
    out: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
    for metric in metrics:
        per_split = out.setdefault(metric, {})
        for key, name in SPLIT_NAMES.items():
            raw = [r.get(f"{key}_{metric}") for r in rows]
            if all(v is None for v in raw):
                continue
            v = np.array([np.nan if x is None else x for x in raw], dtype=np.float64)
            ok = np.isfinite(v) & (v > 0 if log_scale and metric == "loss" else True)
            per_split[name] = (epochs[ok], v[ok])
    return out


def loss_table(history: list[dict[str, Any]], metrics: tuple[str, ...], log_scale: bool = False) -> pa.Table:
    """The curves' points as long-format (epoch, split, metric, value) rows (for tests and notebooks)."""
    cols: dict[str, list] = {"epoch": [np.zeros(0)], "split": [], "metric": [], "value": [np.zeros(0)]}
    for metric, per_split in curve_series(history, metrics, log_scale).items():
        for name, (x, v) in per_split.items():
            cols["epoch"].append(x)
            cols["value"].append(v)
            cols["split"] += [name] * len(x)
            cols["metric"] += [metric] * len(x)
    return pa.table(
        {
            "epoch": np.concatenate(cols["epoch"]),
            "split": pa.array(cols["split"], pa.string()),
            "metric": pa.array(cols["metric"], pa.string()),
            "value": np.concatenate(cols["value"]),
        }
    )


def loss_rows(history: list[dict[str, Any]], metric: str, log_scale: bool) -> pd.DataFrame:
    """The same rows as a DataFrame (for tests and notebooks)."""
    return loss_table(history, (metric,), log_scale).to_pandas()


_LAYER = re.compile(r"layer (\d+)")


def layer_label(name: str) -> str:
    """A hidden layer's name as the charts show it ("layer 2" in the active language)."""
    m = _LAYER.fullmatch(str(name))
    return _("layer {n}", n=int(m.group(1))) if m else str(name)


def health_frame(
    records: list[dict[str, Any]], field: str, positive: bool, max_epochs: int = LIVE_POINTS
) -> pd.DataFrame:
    """Rows (epoch, layer, value) of :func:`health_series` (for tests and notebooks)."""
    series = health_series(records, field, positive, max_epochs)
    return pd.DataFrame(
        {
            "epoch": np.concatenate([np.zeros(0), *(x for x, _v in series.values())]),
            "layer": [layer for layer, (x, _v) in series.items() for _i in range(len(x))],
            field: np.concatenate([np.zeros(0), *(v for _x, v in series.values())]),
        },
        columns=["epoch", "layer", field],
    )


def fmt(v: float | None, pattern: str = "{:.3f}") -> str:
    """A metric for the header; huge values (a run blowing up) in scientific notation so they fit."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    if abs(v) >= 1e5 and "%" not in pattern:
        return f"{v:.3g}"
    return pattern.format(v)


# ------------------------------------------------------------------------------------------------
# drawing


def render_header(exp: Experiment) -> None:
    """The epoch counter and the current losses (TF Playground's top bar)."""
    rec = exp.history[-1]
    cols = st.columns(4)
    cols[0].metric(_("Epoch"), fmt_number(exp.epoch))
    cols[1].metric(_("Training loss"), fmt(rec.get("train_loss")))
    cols[2].metric(_("Test loss"), fmt(rec.get("test_loss")))
    if exp.task == "regression":
        all_metrics = exp.metrics()
        m = all_metrics.get("test") or all_metrics["train"]
        cols[3].metric(_("Test R²"), fmt(m["r2"]))
    else:
        acc = rec.get("test_acc") if rec.get("test_acc") is not None else rec.get("train_acc")
        cols[3].metric(_("Test accuracy"), fmt(acc, "{:.1%}"))


def render_boundary(exp: Experiment, interactive: bool) -> None:
    cfg = exp.config.view
    train = exp.view_points("train")
    test = exp.view_points("test") if cfg.show_test else None
    values = exp.grid_values()
    if interactive:
        fig = boundary_figure(
            values,
            exp.task,
            x_range=exp.x_range,
            y_range=exp.y_range,
            train=train,
            test=test,
            class_names=exp.class_names,
            discretize=cfg.discretize,
            height=420,
        )
        st.plotly_chart(fig, key="plotly_boundary", config={"displaylogo": False})
        return
    img = boundary_image(
        values,
        exp.task,
        x_range=exp.x_range,
        y_range=exp.y_range,
        train=train,
        test=test,
        discretize=cfg.discretize,
        scale=exp.boundary_scale,
    )
    names = exp.dataset.view_names
    image(
        img,
        caption=_("Output over the ({x}, {y}) plane", x=plain(names[0]), y=plain(names[1])),
        width="stretch",
    )
    if exp.task != "regression":
        chips = " ".join(
            f"<span style='color:{c}'>●</span> {html.escape(n)}"
            for c, n in zip(_class_colors(len(exp.class_names)), exp.class_names, strict=True)
        )
        faint = html.escape(_("faint: less confident"))
        st.markdown(f"<small>{chips} · {faint}</small>", unsafe_allow_html=True)  # i18n: not text


def _class_colors(k: int) -> list[str]:
    from playground.viz import palette

    return palette.class_colors(k)


def render_network(exp: Experiment, interactive: bool) -> None:
    """The network view: a live component to click, edit and hover (``playground.ui.netview``)."""
    netview.render(exp)


CURVES_TITLE = N_("Loss (train · validation · test)")
CURVE_HEIGHTS = {"loss": 150, "acc": 80}


def curves_document(exp: Experiment) -> str:
    """The loss (and accuracy) curves of ``exp`` as one SVG document (``playground.viz.svgcharts``)."""
    log_scale = exp.config.view.log_scale
    metrics_shown = ("loss",) if exp.task == "regression" else ("loss", "acc")
    series = curve_series(exp.history, metrics_shown, log_scale)
    panels = [
        svgcharts.Panel(m, series[m], height=CURVE_HEIGHTS[m], log=log_scale and m == "loss")
        for m in metrics_shown
    ]
    return svgcharts.curves_svg(panels, width=CHART_WIDTH, title=_(CURVES_TITLE))


def render_curves(exp: Experiment) -> None:
    """Loss (and accuracy) curves: one small SVG document per tick, set in place (as a Vega chart they
    took most of the browser's main thread while playing; see ``playground.viz.svgcharts``)."""
    svgview.show(curves_document(exp), key="live_curves")


def render_metrics(exp: Experiment) -> None:
    with st.container(key="live_metrics"):
        _render_metrics(exp)


def _render_metrics(exp: Experiment) -> None:
    m = exp.metrics()
    part = "test" if "test" in m else "train"
    if exp.task == "regression":
        rows = [
            {
                _("split"): _(SPLIT_LABELS.get(k, k)),
                "RMSE": fmt(v["rmse"], "{:.4f}"),
                "R²": fmt(v["r2"], "{:.4f}"),
                _("points"): v["n"],
            }
            for k, v in m.items()
        ]
        st.markdown("**" + _("Metrics") + "**")  # i18n: not text
        st.dataframe(pd.DataFrame(rows), hide_index=True, key=None)
        return
    where = {"train": N_("Confusion matrix on the training points (rows: actual class)."),
             "val": N_("Confusion matrix on the validation points (rows: actual class)."),
             "test": N_("Confusion matrix on the test points (rows: actual class).")}  # fmt: skip
    accuracies = " · ".join(
        _("**{split}** accuracy {value}", split=_(SPLIT_LABELS.get(k, k)), value=fmt(v["accuracy"], "{:.1%}"))
        for k, v in m.items()
    )
    note = html.escape(_(where.get(part, where["test"])))
    st.markdown(
        "**" + _("Metrics") + "** — " + accuracies + f"  \n<small>{note}</small>",  # i18n: not text
        unsafe_allow_html=True,
    )
    names = list(exp.class_names)
    svg = svgcharts.confusion_svg(m[part]["confusion"], names, size=170 if len(names) <= 3 else 230)
    svgview.show(svg, key="live_confusion")


def health_series(
    records: list[dict[str, Any]], field: str, positive: bool, max_epochs: int = LIVE_POINTS
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per layer (as the charts name it) the (epochs, values) of one health field, finite (and
    positive: ``positive``) values only, thinned to about ``max_epochs`` evenly spaced epochs."""
    epochs = sorted({r["epoch"] for r in records})
    keep = set(epochs)
    if len(epochs) > max_epochs:
        idx = np.unique(np.linspace(0, len(epochs) - 1, max_epochs).round().astype(int))
        keep = {epochs[i] for i in idx}
    per_layer: dict[str, tuple[list[float], list[float]]] = {}
    for r in records:
        v = r.get(field)
        if r["epoch"] not in keep or v is None or not math.isfinite(v) or (positive and v <= 0):
            continue
        xs, vs = per_layer.setdefault(layer_label(r["layer"]), ([], []))
        xs.append(r["epoch"])
        vs.append(v)
    return {k: (np.asarray(x, dtype=float), np.asarray(v, dtype=float)) for k, (x, v) in per_layer.items()}


def internals_documents(exp: Experiment) -> dict[str, str]:
    """The slower views as SVG documents: "histograms" (activations per layer, pre → post) and, once an
    epoch has been trained, "grad" (gradient norm per layer, log scale) and "dead" (dead units)."""
    probe = exp.probe()
    titles = {k: _(histograms.KIND_TITLES[k]) for k in ("pre", "post")}
    docs = {
        "histograms": svgcharts.histograms_svg(
            [(layer_label(p["name"]), {"pre": p["pre"], "post": p["post"]}) for p in probe],
            bins=HIST_BINS,
            titles=titles,
        )
    }
    recs = exp.trainer.health
    if recs:
        layers = list(dict.fromkeys(layer_label(r["layer"]) for r in recs[: len(exp.network.hidden_layers)]))
        styles = {
            name: (color, (1, 0), name)
            for name, color in zip(layers, palette.layer_colors(len(layers)), strict=True)
        }
        grad = svgcharts.Panel(
            "grad_norm", health_series(recs, "grad_norm", True), height=150, log=True,
            title=_("gradient norm (log scale)"),
        )  # fmt: skip
        dead = svgcharts.Panel(
            "dead_fraction", health_series(recs, "dead_fraction", False), height=110,
            title=_("dead units"), domain=(0.0, 1.0),
        )  # fmt: skip
        docs["grad"] = svgcharts.curves_svg([grad], width=CHART_WIDTH, styles=styles)
        docs["dead"] = svgcharts.curves_svg([dead], width=CHART_WIDTH, styles=styles)
    return docs


def render_internals(exp: Experiment) -> None:
    """Activation histograms and gradient health, as SVG (every 0.5 s while playing)."""
    if not exp.network.hidden_layers:
        st.caption(_("No hidden layers: nothing inside to look at."))
        return
    docs = internals_documents(exp)
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(_("**Activations per layer** (pre → post)"))
        svgview.show(docs["histograms"], key="live_histograms")
    with c2:
        st.markdown(_("**Gradient norm per layer** (log scale)"))
        if "grad" in docs:
            svgview.show(docs["grad"], key="live_grad")
            st.markdown(_("**Dead units** (output 0 for every input)"))
            svgview.show(docs["dead"], key="live_dead")
        else:
            st.caption(_("Train an epoch to see the gradients."))


def render_live(exp: Experiment, *, interactive: bool = False, internals: bool = False) -> None:
    """The fast live views, in TF Playground's order: counter, network | output, curves | metrics
    (``internals``: the histograms and gradient health too; the page draws those once per fragment run)."""
    render_header(exp)
    # Headings live in captions, chart titles and the metrics line: every element counts on each tick.
    left, right = st.columns(VIEW_COLUMNS, gap="medium")
    with left:
        render_network(exp, interactive)
    with right:
        render_boundary(exp, interactive)
    left, right = st.columns(VIEW_COLUMNS, gap="medium")
    with left:
        render_curves(exp)
    with right:
        render_metrics(exp)
    if internals:
        render_internals(exp)
