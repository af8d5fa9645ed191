"""Train a population of same-shaped networks at once: one batched matrix product per layer for all.

Hyperparameter search and run comparison train many small networks that share a shape. Trained one
by one, each step of each net costs a few dozen NumPy calls on tiny arrays, so the time goes to call
overhead, not arithmetic. Here the parameters of all trials are stacked along a leading axis, a
``(trials, n_params)`` buffer laid out exactly as each trial's own :class:`~playground.engine.params.
ParamSet` (weights first), and every layer runs once for all trials::

    z = x @ W + b          x: (T, B, fan_in) (or (B, fan_in), shared),  W: (T, fan_in, fan_out)

The optimizers' update rules are the engine's own functions (per-trial learning rates broadcast to
full rows), so a trial trained here follows the same arithmetic as :class:`~playground.engine.
trainer.Trainer` training ``Network(config with that trial's seed)``: same initial weights, same
mini-batch order, same dropout masks, same divergence rule. Every sum is taken in the order the
single-model engine takes it (each stacked matmul is the same BLAS call per trial), so on our machines
the numbers agree bit for bit; the test suite checks weights, BN buffers and per-epoch histories
trial for trial to rtol 1e-10.

Per trial (``trials`` is a list of dicts with these keys; anything else is shared):

* network: ``seed`` (initial weights and dropout/RReLU noise), ``dropout`` (rate);
* training: ``learning_rate``, ``regularization`` ("none", "l1", "l2") and ``reg_rate``,
  ``early_stopping``, ``patience``, ``min_delta``, ``train_seed`` (mini-batch order; the
  TrainConfig's ``seed``).

Supported: every activation, initializer, optimizer and schedule in the registries, batch norm
(before/after), residual connections, dropout, gradient clipping, early stopping, the three tasks.

A trial whose loss or weights become non-finite is frozen at its last finite weights and marked
(``status[i] == "diverged"``, ``divergence[i]``); the others go on. Frozen trials are removed from the
batched arrays, so they cost nothing afterwards.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from playground.engine.activations import ACTIVATIONS, make_activation
from playground.engine.network import Network, NetworkConfig
from playground.engine.optimizers import (
    OPTIMIZERS,
    adagrad_update,
    adam_update,
    decoupled_decay,
    momentum_update,
    rmsprop_update,
    sgd_update,
)
from playground.engine.schedules import make_schedule
from playground.engine.trainer import Divergence, TrainConfig, TrainData, batch_bounds
from playground.errors import ConfigError

#: Settings that may differ from trial to trial: network settings and training settings.
TRIAL_NETWORK_KEYS = ("seed", "dropout")
TRIAL_TRAIN_KEYS = (
    "learning_rate",
    "regularization",
    "reg_rate",
    "early_stopping",
    "patience",
    "min_delta",
    "train_seed",
)
TRIAL_KEYS = TRIAL_NETWORK_KEYS + TRIAL_TRAIN_KEYS

_ELEMENTWISE = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "softplus")


# -- stacked layers ------------------------------------------------------------------------------
# Each works on (T, B, width) arrays, caches what its backward needs and reads/writes its parameters
# through views of the population's (T, n_params) value and gradient buffers. Gradients are
# *assigned* (each parameter gets exactly one contribution per step), which equals the engine's
# zero-then-``+=``.


def _batch_sum(g: np.ndarray, out: np.ndarray) -> None:
    """out[t] = Σ_b g[t, b], summed in the order ``g[t].sum(axis=0)`` sums (so results match the
    single-model engine bit for bit): sequentially over rows for several columns (einsum does that,
    3x faster than sum(axis=1)), pairwise for a single column (as NumPy sums a contiguous run)."""
    if g.shape[2] == 1:
        np.sum(g, axis=1, out=out)
    else:
        np.einsum("tbi->ti", g, out=out)


class _Dense:
    """z = x·W + b for every trial; backward dW = xᵀ·g, db = Σ_rows g, dx = g·Wᵀ."""

    def __init__(self, name: str, fan_in: int, fan_out: int, first: bool):
        self.name, self.fan_in, self.fan_out, self.first = name, fan_in, fan_out, first

    def bind(self, pop: Population) -> None:
        self.W = pop._view(self.name + "W", pop.values)
        self.b = pop._view(self.name + "b", pop.values, row=True)
        self.dW = pop._view(self.name + "W", pop.grads)
        self.db = pop._view(self.name + "b", pop.grads)
        self.WT = self.W.transpose(0, 2, 1)

    def forward(self, x, training):
        self._x = x
        z = np.matmul(x, self.W)
        z += self.b
        return z

    def backward(self, g):
        x = self._x
        xT = x.T if x.ndim == 2 else x.transpose(0, 2, 1)
        np.matmul(xT, g, out=self.dW)
        _batch_sum(g, self.db)
        if self.first:
            return None  # nobody needs d loss/d input
        return np.matmul(g, self.WT)


class _Elementwise:
    """An engine activation whose forward/backward are elementwise (so they work on any shape)."""

    def __init__(self, act):
        self.act = act

    def bind(self, pop):
        pass

    def forward(self, x, training):
        return self.act.forward(x, training)

    def backward(self, g):
        return self.act.backward(g)


class _PReLU:
    """PReLU with a learned slope per unit and trial (not weight-decayed)."""

    def __init__(self, name):
        self.name = name

    def bind(self, pop):
        self.alpha = pop._view(self.name + "alpha", pop.values, row=True)
        self.dalpha = pop._view(self.name + "alpha", pop.grads, row=True)

    def forward(self, x, training):
        self._x = x
        self._pos = pos = x > 0
        return np.where(pos, x, x * self.alpha)

    def backward(self, g):
        neg_x = np.where(self._pos, 0.0, self._x)
        self.dalpha[:, 0, :] = np.einsum("tij,tij->tj", g, neg_x)
        return np.where(self._pos, g, g * self.alpha)


class _RReLU:
    """Randomized leaky ReLU; each trial draws its slopes from its own network's noise generator."""

    def __init__(self, lower, upper, pop):
        self.lower, self.upper, self.pop = lower, upper, pop

    def bind(self, pop):
        pass

    def forward(self, x, training):
        if training:
            shape = x.shape[1:]
            slopes = np.stack([rng.uniform(self.lower, self.upper, size=shape) for rng in self.pop._rngs])
        else:
            slopes = 0.5 * (self.lower + self.upper)
        self._k = k = np.where(x > 0, 1.0, slopes)
        return x * k

    def backward(self, g):
        return g * self._k


