"""Histograms of activations and gradients per layer, binned in NumPy.

Only bin edges and counts go to Vega-Lite (a few hundred numbers), never the raw samples, so the chart
stays small whatever the batch size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np

from playground.i18n import N_, _
from playground.viz import palette
from playground.viz.tables import frame

KIND_TITLES = {"pre": N_("pre"), "post": N_("post"), "forward": N_("forward"), "backward": N_("backward")}
# Column headers of the kinds of values (the data keeps the language-free names).


def histogram_rows(
    values, *, bins: int = 30, range: tuple[float, float] | None = None, **labels
) -> list[dict]:
    """``np.histogram`` of the finite ``values`` as rows ``{**labels, "bin_start", "bin_end", "count"}``."""
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[np.isfinite(v)]
    if range is None and v.size == 0:
        range = (0.0, 1.0)
    counts, edges = np.histogram(v, bins=bins, range=range)
    starts, ends = edges[:-1].tolist(), edges[1:].tolist()
    return [
        {**labels, "bin_start": s, "bin_end": e, "count": int(c)}
        for s, e, c in zip(starts, ends, counts.tolist(), strict=True)
    ]


def _bars(rows: list[dict], columns, color, *, width: int, height: int) -> alt.Chart:
    return (
        alt.Chart(frame(rows, columns))
        .mark_bar(binSpacing=0)
        .encode(
            x=alt.X("bin_start:Q", bin="binned", title=None, axis=alt.Axis(tickCount=4, labelFontSize=10)),
            x2="bin_end:Q",
            y=alt.Y("count:Q", title=None, axis=alt.Axis(tickCount=3, labelFontSize=10)),
            color=color,
        )
        .properties(width=width, height=height)
    )


def activation_histograms(
    samples: Mapping[str, Mapping[str, np.ndarray]],
    *,
    bins: int = 30,
    width: int = 170,
    height: int = 60,
) -> alt.Chart:
    """Small multiples: one row per layer, one column per kind (``"pre"``/``"post"`` activation).

    ``samples`` is ``{"layer 1": {"pre": array, "post": array}, ...}``; each panel has its own x range.
    """
    layers = [str(k) for k in samples]
    kinds: list[str] = []
    rows: list[dict] = []
    for layer, by_kind in samples.items():
        for kind, values in by_kind.items():
            if str(kind) not in kinds:
                kinds.append(str(kind))
            rows += histogram_rows(values, bins=bins, layer=str(layer), kind=str(kind))
    color = alt.Color(
        "kind:N",
        scale=alt.Scale(domain=kinds, range=[palette.HISTOGRAM_COLORS.get(k, palette.INK) for k in kinds]),
        legend=None,
    )
    return (
        _bars(rows, ("layer", "kind", "bin_start", "bin_end", "count"), color, width=width, height=height)
        .facet(
            row=alt.Row(
                "layer:N", sort=layers, header=alt.Header(title=None, labelAngle=0, labelAlign="left")
            ),
            column=alt.Column(
                "kind:N",
                sort=kinds,
                header=alt.Header(title=None, labelFontWeight="bold", labelExpr=_kind_labels(kinds)),
            ),
            spacing={"row": 6, "column": 12},
        )
        .resolve_scale(x="independent", y="independent")
    )


def _kind_labels(kinds: Sequence[str]) -> str:
    from playground.viz.curves import labels_expr

    return labels_expr({k: _(KIND_TITLES[k]) for k in kinds if k in KIND_TITLES})


def histogram_grid(
    values_by_layer: Mapping[str, np.ndarray],
    *,
    bins: int = 30,
    range: Sequence[float] | None = None,
    title: str | None = None,
    shared: bool = True,
    columns: int | None = None,
    color: str = palette.HISTOGRAM_COLORS["forward"],
    width: int = 120,
    height: int = 90,
) -> alt.Chart:
    """One histogram per layer, side by side (wrapping after ``columns``), e.g. forward activations or
    backward gradients of every layer. By default all panels share one x range (``range`` or the pooled
    min/max), so a distribution shrinking from layer to layer is visible; ``shared=False`` gives each its own.
    """
    layers = [str(k) for k in values_by_layer]
    if range is None and shared:
        pooled = [np.asarray(v, dtype=np.float64).ravel() for v in values_by_layer.values()]
        pooled = np.concatenate(pooled) if pooled else np.zeros(0)
        pooled = pooled[np.isfinite(pooled)]
        if pooled.size:
            lo, hi = float(pooled.min()), float(pooled.max())
            range = (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)
    rows: list[dict] = []
    for layer, values in values_by_layer.items():
        rows += histogram_rows(values, bins=bins, range=range if shared else None, layer=str(layer))
    chart = _bars(
        rows, ("layer", "bin_start", "bin_end", "count"), alt.value(color), width=width, height=height
    ).facet(
        facet=alt.Facet("layer:N", sort=layers, header=alt.Header(title=None)),
        columns=columns if columns is not None else min(len(layers), 5) or 1,
        spacing=8,
    )
    if not shared:
        chart = chart.resolve_scale(x="independent")
    if title:
        chart = chart.properties(title=title)
    return chart
