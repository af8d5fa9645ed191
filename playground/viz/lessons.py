"""Chart builders for the lesson pages: plain data in, an Altair/Plotly figure (or a DOT string) out.

No Streamlit and no lesson or engine imports: a lesson computes its results (arrays in small records),
these functions draw them, and a test can build every chart and inspect its data. The records are
described by the protocols below (what each chart reads, nothing more); the lessons' dataclasses
(``SignalResult``, ``LinearCurve``, ``Surface``, ``Trajectory``, ``LineFit``, ``GraphView``) satisfy
them. Colours come from the one palette (:mod:`playground.viz.palette`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import altair as alt
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.i18n import N_, _
from playground.viz import palette
from playground.viz.tables import frame


# -- what the charts read -------------------------------------------------------------------------
class Histogram(Protocol):
    edges: np.ndarray  # (bins + 1,)
    share: np.ndarray  # (bins,) shares of the layer's values


class LayerSignal(Protocol):
    layer: int
    activations: Histogram
    gradients: Histogram
    std: float
    grad_std: float


class SignalResult(Protocol):
    layers: Sequence[LayerSignal]
    activation_range: tuple[float, float]
    gradient_range: tuple[float, float]


class LinearCurve(Protocol):
    w: float
    layers: np.ndarray
    activation_rms: np.ndarray
    gradient_rms: np.ndarray
    theory_activation: np.ndarray
    theory_gradient: np.ndarray


class Surface(Protocol):
    f: Callable[[np.ndarray, np.ndarray], np.ndarray]
    start: tuple[float, float]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    minima: Sequence[tuple[float, float]]
    log_levels: bool

    @property
    def f_min(self) -> float | None: ...


class Trajectory(Protocol):
    optimizer: str  # registry name (picks the colour)
    label: str
    points: np.ndarray  # (steps + 1, 2)
    values: np.ndarray  # f at each point

    @property
    def diverged(self) -> bool: ...


class LineFit(Protocol):
    epochs: np.ndarray
    loss: np.ndarray
    updates: np.ndarray  # w after every update


class GraphNode(Protocol):
    name: str
    role: str  # "input", "param", "const" or "op"
    label: str
    known: bool
    current: bool


class GraphEdge(Protocol):
    source: str
    target: str
    label: str | None
    current: bool


class GraphView(Protocol):
    nodes: Sequence[GraphNode]
    edges: Sequence[GraphEdge]


#: The two rows of the signal charts (data values stay language-free; titles are translated).
KIND_TITLES = {"activations": N_("activations"), "gradients": N_("gradients")}

ACTIVATION_COLOR = palette.HISTOGRAM_COLORS["forward"]
GRADIENT_COLOR = palette.HISTOGRAM_COLORS["backward"]


def _records(**columns: Sequence[Any]) -> list[dict[str, Any]]:
    keys = list(columns)
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _clean(v: float) -> float | None:
    v = float(v)
    return v if np.isfinite(v) else None


# -- activations and initialization ---------------------------------------------------------------
def signal_histograms(result: SignalResult) -> go.Figure:
    """Two rows of small multiples: activations (top) and gradients (bottom), one column per layer,
    on a common x range so shrinking or piling up is visible; bars are shares of the layer's values."""
    n = len(result.layers)
    fig = make_subplots(
        rows=2,
        cols=n,
        shared_yaxes="rows",
        horizontal_spacing=0.012 if n > 6 else 0.02,
        vertical_spacing=0.2,
        subplot_titles=[_("layer {k}", k=s.layer) for s in result.layers] + [""] * n,
    )
    for col, s in enumerate(result.layers, start=1):
        for row, hist, color, what in (
            (1, s.activations, ACTIVATION_COLOR, _("activation")),
            (2, s.gradients, GRADIENT_COLOR, _("gradient")),
        ):
            centers = 0.5 * (hist.edges[:-1] + hist.edges[1:])
            widths = np.diff(hist.edges)
            fig.add_trace(
                go.Bar(
                    x=centers,
                    y=hist.share,
                    width=widths,
                    marker={"color": color, "line": {"width": 0}},
                    name=what,
                    showlegend=False,
                    hovertemplate=_("layer {k} {what}", k=s.layer, what=what)
                    + "<br>%{x:.3g}: %{y:.1%}<extra></extra>",
                ),
                row=row,
                col=col,
            )
        fig.update_xaxes(range=list(result.activation_range), row=1, col=col, nticks=3)
        fig.update_xaxes(range=list(result.gradient_range), row=2, col=col, nticks=3, tickformat=".2~g")
    fig.update_yaxes(tickformat=".0%", row=1, col=1, title_text=_("activations"))
    fig.update_yaxes(tickformat=".0%", row=2, col=1, title_text=_("gradients"))
    fig.update_layout(
        height=470,
        margin={"l": 60, "r": 10, "t": 40, "b": 30},
        bargap=0,
        plot_bgcolor="white",
    )
    fig.update_xaxes(showgrid=False, linecolor=palette.GRID)
    fig.update_yaxes(gridcolor="#eeeeee")
    return fig


