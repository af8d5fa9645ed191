"""Training-health charts per layer over time: gradient norms, update/weight ratios, dead units.

Records are flat dicts such as ``{"epoch": 3, "layer": "layer 1", "grad_norm": 0.01, "weight_norm": 1.2,
"update_ratio": 1e-3, "dead_fraction": 0.0}``; missing or non-finite values are skipped. Layers are
coloured shallow (dark purple) to deep (green) in the order they first appear.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt

from playground.i18n import _
from playground.viz import palette
from playground.viz.tables import frame
from playground.viz.tables import number as _number

UPDATE_RATIO_GUIDE = (
    1e-3  # a common rule of thumb: each step changes a weight matrix by about 1e-3 of its norm
)


def _layer_rows(records: Sequence[Mapping], field: str, *, positive: bool) -> tuple[list[dict], list[str]]:
    layers: list[str] = []
    rows = []
    for i, r in enumerate(records):
        v = _number(r.get(field))
        if v is None or (positive and v <= 0):
            continue
        layer = str(r.get("layer", "?"))
        if layer not in layers:
            layers.append(layer)
        epoch = _number(r.get("epoch"))
        rows.append({"epoch": float(i) if epoch is None else epoch, "layer": layer, field: v})
    return rows, layers


def _per_layer_lines(rows, layers, field: str, y: alt.Y, height: int) -> alt.Chart:
    return (
        alt.Chart(frame(rows, ("epoch", "layer", field)))
        .mark_line(strokeWidth=2, clip=True)
        .encode(
            x=alt.X("epoch:Q", title=_("epoch"), axis=alt.Axis(tickMinStep=1, format="d")),
            y=y,
            color=alt.Color(
                "layer:N",
                scale=alt.Scale(domain=layers, range=palette.layer_colors(len(layers))),
                sort=layers,
                legend=alt.Legend(title=None, orient="top"),
            ),
        )
        .properties(height=height, width="container")
    )


def grad_norm_chart(records: Sequence[Mapping], *, height: int = 220) -> alt.Chart:
    """Gradient norm of each layer over epochs, on a log scale (vanishing/exploding gradients show as
    lines spreading apart by orders of magnitude)."""
    rows, layers = _layer_rows(records, "grad_norm", positive=True)
    y = alt.Y("grad_norm:Q", title=_("gradient norm (log scale)"), scale=alt.Scale(type="log"))
    return _per_layer_lines(rows, layers, "grad_norm", y, height)


def update_ratio_chart(records: Sequence[Mapping], *, height: int = 220) -> alt.Chart:
    """|update| / |weights| per layer on a log scale, with a dashed guide at 1e-3 (much lower: learning
    too slowly; much higher: too fast)."""
    rows, layers = _layer_rows(records, "update_ratio", positive=True)
    y = alt.Y("update_ratio:Q", title=_("update / weight norm (log scale)"), scale=alt.Scale(type="log"))
    lines = _per_layer_lines(rows, layers, "update_ratio", y, height)
    guide = (
        alt.Chart()
        .mark_rule(strokeDash=[4, 4], color=palette.MISSING)
        .encode(y=alt.datum(UPDATE_RATIO_GUIDE))
    )
    # one top-level dataset (the guide is a constant), so a page can feed new rows to a cached spec
    return alt.layer(lines.properties(data=alt.Undefined), guide, data=lines.data).properties(
        height=height, width="container"
    )


def dead_units_chart(records: Sequence[Mapping], *, height: int = 200) -> alt.Chart:
    """Fraction of units per layer that output zero for every sample (dead ReLUs), over epochs."""
    rows, layers = _layer_rows(records, "dead_fraction", positive=False)
    y = alt.Y(
        "dead_fraction:Q",
        title=_("dead units"),
        scale=alt.Scale(domain=[0, 1]),
        axis=alt.Axis(format=".0%"),
    )
    return _per_layer_lines(rows, layers, "dead_fraction", y, height)
