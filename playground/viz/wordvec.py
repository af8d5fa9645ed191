"""Charts of the word-embedding lab: plain arrays and lists in, Altair charts out (no Streamlit, no
lesson or engine import). Every builder puts its data in the chart, so a test can read it back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from playground.i18n import N_, _
from playground.viz import palette

GROUPS = {
    "male": N_("male"),
    "female": N_("female"),
    "country": N_("country"),
    "capital": N_("capital"),
    "number": N_("number"),
    "ordinal": N_("ordinal"),
    "present": N_("present tense"),
    "past": N_("past tense"),
    "other": N_("other"),
}
GROUP_COLORS = {
    "male": palette.POSITIVE,
    "female": palette.NEGATIVE,
    "country": "#2e9e55",
    "capital": "#c2185b",
    "number": "#7e57c2",
    "ordinal": "#8c564b",
    "present": "#1fc7c1",
    "past": "#d9c400",
    "other": palette.MISSING,
}


def _scale_groups(present: Sequence[str]) -> alt.Scale:
    keys = [g for g in GROUPS if g in set(present)]
    return alt.Scale(domain=[_(GROUPS[g]) for g in keys], range=[GROUP_COLORS[g] for g in keys])


def map_frame(
    x: np.ndarray,
    y: np.ndarray,
    words: Sequence[str],
    counts: np.ndarray,
    groups: Sequence[str],
    n_labels: int = 12,
) -> pd.DataFrame:
    """The map's rows: x, y, word, count, group (translated) and a label for the ``n_labels`` most
    frequent words and every word of a planted pair (the others are named on hover)."""
    rank = np.argsort(np.argsort(-np.asarray(counts), kind="stable"), kind="stable")
    return pd.DataFrame(
        {
            "x": np.round(np.asarray(x, dtype=float), 4),
            "y": np.round(np.asarray(y, dtype=float), 4),
            "word": list(words),
            "count": np.asarray(counts, dtype=int),
            "group": [_(GROUPS.get(g, GROUPS["other"])) for g in groups],
            "label": [
                w if (r < n_labels or g != "other") else ""
                for w, r, g in zip(words, rank, groups, strict=True)
            ],
        }
    )


def map_chart(
    x: np.ndarray,
    y: np.ndarray,
    words: Sequence[str],
    counts: np.ndarray,
    groups: Sequence[str],
    n_labels: int = 12,
    width: int = 500,
    height: int = 360,
) -> alt.LayerChart:
    """The 2-D map: a point per word coloured by its planted group, labels for the ``n_labels`` most
    frequent words (and every word of a planted pair), the word and its count on hover. The spec
    depends on the data only through the set of groups (the live page feeds it new rows)."""
    df = map_frame(x, y, words, counts, groups, n_labels)
    base = alt.Chart(df).encode(
        x=alt.X("x:Q", title=_("principal component 1"), axis=alt.Axis(labels=False, ticks=False)),
        y=alt.Y("y:Q", title=_("principal component 2"), axis=alt.Axis(labels=False, ticks=False)),
    )
    pts = base.mark_circle(size=45, opacity=0.8).encode(
        color=alt.Color("group:N", title=_("planted group"), scale=_scale_groups(groups)),
        tooltip=[alt.Tooltip("word:N", title=_("word")), alt.Tooltip("count:Q", title=_("count"))],
    )
    labels = base.mark_text(align="left", dx=5, dy=-4, fontSize=11, color=palette.INK).encode(text="label:N")
    return (pts + labels).properties(width=width, height=height)


def curve_frame(history: Sequence[Mapping[str, float]], key: str) -> pd.DataFrame:
    """(epoch, value) rows of ``key`` ("loss" or "analogy"), the missing values left out."""
    rows = [(h["epoch"], h[key]) for h in history if np.isfinite(h.get(key, np.nan))]
    return pd.DataFrame(rows, columns=["epoch", "value"])


def curve_chart(history: Sequence[Mapping[str, float]], key: str, width: int = 280) -> alt.Chart:
    """One line over the run's history: ``key`` ("loss" or "analogy") against epochs (the spec does
    not depend on the data: the live page feeds it new rows)."""
    df = curve_frame(history, key)
    y_title = _("correct (top-1)") if key == "analogy" else _("mean loss")
    # "~g": a run with no loss yet (epoch 0) shows an empty axis, not a tick printed as 0.000000
    y = alt.Y("value:Q", title=y_title, axis=alt.Axis(format=".3~g"))
    if key == "analogy":
        y = alt.Y("value:Q", title=y_title, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"))
    return (
        alt.Chart(df)
        .mark_line(
            point=alt.OverlayMarkDef(size=10),
            color=palette.POSITIVE if key == "analogy" else palette.NEGATIVE,
        )
        .encode(
            x=alt.X("epoch:Q", title=_("epoch"), scale=alt.Scale(domainMin=0)),
            y=y,
            tooltip=["epoch:Q", "value:Q"],
        )
        .properties(width=width, height=190)
    )


def noise_chart(
    words: Sequence[str], freq: np.ndarray, noise: np.ndarray, alpha: float, n: int = 20
) -> alt.Chart:
    """Bars of the raw frequencies beside the noise distribution ∝ count^α for the n most frequent
    words (ids are ranks, most frequent first)."""
    n = min(n, len(words))
    raw, nz = _("raw frequency"), _("noise f(w)^α, α = {a}", a=alpha)
    df = pd.DataFrame(
        {
            "word": list(words[:n]) * 2,
            "rank": list(range(n)) * 2,
            "share": np.concatenate([freq[:n], noise[:n]]),
            "series": [raw] * n + [nz] * n,
        }
    )
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("word:N", sort=list(words[:n]), title=None),
            xOffset=alt.XOffset("series:N", sort=[raw, nz]),
            y=alt.Y("share:Q", title=_("probability"), axis=alt.Axis(format="%")),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=[raw, nz], range=[palette.MISSING, palette.POSITIVE]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=["word:N", alt.Tooltip("share:Q", format=".2%"), "series:N"],
        )
        .properties(width=560, height=200)
    )


def cooc_heatmap(words: Sequence[str], M: np.ndarray) -> alt.Chart:
    """X_ij among the most frequent words (log colour scale: counts span orders of magnitude)."""
    n = len(words)
    ii, jj = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    df = pd.DataFrame(
        {
            "i": [words[k] for k in ii.ravel()],
            "j": [words[k] for k in jj.ravel()],
            "x": np.round(M.ravel(), 3),
        }
    )
    df = df[df["x"] > 0]
    return (
        alt.Chart(df)
        .mark_rect()
        .encode(
            x=alt.X("j:N", sort=list(words), title=_("context word j")),
            y=alt.Y("i:N", sort=list(words), title=_("word i")),
            color=alt.Color("x:Q", title="X_ij", scale=alt.Scale(type="log", scheme="blues")),
            tooltip=["i:N", "j:N", alt.Tooltip("x:Q", title="X_ij")],
        )
        .properties(width=380, height=380)
    )


def glove_weight_chart(x_max: float, alpha: float, counts: np.ndarray) -> alt.LayerChart:
    """f(x) = min((x/x_max)^α, 1) on a log x axis, the cut-off x_max dashed."""
    top = max(float(np.max(counts)) if len(counts) else 1.0, 2 * x_max)
    xs = np.geomspace(min(0.1, float(np.min(counts)) if len(counts) else 0.1), top, 120)
    fx = np.minimum((xs / x_max) ** alpha, 1.0)
    df = pd.DataFrame({"x": xs, "f": fx})
    line = (
        alt.Chart(df)
        .mark_line(color=palette.POSITIVE)
        .encode(
            x=alt.X("x:Q", scale=alt.Scale(type="log"), title="X_ij"),
            y=alt.Y("f:Q", title="f(X_ij)"),
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"x": [x_max]}))
        .mark_rule(strokeDash=[4, 3], color=palette.INK)
        .encode(x="x:Q")
    )
    return (line + rule).properties(width=320, height=220)


def tree_layout(left: np.ndarray, right: np.ndarray, n_leaves: int) -> tuple[np.ndarray, np.ndarray]:
    """(x, depth) of every node of a binary tree given as child arrays (leaves 0 … V−1, root last):
    leaves spread left to right in the order a depth-first walk meets them, inner nodes centred."""
    n = len(left)
    x, depth = np.zeros(n), np.zeros(n, dtype=int)
    root = n - 1
    order: list[int] = []
    stack = [(root, 0)]
    while stack:
        node, d = stack.pop()
        depth[node] = d
        if node < n_leaves:
            order.append(node)
        else:
            stack.append((int(right[node]), d + 1))
            stack.append((int(left[node]), d + 1))
    x[np.array(order)] = np.arange(len(order))
    for node in range(n_leaves, n):  # children are created before parents
        x[node] = (x[left[node]] + x[right[node]]) / 2
    return x, depth


def huffman_chart(
    left: np.ndarray,
    right: np.ndarray,
    parent: np.ndarray,
    words: Sequence[str],
    lit_leaf: int,
    width: int = 640,
) -> alt.LayerChart:
    """The Huffman tree (root on top; frequent words sit high), the path to ``lit_leaf`` lit, with
    its code bits on the edges."""
    V = len(words)
    x, depth = tree_layout(left, right, V)
    path = set()
    j = lit_leaf
    while j != -1:
        path.add(int(j))
        j = int(parent[j])
    edges = []
    for node in range(V, len(left)):
        for child, bit in ((int(left[node]), 0), (int(right[node]), 1)):
            lit = node in path and child in path
            edges.append(
                {
                    "x": x[node],
                    "y": -depth[node],
                    "x2": x[child],
                    "y2": -depth[child],
                    "lit": lit,
                    "bit": str(bit),
                }
            )
    e = pd.DataFrame(edges)
    nodes = pd.DataFrame(
        {
            "x": x,
            "y": -depth,
            "name": [words[k] if k < V else _("inner node {n}", n=k - V) for k in range(len(left))],
            "lit": [k in path for k in range(len(left))],
            "leaf": [k < V for k in range(len(left))],
        }
    )
    lines = (
        alt.Chart(e)
        .mark_rule()
        .encode(
            x=alt.X("x:Q", axis=None),
            y=alt.Y("y:Q", axis=alt.Axis(title=_("depth (inner nodes evaluated)"), labelExpr="-datum.value")),
            x2="x2:Q",
            y2="y2:Q",
            color=alt.condition("datum.lit", alt.value(palette.NEGATIVE), alt.value(palette.GRID)),
            strokeWidth=alt.condition("datum.lit", alt.value(3), alt.value(0.7)),
        )
    )
    bits = (
        alt.Chart(e[e["lit"]])
        .mark_text(dx=-7, fontSize=11, color=palette.NEGATIVE)
        .encode(x=alt.X("x2:Q"), y=alt.Y("y2:Q"), text="bit:N")
    )
    pts = (
        alt.Chart(nodes)
        .mark_circle()
        .encode(
            x="x:Q",
            y="y:Q",
            size=alt.condition("datum.lit", alt.value(60), alt.value(10)),
            color=alt.condition("datum.lit", alt.value(palette.NEGATIVE), alt.value(palette.INK)),
            tooltip=[alt.Tooltip("name:N", title=_("node"))],
        )
    )
    label = (
        alt.Chart(nodes[nodes["lit"] & nodes["leaf"]])
        .mark_text(dy=14, fontSize=12, fontWeight="bold", color=palette.NEGATIVE)
        .encode(x="x:Q", y="y:Q", text="name:N")
    )
    return (lines + bits + pts + label).properties(width=width, height=260)


def cost_scaling_chart(V: int, expected_path: float) -> alt.LayerChart:
    """Dot products per prediction: V for the full softmax, log₂V for a balanced tree, against V;
    the current vocabulary marked with the Huffman tree's measured mean path."""
    vs = np.unique(np.geomspace(2, max(1e6, V * 10), 60).astype(int))
    soft, hs = _("full softmax: V"), _("balanced tree: log₂V")
    df = pd.DataFrame(
        {
            "V": np.concatenate([vs, vs]),
            "ops": np.concatenate([vs, np.log2(vs)]),
            "series": [soft] * len(vs) + [hs] * len(vs),
        }
    )
    here = pd.DataFrame(
        {"V": [V, V], "ops": [V, expected_path], "series": [soft, _("this Huffman tree (mean path)")]}
    )
    lines = (
        alt.Chart(df)
        .mark_line()
        .encode(
            x=alt.X("V:Q", scale=alt.Scale(type="log"), title=_("vocabulary size V")),
            y=alt.Y("ops:Q", scale=alt.Scale(type="log"), title=_("dot products per prediction")),
            color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom", direction="vertical")),
        )
    )
    pts = (
        alt.Chart(here)
        .mark_point(filled=True, size=70, color=palette.NEGATIVE)
        .encode(x="V:Q", y="ops:Q", tooltip=["series:N", "V:Q", alt.Tooltip("ops:Q", format=".2f")])
    )
    return (lines + pts).properties(width=300, height=300)


