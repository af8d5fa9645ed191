"""The decision boundary: the model's output over the input plane, with the data points on top.

Grid orientation (used by every function here and by ``network.py``'s neuron maps)::

    grid_values[i, j]  is the model's output at  (x = xs[j], y = ys[i])
    xs ascends left to right, ys DESCENDS top to bottom: row 0 is the top of the image (y near y_max)

``playground.data.grid.grid_axes`` (the one grid) returns ``xs``, ``ys`` and ``points``
in exactly that order (cell centres, row-major), so a page runs ``model.predict(points).reshape(n, n)``
(or ``(n, n, K)``) and passes the result straight in. Cell centres mean the image spans exactly
``x_range`` x ``y_range``.

``boundary_image`` is the live view (a NumPy RGB array, a few ms); ``boundary_figure`` is the interactive
Plotly view for a paused run (hover shows the values).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from playground.i18n import _
from playground.viz import palette

TASKS = ("binary", "multiclass", "regression")
BACKGROUND_ALPHA = 0.62  # the surface is drawn this opaque over white (TF Playground: 160/255), so points pop
DISCRETE_BANDS = 10  # a discretized regression surface shows this many colour bands


def _check_range(r: Sequence[float], name: str) -> tuple[float, float]:
    lo, hi = (float(v) for v in r)
    if not hi > lo:
        raise ValueError(f"{name} must be (low, high) with high > low, got {tuple(r)}")
    return lo, hi


def _resolve_task(values: np.ndarray, task: str) -> tuple[str, np.ndarray]:
    """Normalise ``task`` and the grid's shape: binary -> (n, n) of P(class 1), multiclass -> (n, n, K)."""
    if task == "classification":
        task = "multiclass" if values.ndim == 3 and values.shape[2] > 2 else "binary"
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS} (or 'classification'), got {task!r}")
    if task == "binary" and values.ndim == 3:
        if values.shape[2] == 1:
            values = values[..., 0]
        elif values.shape[2] == 2:
            values = values[..., 1]
        else:
            task = "multiclass"
    if task == "regression" and values.ndim == 3 and values.shape[2] == 1:
        values = values[..., 0]
    if task == "multiclass" and values.ndim == 2:
        task = "binary"  # a single probability map is binary whatever the caller called it
    want = 3 if task == "multiclass" else 2
    if values.ndim != want:
        raise ValueError(f"a {task} grid must have {want} dimensions, got shape {values.shape}")
    return task, values


def _value_range(values: np.ndarray, value_range, *extra) -> tuple[float, float]:
    """The regression colour range, symmetric about 0 (TF Playground's: orange below 0, blue above, white
    at 0, the same scale as every neuron map): ±the largest magnitude of ``value_range`` if given, else
    of the targets, else of the grid."""
    if value_range is not None:
        lo, hi = _check_range(value_range, "value_range")
        return _symmetric(lo, hi)
    pools = [np.asarray(e, dtype=np.float64).ravel() for e in extra if e is not None]
    pool = np.concatenate(pools) if pools else np.asarray(values, dtype=np.float64).ravel()
    pool = pool[np.isfinite(pool)]
    if pool.size == 0:
        return 0.0, 1.0
    return _symmetric(float(pool.min()), float(pool.max()))


def _symmetric(lo: float, hi: float) -> tuple[float, float]:
    m = max(abs(lo), abs(hi))
    return (-m, m) if m > 0 else (-1.0, 1.0)


def _surface_rgb(values: np.ndarray, task: str, discretize: bool, vrange) -> np.ndarray:
    if task == "binary":
        if discretize:
            values = (values >= 0.5).astype(np.float32)
        return palette.diverging_rgb(values, 0.0, 1.0)
    if task == "multiclass":
        return palette.class_rgb(values, discretize=discretize)
    lo, hi = vrange
    if discretize:
        step = (hi - lo) / DISCRETE_BANDS
        values = lo + (np.floor((np.asarray(values) - lo) / step) + 0.5) * step
    return palette.diverging_rgb(values, lo, hi)


