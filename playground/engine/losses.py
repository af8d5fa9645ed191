"""Losses computed from the network's raw outputs (logits), in numerically stable forms.

Each loss has ``targets(y)`` (turn labels into the array the loss compares against, once per
dataset), ``forward(out, t) -> float`` (the mean loss, also caching what backward needs; a (T,)
array of per-trial means when ``out`` has a leading trials axis), ``backward() -> d loss / d out``
and ``predict(out)`` (probabilities or values). Targets of the wrong shape (raw labels where the
loss expects ``targets(y)``) raise :class:`~playground.errors.ConfigError` rather than broadcast.
"""

from __future__ import annotations

import numpy as np

from playground.engine.activations import sigmoid
from playground.engine.registry import N_, Param, Registry
from playground.errors import ConfigError

LOSSES = Registry("loss")


class Loss:
    """Base class. Shapes: ``out`` is (n, k) for one network or (T, n, k) with a trials axis;
    targets are (n, …) (shared by every trial) or (T, n, …). ``forward`` returns a float for one
    network and a (T,) array of per-trial means with trials."""

    task: str = ""
    #: None for one network, T when the outputs carry a leading trials axis (the network sets it).
    trials: int | None = None
    #: What ``targets`` looks like, for error messages.
    target_desc = "float targets of shape (n, 1)"

    def targets(self, y: np.ndarray) -> np.ndarray:
        """Labels or values (n,) or (n, 1) → the array this loss compares against, (n, 1)."""
        y = np.asarray(y, dtype=np.float64)
        if y.ndim > 2 or (y.ndim == 2 and y.shape[1] != 1):
            raise ConfigError(
                "{loss} takes one target per example, got shape {y_shape}.",
                loss=type(self).__name__,
                y_shape=y.shape,
            )
        return y.reshape(-1, 1)

    def check(self, out: np.ndarray, t: np.ndarray) -> None:
        """Refuse targets that would broadcast into a wrong loss (e.g. raw labels (n,) against (n, 1))."""
        if t.shape != out.shape and (self.trials is None or t.shape != out.shape[1:]):
            raise ConfigError(
                "{loss} expects {target_desc} matching the outputs {out_shape}, got {t_shape}: "
                "convert labels with loss.targets(y).",
                loss=type(self).__name__,
                target_desc=self.target_desc,
                out_shape=out.shape,
                t_shape=t.shape,
            )

    def accuracy(self, out: np.ndarray, y: np.ndarray) -> float | np.ndarray | None:
        return None

    def grad_only(self, out: np.ndarray, t: np.ndarray) -> np.ndarray:
        """d loss/d out without the loss value (when only the step matters)."""
        self.forward(out, t)
        return self.backward()


def _per_trial_size(a: np.ndarray, trials: int | None) -> int:
    """Entries one network's mean runs over (all of ``a``, or one trial's slice)."""
    return a.size if trials is None else a.size // a.shape[0]


def _scalar(v):
    return float(v) if np.ndim(v) == 0 else v


@LOSSES.register(
    "mse",
    description=N_("Mean squared error mean((ŷ − y)²), as torch.nn.MSELoss: for regression."),
    label=N_("Mean squared error"),
)
class MeanSquaredError(Loss):
    """L = mean over all entries of (out − t)²; dL/dout = 2(out − t)/size (PyTorch's convention).

    Some courses use ½·mean(...) so the 2 cancels: that only rescales the learning rate by 2.
    """

    task = "regression"

    def forward(self, out, t):
        self.check(out, t)
        self._d = d = out - t
        if self.trials is not None:
            flat = d.reshape(len(d), -1)
            return np.einsum("tp,tp->t", flat, flat) / flat.shape[1]
        return float(np.vdot(d, d)) / d.size

    def backward(self):
        d = self._d
        return d * (2.0 / _per_trial_size(d, self.trials))

    def grad_only(self, out, t):
        self.check(out, t)
        d = out - t
        return d * (2.0 / _per_trial_size(d, self.trials))

    def predict(self, out):
        return out[..., 0] if out.shape[-1] == 1 else out


