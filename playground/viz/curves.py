"""Training curves (loss, accuracy) as light Altair/Vega-Lite charts.

The live page rebuilds these every tick, so they carry no selections or tooltips, and histories longer
than ``MAX_POINTS`` epochs are thinned to evenly spaced rows (first and last always kept).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np

from playground.viz import palette
from playground.viz.tables import frame
from playground.viz.tables import number as _number

MAX_POINTS = 500
SPLITS = ("train", "validation", "test")
_PREFIXES = {"train": ("train",), "validation": ("val", "validation"), "test": ("test",)}
METRIC_TITLES = {"loss": "loss", "acc": "accuracy", "accuracy": "accuracy", "mse": "mean squared error"}


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


def _y_axis(metric: str, log_scale: bool, title: str | None = None) -> alt.Y:
    title = title or METRIC_TITLES.get(metric, metric)
    if log_scale:
        return alt.Y("value:Q", title=f"{title} (log scale)", scale=alt.Scale(type="log"))
    if metric in ("acc", "accuracy"):
        return alt.Y("value:Q", title=title, scale=alt.Scale(zero=False), axis=alt.Axis(format=".0%"))
    return alt.Y("value:Q", title=title, scale=alt.Scale(zero=False))


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
    return (
        alt.Chart(frame(rows, ("epoch", "split", "metric", "value")))
        .mark_line(strokeWidth=2, clip=True)
        .encode(
            x=alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1, format="d")),
            y=_y_axis(metric, log_scale),
            color=alt.Color(
                "split:N",
                scale=alt.Scale(domain=present, range=[palette.SPLIT_COLORS[s] for s in present]),
                legend=alt.Legend(title=None, orient="top"),
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
    head, _, metric = key.partition("_")
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
    title = f"{split} {METRIC_TITLES.get(short, short)}" if split else METRIC_TITLES.get(short, short)
    y = _y_axis(short, log_scale, title)
    colors = [palette.RUN_COLORS[i % len(palette.RUN_COLORS)] for i in range(len(names))]
    return (
        alt.Chart(frame(rows, ("run", "epoch", "value")))
        .mark_line(strokeWidth=2, clip=True)
        .encode(
            x=alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1, format="d")),
            y=y,
            color=alt.Color(
                "run:N",
                scale=alt.Scale(domain=[str(n) for n in names], range=colors),
                legend=alt.Legend(title=None, orient="top"),
            ),
        )
        .properties(height=height, width="container")
    )
