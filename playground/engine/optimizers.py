"""Optimizers in the style of ``torch.optim``, over a :class:`ParamSet`'s flat buffers.

Each update rule is a plain function working in place on arrays (a test can call it directly; the
same call serves one network's ``(n_params,)`` buffers and a stack of trials' ``(T, n_params)``
buffers with per-trial learning rates), and each optimizer is a small class owning its state and
its rule, with ``step()``, ``zero_grad()``, ``reset()``, ``state_dict()`` and ``load_state_dict()``.
Adding an optimizer is one class and one ``register`` line.

Conventions follow PyTorch (hyperparameter names and defaults, ε outside the square root, Adam's
bias correction, the momentum buffer ``v = μ·v + g``). Deliberate differences, documented:

* Weight decay is not an optimizer setting here except AdamW's decoupled decay: L2 lives in the
  loss (``λ/2·‖W‖²``, see :mod:`playground.engine.regularization`), which for SGD is exactly
  ``torch.optim.SGD(weight_decay=λ)`` restricted to weights.
* AdamW decays weights only (not biases, batch norm or PReLU parameters); in PyTorch that is two
  parameter groups, one with ``weight_decay=0``.
* Momentum optimizers offer Ng's exponentially-weighted form ``v = β·v + (1−β)·g`` (``ema=True``);
  it equals PyTorch's ``v = μ·v + g`` with the learning rate scaled by (1−β).
* Not offered: SGD's ``dampening``, Adagrad's ``lr_decay`` (use a schedule), AMSGrad.

**Row-sparse parameters** (embedding tables, :meth:`ParamSet.declare_row_sparse`): a backward
reports the rows it touched. Each optimizer says how its rule treats the untouched rows, whose
gradient is zero (``untouched_rows``):

* ``"still"`` — a zero gradient leaves a row and its state unchanged (SGD: θ −= α·0; AdaGrad:
  h += 0, θ −= 0), so the step visits only the touched rows and equals the dense step exactly
  (``torch.nn.Embedding`` with or without ``sparse=True`` and ``torch.optim.SGD``/``Adagrad``).
* ``"dense"`` — the rule still moves such rows (momentum, RMSProp and Adam carry a velocity or
  moments), so by default every row is updated, as torch's dense optimizers do with
  ``nn.Embedding(sparse=False)``. Adam also offers the lazy form, ``lazy=True``: only the touched
  rows and their moments are updated, with the global step count for the bias correction —
  ``torch.optim.SparseAdam``'s arithmetic (its ε is added to √v before the bias correction).
  Lazy Adam needs a single network (with a trials axis each trial would touch other rows).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from playground.engine.params import ParamSet
from playground.engine.registry import N_, Param, Registry
from playground.errors import ConfigError

OPTIMIZERS = Registry("optimizer")

_LR = N_("Step size α (applied per update; a schedule may change it per epoch).")


# -- update rules (in place; hyperparameters may be scalars or arrays that broadcast) -----------
def sgd_update(p, g, lr):
    """θ ← θ − α·g"""
    p -= lr * g


def momentum_update(p, g, buf, lr, momentum, nesterov=False, ema=False):
    """v ← μ·v + g (or Ng's v ← β·v + (1−β)·g);  θ ← θ − α·v, or θ ← θ − α·(g + μ·v) (Nesterov).

    PyTorch's form; its first step sets v = g, which the zero-initialized buffer gives too.
    """
    step_g = (1.0 - momentum) * g if ema else g
    buf *= momentum
    buf += step_g
    if nesterov:
        p -= lr * (step_g + momentum * buf)
    else:
        p -= lr * buf


def adagrad_update(p, g, sum_sq, lr, eps):
    """h ← h + g²;  θ ← θ − α·g/(√h + ε)"""
    sum_sq += g * g
    p -= lr * g / (np.sqrt(sum_sq) + eps)


def rmsprop_update(p, g, sq_avg, lr, alpha, eps, momentum=0.0, buf=None, centered=False, g_avg=None):
    """s ← ρ·s + (1−ρ)·g²;  θ ← θ − α·g/(√s + ε) (with optional momentum and centring, as PyTorch)."""
    sq_avg *= alpha
    sq_avg += (1.0 - alpha) * (g * g)
    if centered:
        g_avg += (1.0 - alpha) * (g - g_avg)
        avg = np.sqrt(sq_avg - g_avg * g_avg) + eps
    else:
        avg = np.sqrt(sq_avg) + eps
    if buf is not None:
        buf *= momentum
        buf += g / avg
        p -= lr * buf
    else:
        p -= lr * g / avg


def adam_update(p, g, m, v, t, lr, beta1, beta2, eps, tmp):
    """Adam with bias correction (Kingma & Ba 2015, as ``torch.optim.Adam``)::

        m ← β₁·m + (1−β₁)·g           v ← β₂·v + (1−β₂)·g²
        θ ← θ − α/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)

    ``t`` is the 1-based step count; ``tmp`` a scratch array shaped like ``p``.
    """
    np.subtract(g, m, out=tmp)  # m.lerp_(g, 1-β₁), PyTorch's exact arithmetic
    tmp *= 1.0 - beta1
    m += tmp
    np.multiply(g, g, out=tmp)
    tmp *= 1.0 - beta2
    v *= beta2
    v += tmp
    bc1 = 1.0 - beta1**t
    bc2 = 1.0 - beta2**t
    np.sqrt(v, out=tmp)
    tmp /= np.sqrt(bc2)
    tmp += eps
    np.divide(m, tmp, out=tmp)
    tmp *= lr / bc1
    p -= tmp


def sparse_adam_update(p, g, m, v, t, lr, beta1, beta2, eps):
    """Lazy Adam on gathered rows, as ``torch.optim.SparseAdam``::

    m ← β₁·m + (1−β₁)·g        v ← β₂·v + (1−β₂)·g²
    θ ← θ − α·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε)
    """
    m += (g - m) * (1.0 - beta1)
    v += (g * g - v) * (1.0 - beta2)
    step = lr * np.sqrt(1.0 - beta2**t) / (1.0 - beta1**t)
    p -= step * (m / (np.sqrt(v) + eps))


def decoupled_decay(p, lr, weight_decay):
    """AdamW's decoupled weight decay (Loshchilov & Hutter 2019): θ ← θ·(1 − α·λ)."""
    p *= 1.0 - lr * weight_decay


