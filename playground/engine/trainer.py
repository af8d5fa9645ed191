"""Mini-batch training: epochs, shuffling, schedules, regularization, clipping, early stopping and
divergence handling. The trainer never calls the UI; it advances by steps or epochs and records
what happened (``history``, ``health``, ``status``), and the page decides when to draw.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from playground.engine.layers import Dense
from playground.engine.network import Network
from playground.engine.optimizers import OPTIMIZERS, make_optimizer
from playground.engine.regularization import REGULARIZERS
from playground.engine.schedules import SCHEDULES, make_schedule
from playground.errors import ConfigError


@dataclass
class TrainConfig:
    """How to train: optimizer, learning rate and schedule, batch size, penalties, stopping."""

    optimizer: str = "sgd"
    optimizer_params: dict[str, Any] = field(default_factory=dict)
    learning_rate: float = 0.03
    schedule: str = "constant"
    schedule_params: dict[str, Any] = field(default_factory=dict)
    batch_size: int = 10
    regularization: str = "none"
    reg_rate: float = 0.0
    early_stopping: bool = False
    patience: int = 20
    min_delta: float = 0.0
    clip_norm: float = 0.0
    shuffle: bool = True
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ConfigError(f"Unknown training setting(s): {unknown}.")
        cfg = cls(**d)
        cfg.validate()
        return cfg

    def validate(self) -> None:
        entry = OPTIMIZERS[self.optimizer]
        entry.resolve({**self.optimizer_params, "lr": self.learning_rate})
        SCHEDULES[self.schedule].resolve(self.schedule_params)
        REGULARIZERS[self.regularization]
        if not isinstance(self.batch_size, int) or isinstance(self.batch_size, bool) or self.batch_size < 1:
            raise ConfigError(f"Batch size must be a whole number ≥ 1, got {self.batch_size!r}.")
        if not (isinstance(self.reg_rate, int | float) and 0.0 <= self.reg_rate <= 10.0):
            raise ConfigError(f"Regularization rate must be between 0 and 10, got {self.reg_rate!r}.")
        if not (isinstance(self.patience, int) and self.patience >= 1):
            raise ConfigError(f"Patience must be a whole number of epochs ≥ 1, got {self.patience!r}.")
        if not (isinstance(self.clip_norm, int | float) and self.clip_norm >= 0):
            raise ConfigError(f"Gradient clipping norm must be ≥ 0 (0 = off), got {self.clip_norm!r}.")


def batch_bounds(n: int, batch_size: int, batch_norm: bool) -> list[tuple[int, int]]:
    """(start, end) of each mini-batch of an epoch over ``n`` examples.

    With batch norm, a trailing batch of one cannot be normalized: it is merged into the previous one.
    """
    b = min(batch_size, n)
    starts = list(range(0, n, b))
    if batch_norm and len(starts) > 1 and n - starts[-1] == 1:
        starts.pop()
    ends = starts[1:] + [n]
    return list(zip(starts, ends, strict=True))


@dataclass
class TrainData:
    """Training, validation and test arrays (validation and test may be empty)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    X_test: np.ndarray | None = None
    y_test: np.ndarray | None = None

    @classmethod
    def from_split(cls, split) -> TrainData:
        """From any object with X_train, y_train, X_val, y_val, X_test, y_test attributes."""
        return cls(split.X_train, split.y_train, split.X_val, split.y_val, split.X_test, split.y_test)


@dataclass(frozen=True)
class Divergence:
    """Where training blew up: the epoch (1-based, the one running) and step within it."""

    epoch: int
    step: int
    reason: str

    def message(self) -> str:
        return (
            f"Training diverged in epoch {self.epoch}, step {self.step}: {self.reason}. "
            "The last finite weights are kept; try a smaller learning rate (or gradient clipping)."
        )


