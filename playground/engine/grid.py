"""Transitional: the grid lives in :mod:`playground.data.grid` (one convention, cell centres).

This module only re-exports it so ``playground.engine`` keeps its names until the engine redesign is
merged; the merge deletes this file and the two names from ``playground/engine/__init__.py``.
"""

from playground.data.grid import grid_points, predict_grid

__all__ = ["grid_points", "predict_grid"]