@LOSSES.register(
    "bce",
    description=N_("Binary cross-entropy from one logit z: mean(softplus(z) − y·z), stable for any z."),
    label=N_("Binary cross-entropy"),
)
class BinaryCrossEntropy(Loss):
    """L = mean(max(z,0) − z·y + log(1 + e^−|z|)) (= −y·log σ(z) − (1−y)·log(1−σ(z)), without
    overflow), as ``torch.nn.BCEWithLogitsLoss``; dL/dz = (σ(z) − y)/N.
    """

    task = "binary"
    target_desc = "0/1 targets of shape (n, 1)"

    def forward(self, out, t):
        self.check(out, t)
        self._out, self._t = out, t
        losses = np.maximum(out, 0.0) - out * t + np.log1p(np.exp(-np.abs(out)))
        if self.trials is not None:
            return losses.reshape(len(losses), -1).mean(axis=1)
        return float(losses.mean())

    def backward(self):
        g = sigmoid(self._out)
        g -= self._t
        g *= 1.0 / _per_trial_size(g, self.trials)
        return g

    def grad_only(self, out, t):
        self.check(out, t)
        self._out, self._t = out, t
        return self.backward()

    def predict(self, out):
        return sigmoid(out[..., 0])

    def accuracy(self, out, y):
        y = np.asarray(y)
        labels = y[..., 0] if y.ndim >= 2 and y.shape[-1] == 1 else y
        return _scalar(np.mean((out[..., 0] > 0) == (labels > 0.5), axis=-1))


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log softmax(z) over the last axis = z − max − log Σ exp(z − max), stable for any z."""
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


#: A label that marks padding: it counts in no loss, gradient or accuracy (torch's ignore_index).
IGNORE_INDEX = -100


@LOSSES.register(
    "softmax_ce",
    description=N_("Softmax cross-entropy over K logits, as torch.nn.CrossEntropyLoss."),
    label=N_("Softmax cross-entropy"),
    reduction=Param(
        "mean",
        choices=("mean", "sum_steps"),
        help=N_("Average over labelled positions, or sum each sequence's steps and average over sequences."),
    ),
)
class SoftmaxCrossEntropy(Loss):
    """L = mean(−log softmax(z)[y]); dL/dz = (softmax(z) − onehot(y))/N.

    Outputs may have more axes than (n, K): a sequence model's (n, T, K) with one label per step
    (n, T). ``reduction="mean"`` (torch's default) averages over every labelled position;
    ``"sum_steps"`` sums the steps of each sequence and averages over sequences (the study notes'
    sequence loss, Σ_t L⟨t⟩). Labels equal to :data:`IGNORE_INDEX` are padding and count nowhere.
    """

    task = "multiclass"
    target_desc = "integer class labels of shape (n,) (or (n, T): one per step)"

    def __init__(self, reduction: str = "mean"):
        if reduction not in ("mean", "sum_steps"):
            raise ConfigError(
                "Softmax cross-entropy reduction must be 'mean' or 'sum_steps', got {reduction!r}.",
                reduction=reduction,
            )
        self.reduction = reduction

    def targets(self, y):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.reshape(-1)
        if y.size and not np.all(np.asarray(y) == np.round(y)):
            raise ConfigError("Softmax cross-entropy takes integer class labels.")
        return y.astype(np.int64)

    def check(self, out, t):
        if not np.issubdtype(t.dtype, np.integer) or (
            t.shape != out.shape[:-1] and (self.trials is None or t.shape != out.shape[1:-1])
        ):
            raise ConfigError(
                "Softmax cross-entropy expects {target_desc} for outputs {out_shape}, got {t_dtype} "
                "{t_shape}: convert labels with loss.targets(y).",
                target_desc=self.target_desc,
                out_shape=out.shape,
                t_dtype=t.dtype,
                t_shape=t.shape,
            )

    def _simple(self, out, t) -> bool:
        """One label per example, no padding: the plain (and fastest) path."""
        return self.trials is None and out.ndim == 2 and self.reduction == "mean" and t.min(initial=0) >= 0

    def forward(self, out, t):
        self.check(out, t)
        logp = log_softmax(out)
        self._p, self._t = np.exp(logp), t
        if self._simple(out, t):
            self._scale = None
            return float(-logp[np.arange(t.size), t].mean())
        labels = np.broadcast_to(t, out.shape[:-1])
        valid = labels != IGNORE_INDEX
        picked = np.take_along_axis(logp, np.where(valid, labels, 0)[..., None], axis=-1)[..., 0]
        lead = 0 if self.trials is None else 1  # axes before the example axis
        per_net = tuple(range(lead, labels.ndim))
        count = valid.sum(axis=per_net, keepdims=True)
        if self.reduction == "sum_steps":
            count = np.full_like(count, labels.shape[lead])  # sum over steps, mean over examples
        self._valid, self._scale = valid, 1.0 / np.maximum(count, 1)
        loss = -(picked * valid * self._scale).sum(axis=per_net)
        return float(loss) if self.trials is None else loss

    def backward(self):
        g = self._p.copy()
        t = self._t
        if self._scale is None:
            g[np.arange(t.size), t] -= 1.0
            g *= 1.0 / g.shape[-2]
            return g
        labels = np.broadcast_to(t, g.shape[:-1])
        valid = self._valid
        idx = np.where(valid, labels, 0)[..., None]
        np.put_along_axis(g, idx, np.take_along_axis(g, idx, axis=-1) - 1.0, axis=-1)
        g *= (valid * self._scale)[..., None]
        return g

    def predict(self, out):
        return np.exp(log_softmax(out))

    def accuracy(self, out, y):
        y = np.asarray(y)
        labels = np.broadcast_to(y, out.shape[:-1])
        valid = labels != IGNORE_INDEX
        hits = (out.argmax(axis=-1) == labels) & valid
        axes = tuple(range(0 if self.trials is None else 1, labels.ndim))
        return _scalar(hits.sum(axis=axes) / np.maximum(valid.sum(axis=axes), 1))


#: The loss each task trains with.
TASK_LOSS = {"binary": "bce", "multiclass": "softmax_ce", "regression": "mse"}


def make_loss(name: str, params: dict | None = None) -> Loss:
    """A registered loss with validated settings (e.g. ``{"reduction": "sum_steps"}``)."""
    entry = LOSSES[name]
    return entry.obj(**entry.resolve(params))
