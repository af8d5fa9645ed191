"""Hyperparameter search: random search on log scales, grid search for comparison.

Saito's *Deep Learning from Scratch* §6.5 and Ng's course 2 (week 3) recommend the same recipe: sample
the learning rate and the weight decay **log-uniformly** (10^uniform(a, b)) within ranges you set,
train each trial a few epochs, score it on the **validation** split, narrow the ranges and repeat.
The test split is used once, for the chosen trial only: a score picked as the best of 100 is an
optimistic estimate of that trial, so it cannot also be the estimate of how the model does on new data.

Trials of one shape are trained together by :class:`~playground.engine.population.Population` (one
batched matrix product per layer for all of them), in *waves* of at most ``wave_size`` trials, so
results arrive wave by wave and :meth:`Search.stop` keeps every finished trial. Pure logic: no
Streamlit here, the page calls :meth:`Search.advance` once per rerun.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from playground.data.dataset import split_dataset
from playground.data.generators import DATASETS, make_dataset
from playground.engine import Network, NetworkConfig, TrainConfig, TrainData
from playground.engine.population import Population
from playground.errors import ConfigError
from playground.i18n import N_, _

METHODS = ("random", "grid")
#: The two-class problems of the plane whose noise and point count can be set (from ``DATASETS``).
DATASET_CHOICES = tuple(name for name, spec in DATASETS.items() if spec.task == "binary" and spec.synthetic)
#: Activations and optimizers the page offers (the population trainer supports them all).
ACTIVATIONS = ("tanh", "relu", "leaky_relu", "sigmoid", "elu")
OPTIMIZERS = ("sgd", "momentum", "adam")
LR_LIMITS = (1e-5, 10.0)  # the Playground's range, so the best trial opens there unchanged
WD_LIMITS = (1e-8, 10.0)  # TrainConfig's cap on the regularization rate
MAX_TRIALS = 1000
MAX_EPOCHS = 1000
WAVE_SIZE = 25


@dataclass
class SearchSpace:
    """Where to look. Learning rate and weight decay are sampled log-uniformly within their ranges;
    depth, width and batch size uniformly among the given choices; dropout uniformly in its range."""

    lr: tuple[float, float] = (1e-3, 3.0)
    weight_decay: tuple[float, float] = (1e-6, 1.0)
    depths: tuple[int, ...] = (2,)
    widths: tuple[int, ...] = (8,)
    batch_sizes: tuple[int, ...] = (10,)
    dropout: tuple[float, float] = (0.0, 0.0)

    def validate(self) -> None:
        for name, (lo, hi), (low_cap, high_cap) in (
            (N_("learning rate"), self.lr, LR_LIMITS),
            (N_("weight decay"), self.weight_decay, WD_LIMITS),
        ):
            if not (low_cap <= lo <= hi <= high_cap):
                raise ConfigError(
                    "The {name} range must satisfy {low_cap} ≤ low ≤ high ≤ {high_cap}, got {lo} … {hi}.",
                    name=_(name),
                    low_cap=f"{low_cap:g}",
                    high_cap=f"{high_cap:g}",
                    lo=f"{lo:g}",
                    hi=f"{hi:g}",
                )
        for name, choices, low, high in (
            (N_("depth"), self.depths, 1, 6),
            (N_("width"), self.widths, 1, 64),
            (N_("batch size"), self.batch_sizes, 1, 500),
        ):
            if not choices or any(
                not isinstance(c, int | np.integer) or not low <= c <= high for c in choices
            ):
                raise ConfigError(
                    "Pick at least one {name} between {low} and {high}, got {got}.",
                    name=_(name),
                    low=low,
                    high=high,
                    got=list(choices),
                )
        lo, hi = self.dropout
        if not (0.0 <= lo <= hi < 0.9):
            raise ConfigError(
                "The dropout range must satisfy 0 ≤ low ≤ high < 0.9, got {lo} … {hi}.",
                lo=f"{lo:g}",
                hi=f"{hi:g}",
            )


@dataclass
class SearchConfig:
    """A whole search: the data and its split, the fixed network and training settings, the space."""

    dataset: str = "circle"
    noise: float = 25.0
    n_samples: int = 1000
    train_fraction: float = 0.5
    val_fraction: float = 0.2
    data_seed: int = 0
    activation: str = "tanh"
    optimizer: str = "sgd"
    epochs: int = 50
    n_trials: int = 100
    method: str = "random"
    seed: int = 0  # the sampler's seed; every trial's initial weights and data order use data_seed,
    # as the Playground does, so the best trial opened there retrains to the same numbers
    space: SearchSpace = field(default_factory=SearchSpace)
    wave_size: int = WAVE_SIZE

    def validate(self) -> None:
        if self.dataset not in DATASET_CHOICES:
            raise ConfigError(
                "Choose one of the two-class problems: {choices}.", choices=", ".join(DATASET_CHOICES)
            )
        if self.method not in METHODS:
            raise ConfigError(
                "Search method must be one of {choices}, got {value}.",
                choices=", ".join(METHODS),
                value=repr(self.method),
            )
        if self.activation not in ACTIVATIONS or self.optimizer not in OPTIMIZERS:
            raise ConfigError(
                "Activation must be one of {activations} and optimizer one of {optimizers}.",
                activations=", ".join(ACTIVATIONS),
                optimizers=", ".join(OPTIMIZERS),
            )
        if not (1 <= int(self.n_trials) <= MAX_TRIALS):
            raise ConfigError("Use 1 to {n} trials, got {value}.", n=MAX_TRIALS, value=self.n_trials)
        if not (1 <= int(self.epochs) <= MAX_EPOCHS):
            raise ConfigError("Use 1 to {n} epochs per trial, got {value}.", n=MAX_EPOCHS, value=self.epochs)
        if not (1 <= int(self.wave_size) <= MAX_TRIALS):
            raise ConfigError("Wave size must be 1 to {n}, got {value}.", n=MAX_TRIALS, value=self.wave_size)
        if not 0.05 <= float(self.val_fraction) <= 0.5:
            raise ConfigError("Set a validation share between 0.05 and 0.5: the search scores trials on it.")
        self.space.validate()

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# -- sampling ------------------------------------------------------------------------------------
def log_uniform(rng: np.random.Generator, low: float, high: float, size: int) -> np.ndarray:
    """10^U(log₁₀ low, log₁₀ high): every decade of the range equally likely (Saito, Ng)."""
    return 10.0 ** rng.uniform(math.log10(low), math.log10(high), size)


def log_grid(low: float, high: float, k: int) -> np.ndarray:
    """k values evenly spaced on a log scale from ``low`` to ``high`` (both included)."""
    return np.logspace(math.log10(low), math.log10(high), k) if k > 1 else np.array([math.sqrt(low * high)])


def grid_shape(n: int) -> tuple[int, int]:
    """(learning rates, weight decays) of a grid of about ``n`` trials: k × k with k = round(√n)."""
    k = max(1, round(math.sqrt(n)))
    return k, max(1, round(n / k))


def sample_trials(cfg: SearchConfig) -> list[dict[str, Any]]:
    """The trials of a search, each a dict: trial, lr, weight_decay, depth, width, batch_size, dropout.

    Random search draws every trial independently; grid search lays learning rate × weight decay on
    a log-spaced k × k grid (the other settings are drawn as in random search), so it tries only k
    distinct values of each rate where random search tries n (Bergstra & Bengio, 2012).
    """
    cfg.validate()
    space = cfg.space
    rng = np.random.default_rng(cfg.seed)
    if cfg.method == "random":
        n = int(cfg.n_trials)
        lrs = log_uniform(rng, *space.lr, n)
        wds = log_uniform(rng, *space.weight_decay, n)
    else:
        k_lr, k_wd = grid_shape(int(cfg.n_trials))
        g_lr, g_wd = np.meshgrid(
            log_grid(*space.lr, k_lr), log_grid(*space.weight_decay, k_wd), indexing="ij"
        )
        lrs, wds = g_lr.ravel(), g_wd.ravel()
        n = len(lrs)
    depths = rng.choice(np.asarray(space.depths), n)
    widths = rng.choice(np.asarray(space.widths), n)
    batches = rng.choice(np.asarray(space.batch_sizes), n)
    drops = rng.uniform(*space.dropout, n) if space.dropout[1] > 0 else np.zeros(n)
    return [
        {
            "trial": i,
            "lr": float(lrs[i]),
            "weight_decay": float(wds[i]),
            "depth": int(depths[i]),
            "width": int(widths[i]),
            "batch_size": int(batches[i]),
            "dropout": float(drops[i]),
        }
        for i in range(n)
    ]


# -- data ----------------------------------------------------------------------------------------
def make_split(cfg: SearchConfig):
    """The dataset cut into train / validation / test (seeded, stratified)."""
    ds = make_dataset(
        cfg.dataset, n_samples=int(cfg.n_samples), noise=float(cfg.noise), seed=int(cfg.data_seed)
    )
    return split_dataset(ds, float(cfg.train_fraction), float(cfg.val_fraction), seed=int(cfg.data_seed))


def search_data(split) -> TrainData:
    """What the search may see: the training and validation parts, never the test part."""
    return TrainData(split.X_train, split.y_train, split.X_val, split.y_val)


# -- the search ----------------------------------------------------------------------------------
class Search:
    """A search in progress: trials grouped by shape and batch size into waves, trained in chunks.

    ``results`` holds one dict per finished trial (its settings plus ``val_acc``, ``val_loss``,
    ``train_acc``, ``train_loss``, ``status`` "done"/"diverged" and ``diverged_at``); a diverged
    trial scores None and never stops the others. ``status`` is "running", "done" or "stopped".
    """

    def __init__(self, cfg: SearchConfig, data: TrainData):
        cfg.validate()
        if data.X_test is not None or data.y_test is not None:
            raise ConfigError("A search must not see the test split: pass search_data(split).")
        if data.X_val is None or len(data.X_val) == 0:
            raise ConfigError("The search scores trials on the validation split: set a validation share.")
        self.cfg, self.data = cfg, data
        self.trials = sample_trials(cfg)
        self.n_trials = len(self.trials)
        groups: dict[tuple[int, int, int], list[dict]] = {}
        for t in self.trials:
            groups.setdefault((t["depth"], t["width"], t["batch_size"]), []).append(t)
        size = int(cfg.wave_size)
        self.waves = [g[i : i + size] for g in groups.values() for i in range(0, len(g), size)]
        self.results: list[dict[str, Any]] = []
        self.status = "running"
        self.test_result: dict[str, Any] | None = None
        self._states: dict[int, dict[str, np.ndarray]] = {}
        self._net_cfgs: dict[int, NetworkConfig] = {}
        self._wave = 0
        self._pop: Population | None = None
        self.train_seconds = 0.0

    # -- configs ------------------------------------------------------------------------------
    def network_config(self, t: dict[str, Any]) -> NetworkConfig:
        return NetworkConfig(
            n_inputs=self.data.X_train.shape[1],
            hidden=[int(t["width"])] * int(t["depth"]),
            activation=self.cfg.activation,
            dropout=float(t["dropout"]),
            seed=int(self.cfg.data_seed),
        )

    def train_config(self, t: dict[str, Any]) -> TrainConfig:
        return TrainConfig(
            optimizer=self.cfg.optimizer,
            learning_rate=float(t["lr"]),
            batch_size=int(t["batch_size"]),
            regularization="l2",
            reg_rate=float(t["weight_decay"]),
            seed=int(self.cfg.data_seed),
        )

    # -- progress -----------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self.status != "running"

    @property
    def progress(self) -> float:
        """Share of the work done (trials finished, plus the running wave's epochs), 0 … 1."""
        if self.status == "done":
            return 1.0
        part = 0.0
        if self._pop is not None and self._wave < len(self.waves):
            part = len(self.waves[self._wave]) * min(self._pop.epoch / int(self.cfg.epochs), 1.0)
        return min((len(self.results) + part) / max(self.n_trials, 1), 1.0)

    def advance(self, budget_s: float = 0.3, chunk: int = 5) -> int:
        """Train for about ``budget_s`` seconds (whole chunks of ``chunk`` epochs); return the number
        of trials that finished in this call."""
        if self.done:
            return 0
        start = time.perf_counter()
        before = len(self.results)
        epochs = int(self.cfg.epochs)
        while self._wave < len(self.waves):
            if self._pop is None:
                wave = self.waves[self._wave]
                net = self.network_config(wave[0])
                train = self.train_config(wave[0])
                trials = [
                    {"learning_rate": t["lr"], "reg_rate": t["weight_decay"], "dropout": t["dropout"]}
                    for t in wave
                ]
                self._pop = Population(net, self.data, train, trials)
            pop = self._pop
            pop.run_epochs(min(chunk, epochs - pop.epoch), evaluate="last")
            if pop.epoch >= epochs or pop.done:
                pop.ensure_evaluated()
                self._collect(self.waves[self._wave], pop)
                self._pop = None
                self._wave += 1
            if time.perf_counter() - start >= budget_s:
                break
        self.train_seconds += time.perf_counter() - start
        if self._wave >= len(self.waves):
            self.status = "done"
        return len(self.results) - before

    def run(self) -> Search:
        """Train every trial (no time limit); for notebooks, tests and benchmarks."""
        while not self.done:
            self.advance(budget_s=math.inf, chunk=int(self.cfg.epochs))
        return self

    def stop(self) -> None:
        """Stop now: finished trials are kept, the running wave is dropped."""
        if not self.done:
            self._pop = None
            self.status = "stopped"

    def pending(self) -> list[dict[str, Any]]:
        """The trials of the wave in training (or about to start), while the search runs."""
        if self.done or self._wave >= len(self.waves):
            return []
        return list(self.waves[self._wave])

    def _collect(self, wave: list[dict], pop: Population) -> None:
        last = {k: v[-1] for k, v in pop.history.items()}
        for k, t in enumerate(wave):
            res = dict(t)
            if pop.status[k] == "diverged":
                d = pop.divergence[k]
                res.update(val_acc=None, val_loss=None, train_acc=None, train_loss=None, status="diverged")
                res["diverged_at"] = f"epoch {d.epoch}, step {d.step}"
            else:
                res.update(
                    val_acc=float(last["val_acc"][k]),
                    val_loss=float(last["val_loss"][k]),
                    train_acc=float(last["train_acc"][k]),
                    train_loss=float(last["train_loss"][k]),
                    status="done",
                    diverged_at=None,
                )
            res["epochs"] = int(pop.epochs_done[k])
            self.results.append(res)
            self._states[t["trial"]] = pop.trial_state(k)
            self._net_cfgs[t["trial"]] = pop.trial_configs(k)[0]

    # -- results ------------------------------------------------------------------------------
    def ranked(self) -> list[dict[str, Any]]:
        """Finished trials, best first: highest validation accuracy, then lowest validation loss;
        diverged trials last."""

        def key(r):
            if r["val_acc"] is None:
                return (1, 0.0, 0.0, r["trial"])
            return (0, -r["val_acc"], r["val_loss"], r["trial"])

        return sorted(self.results, key=key)

    def best(self) -> dict[str, Any] | None:
        ranked = self.ranked()
        return ranked[0] if ranked and ranked[0]["val_acc"] is not None else None

    def network(self, trial: int) -> Network:
        """A single-model network holding a finished trial's final weights."""
        net = Network(self._net_cfgs[trial])
        net.load_state(self._states[trial])
        return net


def score_on_test(search: Search, split) -> dict[str, Any]:
    """Score the best trial on the test split: the one and only use of the test split.

    The result is kept in ``search.test_result``; asking again returns it without touching the test
    split a second time.
    """
    if search.test_result is not None:
        return search.test_result
    best = search.best()
    if best is None:
        raise ConfigError("No trial finished with a score, so there is nothing to test.")
    net = search.network(best["trial"])
    X, y = split.X_test, split.y_test
    loss, acc = net.evaluate(np.asarray(X, dtype=np.float64), net.loss.targets(y))
    search.test_result = {"trial": best["trial"], "test_acc": acc, "test_loss": loss, "n_test": len(y)}
    return search.test_result


def summary(search: Search) -> dict[str, Any]:
    """Counts and how many distinct values of each rate the search tried."""
    res = search.results
    return {
        "finished": len(res),
        "training": len(search.pending()),
        "planned": search.n_trials,
        "diverged": sum(r["status"] == "diverged" for r in res),
        "distinct_lr": len({r["lr"] for r in res}),
        "distinct_weight_decay": len({r["weight_decay"] for r in res}),
        "seconds": search.train_seconds,
    }


TABLE_COLUMNS = (
    "rank",
    "trial",
    "val_acc",
    "val_loss",
    "train_acc",
    "lr",
    "weight_decay",
    "depth",
    "width",
    "batch_size",
    "dropout",
    "status",
)


def table_rows(search: Search, top: int = 10) -> list[dict[str, Any]]:
    """The ``top`` best trials as table rows, best first."""
    rows = []
    for rank, r in enumerate(search.ranked()[:top], start=1):
        rows.append({"rank": rank, **{c: r.get(c) for c in TABLE_COLUMNS if c != "rank"}})
    return rows


def scatter_rows(search: Search) -> list[dict[str, Any]]:
    """Rows for ``playground.viz.metrics.scatter_search_chart`` (lr, weight_decay, val_acc): the
    finished trials, then the wave in training with status "training" (no score yet)."""
    rows = [
        {"trial": r["trial"], "lr": r["lr"], "weight_decay": r["weight_decay"], "val_acc": r["val_acc"]}
        for r in search.results
    ]
    rows += [
        {
            "trial": t["trial"],
            "lr": t["lr"],
            "weight_decay": t["weight_decay"],
            "val_acc": None,
            "status": "training",
        }
        for t in search.pending()
    ]
    return rows


#: What the default search shows (asserted on its data in tests/lessons/test_search.py).
WHAT_TO_LOOK_FOR = N_(
    "trials with a learning rate between 0.01 and 1 score best; below 0.01 fifty epochs are too few "
    "and above 1 the steps are too large, so accuracy is lower at both ends. Accuracy falls as the "
    "weight decay grows past about 0.01: a strong penalty keeps the weights too small to fit the circle."
)
