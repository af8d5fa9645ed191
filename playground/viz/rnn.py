"""Charts of the recurrent-network lab (data in, Altair figure out; no training here).

Curves: the training/validation metric, the cells of a race overlaid, accuracy against distractor
length, the textbook gradient ratios. Per time step: ‖∂L_T/∂h⟨t⟩‖ per layer, the connectivity
‖∂y_T/∂x⟨t⟩‖ with the input tokens under the bars, a state or gate heatmap (time × unit), and the
next character's softmax bars.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from playground.i18n import N_, _
from playground.viz import palette
from playground.viz.curves import labels_expr

MAX_POINTS = 300
#: Fill the column's width; the height is the plot's own (titles, legends and axes add to it).
_FIT_X = alt.AutoSizeParams(type="fit-x", contains="padding")
CELL_LABELS = {
    "rnn": N_("Vanilla RNN"),
    "gru_simple": N_("Simplified GRU"),
    "gru_full": N_("Full GRU"),
    "lstm": "LSTM",
}
CELL_COLORS = {"rnn": "#c2185b", "gru_simple": "#7e57c2", "gru_full": "#2e9e55", "lstm": palette.POSITIVE}
METRICS = {
    "bits_per_char": N_("bits per character"),
    "accuracy": N_("accuracy"),
    "val_loss": N_("mean squared error"),
}


def _thin(rows: list[dict]) -> list[dict]:
    if len(rows) <= MAX_POINTS:
        return rows
    idx = np.unique(np.linspace(0, len(rows) - 1, MAX_POINTS).round().astype(int))
    return [rows[i] for i in idx]


def metric_rows(history: Sequence[Mapping], metric: str) -> list[dict]:
    """(update, series, value) rows: the validation metric, and for text the training bits too."""
    rows = []
    for rec in history:
        if metric in rec:
            rows.append({"update": rec["update"], "series": "validation", "value": float(rec[metric])})
        if metric == "bits_per_char" and "train_bits" in rec:
            rows.append({"update": rec["update"], "series": "train", "value": float(rec["train_bits"])})
    return rows


def metric_chart(history: Sequence[Mapping], metric: str, height: int = 220) -> alt.Chart:
    rows = _thin(metric_rows(history, metric))
    df = pd.DataFrame(rows, columns=["update", "series", "value"])
    labels = {"validation": _("validation"), "train": _("training (recent mean)")}
    y_scale = alt.Scale(domain=[0, 1]) if metric == "accuracy" else alt.Scale(zero=False)
    y_axis = alt.Axis(format={"accuracy": "%", "bits_per_char": ".2f"}.get(metric, ".3g"))
    return (
        alt.Chart(df)
        .mark_line(point=len(df) < 40)
        .encode(
            x=alt.X("update:Q", title=_("updates"), axis=alt.Axis(format="d", tickMinStep=1)),
            y=alt.Y("value:Q", title=_(METRICS[metric]), scale=y_scale, axis=y_axis),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=["validation", "train"], range=["#7b52ae", "#9a9a9a"]),
                legend=alt.Legend(title=None, orient="top", labelExpr=labels_expr(labels), labelLimit=0),
            ),
        )
        .properties(height=height, width="container", autosize=_FIT_X, title=_(METRICS[metric]))
    )


def grad_norm_rows(grad_norms: Sequence[np.ndarray]) -> list[dict]:
    return [
        {"t": t + 1, "layer": f"{_('layer')} {i + 1}", "norm": float(v)}
        for i, norms in enumerate(grad_norms)
        for t, v in enumerate(norms)
    ]


def grad_norm_chart(grad_norms: Sequence[np.ndarray], height: int = 220) -> alt.Chart:
    """‖∂L_T/∂h⟨t⟩‖ against t, log scale, a line per recurrent layer (zeros drawn at the floor)."""
    rows = grad_norm_rows(grad_norms)
    floor = 1e-12
    for r in rows:
        r["norm"] = max(r["norm"], floor)
    df = pd.DataFrame(rows, columns=["t", "layer", "norm"])
    return (
        alt.Chart(df)
        .mark_line(point=True)
        .encode(
            x=alt.X("t:Q", title=_("time step t"), axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("norm:Q", title="‖∂L_T/∂h⟨t⟩‖", scale=alt.Scale(type="log")),
            color=alt.Color("layer:N", legend=alt.Legend(title=None, orient="top")),
            tooltip=[
                alt.Tooltip("t:Q", title="t"),
                alt.Tooltip("norm:Q", title="‖∂L_T/∂h⟨t⟩‖", format=".3g"),
            ],
        )
        .properties(
            height=height,
            width="container",
            autosize=_FIT_X,
            title=_("Gradient of the last step's loss, by time step"),
        )
    )


def connectivity_chart(conn: np.ndarray, tokens: Sequence[str], height: int = 200) -> alt.Chart:
    """‖∂y_T/∂x⟨t⟩‖ per step as bars, each step labelled with its input."""
    total = float(np.sum(conn)) or 1.0
    df = pd.DataFrame(
        {
            "t": np.arange(1, len(conn) + 1),
            "token": [f"{t + 1}:{_visible(tok)}" for t, tok in enumerate(tokens)],
            "share": np.asarray(conn, dtype=float) / total,
            "norm": np.asarray(conn, dtype=float),
        }
    )
    return (
        alt.Chart(df)
        .mark_bar(color=palette.POSITIVE)
        .encode(
            x=alt.X("token:N", sort=None, title=_("input at step t"), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("share:Q", title=_("share of ‖∂y_T/∂x⟨t⟩‖"), axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("token:N", title=_("input")),
                alt.Tooltip("norm:Q", title="‖∂y_T/∂x⟨t⟩‖", format=".3g"),
            ],
        )
        .properties(
            height=height,
            width="container",
            autosize=_FIT_X,
            title=_("Connectivity: how much each input moves the last output"),
        )
    )


def _visible(tok: str) -> str:
    return {"\n": "↵", " ": "␣", "\t": "⇥"}.get(tok, tok)


def heatmap_chart(
    values: np.ndarray,
    tokens: Sequence[str],
    title: str,
    signed: bool,
    max_units: int = 32,
    height: int = 260,
) -> alt.Chart:
    """A (T, H) matrix as a heatmap: time steps across (labelled with the inputs), units down.
    Signed values (states) orange (−1) … blue (+1); gates 0 … 1 white to blue."""
    T, H = values.shape
    H = min(H, max_units)
    t_idx, u_idx = np.meshgrid(np.arange(T), np.arange(H), indexing="ij")
    df = pd.DataFrame(
        {
            "step": [f"{t + 1}:{_visible(tokens[t])}" for t in t_idx.ravel()],
            "unit": u_idx.ravel() + 1,
            "value": values[:, :H].ravel(),
        }
    )
    if signed:
        scale = alt.Scale(
            domain=[-1, 0, 1], range=[palette.NEGATIVE, palette.WHITE, palette.POSITIVE], interpolate="rgb"
        )
    else:
        scale = alt.Scale(domain=[0, 1], range=[palette.WHITE, palette.POSITIVE], interpolate="rgb")
    steps = [f"{t + 1}:{_visible(tok)}" for t, tok in enumerate(tokens)]
    return (
        alt.Chart(df)
        .mark_rect()
        .encode(
            x=alt.X("step:O", sort=steps, title=_("time step (input)"), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("unit:O", title=_("unit")),
            color=alt.Color("value:Q", scale=scale, legend=alt.Legend(title=None)),
            tooltip=[
                alt.Tooltip("step:O", title=_("step")),
                alt.Tooltip("unit:O", title=_("unit")),
                alt.Tooltip("value:Q", title=_("value"), format=".3f"),
            ],
        )
        .properties(height=height, width="container", autosize=_FIT_X, title=title)
    )


def softmax_chart(chars: Sequence[str], probs: np.ndarray, top: int = 12, height: int = 220) -> alt.Chart:
    """The ``top`` most likely next characters as horizontal bars."""
    order = np.argsort(probs)[::-1][:top]
    df = pd.DataFrame({"char": [_visible(chars[i]) for i in order], "p": probs[order]})
    return (
        alt.Chart(df)
        .mark_bar(color=palette.POSITIVE)
        .encode(
            y=alt.Y("char:N", sort=None, title=None),
            x=alt.X("p:Q", title=_("probability"), scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("char:N", title=_("character")),
                alt.Tooltip("p:Q", title="p", format=".3f"),
            ],
        )
        .properties(
            height=height, width="container", autosize=_FIT_X, title=_("Next character: softmax(z/τ)")
        )
    )


def _cell_color(present) -> alt.Color:
    cells = [c for c in CELL_LABELS if c in set(present)] or list(CELL_LABELS)
    return alt.Color(
        "cell:N",
        scale=alt.Scale(domain=cells, range=[CELL_COLORS[c] for c in cells]),
        legend=alt.Legend(
            title=None, orient="top", labelExpr=labels_expr({c: _(v) for c, v in CELL_LABELS.items()})
        ),
    )


def race_chart(rows: Sequence[Mapping], height: int = 240) -> alt.Chart:
    """Validation accuracy against updates, one line per cell."""
    df = pd.DataFrame(list(rows), columns=["cell", "update", "accuracy"])
    return (
        alt.Chart(df)
        .mark_line()
        .encode(
            x=alt.X("update:Q", title=_("updates")),
            y=alt.Y(
                "accuracy:Q", title=_("accuracy"), scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")
            ),
            color=_cell_color(df["cell"]),
        )
        .properties(
            height=height,
            width="container",
            autosize=_FIT_X,
            title=_("Memory task: the cells trained on the same batches"),
        )
    )


def sweep_chart(rows: Sequence[Mapping], height: int = 240) -> alt.Chart:
    """Accuracy after a fixed number of updates against the distractor length, one line per cell."""
    df = pd.DataFrame(list(rows), columns=["cell", "distractors", "accuracy"])
    return (
        alt.Chart(df)
        .mark_line(point=True)
        .encode(
            x=alt.X("distractors:Q", title=_("distractors between the symbol and the question")),
            y=alt.Y(
                "accuracy:Q", title=_("accuracy"), scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")
            ),
            color=_cell_color(df["cell"]),
        )
        .properties(
            height=height,
            width="container",
            autosize=_FIT_X,
            title=_("Accuracy against the distance to remember"),
        )
    )


def ratio_chart(curves: Mapping[str, np.ndarray], height: int = 240) -> alt.Chart:
    """‖∂L_T/∂h⟨t⟩‖ / ‖∂L_T/∂h⟨T⟩‖ against t (log scale), one line per named setting."""
    rows = [
        {"setting": name, "t": t + 1, "ratio": max(float(v), 1e-300)}
        for name, ratios in curves.items()
        for t, v in enumerate(ratios)
    ]
    df = pd.DataFrame(rows, columns=["setting", "t", "ratio"])
    return (
        alt.Chart(df)
        .mark_line(point=True)
        .encode(
            x=alt.X("t:Q", title=_("time step t"), axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("ratio:Q", title="‖∂L_T/∂h⟨t⟩‖ / ‖∂L_T/∂h⟨T⟩‖", scale=alt.Scale(type="log")),
            color=alt.Color("setting:N", sort=list(curves), legend=alt.Legend(title=None, orient="right")),
        )
        .properties(
            height=height,
            width="container",
            autosize=_FIT_X,
            title=_("A vanilla RNN: the gradient through time"),
        )
    )