def score_chart(
    words: Sequence[str], positive: Sequence[bool], before: np.ndarray, after: np.ndarray
) -> alt.Chart:
    """σ(score) of the positive word and each negative before and after the step."""
    b, a = _("before the step"), _("after the step")
    kind = [_("positive") if p else _("negative") for p in positive]
    labels = [f"{w} ({k})" for w, k in zip(words, kind, strict=True)]
    order = list(dict.fromkeys(labels))
    df = pd.DataFrame(
        {
            "word": labels * 2,
            "sigma": np.concatenate([before, after]),
            "when": [b] * len(words) + [a] * len(words),
        }
    )
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("word:N", sort=order, title=None),
            yOffset=alt.YOffset("when:N", sort=[b, a]),
            x=alt.X("sigma:Q", scale=alt.Scale(domain=[0, 1]), title="σ(e_j · u_w)"),
            color=alt.Color(
                "when:N", title=None, sort=[b, a], scale=alt.Scale(range=[palette.MISSING, palette.POSITIVE])
            ),
            tooltip=["word:N", alt.Tooltip("sigma:Q", format=".3f"), "when:N"],
        )
        .properties(width=320, height=max(120, 34 * len(words)))
    )


def step_map_chart(
    from_xy: np.ndarray,
    to_xy: np.ndarray,
    targets_xy: np.ndarray,
    words: Sequence[str],
    positive: Sequence[bool],
    centre: str,
) -> alt.LayerChart:
    """The centre word's move on the map (arrow from before to after) with the output vectors of the
    positive word and the negatives it is pulled towards / pushed from."""
    pts = pd.DataFrame(
        {
            "x": targets_xy[:, 0],
            "y": targets_xy[:, 1],
            "word": list(words),
            "kind": [_("positive") if p else _("negative") for p in positive],
        }
    )
    move = pd.DataFrame(
        {"x": [from_xy[0]], "y": [from_xy[1]], "x2": [to_xy[0]], "y2": [to_xy[1]], "word": [centre]}
    )
    others = (
        alt.Chart(pts)
        .mark_point(filled=True, size=60)
        .encode(
            x=alt.X("x:Q", title=_("principal component 1")),
            y=alt.Y("y:Q", title=_("principal component 2")),
            color=alt.Color(
                "kind:N",
                title=_("output vector u_w of"),
                scale=alt.Scale(
                    domain=[_("positive"), _("negative")], range=[palette.POSITIVE, palette.NEGATIVE]
                ),
            ),
            tooltip=["word:N", "kind:N"],
        )
    )
    text = (
        alt.Chart(pts)
        .mark_text(dx=6, dy=-6, align="left", fontSize=11)
        .encode(x="x:Q", y="y:Q", text="word:N")
    )
    arrow = (
        alt.Chart(move)
        .mark_rule(strokeWidth=3, color=palette.INK)
        .encode(x="x:Q", y="y:Q", x2="x2:Q", y2="y2:Q")
    )
    head = (
        alt.Chart(move)
        .mark_point(shape="triangle", filled=True, size=90, color=palette.INK)
        .encode(x="x2:Q", y="y2:Q")
    )
    start = (
        alt.Chart(move)
        .mark_text(dx=-6, dy=12, align="right", fontWeight="bold", fontSize=12)
        .encode(x="x:Q", y="y:Q", text="word:N")
    )
    return (others + text + arrow + head + start).properties(width=360, height=280)


