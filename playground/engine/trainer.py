"""Mini-batch training: epochs, shuffling, schedules, regularization, clipping, early stopping and
divergence handling. The trainer never calls the UI; it advances by steps or epochs and records
what happened (``history``, ``health``, ``status``), and the page decides when to draw.

The same trainer trains one network or a stack of trials (a network built with ``seeds=[…]``):
each trial may have its own learning rate, penalty, early-stopping settings and mini-batch order
(``trials=[{…}, …]``, keys in :data:`TRIAL_KEYS`), and trial t follows the arithmetic of training
``Network(config with seed s_t)`` alone with ``TrainConfig(with trial t's settings)``. A trial that
diverges or stops early is frozen (its final weights kept) and dropped from the stacked arrays.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from playground.engine.network import Network
from playground.engine.optimizers import OPTIMIZERS, make_optimizer
from playground.engine.registry import N_, dataclass_from_dict
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
        return dataclass_from_dict(cls, d, "training")

    def validate(self) -> None:
        entry = OPTIMIZERS[self.optimizer]
        if "lr" in (self.optimizer_params or {}):
            raise ConfigError(
                "Set the learning rate with learning_rate, not as 'lr' among the optimizer's settings."
            )
        entry.resolve({**self.optimizer_params, "lr": self.learning_rate})
        SCHEDULES[self.schedule].resolve(self.schedule_params)
        REGULARIZERS[self.regularization]
        if not isinstance(self.batch_size, int) or isinstance(self.batch_size, bool) or self.batch_size < 1:
            raise ConfigError(
                "Batch size must be a whole number ≥ 1, got {batch_size!r}.", batch_size=self.batch_size
            )
        if not (isinstance(self.reg_rate, int | float) and 0.0 <= self.reg_rate <= 10.0):
            raise ConfigError(
                "Regularization rate must be between 0 and 10, got {reg_rate!r}.", reg_rate=self.reg_rate
            )
        if not (isinstance(self.patience, int) and self.patience >= 1):
            raise ConfigError(
                "Patience must be a whole number of epochs ≥ 1, got {patience!r}.", patience=self.patience
            )
        if not (isinstance(self.clip_norm, int | float) and self.clip_norm >= 0):
            raise ConfigError(
                "Gradient clipping norm must be ≥ 0 (0 = off), got {clip_norm!r}.", clip_norm=self.clip_norm
            )


class Status(enum.StrEnum):
    """Why training can or cannot go on; compares equal to its plain string value."""

    READY = "ready"
    DIVERGED = "diverged"
    EARLY_STOPPED = "early_stopped"


#: Training settings that may differ from trial to trial (the rest are shared).
TRIAL_KEYS = (
    "learning_rate",
    "regularization",
    "reg_rate",
    "early_stopping",
    "patience",
    "min_delta",
    "seed",
)
#: The per-epoch history: one value per split and measure (one per trial with a trials axis).
HISTORY_KEYS = ("lr", "train_loss", "train_acc", "val_loss", "val_acc", "test_loss", "test_acc", "penalty")


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


_WEIGHT_BROKE = N_("a weight became NaN or infinite")
_BECAME = {
    ("loss", "nan"): N_("the loss became nan"),
    ("loss", "inf"): N_("the loss became inf"),
    ("loss", "-inf"): N_("the loss became -inf"),
    ("training loss", "nan"): N_("the training loss became nan"),
    ("training loss", "inf"): N_("the training loss became inf"),
    ("training loss", "-inf"): N_("the training loss became -inf"),
}


def _became(what: str, value: float) -> str:
    """Why training diverged, as one of a few fixed texts (a page translates ``Divergence.reason``):
    "the loss became nan" (``what`` "loss" or "training loss"; ``value`` not finite)."""
    v = float(value)
    return _BECAME[(what, "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))]


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


_HISTORY_FIELDS = {"epoch", "edited", *HISTORY_KEYS}
_HEALTH_FIELDS = {
    "epoch",
    "layer",
    "grad_norm",
    "weight_norm",
    "update_ratio",
    "dead_fraction",
    "saturated_fraction",
}


def _count(value: Any, what: str, high: int) -> int:
    """A saved counter: a whole number in [0, high] (not a bool, not a float with a fraction)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not 0 <= value <= high:
        raise ConfigError(
            "The saved {what} must be a whole number from 0 to {high}, got {value!r}.",
            what=what,
            high=high,
            value=value,
        )
    return int(value)


