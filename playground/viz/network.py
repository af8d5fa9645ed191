"""TF Playground's network view: every neuron a small heatmap of its output over the input plane, every
weight a line whose colour is its sign (orange negative, blue positive) and whose width is its size.

``network_view_data`` builds what the live page's interactive view (the ``playground.ui.netview``
component: HTML and SVG drawn in the browser) needs on every tick: plain numbers and 8-bit neuron maps,
no pixels. ``network_svg`` draws a static picture as SVG (lines, squares and the input names as
``<text>``, which the browser renders in any script, Chinese included); ``network_image`` renders the
picture without text in NumPy, ``network_figure`` is a Plotly version; all use ``network_layout``. Neuron
maps follow ``boundary.py``'s orientation: row 0 is the top of the input plane (y = y_max).
"""

from __future__ import annotations

import base64
import html
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from playground.i18n import _, ngettext
from playground.viz import palette
from playground.viz.png import data_uri

NETWORK_VIEW_LIMITS = {"max_layers": 10, "max_neurons": 16}
WEIGHT_CLIP = 3.0  # |w| at and above this gets the widest, most opaque line
BIAS_CLIP = 1.0  # |b| at and above this gets the fullest bias colour
MIN_ALPHA = 0.25  # opacity of a zero weight's line, so every connection stays visible
MAP_ALPHA = 0.85  # neuron maps are drawn this opaque over white (slightly softer than full colour)


def network_view_too_large(layer_sizes: Sequence[int], *, blocks: bool = False) -> str | None:
    """A message for the learner when the net is too large to draw legibly, else None. ``blocks``: the
    interactive view's wording (it then draws the net as one block per layer)."""
    sizes = list(layer_sizes)
    max_layers, max_neurons = NETWORK_VIEW_LIMITS["max_layers"], NETWORK_VIEW_LIMITS["max_neurons"]
    if len(sizes) > max_layers:
        remove = ngettext(
            "Remove {n} hidden layer to see it again.",
            "Remove {n} hidden layers to see it again.",
            len(sizes) - max_layers,
        )
        if blocks:
            head = _(
                "Drawn as blocks: the picture shows at most {max} layers (inputs, hidden layers and output); "
                "this network has {n}.",
                max=max_layers,
                n=len(sizes),
            )
        else:
            head = _(
                "The network picture shows at most {max} layers (inputs, hidden layers and output); this "
                "network has {n}.",
                max=max_layers,
                n=len(sizes),
            )
        return " ".join((head, remove, _("Training is not affected.")))
    widest = max(sizes) if sizes else 0
    if widest > max_neurons:
        where = sizes.index(widest)
        if where == 0:
            kind = _("the input layer")
        elif where == len(sizes) - 1:
            kind = _("the output layer")
        else:
            kind = _("hidden layer {k}", k=where)
        if blocks:
            head = _(
                "Drawn as blocks: the picture shows at most {max} neurons per layer; {kind} has {n}.",
                max=max_neurons,
                kind=kind,
                n=widest,
            )
        else:
            head = _(
                "The network picture shows at most {max} neurons per layer; {kind} has {n}.",
                max=max_neurons,
                kind=kind,
                n=widest,
            )
        use = _("Use {max} or fewer to see it again.", max=max_neurons)
        return " ".join((head, use, _("Training is not affected.")))
    return None


def layer_name(i: int, n_layers: int) -> str:
    """'input', 'hidden k' or 'output' for layer ``i`` of ``n_layers`` (input and output included)."""
    if i == 0:
        return _("input")
    if i == n_layers - 1:
        return _("output")
    return _("hidden {k}", k=i)


def label_width(text: str, px: float) -> float:
    """About how wide ``text`` is at a font size of ``px`` (wide characters such as Chinese take a full
    em, others about 0.6 em): room for the input names left of the first layer."""
    return sum(px if unicodedata.east_asian_width(ch) in "WF" else 0.6 * px for ch in str(text))


