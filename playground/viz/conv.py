"""Charts of the convolution lab: maps and filters tiled in NumPy into one image per layer (cheap
enough for every live tick), digits with a receptive field drawn on them, matrices of the im2col view,
and Vega-Lite charts for curves, the confusion matrix, probabilities and the side-by-side experiments.

Every function takes plain arrays or rows and returns a uint8 RGB image, an Altair chart or a Vega-Lite
spec; the live views of a tick are one HTML block (:func:`live_panel`) and one spec fed one table
(:func:`live_charts_spec`, :func:`live_rows`): Streamlit's server cost is per element.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence

import altair as alt
import numpy as np

from playground.i18n import _, language
from playground.viz import palette
from playground.viz.png import data_uri
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


@functools.lru_cache(maxsize=32)
def _tile_index(n: int, h: int, w: int, cols: int, scale: int, gap: int) -> np.ndarray:
    """For each pixel of a tiled image, the flat index of the map pixel it shows (``n·h·w``: the
    gap colour). Depends only on the geometry, so a live tick reuses it: tiling is then one gather."""
    rows = -(-n // cols)
    H, W = h * scale, w * scale
    r, ry = np.divmod(np.arange(rows * (H + gap) - gap), H + gap)
    c, cx = np.divmod(np.arange(cols * (W + gap) - gap), W + gap)
    m = r[:, None] * cols + c[None, :]
    index = m * (h * w) + (ry // scale)[:, None] * w + (cx // scale)[None, :]
    index[(ry >= H)[:, None] | (cx >= W)[None, :] | (m >= n)] = n * h * w
    index.flags.writeable = False
    return index


def tile(images: np.ndarray, cols: int | None = None, scale: int = 8, gap: int = 2, limit=None) -> np.ndarray:
    """(n, h, w) maps → one RGB image: a grid of ``cols`` columns, each map ``scale``× enlarged,
    ``gap`` white pixels between them. One colour scale for all maps (shared ``limit``), so a weak
    map looks weak next to a strong one. The maps are coloured at their own size and the image is
    gathered from them in one NumPy call (a live tick tiles a few hundred kernels)."""
    a = np.asarray(images, dtype=np.float64)
    if a.ndim != 3 or a.shape[0] == 0:
        raise ValueError(f"tile() takes (n, h, w) maps, got shape {a.shape}")
    n, h, w = a.shape
    cols = min(cols or int(np.ceil(np.sqrt(n))), n)
    index = _tile_index(n, h, w, cols, int(scale), int(gap))
    colours = np.empty((n * h * w + 1, 3), dtype=np.uint8)
    colours[:-1] = signed_rgb(a, limit).reshape(-1, 3)
    colours[-1] = GAP_RGB
    pixels = np.take(colours.view("V3").ravel(), index)  # 3-byte pixels: one gather, no per-map loop
    return pixels.view(np.uint8).reshape(*index.shape, 3)


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
# The live views as one HTML block

#: About how many pixels wide one feature map and one kernel are drawn in the live views.
LIVE_MAP_PX = 36
LIVE_KERNEL_PX = 24
LIVE_INPUT_PX = 80
# Inline styles: st.html keeps an element's style attribute (a <style> element would be dropped).
_FIGURE = (
    'class="cv-figure" style="margin:0;display:flex;'  # i18n: not text
    'flex-direction:column;align-items:center"'
)
_IMAGE = 'style="image-rendering:pixelated;max-width:100%;height:auto;display:block"'  # i18n: not text
_CAPTION = 'style="font-size:0.875rem;opacity:0.6;margin-top:0.25rem;text-align:center"'  # i18n: not text
_TEXT = 'style="margin-bottom:0.5rem"'  # i18n: not text
_ROW = (
    'class="cv-row" style="display:flex;flex-wrap:wrap;align-items:flex-start;'  # i18n: not text
    'gap:0.5rem 1.5rem;margin-bottom:1rem"'
)
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")


def scale_for(size: int, px: int) -> int:
    """The whole enlargement that draws ``size`` cells about ``px`` pixels wide (at least 1)."""
    return max(1, round(px / max(int(size), 1)))


def inline_markdown(text: str) -> str:
    """``text`` escaped for HTML, with its markdown **bold** and *italic* spans as tags (the catalogs'
    sentences are written for ``st.markdown``)."""
    out = _BOLD.sub(r"<strong>\1</strong>", html.escape(text, quote=False))
    return _ITALIC.sub(r"<em>\1</em>", out)


def figure_html(rgb: np.ndarray, caption: str) -> str:
    """One image (a PNG data URI at its own pixel size, never blurred when the page shrinks it) over
    its caption."""
    h, w = rgb.shape[:2]
    cap = html.escape(caption)
    return (
        f'<figure {_FIGURE}><img src="{data_uri(rgb)}" alt="{cap}" '  # i18n: not text
        f'width="{w}" height="{h}" {_IMAGE}><figcaption {_CAPTION}>{cap}</figcaption></figure>'
    )


def panel_html(sections: Sequence[tuple[str, Sequence[tuple[np.ndarray, str]]]]) -> str:
    """Rows of captioned images in one HTML block: per section a sentence (markdown bold and italic
    allowed) and its images side by side, wrapping on a narrow page. A live tick sends this one
    element instead of an image, a caption and a column per picture: Streamlit's cost on the server
    is per element, and the pictures are sent at the size they are shown."""
    parts = ['<div class="cv-panel">']  # i18n: not text
    for text, figures in sections:
        parts.append(f"<div {_TEXT}>{inline_markdown(text)}</div><div {_ROW}>")
        parts.extend(figure_html(rgb, caption) for rgb, caption in figures)
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def live_panel(
    index: int,
    x: np.ndarray,
    label: int,
    probs: np.ndarray,
    maps: Sequence[np.ndarray],
    filters: Sequence[tuple[np.ndarray, np.ndarray]],
) -> str:
    """The live views below the curves, as one HTML block: test digit ``index`` (``x`` (1, H, W),
    its ``label`` and the net's ``probs``) and each block's feature maps (F, h, w), one image per
    layer; then each conv layer's kernels and their gradients (``filters``: (W, dW) pairs)."""
    figures = [(digit_image(x[0], scale=scale_for(x.shape[-1], LIVE_INPUT_PX)), _("input"))]
    for k, m in enumerate(maps, start=1):
        f, h = m.shape[0], m.shape[-1]
        figures.append(
            (tile(m, cols=min(f, 8), scale=scale_for(h, LIVE_MAP_PX)), _("block {k}: {f} maps", k=k, f=f))
        )
    kernels = []
    for k, (W, G) in enumerate(filters, start=1):
        scale = scale_for(W.shape[-1], LIVE_KERNEL_PX)
        kernels.append((tile_filters(W, scale=scale), _("block {k}: kernels", k=k)))
        kernels.append((tile_filters(G, scale=scale), _("block {k}: gradients", k=k)))
    maps_text = _(
        "**Feature maps of test digit #{i}** (a {label}; the net says {pred} with {p}). "
        "One tile per filter, after the activation: blue is positive, orange negative (ReLU "
        "leaves none), white zero.",
        i=int(index),
        label=label,
        pred=int(np.argmax(probs)),
        p=f"{np.max(probs):.0%}",
    )
    filters_text = (
        "**"
        + _("Filters and their gradients")
        + "** "
        + _("(a row per filter, a column per input channel; gradients of the last mini-batch)")
    )
    return panel_html([(maps_text, figures), (filters_text, kernels)])


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


def confusion_chart(size: int = 240, title: str | None = None) -> alt.Chart:
    """Rows actual digit, columns predicted; shade = share of the actual digit, text = count; an
    optional title above it (in the chart, so a live tick sends one element, not two)."""
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
    chart = alt.layer(cells, text).properties(width=size, height=size)
    caption = alt.TitleParams(title, orient="bottom", fontWeight="normal", fontSize=14)  # below, as a caption
    return chart.properties(title=caption) if title else chart


def live_rows(history: Sequence[dict], confusion: np.ndarray) -> list[dict]:
    """The data of :func:`live_charts_spec`: the rows of :func:`curve_rows` and those of
    :func:`confusion_rows` (``metric`` "confusion"), one table for both charts."""
    empty = dict.fromkeys(("epoch", "split", "metric", "value", "actual", "predicted", "count", "fraction"))
    rows = [{**empty, **r} for r in curve_rows(history)]  # every row has every field: Arrow's columns
    return rows + [{**empty, **r, "metric": "confusion"} for r in confusion_rows(confusion)]


def live_charts_spec(width: int = 300, height: int = 110, size: int = 220) -> dict:
    """The live curves (loss over accuracy, ``width`` × ``height`` each) beside the confusion matrix
    (``size`` px) as one data-less Vega-Lite spec, fed :func:`live_rows` every tick: one element
    instead of a row of columns, a title and two charts. Each view keeps the rows of its ``metric``.
    Built once per language and size; shared, so a caller must not change it."""
    return _live_charts_spec(language(), int(width), int(height), int(size))


@functools.lru_cache(maxsize=8)
def _live_charts_spec(lang: str, width: int, height: int, size: int) -> dict:
    config: dict = {}

    def view(chart: alt.Chart | alt.LayerChart, metric: str) -> dict:
        spec = chart.to_dict()
        for key in ("data", "datasets", "$schema"):
            spec.pop(key, None)
        config.update(spec.pop("config", {}))
        spec["transform"] = [{"filter": {"field": "metric", "equal": metric}}, *spec.get("transform", [])]
        return spec

    curves = [view(curves_chart(m, height=height, width=width), m) for m in ("loss", "acc")]
    title = _("Confusion matrix (test, end of the last epoch)")
    matrix = view(confusion_chart(size=size, title=title), "confusion")
    return {
        "hconcat": [{"vconcat": curves, "spacing": 6}, matrix],
        "spacing": 48,
        "align": "none",  # each view from the top: the curves need not wait for the title and axis
        "config": config,
    }


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