def signal_histogram_rows(result: SignalResult) -> list[dict[str, Any]]:
    """One row per layer, kind ("activations"/"gradients") and bin: its edges and share."""
    rows = []
    for s in result.layers:
        for kind, hist in (("activations", s.activations), ("gradients", s.gradients)):
            for lo, hi, share in zip(hist.edges[:-1], hist.edges[1:], hist.share, strict=True):
                rows.append(
                    {
                        "layer": _("layer {k}", k=s.layer),
                        "kind": kind,
                        "lo": float(lo),
                        "hi": float(hi),
                        "share": float(share),
                    }
                )
    return rows


def signal_histograms_spec(result: SignalResult, *, width: int = 760) -> dict[str, Any]:
    """A Vega-Lite spec of :func:`signal_histograms`' picture (activations above, gradients below, one
    column per layer on a common x range), reading :func:`signal_histogram_rows`. Far cheaper to build
    and draw than the Plotly figure, so the page's first chart appears at once."""
    n = max(1, len(result.layers))
    cell = max(50, int((width - 70) / n) - 6)
    order = [_("layer {k}", k=s.layer) for s in result.layers]

    def row(kind: str, domain: tuple[float, float], color: str, fmt: str, header: bool) -> dict[str, Any]:
        return {
            "transform": [{"filter": {"field": "kind", "equal": kind}}],
            "facet": {
                "column": {
                    "field": "layer",
                    "type": "nominal",
                    "sort": order,
                    "title": None,
                    "header": {"labelFontSize": 12} if header else {"labels": False},
                }
            },
            "spec": {
                "width": cell,
                "height": 150,
                # a rect from 0 up to the share over [lo, hi): with x2 alone a bar is ranged in x
                # and drawn as a thin tick at its height, not as a bar
                "mark": {"type": "rect", "color": color, "clip": True},
                "encoding": {
                    "x": {
                        "field": "lo",
                        "type": "quantitative",
                        "scale": {
                            "domain": [float(domain[0]), float(domain[1])],
                            "nice": False,
                            "zero": False,
                        },
                        "axis": {"tickCount": 3, "format": fmt, "title": None},
                    },
                    "x2": {"field": "hi"},
                    "y": {
                        "field": "share",
                        "type": "quantitative",
                        "axis": {"format": ".0%", "tickCount": 4, "title": _(KIND_TITLES[kind])},
                    },
                    "y2": {"datum": 0},
                    "tooltip": [
                        {"field": "layer", "type": "nominal", "title": _("layer")},
                        {"field": "lo", "type": "quantitative", "format": ".3g", "title": _("from")},
                        {"field": "hi", "type": "quantitative", "format": ".3g", "title": _("to")},
                        {"field": "share", "type": "quantitative", "format": ".1%", "title": _("share")},
                    ],
                },
            },
            "spacing": 6,
        }

    return {
        "vconcat": [
            row("activations", result.activation_range, ACTIVATION_COLOR, ".2~g", True),
            row("gradients", result.gradient_range, GRADIENT_COLOR, ".2~g", False),
        ],
        "spacing": 12,
        "config": {"view": {"stroke": palette.GRID}, "axis": {"grid": False}},
    }


def signal_std_chart(result: SignalResult) -> go.Figure:
    """The per-layer standard deviation of activations and of gradients, on a log scale."""
    layers = [s.layer for s in result.layers]
    fig = go.Figure()
    for name, values, color in (
        (_("activations"), [s.std for s in result.layers], ACTIVATION_COLOR),
        (_("gradients"), [s.grad_std for s in result.layers], GRADIENT_COLOR),
    ):
        fig.add_trace(
            go.Scatter(
                x=layers,
                y=[_clean(v) if v > 0 else None for v in values],
                mode="lines+markers",
                name=name,
                line={"color": color, "width": 2},
                hovertemplate=_("layer {k} {what}: std {v}", k="%{x}", what=name, v="%{y:.3g}")
                + "<extra></extra>",
            )
        )
    fig.update_layout(
        height=300,
        title={"text": _("Spread per layer (standard deviation)"), "font": {"size": 14}},
        margin={"l": 50, "r": 10, "t": 40, "b": 70},
        plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.3},
        xaxis={"title": _("layer"), "dtick": 1, "showgrid": False, "linecolor": palette.GRID},
        yaxis={"type": "log", "gridcolor": "#eeeeee", "exponentformat": "power", "dtick": 1},
    )
    return fig