# -- optimizer classes ---------------------------------------------------------------------------
class Optimizer:
    """Base class: owns per-parameter state as flat arrays aligned with ``params.values``.

    Works the same on one network's (n,) buffers and on a stack of trials' (T, n) buffers; ``lr``
    is a number, or (with trials) an array that broadcasts against (T, n), e.g. one rate per trial
    repeated along the row. Frozen parameters (``params.n_train`` onwards) are never updated.
    A subclass names its state ``buffers`` and implements ``_update(p, g)`` by calling its update
    rule (a plain function above); that is all an optimizer needs.
    """

    name = ""
    #: Names of the flat state buffers this optimizer keeps.
    buffers: tuple[str, ...] = ()
    #: How the rule treats untouched rows of a row-sparse parameter: "still" or "dense" (module doc).
    untouched_rows = "dense"
    #: Whether the rule has a lazy form (touched rows only) for row-sparse parameters.
    has_lazy = False

    def __init__(self, params: ParamSet, lr: float | None = None, *, lazy: bool = False, **hyper: Any):
        self.params = params
        entry = OPTIMIZERS[self.name]
        if "lr" in hyper:
            raise ConfigError(
                "{entry_label}: give the learning rate as lr=…, not among the other settings.",
                entry_label=entry.label,
            )
        resolved = entry.resolve({"lr": lr, **hyper} if lr is not None else hyper)
        self.lr = float(resolved.pop("lr"))
        self.hyper = resolved
        if lazy and self.untouched_rows == "dense" and not self.has_lazy:
            raise ConfigError(
                "{entry_label} has no lazy form: it updates every row of an embedding table.",
                entry_label=entry.label,
            )
        if lazy and self.has_lazy and params.trials is not None:
            raise ConfigError(
                "Lazy {entry_label} needs a single network, not a stack of trials.", entry_label=entry.label
            )
        #: Lazy form: only the touched rows of row-sparse parameters (and their state) are updated.
        self.lazy = bool(lazy) and self.has_lazy
        self.reset()

    def _views(self) -> None:
        n = self.params.n_train
        whole = n == len(self.params)
        self._p = self.params.values if whole else self.params.values[..., :n]
        self._g = self.params.grads if whole else self.params.grads[..., :n]
        self._n_decay = self.params.n_decay
        # Trainable positions outside every row-sparse parameter: always updated.
        keep = np.ones(n, dtype=bool)
        for name in self.params.row_sparse:
            sl, _ = self.params.slices[name]
            keep[sl.start : min(sl.stop, n)] = False
        self._dense_positions = np.flatnonzero(keep)

    def reset(self) -> None:
        """Forget all state (moments, accumulators, step count)."""
        self.t = 0
        self._views()
        self.state = {name: np.zeros_like(self._p) for name in self.buffers}
        self._tmp = np.empty_like(self._p)

    def keep_trials(self, rows: np.ndarray) -> None:
        """After ``params.take(rows)``: keep those trials' state (and per-trial rates)."""
        self._views()
        self.state = {k: np.ascontiguousarray(v[rows]) for k, v in self.state.items()}
        self._tmp = np.empty_like(self._p)
        if np.ndim(self.lr):
            self.lr = self.lr[rows]

    def set_hyper(self, **hyper: Any) -> None:
        """Change hyperparameters on the fly, keeping the state (validated like the constructor)."""
        entry = OPTIMIZERS[self.name]
        merged = entry.resolve({"lr": self.lr, **self.hyper, **hyper})
        self.lr = float(merged.pop("lr"))
        self.hyper = merged

    def zero_grad(self) -> None:
        self.params.zero_grad()

    def step(self) -> None:
        self.t += 1
        if self.params.row_sparse:
            touched = self.params.take_touched()
            if self.untouched_rows == "still" or self.lazy:
                idx = self._row_sparse_positions(touched)
                if self.lazy or 2 * len(idx) < self._p.shape[-1]:
                    self._update_at(idx)
                    return
        self._update(self._p, self._g)

    def _row_sparse_positions(self, touched: dict[str, np.ndarray]) -> np.ndarray:
        """The dense positions plus the touched rows' positions of trainable row-sparse parameters."""
        n = self.params.n_train
        parts = [self._dense_positions]
        for name, rows in touched.items():
            if len(rows) and self.params.slices[name][0].stop <= n:
                parts.append(self.params.row_positions(name, rows))
        return np.concatenate(parts) if len(parts) > 1 else parts[0]

    #: While a gathered update runs: how many of the gathered entries are dense parameters.
    _gathered_dense: int | None = None

    def _update_at(self, idx: np.ndarray) -> None:
        """Run the update rule on the entries ``idx`` only (gathered, updated, scattered back)."""
        if len(idx) == 0:
            return
        p, g = self._p[..., idx], self._g[..., idx]
        full_state, full_tmp, full_lr = self.state, self._tmp, self.lr
        self._gathered_dense = len(self._dense_positions)
        state = {k: v[..., idx] for k, v in full_state.items()}
        self.state = dict(state)
        self._tmp = np.empty_like(p)
        if np.ndim(full_lr) and np.shape(full_lr)[-1] > 1:  # one rate per entry (a stack of trials)
            self.lr = full_lr[..., idx]
        try:
            self._update(p, g)
            for k, v in state.items():
                full_state[k][..., idx] = v
        finally:
            self.state, self._tmp, self.lr = full_state, full_tmp, full_lr
            self._gathered_dense = None
        self._p[..., idx] = p

    def _update(self, p: np.ndarray, g: np.ndarray) -> None:
        sgd_update(p, g, self.lr)

    def _decay_lr(self):
        """The learning rate over the decayed (weight) entries."""
        lr = self.lr
        return lr[..., : self._n_decay] if np.ndim(lr) and np.shape(lr)[-1] > 1 else lr

    def state_dict(self) -> dict[str, Any]:
        """Name, learning rate, hyperparameters, step count and per-parameter state (arrays)."""
        lead = self._p.shape[:-1]
        per_param = {
            pname: {buf: self.state[buf][..., sl].reshape((*lead, *shape)).copy() for buf in self.buffers}
            for pname, (sl, shape) in self.params.slices.items()
            if sl.stop <= self.params.n_train
        }
        return {
            "name": self.name,
            "lr": self.lr if not np.ndim(self.lr) else np.asarray(self.lr).copy(),
            "hyper": dict(self.hyper),
            "step": self.t,
            "lazy": self.lazy,
            "state": per_param,
        }

    def load_state_dict(self, d: dict[str, Any]) -> None:
        if d.get("name") != self.name:
            raise ConfigError(
                "Saved optimizer state is for {saved!r}, not {name!r}.", saved=d.get("name"), name=self.name
            )
        if bool(d.get("lazy", False)) != self.lazy:
            raise ConfigError(
                "Saved optimizer state has lazy={saved}, this one lazy={lazy}.",
                saved=d.get("lazy"),
                lazy=self.lazy,
            )
        lr = d["lr"]
        self.set_hyper(**d["hyper"]) if np.ndim(lr) else self.set_hyper(lr=lr, **d["hyper"])
        if np.ndim(lr):
            self.lr = np.asarray(lr, dtype=np.float64)
        self.t = int(d["step"])
        lead = self._p.shape[:-1]
        for pname, (sl, shape) in self.params.slices.items():
            if sl.stop > self.params.n_train:
                continue
            saved = d["state"].get(pname)
            if saved is None:
                raise ConfigError("Saved optimizer state has no entry for parameter {pname!r}.", pname=pname)
            for buf in self.buffers:
                arr = np.asarray(saved[buf], dtype=np.float64)
                if arr.shape != (*lead, *shape):
                    raise ConfigError(
                        "Saved optimizer state for {pname!r} has shape {arr_shape}, not {expected}.",
                        pname=pname,
                        arr_shape=arr.shape,
                        expected=(*lead, *shape),
                    )
                self.state[buf][..., sl] = arr.reshape((*lead, -1))


