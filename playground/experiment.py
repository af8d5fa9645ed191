"""One playground run: the combined config and the ``Experiment`` that builds and trains it.

Pure logic (no Streamlit, a test checks): the page turns widgets into a :class:`PlaygroundConfig`,
hands it to :meth:`Experiment.apply` and draws what the experiment reports. The same config rebuilds
the same run (seeded), round-trips through JSON and through the URL (``playground.urlconfig``).

What a change does, as in TensorFlow Playground:

* data, features or network shape (layers, widths, activation, init, batch norm, dropout, residual)
  → the network is **rebuilt** with fresh weights and the history starts again;
* learning rate, optimizer and its settings, schedule, batch size, regularization, early stopping
  → applied **on the fly**: the weights (and the optimizer's state, unless the optimizer changes) stay;
* view and live-loop settings → nothing to recompute.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from playground import limits
from playground.data import (
    DATASETS,
    FEATURES,
    Dataset,
    DatasetSpec,
    FeatureTransform,
    check_features,
    make_dataset,
    parse_csv,
    split_dataset,
)
from playground.engine import (
    ACTIVATIONS,
    BN_MODES,
    INITIALIZERS,
    OPTIMIZERS,
    SCHEDULES,
    Network,
    NetworkConfig,
    TrainConfig,
    TrainData,
    Trainer,
    init_std,
    to_json,
    to_npz,
)
from playground.errors import ConfigError, DataError, PlaygroundError
from playground.viz.boundary import grid_axes

UPLOAD = "csv"
"""``DataConfig.dataset`` of an uploaded CSV (the file itself lives in the session, not the config)."""
PROBLEMS = ("auto", "classification", "regression")


def all_datasets() -> dict[str, DatasetSpec]:
    """Every built-in dataset the playground offers, in menu order."""
    return dict(DATASETS)


# ------------------------------------------------------------------------------------------------
# the config


def _check_range(name: str, value, low, high, kind=float):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{name} must be a number, got {value!r}.")
    if kind is int and value != int(value):
        raise ConfigError(f"{name} must be a whole number, got {value!r}.")
    if not (low <= value <= high):  # NaN fails too
        raise ConfigError(f"{name} must be from {low:g} to {high:g}, got {value!r}.")
    return kind(value)


def _resolve(registry, name: str, params: dict[str, Any], skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The entry's hyperparameters, validated; settings of another entry (left over when the choice
    changed) are dropped rather than refused."""
    entry = registry[name]
    mine = {k: v for k, v in dict(params or {}).items() if k in entry.params and k not in skip}
    return {k: v for k, v in entry.resolve(mine).items() if k not in skip}


@dataclass
class DataConfig:
    """Which points, how many, how they are split and which input features the network sees."""

    dataset: str = "circle"
    noise: float = 0.0
    n_samples: int = 500
    train_fraction: float = 0.5
    val_fraction: float = 0.0
    features: list[str] = field(default_factory=lambda: ["x1", "x2"])
    standardize: bool = False
    problem: str = "auto"
    seed: int = 0

    def validate(self) -> None:
        if self.dataset != UPLOAD and self.dataset not in all_datasets():
            raise ConfigError(f"Unknown dataset {self.dataset!r}; choose one of {', '.join(all_datasets())}.")
        self.noise = _check_range("Noise", self.noise, 0.0, limits.MAX_NOISE)
        self.n_samples = _check_range(
            "Number of points", self.n_samples, limits.MIN_POINTS, limits.MAX_POINTS, int
        )
        self.train_fraction = _check_range("Training share", self.train_fraction, 0.1, 0.9)
        self.val_fraction = _check_range("Validation share", self.val_fraction, 0.0, 0.5)
        try:
            self.features = list(check_features(self.features))
        except DataError as exc:
            raise ConfigError(str(exc)) from None
        if self.problem not in PROBLEMS:
            raise ConfigError(f"Problem type must be one of {', '.join(PROBLEMS)}, got {self.problem!r}.")
        self.seed = _check_range("Seed", self.seed, 0, 2**31 - 1, int)