def deep_linear_chart(curves: Sequence[LinearCurve]) -> go.Figure:
    """Activation and gradient RMS per layer (log scale) for each w, measured (solid) and w^l (dashed)."""
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.04,
        subplot_titles=[_("activations (forward)"), _("gradients (backward)")],
    )
    colors = [palette.RUN_COLORS[i] for i in (2, 1, 3, 4, 5, 6, 7, 0)]
    for k, c in enumerate(curves):
        color = colors[k % len(colors)]
        label = f"w = {c.w:g}"
        for col, measured, theory in (
            (1, c.activation_rms, c.theory_activation),
            (2, c.gradient_rms, c.theory_gradient),
        ):
            fig.add_trace(
                go.Scatter(
                    x=c.layers,
                    y=[_clean(v) if v > 0 else None for v in measured],
                    mode="lines+markers",
                    name=label,
                    legendgroup=label,
                    showlegend=col == 1,
                    line={"color": color, "width": 2},
                    marker={"size": 5},
                    hovertemplate=_("{curve}, layer {k}: RMS {v}", curve=label, k="%{x}", v="%{y:.3g}")
                    + "<extra></extra>",
                ),
                row=1,
                col=col,
            )
            fig.add_trace(
                go.Scatter(
                    x=c.layers,
                    y=[_clean(v) if v > 0 else None for v in theory],
                    mode="lines",
                    name=_("{curve} theory", curve=label),
                    legendgroup=label,
                    showlegend=False,
                    line={"color": color, "width": 1, "dash": "dash"},
                    hoverinfo="skip",
                ),
                row=1,
                col=col,
            )
    fig.update_yaxes(type="log", exponentformat="power", gridcolor="#eeeeee")
    fig.update_yaxes(title_text=_("RMS (log scale)"), row=1, col=1)
    fig.update_xaxes(title_text=_("layer l"), showgrid=False, linecolor=palette.GRID)
    fig.update_layout(
        height=380,
        margin={"l": 60, "r": 10, "t": 40, "b": 40},
        plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


# -- the optimizer race ---------------------------------------------------------------------------------
def _hover_step(label: str) -> str:
    """A path point's hover text (Plotly template: the step is the trace's ``text``)."""
    return f"{label}<br>" + _("step {k}", k="%{text}") + "<br>(%{x:.3g}, %{y:.3g})<extra></extra>"


#: The engine's optimizers in registry order (viz does not import the engine); an optimizer added
#: later still gets a colour, after these.
OPTIMIZER_ORDER = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")


def optimizer_colors(names: Sequence[str]) -> dict[str, str]:
    """A stable colour per optimizer (whichever others are shown), from the palette's run colours."""
    order = list(OPTIMIZER_ORDER) + [n for n in names if n not in OPTIMIZER_ORDER]
    cols = [c for c in palette.RUN_COLORS if c not in (palette.NEGATIVE,)] + list(palette.CLASS_COLORS[2:])
    return {n: cols[order.index(n) % len(cols)] for n in names}


def race_contour(
    surface: Surface,
    trajectories: Sequence[Trajectory],
    upto: int | None = None,
    *,
    grid: tuple[np.ndarray, np.ndarray, np.ndarray],
    start: tuple[float, float] | None = None,
) -> go.Figure:
    """The surface's contours (``grid`` = (xs, ys, Z), Z[i, j] = f(xs[j], ys[i])) with every
    trajectory's first ``upto`` steps on top."""
    xs, ys, Z = grid
    fig = go.Figure()
    if surface.log_levels:
        zmin = float(np.nanmin(Z))
        Zc = np.log10(Z - zmin + 1e-3)
        title = "log₁₀(f − min)"
    else:
        Zc = Z
        title = "f"
    fig.add_trace(
        go.Contour(
            x=xs,
            y=ys,
            z=Zc,
            colorscale=[[0, "#f4f6f8"], [1, "#9fb3c8"]],
            contours={"coloring": "lines"},
            line={"width": 1},
            ncontours=22,
            showscale=False,
            hoverinfo="skip",
            name=title,
        )
    )
    colors = optimizer_colors([t.optimizer for t in trajectories])
    for t in trajectories:
        n = len(t.points) if upto is None else min(len(t.points), upto + 1)
        pts = t.points[:n]
        name = _("{name} (diverged)", name=t.label) if t.diverged and n == len(t.points) else t.label
        fig.add_trace(
            go.Scatter(
                x=pts[:, 0],
                y=pts[:, 1],
                mode="lines+markers",
                name=name,
                line={"color": colors[t.optimizer], "width": 2},
                marker={"size": 5},
                hovertemplate=_hover_step(t.label),
                text=list(range(n)),
            )
        )
    for m in surface.minima:
        fig.add_trace(
            go.Scatter(
                x=[m[0]],
                y=[m[1]],
                mode="markers",
                marker={"symbol": "x", "size": 12, "color": palette.INK},
                name=_("minimum"),
                hoverinfo="skip",
            )
        )
    s = start if start is not None else surface.start
    fig.add_trace(
        go.Scatter(
            x=[s[0]],
            y=[s[1]],
            mode="markers",
            marker={"symbol": "circle-open", "size": 13, "color": palette.INK, "line": {"width": 2}},
            name=_("start"),
            hoverinfo="skip",
        )
    )
    fig.update_layout(
        height=460,
        margin={"l": 40, "r": 10, "t": 10, "b": 40},
        plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.12},
        xaxis={"range": list(surface.x_range), "title": "x", "showgrid": False},
        yaxis={"range": list(surface.y_range), "title": "y", "showgrid": False},
    )
    return fig


