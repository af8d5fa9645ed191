"""Prediction over a 2-D grid of points, for decision-boundary heatmaps."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from playground.engine.network import Network


def grid_points(x_range: tuple[float, float], y_range: tuple[float, float], n: int) -> np.ndarray:
    """(n·n, 2) points; row-major with row 0 at the *top* (y = y_max), as an image is drawn."""
    xs = np.linspace(x_range[0], x_range[1], n)
    ys = np.linspace(y_range[1], y_range[0], n)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def predict_grid(
    net: Network,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    n: int = 100,
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """The network's output over an n×n grid in one vectorized call.

    Returns (n, n) class-1 probabilities (binary) or values (regression), or (n, n, K) class
    probabilities (multi-class); row 0 is the top of the plane. ``transform`` maps the 2-D points
    to the network's inputs (feature transforms, standardization).
    """
    pts = grid_points(x_range, y_range, n)
    out = net.predict(transform(pts) if transform is not None else pts)
    return out.reshape(n, n, -1) if out.ndim == 2 else out.reshape(n, n)