@OPTIMIZERS.register(
    "sgd",
    description=N_("Plain (mini-batch) gradient descent: θ ← θ − α·g."),
    label=N_("SGD"),
    lr=Param(0.01, 1e-6, 100.0, _LR, log=True, label=N_("learning rate α")),
)
class SGD(Optimizer):
    name = "sgd"
    untouched_rows = "still"


@OPTIMIZERS.register(
    "momentum",
    description=N_("SGD with momentum: a velocity that accumulates gradients (v ← μ·v + g)."),
    label=N_("Momentum"),
    lr=Param(0.01, 1e-6, 100.0, _LR, log=True, label=N_("learning rate α")),
    momentum=Param(
        0.9, 0.0, 0.999, N_("Momentum μ: how much of the previous velocity is kept."), label=N_("momentum μ")
    ),
    ema=Param(
        False,
        help=N_("Use Ng's form v ← β·v + (1−β)·g (same path with α scaled by 1−β)."),
        label=N_("Ng's EMA form"),
    ),
)
class Momentum(Optimizer):
    name = "momentum"
    buffers = ("momentum_buffer",)
    nesterov = False

    def _update(self, p, g):
        h = self.hyper
        momentum_update(p, g, self.state["momentum_buffer"], self.lr, h["momentum"], self.nesterov, h["ema"])


