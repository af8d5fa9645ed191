"""Training curves (loss, accuracy) as light Altair/Vega-Lite charts.

The live page rebuilds these every tick, so they carry no selections or tooltips, and histories longer
than ``MAX_POINTS`` epochs are thinned to evenly spaced rows (first and last always kept).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np

from playground.i18n import N_, _
from playground.viz import palette
from playground.viz.tables import frame
from playground.viz.tables import number as _number

MAX_POINTS = 500
SPLITS = ("train", "validation", "test")
_PREFIXES = {"train": ("train",), "validation": ("val", "validation"), "test": ("test",)}
METRIC_TITLES = {
    "loss": N_("loss"),
    "acc": N_("accuracy"),
    "accuracy": N_("accuracy"),
    "mse": N_("mean squared error"),
}
SPLIT_TITLES = {"train": N_("train"), "validation": N_("validation"), "test": N_("test")}
# What a legend shows for a split (the data keeps the language-free names).


def labels_expr(labels: Mapping[str, str]) -> str:
    """A Vega expression showing ``labels[value]`` for a legend's or a header's value (the data keeps
    language-free values; the spec, built per language, carries the words)."""
    expr = "datum.label"
    for value, text in labels.items():
        expr = f"datum.value === {_js(value)} ? {_js(text)} : ({expr})"
    return expr


def _js(text: str) -> str:
    import json

    return json.dumps(str(text), ensure_ascii=False)


def split_labels_expr() -> str:
    """The legend's labels of the train / validation / test curves, in the active language."""
    return labels_expr({s: _(t) for s, t in SPLIT_TITLES.items()})


def downsample(history: Sequence[Mapping], max_points: int = MAX_POINTS) -> list[Mapping]:
    """At most ``max_points`` evenly spaced rows of ``history``, keeping the first and the last."""
    rows = list(history)
    if len(rows) <= max_points or max_points < 2:
        return rows
    idx = np.unique(np.linspace(0, len(rows) - 1, max_points).round().astype(int))
    return [rows[i] for i in idx]


def history_frame(history: Sequence[Mapping], metrics: Sequence[str] | None = None) -> list[dict]:
    """Long format: one ``{"epoch", "split", "metric", "value"}`` row per present, finite value.

    Keys are read as ``<split>_<metric>`` with split prefix ``train``, ``val`` (or ``validation``) or
    ``test``; rows without ``"epoch"`` take their position. ``metrics`` (e.g. ``["loss"]``) filters.
    """
    out = []
    parsed: dict[str, tuple[str | None, str]] = {}  # key -> (split, metric), parsed once per distinct key
    wanted = None if metrics is None else set(metrics)
    for i, row in enumerate(history):
        epoch = _number(row.get("epoch"))
        epoch = float(i) if epoch is None else epoch
        for key, value in row.items():
            split_metric = parsed.get(key)
            if split_metric is None:
                split_metric = parsed[key] = _split_metric(str(key))
            split, metric = split_metric
            if split is None or not metric or (wanted is not None and metric not in wanted):
                continue
            v = _number(value)
            if v is not None:
                out.append({"epoch": epoch, "split": split, "metric": metric, "value": v})
    return out


def y_domain_exprs(param: str, kind: str) -> tuple[str, str]:
    """Vega expressions for the y scale's (domainMin, domainMax) from ``param``, the data's
    [min, max] (an ``extent`` transform), so that the spec, built once, holds for every update.

    A flat curve (one epoch, or a loss stuck at ln 2) has a zero or tiny span, for which Vega draws
    ticks 1e-12 apart labelled "0.69314718158"; such a span is widened around its middle to 2 % of
    the value (``kind`` "linear"), a factor 1.05 each way ("log"), or 0.1 ("share": accuracy,
    kept within [0, 1]). A wider span is left as the data's, as before."""
    lo, hi = f"{param}[0]", f"{param}[1]"
    mid = f"(({lo} + {hi}) / 2)"
    ok = f"isFinite({lo}) && isFinite({hi})"
    if kind == "log":
        flat = f"{ok} && {lo} > 0 && {hi} < {lo} * 1.1025"
        return (f"{flat} ? sqrt({lo} * {hi}) / 1.05 : null", f"{flat} ? sqrt({lo} * {hi}) * 1.05 : null")
    if kind == "share":
        flat = f"{ok} && {hi} - {lo} < 0.1"
        return (
            f"{flat} ? max(0, min({mid} - 0.05, 0.9)) : null",
            f"{flat} ? min(1, max({mid} + 0.05, 0.1)) : null",
        )
    half = f"max(0.01 * abs({mid}), 1e-9)"
    flat = f"{ok} && {hi} - {lo} < 2 * {half}"
    return (f"{flat} ? {mid} - {half} : null", f"{flat} ? {mid} + {half} : null")