class _Maxout:
    """Each unit outputs the largest of its k pieces; the gradient flows to the winner."""

    def __init__(self, width, k):
        self.width, self.k = width, k

    def bind(self, pop):
        pass

    def forward(self, x, training):
        T, n = x.shape[:2]
        pieces = x.reshape(T, n, self.width, self.k)
        self._arg = arg = pieces.argmax(axis=3)
        self._shape = x.shape
        return np.take_along_axis(pieces, arg[..., None], axis=3)[..., 0]

    def backward(self, g):
        T, n = g.shape[:2]
        dx = np.zeros((T, n, self.width, self.k))
        np.put_along_axis(dx, self._arg[..., None], g[..., None], axis=3)
        return dx.reshape(self._shape)


class _BatchNorm:
    """Batch norm per trial, as :class:`playground.engine.layers.BatchNorm` (PyTorch's conventions)."""

    def __init__(self, name, width, momentum, eps, index):
        self.name, self.width, self.momentum, self.eps, self.index = name, width, momentum, eps, index

    def bind(self, pop):
        self.gamma = pop._view(self.name + "gamma", pop.values, row=True)
        self.beta = pop._view(self.name + "beta", pop.values, row=True)
        self.dgamma = pop._view(self.name + "gamma", pop.grads, row=True)
        self.dbeta = pop._view(self.name + "beta", pop.grads)
        self.running_mean = pop._bn_mean[self.index]
        self.running_var = pop._bn_var[self.index]

    def forward(self, x, training):
        if training:
            n = x.shape[1]
            mu = x.mean(axis=1, keepdims=True)
            xc = x - mu
            var = np.einsum("tij,tij->tj", xc, xc)[:, None, :] / n
            inv_std = 1.0 / np.sqrt(var + self.eps)
            m = self.momentum
            self.running_mean *= 1.0 - m
            self.running_mean += m * mu
            self.running_var *= 1.0 - m
            self.running_var += (m * n / max(n - 1, 1)) * var
            self._training = True
        else:
            xc = x - self.running_mean
            inv_std = 1.0 / np.sqrt(self.running_var + self.eps)
            self._training = False
        xhat = xc * inv_std
        self._xhat, self._inv_std = xhat, inv_std
        return xhat * self.gamma + self.beta

    def backward(self, g):
        xhat = self._xhat
        self.dgamma[:, 0, :] = np.einsum("tij,tij->tj", g, xhat)
        _batch_sum(g, self.dbeta)
        dxhat = g * self.gamma
        if not self._training:
            return dxhat * self._inv_std
        n = g.shape[1]
        return (self._inv_std / n) * (
            n * dxhat
            - dxhat.sum(axis=1, keepdims=True)
            - xhat * np.einsum("tij,tij->tj", dxhat, xhat)[:, None, :]
        )


class _Dropout:
    """Inverted dropout with a per-trial rate; each trial's mask comes from its own generator, drawn
    exactly as the single-model engine draws it (trials with rate 0 draw nothing)."""

    def __init__(self, pop):
        self.pop = pop

    def bind(self, pop):
        pass

    def forward(self, x, training):
        pop = self.pop
        if not training:
            self._mask = None
            return x
        shape = x.shape[1:]
        mask = np.ones(x.shape)
        for i, (rate, rng) in enumerate(zip(pop._dropout, pop._rngs, strict=True)):
            if rate > 0.0:
                keep = 1.0 - rate
                mask[i] = (rng.random(shape) < keep) * (1.0 / keep)
        self._mask = mask
        return x * mask

    def backward(self, g):
        return g if self._mask is None else g * self._mask