@OPTIMIZERS.register(
    "nesterov",
    description=N_("Nesterov momentum: looks ahead along the velocity before stepping."),
    label=N_("Nesterov"),
    lr=Param(0.01, 1e-6, 100.0, _LR, log=True, label=N_("learning rate α")),
    momentum=Param(
        0.9, 0.0, 0.999, N_("Momentum μ: how much of the previous velocity is kept."), label=N_("momentum μ")
    ),
    ema=Param(
        False,
        help=N_("Use Ng's form v ← β·v + (1−β)·g (same path with α scaled by 1−β)."),
        label=N_("Ng's EMA form"),
    ),
)
class Nesterov(Momentum):
    name = "nesterov"
    nesterov = True


@OPTIMIZERS.register(
    "adagrad",
    description=N_("AdaGrad: per-parameter steps shrink with the sum of past squared gradients."),
    label=N_("AdaGrad"),
    lr=Param(0.01, 1e-6, 100.0, _LR, log=True, label=N_("learning rate α")),
    eps=Param(
        1e-10,
        0.0,
        1.0,
        N_("ε added to the root for numerical stability (PyTorch: 1e-10)."),
        log=True,
        label=N_("ε"),
    ),
    initial_accumulator_value=Param(
        0.0, 0.0, 10.0, N_("Starting value of the squared-gradient sum."), label=N_("initial accumulator")
    ),
)
class AdaGrad(Optimizer):
    name = "adagrad"
    buffers = ("sum",)
    untouched_rows = "still"

    def reset(self):
        super().reset()
        self.state["sum"] += self.hyper["initial_accumulator_value"]

    def _update(self, p, g):
        adagrad_update(p, g, self.state["sum"], self.lr, self.hyper["eps"])


