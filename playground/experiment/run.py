"""One playground run: the ``Experiment`` that builds a :class:`PlaygroundConfig` and trains it.

Pure logic (no Streamlit, a test checks): the page turns widgets into a :class:`PlaygroundConfig`,
hands it to :meth:`Experiment.apply` and draws what the experiment reports. The same config rebuilds
the same run (seeded); :meth:`Experiment.state_dict` / :meth:`Experiment.load_state_dict` hold a run
exactly (``playground.hosting.checkpoint`` only chooses the bytes).

What a change does, as in TensorFlow Playground (the schema's ``rebuilds`` says which settings):

* data, features or network shape (layers, widths, activation, init, batch norm, dropout, residual)
  → the network is **rebuilt** with fresh weights and the history starts again;
* learning rate, optimizer and its settings, schedule, batch size, regularization, early stopping
  → applied **on the fly**: the weights (and the optimizer's state, unless the optimizer changes) stay;
* view and live-loop settings → nothing to recompute.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from playground import limits
from playground.data import (
    CsvLimits,
    Dataset,
    FeatureTransform,
    grid_axes,
    make_dataset,
    parse_csv,
    split_dataset,
)
from playground.engine import Network, Status, TrainData, Trainer, init_std, to_json, to_npz
from playground.errors import ConfigError, DataError, PlaygroundError
from playground.experiment.config import DataConfig, PlaygroundConfig
from playground.experiment.metrics import classification_metrics, history_csv, regression_metrics
from playground.experiment.schema import UPLOAD
from playground.i18n import _

READY, DIVERGED, EARLY_STOPPED = Status.READY.value, Status.DIVERGED.value, Status.EARLY_STOPPED.value
"""``trainer.status`` values (``playground.engine.Status`` members compare equal to these)."""

HEALTH_EVERY = 4
"""Gradient health (the slower internals view, redrawn every 0.5 s) is recorded for each of the first
4 epochs, then every 4th: with 7 epochs per live tick (the default then), a record every epoch cost
3 of 17 ms of a default tick's training (benchmarks/live_tick.py)."""


def _plain(status: Any) -> str:
    """A trainer status as its plain string (a ``Status`` str-Enum member gives its value)."""
    return str(getattr(status, "value", status))


def _csv_limits() -> CsvLimits:
    """The parser's limits with the upload cap in force (``limits.caps().max_upload_mb``)."""
    return CsvLimits(max_bytes=limits.caps().max_upload_bytes)


@dataclass
class Upload:
    """An uploaded CSV: its name, bytes and which problem types its labels allow."""

    name: str
    data: bytes
    problems: tuple[str, ...] = ("auto",)

    @classmethod
    def parse(cls, name: str, data: bytes) -> Upload:
        """Check the file (raises DataError with the defect's place) and find the problem types it allows."""
        parse_csv(data, name=name, limits=_csv_limits())
        problems = ["auto"]
        for task in ("classification", "regression"):
            try:
                parse_csv(data, task=task, name=name, limits=_csv_limits())
                problems.append(task)
            except DataError:
                pass
        return cls(name, data, tuple(problems) if len(problems) == 3 else ("auto",))

    def dataset(self, problem: str = "auto") -> Dataset:
        task = None if problem == "auto" or problem not in self.problems else problem
        return parse_csv(self.data, task=task, name=self.name, limits=_csv_limits())


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


@dataclass(frozen=True)
class ApplyResult:
    """What :meth:`Experiment.apply` did: ``kind`` is "rebuilt" (a new network, fresh weights),
    "updated" (training settings applied on the fly, the weights kept) or "unchanged" (nothing to
    recompute: view and loop settings); ``reasons`` says, for a rebuild, which settings forced it."""

    kind: Literal["rebuilt", "updated", "unchanged"]
    reasons: tuple[str, ...] = ()

    @property
    def rebuilt(self) -> bool:
        return self.kind == "rebuilt"


@dataclass
class TickResult:
    """What one live update did."""

    epochs: int
    seconds: float
    stopped: str | None = None  # why training paused itself, if it did


