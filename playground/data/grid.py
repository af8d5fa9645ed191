"""The one grid over the input plane: the cells the decision boundary and the neuron maps are
computed on (pure NumPy; the chart builders in ``playground.viz`` draw what is predicted on it).

Orientation, used everywhere (the engine-side ``predict_grid``, the experiment, the lessons, viz)::

    values[i, j]  is the model's output at  (x = xs[j], y = ys[i])
    xs ascends left to right, ys DESCENDS top to bottom: row 0 is the top of the image (y near y_max)

The points are cell centres, so an n × n image spans exactly ``x_range`` × ``y_range``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np


class Predictor(Protocol):
    def predict(self, X: np.ndarray) -> np.ndarray: ...


def grid_axes(x_range: Sequence[float], y_range: Sequence[float], n: int):
    """Cell-centre grid in image order: ``xs`` (n,) ascending, ``ys`` (n,) descending, ``points`` (n*n, 2).

    ``points[i * n + j] == (xs[j], ys[i])``, so ``predict(points).reshape(n, n)`` has row 0 at the top;
    cell centres mean the image spans exactly ``x_range`` × ``y_range``.
    """
    if n < 1:
        raise ValueError(f"grid size n must be at least 1, got {n}")
    (x0, x1), (y0, y1) = _check_range(x_range, "x_range"), _check_range(y_range, "y_range")
    centres = (np.arange(n) + 0.5) / n
    xs = x0 + centres * (x1 - x0)
    ys = y1 - centres * (y1 - y0)
    points = np.empty((n * n, 2))
    points[:, 0] = np.tile(xs, n)
    points[:, 1] = np.repeat(ys, n)
    return xs, ys, points


def grid_points(x_range: Sequence[float], y_range: Sequence[float], n: int) -> np.ndarray:
    """The (n·n, 2) points of :func:`grid_axes`, row-major with row 0 at the top."""
    return grid_axes(x_range, y_range, n)[2]


def predict_grid(
    model: Predictor,
    x_range: Sequence[float],
    y_range: Sequence[float],
    n: int = 100,
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """``model.predict`` over the n × n grid in one vectorized call.

    Returns (n, n) class-1 probabilities (binary) or values (regression), or (n, n, K) class
    probabilities (multi-class); row 0 is the top of the plane. ``transform`` maps the 2-D points to
    the model's inputs (feature transforms, standardization). ``model`` is anything with
    ``predict(X)``, e.g. an engine ``Network``.
    """
    pts = grid_points(x_range, y_range, n)
    out = np.asarray(model.predict(transform(pts) if transform is not None else pts))
    return out.reshape(n, n, -1) if out.ndim == 2 else out.reshape(n, n)


def _check_range(r: Sequence[float], name: str) -> tuple[float, float]:
    lo, hi = (float(v) for v in r)
    if not hi > lo:
        raise ValueError(f"{name} must be (low, high) with high > low, got {tuple(r)}")
    return lo, hi