@dataclass
class ModelConfig:
    """The network's shape and initial weights (inputs and outputs follow from the data)."""

    hidden: list[int] = field(default_factory=lambda: [4, 2])
    activation: str = "tanh"
    activation_params: dict[str, Any] = field(default_factory=dict)
    init: str = "uniform"
    init_params: dict[str, Any] = field(default_factory=dict)
    bias_init: float = 0.1
    batch_norm: str = "off"
    dropout: float = 0.0
    residual: bool = False

    def validate(self) -> None:
        if not isinstance(self.hidden, list | tuple) or len(self.hidden) > limits.MAX_HIDDEN_LAYERS:
            raise ConfigError(f"Use 0 to {limits.MAX_HIDDEN_LAYERS} hidden layers, got {self.hidden!r}.")
        self.hidden = [
            _check_range(f"Neurons in layer {i + 1}", w, 1, limits.MAX_NEURONS, int)
            for i, w in enumerate(self.hidden)
        ]
        if self.activation not in ACTIVATIONS:
            raise ConfigError(
                f"Unknown activation {self.activation!r}; choose one of {', '.join(ACTIVATIONS)}."
            )
        self.activation_params = _resolve(ACTIVATIONS, self.activation, self.activation_params)
        self.init_params = _resolve(INITIALIZERS, self.init, self.init_params)
        self.bias_init = _check_range("Bias init", self.bias_init, -10.0, 10.0)
        if self.batch_norm not in BN_MODES:
            raise ConfigError(f"Batch norm must be one of {', '.join(BN_MODES)}, got {self.batch_norm!r}.")
        self.dropout = _check_range("Dropout rate", self.dropout, 0.0, limits.MAX_DROPOUT)
        self.residual = bool(self.residual)


@dataclass
class LoopConfig:
    """The live loop: how often the page updates, how much it trains per update, when it stops."""

    update_interval: float = limits.DEFAULT_UPDATE_INTERVAL
    epochs_per_update: int = limits.DEFAULT_EPOCHS_PER_UPDATE
    stop_epoch: int = 0
    stop_loss: float = 0.0

    def validate(self) -> None:
        self.update_interval = _check_range(
            "Update interval", self.update_interval, limits.MIN_UPDATE_INTERVAL, limits.MAX_UPDATE_INTERVAL
        )
        self.epochs_per_update = _check_range(
            "Epochs per update", self.epochs_per_update, 1, limits.MAX_EPOCHS_PER_UPDATE, int
        )
        self.stop_epoch = _check_range("Stop at epoch", self.stop_epoch, 0, limits.MAX_TOTAL_EPOCHS, int)
        self.stop_loss = _check_range("Stop at loss", self.stop_loss, 0.0, 100.0)


@dataclass
class ViewConfig:
    """What the views show (nothing here changes the run)."""

    show_test: bool = False
    discretize: bool = False
    log_scale: bool = False


def default_training() -> TrainConfig:
    """TF Playground's training defaults: plain SGD, learning rate 0.03, batch 10, no penalty."""
    return TrainConfig(optimizer="sgd", learning_rate=0.03, batch_size=10)