def race_panels(
    surface: Surface,
    trajectories: Sequence[Trajectory],
    upto: int | None = None,
    *,
    grid: tuple[np.ndarray, np.ndarray, np.ndarray],
    start: tuple[float, float] | None = None,
    cols: int = 4,
) -> go.Figure:
    """Small multiples, one panel per optimizer (the book's figure), over the same contours
    (``grid`` as for :func:`race_contour`)."""
    n = max(1, len(trajectories))
    cols = min(cols, n)
    rows = -(-n // cols)
    titles = [_("{name} — diverged", name=t.label) if t.diverged else t.label for t in trajectories]
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=titles,
        shared_xaxes=True,
        shared_yaxes=True,
        horizontal_spacing=0.03,
        vertical_spacing=0.09 if rows > 1 else 0.05,
    )
    xs, ys, Z = grid
    Zc = np.log10(Z - float(np.nanmin(Z)) + 1e-3) if surface.log_levels else Z
    colors = optimizer_colors([t.optimizer for t in trajectories])
    s = start if start is not None else surface.start
    for i, t in enumerate(trajectories):
        r, c = i // cols + 1, i % cols + 1
        fig.add_trace(
            go.Contour(
                x=xs,
                y=ys,
                z=Zc,
                colorscale=[[0, "#dfe6ee"], [1, "#9fb3c8"]],
                contours={"coloring": "lines"},
                line={"width": 1},
                ncontours=18,
                showscale=False,
                hoverinfo="skip",
            ),
            row=r,
            col=c,
        )
        m = len(t.points) if upto is None else min(len(t.points), upto + 1)
        pts = t.points[:m]
        fig.add_trace(
            go.Scatter(
                x=pts[:, 0],
                y=pts[:, 1],
                mode="lines+markers",
                line={"color": colors[t.optimizer], "width": 2},
                marker={"size": 4},
                name=t.label,
                showlegend=False,
                text=list(range(m)),
                hovertemplate=_hover_step(t.label),
            ),
            row=r,
            col=c,
        )
        marks_x = [s[0]] + [mm[0] for mm in surface.minima]
        marks_y = [s[1]] + [mm[1] for mm in surface.minima]
        fig.add_trace(
            go.Scatter(
                x=marks_x,
                y=marks_y,
                mode="markers",
                marker={
                    "symbol": ["circle-open"] + ["x"] * len(surface.minima),
                    "size": [10] + [10] * len(surface.minima),
                    "color": palette.INK,
                },
                showlegend=False,
                hoverinfo="skip",
            ),
            row=r,
            col=c,
        )
    fig.update_xaxes(range=list(surface.x_range), showgrid=False, zeroline=False)
    fig.update_yaxes(range=list(surface.y_range), showgrid=False, zeroline=False)
    fig.update_layout(
        height=250 * rows + 40,
        margin={"l": 30, "r": 10, "t": 30, "b": 25},
        plot_bgcolor="white",
    )
    return fig