def _records(records: Any, fields: set[str], what: str) -> list[dict[str, Any]]:
    """Saved per-epoch records, each field checked: a known name holding a number (or None, a
    short layer name, the ``edited`` flag); anything else makes the state unusable."""
    if not isinstance(records, list) or len(records) > 10**6:
        raise ConfigError("The saved {what} is not a list of records.", what=what)
    out = []
    for rec in records:
        if not isinstance(rec, dict) or not set(rec) <= fields:
            raise ConfigError("A saved {what} record has unknown fields.", what=what)
        for key, value in rec.items():
            if key == "layer":
                ok = isinstance(value, str) and len(value) <= 40
            elif key == "edited":
                ok = isinstance(value, bool)
            elif key == "epoch":
                ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10**7
            else:
                ok = value is None or (isinstance(value, int | float) and not isinstance(value, bool))
            if not ok:
                raise ConfigError(
                    "A saved {what} record holds a bad {key}: {value}",
                    what=what,
                    key=repr(key)[:60],
                    value=repr(value)[:100],
                )
        out.append(dict(rec))
    return out


def _as_inputs(X: np.ndarray) -> np.ndarray:
    """Inputs as a contiguous array: integer ids (tokens) stay integers, the rest become float64."""
    X = np.asarray(X)
    if np.issubdtype(X.dtype, np.integer):
        return np.ascontiguousarray(X)
    return np.ascontiguousarray(X, dtype=np.float64)


#: Outputs smaller than this in magnitude give a finite loss, so a stacked step computes only the
#: gradient (the loss value serves only to notice divergence).
_SAFE = 1e150