def _extent(param: str) -> dict:
    return {"extent": "value", "param": param}


def _y_axis(metric: str, log_scale: bool, title: str | None = None, param: str = "y_extent") -> alt.Y:
    """The y channel; its domain comes from ``param`` (see :func:`y_domain_exprs`), so Vega's ticks are
    never closer than about 1/1000 of the value."""
    if not title:
        title = _(METRIC_TITLES[metric]) if metric in METRIC_TITLES else metric
    kind = "log" if log_scale else "share" if metric in ("acc", "accuracy") else "linear"
    low, high = y_domain_exprs(param, kind)
    domain = {"domainMin": alt.ExprRef(low), "domainMax": alt.ExprRef(high)}
    if log_scale:
        return alt.Y(
            "value:Q", title=_("{title} (log scale)", title=title), scale=alt.Scale(type="log", **domain)
        )
    if kind == "share":
        return alt.Y(
            "value:Q", title=title, scale=alt.Scale(zero=False, **domain), axis=alt.Axis(format=".0%")
        )
    return alt.Y("value:Q", title=title, scale=alt.Scale(zero=False, **domain))


def loss_chart(
    history: Sequence[Mapping],
    *,
    log_scale: bool = False,
    metric: str = "loss",
    height: int = 220,
    max_points: int = MAX_POINTS,
) -> alt.Chart:
    """Train / validation / test curves of one metric ("loss" or "acc") against epoch.

    Splits absent from the history are left out; colours and dashes are the palette's split styles.
    """
    rows = history_frame(downsample(history, max_points), metrics=[metric])
    if log_scale:
        rows = [r for r in rows if r["value"] > 0]
    present = [s for s in SPLITS if any(r["split"] == s for r in rows)] or list(SPLITS)
    param = f"y_extent_{metric}"  # one per metric: the live page stacks a loss and an accuracy chart
    return (
        alt.Chart(frame(rows, ("epoch", "split", "metric", "value")))
        .transform_extent("value", param)
        .mark_line(strokeWidth=2, clip=True)
        .encode(
            x=alt.X("epoch:Q", title=_("epoch"), axis=alt.Axis(tickMinStep=1, format="d")),
            y=_y_axis(metric, log_scale, param=param),
            color=alt.Color(
                "split:N",
                scale=alt.Scale(domain=present, range=[palette.SPLIT_COLORS[s] for s in present]),
                legend=alt.Legend(title=None, orient="top", labelExpr=split_labels_expr()),
            ),
            strokeDash=alt.StrokeDash(
                "split:N",
                scale=alt.Scale(domain=present, range=[palette.SPLIT_DASHES[s] for s in present]),
                legend=None,
            ),
        )
        .properties(height=height, width="container")
    )


def _split_metric(key: str) -> tuple[str | None, str]:
    head, _sep, metric = key.partition("_")
    split = next((s for s, pre in _PREFIXES.items() if head in pre), None)
    return split, metric


def compare_chart(
    runs: Mapping[str, Sequence[Mapping]],
    metric: str = "test_acc",
    *,
    log_scale: bool = False,
    height: int = 260,
    max_points: int = MAX_POINTS,
) -> alt.Chart:
    """One curve per named run of one history key (``"test_acc"``, ``"train_loss"``, ...).

    For lessons that compare runs (optimizers, learning rates); colours follow the order of ``runs``.
    """
    names = list(runs)
    rows = []
    for name in names:
        for i, row in enumerate(downsample(runs[name], max_points)):
            v = _number(row.get(metric))
            if v is None or (log_scale and v <= 0):
                continue
            epoch = _number(row.get("epoch"))
            rows.append({"run": str(name), "epoch": float(i) if epoch is None else epoch, "value": v})
    split, short = _split_metric(metric)
    short = short if split else metric
    what = _(METRIC_TITLES[short]) if short in METRIC_TITLES else short
    title = _("{split} {metric}", split=_(SPLIT_TITLES[split]), metric=what) if split else what
    y = _y_axis(short, log_scale, title, param="y_extent")
    colors = [palette.RUN_COLORS[i % len(palette.RUN_COLORS)] for i in range(len(names))]
    return (
        alt.Chart(frame(rows, ("run", "epoch", "value")))
        .transform_extent("value", "y_extent")
        .mark_line(strokeWidth=2, clip=True)
        .encode(
            x=alt.X("epoch:Q", title=_("epoch"), axis=alt.Axis(tickMinStep=1, format="d")),
            y=y,
            color=alt.Color(
                "run:N",
                scale=alt.Scale(domain=[str(n) for n in names], range=colors),
                legend=alt.Legend(title=None, orient="top"),
            ),
        )
        .properties(height=height, width="container")
    )
