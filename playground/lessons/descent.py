"""Gradient descent on one weight (the PyTorch tutorial's y = 2x) and a gradient check on a small net.

:func:`fit_line` learns ``ŷ = w·x`` from (1, 2), (2, 4), (3, 6) with squared error, one update per
example (as the tutorial) or per epoch (full batch), using the engine's SGD optimizer.
:func:`gradient_check` compares, for one chosen weight of a small engine network, the backprop
gradient with the central-difference estimate, using :mod:`playground.engine.gradcheck`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.engine import Network, NetworkConfig, ParamSet, make_optimizer
from playground.engine.gradcheck import analytic_gradients, network_loss_fn, relative_error
from playground.errors import ConfigError
from playground.i18n import N_

XS = (1.0, 2.0, 3.0)
YS = (2.0, 4.0, 6.0)
MODES = {
    "sample": N_("one update per example (stochastic, as the PyTorch tutorial)"),
    "batch": N_("one update per epoch with the mean gradient (full batch)"),
}


@dataclass
class LineFit:
    """Per epoch e = 0..epochs: w after e epochs, the full-data gradient dL/dw and loss L at that w."""

    epochs: np.ndarray
    w: np.ndarray
    grad: np.ndarray
    loss: np.ndarray
    diverged: bool
    updates: np.ndarray  # w after every update (the start first): per example or per epoch

    @property
    def overshoots(self) -> bool:
        """Some update jumped past the target 2 (the signature of a too-large learning rate)."""
        side = np.sign(self.updates - 2.0)
        side = side[side != 0]
        return bool(np.any(side[1:] != side[:-1]))

    def rows(self) -> list[dict[str, float]]:
        return [
            {"epoch": int(e), "w": float(w), "dL/dw": float(g), "loss": float(lo)}
            for e, w, g, lo in zip(self.epochs, self.w, self.grad, self.loss, strict=True)
        ]


def line_loss(w: float, xs=XS, ys=YS) -> tuple[float, float]:
    """(L, dL/dw) with L = mean over the data of (w·x − y)², dL/dw = mean of 2x(w·x − y)."""
    x, y = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    r = w * x - y
    return float(np.mean(r * r)), float(np.mean(2.0 * x * r))


def fit_line(lr: float = 0.01, epochs: int = 10, w0: float = 1.0, mode: str = "sample") -> LineFit:
    """Learn y = 2x by gradient descent with the engine's SGD; stops early if w leaves ±1e6."""
    if mode not in MODES:
        raise ConfigError(
            "Unknown mode {mode}; choose one of {choices}.", mode=repr(mode), choices=", ".join(MODES)
        )
    if not 0 < lr <= 10:
        raise ConfigError("The learning rate must be in (0, 10], got {lr}.", lr=lr)
    if not 1 <= int(epochs) <= 1000:
        raise ConfigError("Use between 1 and 1000 epochs, got {epochs}.", epochs=epochs)
    params = ParamSet.from_arrays({"w": np.array([float(w0)])}, kind="weight")
    opt = make_optimizer("sgd", params, lr)
    ws, grads, losses = [], [], []
    updates = [float(w0)]
    diverged = False

    def record():
        loss, g = line_loss(params.values[0])
        ws.append(params.values[0])
        grads.append(g)
        losses.append(loss)

    record()
    with np.errstate(all="ignore"):
        for _ in range(int(epochs)):
            if mode == "sample":
                for x, y in zip(XS, YS, strict=True):
                    params.grads[0] = 2.0 * x * (params.values[0] * x - y)
                    opt.step()
                    updates.append(float(params.values[0]))
            else:
                params.grads[0] = line_loss(params.values[0])[1]
                opt.step()
                updates.append(float(params.values[0]))
            if not (np.isfinite(params.values[0]) and abs(params.values[0]) < 1e6):
                diverged = True
                break
            record()
    return LineFit(
        np.arange(len(ws)), np.array(ws), np.array(grads), np.array(losses), diverged, np.array(updates)
    )


