"""The cell-centre grid over the input plane that the decision boundary and the neuron maps are
computed on (pure NumPy; the chart builders draw what is predicted on it)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


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


def _check_range(r: Sequence[float], name: str) -> tuple[float, float]:
    lo, hi = (float(v) for v in r)
    if not hi > lo:
        raise ValueError(f"{name} must be (low, high) with high > low, got {tuple(r)}")
    return lo, hi