class Trainer:
    """Trains a :class:`Network` on :class:`TrainData` with a :class:`TrainConfig`.

    ``history`` holds one record per completed epoch (epoch 0 is the untrained net): losses and
    accuracies on each split and the learning rate used. With ``instrument=True``, ``health``
    gets per-layer gradient norm, weight norm, update/weight ratio and dead-unit fraction at the end
    of every epoch; otherwise the training step pays nothing for it.

    ``status`` is "ready" while training can go on, "diverged" (see ``divergence``) or
    "early_stopped" (best weights restored, see ``best_epoch``). Nothing is raised at the caller
    when training diverges.
    """

    def __init__(
        self,
        network: Network,
        data: TrainData,
        config: TrainConfig | dict | None = None,
        instrument: bool = False,
    ):
        if config is None:
            config = TrainConfig()
        elif isinstance(config, dict):
            config = TrainConfig.from_dict(config)
        self.network = network
        self.instrument = instrument
        loss = network.loss
        self.X = np.ascontiguousarray(data.X_train, dtype=np.float64)
        self.T = loss.targets(data.y_train)
        if len(self.X) == 0:
            raise ConfigError(
                "There is no training data: increase the training share or the number of points."
            )
        if self.X.shape[1] != network.config.n_inputs:
            raise ConfigError(
                f"The data has {self.X.shape[1]} input features "
                f"but the network expects {network.config.n_inputs}."
            )
        self.splits: dict[str, tuple[np.ndarray, np.ndarray]] = {"train": (self.X, self.T)}
        for name, X, y in (("val", data.X_val, data.y_val), ("test", data.X_test, data.y_test)):
            if X is not None and len(X):
                self.splits[name] = (np.ascontiguousarray(X, dtype=np.float64), loss.targets(y))
        self.optimizer = None
        self.config = None
        self.rng = np.random.default_rng(np.random.SeedSequence([config.seed, 1]))
        self.epoch = 0
        self.total_steps = 0
        self.status = "ready"
        self.divergence: Divergence | None = None
        self.history: list[dict[str, Any]] = []
        self.health: list[dict[str, Any]] = []
        self._health_every = 1
        self.best_epoch: int | None = None
        self.best_val = math.inf
        self._best_state = None
        self._wait = 0
        self._backup = np.empty_like(network.params.values)
        self._layers, self._loss = network.layers, network.loss
        # The first layer's input gradient is never used in training: a Dense first layer only
        # computes its parameter gradients (one matrix product less per step).
        self._backward_layers = network._backward_layers[:-1]
        first = network._backward_layers[-1]
        self._first_backward = first.backward_params if isinstance(first, Dense) else first.backward
        self.step_in_epoch = 0
        self.set_config(config)
        self.history.append(self.evaluate(epoch=0))

    # -- configuration -------------------------------------------------------------------------
    def set_config(self, config: TrainConfig) -> None:
        """Apply a (new) training config on the fly: the weights are kept; the optimizer's state
        is kept unless the optimizer itself changes."""
        config.validate()
        if config.early_stopping and "val" not in self.splits:
            raise ConfigError(
                "Early stopping watches the validation loss, but the validation split is empty: "
                "set a validation share above 0 (or use more points)."
            )
        if config.batch_size == 1 and self.network.config.batch_norm != "off":
            raise ConfigError("Batch norm needs at least 2 examples per batch: raise the batch size.")
        if self.optimizer is None or self.optimizer.name != config.optimizer:
            self.optimizer = make_optimizer(
                config.optimizer, self.network.params, config.learning_rate, config.optimizer_params
            )
        else:
            self.optimizer.set_hyper(lr=config.learning_rate, **config.optimizer_params)
        self.config = config
        self.schedule = make_schedule(config.schedule, config.schedule_params)
        self.regularizer = REGULARIZERS[config.regularization].obj
        # What the training step reads, resolved once here rather than on every step.
        self._lam = float(config.reg_rate)
        self._reg = self.regularizer if self._lam > 0 and config.regularization != "none" else None
        self._clip = float(config.clip_norm)
        if self.status == "early_stopped" and not config.early_stopping:
            self.status = "ready"

    def lr_at(self, epoch: int) -> float:
        """The learning rate used during epoch ``epoch`` (0-based)."""
        return self.schedule(epoch, self.config.learning_rate)

    # -- training --------------------------------------------------------------------------------
    def _batches(self) -> list[tuple[np.ndarray, np.ndarray]]:
        n = len(self.X)
        if self.config.shuffle:
            perm = self.rng.permutation(n)
            X, T = self.X[perm], self.T[perm]
        else:
            X, T = self.X, self.T
        bounds = batch_bounds(n, self.config.batch_size, self.network.config.batch_norm != "off")
        return [(X[s:e], T[s:e]) for s, e in bounds]

    def train_batch(self, x: np.ndarray, t: np.ndarray) -> float:
        """One optimization step on a batch: forward, backward, penalty, clipping, update.

        Returns the batch's data loss. If the loss or an updated weight is not finite, the
        weights stay at their last finite values, ``status`` becomes "diverged" and NaN/inf is
        returned (nothing is raised). ``t`` comes from ``network.loss.targets(y)``.
        """
        params = self.network.params
        values, grads = params.values, params.grads
        grads.fill(0.0)
        for layer in self._layers:
            x = layer.forward(x, True)
        loss = self._loss
        value = loss.forward(x, t)
        if not math.isfinite(value):
            self._diverge(f"the loss became {value}")
            return value
        g = loss.backward()
        for layer in self._backward_layers:
            g = layer.backward(g)
        self._first_backward(g)
        if self._reg is not None:
            n = params.n_decay
            self._reg.add_grad(values[:n], grads[:n], self._lam)
        if self._clip > 0:
            norm = math.sqrt(float(np.dot(grads, grads)))
            if norm > self._clip:
                grads *= self._clip / (norm + 1e-6)  # as torch.nn.utils.clip_grad_norm_
        np.copyto(self._backup, values)
        self.optimizer.step()
        if not math.isfinite(float(values.sum())):
            values[...] = self._backup
            self._diverge("a weight became NaN or infinite")
            return math.nan
        self.total_steps += 1
        self.step_in_epoch += 1
        return value

    def run_epoch(self) -> dict[str, Any] | None:
        """Train one epoch; return its history record, or None if training cannot go on."""
        if self.status != "ready":
            return None
        self.optimizer.lr = lr = self.lr_at(self.epoch)
        self.step_in_epoch = 0
        for x, t in self._batches():
            self.train_batch(x, t)
            if self.status != "ready":
                return None
        self.epoch += 1
        record = self.evaluate(epoch=self.epoch, lr=lr)
        if not math.isfinite(record["train_loss"]):
            self.epoch -= 1
            self.step_in_epoch -= 1  # the last step of the epoch, as the population trainer reports it
            self._diverge(f"the training loss became {record['train_loss']}")
            return None
        self.history.append(record)
        if self.instrument:
            self._record_health(self.epoch)
        if self.config.early_stopping:
            self._early_stopping(record)
        return record

    def run_epochs(self, n: int) -> list[dict[str, Any]]:
        """Train up to ``n`` epochs (fewer if training diverges or stops early)."""
        out = []
        for _ in range(n):
            record = self.run_epoch()
            if record is None:
                break
            out.append(record)
        return out

    def _diverge(self, reason: str) -> None:
        self.status = "diverged"
        self.divergence = Divergence(self.epoch + 1, self.step_in_epoch + 1, reason)

    def _early_stopping(self, record: dict[str, Any]) -> None:
        val = record["val_loss"]
        if val < self.best_val - self.config.min_delta:
            self.best_val, self.best_epoch, self._wait = val, record["epoch"], 0
            self._best_state = self.network.state()
        else:
            self._wait += 1
            if self._wait >= self.config.patience and self._best_state is not None:
                self.network.load_state(self._best_state)
                self.status = "early_stopped"

    # -- evaluation and instrumentation ------------------------------------------------------------
    def evaluate(self, epoch: int | None = None, lr: float | None = None) -> dict[str, Any]:
        """Loss and accuracy (None for regression) on every split, in eval mode."""
        record: dict[str, Any] = {
            "epoch": self.epoch if epoch is None else epoch,
            "lr": self.lr_at(self.epoch) if lr is None else lr,
        }
        for name in ("train", "val", "test"):
            if name in self.splits:
                loss, acc = self.network.evaluate(*self.splits[name])
            else:
                loss, acc = None, None
            record[f"{name}_loss"] = loss
            record[f"{name}_acc"] = acc
        lam = float(self.config.reg_rate)
        params = self.network.params
        record["penalty"] = self.regularizer.penalty(params.values[: params.n_decay], lam) if lam else 0.0
        return record

    #: ``health`` keeps at most this many epochs: past it, every other recorded epoch is dropped
    #: and records are taken half as often (a long run stays small in memory and cheap to chart).
    MAX_HEALTH_EPOCHS = 1000

    def _record_health(self, epoch: int) -> None:
        if epoch % self._health_every:
            return
        if len(self.health) >= self.MAX_HEALTH_EPOCHS * len(self.network.hidden_layers) > 0:
            self._health_every *= 2
            self.health = [r for r in self.health if r["epoch"] % self._health_every == 0]
            if epoch % self._health_every:
                return
        backup = self._backup
        stats = self.network.probe(self.X[:512])
        for h, st in zip(self.network.hidden_layers, stats, strict=True):
            W = h.dense.W
            sl, _ = self.network.params.slices[f"h{h.index}.W"]
            w_norm = float(np.linalg.norm(W.value))
            self.health.append(
                {
                    "epoch": epoch,
                    "layer": f"layer {h.index}",
                    "grad_norm": float(np.linalg.norm(W.grad)),
                    "weight_norm": w_norm,
                    "update_ratio": float(np.linalg.norm(W.value.ravel() - backup[sl])) / (w_norm + 1e-12),
                    "dead_fraction": st["dead_fraction"],
                    "saturated_fraction": st["saturated_fraction"],
                }
            )
