"""Charts of the fastText lab (data in, Altair chart out): training curves, the confusion matrix,
the label Huffman tree with a path lit, each feature's contribution to each score, the collision
sweep and the fastText / text-CNN comparison."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from playground.i18n import _
from playground.viz import palette

SPLITS = {"train": palette.SPLIT_COLORS["train"], "test": palette.SPLIT_COLORS["test"]}


def curves_chart(history: Sequence[Mapping[str, float]], metric: str, height: int = 200) -> alt.Chart:
    """Train and test accuracy (metric "acc") or loss ("loss") per epoch."""
    rows = []
    for h in history:
        for split in ("train", "test"):
            value = h.get(f"{split}_{metric}")
            if value is not None and np.isfinite(value):
                rows.append({"epoch": h["epoch"], "split": _(split), "value": value})
    df = pd.DataFrame(rows, columns=["epoch", "split", "value"])
    title = _("accuracy") if metric == "acc" else _("loss")
    y = (
        alt.Y("value:Q", title=title, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format=".0%"))
        if metric == "acc"
        else alt.Y("value:Q", title=title, scale=alt.Scale(zero=True))
    )
    return (
        alt.Chart(df)
        .mark_line(point=True)
        .encode(
            x=alt.X("epoch:Q", title=_("epoch"), axis=alt.Axis(tickMinStep=1, format="d")),
            y=y,
            color=alt.Color(
                "split:N",
                scale=alt.Scale(domain=[_("train"), _("test")], range=list(SPLITS.values())),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=[
                alt.Tooltip("epoch:Q", title=_("epoch")),
                alt.Tooltip("split:N", title=_("data")),
                alt.Tooltip("value:Q", title=title, format=".3f"),
            ],
        )
        .properties(height=height)
    )


def confusion_chart(matrix: np.ndarray, labels: Sequence[str], size: int = 260) -> alt.Chart:
    """Counts of (true label, predicted label) on the held-out lines; the diagonal is right."""
    rows = [
        {"true": labels[i], "pred": labels[j], "n": int(matrix[i, j]), "right": i == j}
        for i in range(len(labels))
        for j in range(len(labels))
    ]
    df = pd.DataFrame(rows)
    base = alt.Chart(df).encode(
        x=alt.X("pred:N", sort=list(labels), title=_("predicted label")),
        y=alt.Y("true:N", sort=list(labels), title=_("true label")),
    )
    cells = base.mark_rect(stroke=palette.GRID).encode(
        color=alt.Color("n:Q", scale=alt.Scale(scheme="blues"), legend=None),
        tooltip=[
            alt.Tooltip("true:N", title=_("true label")),
            alt.Tooltip("pred:N", title=_("predicted label")),
            alt.Tooltip("n:Q", title=_("lines")),
        ],
    )
    text = base.mark_text(fontSize=12).encode(
        text="n:Q",
        color=alt.condition(
            alt.datum.n > max(1, matrix.max()) / 2, alt.value("white"), alt.value(palette.INK)
        ),
    )
    return (cells + text).properties(width=size, height=size)


def tree_chart(
    layout: Mapping,
    lit: Sequence[int] = (),
    node_text: Mapping[int, str] | None = None,
    width: int = 460,
    height: int = 240,
) -> alt.Chart:
    """The label Huffman tree: edges (1-branches solid, 0-branches dashed), inner nodes as dots with
    ``node_text`` (σ of the branch taken), leaves as label names with their counts; the nodes in
    ``lit`` (a root-to-leaf path) and the edges between them drawn in the accent colour."""
    nodes = {n["id"]: n for n in layout["nodes"]}
    lit_set = set(lit)
    node_text = node_text or {}
    edges = []
    for e in layout["edges"]:
        p, c = nodes[e["parent"]], nodes[e["child"]]
        edges.append(
            {
                "x": p["x"],
                "y": p["depth"],
                "x2": c["x"],
                "y2": c["depth"],
                "code": str(e["code"]),
                "lit": e["parent"] in lit_set and e["child"] in lit_set,
            }
        )
    pts = [
        {
            "x": n["x"],
            "y": n["depth"],
            "leaf": n["leaf"],
            "name": n["name"],
            "label": f"{n['name']} ({int(n['count'])})" if n["leaf"] else node_text.get(n["id"], n["name"]),
            "lit": n["id"] in lit_set,
        }
        for n in layout["nodes"]
    ]
    max_depth = max(n["depth"] for n in layout["nodes"])
    xs = alt.Scale(domain=[-0.6, layout["n_leaves"] - 0.4])
    ys = alt.Scale(domain=[-0.5, max_depth + 0.8], reverse=True)
    accent = palette.NEGATIVE
    edge_layer = (
        alt.Chart(pd.DataFrame(edges))
        .mark_rule(strokeWidth=2)
        .encode(
            x=alt.X("x:Q", scale=xs, axis=None),
            y=alt.Y("y:Q", scale=ys, axis=None),
            x2="x2:Q",
            y2="y2:Q",
            strokeDash=alt.condition(alt.datum.code == "1", alt.value([1, 0]), alt.value([5, 3])),
            color=alt.condition(alt.datum.lit, alt.value(accent), alt.value(palette.GRID)),
        )
    )
    df = pd.DataFrame(pts)
    dots = (
        alt.Chart(df)
        .mark_circle(size=140, opacity=1)
        .encode(
            x=alt.X("x:Q", scale=xs, axis=None),
            y=alt.Y("y:Q", scale=ys, axis=None),
            color=alt.condition(alt.datum.lit, alt.value(accent), alt.value(palette.POSITIVE)),
            tooltip=[alt.Tooltip("label:N", title=_("node"))],
        )
    )
    inner_text = (
        alt.Chart(df[~df["leaf"]])
        .mark_text(dx=10, dy=-10, align="left", fontSize=11)
        .encode(
            x=alt.X("x:Q", scale=xs, axis=None),
            y=alt.Y("y:Q", scale=ys, axis=None),
            text="label:N",
            color=alt.condition(alt.datum.lit, alt.value(accent), alt.value(palette.INK)),
        )
    )
    leaf_text = (
        alt.Chart(df[df["leaf"]])
        .mark_text(dy=16, fontSize=11)
        .encode(
            x=alt.X("x:Q", scale=xs, axis=None),
            y=alt.Y("y:Q", scale=ys, axis=None),
            text="label:N",
            color=alt.condition(alt.datum.lit, alt.value(accent), alt.value(palette.INK)),
        )
    )
    return (edge_layer + dots + inner_text + leaf_text).properties(width=width, height=height)


def contributions_chart(
    features: Sequence[str],
    outputs: Sequence[str],
    contributions: np.ndarray,
    collided: Sequence[bool] = (),
    cell: int = 26,
) -> alt.Chart:
    """Feature f's exact share of output o's score, as a diverging heatmap with the numbers; a
    feature whose bucket holds another n-gram is marked with ⚠."""
    names = [
        f"{i + 1}. {f}" + (" ⚠" if i < len(collided) and collided[i] else "") for i, f in enumerate(features)
    ]
    rows = [
        {"feature": names[i], "output": outputs[j], "value": float(contributions[i, j])}
        for i in range(len(features))
        for j in range(len(outputs))
    ]
    df = pd.DataFrame(rows, columns=["feature", "output", "value"])
    lim = float(np.abs(contributions).max()) if contributions.size else 1.0
    base = alt.Chart(df).encode(
        x=alt.X("output:N", sort=list(outputs), title=None, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("feature:N", sort=names, title=None),
    )
    rect = base.mark_rect(stroke="white").encode(
        color=alt.Color(
            "value:Q",
            scale=alt.Scale(
                domain=[-lim or -1, lim or 1],
                range=[palette.NEGATIVE, palette.NEUTRAL, palette.POSITIVE],
                interpolate="rgb",
            ),
            legend=None,
        ),
        tooltip=[
            alt.Tooltip("feature:N", title=_("feature")),
            alt.Tooltip("output:N", title=_("score")),
            alt.Tooltip("value:Q", title=_("contribution"), format="+.4f"),
        ],
    )
    text = base.mark_text(fontSize=10).encode(text=alt.Text("value:Q", format="+.2f"))
    return (rect + text).properties(width=max(160, 62 * len(outputs)), height=max(cell, cell * len(features)))


def sweep_chart(rows: Sequence[Mapping], height: int = 220) -> alt.Chart:
    """Held-out accuracy (all lines and the negated ones) against the bucket count, log scale."""
    data = []
    for r in rows:
        data.append({"bucket": r["bucket"], "what": _("all test lines"), "value": r["test_acc"]})
        if r.get("negated_acc") is not None:
            data.append({"bucket": r["bucket"], "what": _("negated test lines"), "value": r["negated_acc"]})
        data.append(
            {"bucket": r["bucket"], "what": _("n-grams sharing a bucket"), "value": r["collision_share"]}
        )
    df = pd.DataFrame(data, columns=["bucket", "what", "value"])
    order = [_("all test lines"), _("negated test lines"), _("n-grams sharing a bucket")]
    return (
        alt.Chart(df)
        .mark_line(point=True)
        .encode(
            x=alt.X("bucket:Q", title=_("buckets (log scale)"), scale=alt.Scale(type="log")),
            y=alt.Y("value:Q", title=_("share"), scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format=".0%")),
            color=alt.Color(
                "what:N",
                scale=alt.Scale(domain=order, range=[palette.INK, palette.NEGATIVE, palette.MISSING]),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=[
                alt.Tooltip("bucket:Q", title=_("buckets"), format=","),
                alt.Tooltip("what:N", title=_("measure")),
                alt.Tooltip("value:Q", title=_("share"), format=".1%"),
            ],
        )
        .properties(height=height)
    )


def filters_chart(rows: Sequence[Mapping], height: int = 220) -> alt.Chart:
    """Each text-CNN filter's max-over-time activation on a sentence, labelled with the n-gram it fired on."""
    df = pd.DataFrame(rows, columns=["filter", "width", "ngram", "value"])
    top = float(df["value"].max()) if len(df) else 1.0
    base = alt.Chart(df).encode(
        y=alt.Y("filter:N", sort=list(df["filter"]), title=_("filter"), axis=alt.Axis(labelOverlap=False)),
        x=alt.X("value:Q", title=_("max over time"), scale=alt.Scale(domain=[0, 1.45 * top or 1.0])),
    )
    bars = base.mark_bar(color=palette.POSITIVE).encode(
        tooltip=[
            alt.Tooltip("filter:N", title=_("filter")),
            alt.Tooltip("width:Q", title=_("width")),
            alt.Tooltip("ngram:N", title=_("n-gram")),
            alt.Tooltip("value:Q", title=_("activation"), format=".3f"),
        ]
    )
    text = base.mark_text(align="left", dx=4, fontSize=11).encode(text="ngram:N")
    return (bars + text).properties(height=max(height, 20 * len(df)))
