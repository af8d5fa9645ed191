"""Losses computed from the network's raw outputs (logits), in numerically stable forms.

Each loss has ``targets(y)`` (turn labels into the array the loss compares against, once per
dataset), ``forward(out, t) -> float`` (the mean loss, also caching what backward needs),
``backward() -> d loss / d out`` and ``predict(out)`` (probabilities or values).
"""

from __future__ import annotations

import numpy as np

from playground.engine.activations import sigmoid
from playground.engine.registry import Registry

LOSSES = Registry("loss")


class Loss:
    task: str = ""

    def targets(self, y: np.ndarray) -> np.ndarray:
        return np.asarray(y, dtype=np.float64).reshape(-1, 1)

    def accuracy(self, out: np.ndarray, y: np.ndarray) -> float | None:
        return None


@LOSSES.register(
    "mse",
    description="Mean squared error mean((ŷ − y)²), as torch.nn.MSELoss: for regression.",
    label="Mean squared error",
)
class MeanSquaredError(Loss):
    """L = mean over all entries of (out − t)²; dL/dout = 2(out − t)/size (PyTorch's convention).

    Some courses use ½·mean(...) so the 2 cancels: that only rescales the learning rate by 2.
    """

    task = "regression"

    def forward(self, out, t):
        self._d = d = out - t
        return float(np.vdot(d, d)) / d.size

    def backward(self):
        d = self._d
        return d * (2.0 / d.size)

    def predict(self, out):
        return out[:, 0] if out.shape[1] == 1 else out


@LOSSES.register(
    "bce",
    description="Binary cross-entropy from one logit z: mean(softplus(z) − y·z), stable for any z.",
    label="Binary cross-entropy",
)
class BinaryCrossEntropy(Loss):
    """L = mean(max(z,0) − z·y + log(1 + e^−|z|)) (= −y·log σ(z) − (1−y)·log(1−σ(z)), without
    overflow), as ``torch.nn.BCEWithLogitsLoss``; dL/dz = (σ(z) − y)/N.
    """

    task = "binary"

    def forward(self, out, t):
        self._out, self._t = out, t
        losses = np.maximum(out, 0.0) - out * t + np.log1p(np.exp(-np.abs(out)))
        return float(losses.mean())

    def backward(self):
        g = sigmoid(self._out)
        g -= self._t
        g *= 1.0 / g.shape[0]
        return g

    def predict(self, out):
        return sigmoid(out[:, 0])

    def accuracy(self, out, y):
        return float(np.mean((out[:, 0] > 0) == (np.asarray(y).reshape(-1) > 0.5)))


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log softmax(z) = z − max − log Σ exp(z − max), stable for any z."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


@LOSSES.register(
    "softmax_ce",
    description="Softmax cross-entropy over K logits, as torch.nn.CrossEntropyLoss.",
    label="Softmax cross-entropy",
)
class SoftmaxCrossEntropy(Loss):
    """L = mean(−log softmax(z)[y]); dL/dz = (softmax(z) − onehot(y))/N."""

    task = "multiclass"

    def targets(self, y):
        return np.asarray(y).reshape(-1).astype(np.int64)

    def forward(self, out, t):
        logp = log_softmax(out)
        self._p, self._t = np.exp(logp), t
        return float(-logp[np.arange(t.size), t].mean())

    def backward(self):
        g = self._p.copy()
        g[np.arange(self._t.size), self._t] -= 1.0
        g *= 1.0 / g.shape[0]
        return g

    def predict(self, out):
        return np.exp(log_softmax(out))

    def accuracy(self, out, y):
        return float(np.mean(out.argmax(axis=1) == np.asarray(y).reshape(-1)))


#: The loss each task trains with.
TASK_LOSS = {"binary": "bce", "multiclass": "softmax_ce", "regression": "mse"}


def make_loss(name: str) -> Loss:
    return LOSSES[name].obj()