class _ResidualStart:
    def __init__(self):
        self.end = None

    def bind(self, pop):
        pass

    def forward(self, x, training):
        self.end._skip = x
        return x

    def backward(self, g):
        return None if g is None else g + self.end._skip_grad


class _ResidualEnd:
    def bind(self, pop):
        pass

    def forward(self, x, training):
        return x + self._skip

    def backward(self, g):
        self._skip_grad = g
        return g


# -- stacked losses ------------------------------------------------------------------------------
# ``step(out, t)`` returns (d loss/d out, per-trial losses or None). The training step needs the loss
# only to notice divergence, so when every output is modest (|out| < 1e150: each loss is then surely
# finite) it is not computed at all; otherwise it is, exactly as the engine computes it.
_SAFE = 1e150


class _Loss:
    def step(self, out, t):
        if np.abs(out).max() < _SAFE:  # False for NaN too
            return self.grad(out, t), None
        with np.errstate(all="ignore"):
            loss = self.forward(out, t)
            return self.backward(), loss

    def grad(self, out, t):
        self.forward(out, t)
        return self.backward()


class _BCE(_Loss):
    """Per-trial mean binary cross-entropy from one logit (the engine's stable form)."""

    def forward(self, out, t):
        self._out, self._t = out, t
        losses = np.maximum(out, 0.0) - out * t + np.log1p(np.exp(-np.abs(out)))
        return losses.mean(axis=(1, 2))

    def backward(self):
        return self.grad(self._out, self._t)

    @staticmethod
    def grad(out, t):
        g = 0.5 * (1.0 + np.tanh(0.5 * out))  # σ(z), as playground.engine.activations.sigmoid
        g -= t
        g *= 1.0 / g.shape[1]
        return g

    @staticmethod
    def accuracy(out, t):
        return np.mean((out[..., 0] > 0) == (t[..., 0] > 0.5), axis=-1)