@dataclass
class PlaygroundConfig:
    """Everything that defines a run and its views; JSON-serializable, URL-serializable."""

    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    training: TrainConfig = field(default_factory=default_training)
    loop: LoopConfig = field(default_factory=LoopConfig)
    view: ViewConfig = field(default_factory=ViewConfig)

    SECTIONS = ("data", "model", "training", "loop", "view")

    def to_dict(self) -> dict[str, Any]:
        return {name: dataclasses.asdict(getattr(self, name)) for name in self.SECTIONS}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PlaygroundConfig:
        """Strict: unknown sections or fields and invalid values raise ConfigError."""
        if not isinstance(d, dict):
            raise ConfigError("A playground config is a JSON object with data, model, training, loop, view.")
        unknown = sorted(set(d) - set(cls.SECTIONS))
        if unknown:
            raise ConfigError(f"Unknown config section(s): {unknown}.")
        types = {"data": DataConfig, "model": ModelConfig, "training": TrainConfig, "loop": LoopConfig}
        types["view"] = ViewConfig
        parts = {}
        for name, klass in types.items():
            sub = d.get(name, {})
            if not isinstance(sub, dict):
                raise ConfigError(f"Config section {name!r} must be an object.")
            known = {f.name for f in dataclasses.fields(klass)}
            bad = sorted(set(sub) - known)
            if bad:
                raise ConfigError(f"Unknown {name} setting(s): {bad}.")
            try:
                parts[name] = klass(**sub)
            except TypeError as exc:
                raise ConfigError(f"Bad {name} settings: {exc}.") from None
        cfg = cls(**parts)
        cfg.validate()
        return cfg

    @classmethod
    def from_json(cls, text: str | bytes) -> PlaygroundConfig:
        try:
            return cls.from_dict(json.loads(text))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"The file is not valid JSON: {exc}.") from None

    def copy(self) -> PlaygroundConfig:
        return PlaygroundConfig(
            **{name: dataclasses.replace(getattr(self, name)) for name in self.SECTIONS}
        ).deep_copy_lists()

    def deep_copy_lists(self) -> PlaygroundConfig:
        self.data.features = list(self.data.features)
        self.model.hidden = list(self.model.hidden)
        self.model.init_params = dict(self.model.init_params)
        self.model.activation_params = dict(self.model.activation_params)
        self.training.optimizer_params = dict(self.training.optimizer_params)
        self.training.schedule_params = dict(self.training.schedule_params)
        return self

    def validate(self) -> None:
        """Check and normalize every section; raise ConfigError with a message a learner can act on."""
        self.data.validate()
        self.model.validate()
        t = self.training
        if isinstance(t.batch_size, float) and t.batch_size == int(t.batch_size):
            t.batch_size = int(t.batch_size)
        _check_range("Batch size", t.batch_size, 1, limits.MAX_BATCH_SIZE, int)
        t.learning_rate = _check_range(
            "Learning rate", t.learning_rate, limits.MIN_LEARNING_RATE, limits.MAX_LEARNING_RATE
        )
        t.seed = self.data.seed
        t.optimizer_params = _resolve(OPTIMIZERS, t.optimizer, t.optimizer_params, skip=("lr",))
        t.schedule_params = _resolve(SCHEDULES, t.schedule, t.schedule_params)
        t.validate()
        if t.early_stopping and self.data.val_fraction <= 0:
            raise ConfigError("Early stopping watches the validation loss: set a validation share above 0.")
        if t.batch_size == 1 and self.model.batch_norm != "off":
            raise ConfigError("Batch norm needs at least 2 examples per batch: raise the batch size.")
        self.loop.validate()
        for name in ("show_test", "discretize", "log_scale"):
            setattr(self.view, name, bool(getattr(self.view, name)))

    def rebuild_reasons(self, other: PlaygroundConfig) -> list[str]:
        """What differs between ``self`` and ``other`` that needs a new network (empty: none)."""
        names = {
            "dataset": "dataset",
            "noise": "noise",
            "n_samples": "number of points",
            "train_fraction": "training share",
            "val_fraction": "validation share",
            "features": "input features",
            "standardize": "standardization",
            "problem": "problem type",
            "seed": "seed",
            "hidden": "hidden layers",
            "activation": "activation",
            "activation_params": "activation",
            "init": "initialization",
            "init_params": "initialization",
            "bias_init": "bias init",
            "batch_norm": "batch norm",
            "dropout": "dropout",
            "residual": "residual connections",
        }
        out: list[str] = []
        for section in ("data", "model"):
            a, b = dataclasses.asdict(getattr(self, section)), dataclasses.asdict(getattr(other, section))
            for key, value in a.items():
                if b[key] != value and names[key] not in out:
                    out.append(names[key])
        return out

    def training_changed(self, other: PlaygroundConfig) -> bool:
        return dataclasses.asdict(self.training) != dataclasses.asdict(other.training)


# ------------------------------------------------------------------------------------------------
# metrics