def view_grid_n(n_params: int, n_max: int, n_min: int, budget_macs: float) -> int:
    """Cells per side of a view's grid: ``n_max`` unless ``n² × n_params`` multiply-adds would exceed
    ``budget_macs``, then the largest n that fits, but never below ``n_min`` (issue 13 §4: the worst
    legal config must fit a live update's budget, its views included)."""
    fit = int(math.isqrt(int(budget_macs // max(int(n_params), 1))))
    return max(min(n_max, n_min), min(n_max, fit))


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
        """Why the live loop paused itself (stop condition, cap, divergence, early stopping), or None."""
        self.stop_kind: str | None = None
        """What paused it: "diverged", "early_stopped", "stopped" (a stop condition or cap), or None."""
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
        self._step_s = 0.0  # seconds per mini-batch, measured by tick() (a new net starts unmeasured)
        cfg = self.config
        ds = load_dataset(cfg.data, self.upload)
        if ds.task != "regression" and ds.n_classes > 10:
            raise DataError("The playground draws at most 10 classes; this data has {n}.", n=ds.n_classes)
        split = split_dataset(ds, cfg.data.train_fraction, cfg.data.val_fraction, cfg.data.seed)
        ft = FeatureTransform(cfg.data.features, cfg.data.standardize).fit(
            split.X_train, ds.view_columns, ds.feature_names
        )
        inputs = {
            "train": ft.transform(split.X_train),
            "val": ft.transform(split.X_val) if split.n_val else np.zeros((0, ft.n_outputs)),
            "test": ft.transform(split.X_test) if split.n_test else np.zeros((0, ft.n_outputs)),
        }
        net_cfg = cfg.model.network_config(
            n_inputs=ft.n_outputs, task=ds.task, n_classes=max(ds.n_classes, 2), seed=self._weight_seed()
        )
        network = Network(net_cfg)
        data = TrainData(
            inputs["train"], split.y_train, inputs["val"], split.y_val, inputs["test"], split.y_test
        )
        trainer = Trainer(
            network, data, dataclasses.replace(cfg.training), instrument=True, health_every=HEALTH_EVERY
        )
        x_range, y_range = ds.view_domain()
        caps = limits.caps()
        grid_n = view_grid_n(network.n_params, caps.grid_n, caps.min_grid_n, caps.view_budget_macs)
        neuron_grid_n = view_grid_n(
            network.n_params, caps.neuron_grid_n, min(12, caps.neuron_grid_n), caps.view_budget_macs
        )
        _xs, _ys, pts = grid_axes(x_range, y_range, grid_n)
        _gxs, _gys, gpts = grid_axes(x_range, y_range, neuron_grid_n)
        # swap in
        self.dataset, self.split, self.transform, self.inputs = ds, split, ft, inputs
        self.network, self.trainer = network, trainer
        self.x_range, self.y_range = x_range, y_range
        self.grid_n, self.neuron_grid_n = grid_n, neuron_grid_n
        # the live image keeps its size in pixels when a heavy net gets a coarser grid
        self.boundary_scale = max(1, round(caps.grid_n * caps.boundary_scale / grid_n))
        self.grid_X = ft.transform(ft.grid_inputs(pts, split.X_train))
        self.neuron_grid_X = ft.transform(ft.grid_inputs(gpts, split.X_train))
        self.stop_reason = None
        self.stop_kind = None
        self.edited = False

    def apply(self, config: PlaygroundConfig, upload: Upload | None | bool = False) -> ApplyResult:
        """Move to ``config``; returns what was done (an :class:`ApplyResult`).

        ``upload`` (an :class:`Upload`, or None to drop it; False: keep the current one). On an error
        (ConfigError/DataError) the experiment is left exactly as it was and the error is raised.
        """
        new = config.copy()
        new.validate()
        old_cfg, old_upload = self.config, self.upload
        upload_changed = upload is not False and upload is not self.upload
        reasons = old_cfg.rebuild_reasons(new)
        if upload_changed and new.data.dataset == UPLOAD:
            reasons.append(_("uploaded data"))
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
            return ApplyResult("rebuilt", tuple(reasons))
        if upload is not False:
            self.upload = upload
        if old_cfg.training_changed(new):
            train_cfg = dataclasses.replace(new.training)
            self.trainer.set_config(train_cfg)  # raises ConfigError before changing anything
            self.config = new
            if self.trainer.status == READY and self.stop_kind == EARLY_STOPPED:
                self.stop_kind = None  # early stopping switched off: training may go on
            return ApplyResult("updated")
        self.config = new
        return ApplyResult("unchanged")

    def restart(self) -> None:
        """Fresh weights from the config's own seed (as a link opens it); the history starts again."""
        self.reset_count = 0
        self._build()

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
        if self.trainer.status != READY:
            return _plain(self.trainer.status)
        return "stopped" if self.stop_reason else READY

    @property
    def can_train(self) -> bool:
        return self.trainer.status == READY

    def divergence_message(self) -> str | None:
        d = self.trainer.divergence
        if d is None:
            return None
        lr = self.config.training.learning_rate
        # The counter shows the last complete epoch (d.epoch - 1): name that one, and the step of the
        # next where it broke, so the message and the counter agree.
        return _(
            "The loss became NaN or infinite after epoch {epoch}, at step {step} of the next ({reason}), "
            "so training paused. The learning rate {lr:g} is probably too high: lower it (try {lower:g}) "
            "and press Reset.",
            epoch=self.epoch,
            step=d.step,
            reason=_(d.reason),
            lr=lr,
            lower=lr / 10,
        )

    def early_stopping_message(self) -> str | None:
        """Why early stopping paused the run (in the active language), or None if it did not."""
        if self.trainer.status != EARLY_STOPPED:
            return None
        return _(
            "Early stopping: the validation loss stopped improving; the weights of epoch {epoch} were "
            "restored.",
            epoch=self.trainer.best_epoch,
        )

    def stop_condition_met(self) -> str | None:
        """Why the live loop should pause now (stop condition or cap), or None."""
        loop = self.config.loop
        rec = self.history[-1]
        if loop.stop_epoch and self.epoch >= loop.stop_epoch:
            return _("Reached the stop epoch {epoch}.", epoch=loop.stop_epoch)
        loss = rec.get("train_loss")
        if loop.stop_loss and loss is not None and loss <= loop.stop_loss:
            return _(
                "The training loss {loss:.4g} reached the target {target:g} at epoch {epoch}.",
                loss=loss,
                target=loop.stop_loss,
                epoch=self.epoch,
            )
        cap = limits.caps().max_total_epochs
        if self.epoch >= cap:
            return _("Paused at {cap} epochs, the most one run may train here.", cap=cap)
        return None

    def step(self, n: int = 1) -> list[dict[str, Any]]:
        """Train ``n`` whole epochs now (Step button), ignoring the stop condition."""
        n = max(0, min(int(n), limits.caps().max_total_epochs - self.epoch))
        return self.trainer.run_epochs(n)

    def tick(self, epochs: int | None = None, budget_s: float | None = None) -> TickResult:
        """One live update: up to ``epochs`` (default: the loop config's) epochs within ``budget_s``
        seconds of wall time (default: the cap), stopping at the stop condition or on divergence.
        The budget holds within an epoch: at least one mini-batch runs, and an epoch too long for
        one update continues in the next (``TickResult.epochs`` counts the epochs completed)."""
        t0 = time.perf_counter()
        caps = limits.caps()
        budget_s = caps.tick_train_budget_s if budget_s is None else budget_s
        n = self.config.loop.epochs_per_update if epochs is None else int(epochs)
        n = max(1, min(n, caps.max_epochs_per_update))
        done = 0
        stopped = self.stop_condition_met()
        trainer = self.trainer
        while not stopped and done < n and self.can_train:
            # The budget holds inside an epoch too: train as many mini-batches as fit (at least one),
            # so a heavy config spreads an epoch over several updates (its position is part of the
            # trainer's state, and so of a checkpoint).
            left = budget_s - (time.perf_counter() - t0)
            steps = max(1, int(left / self._step_s)) if self._step_s > 0 else 1
            before, t1 = trainer.total_steps, time.perf_counter()
            record = trainer.run_steps(steps)
            ran = trainer.total_steps - before
            if ran:
                took = (time.perf_counter() - t1) / ran
                self._step_s = took if self._step_s == 0 else 0.7 * self._step_s + 0.3 * took
            if record is not None:
                done += 1
                stopped = self.stop_condition_met()
            elif trainer.status != READY:
                break
            if time.perf_counter() - t0 > budget_s:
                break
        status = self.trainer.status
        if status == DIVERGED:
            stopped = self.divergence_message()
        elif status == EARLY_STOPPED:
            stopped = self.early_stopping_message()
        self.stop_reason = stopped if status == READY else None
        self.stop_kind = None if stopped is None else ("stopped" if status == READY else _plain(status))
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
        n = self.grid_n
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
        g = self.neuron_grid_n
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
        W, _b = self.layer_weights(layer)
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
            raise ConfigError(
                "Layer {layer} needs W of shape {w_shape} and b of {b_shape}.",
                layer=layer,
                w_shape=Wp.value.shape,
                b_shape=bp.value.shape,
            )
        if not (np.isfinite(W).all() and np.isfinite(b).all()):
            raise ConfigError("Weights and biases must be finite numbers.")
        Wp.value[...] = W
        bp.value[...] = b
        self._after_edit()

    def set_params(self, values: dict[str, np.ndarray]) -> None:
        self.network.set_params(values)
        self._after_edit()

    def _after_edit(self) -> None:
        """Re-evaluate after a hand edit. The history keeps one row per epoch: the edited weights'
        row replaces the current epoch's (two rows at one epoch would draw a vertical spike)."""
        self.edited = True
        self.trainer.resume()
        rec = self.trainer.evaluate()
        rec["edited"] = True
        history = self.trainer.history
        if history and history[-1].get("epoch") == rec["epoch"]:
            history[-1] = rec
        else:
            history.append(rec)

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

    # -- state ------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Everything that makes this run, nested (torch's convention): leaves are NumPy arrays or
        JSON values. ``load_state_dict`` on any Experiment continues the run bit for bit."""
        up = self.upload
        return {
            "config": self.config.to_dict(),
            "upload": None
            if up is None
            else {
                "name": up.name,
                "problems": list(up.problems),
                "data": np.frombuffer(up.data, dtype=np.uint8),
            },
            "reset_count": self.reset_count,
            "stop_reason": self.stop_reason,
            "stop_kind": self.stop_kind,
            "edited": self.edited,
            "network": self.network.state_dict(),
            "trainer": self.trainer.state_dict(),
        }

    def load_state_dict(self, d: dict[str, Any]) -> None:
        """Become the run ``d`` describes (rebuilt from its config and upload, then its network and
        trainer state restored). Raises ConfigError/DataError if ``d`` does not fit; on an error the
        experiment is left as it was."""
        if not isinstance(d, dict):
            raise ConfigError("An experiment state is a dict (see Experiment.state_dict).")
        cfg = PlaygroundConfig.from_dict(d["config"])
        upload = None
        if d.get("upload") is not None:
            up = d["upload"]
            data = np.asarray(up["data"])
            if data.dtype != np.uint8 or data.ndim != 1:
                raise ConfigError("The saved upload is not a byte string.")
            if not isinstance(up["name"], str) or len(up["name"]) > 255:
                raise ConfigError("The saved upload's name is malformed.")
            upload = Upload(up["name"], data.tobytes(), tuple(str(p) for p in up["problems"]))
        saved = self.__dict__.copy()
        try:
            self.config, self.upload = cfg, upload
            self.reset_count = int(d["reset_count"])
            self._build()
            self.network.load_state_dict(d["network"])
            self.trainer.load_state_dict(d["trainer"])
            kind = d.get("stop_kind")
            if kind not in (None, "stopped", DIVERGED, EARLY_STOPPED):
                raise ConfigError("Unknown stop kind {kind!r} in the saved run.", kind=kind)
            self.stop_kind = kind
            # The words are the run's own, recomputed (never text read from storage).
            self.stop_reason = self.stop_condition_met() if kind == "stopped" else None
            if not isinstance(d["edited"], bool) or self.reset_count < 0:
                raise ConfigError("The saved run's flags are malformed.")
            self.edited = d["edited"]
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise

    @classmethod
    def from_state_dict(cls, d: dict[str, Any]) -> Experiment:
        exp = cls.__new__(cls)
        exp.__dict__.update(config=None, upload=None, reset_count=0, stop_reason=None, stop_kind=None)
        exp.edited = False
        exp.load_state_dict(d)
        return exp