@OPTIMIZERS.register(
    "rmsprop",
    description=N_("RMSProp: steps scaled by a moving average of squared gradients."),
    label=N_("RMSProp"),
    lr=Param(0.01, 1e-6, 100.0, _LR, log=True, label=N_("learning rate α")),
    alpha=Param(
        0.99,
        0.0,
        0.9999,
        N_("Decay ρ of the squared-gradient average (PyTorch's alpha)."),
        label=N_("decay ρ"),
    ),
    eps=Param(1e-8, 0.0, 1.0, N_("ε added to the root for numerical stability."), log=True, label=N_("ε")),
    momentum=Param(0.0, 0.0, 0.999, N_("Optional momentum on the scaled step."), label=N_("momentum μ")),
    centered=Param(
        False,
        help=N_("Divide by the gradient's variance instead of its raw second moment."),
        label=N_("centered"),
    ),
)
class RMSProp(Optimizer):
    name = "rmsprop"
    buffers = ("square_avg", "momentum_buffer", "grad_avg")

    def _update(self, p, g):
        h = self.hyper
        rmsprop_update(
            p,
            g,
            self.state["square_avg"],
            self.lr,
            h["alpha"],
            h["eps"],
            h["momentum"],
            self.state["momentum_buffer"] if h["momentum"] > 0 else None,
            h["centered"],
            self.state["grad_avg"],
        )


_ADAM_PARAMS = dict(
    beta1=Param(0.9, 0.0, 0.9999, N_("Decay β₁ of the gradient average (first moment)."), label=N_("β₁")),
    beta2=Param(
        0.999, 0.0, 0.99999, N_("Decay β₂ of the squared-gradient average (second moment)."), label=N_("β₂")
    ),
    eps=Param(1e-8, 0.0, 1.0, N_("ε added to the root for numerical stability."), log=True, label=N_("ε")),
)


@OPTIMIZERS.register(
    "adam",
    description=N_("Adam: momentum plus RMSProp scaling, with bias correction."),
    label=N_("Adam"),
    lr=Param(0.001, 1e-6, 100.0, _LR, log=True, label=N_("learning rate α")),
    **_ADAM_PARAMS,
)
class Adam(Optimizer):
    name = "adam"
    buffers = ("exp_avg", "exp_avg_sq")
    has_lazy = True

    def _update(self, p, g):
        h = self.hyper
        if self.lazy and self._gathered_dense is not None:
            # The gathered entries: dense parameters first (torch.optim.Adam), then the touched
            # rows of row-sparse parameters (torch.optim.SparseAdam).
            d = self._gathered_dense
            m, v = self.state["exp_avg"], self.state["exp_avg_sq"]
            sparse_adam_update(p[d:], g[d:], m[d:], v[d:], self.t, self.lr, h["beta1"], h["beta2"], h["eps"])
            p, g, self.state = p[:d], g[:d], {"exp_avg": m[:d], "exp_avg_sq": v[:d]}
            self._tmp = self._tmp[:d]
        adam_update(
            p,
            g,
            self.state["exp_avg"],
            self.state["exp_avg_sq"],
            self.t,
            self.lr,
            h["beta1"],
            h["beta2"],
            h["eps"],
            self._tmp,
        )


@OPTIMIZERS.register(
    "adamw",
    description=N_("AdamW: Adam with weight decay applied to the weights directly (decoupled)."),
    label=N_("AdamW"),
    lr=Param(0.001, 1e-6, 100.0, _LR, log=True, label=N_("learning rate α")),
    **_ADAM_PARAMS,
    weight_decay=Param(
        0.01,
        0.0,
        10.0,
        N_("Decoupled decay λ: each step multiplies weights by (1 − α·λ)."),
        label=N_("weight decay λ"),
    ),
)
class AdamW(Adam):
    name = "adamw"
    has_lazy = False

    def _update(self, p, g):
        wd = self.hyper["weight_decay"]
        if wd:
            decoupled_decay(p[..., : self._n_decay], self._decay_lr(), wd)
        super()._update(p, g)


def make_optimizer(
    name: str, params: ParamSet, lr: float | None = None, hyper: dict | None = None, *, lazy: bool = False
) -> Optimizer:
    """Build a registered optimizer; unknown names, bad hyperparameters or an ``"lr"`` inside
    ``hyper`` (the learning rate has one spelling: the ``lr`` argument) raise ConfigError.
    ``lazy``: the lazy form for row-sparse parameters (Adam only; see the module doc)."""
    entry = OPTIMIZERS[name]
    if "lr" in (hyper or {}):
        raise ConfigError(
            "{entry_label}: give the learning rate as the lr argument, not among the other settings.",
            entry_label=entry.label,
        )
    return entry.obj(params, lr, lazy=lazy, **(hyper or {}))