def classification_metrics(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> dict[str, Any]:
    """Accuracy and the confusion matrix (rows: true class, columns: predicted class)."""
    y_true = np.asarray(y_true, dtype=np.int64).reshape(-1)
    y_pred = np.asarray(y_pred, dtype=np.int64).reshape(-1)
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    acc = float(np.mean(y_true == y_pred)) if len(y_true) else float("nan")
    return {"accuracy": acc, "confusion": cm, "n": int(len(y_true))}


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Any]:
    """RMSE and R² = 1 − SS_res / SS_tot (NaN when the targets are constant)."""
    y_true = np.asarray(y_true, dtype=np.float64).reshape(-1)
    y_pred = np.asarray(y_pred, dtype=np.float64).reshape(-1)
    if len(y_true) == 0:
        return {"rmse": float("nan"), "r2": float("nan"), "n": 0}
    resid = y_true - y_pred
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged net predicts huge values
        ss_res = float(resid @ resid)
    centred = y_true - y_true.mean()
    ss_tot = float(centred @ centred)
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan")
    return {"rmse": math.sqrt(ss_res / len(y_true)), "r2": r2, "n": int(len(y_true))}


HISTORY_COLUMNS = (
    "epoch",
    "lr",
    "train_loss",
    "train_acc",
    "val_loss",
    "val_acc",
    "test_loss",
    "test_acc",
    "penalty",
)