def race_values_chart(
    surface: Surface, trajectories: Sequence[Trajectory], upto: int | None = None
) -> alt.Chart:
    """f at each step for each optimizer (f − f* on a log scale when the minimum is known)."""
    f_min = surface.f_min
    log = f_min is not None
    rows = []
    for t in trajectories:
        n = len(t.values) if upto is None else min(len(t.values), upto + 1)
        for step, v in enumerate(t.values[:n]):
            y = float(v) - f_min if log else float(v)
            if log:
                y = max(y, 1e-12)
            rows.append({"step": step, "optimizer": t.label, "f": _clean(y)})
    colors = optimizer_colors([t.optimizer for t in trajectories])
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_line()
        .encode(
            x=alt.X("step:Q", title=_("optimizer step")),
            y=alt.Y(
                "f:Q",
                scale=alt.Scale(type="log") if log else alt.Scale(),
                title=_("f − f* (log)") if log else "f(x, y)",
            ),
            color=alt.Color(
                "optimizer:N",
                scale=alt.Scale(
                    domain=[t.label for t in trajectories],
                    range=[colors[t.optimizer] for t in trajectories],
                ),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=[
                alt.Tooltip("optimizer:N", title=_("optimizer")),
                alt.Tooltip("step:Q", title=_("optimizer step")),
                alt.Tooltip("f:Q", format=".3g"),
            ],
        )
        .properties(height=300)
    )


# -- the optimizer race, live: a contour image and Vega-Lite specs fed new rows every tick -----------
#: Columns of the rows a live race chart reads (one row per optimizer and revealed step).
RACE_COLUMNS = ("optimizer", "step", "x", "y", "f", "head")


def contour_levels(Z: np.ndarray, log_levels: bool) -> np.ndarray:
    """The values whose level sets are drawn: log₁₀(f − min) for a deep valley, else f."""
    Z = np.asarray(Z, dtype=np.float64)
    return np.log10(Z - float(np.nanmin(Z)) + 1e-3) if log_levels else Z


def contour_image(
    Z: np.ndarray, *, log_levels: bool = True, levels: int = 18, line_px: float = 1.1
) -> np.ndarray:
    """Anti-aliased contour lines of ``Z`` (row 0 = the top of the view, one value per pixel) as an
    RGBA ``uint8`` image: grey lines on transparent, each about ``line_px`` pixels wide.

    A pixel's distance to the nearest level, in pixels, is |t − round(t)| / |∇t| with t the value in
    units of one level step; its opacity falls off linearly over ``line_px``."""
    V = contour_levels(Z, log_levels)
    lo, hi = float(np.nanpercentile(V, 0.5)), float(np.nanpercentile(V, 99.5))
    t = (V - lo) / max(hi - lo, 1e-12) * levels
    gy, gx = np.gradient(t)
    dist = np.abs(t - np.round(t)) / np.maximum(np.hypot(gx, gy), 1e-9)
    alpha = np.clip(1.0 - dist / line_px, 0.0, 1.0)
    alpha[~np.isfinite(alpha)] = 0.0
    out = np.empty(Z.shape + (4,), dtype=np.uint8)
    out[..., :3] = (0x7F, 0x93, 0xA8)  # a quiet blue-grey: the paths are what carries colour
    out[..., 3] = (alpha * 200).astype(np.uint8)
    return out


def race_rows(trajectories: Sequence[Trajectory], upto: int) -> list[dict[str, Any]]:
    """The first ``upto`` steps of every path (the start is step 0): one row per optimizer and step,
    ``head`` marking each path's newest point."""
    rows = []
    for t in trajectories:
        n = min(len(t.points), upto + 1)
        for k in range(n):
            x, y = t.points[k]
            rows.append(
                {
                    "optimizer": t.label,
                    "step": k,
                    "x": _clean(x),
                    "y": _clean(y),
                    "f": _clean(t.values[k]),
                    "head": k == n - 1,
                }
            )
    return rows


def _color_scale(trajectories: Sequence[Trajectory]) -> dict[str, Any]:
    colors = optimizer_colors([t.optimizer for t in trajectories])
    return {"domain": [t.label for t in trajectories], "range": [colors[t.optimizer] for t in trajectories]}


