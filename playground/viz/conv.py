"""Charts of the convolution lab: maps and filters tiled in NumPy into one image per layer (cheap
enough for every live tick), digits with a receptive field drawn on them, matrices of the im2col view,
and Vega-Lite charts for curves, the confusion matrix, probabilities and the side-by-side experiments.

Every function takes plain arrays or rows and returns a uint8 RGB image or an Altair chart.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np

from playground.i18n import _
from playground.viz import palette
from playground.viz.tables import frame

GAP_RGB = np.array(palette.hex_to_rgb(palette.WHITE), dtype=np.uint8)
HIGHLIGHT_RGB = np.array(palette.hex_to_rgb(palette.POSITIVE), dtype=np.uint8)
MARK_RGB = np.array(palette.hex_to_rgb("#c2185b"), dtype=np.uint8)


def _upsample(rgb: np.ndarray, scale: int) -> np.ndarray:
    return rgb.repeat(scale, axis=0).repeat(scale, axis=1) if scale > 1 else rgb


def signed_rgb(values: np.ndarray, limit: float | None = None) -> np.ndarray:
    """Orange (negative) – white – blue (positive), symmetric about 0 up to ``limit`` (default: the
    largest |value|, so the strongest cell is full colour)."""
    v = np.asarray(values, dtype=np.float64)
    m = float(np.nanmax(np.abs(v))) if limit is None and v.size else float(limit or 0.0)
    return palette.diverging_rgb(v, -m, m) if m > 0 else palette.diverging_rgb(np.zeros_like(v))


def tile(images: np.ndarray, cols: int | None = None, scale: int = 8, gap: int = 2, limit=None) -> np.ndarray:
    """(n, h, w) maps → one RGB image: a grid of ``cols`` columns, each map ``scale``× enlarged,
    ``gap`` white pixels between them. One colour scale for all maps (shared ``limit``), so a weak
    map looks weak next to a strong one."""
    a = np.asarray(images, dtype=np.float64)
    if a.ndim != 3 or a.shape[0] == 0:
        raise ValueError(f"tile() takes (n, h, w) maps, got shape {a.shape}")
    n, h, w = a.shape
    cols = cols or int(np.ceil(np.sqrt(n)))
    rows = -(-n // cols)
    rgb = signed_rgb(a, limit)
    H, W = h * scale, w * scale
    out = np.empty((rows * H + (rows - 1) * gap, cols * W + (cols - 1) * gap, 3), dtype=np.uint8)
    out[...] = GAP_RGB
    for i in range(n):
        r, c = divmod(i, cols)
        out[r * (H + gap) : r * (H + gap) + H, c * (W + gap) : c * (W + gap) + W] = _upsample(rgb[i], scale)
    return out


def tile_filters(W: np.ndarray, scale: int = 8, max_channels: int = 8) -> np.ndarray:
    """Kernels (F, C, k, k) → one image: a row per filter, a column per input channel (the first
    ``max_channels``)."""
    W = np.asarray(W, dtype=np.float64)
    f, c = W.shape[:2]
    c = min(c, max_channels)
    maps = W[:, :c].reshape(f * c, *W.shape[2:])
    return tile(maps, cols=c, scale=scale, gap=1 if c > 1 else 2)


def grey_rgb(x: np.ndarray, vmax: float = 1.0) -> np.ndarray:
    """Ink on paper: 0 white, ``vmax`` near black."""
    v = np.clip(np.asarray(x, dtype=np.float64) / vmax, 0, 1)
    g = (255 - v * 215).astype(np.uint8)
    return np.stack([g, g, g], axis=-1)


def digit_image(
    x: np.ndarray, scale: int = 24, box: tuple[int, int, int, int] | None = None, grid: bool = True
) -> np.ndarray:
    """A (H, W) image in [0, 1] as ink on paper, with cell lines and, if given, the rows [r0, r1) and
    columns [c0, c1) of ``box`` outlined in blue (a receptive field)."""
    img = _upsample(grey_rgb(x), scale)
    if grid and scale >= 8:
        img[::scale, :] = np.minimum(img[::scale, :], 225)
        img[:, ::scale] = np.minimum(img[:, ::scale], 225)
    if box is not None:
        r0, r1, c0, c1 = (v * scale for v in box)
        t = max(2, scale // 8)
        r1, c1 = min(r1, img.shape[0]), min(c1, img.shape[1])
        img[r0 : r0 + t, c0:c1] = HIGHLIGHT_RGB
        img[r1 - t : r1, c0:c1] = HIGHLIGHT_RGB
        img[r0:r1, c0 : c0 + t] = HIGHLIGHT_RGB
        img[r0:r1, c1 - t : c1] = HIGHLIGHT_RGB
    return img


def map_with_cell(m: np.ndarray, cell: tuple[int, int], scale: int = 24) -> np.ndarray:
    """One feature map (signed colours) with output cell (i, j) outlined."""
    img = _upsample(signed_rgb(m), scale)
    i, j = cell
    t = max(2, scale // 8)
    r0, c0 = i * scale, j * scale
    img[r0 : r0 + t, c0 : c0 + scale] = MARK_RGB
    img[r0 + scale - t : r0 + scale, c0 : c0 + scale] = MARK_RGB
    img[r0 : r0 + scale, c0 : c0 + t] = MARK_RGB
    img[r0 : r0 + scale, c0 + scale - t : c0 + scale] = MARK_RGB
    return img


def matrix_image(m: np.ndarray, scale: int = 6, row: int | None = None) -> np.ndarray:
    """A matrix (signed colours), optionally with one row outlined (the im2col row of a chosen cell)."""
    img = _upsample(signed_rgb(m), scale)
    if row is not None:
        r0 = row * scale
        img[max(r0 - 1, 0) : r0 + 1, :] = MARK_RGB
        img[r0 + scale - 1 : r0 + scale + 1, :] = MARK_RGB
    return img


# ------------------------------------------------------------------------------------------------
# Vega-Lite charts


def curve_rows(history: Sequence[dict], max_points: int = 160) -> list[dict]:
    """(epoch, split, metric, value) rows of loss and accuracy for the train/validation/test splits."""
    if len(history) > max_points:
        idx = np.unique(np.linspace(0, len(history) - 1, max_points).round().astype(int))
        history = [history[i] for i in idx]
    names = {"train": _("train"), "val": _("validation"), "test": _("test")}
    rows = []
    for rec in history:
        for split, name in names.items():
            for metric in ("loss", "acc"):
                v = rec.get(f"{split}_{metric}")
                if v is not None and np.isfinite(v):
                    rows.append({"epoch": rec["epoch"], "split": name, "metric": metric, "value": float(v)})
    return rows


def curves_chart(metric: str, height: int = 170, width: int = 300) -> alt.Chart:
    """Loss (log scale) or accuracy against epoch, one line per split; fed rows of :func:`curve_rows`."""
    splits = [_("train"), _("validation"), _("test")]
    colors = [palette.SPLIT_COLORS[k] for k in ("train", "validation", "test")]
    title = _("loss (cross-entropy)") if metric == "loss" else _("accuracy")
    y = (
        alt.Y("value:Q", title=title, scale=alt.Scale(type="log"))
        if metric == "loss"
        else alt.Y("value:Q", title=title, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"))
    )
    return (
        alt.Chart(frame([], ("epoch", "split", "metric", "value")))
        .transform_filter(alt.datum.metric == metric)
        .mark_line(strokeWidth=2)
        .encode(
            x=alt.X("epoch:Q", title=_("epoch"), axis=alt.Axis(tickMinStep=1, format="d")),
            y=y,
            color=alt.Color(
                "split:N",
                scale=alt.Scale(domain=splits, range=colors),
                legend=alt.Legend(title=None, orient="top"),
            ),
        )
        .properties(height=height, width=width)
    )


def confusion_rows(matrix: np.ndarray) -> list[dict]:
    m = np.asarray(matrix)
    totals = m.sum(axis=1)
    return [
        {
            "actual": str(i),
            "predicted": str(j),
            "count": int(m[i, j]),
            "fraction": float(m[i, j] / totals[i]) if totals[i] else 0.0,
        }
        for i in range(m.shape[0])
        for j in range(m.shape[1])
    ]


def confusion_chart(size: int = 240) -> alt.Chart:
    """Rows actual digit, columns predicted; shade = share of the actual digit, text = count."""
    digits = [str(d) for d in range(10)]
    base = alt.Chart(frame([], ("actual", "predicted", "count", "fraction"))).encode(
        x=alt.X(
            "predicted:N",
            sort=digits,
            title=_("predicted"),
            axis=alt.Axis(orient="top", labelAngle=0, labelOverlap=False),
        ),
        y=alt.Y("actual:N", sort=digits, title=_("actual"), axis=alt.Axis(labelOverlap=False)),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(
            "fraction:Q", scale=alt.Scale(domain=[0, 1], range=list(palette.SEQUENTIAL_STOPS)), legend=None
        ),
        tooltip=[
            alt.Tooltip("actual:N", title=_("actual")),
            alt.Tooltip("predicted:N", title=_("predicted")),
            alt.Tooltip("count:Q", title=_("count")),
        ],
    )
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text("count:Q"),
        color=alt.condition(alt.datum.fraction > 0.5, alt.value("white"), alt.value(palette.INK)),
        opacity=alt.condition(alt.datum.count > 0, alt.value(1), alt.value(0)),
    )
    return alt.layer(cells, text).properties(width=size, height=size)


def probability_chart(probs: np.ndarray, height: int = 160) -> alt.Chart:
    """The 10 class probabilities as bars, the most probable digit in blue."""
    p = np.asarray(probs, dtype=np.float64)
    best = int(p.argmax())
    rows = [{"digit": str(d), "p": float(p[d]), "best": d == best} for d in range(len(p))]
    return (
        alt.Chart(frame(rows, ("digit", "p", "best")))
        .mark_bar()
        .encode(
            x=alt.X("digit:N", title=_("digit"), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("p:Q", title=_("probability"), scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            color=alt.condition(alt.datum.best, alt.value(palette.POSITIVE), alt.value(palette.MISSING)),
            tooltip=[
                alt.Tooltip("digit:N", title=_("digit")),
                alt.Tooltip("p:Q", title=_("probability"), format=".1%"),
            ],
        )
        .properties(height=height, width="container")
    )


def degradation_chart(rows: Sequence[dict], height: int = 260) -> alt.Chart:
    """Training loss against epoch: colour = depth, solid = plain, dashed = residual, one line per
    seed (rows: kind, depth, seed, epoch, train_loss; ``kind`` already translated)."""
    depths = sorted({int(r["depth"]) for r in rows}) or [2, 6, 12]
    colours = palette.layer_colors(len(depths))
    data = [{**r, "line": f"{r['kind']} {r['depth']} {r['seed']}"} for r in rows]
    return (
        alt.Chart(frame(data, ("kind", "depth", "seed", "epoch", "train_loss", "line")))
        .mark_line(strokeWidth=2, opacity=0.85)
        .encode(
            x=alt.X("epoch:Q", title=_("epoch"), axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("train_loss:Q", title=_("training loss (log scale)"), scale=alt.Scale(type="log")),
            color=alt.Color("depth:O", title=_("depth"), scale=alt.Scale(domain=depths, range=colours)),
            strokeDash=alt.StrokeDash("kind:N", title=None),
            detail="line:N",
            tooltip=[
                alt.Tooltip("kind:N", title=_("net")),
                alt.Tooltip("depth:O", title=_("depth")),
                alt.Tooltip("seed:O", title=_("seed")),
                alt.Tooltip("epoch:Q", title=_("epoch")),
                alt.Tooltip("train_loss:Q", title=_("training loss"), format=".3f"),
            ],
        )
        .properties(height=height, width="container")
    )


def seeds_chart(rows: Sequence[dict], height: int = 150) -> alt.Chart:
    """Test accuracy per seed (points) and their mean (a tick) for each named net.
    Rows: (net, seed, acc) with ``net`` already translated."""
    base = alt.Chart(frame(rows, ("net", "seed", "acc")))
    points = base.mark_circle(size=70, opacity=0.8).encode(
        x=alt.X("acc:Q", title=_("test accuracy"), axis=alt.Axis(format="%"), scale=alt.Scale(zero=False)),
        y=alt.Y("net:N", title=None),
        color=alt.Color("net:N", legend=None, scale=alt.Scale(range=list(palette.RUN_COLORS))),
        tooltip=[
            alt.Tooltip("net:N", title=_("net")),
            alt.Tooltip("seed:O", title=_("seed")),
            alt.Tooltip("acc:Q", title=_("test accuracy"), format=".1%"),
        ],
    )
    mean = base.mark_tick(thickness=3, size=26, color=palette.INK).encode(
        x="mean(acc):Q", y=alt.Y("net:N", title=None)
    )
    return alt.layer(points, mean).properties(height=height, width="container")