@dataclass(frozen=True)
class NetworkLayout:
    """Where everything goes, in pixels (x right, y down). Shared by the image and the Plotly figure."""

    layer_sizes: tuple[int, ...]
    cell: int  # side of a neuron square
    width: int
    height: int
    lefts: np.ndarray  # (L,) x of each layer's left edge
    tops: tuple[np.ndarray, ...]  # per layer, (n_i,) y of each neuron's top edge
    label_px: int  # font size of the input labels
    label_right: int  # input labels are right-aligned at this x

    def centre(self, layer: int, neuron: int) -> tuple[float, float]:
        """Pixel centre of a neuron square."""
        return self.lefts[layer] + self.cell / 2, self.tops[layer][neuron] + self.cell / 2


def network_layout(
    layer_sizes: Sequence[int],
    *,
    cell: int = 28,
    input_names: Sequence[str] | None = None,
    layer_gap: int | None = None,
    node_gap: int | None = None,
) -> NetworkLayout:
    """Place the layers left to right and each layer's neurons centred top to bottom."""
    sizes = tuple(int(s) for s in layer_sizes)
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(
            f"layer_sizes needs at least an input and an output layer of 1+ neurons, got {sizes}"
        )
    cell = int(cell)
    layer_gap = int(layer_gap if layer_gap is not None else 3 * cell)
    node_gap = int(node_gap if node_gap is not None else max(6, cell // 2))
    margin = max(6, cell // 3)
    label_px = max(10, min(16, int(cell * 0.55)))
    names = [str(n) for n in (input_names or [])]
    label_w = int(np.ceil(max((label_width(n, label_px) for n in names), default=0)))
    label_area = label_w + max(6, cell // 4) if label_w else 0
    lefts = margin + label_area + np.arange(len(sizes)) * (cell + layer_gap)
    span = max(sizes) * (cell + node_gap) - node_gap
    height = span + 2 * margin
    tops = tuple(
        margin + (span - (n * (cell + node_gap) - node_gap)) // 2 + np.arange(n) * (cell + node_gap)
        for n in sizes
    )
    width = int(lefts[-1] + cell + margin)
    return NetworkLayout(sizes, cell, width, height, lefts, tops, label_px, int(lefts[0] - max(6, cell // 4)))


def _check_weights(sizes: tuple[int, ...], weights: Sequence[np.ndarray]) -> list[np.ndarray]:
    if len(weights) != len(sizes) - 1:
        raise ValueError(f"{len(sizes)} layers need {len(sizes) - 1} weight matrices, got {len(weights)}")
    out = []
    for i, w in enumerate(weights):
        w = np.asarray(w, dtype=np.float64)
        if w.shape != (sizes[i], sizes[i + 1]):
            raise ValueError(f"weights[{i}] should have shape {(sizes[i], sizes[i + 1])}, got {w.shape}")
        out.append(np.nan_to_num(w, nan=0.0, posinf=1e6, neginf=-1e6))  # a diverged net still draws
    return out


def _line_style(w: np.ndarray, weight_clip: float, max_width: float, min_width: float):
    """Width (px), opacity and RGB colour of each weight's line."""
    mag = np.minimum(np.abs(w) / weight_clip, 1.0)
    width = min_width + (max_width - min_width) * mag
    alpha = MIN_ALPHA + (1.0 - MIN_ALPHA) * mag
    rgb = np.where(
        (w < 0)[:, None],
        np.asarray(palette.hex_to_rgb(palette.NEGATIVE), dtype=np.float32),
        np.asarray(palette.hex_to_rgb(palette.POSITIVE), dtype=np.float32),
    )
    return width, alpha, rgb


def _segments(layout: NetworkLayout, weights: list[np.ndarray]):
    """Every weight as a segment from the right edge of its source square to the left edge of its target.

    Returns ``(layer, src, dst, x0, y0, y1, w)`` flat arrays, sorted by |w| so strong lines are drawn last.
    """
    parts = []
    for i, w in enumerate(weights):
        n_in, n_out = w.shape
        src, dst = np.meshgrid(np.arange(n_in), np.arange(n_out), indexing="ij")
        src, dst = src.ravel(), dst.ravel()
        y0 = layout.tops[i][src] + layout.cell / 2
        y1 = layout.tops[i + 1][dst] + layout.cell / 2
        x0 = np.full(src.size, layout.lefts[i] + layout.cell, dtype=np.float64)
        parts.append((np.full(src.size, i), src, dst, x0, y0, y1, w.ravel()))
    cols = [np.concatenate(c) for c in zip(*parts, strict=True)]
    order = np.argsort(np.abs(cols[-1]), kind="stable")
    return [c[order] for c in cols]


_PIXEL = np.dtype((np.void, 3))  # one RGB pixel as a single element: fancy indexing moves 3 bytes at once
_LEVELS = 32  # coverage x opacity is quantised to this many steps (finer than the eye can tell on a line)


def _draw_lines(img: np.ndarray, x0, y0, y1, gap: int, width, alpha, rgb) -> None:
    """Draw straight anti-aliased lines spanning ``gap`` columns from (x0, y0) to (x0 + gap, y1), in place.

    Column-scan rasterisation, vectorised over every (line, column, row) at once: in each pixel column a
    line covers a vertical interval of half-height ``width/2 * sqrt(1 + slope^2)``, and a pixel's coverage
    is its overlap with that interval. Each line gets only as many rows per column as it needs (a ragged
    layout built with ``np.repeat``), and colours come from a per-line table of 33 opacity levels, so the
    per-pixel work is a handful of integer gathers. Lines are painted over white in the given order; a
    second pass re-paints fully covered pixels so a later line's soft edge never notches an earlier line.
    """
    n_lines = len(x0)
    if n_lines == 0 or gap <= 0 or img.size == 0:
        return
    if not img.flags.c_contiguous:
        raise ValueError("_draw_lines needs a C-contiguous image")
    h, w = img.shape[:2]
    t = (np.arange(gap) + 0.5) / gap  # column centres along the segment
    slope = (y1 - y0) / gap
    hw = (np.asarray(width, dtype=np.float64) / 2.0) * np.sqrt(1.0 + slope * slope)  # (L,)
    lo = y0[:, None] + (y1 - y0)[:, None] * t[None, :] - hw[:, None]  # (L, G) top of each column's interval
    top = np.floor(lo).astype(np.intp)
    n_rows = (np.ceil(2.0 * hw) + 2).astype(np.intp)  # rows a column of this line may touch
    rel_lo = (lo - top).astype(np.float32).ravel()  # in [0, 1): where the interval starts in its top row
    rel_hi = (rel_lo.reshape(n_lines, gap) + (2.0 * hw)[:, None].astype(np.float32)).ravel()
    base = (
        top * w + (np.asarray(x0, dtype=np.intp)[:, None] + np.arange(gap))
    ).ravel()  # flat pixel, top row
    clip_rows = top.min() < 0 or (top + n_rows[:, None]).max() > h  # only with very wide lines
    # ragged expansion: entry e belongs to (line, column) pair[e] and sits k[e] rows below its top row
    per_pair = np.repeat(n_rows, gap)
    pair = np.repeat(np.arange(n_lines * gap), per_pair)
    k = np.arange(pair.size, dtype=np.float32) - np.repeat(
        (np.cumsum(per_pair) - per_pair).astype(np.float32), per_pair
    )
    cov = np.minimum(k + 1.0, rel_hi[pair]) - np.maximum(k, rel_lo[pair])
    visible = cov > 0
    if clip_rows:
        row = top.ravel()[pair] + k.astype(np.intp)
        visible &= (row >= 0) & (row < h)
    keep = np.flatnonzero(visible)
    cov = np.minimum(cov[keep], 1.0)
    pair = pair[keep]
    pix = base[pair] + k[keep].astype(np.intp) * w
    # colour table: line l at opacity level q is white + q/Q * (colour - white)
    q = np.arange(_LEVELS + 1, dtype=np.float32)[None, :, None] / _LEVELS
    table = (255.0 + q * (np.asarray(rgb, dtype=np.float32)[:, None, :] - 255.0) + 0.5).astype(np.uint8)
    table = np.ascontiguousarray(table).view(_PIXEL).reshape(-1)  # (L * (Q + 1),)
    line_alpha = np.repeat((np.asarray(alpha, dtype=np.float32) * _LEVELS), gap)  # per pair
    level = (cov * line_alpha[pair] + 0.5).astype(np.intp)
    out = table[np.repeat(np.arange(n_lines) * (_LEVELS + 1), gap)[pair] + level]
    pixels = img.reshape(-1).view(_PIXEL)
    pixels[pix] = out
    core = cov >= 1.0  # fully covered pixels of each line
    pixels[pix[core]] = out[core]


def _neuron_tiles(maps, n: int, cell: int) -> np.ndarray:
    """Upsample a layer's ``(n, m, m)`` maps to ``(n, cell, cell, 3)`` RGB tiles (nearest neighbour)."""
    if maps is None:
        return np.broadcast_to(np.asarray(palette.hex_to_rgb(palette.NEUTRAL), np.uint8), (n, cell, cell, 3))
    maps = np.asarray(maps)
    if maps.ndim != 3 or maps.shape[0] != n:
        raise ValueError(f"neuron maps of a {n}-neuron layer should have shape ({n}, m, m), got {maps.shape}")
    rows = (np.arange(cell) * maps.shape[1]) // cell
    cols = (np.arange(cell) * maps.shape[2]) // cell
    rgb = palette.soften(palette.diverging_rgb(maps, -1.0, 1.0), MAP_ALPHA)
    return rgb[:, rows][:, :, cols]


def network_image(
    layer_sizes: Sequence[int],
    weights: Sequence[np.ndarray],
    neuron_maps: Sequence[np.ndarray | None] | None,
    *,
    biases: Sequence[np.ndarray] | None = None,
    cell: int = 28,
    weight_clip: float = WEIGHT_CLIP,
    max_line_width: float | None = None,
) -> np.ndarray | None:
    """Render the network as uint8 RGB, or None when ``network_view_too_large`` says it is too large.

    ``weights[i]`` is ``(layer_sizes[i], layer_sizes[i+1])``; ``neuron_maps[i]`` is
    ``(layer_sizes[i], m, m)`` with values in [-1, 1] (row 0 = top of the input plane), or None for plain
    squares; ``biases[i]`` (optional) is ``(layer_sizes[i+1],)``, drawn as a small square at each neuron's
    lower left corner. The image carries no text (pixels cannot draw every script): name the inputs
    beside it, or use :func:`network_svg`, which writes them as text.
    """
    if network_view_too_large(layer_sizes):
        return None
    layout = network_layout(layer_sizes, cell=cell)
    sizes = layout.layer_sizes
    weights = _check_weights(sizes, weights)
    img = np.full((layout.height, layout.width, 3), 255, dtype=np.uint8)

    # weights, weakest first
    _layer, _src, _dst, x0, y0, y1, w = _segments(layout, weights)
    max_w = max_line_width if max_line_width is not None else max(2.0, cell / 7)
    width, alpha, rgb = _line_style(w, weight_clip, max_w, 0.6)
    gap = int(layout.lefts[1] - layout.lefts[0] - cell) if len(sizes) > 1 else 0
    _draw_lines(img, x0, y0, y1, gap, width, alpha, rgb)

    # neuron squares with a 1 px border
    maps = list(neuron_maps) if neuron_maps is not None else [None] * len(sizes)
    if len(maps) != len(sizes):
        raise ValueError(f"{len(sizes)} layers need {len(sizes)} neuron map arrays, got {len(maps)}")
    border = np.asarray(palette.hex_to_rgb(palette.GRID), dtype=np.uint8)
    for i, n in enumerate(sizes):
        tiles = _neuron_tiles(maps[i], n, cell)
        left = int(layout.lefts[i])
        for j, top in enumerate(layout.tops[i].tolist()):
            img[top - 1 : top + cell + 1, left - 1 : left + cell + 1] = border
            img[top : top + cell, left : left + cell] = tiles[j]

    if biases is not None:
        _draw_biases(img, layout, biases)
    return img


def _bias_side(cell: int) -> int:
    return max(4, cell // 5)


def network_svg(
    layer_sizes: Sequence[int],
    weights: Sequence[np.ndarray],
    *,
    input_names: Sequence[str] | None = None,
    biases: Sequence[np.ndarray] | None = None,
    cell: int = 28,
    weight_clip: float = WEIGHT_CLIP,
    max_line_width: float | None = None,
) -> str | None:
    """The network as an SVG document (same layout and colours as :func:`network_image`, plain squares
    for the neurons), or None when ``network_view_too_large`` says it is too large. The input names are
    ``<text>`` elements (escaped), so the browser draws them in any script."""
    if network_view_too_large(layer_sizes):
        return None
    layout = network_layout(layer_sizes, cell=cell, input_names=input_names)
    sizes = layout.layer_sizes
    weights = _check_weights(sizes, weights)
    _layer, _src, _dst, x0, y0, y1, w = _segments(layout, weights)
    max_w = max_line_width if max_line_width is not None else max(2.0, cell / 7)
    width, alpha, _rgb = _line_style(w, weight_clip, max_w, 0.6)
    gap = float(layout.lefts[1] - layout.lefts[0] - cell)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{layout.width}" height="{layout.height}" '
        f'viewBox="0 0 {layout.width} {layout.height}">',  # i18n: not text
        f'<rect width="{layout.width}" height="{layout.height}" fill="#ffffff"/>',  # i18n: not text
    ]
    for xa, ya, yb, wv, lw, la in zip(x0, y0, y1, w, width, alpha, strict=True):
        color = palette.NEGATIVE if wv < 0 else palette.POSITIVE
        parts.append(
            f'<line x1="{xa:.1f}" y1="{ya:.1f}" x2="{xa + gap:.1f}" y2="{yb:.1f}" stroke="{color}" '
            f'stroke-width="{lw:.2f}" stroke-opacity="{la:.3f}"/>'  # i18n: not text
        )
    for i, _n in enumerate(sizes):
        left = float(layout.lefts[i])
        for top in layout.tops[i].tolist():
            parts.append(
                f'<rect x="{left - 0.5:.1f}" y="{top - 0.5:.1f}" width="{cell + 1}" height="{cell + 1}" '
                f'fill="{palette.NEUTRAL}" stroke="{palette.GRID}"/>'  # i18n: not text
            )
    if biases is not None:
        if len(biases) != len(sizes) - 1:
            raise ValueError(f"{len(sizes)} layers need {len(sizes) - 1} bias vectors, got {len(biases)}")
        side = _bias_side(cell)
        for i, b in enumerate(biases, start=1):
            b = np.asarray(b, dtype=np.float64).reshape(-1)
            if b.size != sizes[i]:
                raise ValueError(f"biases[{i - 1}] should have {sizes[i]} values, got {b.size}")
            colors = palette.diverging_rgb(b, -BIAS_CLIP, BIAS_CLIP)
            x = float(layout.lefts[i]) - side / 2
            for top, c in zip(layout.tops[i].tolist(), colors, strict=True):
                fill = "#{:02x}{:02x}{:02x}".format(*(int(v) for v in c))
                parts.append(
                    f'<rect x="{x:.1f}" y="{top + cell - side / 2:.1f}" width="{side}" height="{side}" '
                    f'fill="{fill}" stroke="{palette.INK}"/>'  # i18n: not text
                )
    for j, name in enumerate(list(input_names or [])[: sizes[0]]):
        cy = float(layout.tops[0][j]) + cell / 2
        parts.append(
            f'<text x="{layout.label_right}" y="{cy:.1f}" text-anchor="end" dominant-baseline="central" '
            f'font-family="sans-serif" font-size="{layout.label_px}" fill="{palette.INK}">'  # i18n: not text
            f"{html.escape(str(name))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _draw_biases(img: np.ndarray, layout: NetworkLayout, biases: Sequence[np.ndarray]) -> None:
    """A small square straddling each non-input neuron's lower-left corner, coloured by its bias."""
    sizes, cell = layout.layer_sizes, layout.cell
    if len(biases) != len(sizes) - 1:
        raise ValueError(f"{len(sizes)} layers need {len(sizes) - 1} bias vectors, got {len(biases)}")
    side = _bias_side(cell)
    border = np.asarray(palette.hex_to_rgb(palette.INK), dtype=np.uint8)
    for i, b in enumerate(biases, start=1):
        b = np.asarray(b, dtype=np.float64).reshape(-1)
        if b.size != sizes[i]:
            raise ValueError(f"biases[{i - 1}] should have {sizes[i]} values, got {b.size}")
        colors = palette.diverging_rgb(b, -BIAS_CLIP, BIAS_CLIP)
        x = int(layout.lefts[i]) - side // 2 - 1
        for top, c in zip(layout.tops[i], colors, strict=True):
            y = int(top + cell) - side // 2 - 1
            img[y : y + side + 2, x : x + side + 2] = border
            img[y + 1 : y + side + 1, x + 1 : x + side + 1] = c


# ---------------------------------------------------------------- interactive (paused) view


def network_figure(
    layer_sizes: Sequence[int],
    weights: Sequence[np.ndarray],
    neuron_maps: Sequence[np.ndarray | None] | None,
    *,
    input_names: Sequence[str] | None = None,
    biases: Sequence[np.ndarray] | None = None,
    cell: int = 40,
    weight_clip: float = WEIGHT_CLIP,
):
    """Plotly view of the network for a paused run: hover a neuron for its id and bias, a line's midpoint
    for the weight. Neuron maps are embedded as PNG data URIs (no media files). Raises ValueError when
    ``network_view_too_large`` has a message."""
    import plotly.graph_objects as go

    message = network_view_too_large(layer_sizes)
    if message:
        raise ValueError(message)
    layout = network_layout(layer_sizes, cell=cell, input_names=input_names)
    sizes = layout.layer_sizes
    weights = _check_weights(sizes, weights)
    n_layers = len(sizes)
    names = [str(n) for n in (input_names or [])]
    fig = go.Figure()

    # lines, bucketed by width and sign (Plotly has one width per trace)
    layer, src, dst, x0, y0, y1, w = _segments(layout, weights)
    gap = layout.lefts[1] - layout.lefts[0] - cell
    width, alpha, _rgb = _line_style(w, weight_clip, max(2.0, cell / 7), 0.6)
    bucket = np.round(width * 2) / 2
    for sign, color in ((-1, palette.NEGATIVE), (1, palette.POSITIVE)):
        for bw in np.unique(bucket):
            sel = (bucket == bw) & ((w < 0) if sign < 0 else (w >= 0))
            if not sel.any():
                continue
            xs = np.stack([x0[sel], x0[sel] + gap, np.full(sel.sum(), np.nan)], axis=1).ravel()
            ys = np.stack([y0[sel], y1[sel], np.full(sel.sum(), np.nan)], axis=1).ravel()
            op = float(alpha[sel].mean())
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    line={"color": color, "width": float(bw)},
                    opacity=op,
                    hoverinfo="skip",
                    showlegend=False,
                )
            )

    # weight hover: invisible markers at line midpoints
    def neuron_label(i: int, j: int) -> str:
        if i == 0 and j < len(names):
            return names[j]
        return f"{layer_name(i, n_layers)} #{j + 1}"

    weight_word = _("weight")
    hover = [
        f"{neuron_label(int(i), int(s))} → {neuron_label(int(i) + 1, int(d))}<br>{weight_word} = {v:+.4f}"
        for i, s, d, v in zip(layer, src, dst, w, strict=True)
    ]
    fig.add_trace(
        go.Scatter(
            x=x0 + gap / 2,
            y=(y0 + y1) / 2,
            mode="markers",
            marker={"size": 9, "color": "rgba(0,0,0,0)"},
            hovertext=hover,
            hoverinfo="text",
            showlegend=False,
            name="weights",
        )
    )

    # neurons: the maps as layout images, hover markers on top
    maps = list(neuron_maps) if neuron_maps is not None else [None] * n_layers
    bias_list = None
    if biases is not None:
        bias_list = [None] + [np.asarray(b, dtype=float).reshape(-1) for b in biases]
    images, nx, ny, ntext = [], [], [], []
    for i, n in enumerate(sizes):
        tiles = _neuron_tiles(maps[i], n, cell)
        for j in range(n):
            cx, cy = layout.centre(i, j)
            images.append(
                {
                    "source": data_uri(np.ascontiguousarray(tiles[j])),
                    "xref": "x",
                    "yref": "y",
                    "x": float(layout.lefts[i]),
                    "y": float(layout.tops[i][j]),
                    "sizex": cell,
                    "sizey": cell,
                    "xanchor": "left",
                    "yanchor": "top",
                    "sizing": "stretch",
                    "layer": "above",
                }
            )
            if i == 0:
                text = neuron_label(i, j)
            else:
                text = _("{layer}, neuron {k}", layer=layer_name(i, n_layers), k=j + 1)
            if bias_list is not None and i > 0:
                text += "<br>" + _("bias = {value}", value=f"{bias_list[i][j]:+.4f}")
            if i > 0:
                incoming = weights[i - 1][:, j]
                text += "<br>" + _(
                    "incoming |w|: mean {mean}, max {max}",
                    mean=f"{np.abs(incoming).mean():.3f}",
                    max=f"{np.abs(incoming).max():.3f}",
                )
            nx.append(cx)
            ny.append(cy)
            ntext.append(text)
    fig.add_trace(
        go.Scatter(
            x=nx,
            y=ny,
            mode="markers",
            marker={"symbol": "square", "size": cell * 0.8, "color": "rgba(0,0,0,0)"},
            hovertext=ntext,
            hoverinfo="text",
            showlegend=False,
            name="neurons",
        )
    )
    for j, name in enumerate(names[: sizes[0]]):
        cx, cy = layout.centre(0, j)
        fig.add_annotation(x=layout.lefts[0] - 6, y=cy, text=name, showarrow=False, xanchor="right")
    fig.update_layout(
        images=images,
        template="plotly_white",
        height=int(min(max(layout.height * 1.1, 260), 720)),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        plot_bgcolor="white",
        hoverlabel={"bgcolor": "white"},
    )
    fig.update_xaxes(visible=False, range=[0, layout.width], constrain="domain")
    fig.update_yaxes(visible=False, range=[layout.height, 0], scaleanchor="x", constrain="domain")
    return fig


# ---------------------------------------------------------------- the live, interactive view (data only)

#: Pixels the neurons of the interactive view may take (the tallest column is fitted into it).
VIEW_MAX_HEIGHT = 380


def quantize_maps(maps, lo: float = -1.0, hi: float = 1.0) -> np.ndarray:
    """Values in [lo, hi] as uint8 0..255 (clipped; NaN and ±inf at the middle / the ends): the 8-bit
    neuron maps the view sends instead of float JSON. 127.5 is 0 for the default range."""
    with np.errstate(over="ignore", invalid="ignore"):
        v = np.asarray(maps, dtype=np.float32)
    mid = (lo + hi) / 2.0
    v = np.nan_to_num(v, nan=mid, posinf=hi, neginf=lo)
    t = (v - np.float32(lo)) * np.float32(255.0 / (hi - lo)) + np.float32(0.5)
    return np.clip(t, 0.0, 255.0).astype(np.uint8)


def dequantize(q: np.ndarray, lo: float = -1.0, hi: float = 1.0) -> np.ndarray:
    """The inverse of :func:`quantize_maps` (what the browser draws), for tests."""
    return lo + np.asarray(q, dtype=np.float64) * ((hi - lo) / 255.0)


def shrink_maps(maps: np.ndarray, factor: int) -> np.ndarray:
    """``(n, g, g)`` maps averaged over ``factor`` × ``factor`` blocks (``g`` divisible by ``factor``)."""
    maps = np.asarray(maps, dtype=np.float64)
    if factor <= 1:
        return maps
    n, g, g2 = maps.shape
    if g % factor or g2 % factor:
        raise ValueError(f"maps of side {g}×{g2} cannot be shrunk by {factor}")
    return maps.reshape(n, g // factor, factor, g2 // factor, factor).mean(axis=(2, 4))


def feature_label(label: str, view_names: Sequence[str]) -> str:
    """A 2-D feature's label (``"x₁²"``, ``"sin x₂"``…) written with the dataset's own axis names, so Iris
    reads "petal length²" rather than "x₁²". Generated data (axes named x₁, x₂) keeps the label."""
    a, b = (str(n) for n in view_names)
    if (a, b) == ("x₁", "x₂"):
        return label
    if label.startswith("sin "):
        name = a if "x₁" in label else b
        return f"sin({name})"
    if label == "x₁·x₂":
        return f"{a} × {b}"
    return label.replace("x₁", a).replace("x₂", b)


def _round_list(values: np.ndarray, digits: int = 4) -> list[float]:
    """Finite, rounded floats for JSON (a diverged net's ±inf/NaN become ±1e6 / 0)."""
    v = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=1e6, neginf=-1e6)
    return np.round(v.ravel(), digits).tolist()


def network_view_data(
    layer_sizes: Sequence[int],
    weights: Sequence[np.ndarray],
    unit_maps: Sequence[np.ndarray] | None,
    inputs: Sequence[dict],
    *,
    biases: Sequence[np.ndarray] | None = None,
    output_labels: Sequence[str] = (),
    output_colors: Sequence[str] = (),
    output_meaning: str = "",
    caps: dict | None = None,
    weight_clip: float = WEIGHT_CLIP,
    max_height: int = VIEW_MAX_HEIGHT,
) -> dict:
    """What the interactive network view draws, as JSON-ready data.

    ``layer_sizes`` are the network's (active inputs, hidden…, outputs); ``weights[i]`` is
    ``(layer_sizes[i], layer_sizes[i+1])``; ``unit_maps`` per non-input layer ``(n, g, g)`` in [-1, 1];
    ``inputs`` every input the view offers, in order, each ``{"id", "label", "on", "toggle", "map"}``
    (``map`` ``(gi, gi)`` in [-1, 1]; the ``on`` ones, in order, are the network's inputs). Maps go out
    as one base64 string of uint8 (8 bits per cell); labels are plain text for the browser to show as
    text. A network wider than ``NETWORK_VIEW_LIMITS`` is sent in a compact form (no maps, no weights):
    the view draws one block per layer and says why.
    """
    sizes = [int(n) for n in layer_sizes]
    caps = dict(caps or {})
    caps.setdefault("max_layers", NETWORK_VIEW_LIMITS["max_layers"] - 2)
    caps.setdefault("max_neurons", NETWORK_VIEW_LIMITS["max_neurons"])
    caps.setdefault("min_neurons", 1)
    on = [i for i in inputs if i.get("on")]
    if len(on) != sizes[0]:
        raise ValueError(f"{sizes[0]} network inputs but {len(on)} inputs switched on")
    out: dict = {
        "sizes": sizes,
        "inputs": [
            {"id": str(i["id"]), "label": str(i["label"]), "on": bool(i["on"]), "toggle": bool(i["toggle"])}
            for i in inputs
        ],
        "out_labels": [str(n) for n in output_labels],
        "out_colors": [str(c) for c in output_colors],
        "out_meaning": str(output_meaning),
        "caps": caps,
        "palette": {
            "neg": palette.NEGATIVE,
            "mid": palette.NEUTRAL,
            "pos": palette.POSITIVE,
            "alpha": MAP_ALPHA,
            "wclip": weight_clip,
            "bclip": BIAS_CLIP,
            "wmax": 4.0,
            "min_alpha": MIN_ALPHA,
        },
        "max_height": int(max_height),
        "note": "",
        "compact": False,
    }
    too_large = network_view_too_large([len(inputs), *sizes[1:]], blocks=True)
    if too_large:
        out["compact"] = True
        out["note"] = too_large
        out["b"] = None
        return out
    weights = _check_weights(tuple(sizes), weights)
    out["w"] = [_round_list(w) for w in weights]
    out["b"] = None if biases is None else [_round_list(b) for b in biases]
    in_maps = np.stack([np.asarray(i["map"], dtype=np.float64) for i in inputs])
    unit_maps = list(unit_maps or [])
    if len(unit_maps) != len(sizes) - 1:
        raise ValueError(f"{len(sizes) - 1} non-input layers need as many map arrays, got {len(unit_maps)}")
    for i, m in enumerate(unit_maps, start=1):
        if np.shape(m)[0] != sizes[i]:
            raise ValueError(f"layer {i} has {sizes[i]} neurons but {np.shape(m)[0]} maps")
    g = int(np.shape(unit_maps[0])[1])
    q = np.concatenate([quantize_maps(in_maps).ravel(), *(quantize_maps(m).ravel() for m in unit_maps)])
    out["input_g"] = int(in_maps.shape[1])
    out["g"] = g
    out["maps"] = base64.b64encode(q.tobytes()).decode("ascii")
    return out