class _SoftmaxCE(_Loss):
    """Per-trial mean softmax cross-entropy; targets are one-hot rows (so a batch is one gather)."""

    def forward(self, out, t):
        shifted = out - out.max(axis=-1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        self._p, self._t = np.exp(logp), t
        labels = t.argmax(axis=-1)
        if labels.ndim == 1:
            labels = np.broadcast_to(labels, logp.shape[:2])
        picked = np.take_along_axis(logp, labels[..., None], axis=2)[..., 0]
        return -picked.mean(axis=1)

    def backward(self):
        g = self._p - self._t
        g *= 1.0 / g.shape[1]
        return g

    @staticmethod
    def accuracy(out, t):
        return np.mean(out.argmax(axis=-1) == t.argmax(axis=-1), axis=-1)


class _MSE(_Loss):
    """Per-trial mean squared error (PyTorch's convention, as the engine)."""

    def step(self, out, t):
        d = out - t
        if np.abs(d).max() < _SAFE:
            return d * (2.0 / (d.shape[1] * d.shape[2])), None
        with np.errstate(all="ignore"):
            loss = self.forward(out, t)
            return self.backward(), loss

    def forward(self, out, t):
        self._d = d = out - t
        return np.einsum("tij,tij->t", d, d) / (d.shape[1] * d.shape[2])

    def backward(self):
        d = self._d
        return d * (2.0 / (d.shape[1] * d.shape[2]))

    @staticmethod
    def accuracy(out, t):
        return None


_LOSSES = {"binary": _BCE, "multiclass": _SoftmaxCE, "regression": _MSE}


# -- optimizers on stacked buffers -----------------------------------------------------------------
_OPT_BUFFERS = {
    "sgd": (),
    "momentum": ("momentum_buffer",),
    "nesterov": ("momentum_buffer",),
    "adagrad": ("sum",),
    "rmsprop": ("square_avg", "momentum_buffer", "grad_avg"),
    "adam": ("exp_avg", "exp_avg_sq"),
    "adamw": ("exp_avg", "exp_avg_sq"),
}


def _opt_step(name, p, g, state, lr, h, t, n_decay, tmp):
    """One update of every trial with the engine's update rules; ``lr`` has the shape of ``p``."""
    if name == "sgd":
        sgd_update(p, g, lr)
    elif name in ("momentum", "nesterov"):
        momentum_update(p, g, state["momentum_buffer"], lr, h["momentum"], name == "nesterov", h["ema"])
    elif name == "adagrad":
        adagrad_update(p, g, state["sum"], lr, h["eps"])
    elif name == "rmsprop":
        rmsprop_update(
            p,
            g,
            state["square_avg"],
            lr,
            h["alpha"],
            h["eps"],
            h["momentum"],
            state["momentum_buffer"] if h["momentum"] > 0 else None,
            h["centered"],
            state["grad_avg"],
        )
    else:  # adam, adamw
        if name == "adamw" and h["weight_decay"]:
            decoupled_decay(p[:, :n_decay], lr[:, :n_decay], h["weight_decay"])
        adam_update(p, g, state["exp_avg"], state["exp_avg_sq"], t, lr, h["beta1"], h["beta2"], h["eps"], tmp)


# -- configs ---------------------------------------------------------------------------------------
def split_trial(settings: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split one trial's settings into NetworkConfig and TrainConfig overrides; unknown keys raise."""
    unknown = sorted(set(settings) - set(TRIAL_KEYS))
    if unknown:
        raise ConfigError(
            f"Per-trial setting(s) {unknown} cannot differ between trials trained together; "
            f"per-trial settings are: {', '.join(TRIAL_KEYS)}."
        )
    net = {k: settings[k] for k in TRIAL_NETWORK_KEYS if k in settings}
    train = {k: settings[k] for k in TRIAL_TRAIN_KEYS if k in settings}
    if "train_seed" in train:
        train["seed"] = train.pop("train_seed")
    return net, train


def shared_key(network: NetworkConfig, train: TrainConfig) -> str:
    """What must be equal for two runs to be trained in one population (as a comparable string)."""
    net = network.to_dict()
    tr = train.to_dict()
    for k in TRIAL_NETWORK_KEYS:
        net.pop(k)
    for k in TRIAL_TRAIN_KEYS:
        tr.pop("seed" if k == "train_seed" else k)
    return repr((sorted(net.items()), sorted(tr.items())))


def trial_settings(network: NetworkConfig, train: TrainConfig) -> dict[str, Any]:
    """The per-trial part of a (network, training) config pair, as a trial dict."""
    out = {k: getattr(network, k) for k in TRIAL_NETWORK_KEYS}
    out.update({k: getattr(train, "seed" if k == "train_seed" else k) for k in TRIAL_TRAIN_KEYS})
    return out


def group_compatible(configs: Sequence[tuple[NetworkConfig, TrainConfig]]) -> list[list[int]]:
    """Indices of ``configs`` grouped so each group can be trained as one :class:`Population`."""
    groups: dict[str, list[int]] = {}
    for i, (net, train) in enumerate(configs):
        groups.setdefault(shared_key(net, train), []).append(i)
    return list(groups.values())


def _check_supported(cfg: NetworkConfig) -> None:
    """Raise ConfigError for an activation this trainer has no stacked version of (a new registry
    entry must be added to ``_ELEMENTWISE`` or get its own stacked layer here)."""
    name = cfg.activation
    ACTIVATIONS[name]  # unknown names raise ConfigError
    if name not in (*_ELEMENTWISE, "prelu", "rrelu", "maxout"):
        raise ConfigError(f"The population trainer does not support the {name!r} activation yet.")


# -- the population ------------------------------------------------------------------------------
class Population:
    """Many networks of one shape trained together, each with its own settings.

    ``network`` and ``config`` give the shared settings; ``trials`` one dict per trial with the
    per-trial ones (see :data:`TRIAL_KEYS`; missing keys take the shared value). Trial ``i`` starts
    exactly as ``Network(trial_configs(i)[0])`` and trains as ``Trainer`` with
    ``trial_configs(i)[1]`` would.

    ``history[key]`` is a list (one entry per epoch, epoch 0 the untrained nets) of (T,) arrays for
    ``train_loss``, ``train_acc``, ``val_loss``, ``val_acc``, ``test_loss``, ``test_acc``,
    ``penalty`` and ``lr`` (NaN once a trial is frozen, or for a missing split / regression
    accuracy). ``status[i]`` is "ready", "diverged" or "early_stopped"; ``epochs_done[i]`` counts
    trial i's completed epochs.
    """

    def __init__(
        self,
        network: NetworkConfig | dict,
        data: TrainData,
        config: TrainConfig | dict | None = None,
        trials: Sequence[dict[str, Any]] | int = 1,
    ):
        if isinstance(network, dict):
            network = NetworkConfig.from_dict(network)
        if config is None:
            config = TrainConfig()
        elif isinstance(config, dict):
            config = TrainConfig.from_dict(config)
        network.validate()
        config.validate()
        _check_supported(network)
        if isinstance(trials, int):
            if trials < 1:
                raise ConfigError(f"A population needs at least one trial, got {trials}.")
            trials = [{} for _ in range(trials)]
        trials = [dict(t) for t in trials]
        if not trials:
            raise ConfigError("A population needs at least one trial.")
        self.network_config, self.config, self.trials = network, config, trials

        # Per-trial configs, validated as the single-model engine would validate them.
        self._net_cfgs, self._train_cfgs = [], []
        for settings in trials:
            net_over, train_over = split_trial(settings)
            ncfg = dataclasses.replace(network, **net_over)
            tcfg = dataclasses.replace(config, **train_over)
            ncfg.validate()
            tcfg.validate()
            if tcfg.regularization not in ("none", "l1", "l2"):
                raise ConfigError(f"The population trainer supports L1 and L2, not {tcfg.regularization!r}.")
            if tcfg.early_stopping and not (data.X_val is not None and len(data.X_val)):
                raise ConfigError(
                    "Early stopping watches the validation loss: set a validation share above 0."
                )
            self._net_cfgs.append(ncfg)
            self._train_cfgs.append(tcfg)
        if config.batch_size == 1 and network.batch_norm != "off":
            raise ConfigError("Batch norm needs at least 2 examples per batch: raise the batch size.")
        n_trials = self.n_trials = len(trials)

        # Initial weights and noise generators: exactly those of each trial's own Network.
        nets = [Network(c) for c in self._net_cfgs]
        template = nets[0]
        self.loss = template.loss
        self.slices = template.params.slices
        self.n_decay = template.params.n_decay
        self.n_params = len(template.params)
        self.values = np.stack([n.params.values for n in nets])
        self.grads = np.zeros_like(self.values)
        self._rngs = [n.noise_rng for n in nets]
        self._dropout = np.array([c.dropout for c in self._net_cfgs], dtype=np.float64)

        # Data: shared arrays; targets as the engine makes them (one-hot for multi-class).
        loss = template.loss
        self.task = network.task
        self.X = np.ascontiguousarray(data.X_train, dtype=np.float64)
        if len(self.X) == 0:
            raise ConfigError(
                "There is no training data: increase the training share or the number of points."
            )
        if self.X.shape[1] != network.n_inputs:
            raise ConfigError(
                f"The data has {self.X.shape[1]} input features but the network expects {network.n_inputs}."
            )
        self.T = self._targets(loss.targets(data.y_train))
        self.splits: dict[str, tuple[np.ndarray, np.ndarray]] = {"train": (self.X, self.T)}
        for name, X, y in (("val", data.X_val, data.y_val), ("test", data.X_test, data.y_test)):
            if X is not None and len(X):
                self.splits[name] = (
                    np.ascontiguousarray(X, dtype=np.float64),
                    self._targets(loss.targets(y)),
                )
        self._loss = _LOSSES[self.task]()

        # Per-trial training settings as (T, 1) columns.
        tc = self._train_cfgs
        self.lr0 = np.array([c.learning_rate for c in tc], dtype=np.float64)
        lam = np.array([float(c.reg_rate) for c in tc])
        kind = np.array([c.regularization for c in tc])
        self._l2 = np.where(kind == "l2", lam, 0.0)[:, None]
        self._l1 = np.where(kind == "l1", lam, 0.0)[:, None]
        self._es = np.array([bool(c.early_stopping) for c in tc])
        self._patience = np.array([c.patience for c in tc], dtype=np.int64)
        self._min_delta = np.array([float(c.min_delta) for c in tc])
        seeds = [c.seed for c in tc]
        self._shared_order = len(set(seeds)) == 1
        self._order_rngs = [np.random.default_rng(np.random.SeedSequence([s, 1])) for s in seeds]
        if self._shared_order:
            self._order_rngs = self._order_rngs[:1]
        self.schedule = make_schedule(config.schedule, config.schedule_params)
        self.opt_name = config.optimizer
        self.hyper = OPTIMIZERS[config.optimizer].resolve(config.optimizer_params)
        self.hyper.pop("lr")
        self.opt_state = {name: np.zeros_like(self.values) for name in _OPT_BUFFERS[self.opt_name]}
        if self.opt_name == "adagrad":
            self.opt_state["sum"] += self.hyper["initial_accumulator_value"]
        self.opt_t = 0
        self._tmp = np.empty_like(self.values)
        self._backup = np.empty_like(self.values)

        # Layers (mirroring Network's construction) and BN running statistics per trial.
        self._bn_mean: list[np.ndarray] = []
        self._bn_var: list[np.ndarray] = []
        self.layers = self._build_layers(network)

        # Bookkeeping: which trials are still trained, their results when frozen.
        self.active = np.arange(n_trials)
        self.final_values = self.values.copy()
        self.final_bn = [(m.copy(), v.copy()) for m, v in zip(self._bn_mean, self._bn_var, strict=True)]
        self.status = ["ready"] * n_trials
        self.divergence: list[Divergence | None] = [None] * n_trials
        self.epochs_done = np.zeros(n_trials, dtype=np.int64)
        self.best_epoch: list[int | None] = [None] * n_trials
        self._best_val = np.full(n_trials, math.inf)
        self._wait = np.zeros(n_trials, dtype=np.int64)
        self._best_values = np.zeros_like(self.values) if self._es.any() else None
        self._best_bn = None
        self.epoch = 0
        self.total_steps = 0
        #: The epoch of each entry of ``history`` (every epoch unless some were run without evaluation).
        self.history_epochs: list[int] = []
        self.history: dict[str, list[np.ndarray]] = {
            k: []
            for k in (
                "lr",
                "train_loss",
                "train_acc",
                "val_loss",
                "val_acc",
                "test_loss",
                "test_acc",
                "penalty",
            )
        }
        self._bind()
        lr_start = np.broadcast_to(np.asarray(self.schedule(0, self.lr0), dtype=np.float64), self.lr0.shape)
        self._record(self.evaluate(), lr_start, 0)

    # -- construction helpers -----------------------------------------------------------------
    def _targets(self, t: np.ndarray) -> np.ndarray:
        if self.task == "multiclass":
            return np.eye(self.network_config.n_classes)[t]
        return t

    def _view(self, name: str, buf: np.ndarray, row: bool = False) -> np.ndarray:
        """Parameter ``name`` of every trial as a (T, *shape) view of ``buf`` ((T, 1, n) if ``row``)."""
        sl, shape = self.slices[name]
        T = buf.shape[0]
        return buf[:, sl].reshape((T, 1, *shape) if row else (T, *shape))

    def _build_layers(self, cfg: NetworkConfig) -> list:
        layers: list = []
        width_in = cfg.n_inputs
        first = True
        any_dropout = bool((self._dropout > 0).any())
        for i, width in enumerate(cfg.hidden, start=1):
            prefix = f"h{i}."
            probe_act = make_activation(cfg.activation, width, None, cfg.activation_params)
            pieces = probe_act.pieces
            block: list = [_Dense(prefix, width_in, width * pieces, first)]
            first = False
            if cfg.batch_norm == "before":
                block.append(self._bn(prefix, width * pieces, cfg))
            if cfg.activation == "prelu":
                block.append(_PReLU(prefix))
            elif cfg.activation == "rrelu":
                block.append(_RReLU(probe_act.lower, probe_act.upper, self))
            elif cfg.activation == "maxout":
                block.append(_Maxout(width, pieces))
            else:
                block.append(_Elementwise(probe_act))
            if cfg.batch_norm == "after":
                block.append(self._bn(prefix, width, cfg))
            if any_dropout:
                block.append(_Dropout(self))
            if cfg.residual and width_in == width:
                start, end = _ResidualStart(), _ResidualEnd()
                start.end = end
                block = [start, *block, end]
            layers.extend(block)
            width_in = width
        layers.append(_Dense("out.", width_in, cfg.n_outputs, first))
        return layers

    def _bn(self, prefix, width, cfg):
        index = len(self._bn_mean)
        self._bn_mean.append(np.zeros((self.n_trials, 1, width)))
        self._bn_var.append(np.ones((self.n_trials, 1, width)))
        return _BatchNorm(prefix, width, cfg.bn_momentum, cfg.bn_eps, index)

    def _bind(self) -> None:
        for layer in self.layers:
            layer.bind(self)
        # The backward pass stops at the first Dense (nothing below it has parameters).
        first = next(i for i, layer in enumerate(self.layers) if isinstance(layer, _Dense))
        self._backward_layers = self.layers[first:][::-1]

    # -- per-trial views ------------------------------------------------------------------------
    def trial_configs(self, i: int) -> tuple[NetworkConfig, TrainConfig]:
        """Trial ``i``'s own (network, training) configs: what the single-model engine would run."""
        return self._net_cfgs[i], self._train_cfgs[i]

    def trial_values(self) -> np.ndarray:
        """(T, n_params) current parameter values of every trial (frozen trials: their final values)."""
        out = self.final_values.copy()
        out[self.active] = self.values
        return out

    def trial_state(self, i: int) -> dict[str, np.ndarray]:
        """Trial ``i``'s parameters and BN buffers by name, as ``Network.state()`` gives them."""
        pos = np.flatnonzero(self.active == i)
        if len(pos):
            row = self.values[pos[0]]
            bn = [(m[pos[0], 0], v[pos[0], 0]) for m, v in zip(self._bn_mean, self._bn_var, strict=True)]
        else:
            row = self.final_values[i]
            bn = [(m[i, 0], v[i, 0]) for m, v in self.final_bn]
        state = {name: row[sl].reshape(shape).copy() for name, (sl, shape) in self.slices.items()}
        for h, (m, v) in enumerate(bn, start=1):  # one batch norm per hidden layer when on
            state[f"h{h}.running_mean"] = m.copy()
            state[f"h{h}.running_var"] = v.copy()
        return state

    def network(self, i: int) -> Network:
        """A single-model :class:`Network` holding trial ``i``'s current weights (for charts, tests)."""
        net = Network(self._net_cfgs[i])
        net.load_state(self.trial_state(i))
        return net

    def trial_history(self, i: int, start: int = 0) -> list[dict[str, Any]]:
        """Trial ``i``'s history as the single-model ``Trainer.history`` records it (only the
        evaluated epochs, if some were run without evaluation), from record ``start`` on."""
        out = []
        for row in range(start, len(self.history_epochs)):
            epoch = self.history_epochs[row]
            if epoch > self.epochs_done[i]:
                break
            rec: dict[str, Any] = {"epoch": epoch}
            for key, rows in self.history.items():
                v = float(rows[row][i])
                if key.endswith("_acc") or key.endswith("_loss"):
                    split = key.split("_")[0]
                    if split not in self.splits or (key.endswith("_acc") and self.task == "regression"):
                        v = None
                rec[key] = v
            out.append(rec)
        return out

    @property
    def done(self) -> bool:
        """True when every trial is frozen (diverged or stopped early)."""
        return len(self.active) == 0

    # -- training -----------------------------------------------------------------------------
    def _epoch_data(self):
        """This epoch's shuffled inputs and targets: (n, d) if all trials share the order, else
        (T, n, d), drawn exactly as each trial's Trainer would draw its permutation."""
        if not self.config.shuffle:
            return self.X, self.T
        if self._shared_order:
            perm = self._order_rngs[0].permutation(len(self.X))
            return self.X[perm], self.T[perm]
        perms = np.stack([rng.permutation(len(self.X)) for rng in self._order_rngs])
        return self.X[perms], self.T[perms]

    def _bounds(self) -> list[tuple[int, int]]:
        return batch_bounds(len(self.X), self.config.batch_size, self.network_config.batch_norm != "off")

    def run_epoch(self, evaluate: bool = True) -> bool:
        """Train every active trial one epoch; return False when no trial is left to train.

        With ``evaluate=False`` the epoch is not evaluated nor recorded in ``history`` (a search that
        only needs the final scores saves ~40 % of the time); early stopping always evaluates.
        """
        if self.done:
            return False
        # A diverging trial overflows on its way to being frozen; the others are not affected.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            return self._run_epoch(evaluate or bool(self._es[self.active].any()))

    def _run_epoch(self, evaluate: bool) -> bool:
        X, T = self._epoch_data()
        per_trial = X.ndim == 3
        epoch_no = self.epoch + 1
        lr_vec = self.schedule(self.epoch, self.lr0)
        lr_vec = np.broadcast_to(np.asarray(lr_vec, dtype=np.float64), self.lr0.shape)
        # Per-trial rates broadcast to full rows once per epoch: a (T, 1) operand costs 3x more per call.
        n_par, n_decay = self.n_params, self.n_decay
        lr = np.repeat(lr_vec[self.active][:, None], n_par, axis=1)
        l1 = np.repeat(self._l1[self.active], n_decay, axis=1) if self._l1.any() else None
        l2 = np.repeat(self._l2[self.active], n_decay, axis=1) if self._l2.any() else None
        ones = np.ones(n_par)
        clip = float(self.config.clip_norm)
        loss = self._loss
        opt_name, hyper = self.opt_name, self.hyper
        step_no = 0
        for step_no, (s, e) in enumerate(self._bounds(), start=1):
            values, grads, backup = self.values, self.grads, self._backup
            if per_trial:
                h, t = X[:, s:e], T[:, s:e]
            else:
                h, t = X[s:e], T[s:e]
            for layer in self.layers:
                h = layer.forward(h, True)
            g, step_loss = loss.step(h, t)
            for layer in self._backward_layers:
                g = layer.backward(g)
            if l2 is not None:
                grads[:, :n_decay] += l2 * values[:, :n_decay]
            if l1 is not None:
                grads[:, :n_decay] += l1 * np.sign(values[:, :n_decay])
            if clip > 0:
                # ‖g‖ per trial as a batched BLAS dot (the engine's np.dot, bit for bit)
                norm = np.sqrt(np.matmul(grads[:, None, :], grads[:, :, None])[:, 0, 0])
                over = norm > clip
                if over.any():
                    grads[over] *= (clip / (norm[over] + 1e-6))[:, None]
            np.copyto(backup, values)
            self.opt_t += 1
            _opt_step(opt_name, values, grads, self.opt_state, lr, hyper, self.opt_t, n_decay, self._tmp)
            check = np.matmul(values, ones)  # row sums: non-finite iff the Trainer's values.sum() is
            if step_loss is not None:
                check += step_loss
            if not np.isfinite(check).all():
                bad = ~np.isfinite(check)
                values[bad] = backup[bad]
                reasons = [
                    f"the loss became {step_loss[k]}"
                    if step_loss is not None and not math.isfinite(step_loss[k])
                    else "a weight became NaN or infinite"
                    for k in np.flatnonzero(bad)
                ]
                self._freeze(bad, "diverged", [Divergence(epoch_no, step_no, r) for r in reasons])
                if self.done:
                    return False
                keep = ~bad
                if per_trial:
                    X, T = X[keep], T[keep]
                lr = lr[keep]
                l1 = l1[keep] if l1 is not None else None
                l2 = l2[keep] if l2 is not None else None
            self.total_steps += 1
        self.epoch = epoch_no
        self.epochs_done[self.active] = epoch_no
        if not evaluate:
            return True
        record = self.evaluate()
        bad = ~np.isfinite(record["train_loss"])
        if bad.any():
            self.epochs_done[self.active[bad]] = epoch_no - 1
            reasons = [f"the training loss became {v}" for v in record["train_loss"][bad]]
            self._freeze(bad, "diverged", [Divergence(epoch_no, step_no, r) for r in reasons], record)
        self._record(record, lr_vec, epoch_no)
        if self._es.any() and not self.done:
            alive = ~bad
            self._early_stopping(record["val_loss"][alive], epoch_no)
        return not self.done

    def run_epochs(self, n: int, evaluate: str = "every") -> int:
        """Train up to ``n`` epochs; return how many ran (fewer once every trial is frozen).

        ``evaluate``: "every" epoch (as ``Trainer``), or only the "last" of these ``n``.
        """
        if evaluate not in ("every", "last"):
            raise ConfigError(f"evaluate must be 'every' or 'last', got {evaluate!r}.")
        ran = 0
        for k in range(n):
            if self.done:
                break
            self.run_epoch(evaluate == "every" or k == n - 1)
            ran += 1
        return ran

    def ensure_evaluated(self) -> None:
        """Evaluate and record the current epoch if it was trained without evaluation."""
        if not self.done and self.history_epochs[-1] != self.epoch:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
                lr_vec = np.broadcast_to(
                    np.asarray(self.schedule(self.epoch - 1, self.lr0), dtype=np.float64), self.lr0.shape
                )
                self._record(self.evaluate(), lr_vec, self.epoch)

    def _early_stopping(self, val: np.ndarray, epoch_no: int) -> None:
        """Per trial, as ``Trainer``: keep the best weights by validation loss; after ``patience``
        epochs without improvement restore them and stop that trial."""
        act = self.active
        es = self._es[act]
        improved = es & (val < self._best_val[act] - self._min_delta[act])
        if improved.any():
            idx = act[improved]
            self._best_val[idx] = val[improved]
            for i in idx:
                self.best_epoch[i] = epoch_no
            self._best_values[idx] = self.values[improved]
            if self._bn_mean:
                if self._best_bn is None:
                    self._best_bn = [(np.zeros_like(m), np.zeros_like(v)) for m, v in self.final_bn]
                for (bm, bv), m, v in zip(self._best_bn, self._bn_mean, self._bn_var, strict=True):
                    bm[idx] = m[improved]
                    bv[idx] = v[improved]
        waiting = es & ~improved
        self._wait[act[improved]] = 0
        self._wait[act[waiting]] += 1
        has_best = np.array([self.best_epoch[i] is not None for i in act])
        stop = waiting & (self._wait[act] >= self._patience[act]) & has_best
        if stop.any():
            idx = act[stop]
            self.values[stop] = self._best_values[idx]
            for k, (m, v) in enumerate(zip(self._bn_mean, self._bn_var, strict=True)):
                m[stop] = self._best_bn[k][0][idx]
                v[stop] = self._best_bn[k][1][idx]
            self._freeze(stop, "early_stopped", [None] * int(stop.sum()))

    def _freeze(self, mask: np.ndarray, status: str, divergences: list, record=None) -> None:
        """Store the trials in ``mask`` (positions among the active ones) and drop them from training."""
        idx = self.active[mask]
        self.final_values[idx] = self.values[mask]
        for (fm, fv), m, v in zip(self.final_bn, self._bn_mean, self._bn_var, strict=True):
            fm[idx] = m[mask]
            fv[idx] = v[mask]
        for i, d in zip(idx, divergences, strict=True):
            self.status[i] = status
            self.divergence[i] = d
        keep = ~mask
        self.active = self.active[keep]
        self.values = self.values[keep]
        self.grads = self.grads[keep]
        self._backup = self._backup[keep]
        self._tmp = self._tmp[keep]
        self.opt_state = {k: v[keep] for k, v in self.opt_state.items()}
        self._bn_mean = [m[keep] for m in self._bn_mean]
        self._bn_var = [v[keep] for v in self._bn_var]
        self._rngs = [r for r, k in zip(self._rngs, keep, strict=True) if k]
        self._dropout = self._dropout[keep]
        if not self._shared_order:
            self._order_rngs = [r for r, k in zip(self._order_rngs, keep, strict=True) if k]
        if record is not None:  # the diverged trials' last evaluation is not kept (as Trainer)
            for key, v in record.items():
                if key != "_idx":
                    v[mask] = np.nan
        self._bind()

    # -- evaluation -------------------------------------------------------------------------------
    def _forward_eval(self, X: np.ndarray) -> np.ndarray:
        h = X
        for layer in self.layers:
            h = layer.forward(h, False)
        return h

    def evaluate(self) -> dict[str, np.ndarray]:
        """Loss and accuracy of every active trial on every split, in eval mode, and the penalty."""
        out: dict[str, np.ndarray] = {"_idx": self.active.copy()}
        n_act = len(self.active)
        for name in ("train", "val", "test"):
            if name in self.splits and n_act:
                X, T = self.splits[name]
                z = self._forward_eval(X)
                tb = np.broadcast_to(T, (n_act, *T.shape))
                with np.errstate(all="ignore"):
                    out[f"{name}_loss"] = self._loss.forward(z, tb)
                acc = self._loss.accuracy(z, tb)
                out[f"{name}_acc"] = np.full(n_act, np.nan) if acc is None else acc
            else:
                out[f"{name}_loss"] = np.full(n_act, np.nan)
                out[f"{name}_acc"] = np.full(n_act, np.nan)
        w = self.values[:, : self.n_decay]
        with np.errstate(all="ignore"):
            out["penalty"] = 0.5 * self._l2[self.active, 0] * np.einsum("tp,tp->t", w, w) + self._l1[
                self.active, 0
            ] * np.abs(w).sum(axis=1)
        return out

    def _record(self, record: dict[str, np.ndarray], lr_vec: np.ndarray, epoch: int) -> None:
        self.history_epochs.append(epoch)
        idx = record["_idx"]
        for key, rows in self.history.items():
            row = np.full(self.n_trials, np.nan)
            if key == "lr":
                row[idx] = np.asarray(lr_vec)[idx]
            else:
                row[idx] = record[key]
            rows.append(row)

    def __repr__(self) -> str:
        return (
            f"Population({self.n_trials} trials, {len(self.active)} active, epoch {self.epoch}, "
            f"{self.n_params} parameters each)"
        )
