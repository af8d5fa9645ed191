"""L1 and L2 regularization of the weights.

They act on weight matrices only, never on biases, batch-norm γ/β or PReLU slopes: penalizing a
bias does not limit how wiggly the function is, and shrinking γ or a PReLU slope changes what the
layer computes rather than its complexity. The weights are ``params.values[..., :params.n_decay]``;
with a trials axis (``w`` of shape (T, n)) ``lam`` may be one rate per trial ((T, 1) or (T, n)) and
``penalty`` returns one value per trial.
"""

from __future__ import annotations

import numpy as np

from playground.engine.registry import N_, Registry

REGULARIZERS = Registry("regularization")


@REGULARIZERS.register("none", description=N_("No penalty on the weights."), label=N_("None"))
class NoPenalty:
    @staticmethod
    def penalty(w: np.ndarray, lam: float) -> float:
        return 0.0 if w.ndim == 1 else np.zeros(len(w))

    @staticmethod
    def add_grad(w: np.ndarray, g: np.ndarray, lam: float) -> None:
        """Nothing to add."""


@REGULARIZERS.register(
    "l2",
    description=N_("L2 (weight decay): adds λ/2·‖W‖² to the loss and λ·W to the gradient."),
    label=N_("L2"),
)
class L2:
    @staticmethod
    def penalty(w, lam):
        """λ/2·Σw²"""
        if w.ndim == 2:
            return 0.5 * np.ravel(lam) * np.einsum("tp,tp->t", w, w)
        return 0.5 * lam * float(np.dot(w, w))

    @staticmethod
    def add_grad(w, g, lam):
        """g ← g + λ·w"""
        g += lam * w


@REGULARIZERS.register(
    "l1",
    description=N_("L1: adds λ·‖W‖₁ to the loss and λ·sign(W) to the gradient; drives weights to 0."),
    label=N_("L1"),
)
class L1:
    @staticmethod
    def penalty(w, lam):
        """λ·Σ|w|"""
        if w.ndim == 2:
            return np.ravel(lam) * np.abs(w).sum(axis=1)
        return lam * float(np.abs(w).sum())

    @staticmethod
    def add_grad(w, g, lam):
        """g ← g + λ·sign(w) (the subgradient 0 at w = 0)"""
        g += lam * np.sign(w)