def history_csv(history: list[dict[str, Any]]) -> str:
    """The loss history as CSV text (one row per recorded epoch; empty cells for absent splits)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HISTORY_COLUMNS)
    for rec in history:
        writer.writerow(["" if rec.get(c) is None else rec.get(c) for c in HISTORY_COLUMNS])
    return buf.getvalue()


# ------------------------------------------------------------------------------------------------
# the experiment


@dataclass
class Upload:
    """An uploaded CSV: its name, bytes and which problem types its labels allow."""

    name: str
    data: bytes
    problems: tuple[str, ...] = ("auto",)

    @classmethod
    def parse(cls, name: str, data: bytes) -> Upload:
        """Check the file (raises DataError with the defect's place) and find the problem types it allows."""
        parse_csv(data, name=name)
        problems = ["auto"]
        for task in ("classification", "regression"):
            try:
                parse_csv(data, task=task, name=name)
                problems.append(task)
            except DataError:
                pass
        return cls(name, data, tuple(problems) if len(problems) == 3 else ("auto",))

    def dataset(self, problem: str = "auto") -> Dataset:
        task = None if problem == "auto" or problem not in self.problems else problem
        return parse_csv(self.data, task=task, name=self.name)


def load_dataset(cfg: DataConfig, upload: Upload | None = None) -> Dataset:
    """The dataset a data config names (an uploaded CSV for ``dataset == "csv"``)."""
    if cfg.dataset == UPLOAD:
        if upload is None:
            raise DataError("Upload a CSV file first (or pick a built-in dataset).")
        return upload.dataset(cfg.problem)
    return make_dataset(cfg.dataset, n_samples=cfg.n_samples, noise=cfg.noise, seed=cfg.seed)


def problems_for(cfg: DataConfig, upload: Upload | None = None) -> tuple[str, ...]:
    """The problem types the current data allows ("auto" only: its own task)."""
    if cfg.dataset == UPLOAD and upload is not None:
        return upload.problems
    return ("auto",)


@dataclass
class TickResult:
    """What one live update did."""

    epochs: int
    seconds: float
    stopped: str | None = None  # why training paused itself, if it did


class Experiment:
    """Data → split → features → network → trainer, built from a :class:`PlaygroundConfig`.

    ``apply(config)`` updates a running experiment (rebuilding only when it must); ``step``/``tick``
    train; ``grid_values``, ``neuron_maps``, ``probe``, ``metrics`` feed the views; ``reset`` draws new
    weights for the same config. Nothing here draws or talks to a page.
    """

    def __init__(self, config: PlaygroundConfig | None = None, upload: Upload | None = None):
        self.config = (config or PlaygroundConfig()).copy()
        self.config.validate()
        self.upload = upload
        self.reset_count = 0
        self.stop_reason: str | None = None
        self.edited = False
        self._build()

    # -- building --------------------------------------------------------------------------------
    def _weight_seed(self) -> int:
        if self.reset_count == 0:
            return self.config.data.seed
        return int(
            np.random.SeedSequence([self.config.data.seed, self.reset_count]).generate_state(1)[0] >> 1
        )

    def _build(self) -> None:
        """Build everything for ``self.config`` into new attributes, swapping them in only on success."""
        cfg = self.config
        ds = load_dataset(cfg.data, self.upload)
        if ds.task != "regression" and ds.n_classes > 10:
            raise DataError(f"The playground draws at most 10 classes; this data has {ds.n_classes}.")
        split = split_dataset(ds, cfg.data.train_fraction, cfg.data.val_fraction, cfg.data.seed)
        ft = FeatureTransform(cfg.data.features, cfg.data.standardize).fit(
            split.X_train, ds.view_columns, ds.feature_names
        )
        inputs = {
            "train": ft.transform(split.X_train),
            "val": ft.transform(split.X_val) if split.n_val else np.zeros((0, ft.n_outputs)),
            "test": ft.transform(split.X_test) if split.n_test else np.zeros((0, ft.n_outputs)),
        }
        net_cfg = NetworkConfig(
            n_inputs=ft.n_outputs,
            hidden=list(cfg.model.hidden),
            task=ds.task,
            n_classes=max(ds.n_classes, 2),
            activation=cfg.model.activation,
            activation_params=dict(cfg.model.activation_params),
            init=cfg.model.init,
            init_params=dict(cfg.model.init_params),
            bias_init=float(cfg.model.bias_init),
            batch_norm=cfg.model.batch_norm,
            dropout=float(cfg.model.dropout),
            residual=bool(cfg.model.residual),
            seed=self._weight_seed(),
        )
        network = Network(net_cfg)
        data = TrainData(
            inputs["train"], split.y_train, inputs["val"], split.y_val, inputs["test"], split.y_test
        )
        trainer = Trainer(network, data, dataclasses.replace(cfg.training), instrument=True)
        x_range, y_range = ds.view_domain()
        xs, ys, pts = grid_axes(x_range, y_range, limits.GRID_N)
        gx, gy, gpts = grid_axes(x_range, y_range, limits.NEURON_GRID_N)
        # swap in
        self.dataset, self.split, self.transform, self.inputs = ds, split, ft, inputs
        self.network, self.trainer = network, trainer
        self.x_range, self.y_range = x_range, y_range
        self.grid_X = ft.transform(ft.grid_inputs(pts, split.X_train))
        self.neuron_grid_X = ft.transform(ft.grid_inputs(gpts, split.X_train))
        self.stop_reason = None
        self.edited = False

    def apply(self, config: PlaygroundConfig, upload: Upload | None | bool = False) -> str:
        """Move to ``config``; returns "rebuilt", "updated" (on the fly) or "unchanged".

        ``upload`` (an :class:`Upload`, or None to drop it; False: keep the current one). On an error
        (ConfigError/DataError) the experiment is left exactly as it was and the error is raised.
        """
        new = config.copy()
        new.validate()
        old_cfg, old_upload = self.config, self.upload
        upload_changed = upload is not False and upload is not self.upload
        reasons = old_cfg.rebuild_reasons(new)
        if upload_changed and new.data.dataset == UPLOAD:
            reasons.append("uploaded data")
        if reasons:
            saved = self.__dict__.copy()
            self.config = new
            self.reset_count = 0  # a config change starts from the config's own seed: a link reproduces it
            if upload is not False:
                self.upload = upload
            try:
                self._build()
            except PlaygroundError:
                self.__dict__.update(saved)
                self.config, self.upload = old_cfg, old_upload
                raise
            self.last_rebuild_reasons = reasons
            return "rebuilt"
        if upload is not False:
            self.upload = upload
        if old_cfg.training_changed(new):
            train_cfg = dataclasses.replace(new.training)
            self.trainer.set_config(train_cfg)  # raises ConfigError before changing anything
            self.config = new
            if self.trainer.status == "ready" and self.stop_reason and "early" in self.stop_reason:
                self.stop_reason = None
            return "updated"
        self.config = new
        return "unchanged"

    def reset(self) -> None:
        """New weights (a new seed), same config; the history starts again."""
        self.reset_count += 1
        self._build()

    # -- training ---------------------------------------------------------------------------------
    @property
    def epoch(self) -> int:
        return self.trainer.epoch

    @property
    def history(self) -> list[dict[str, Any]]:
        return self.trainer.history

    @property
    def status(self) -> str:
        """ "ready", "diverged", "early_stopped", "stopped" (stop condition / cap)."""
        if self.trainer.status != "ready":
            return self.trainer.status
        return "stopped" if self.stop_reason else "ready"

    @property
    def can_train(self) -> bool:
        return self.trainer.status == "ready"

    def divergence_message(self) -> str | None:
        d = self.trainer.divergence
        if d is None:
            return None
        lr = self.config.training.learning_rate
        return (
            f"The loss became NaN or infinite at epoch {d.epoch} ({d.reason}), so training paused. "
            f"The learning rate {lr:g} is probably too high: lower it (try {lr / 10:g}) and press Reset."
        )

    def stop_condition_met(self) -> str | None:
        """Why the live loop should pause now (stop condition or cap), or None."""
        loop = self.config.loop
        rec = self.history[-1]
        if loop.stop_epoch and self.epoch >= loop.stop_epoch:
            return f"Reached the stop epoch {loop.stop_epoch}."
        loss = rec.get("train_loss")
        if loop.stop_loss and loss is not None and loss <= loop.stop_loss:
            return (
                f"The training loss {loss:.4g} reached the target {loop.stop_loss:g} at epoch {self.epoch}."
            )
        if self.epoch >= limits.MAX_TOTAL_EPOCHS:
            return f"Paused at {limits.MAX_TOTAL_EPOCHS} epochs, the most one run may train here."
        return None

    def step(self, n: int = 1) -> list[dict[str, Any]]:
        """Train ``n`` whole epochs now (Step button), ignoring the stop condition."""
        n = max(0, min(int(n), limits.MAX_TOTAL_EPOCHS - self.epoch))
        return self.trainer.run_epochs(n)

    def tick(self, epochs: int | None = None, budget_s: float = limits.TICK_TRAIN_BUDGET_S) -> TickResult:
        """One live update: up to ``epochs`` (default: the loop config's) epochs within ``budget_s``
        seconds of wall time (at least one epoch), stopping at the stop condition or on divergence."""
        t0 = time.perf_counter()
        n = self.config.loop.epochs_per_update if epochs is None else int(epochs)
        n = max(1, min(n, limits.MAX_EPOCHS_PER_UPDATE))
        done = 0
        stopped = self.stop_condition_met()
        while not stopped and done < n and self.can_train:
            if self.trainer.run_epoch() is None:
                break
            done += 1
            stopped = self.stop_condition_met()
            if time.perf_counter() - t0 > budget_s:
                break
        if self.trainer.status == "diverged":
            stopped = self.divergence_message()
        elif self.trainer.status == "early_stopped":
            stopped = (
                f"Early stopping: the validation loss stopped improving; the weights of epoch "
                f"{self.trainer.best_epoch} were restored."
            )
        self.stop_reason = stopped if self.trainer.status == "ready" else None
        return TickResult(done, time.perf_counter() - t0, stopped)

    # -- views ------------------------------------------------------------------------------------
    @property
    def task(self) -> str:
        return self.dataset.task

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.dataset.class_names

    def grid_values(self) -> np.ndarray:
        """The model's output over the GRID_N² boundary grid: (n, n) P(class 1) / value, or (n, n, K)."""
        n = limits.GRID_N
        out = self.network.predict(self.grid_X)
        return out.reshape(n, n, -1) if out.ndim == 2 else out.reshape(n, n)

    def view_points(self, part: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(points in the 2-D view, labels) of a split ("train", "val", "test"), or None if empty."""
        X = getattr(self.split, f"X_{part}")
        if len(X) == 0:
            return None
        return X[:, list(self.dataset.view_columns)], getattr(self.split, f"y_{part}")

    def neuron_maps(self) -> dict[str, Any]:
        """What every unit computes over a small grid of the plane, for the network view.

        ``inputs``: (n_inputs, g, g) network inputs; ``hidden``: per hidden layer (width, g, g)
        activations; ``output``: (g, g) P(class 1) / value, or (K, g, g) probabilities.
        """
        g = limits.NEURON_GRID_N
        X = self.neuron_grid_X
        probe = self.network.probe(X, max_values=None)
        hidden = [p["post"].reshape(len(X), -1).T.reshape(-1, g, g) for p in probe]
        out = self.network.predict(X)
        output = out.T.reshape(-1, g, g) if out.ndim == 2 else out.reshape(g, g)
        return {"inputs": X.T.reshape(-1, g, g), "hidden": hidden, "output": output}

    def probe(self, max_rows: int = 256) -> list[dict[str, Any]]:
        """Per hidden layer, pre- and post-activation samples on (up to) ``max_rows`` training rows."""
        return self.network.probe(self.inputs["train"][:max_rows], max_values=2000)

    def predictions(self, part: str) -> np.ndarray:
        """Predicted class ids (classification) or values (regression) on a split."""
        out = self.network.predict(self.inputs[part])
        if self.task == "regression":
            return out
        if out.ndim == 2:
            return out.argmax(axis=1)
        return (out > 0.5).astype(np.int64)

    def metrics(self) -> dict[str, dict[str, Any]]:
        """Per non-empty split: accuracy and confusion matrix, or RMSE and R²."""
        out = {}
        for part in ("train", "val", "test"):
            y = getattr(self.split, f"y_{part}")
            if len(y) == 0:
                continue
            pred = self.predictions(part)
            if self.task == "regression":
                out[part] = regression_metrics(y, pred)
            else:
                out[part] = classification_metrics(y, pred, self.dataset.n_classes)
        return out

    def input_names(self) -> tuple[str, ...]:
        return self.transform.output_names

    def init_std(self) -> float | None:
        """The weights' standard deviation the initializer gives the first layer (None: no hidden layer
        or not meaningful)."""
        fan_out = self.config.model.hidden[0] if self.config.model.hidden else self.network.config.n_outputs
        try:
            return float(
                init_std(
                    self.config.model.init,
                    self.network.config.n_inputs,
                    fan_out,
                    self.config.model.init_params,
                )
            )
        except (KeyError, ConfigError):
            return None

    # -- editing weights ----------------------------------------------------------------------------
    def layer_names(self) -> list[str]:
        return [h.name for h in self.network.hidden_layers] + ["out"]

    def layer_weights(self, layer: str) -> tuple[np.ndarray, np.ndarray]:
        """Copies of (W (fan_in, fan_out), b (fan_out,)) of layer "h1".."hN" or "out"."""
        params = self.network.params
        return params[f"{layer}.W"].value.copy(), params[f"{layer}.b"].value.copy()

    def layer_labels(self, layer: str) -> tuple[list[str], list[str]]:
        """Row labels (inputs of the layer) and column labels (its units) for a weight table."""
        names = self.layer_names()
        i = names.index(layer)
        rows = (
            list(self.input_names())
            if i == 0
            else [f"{names[i - 1]}.{k + 1}" for k in range(self._width(i - 1))]
        )
        W, _ = self.layer_weights(layer)
        if layer == "out" and self.task == "multiclass":
            cols = [f"out.{c}" for c in self.class_names]
        else:
            cols = [f"{layer}.{k + 1}" for k in range(W.shape[1])]
        return rows, cols

    def _width(self, i: int) -> int:
        return self.network.hidden_layers[i].activation.width

    def set_layer_weights(self, layer: str, W: np.ndarray, b: np.ndarray) -> None:
        """Set a layer's weights and biases by hand (paused); the loss is re-evaluated and recorded."""
        params = self.network.params
        Wp, bp = params[f"{layer}.W"], params[f"{layer}.b"]
        W = np.asarray(W, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64).reshape(-1)
        if W.shape != Wp.value.shape or b.shape != bp.value.shape:
            raise ConfigError(f"Layer {layer} needs W of shape {Wp.value.shape} and b of {bp.value.shape}.")
        if not (np.isfinite(W).all() and np.isfinite(b).all()):
            raise ConfigError("Weights and biases must be finite numbers.")
        Wp.value[...] = W
        bp.value[...] = b
        self._after_edit()

    def set_params(self, values: dict[str, np.ndarray]) -> None:
        self.network.set_params(values)
        self._after_edit()

    def _after_edit(self) -> None:
        self.edited = True
        if self.trainer.status == "diverged":
            self.trainer.status, self.trainer.divergence = "ready", None
        rec = self.trainer.evaluate()
        rec["edited"] = True
        self.trainer.history.append(rec)

    # -- downloads ---------------------------------------------------------------------------------
    def config_json(self) -> str:
        return self.config.to_json()

    def weights_json(self) -> str:
        """The network (its config, weights and BN statistics) as JSON; ``playground.engine.from_json``
        loads it."""
        return to_json(self.network)

    def weights_npz(self) -> bytes:
        return to_npz(self.network)

    def history_csv(self) -> str:
        return history_csv(self.history)


# ------------------------------------------------------------------------------------------------
# presets


@dataclass(frozen=True)
class Preset:
    """A ready-made setup: a config and (optionally) hand-set weights to load into it."""

    label: str
    description: str
    config: dict[str, Any]
    weights: dict[str, list] | None = None

    def build_config(self) -> PlaygroundConfig:
        base = PlaygroundConfig().to_dict()
        for section, values in self.config.items():
            base[section].update(values)
        return PlaygroundConfig.from_dict(base)


PRESETS: dict[str, Preset] = {
    "xor_two_relus": Preset(
        "XOR by two ReLUs",
        "h₁ = relu(x₁ + x₂ − 1), h₂ = relu(−x₁ − x₂ + 1) on the XOR truth table (class 1: x₁ ≠ x₂). "
        "−h₁ − h₂ + 1 is 1 where x₁ ≠ x₂ and 0 where x₁ = x₂; the output is a logit, whose boundary is 0, "
        "so the preset uses out = 2·(−h₁ − h₂ + 1) − 1 = −2h₁ − 2h₂ + 1: +1 for XOR true, −1 for false.",
        {
            "data": {"dataset": "xor-table", "n_samples": 200, "noise": 0.0, "features": ["x1", "x2"]},
            "model": {"hidden": [2], "activation": "relu", "batch_norm": "off", "dropout": 0.0},
        },
        {
            "h1.W": [[1.0, -1.0], [1.0, -1.0]],
            "h1.b": [-1.0, 1.0],
            "out.W": [[-2.0], [-2.0]],
            "out.b": [1.0],
        },
    ),
    "xor_quadrants_four_relus": Preset(
        "XOR quadrants by four ReLUs",
        "TF Playground's XOR (class 1 = blue where x₁ and x₂ share a sign) cannot be drawn by two ReLUs "
        "(its boundary is both axes), but four can: relu(x₁+x₂) + relu(−x₁−x₂) − relu(x₁−x₂) − relu(x₂−x₁) "
        "= |x₁+x₂| − |x₁−x₂| = 2·sign(x₁x₂)·min(|x₁|, |x₂|).",
        {
            "data": {"dataset": "xor", "noise": 0.0, "features": ["x1", "x2"]},
            "model": {"hidden": [4], "activation": "relu", "batch_norm": "off", "dropout": 0.0},
        },
        {
            "h1.W": [[1.0, -1.0, 1.0, -1.0], [1.0, -1.0, -1.0, 1.0]],
            "h1.b": [0.0, 0.0, 0.0, 0.0],
            "out.W": [[1.0], [1.0], [-1.0], [-1.0]],
            "out.b": [0.0],
        },
    ),
}


def load_preset(name: str, experiment: Experiment | None = None) -> Experiment:
    """A paused experiment with the preset's config and hand-set weights."""
    if name not in PRESETS:
        raise ConfigError(f"Unknown preset {name!r}; choose one of {', '.join(PRESETS)}.")
    preset = PRESETS[name]
    cfg = preset.build_config()
    if experiment is None:
        experiment = Experiment(cfg)
    else:
        experiment.apply(cfg, upload=None)
        if experiment.epoch or experiment.edited:
            experiment.reset_count = 0
            experiment._build()
    if preset.weights:
        experiment.set_params({k: np.asarray(v, dtype=np.float64) for k, v in preset.weights.items()})
    return experiment


__all__ = [
    "FEATURES",
    "PRESETS",
    "PROBLEMS",
    "UPLOAD",
    "DataConfig",
    "Experiment",
    "LoopConfig",
    "ModelConfig",
    "PlaygroundConfig",
    "Preset",
    "TickResult",
    "Upload",
    "ViewConfig",
    "all_datasets",
    "classification_metrics",
    "history_csv",
    "load_dataset",
    "load_preset",
    "problems_for",
    "regression_metrics",
]