def boundary_rgb(
    grid_values,
    task: str,
    *,
    discretize: bool = False,
    value_range: Sequence[float] | None = None,
    alpha: float = BACKGROUND_ALPHA,
) -> np.ndarray:
    """Colour the grid: uint8 ``(n, n, 3)``, row 0 = top (y_max). See the module docstring for orientation.

    binary: ``(n, n)`` P(class 1), orange-white-blue; multiclass: ``(n, n, K)`` probabilities, argmax colour
    faded by confidence; regression: ``(n, n)`` predictions on the orange-blue map over ``value_range``
    made symmetric about 0 (default: the grid's own range). ``alpha`` fades the surface toward white
    so points stand out.
    """
    task, values = _resolve_task(np.asarray(grid_values), task)
    vrange = _value_range(values, value_range) if task == "regression" else None
    return palette.soften(_surface_rgb(values, task, discretize, vrange), alpha)


def point_rgb(y, task: str, *, n_classes: int = 2, value_range=None) -> np.ndarray:
    """The fill colour of each point, float32 ``(N, 3)``: its class colour, or its target on the map."""
    y = np.asarray(y)
    if task == "regression":
        lo, hi = _value_range(y, value_range, y)
        return palette.diverging_rgb(y.reshape(-1), lo, hi).astype(np.float32)
    if y.ndim == 2 and y.shape[1] > 1:  # one-hot
        cls = y.argmax(axis=1)
    else:
        y = y.reshape(-1)
        cls = (y > 0).astype(np.intp) if task == "binary" else np.round(y).astype(np.intp)
    cls = np.clip(cls, 0, max(n_classes, 2) - 1)
    return palette.CLASS_RGB[cls]


def upsample(rgb: np.ndarray, scale: int) -> np.ndarray:
    """Nearest-neighbour upsampling by an integer factor (each cell becomes a ``scale`` x ``scale`` block)."""
    if scale == 1:
        return np.ascontiguousarray(rgb)
    return np.repeat(np.repeat(rgb, scale, axis=0), scale, axis=1)


_STAMPS: dict[tuple[float, float], tuple[np.ndarray, ...]] = {}
_PIXEL = np.dtype((np.void, 3))  # one RGB pixel as a single element: fancy indexing moves 3 bytes at once


def disc_stamp(radius: float, outline_width: float) -> tuple[np.ndarray, ...]:
    """Pixel offsets and coverages of an anti-aliased disc centred on a pixel centre, cached.

    Returns ``(oy, ox, a_out, a_fill)`` for every offset the outer disc touches: ``a_out`` is the coverage
    of the whole disc (outline included), ``a_fill`` that of the fill; both in [0, 1].
    """
    key = (float(radius), float(outline_width))
    if key not in _STAMPS:
        r_out = radius + outline_width
        reach = int(np.ceil(r_out + 0.5))
        off = np.arange(-reach, reach + 1)
        oy, ox = (a.ravel() for a in np.meshgrid(off, off, indexing="ij"))
        d = np.hypot(oy, ox)
        a_out = np.clip(r_out + 0.5 - d, 0.0, 1.0).astype(np.float32)
        a_fill = np.clip(radius + 0.5 - d, 0.0, 1.0).astype(np.float32)
        keep = a_out > 0
        _STAMPS[key] = (oy[keep], ox[keep], a_out[keep], a_fill[keep])
    return _STAMPS[key]