def race_spec(
    surface: Surface,
    trajectories: Sequence[Trajectory],
    *,
    background: str,
    start: tuple[float, float] | None = None,
    panels: bool = False,
    width: int = 520,
    height: int = 330,
    columns: int = 4,
) -> dict[str, Any]:
    """A Vega-Lite spec of the race (paths over the contour image ``background``, a data URI sized
    ``width`` × ``height`` px): all paths in one view, or one panel per optimizer (``panels``).

    The spec holds no path data: it reads rows of :func:`race_rows` (columns :data:`RACE_COLUMNS`),
    so a live page builds it once and sends new rows every tick."""
    (x0, x1), (y0, y1) = surface.x_range, surface.y_range
    x_scale = {"domain": [x0, x1], "nice": False, "zero": False}
    y_scale = {"domain": [y0, y1], "nice": False, "zero": False}
    x_enc = {"field": "x", "type": "quantitative", "scale": x_scale, "title": "x"}
    y_enc = {"field": "y", "type": "quantitative", "scale": y_scale, "title": "y"}
    color = {"field": "optimizer", "type": "nominal", "scale": _color_scale(trajectories)}
    color["legend"] = None if panels else {"orient": "bottom", "title": None, "columns": 4}
    tooltip = [
        {"field": "optimizer", "type": "nominal", "title": _("optimizer")},
        {"field": "step", "type": "quantitative", "title": _("optimizer step")},
        {"field": "x", "type": "quantitative", "format": ".3g"},
        {"field": "y", "type": "quantitative", "format": ".3g"},
        {"field": "f", "type": "quantitative", "format": ".3g"},
    ]
    one_row = [{"filter": "datum.step == 0"}, {"aggregate": [{"op": "count", "as": "n"}]}]
    if panels:  # one image per panel: the panel's own start row
        one_row = [{"filter": "datum.step == 0"}]
    layers: list[dict[str, Any]] = [
        {
            "transform": one_row,
            "mark": {"type": "image", "width": width, "height": height, "aspect": False},
            "encoding": {
                "x": {"datum": (x0 + x1) / 2, "type": "quantitative", "scale": x_scale},
                "y": {"datum": (y0 + y1) / 2, "type": "quantitative", "scale": y_scale},
                "url": {"value": background},
            },
        },
        {
            "mark": {"type": "line", "clip": True, "strokeWidth": 2, "point": {"size": 14, "filled": True}},
            "encoding": {
                "x": x_enc,
                "y": y_enc,
                "order": {"field": "step", "type": "quantitative"},
                "color": color,
                "detail": {"field": "optimizer", "type": "nominal"},
                "tooltip": tooltip,
            },
        },
        {
            "transform": [{"filter": "datum.head"}],
            "mark": {"type": "point", "clip": True, "filled": True, "size": 90, "stroke": "white"},
            "encoding": {"x": x_enc, "y": y_enc, "color": color, "tooltip": tooltip},
        },
    ]
    s = start if start is not None else surface.start
    marks = [(s, "circle", 130, False)] + [(m, "cross", 110, True) for m in surface.minima[:1]]
    for (mx, my), shape, size, filled in marks:
        layers.append(
            {
                "transform": one_row,
                "mark": {
                    "type": "point",
                    "shape": shape,
                    "size": size,
                    "filled": filled,
                    "clip": True,
                    "color": palette.INK,
                    "strokeWidth": 2,
                },
                "encoding": {
                    "x": {"datum": float(mx), "type": "quantitative", "scale": x_scale},
                    "y": {"datum": float(my), "type": "quantitative", "scale": y_scale},
                },
            }
        )
    inner = {"width": width, "height": height, "layer": layers}
    config = {"view": {"stroke": palette.GRID}, "axis": {"grid": False, "labelFontSize": 11}}
    if not panels:
        return {**inner, "config": config}
    return {
        "facet": {
            "field": "optimizer",
            "type": "nominal",
            "sort": [t.label for t in trajectories],
            "title": None,
            "header": {"labelFontSize": 13, "labelFontWeight": "bold"},
        },
        "columns": columns,
        "spec": inner,
        "spacing": 8,
        "resolve": {"axis": {"x": "shared", "y": "shared"}},
        "config": config,
    }