class Trainer:
    """Trains a :class:`Network` on :class:`TrainData` with a :class:`TrainConfig`.

    ``history`` holds one record per completed epoch (epoch 0 is the untrained net): losses and
    accuracies on each split, the penalty and the learning rate used (with trials, each value is a
    (T,) array, NaN for a trial no longer trained). With ``instrument=True``, ``health`` gets
    per-layer gradient norm, weight norm, update/weight ratio and dead-unit fraction at the end of
    every epoch (``health_every`` = k, a power of two: of the first k epochs and then of every k-th,
    for a live view that redraws these charts far less often than epochs go by); otherwise the
    training step pays nothing for it.

    ``status`` (a :class:`Status`) is READY while training can go on, DIVERGED (see
    ``divergence``) or EARLY_STOPPED (best weights restored, see ``best_epoch``); with trials,
    ``trial_status`` holds one per trial. Nothing is raised at the caller when training diverges.
    """

    #: ``health`` keeps at most this many epochs: past it, every other recorded epoch is dropped
    #: and records are taken half as often (a long run stays small in memory and cheap to chart).
    MAX_HEALTH_EPOCHS = 1000

    def __init__(
        self,
        network: Network,
        data: TrainData,
        config: TrainConfig | dict | None = None,
        instrument: bool = False,
        trials: Sequence[dict[str, Any]] | None = None,
        health_every: int = 1,
    ):
        if config is None:
            config = TrainConfig()
        elif isinstance(config, dict):
            config = TrainConfig.from_dict(config)
        self.network = network
        self.instrument = instrument
        loss = network.loss
        self.X = _as_inputs(data.X_train)
        if len(self.X) == 0:
            raise ConfigError(
                "There is no training data: increase the training share or the number of points."
            )
        self._check_features(self.X)
        self.T = loss.targets(data.y_train)
        if len(self.T) != len(self.X):
            raise ConfigError(
                "There are {n_X} training inputs but {n_T} targets.", n_X=len(self.X), n_T=len(self.T)
            )
        self.splits: dict[str, tuple[np.ndarray, np.ndarray]] = {"train": (self.X, self.T)}
        for name, X, y in (("val", data.X_val, data.y_val), ("test", data.X_test, data.y_test)):
            if X is not None and len(X):
                X = _as_inputs(X)
                self._check_features(X)
                self.splits[name] = (X, loss.targets(y))
        self.optimizer = None
        self.config = None
        self.epoch = 0
        self.total_steps = 0
        self.step_in_epoch = 0
        self.history: list[dict[str, Any]] = []
        self.health: list[dict[str, Any]] = []
        if health_every < 1 or health_every & (health_every - 1):
            raise ConfigError("health_every must be a power of two, got {n}.", n=health_every)
        self.health_every = self._health_first = int(health_every)
        self._root, self._loss, self._first = network.root, network.loss, network.first_layer
        self._perm: np.ndarray | None = None  # this epoch's order while an epoch is under way
        self.trials = network.trials
        if self.trials is None:
            if trials is not None:
                raise ConfigError("Per-trial settings need a network built with one seed per trial.")
            self.rng = np.random.default_rng(np.random.SeedSequence([config.seed, 1]))
            self.status = Status.READY
            self.divergence: Divergence | None = None
            self.best_epoch: int | None = None
            self.best_val = math.inf
            self.best_state: dict[str, np.ndarray] | None = None
            self.wait = 0
            self._backup = np.empty_like(network.params.values)
            self.set_config(config)
            self.history.append(self.evaluate(epoch=0))
        else:
            self._init_trials(config, trials)

    def _check_features(self, X: np.ndarray) -> None:
        shape = self.network.input_shape
        if X.shape[1:] != shape:
            if len(shape) == 1 and X.ndim == 2:
                raise ConfigError(
                    "The data has {n} input features but the network expects {expected}.",
                    n=X.shape[1],
                    expected=shape[0],
                )
            raise ConfigError(
                "The data has inputs of shape {got} but the network expects {shape}.",
                got=X.shape[1:],
                shape=shape,
            )

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
        if config.batch_size == 1 and self.network.has_batch_norm:
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
        if self.trials is None and self.status == Status.EARLY_STOPPED and not config.early_stopping:
            self.status = Status.READY

    def lr_at(self, epoch: int) -> float:
        """The learning rate used during epoch ``epoch`` (0-based)."""
        return self.schedule(epoch, self.config.learning_rate)

    # -- training one network -----------------------------------------------------------------------
    def _begin_epoch(self) -> None:
        self.network.reset_state()
        self.optimizer.lr = self.lr_at(self.epoch)
        self.step_in_epoch = 0
        n = len(self.X)
        self._perm = self.rng.permutation(n) if self.config.shuffle else np.arange(n)
        self._bounds = batch_bounds(n, self.config.batch_size, self.network.has_batch_norm)

    def train_batch(self, x: np.ndarray, t: np.ndarray) -> float:
        """One optimization step on a batch: forward, backward, penalty, clipping, update.

        Returns the batch's data loss. If the loss or an updated weight is not finite, the
        weights stay at their last finite values, ``status`` becomes DIVERGED and NaN/inf is
        returned (nothing is raised). ``t`` comes from ``network.loss.targets(y)``; raw labels of
        the wrong shape raise ConfigError.
        """
        params = self.network.params
        values, grads = params.values, params.grads
        grads.fill(0.0)
        out = self._root.forward(x, True)
        loss = self._loss
        value = loss.forward(out, t)
        if not math.isfinite(value):
            self._diverge(_became("loss", value))
            return value
        self._first.skip_input_grad = True  # nobody needs d loss/d input
        self._root.backward(loss.backward())
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
            self._diverge(_WEIGHT_BROKE)
            return math.nan
        self.total_steps += 1
        self.step_in_epoch += 1
        return value

    def run_steps(self, n: int) -> dict[str, Any] | None:
        """Train up to ``n`` mini-batches, continuing the epoch under way (its order and position
        are part of :meth:`state_dict`). Returns the epoch's record if an epoch was completed."""
        if self.trials is not None:
            raise ConfigError("run_steps() trains one network; a stack of trials trains by epochs.")
        if self.status != Status.READY:
            return None
        if self._perm is None:
            self._begin_epoch()
        X, T, perm = self.X, self.T, self._perm
        shuffled = self.config.shuffle
        for _ in range(n):
            if self.step_in_epoch >= len(self._bounds):
                break
            s, e = self._bounds[self.step_in_epoch]
            if shuffled:
                idx = perm[s:e]
                self.train_batch(X[idx], T[idx])
            else:
                self.train_batch(X[s:e], T[s:e])
            if self.status != Status.READY:
                self._perm = None
                return None
        if self.step_in_epoch < len(self._bounds):
            return None
        return self._end_epoch()

    def run_epoch(self) -> dict[str, Any] | None:
        """Train one epoch (or the rest of the one under way); return its history record, or
        None if training cannot go on."""
        if self.trials is not None:
            return self._run_epoch_trials(True)
        if self.status != Status.READY:
            return None
        if self._perm is None:
            self._begin_epoch()
            if self.config.shuffle:  # gather the whole epoch once: one copy instead of one per batch
                X, T = self.X[self._perm], self.T[self._perm]
            else:
                X, T = self.X, self.T
            for s, e in self._bounds:
                self.train_batch(X[s:e], T[s:e])
                if self.status != Status.READY:
                    self._perm = None
                    return None
            return self._end_epoch()
        return self.run_steps(len(self._bounds))

    def _end_epoch(self) -> dict[str, Any] | None:
        self._perm = None
        lr = self.optimizer.lr
        self.epoch += 1
        record = self.evaluate(epoch=self.epoch, lr=lr)
        if not math.isfinite(record["train_loss"]):
            self.epoch -= 1
            self.step_in_epoch -= 1  # the last step of the epoch, as a stacked trial reports it
            self._diverge(_became("training loss", record["train_loss"]))
            return None
        self.history.append(record)
        if self.instrument:
            self._record_health(self.epoch)
        if self.config.early_stopping:
            self._early_stopping(record)
        return record

    def run_epochs(self, n: int, evaluate: str = "every") -> list[dict[str, Any]] | int:
        """Train up to ``n`` epochs (fewer if training diverges or stops early).

        One network: returns the epochs' records. Trials: returns how many epochs ran;
        ``evaluate`` is "every" epoch or only the "last" of these ``n`` (a search that needs only
        the final scores saves ~40 % of the time; early stopping always evaluates).
        """
        if self.trials is not None:
            if evaluate not in ("every", "last"):
                raise ConfigError("evaluate must be 'every' or 'last', got {evaluate!r}.", evaluate=evaluate)
            ran = 0
            for k in range(n):
                if self.done:
                    break
                self._run_epoch_trials(evaluate == "every" or k == n - 1)
                ran += 1
            return ran
        out = []
        for _ in range(n):
            record = self.run_epoch()
            if record is None:
                break
            out.append(record)
        return out

    def _diverge(self, reason: str) -> None:
        self.status = Status.DIVERGED
        self.divergence = Divergence(self.epoch + 1, self.step_in_epoch + 1, reason)

    def _early_stopping(self, record: dict[str, Any]) -> None:
        val = record["val_loss"]
        if val < self.best_val - self.config.min_delta:
            self.best_val, self.best_epoch, self.wait = val, record["epoch"], 0
            self.best_state = self.network.state()
        else:
            self.wait += 1
            if self.wait >= self.config.patience and self.best_state is not None:
                self.network.load_state(self.best_state)
                self.status = Status.EARLY_STOPPED

    def resume(self) -> None:
        """Clear a divergence so training can go on (after the weights were edited or reset)."""
        if self.trials is None and self.status == Status.DIVERGED:
            self.status, self.divergence = Status.READY, None

    # -- evaluation and instrumentation ------------------------------------------------------------
    def evaluate(self, epoch: int | None = None, lr: float | None = None) -> dict[str, Any]:
        """Loss and accuracy (None for regression) on every split, in eval mode."""
        if self.trials is not None:
            return self._evaluate_trials()
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

    def _record_health(self, epoch: int) -> None:
        if epoch % self.health_every and epoch > self._health_first:
            return
        if len(self.health) >= self.MAX_HEALTH_EPOCHS * len(self.network.hidden_layers) > 0:
            self.health_every *= 2
            self.health = [r for r in self.health if r["epoch"] % self.health_every == 0]
            if epoch % self.health_every:
                return
        backup = self._backup
        stats = self.network.probe(self.X[:512])
        for h, st in zip(self.network.hidden_layers, stats, strict=True):
            if h.dense is None:
                continue
            W = h.dense.W
            sl, _ = self.network.params.slices[W.name]
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

    # -- state -------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue this run exactly (the network's own state is saved with
        ``network.state_dict()``): config, counters, status, early-stopping memory, the shuffling
        generator and the epoch under way, history, health and the optimizer's state."""
        if self.trials is not None:
            raise ConfigError("state_dict() is offered for one network, not for a stack of trials.")
        d = self.divergence
        return {
            "config": self.config.to_dict(),
            "epoch": self.epoch,
            "total_steps": self.total_steps,
            "step_in_epoch": self.step_in_epoch,
            "perm": None if self._perm is None else self._perm.copy(),
            "status": self.status.value,
            "divergence": None if d is None else {"epoch": d.epoch, "step": d.step, "reason": d.reason},
            "best_epoch": self.best_epoch,
            "best_val": self.best_val,
            "wait": self.wait,
            "best_state": None
            if self.best_state is None
            else {k: v.copy() for k, v in self.best_state.items()},
            "health_every": self.health_every,
            "rng": self.rng.bit_generator.state,
            "history": [dict(r) for r in self.history],
            "health": [dict(r) for r in self.health],
            "optimizer": self.optimizer.state_dict(),
            "schedule": self.schedule.state_dict(),
        }

    def load_state_dict(self, d: dict[str, Any]) -> None:
        """Restore :meth:`state_dict` on a trainer built for the same network, data and config
        (the network's state is restored separately); malformed input raises ConfigError."""
        try:
            self.set_config(TrainConfig.from_dict(dict(d["config"])))
            self.optimizer.load_state_dict(d["optimizer"])
            self.epoch = _count(d["epoch"], "epoch", 10**7)
            self.total_steps = _count(d["total_steps"], "total_steps", 10**12)
            self.step_in_epoch = _count(d["step_in_epoch"], "step_in_epoch", len(self.X))
            perm = d.get("perm")
            if perm is not None:
                perm = np.asarray(perm, dtype=np.int64)
                if sorted(perm.tolist()) != list(range(len(self.X))):
                    raise ConfigError("The saved epoch order does not fit the training data.")
                self._perm = perm
                self._bounds = batch_bounds(len(self.X), self.config.batch_size, self.network.has_batch_norm)
            else:
                self._perm = None
            self.status = Status(d["status"])
            div = d.get("divergence")
            self.divergence = (
                None if div is None else Divergence(int(div["epoch"]), int(div["step"]), str(div["reason"]))
            )
            self.best_epoch = None if d.get("best_epoch") is None else int(d["best_epoch"])
            self.best_val = float(d["best_val"])
            self.wait = _count(d["wait"], "wait", 10**7)
            best = d.get("best_state")
            if best and (not isinstance(best, dict) or set(best) != set(self.network.state())):
                raise ConfigError("The saved best weights do not fit this network.")
            self.best_state = (
                None if not best else {k: np.asarray(v, dtype=np.float64) for k, v in best.items()}
            )
            every = int(d.get("health_every", 1))
            if every < 1 or every & (every - 1):
                raise ConfigError("The saved health interval must be a power of two.")
            self.health_every = max(every, self._health_first)
            self.rng.bit_generator.state = d["rng"]
            self.history = _records(d["history"], _HISTORY_FIELDS, "history")
            self.health = _records(d.get("health", []), _HEALTH_FIELDS, "health")
            if not self.history:
                raise ConfigError("The saved history is empty.")
        except ConfigError:
            raise
        except (KeyError, TypeError, ValueError) as e:
            raise ConfigError("The saved trainer state is malformed: {e!r}.", e=e) from None

    # -- a stack of trials ------------------------------------------------------------------------------
    def _init_trials(self, config: TrainConfig, trials: Sequence[dict[str, Any]] | None) -> None:
        n = self.trials
        trials = [{} for _ in range(n)] if trials is None else [dict(t) for t in trials]
        if len(trials) != n:
            raise ConfigError(
                "The network stacks {n} trials but {n_trials} trial settings were given.",
                n=n,
                n_trials=len(trials),
            )
        self.trial_configs: list[TrainConfig] = []
        for over in trials:
            unknown = sorted(set(over) - set(TRIAL_KEYS))
            if unknown:
                raise ConfigError(
                    "Training setting(s) {unknown} cannot differ between trials trained together; "
                    "per-trial settings are: {keys}.",
                    unknown=unknown,
                    keys=", ".join(TRIAL_KEYS),
                )
            tcfg = dataclasses.replace(config, **over)
            tcfg.validate()
            if tcfg.early_stopping and "val" not in self.splits:
                raise ConfigError(
                    "Early stopping watches the validation loss: set a validation share above 0."
                )
            self.trial_configs.append(tcfg)
        self.set_config(config)
        tc = self.trial_configs
        self.lr0 = np.array([c.learning_rate for c in tc], dtype=np.float64)
        self._reg_lams = {}
        for name in {c.regularization for c in tc} - {"none"}:
            lam = np.array([float(c.reg_rate) if c.regularization == name else 0.0 for c in tc])
            if lam.any():
                self._reg_lams[name] = lam
        self._es = np.array([bool(c.early_stopping) for c in tc])
        self._patience = np.array([c.patience for c in tc], dtype=np.int64)
        self._min_delta = np.array([float(c.min_delta) for c in tc])
        seeds = [c.seed for c in tc]
        self._shared_order = len(set(seeds)) == 1
        self._order_rngs = [np.random.default_rng(np.random.SeedSequence([s, 1])) for s in seeds]
        if self._shared_order:
            self._order_rngs = self._order_rngs[:1]
        params = self.network.params
        self._backup = np.empty_like(params.values)
        self.active = np.arange(n)
        self.final_values = params.values.copy()
        self.final_buffers = {k: v.copy() for k, v in self.network.buffers().items()}
        self.trial_status = [Status.READY] * n
        self.trial_divergence: list[Divergence | None] = [None] * n
        self.epochs_done = np.zeros(n, dtype=np.int64)
        self.trial_best_epoch: list[int | None] = [None] * n
        self._best_val = np.full(n, math.inf)
        self._wait = np.zeros(n, dtype=np.int64)
        self._best_values = np.zeros_like(params.values) if self._es.any() else None
        self._best_buffers = {k: v.copy() for k, v in self.final_buffers.items()} if self._es.any() else None
        #: The epoch of each ``history`` record (every epoch unless some ran without evaluation).
        self.history_epochs: list[int] = []
        lr_start = np.broadcast_to(np.asarray(self.schedule(0, self.lr0), dtype=np.float64), self.lr0.shape)
        self._record(self._evaluate_trials(), lr_start, 0)

    @property
    def done(self) -> bool:
        """With trials: True when every trial is frozen (diverged or stopped early)."""
        if self.trials is None:
            return self.status != Status.READY
        return len(self.active) == 0

    def trial_values(self) -> np.ndarray:
        """(T, n_params) current parameter values of every trial (frozen trials: their final values)."""
        out = self.final_values.copy()
        out[self.active] = self.network.params.values
        return out

    def trial_state(self, i: int) -> dict[str, np.ndarray]:
        """Trial ``i``'s parameters and buffers by name, as ``Network.state()`` gives them."""
        pos = np.flatnonzero(self.active == i)
        net = self.network
        if len(pos):
            row = net.params.values[pos[0]]
            bufs = {k: v[pos[0]] for k, v in net.buffers().items()}
        else:
            row = self.final_values[i]
            bufs = {k: v[i] for k, v in self.final_buffers.items()}
        state = {name: row[sl].reshape(shape).copy() for name, (sl, shape) in net.params.slices.items()}
        state.update({k: v.copy() for k, v in bufs.items()})
        return state

    def _epoch_data(self):
        """This epoch's inputs and targets: (n, …) if all trials share the order, else (T, n, …),
        each permutation drawn exactly as that trial's own trainer would draw it."""
        if not self.config.shuffle:
            return self.X, self.T
        if self._shared_order:
            perm = self._order_rngs[0].permutation(len(self.X))
            return self.X[perm], self.T[perm]
        perms = np.stack([rng.permutation(len(self.X)) for rng in self._order_rngs])
        return self.X[perms], self.T[perms]

    def _run_epoch_trials(self, evaluate: bool) -> bool:
        """Train every active trial one epoch; False when no trial is left to train."""
        if self.done:
            return False
        # A diverging trial overflows on its way to being frozen; the others are not affected.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            return self._epoch_trials(evaluate or bool(self._es[self.active].any()))

    def _epoch_trials(self, evaluate: bool) -> bool:
        self.network.reset_state()
        X, T = self._epoch_data()
        per_trial = X.ndim == self.X.ndim + 1
        epoch_no = self.epoch + 1
        lr_vec = np.broadcast_to(
            np.asarray(self.schedule(self.epoch, self.lr0), dtype=np.float64), self.lr0.shape
        )
        net, loss, opt = self.network, self._loss, self.optimizer
        # Per-trial rates broadcast to full rows once per epoch: a (T, 1) operand costs 3x more per call.
        n_train, n_decay = net.params.n_train, net.params.n_decay
        opt.lr = np.repeat(lr_vec[self.active][:, None], n_train, axis=1)
        regs = [
            (REGULARIZERS[name].obj, np.repeat(lam[self.active][:, None], n_decay, axis=1))
            for name, lam in self._reg_lams.items()
        ]
        clip = self._clip
        ones = np.ones(len(net.params))
        step_no = 0
        for step_no, (s, e) in enumerate(
            batch_bounds(len(self.X), self.config.batch_size, net.has_batch_norm), 1
        ):
            params = net.params
            values, grads = params.values, params.grads
            h, t = (X[:, s:e], T[:, s:e]) if per_trial else (X[s:e], T[s:e])
            grads.fill(0.0)
            out = self._root.forward(h, True)
            if np.abs(out).max() < _SAFE:  # False for NaN too
                g, step_loss = loss.grad_only(out, t), None
            else:
                step_loss = loss.forward(out, t)
                g = loss.backward()
            net.backward(g, input_grad=False)
            for reg, lam in regs:
                reg.add_grad(values[:, :n_decay], grads[:, :n_decay], lam)
            if clip > 0:
                # ‖g‖ per trial as a batched BLAS dot (one network's np.dot, bit for bit)
                norm = np.sqrt(np.matmul(grads[:, None, :], grads[:, :, None])[:, 0, 0])
                over = norm > clip
                if over.any():
                    grads[over] *= (clip / (norm[over] + 1e-6))[:, None]
            np.copyto(self._backup, values)
            opt.step()
            check = np.matmul(values, ones)  # row sums: non-finite iff a trial's values.sum() is
            if step_loss is not None:
                check = check + step_loss
            if not np.isfinite(check).all():
                bad = ~np.isfinite(check)
                values[bad] = self._backup[bad]
                reasons = [
                    _became("loss", step_loss[k])
                    if step_loss is not None and not math.isfinite(step_loss[k])
                    else _WEIGHT_BROKE
                    for k in np.flatnonzero(bad)
                ]
                self._freeze(bad, Status.DIVERGED, [Divergence(epoch_no, step_no, r) for r in reasons])
                if self.done:
                    return False
                keep = ~bad
                if per_trial:
                    X, T = X[keep], T[keep]
                regs = [(reg, lam[keep]) for reg, lam in regs]
            self.total_steps += 1
        self.epoch = epoch_no
        self.epochs_done[self.active] = epoch_no
        if not evaluate:
            return True
        record = self._evaluate_trials()
        bad = ~np.isfinite(record["train_loss"])
        if bad.any():
            self.epochs_done[self.active[bad]] = epoch_no - 1
            reasons = [_became("training loss", v) for v in record["train_loss"][bad]]
            self._freeze(bad, Status.DIVERGED, [Divergence(epoch_no, step_no, r) for r in reasons], record)
        self._record(record, lr_vec, epoch_no)
        if self._es.any() and not self.done:
            self._early_stopping_trials(record["val_loss"][~bad], epoch_no)
        return not self.done

    def ensure_evaluated(self) -> None:
        """Evaluate and record the current epoch if it was trained without evaluation."""
        if self.trials is not None and not self.done and self.history_epochs[-1] != self.epoch:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
                lr_vec = np.broadcast_to(
                    np.asarray(self.schedule(self.epoch - 1, self.lr0), dtype=np.float64), self.lr0.shape
                )
                self._record(self._evaluate_trials(), lr_vec, self.epoch)

    def _early_stopping_trials(self, val: np.ndarray, epoch_no: int) -> None:
        """Per trial, as one network's early stopping: keep the best weights by validation loss;
        after ``patience`` epochs without improvement restore them and stop that trial."""
        act = self.active
        net = self.network
        es = self._es[act]
        improved = es & (val < self._best_val[act] - self._min_delta[act])
        if improved.any():
            idx = act[improved]
            self._best_val[idx] = val[improved]
            for i in idx:
                self.trial_best_epoch[i] = epoch_no
            self._best_values[idx] = net.params.values[improved]
            for k, v in net.buffers().items():
                self._best_buffers[k][idx] = v[improved]
        waiting = es & ~improved
        self._wait[act[improved]] = 0
        self._wait[act[waiting]] += 1
        has_best = np.array([self.trial_best_epoch[i] is not None for i in act])
        stop = waiting & (self._wait[act] >= self._patience[act]) & has_best
        if stop.any():
            idx = act[stop]
            net.params.values[stop] = self._best_values[idx]
            for k, v in net.buffers().items():
                v[stop] = self._best_buffers[k][idx]
            self._freeze(stop, Status.EARLY_STOPPED, [None] * int(stop.sum()))

    def _freeze(self, mask: np.ndarray, status: Status, divergences: list, record=None) -> None:
        """Store the trials in ``mask`` (positions among the active ones) and drop them from training."""
        idx = self.active[mask]
        net = self.network
        self.final_values[idx] = net.params.values[mask]
        for k, v in net.buffers().items():
            self.final_buffers[k][idx] = v[mask]
        for i, d in zip(idx, divergences, strict=True):
            self.trial_status[i] = status
            self.trial_divergence[i] = d
        keep = np.flatnonzero(~mask)
        self.active = self.active[keep]
        if record is not None:  # the diverged trials' last evaluation is not kept (as one network's)
            for key, v in record.items():
                if key != "_idx":
                    v[mask] = np.nan
        if len(keep):
            net.keep_trials(keep)
            self.optimizer.keep_trials(keep)
            self._backup = np.empty_like(net.params.values)
            if not self._shared_order:
                self._order_rngs = [self._order_rngs[i] for i in keep]

    def _evaluate_trials(self) -> dict[str, np.ndarray]:
        """Loss and accuracy of every active trial on every split, in eval mode, and the penalty."""
        out: dict[str, np.ndarray] = {"_idx": self.active.copy()}
        n_act = len(self.active)
        for name in ("train", "val", "test"):
            if name in self.splits and n_act:
                X, T = self.splits[name]
                with np.errstate(all="ignore"):
                    z = self.network.forward(X, False)
                    out[f"{name}_loss"] = self._loss.forward(z, T)
                    acc = self._loss.accuracy(z, T)
                out[f"{name}_acc"] = np.full(n_act, np.nan) if acc is None else acc
            else:
                out[f"{name}_loss"] = np.full(n_act, np.nan)
                out[f"{name}_acc"] = np.full(n_act, np.nan)
        params = self.network.params
        w = params.values[:, : params.n_decay]
        penalty = np.zeros(n_act)
        with np.errstate(all="ignore"):
            for name, lam in self._reg_lams.items():
                penalty = penalty + REGULARIZERS[name].obj.penalty(w, lam[self.active])
        out["penalty"] = penalty
        return out

    def _record(self, record: dict[str, np.ndarray], lr_vec: np.ndarray, epoch: int) -> None:
        self.history_epochs.append(epoch)
        idx = record["_idx"]
        row: dict[str, Any] = {"epoch": epoch}
        for key in HISTORY_KEYS:
            values = np.full(self.trials, np.nan)
            values[idx] = np.asarray(lr_vec)[idx] if key == "lr" else record[key]
            row[key] = values
        self.history.append(row)