def critical_lr(mode: str = "sample") -> float:
    """Full batch: w − 2 is multiplied by (1 − α·2·mean(x²)) each epoch, so steps overshoot past
    α = 1/(2·mean(x²)) = 3/28 ≈ 0.107 and diverge past twice that."""
    return 1.0 / (2.0 * float(np.mean(np.square(XS))))


# -- gradient check ------------------------------------------------------------------------------
@dataclass
class CheckConfig:
    hidden: tuple[int, ...] = (3,)
    activation: str = "tanh"
    n_samples: int = 8
    seed: int = 0


@dataclass
class GradientCheck:
    param: str
    index: tuple[int, ...]
    analytic: float
    numeric: float
    relative_error: float
    h: float


def check_network(config: CheckConfig) -> tuple[Network, np.ndarray, np.ndarray]:
    """A small binary engine network and a seeded toy dataset (two inputs, labels by a circle)."""
    if not 1 <= int(config.n_samples) <= 200:
        raise ConfigError("Use between 1 and 200 examples, got {n}.", n=config.n_samples)
    net = Network(
        NetworkConfig(
            n_inputs=2,
            hidden=[int(w) for w in config.hidden],
            activation=config.activation,
            task="binary",
            seed=int(config.seed),
        )
    )
    rng = np.random.default_rng(int(config.seed) + 7)
    X = rng.uniform(-1, 1, size=(int(config.n_samples), 2))
    y = (np.hypot(X[:, 0], X[:, 1]) < 0.7).astype(float)
    return net, X, y


def parameter_entries(net: Network) -> list[tuple[str, tuple[int, ...]]]:
    """Every scalar parameter of the network as (name, index), in layer order."""
    return [
        (name, tuple(int(i) for i in idx))
        for name, p in net.params.params.items()
        for idx in np.ndindex(p.value.shape)
    ]


def entry_label(name: str, index: tuple[int, ...]) -> str:
    return f"{name}[{', '.join(str(i) for i in index)}]"


def gradient_check(config: CheckConfig, param: str, index: tuple[int, ...], h: float = 1e-5) -> GradientCheck:
    """Backprop's ∂L/∂θ for one entry θ beside (L(θ + h) − L(θ − h))/2h, and their relative error
    ‖a − n‖/(‖a‖ + ‖n‖) (Ng: below 1e-7 is great, above 1e-3 a bug)."""
    if not 0 < h < 1:
        raise ConfigError("The step h must be in (0, 1), got {h}.", h=h)
    net, X, y = check_network(config)
    if param not in net.params.params:
        raise ConfigError(
            "Unknown parameter {param}; known: {known}.",
            param=repr(param),
            known=", ".join(net.params.names()),
        )
    p = net.params[param]
    index = tuple(int(i) for i in index)
    if len(index) != p.value.ndim or any(not 0 <= i < s for i, s in zip(index, p.value.shape, strict=True)):
        raise ConfigError(
            "{param} has shape {shape}; index {index} is outside it.",
            param=param,
            shape=p.value.shape,
            index=index,
        )
    f = network_loss_fn(net, X, y)
    analytic = analytic_gradients(net, X, y, loss_fn=f)[param][index]
    old = p.value[index]
    p.value[index] = old + h
    plus = f()
    p.value[index] = old - h
    minus = f()
    p.value[index] = old
    numeric = (plus - minus) / (2.0 * h)
    return GradientCheck(param, index, float(analytic), float(numeric), relative_error(analytic, numeric), h)


def error_vs_h(
    config: CheckConfig, param: str, index: tuple[int, ...], hs: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Relative error of the central difference for a range of steps h: large h pays the O(h²)
    truncation error, tiny h the rounding error of float64 (≈ ε/h)."""
    hs = np.logspace(-1, -12, 23) if hs is None else np.asarray(hs, dtype=float)
    errs = np.array([gradient_check(config, param, index, float(h)).relative_error for h in hs])
    return hs, errs