def race_values_spec(
    surface: Surface, trajectories: Sequence[Trajectory], *, steps: int, width: int = 300, height: int = 250
) -> dict[str, Any]:
    """f against step for every optimizer (f − f* on a log scale when the minimum is known), on axes
    fixed by the whole race (``trajectories`` run to the end) so they stay put while the paths grow.
    Reads the rows of :func:`race_rows`."""
    f_min = surface.f_min
    log = f_min is not None
    values = np.concatenate([np.asarray(t.values, dtype=np.float64) for t in trajectories] or [np.zeros(1)])
    values = values[np.isfinite(values)]
    if log:
        shifted = np.maximum(values - f_min, 1e-12)
        domain = [
            float(10 ** np.floor(np.log10(shifted.min()))),
            float(10 ** np.ceil(np.log10(shifted.max()))),
        ]
        y_field = {"calculate": f"max(datum.f - ({f_min!r}), 1e-12)", "as": "value"}
        y_scale = {"type": "log", "domain": domain}
        title = _("f − f* (log scale)")
    else:
        lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
        pad = 0.05 * (hi - lo or 1.0)
        y_field = {"calculate": "datum.f", "as": "value"}
        y_scale = {"domain": [lo - pad, hi + pad], "nice": False}
        title = "f(x, y)"
    return {
        "width": width,
        "height": height,
        "transform": [y_field],
        "mark": {"type": "line", "clip": True, "strokeWidth": 2},
        "encoding": {
            "x": {
                "field": "step",
                "type": "quantitative",
                "scale": {"domain": [0, max(int(steps), 1)]},
                "title": _("optimizer step"),
            },
            "y": {
                "field": "value",
                "type": "quantitative",
                "scale": y_scale,
                "title": title,
                "axis": {"format": ".0e" if log else ".3~g"},
            },
            "color": {
                "field": "optimizer",
                "type": "nominal",
                "scale": _color_scale(trajectories),
                "legend": None,
            },
            "tooltip": [
                {"field": "optimizer", "type": "nominal", "title": _("optimizer")},
                {"field": "step", "type": "quantitative", "title": _("optimizer step")},
                {"field": "f", "type": "quantitative", "format": ".4g"},
            ],
        },
        "config": {"view": {"stroke": palette.GRID}},
    }


def schedules_chart(curves: dict[str, np.ndarray], labels: dict[str, str]) -> alt.Chart:
    """Learning rate against epoch for every schedule."""
    rows = [
        {"epoch": e, "schedule": labels.get(name, name), "lr": _clean(v)}
        for name, values in curves.items()
        for e, v in enumerate(values)
    ]
    names = [labels.get(n, n) for n in curves]
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_line()
        .encode(
            x=alt.X("epoch:Q", title=_("epoch")),
            y=alt.Y("lr:Q", title=_("learning rate α")),
            color=alt.Color(
                "schedule:N",
                scale=alt.Scale(domain=names, range=list(palette.RUN_COLORS[: len(names)])),
                legend=alt.Legend(orient="bottom", title=None, columns=3),
            ),
            tooltip=[
                alt.Tooltip("schedule:N", title=_("schedule")),
                alt.Tooltip("epoch:Q", title=_("epoch")),
                alt.Tooltip("lr:Q", format=".4g", title="α"),
            ],
        )
        .properties(height=300)
    )


# -- backprop -----------------------------------------------------------------------------------------
_ROLE_FILL = {"input": "#e3f0fa", "param": "#fdebd3", "const": "#eeeeee"}


def _dot_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def graph_dot(view: GraphView) -> str:
    """Graphviz DOT of a computational graph as a lesson shows it after some steps
    (``playground.lessons.graph.graph_view``): the step just taken is highlighted."""
    lines = [
        "digraph G {",
        '  rankdir=LR; bgcolor="transparent"; nodesep=0.25; ranksep=0.55;',
        '  node [fontname="Helvetica", fontsize=11, style="filled,rounded", color="#8a8f94"];',
        '  edge [fontname="Helvetica", fontsize=10, color="#8a8f94", fontcolor="#333333"];',
    ]
    for node in view.nodes:
        if node.role in _ROLE_FILL:
            shape, fill = "ellipse", _ROLE_FILL[node.role]
        else:
            shape, fill = "box", "#ffffff" if node.known else "#f3f3f3"
        pen = ', penwidth=2.5, color="#c2185b"' if node.current else ""
        attrs = f'label="{_dot_escape(node.label)}", shape={shape}, fillcolor="{fill}"{pen}'
        lines.append(f'  "{_dot_escape(node.name)}" [{attrs}];')
    for edge in view.edges:
        attrs = []
        if edge.label is not None:
            color = "#c2185b" if edge.current else GRADIENT_COLOR
            attrs.append(f'label="{_dot_escape(edge.label)}"')
            attrs += [f'color="{color}"', f'fontcolor="{color}"']
            if edge.current:
                attrs.append("penwidth=2.5")
        attr = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f'  "{_dot_escape(edge.source)}" -> "{_dot_escape(edge.target)}"{attr};')
    lines.append("}")
    return "\n".join(lines)


def line_fit_chart(fit: LineFit) -> alt.LayerChart:
    """w after every update, with the target w = 2."""
    rows = [{"update": i, "w": _clean(w)} for i, w in enumerate(fit.updates)]
    line = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True, color=palette.POSITIVE)
        .encode(
            x=alt.X("update:Q", title=_("update")),
            y=alt.Y("w:Q", title="w"),
            tooltip=[alt.Tooltip("update:Q", title=_("update")), alt.Tooltip("w:Q", format=".5g")],
        )
    )
    target = (
        alt.Chart(alt.Data(values=[{"w": 2.0}]))
        .mark_rule(strokeDash=[5, 4], color=palette.INK)
        .encode(y="w:Q")
    )
    return alt.layer(line, target).properties(height=260, title=_("w after each update (dashed: w = 2)"))