def draw_discs(
    img: np.ndarray,
    px,
    py,
    fill,
    outline,
    *,
    radius: float,
    outline_width: float = 1.0,
) -> np.ndarray:
    """Draw anti-aliased filled circles with an outline onto ``img`` (uint8 (H, W, 3), C-contiguous) in place.

    ``px``/``py`` are pixel coordinates (x right, y down; pixel (r, c) covers [c, c+1) x [r, r+1)); centres
    snap to the centre of the pixel they fall in, so one cached stamp serves every point (non-finite ones
    are skipped). ``fill`` is (N, 3) or (3,),
    ``outline`` (3,). All points are drawn in one vectorized pass: opaque pixels are written first, then the
    soft edge is blended over what is there; where points overlap the later point mostly wins.
    """
    px = np.asarray(px, dtype=np.float64).reshape(-1)
    py = np.asarray(py, dtype=np.float64).reshape(-1)
    fill = np.asarray(fill, dtype=np.float32)
    finite = np.isfinite(px) & np.isfinite(py)
    if not finite.all():
        px, py = px[finite], py[finite]
        fill = fill[finite] if fill.ndim == 2 else fill
    if px.size == 0:
        return img
    if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3 or not img.flags.c_contiguous:
        raise ValueError("draw_discs needs a C-contiguous uint8 (H, W, 3) image")
    h, w = img.shape[:2]
    oy, ox, a_out, a_fill = disc_stamp(radius, outline_width)
    cx = np.floor(np.clip(px, -w, 2 * w)).astype(np.intp)  # far-away points: clipped, then masked out
    cy = np.floor(np.clip(py, -h, 2 * h)).astype(np.intp)
    xx = cx[:, None] + ox[None, :]
    yy = cy[:, None] + oy[None, :]
    idx = yy * w + xx  # (N, S) flat pixel index
    inside = (xx >= 0) & (xx < w) & (yy >= 0) & (yy < h)
    n = px.size
    fill = np.broadcast_to(fill.reshape(-1, 3), (n, 3))
    outline = np.asarray(outline, dtype=np.float32).reshape(3)
    # The stamp's fill coverage takes few distinct values, so colour (point, level) pairs, not pixels.
    levels, level_of = np.unique(a_fill, return_inverse=True)
    level_rgb = _to_u8(outline + levels[None, :, None] * (fill[:, None, :] - outline))  # (N, L, 3)
    level_px = level_rgb.view(_PIXEL)[..., 0]  # (N, L) whole pixels
    pixels = img.reshape(-1).view(_PIXEL)  # (H*W,) whole pixels, a view: writes land in img
    opaque = a_out >= 1.0
    colors = level_px[:, level_of[opaque]]  # (N, S_opaque) pixels
    sel = inside[:, opaque]
    if sel.all():
        pixels[idx[:, opaque].ravel()] = colors.ravel()
    else:
        pixels[idx[:, opaque][sel]] = colors[sel]
    edge = ~opaque
    sel = inside[:, edge]
    e_idx = idx[:, edge][sel]
    if e_idx.size:
        e_col = level_rgb[:, level_of[edge]][sel].astype(np.float32)
        e_a = np.broadcast_to(a_out[edge], sel.shape)[sel][:, None]
        bg = np.take(img.reshape(-1, 3), e_idx, axis=0).astype(np.float32)
        bg += e_a * (e_col - bg)
        pixels[e_idx] = _to_u8(bg).view(_PIXEL)[:, 0]
    return img


def _to_u8(a: np.ndarray) -> np.ndarray:
    """Round float colours to a contiguous uint8 array."""
    return np.ascontiguousarray((a + np.float32(0.5)).astype(np.uint8))


