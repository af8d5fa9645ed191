"""Overfitting and its cures, compared run against run on the same data and seed.

The default setup overfits on purpose: 60 noisy training points of the circle problem, a 16-16 tanh
net trained 400 epochs with Adam. Each *run* applies some cures to it: L2 or L1 weight decay,
dropout, early stopping (best weights restored), more data, batch norm, a smaller net. Runs that share
a shape and data are trained together by :class:`~playground.engine.population.Population`; each run
gives exactly the numbers it would give alone.

Data: one seeded draw of the problem is cut into a fixed test set (500 points), a validation set
(watched by early stopping) and a pool of training points; a run with "more data" ×k trains on the
first k·n points of the pool, so every run is tested on the same points.

Pure logic (no Streamlit): the page keeps a :class:`Comparison` in the session and calls
:meth:`Comparison.advance` once per rerun.
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

from playground.data.generators import DATASETS, make_dataset
from playground.data.grid import grid_axes
from playground.engine import Network, NetworkConfig, TrainConfig, TrainData
from playground.engine.population import Population, group_compatible, shared_key, trial_settings
from playground.errors import ConfigError
from playground.i18n import N_, _

#: The two-class problems of the plane whose noise and point count can be set (from ``DATASETS``).
DATASET_CHOICES = tuple(name for name, spec in DATASETS.items() if spec.task == "binary" and spec.synthetic)
MORE_DATA = (1, 2, 4)
SMALL_NET = [4]
N_TEST = 500
MAX_RUNS = 8


@dataclass
class Setup:
    """The shared experiment: the data, the (too large) net, how long to train."""

    dataset: str = "circle"
    noise: float = 35.0
    n_train: int = 60
    seed: int = 0
    hidden: list[int] = field(default_factory=lambda: [16, 16])
    activation: str = "tanh"
    optimizer: str = "adam"
    learning_rate: float = 0.01
    batch_size: int = 10
    epochs: int = 400

    def validate(self) -> None:
        if self.dataset not in DATASET_CHOICES:
            raise ConfigError(
                "Choose one of {choices}, got {value}.",
                choices=", ".join(DATASET_CHOICES),
                value=repr(self.dataset),
            )
        if not 20 <= int(self.n_train) <= 300:
            raise ConfigError("Use 20 to 300 training points, got {n}.", n=self.n_train)
        if not 0 <= float(self.noise) <= 50:
            raise ConfigError("Noise is 0 to 50 percent, got {noise}.", noise=self.noise)
        if not 10 <= int(self.epochs) <= 2000:
            raise ConfigError("Train 10 to 2000 epochs, got {epochs}.", epochs=self.epochs)

    @property
    def n_val(self) -> int:
        return max(20, int(self.n_train) // 2)


@dataclass
class Cures:
    """What one run changes in the setup (all off: the plain, overfitting net)."""

    regularization: str = "none"  # "none", "l1", "l2"
    reg_rate: float = 0.0
    dropout: float = 0.0
    early_stopping: bool = False
    patience: int = 30
    more_data: int = 1
    batch_norm: bool = False
    smaller_net: bool = False

    def validate(self) -> None:
        if self.regularization not in ("none", "l1", "l2"):
            raise ConfigError("Penalty must be none, l1 or l2, got {value}.", value=repr(self.regularization))
        if not 0.0 <= float(self.reg_rate) <= 10.0:
            raise ConfigError("λ must be between 0 and 10, got {value}.", value=self.reg_rate)
        if not 0.0 <= float(self.dropout) < 0.9:
            raise ConfigError("Dropout rate must be in [0, 0.9), got {value}.", value=self.dropout)
        if int(self.more_data) not in MORE_DATA:
            raise ConfigError(
                "More data is one of {choices}, got {value}.",
                choices=", ".join(f"×{k}" for k in MORE_DATA),
                value=self.more_data,
            )
        if not 1 <= int(self.patience) <= 1000:
            raise ConfigError("Patience must be 1 to 1000 epochs, got {value}.", value=self.patience)

    def label(self) -> str:
        """A short name: "L2 λ=0.03 + dropout 0.2", or "no regularization"."""
        parts = []
        if self.regularization != "none" and self.reg_rate > 0:
            parts.append(f"{self.regularization.upper()} λ={self.reg_rate:g}")
        if self.dropout > 0:
            parts.append(_("dropout {rate}", rate=f"{self.dropout:g}"))
        if self.early_stopping:
            parts.append(_("early stop ({patience})", patience=self.patience))
        if self.more_data > 1:
            parts.append(_("{k}× data", k=self.more_data))
        if self.batch_norm:
            parts.append("BN")
        if self.smaller_net:
            parts.append(_("small net"))
        return " + ".join(parts) if parts else _("no regularization")


#: The cure the lesson's claim (and its test) is about: L2 weight decay with λ = 0.03.
DEFAULT_CURE = Cures(regularization="l2", reg_rate=0.03)
#: The comparison the page offers in one click.
PRESETS: dict[str, Cures] = {
    N_("no regularization"): Cures(),
    "L2 λ=0.03": DEFAULT_CURE,
    "L1 λ=0.003": Cures(regularization="l1", reg_rate=0.003),
    N_("dropout 0.2"): Cures(dropout=0.2),
}


# -- data and configs --------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class LessonData:
    """The fixed test and validation sets and the pool training points are taken from."""

    X_pool: np.ndarray
    y_pool: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    domain: tuple[tuple[float, float], tuple[float, float]]

    def train_data(self, n_train: int) -> TrainData:
        return TrainData(
            self.X_pool[:n_train], self.y_pool[:n_train], self.X_val, self.y_val, self.X_test, self.y_test
        )


def make_data(setup: Setup) -> LessonData:
    setup.validate()
    n_pool = int(setup.n_train) * max(MORE_DATA)
    total = N_TEST + setup.n_val + n_pool
    ds = make_dataset(setup.dataset, n_samples=total, noise=float(setup.noise), seed=int(setup.seed))
    X, y = ds.X, ds.y  # already shuffled by the generator
    a, b = N_TEST, N_TEST + setup.n_val
    return LessonData(X[b:], y[b:], X[a:b], y[a:b], X[:a], y[:a], ds.view_domain())


def run_configs(setup: Setup, cures: Cures) -> tuple[NetworkConfig, TrainConfig, int]:
    """(network config, training config, number of training points) of one run."""
    cures.validate()
    net = NetworkConfig(
        n_inputs=2,
        hidden=list(SMALL_NET if cures.smaller_net else setup.hidden),
        activation=setup.activation,
        batch_norm="before" if cures.batch_norm else "off",
        dropout=float(cures.dropout),
        seed=int(setup.seed),
    )
    train = TrainConfig(
        optimizer=setup.optimizer,
        learning_rate=float(setup.learning_rate),
        batch_size=int(setup.batch_size),
        regularization=cures.regularization if cures.reg_rate > 0 else "none",
        reg_rate=float(cures.reg_rate) if cures.regularization != "none" else 0.0,
        early_stopping=bool(cures.early_stopping),
        patience=int(cures.patience),
        seed=int(setup.seed),
    )
    return net, train, int(setup.n_train) * int(cures.more_data)


# -- runs -----------------------------------------------------------------------------------------
@dataclass
class Run:
    """One named configuration: its cures, its per-epoch history and (when trained) its weights."""

    name: str
    cures: Cures
    network: NetworkConfig
    train: TrainConfig
    n_train: int
    history: list[dict[str, Any]] = field(default_factory=list)
    status: str = "queued"  # queued, training, done, early_stopped, diverged
    note: str = ""
    state: dict[str, np.ndarray] | None = None

    @property
    def finished(self) -> bool:
        return self.status in ("done", "early_stopped", "diverged")

    def final(self) -> dict[str, Any]:
        return self.history[-1] if self.history else {}

    def net(self) -> Network | None:
        if self.state is None:
            return None
        net = Network(self.network)
        net.load_state(self.state)
        return net

    def weights(self) -> np.ndarray:
        """All weights (not biases) of the trained net, flattened."""
        net = self.net()
        if net is None:
            return np.zeros(0)
        return net.params.values[: net.params.n_decay].copy()

    def to_dict(self, setup: Setup) -> dict[str, Any]:
        return {
            "name": self.name,
            "setup": dataclasses.asdict(setup),
            "cures": dataclasses.asdict(self.cures),
            "network": self.network.to_dict(),
            "training": self.train.to_dict(),
            "n_train": self.n_train,
            "status": self.status,
            "history": self.history,
        }


def _with_gaps(rec: dict[str, Any]) -> dict[str, Any]:
    rec = dict(rec)
    tr, te = rec.get("train_acc"), rec.get("test_acc")
    rec["gap_acc"] = tr - te if tr is not None and te is not None else None
    tr, te = rec.get("train_loss"), rec.get("test_loss")
    rec["gap_loss"] = te - tr if tr is not None and te is not None else None
    return rec


class Comparison:
    """The runs of one setup, trained a few epochs per call to :meth:`advance`.

    Runs added together and compatible (same shape, same data) train in one population.
    """

    def __init__(self, setup: Setup | None = None):
        self.setup = setup or Setup()
        self.data = make_data(self.setup)
        self.runs: list[Run] = []
        self._groups: list[tuple[Population, list[tuple[int, Run]]]] = []

    # -- runs ---------------------------------------------------------------------------------
    def unique_name(self, name: str) -> str:
        name = (name or "").strip() or "run"
        names = {r.name for r in self.runs}
        if name not in names:
            return name
        k = 2
        while f"{name} ({k})" in names:
            k += 1
        return f"{name} ({k})"

    def add(self, cures: Cures, name: str | None = None) -> Run:
        if len(self.runs) >= MAX_RUNS:
            raise ConfigError("Compare at most {n} runs: remove one first.", n=MAX_RUNS)
        net, train, n_train = run_configs(self.setup, cures)
        run = Run(self.unique_name(name or cures.label()), dataclasses.replace(cures), net, train, n_train)
        self.runs.append(run)
        return run

    def remove(self, name: str) -> None:
        self.runs = [r for r in self.runs if r.name != name]
        self._groups = [(p, [(k, r) for k, r in rs if r.name != name]) for p, rs in self._groups]
        self._groups = [(p, rs) for p, rs in self._groups if rs]

    def clear(self) -> None:
        self.runs, self._groups = [], []

    def run(self, name: str) -> Run:
        return next(r for r in self.runs if r.name == name)

    @property
    def training(self) -> bool:
        return any(not r.finished for r in self.runs)

    @property
    def progress(self) -> float:
        if not self.runs:
            return 1.0
        epochs = int(self.setup.epochs)
        done = sum(epochs if r.finished else (r.history[-1]["epoch"] if r.history else 0) for r in self.runs)
        return done / (epochs * len(self.runs))

    # -- training -------------------------------------------------------------------------------
    def _start_queued(self) -> None:
        queued = [r for r in self.runs if r.status == "queued"]
        if not queued:
            return
        configs = [(r.network, r.train) for r in queued]
        for idx in group_compatible(configs):
            by_data: dict[int, list[Run]] = {}
            for i in idx:
                by_data.setdefault(queued[i].n_train, []).append(queued[i])
            for n_train, runs in by_data.items():
                first = runs[0]
                trials = [trial_settings(r.network, r.train) for r in runs]
                assert all(
                    shared_key(r.network, r.train) == shared_key(first.network, first.train) for r in runs
                )
                pop = Population(first.network, self.data.train_data(n_train), first.train, trials)
                for k, r in enumerate(runs):
                    r.status = "training"
                    r.history = [_with_gaps(rec) for rec in pop.trial_history(k)]
                self._groups.append((pop, list(enumerate(runs))))

    def advance(self, budget_s: float = 0.25, chunk: int = 10) -> None:
        """Train every unfinished run for about ``budget_s`` seconds (whole chunks of epochs)."""
        self._start_queued()
        start = time.perf_counter()
        epochs = int(self.setup.epochs)
        while self._groups:
            for pop, runs in list(self._groups):
                n = min(chunk, epochs - pop.epoch)
                if n > 0:
                    pop.run_epochs(n)
                self._sync(pop, runs)
                if pop.epoch >= epochs or pop.done:
                    for k, r in runs:
                        r.status = {"ready": "done"}.get(pop.status[k], pop.status[k])
                        if pop.divergence[k] is not None:
                            d = pop.divergence[k]
                            r.note = _(
                                "training diverged in epoch {epoch}, step {step} ({reason}); the last finite "
                                "weights are kept: try a smaller learning rate",
                                epoch=d.epoch,
                                step=d.step,
                                reason=_(d.reason),
                            )
                        elif r.status == "early_stopped":
                            r.note = _(
                                "stopped early; best weights (epoch {epoch}) restored",
                                epoch=pop.best_epoch[k],
                            )
                    self._groups.remove((pop, runs))
            if time.perf_counter() - start >= budget_s:
                break

    def finish(self) -> Comparison:
        """Train every run to the end (no time limit): for tests and notebooks."""
        while self.training:
            self.advance(budget_s=math.inf, chunk=int(self.setup.epochs))
        return self

    def _sync(self, pop: Population, runs: list[tuple[int, Run]]) -> None:
        for k, r in runs:
            r.history.extend(_with_gaps(rec) for rec in pop.trial_history(k, start=len(r.history)))
            r.state = pop.trial_state(k)

    # -- results --------------------------------------------------------------------------------
    def table(self) -> list[dict[str, Any]]:
        """One row per run: final train/test accuracy and loss, the gap, near-zero weights."""
        rows = []
        for r in self.runs:
            last = r.final()
            w = r.weights()
            rows.append(
                {
                    "run": r.name,
                    "status": r.status,
                    "epochs": last.get("epoch"),
                    "train_acc": last.get("train_acc"),
                    "test_acc": last.get("test_acc"),
                    "gap": last.get("gap_acc"),
                    "train_loss": last.get("train_loss"),
                    "test_loss": last.get("test_loss"),
                    "near_zero_weights": float(np.mean(np.abs(w) < 0.01)) if w.size else None,
                }
            )
        return rows

    def histories(self) -> dict[str, list[dict[str, Any]]]:
        return {r.name: r.history for r in self.runs}

    def grid_values(self, run: Run, n: int = 80) -> np.ndarray | None:
        """Class-1 probabilities of ``run``'s net over the view (row 0 at the top), or None."""
        net = run.net()
        if net is None:
            return None
        (x0, x1), (y0, y1) = self.data.domain
        _xs, _ys, pts = grid_axes((x0, x1), (y0, y1), n)
        return net.predict(pts).reshape(n, n)

    def train_points(self, run: Run) -> tuple[np.ndarray, np.ndarray]:
        return self.data.X_pool[: run.n_train], self.data.y_pool[: run.n_train]

    # -- downloads ------------------------------------------------------------------------------
    def to_json(self, names: list[str] | None = None) -> str:
        runs = [r for r in self.runs if names is None or r.name in names]
        return json.dumps(
            {"runs": [r.to_dict(self.setup) for r in runs]}, indent=2, allow_nan=False, default=_json
        )

    def history_csv(self, names: list[str] | None = None) -> str:
        cols = ["run", "epoch", "train_loss", "test_loss", "val_loss", "train_acc", "test_acc", "val_acc"]
        cols += ["gap_acc", "gap_loss", "penalty", "lr"]
        out = io.StringIO()
        w = csv.DictWriter(out, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in self.runs:
            if names is not None and r.name not in names:
                continue
            for rec in r.history:
                w.writerow({"run": r.name, **{k: rec.get(k) for k in cols[1:]}})
        return out.getvalue()


def _json(v):
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    raise TypeError(f"not JSON-serializable: {type(v).__name__}")


#: The page's classic comparison: the plain net and three cures.
CLASSIC = (N_("no regularization"), "L2 λ=0.03", "L1 λ=0.003", N_("dropout 0.2"))


def classic_comparison(setup: Setup | None = None) -> Comparison:
    """A comparison of the :data:`CLASSIC` runs, not yet trained (the page opens with it)."""
    comp = Comparison(setup)
    for name in CLASSIC:
        comp.add(PRESETS[name], name)
    return comp


#: What the classic comparison shows on the default setup (asserted on its data in
#: tests/lessons/test_overfitting.py).
WHAT_TO_LOOK_FOR = N_(
    "the plain net's training accuracy climbs above 95 % while its test accuracy stops rising and ends "
    "below its best, so the gap opens and its test loss climbs. Every cure ends with a smaller gap and a "
    "lower test loss than the plain net; L2 reaches the best test accuracy of the four, and L1 leaves "
    "most weights near zero (the table's near-zero share)."
)