def embedding_rows_chart(words: Sequence[str], rows: np.ndarray, selected: int) -> alt.Chart:
    """A slice of the embedding matrix E (rows = words, columns = dimensions) with the row the
    one-hot vector selects outlined."""
    n, d = rows.shape
    ii, jj = np.meshgrid(np.arange(n), np.arange(d), indexing="ij")
    df = pd.DataFrame(
        {
            "word": [words[k] for k in ii.ravel()],
            "dim": jj.ravel(),
            "value": np.round(rows.ravel(), 4),
            "sel": (ii.ravel() == selected),
        }
    )
    lim = float(np.max(np.abs(rows))) or 1.0
    return (
        alt.Chart(df)
        .mark_rect()
        .encode(
            x=alt.X("dim:O", title=_("dimension"), axis=alt.Axis(labels=d <= 32)),
            y=alt.Y("word:N", sort=list(words), title=None),
            color=alt.Color(
                "value:Q",
                scale=alt.Scale(
                    domain=[-lim, 0, lim],
                    range=[palette.NEGATIVE, palette.NEUTRAL, palette.POSITIVE],
                    interpolate="rgb",
                ),
                title=None,
            ),
            stroke=alt.condition("datum.sel", alt.value(palette.INK), alt.value(None)),
            strokeWidth=alt.condition("datum.sel", alt.value(1.5), alt.value(0)),
            tooltip=["word:N", "dim:O", "value:Q"],
        )
        .properties(width=360, height=22 * n + 60)
    )


def cost_chart(costs: Mapping[str, Mapping[str, float]], labels: Mapping[str, str]) -> alt.HConcatChart:
    """Measured seconds per epoch and dot products per update for each word2vec objective."""
    df = pd.DataFrame(
        [
            {"objective": _(labels[k]), "seconds": v["seconds_per_epoch"], "ops": v["ops_per_update"]}
            for k, v in costs.items()
        ]
    )
    order = list(df["objective"])
    sec = (
        alt.Chart(df)
        .mark_bar(color=palette.NEGATIVE)
        .encode(
            y=alt.Y("objective:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
            x=alt.X("seconds:Q", title=_("seconds per epoch (measured)")),
            tooltip=["objective:N", alt.Tooltip("seconds:Q", format=".3f")],
        )
        .properties(width=240, height=110)
    )
    ops = (
        alt.Chart(df)
        .mark_bar(color=palette.POSITIVE)
        .encode(
            y=alt.Y("objective:N", sort=order, title=None, axis=None),
            x=alt.X("ops:Q", title=_("dot products per update")),
            tooltip=["objective:N", alt.Tooltip("ops:Q", format=".1f")],
        )
        .properties(width=240, height=110)
    )
    return alt.hconcat(sec, ops)