def _to_pixels(X2d, x_range, y_range, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Data coordinates -> pixel coordinates (x right, y down) of an image spanning the ranges exactly."""
    X2d = np.asarray(X2d, dtype=np.float64)
    if X2d.ndim != 2 or X2d.shape[1] < 2:
        raise ValueError(f"points must have shape (N, 2), got {X2d.shape}")
    (x0, x1), (y0, y1) = x_range, y_range
    px = (X2d[:, 0] - x0) * (width / (x1 - x0))
    py = (y1 - X2d[:, 1]) * (height / (y1 - y0))
    return px, py


def _split(pair):
    if pair is None:
        return None, None
    X, y = pair
    if X is None or len(X) == 0:
        return None, None
    return np.asarray(X), np.asarray(y)


def boundary_image(
    grid_values,
    task: str,
    *,
    x_range: Sequence[float],
    y_range: Sequence[float],
    train=None,
    test=None,
    discretize: bool = False,
    scale: int = 4,
    value_range: Sequence[float] | None = None,
    point_radius: float | None = None,
    alpha: float = BACKGROUND_ALPHA,
) -> np.ndarray:
    """The live decision-boundary image: the surface upsampled ``scale`` times, points drawn on top.

    ``train``/``test`` are ``(X (N, 2), y)`` or None; y is 0/1 (or -1/+1) for binary, class ids (or one-hot)
    for multiclass, targets for regression. Train points have a white outline, test points a dark one.
    Regression colours span ``value_range``, by default the range of the targets. Returns uint8
    ``(n*scale, n*scale, 3)``.
    """
    x_range, y_range = _check_range(x_range, "x_range"), _check_range(y_range, "y_range")
    task, values = _resolve_task(np.asarray(grid_values), task)
    Xtr, ytr = _split(train)
    Xte, yte = _split(test)
    vrange = None
    if task == "regression":
        vrange = _value_range(values, value_range, ytr, yte)
    surface = palette.soften(_surface_rgb(values, task, discretize, vrange), alpha)
    img = upsample(surface, int(scale))
    h, w = img.shape[:2]
    radius = point_radius if point_radius is not None else max(1.5, 0.7 * scale + 0.6)
    n_classes = values.shape[2] if task == "multiclass" else 2
    for (X, y), outline in (((Xtr, ytr), palette.WHITE), ((Xte, yte), palette.INK)):
        if X is None:
            continue
        px, py = _to_pixels(X, x_range, y_range, w, h)
        fill = point_rgb(y, task, n_classes=n_classes, value_range=vrange)
        draw_discs(img, px, py, fill, palette.hex_to_rgb(outline), radius=radius, outline_width=1.0)
    return img


# ---------------------------------------------------------------- interactive (paused) view


def _class_names(names, k: int) -> list[str]:
    names = list(names) if names is not None else []
    return [str(names[i]) if i < len(names) else _("class {i}", i=i) for i in range(k)]


def boundary_figure(
    grid_values,
    task: str,
    *,
    x_range: Sequence[float],
    y_range: Sequence[float],
    train=None,
    test=None,
    class_names: Sequence[str] | None = None,
    discretize: bool = False,
    value_range: Sequence[float] | None = None,
    height: int = 460,
):
    """Interactive Plotly heatmap of the model's output with the data as scatter points (paused view).

    Hovering the surface shows P(class) (or the prediction); hovering a point shows its label and split.
    Colours match ``boundary_image``.
    """
    import plotly.graph_objects as go

    x_range, y_range = _check_range(x_range, "x_range"), _check_range(y_range, "y_range")
    task, values = _resolve_task(np.asarray(grid_values, dtype=np.float64), task)
    n_rows, n_cols = values.shape[:2]
    dx = (x_range[1] - x_range[0]) / n_cols
    dy = (y_range[1] - y_range[0]) / n_rows
    xs = x_range[0] + (np.arange(n_cols) + 0.5) * dx
    ys_up = y_range[0] + (np.arange(n_rows) + 0.5) * dy  # ascending: plotly draws the first row at the bottom
    rows_up = values[::-1]
    Xtr, ytr = _split(train)
    Xte, yte = _split(test)
    k = values.shape[2] if task == "multiclass" else 2
    names = _class_names(class_names, k)
    fig = go.Figure()
    common = {"x": xs, "y": ys_up, "opacity": BACKGROUND_ALPHA, "name": _("model")}
    vrange = None
    if task == "binary":
        z = (rows_up >= 0.5).astype(float) if discretize else rows_up
        fig.add_trace(
            go.Heatmap(
                z=z,
                customdata=rows_up,
                zmin=0.0,
                zmax=1.0,
                colorscale=[[0.0, palette.NEGATIVE], [0.5, palette.NEUTRAL], [1.0, palette.POSITIVE]],
                colorbar={"title": {"text": f"P({names[1]})"}, "thickness": 12, "len": 0.6},
                hovertemplate=(
                    f"x=%{{x:.2f}}<br>y=%{{y:.2f}}<br>P({names[1]})=%{{customdata:.3f}}<extra></extra>"
                ),
                **common,
            )
        )
    elif task == "multiclass":
        winner = rows_up.argmax(axis=2)
        conf = np.take_along_axis(rows_up, winner[..., None], axis=2)[..., 0]
        conf = np.ones_like(conf) if discretize else np.clip((conf - 1.0 / k) * (k / (k - 1.0)), 0.0, 1.0)
        # Each class owns the z band [c, c+1): neutral at its bottom, full class colour at its top.
        scale = []
        for c in range(k):
            scale += [[c / k, palette.NEUTRAL], [(c + 1) / k, palette.CLASS_COLORS[c]]]
        lines = "<br>".join(f"P({names[c]})=%{{customdata[{c}]:.3f}}" for c in range(k))
        fig.add_trace(
            go.Heatmap(
                z=winner + 0.999 * conf,
                customdata=rows_up,
                zmin=0.0,
                zmax=float(k),
                colorscale=scale,
                showscale=False,
                hovertemplate=f"x=%{{x:.2f}}<br>y=%{{y:.2f}}<br>{lines}<extra></extra>",
                **common,
            )
        )
    else:
        vrange = _value_range(values, value_range, ytr, yte)
        stops = (palette.NEGATIVE, palette.NEUTRAL, palette.POSITIVE)
        fig.add_trace(
            go.Heatmap(
                z=rows_up,
                zmin=vrange[0],
                zmax=vrange[1],
                colorscale=[[i / (len(stops) - 1), s] for i, s in enumerate(stops)],
                colorbar={"title": {"text": _("prediction")}, "thickness": 12, "len": 0.6},
                hovertemplate="x=%{x:.2f}<br>y=%{y:.2f}<br>"  # i18n: not text
                + _("prediction")
                + "=%{z:.3f}<extra></extra>",
                **common,
            )
        )
    for split, (X, y), outline in (
        (_("train"), (Xtr, ytr), palette.WHITE),
        (_("test"), (Xte, yte), palette.INK),
    ):
        if X is None:
            continue
        _add_point_traces(
            fig, go, split, np.asarray(X, dtype=float), np.asarray(y), task, names, outline, vrange
        )
    fig.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0},
        plot_bgcolor="white",
    )
    fig.update_xaxes(range=list(x_range), showgrid=False, zeroline=False, constrain="domain", title_text="x₁")
    fig.update_yaxes(
        range=list(y_range),
        showgrid=False,
        zeroline=False,
        scaleanchor="x",
        constrain="domain",
        title_text="x₂",
    )
    return fig


def _add_point_traces(fig, go, split, X, y, task, names, outline, vrange):
    marker_line = {"color": outline, "width": 1}
    if task == "regression":
        target = _("target")
        stops = (palette.NEGATIVE, palette.NEUTRAL, palette.POSITIVE)
        fig.add_trace(
            go.Scatter(
                x=X[:, 0],
                y=X[:, 1],
                mode="markers",
                name=split,
                marker={
                    "color": y.reshape(-1),
                    "cmin": vrange[0],
                    "cmax": vrange[1],
                    "colorscale": [[i / (len(stops) - 1), s] for i, s in enumerate(stops)],
                    "size": 7,
                    "line": marker_line,
                },
                hovertemplate=f"{split}<br>x=%{{x:.2f}}<br>y=%{{y:.2f}}<br>{target}=%{{marker.color:.3f}}<extra></extra>",
            )
        )
        return
    if y.ndim == 2 and y.shape[1] > 1:
        cls = y.argmax(axis=1)
    else:
        y = y.reshape(-1)
        cls = (y > 0).astype(int) if task == "binary" else np.round(y).astype(int)
    for c in range(len(names)):
        sel = cls == c
        if not sel.any():
            continue
        fig.add_trace(
            go.Scatter(
                x=X[sel, 0],
                y=X[sel, 1],
                mode="markers",
                name=f"{names[c]} ({split})",
                legendgroup=split,
                marker={"color": palette.CLASS_COLORS[c], "size": 7, "line": marker_line},
                hovertemplate=f"{names[c]} ({split})<br>x=%{{x:.2f}}<br>y=%{{y:.2f}}<extra></extra>",
            )
        )