def line_loss_chart(fit: LineFit) -> alt.Chart:
    rows = [
        {"epoch": int(e), "loss": _clean(max(lo, 1e-300))} for e, lo in zip(fit.epochs, fit.loss, strict=True)
    ]
    return (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True, color=palette.NEGATIVE)
        .encode(
            x=alt.X("epoch:Q", title=_("epoch"), axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("loss:Q", scale=alt.Scale(type="log"), title=_("loss (log)")),
            tooltip=[
                alt.Tooltip("epoch:Q", title=_("epoch")),
                alt.Tooltip("loss:Q", format=".3g", title=_("loss")),
            ],
        )
        .properties(height=260, title=_("Loss per epoch"))
    )


def gradcheck_chart(hs: np.ndarray, errors: np.ndarray, h: float | None = None) -> alt.LayerChart:
    """Relative error against the finite-difference step h (both log scales)."""
    rows = [{"h": float(x), "error": _clean(max(e, 1e-17))} for x, e in zip(hs, errors, strict=True)]
    line = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True, color=palette.POSITIVE)
        .encode(
            x=alt.X(
                "h:Q",
                scale=alt.Scale(type="log", reverse=True),
                title=_("step h (log)"),
                axis=alt.Axis(format=".0e"),
            ),
            y=alt.Y(
                "error:Q",
                scale=alt.Scale(type="log"),
                title=_("relative error (log)"),
                axis=alt.Axis(format=".0e"),
            ),
            tooltip=[
                alt.Tooltip("h:Q", format=".1e"),
                alt.Tooltip("error:Q", format=".2e", title=_("relative error")),
            ],
        )
    )
    layers = [line]
    if h is not None:
        layers.append(
            alt.Chart(alt.Data(values=[{"h": float(h)}]))
            .mark_rule(color=palette.NEGATIVE, strokeDash=[4, 4])
            .encode(x="h:Q")
        )
    return alt.layer(*layers).properties(height=260, title=_("Error of the estimate against h"))


# -- overfitting lesson ---------------------------------------------------------------------
def weight_histogram_chart(
    weights: Mapping[str, np.ndarray],
    *,
    limit: float = 1.5,
    bins: int = 41,
    height: int = 110,
    width: int = 420,
) -> alt.Chart:
    """Histograms of each run's weights (run name -> its weights, flattened) on a common range, one row
    per run: L1 piles weights up at exactly-zero-looking values, L2 shrinks them all a little.
    Out-of-range weights go to the end bins."""
    rows = []
    edges = np.linspace(-limit, limit, bins + 1)
    for name, values in weights.items():
        w = np.clip(np.asarray(values, dtype=np.float64).ravel(), -limit, limit)
        if w.size == 0:
            continue
        counts, _edges = np.histogram(w, bins=edges)
        share = counts / w.size
        for s, e, c in zip(edges[:-1].tolist(), edges[1:].tolist(), share.tolist(), strict=True):
            rows.append({"run": name, "bin_start": s, "bin_end": e, "share": c})
    names = list(weights)
    colors = [palette.RUN_COLORS[i % len(palette.RUN_COLORS)] for i in range(len(names))]
    return (
        alt.Chart(frame(rows, ("run", "bin_start", "bin_end", "share")))
        .mark_bar(binSpacing=0)
        .encode(
            x=alt.X(
                "bin_start:Q", bin="binned", title=_("weight value"), scale=alt.Scale(domain=[-limit, limit])
            ),
            x2="bin_end:Q",
            y=alt.Y("share:Q", title=_("share"), axis=alt.Axis(format="%", tickCount=3)),
            color=alt.Color("run:N", scale=alt.Scale(domain=names, range=colors), legend=None),
            row=alt.Row("run:N", title=None, sort=names, header=alt.Header(labelAngle=0, labelAlign="left")),
            tooltip=[
                alt.Tooltip("run:N", title=_("run")),
                alt.Tooltip("bin_start:Q", format=".2f", title=_("from")),
                alt.Tooltip("bin_end:Q", format=".2f", title=_("to")),
                alt.Tooltip("share:Q", format=".1%", title=_("share")),
            ],
        )
        .properties(height=height, width=width)
    )
