"""Weight initializers: ``init(rng, fan_in, fan_out, shape, **params) -> array``.

Every random draw comes from the seeded ``numpy.random.Generator`` passed in, so the same config
and seed give the same weights, bit for bit. Biases start at zero unless the config says otherwise.
"""

from __future__ import annotations

import numpy as np

from playground.engine.registry import N_, Param, Registry

INITIALIZERS = Registry("initializer")


def _register(name, label, description, **params):
    def deco(fn):
        INITIALIZERS.register(name, fn, description, label=label, **params)
        return fn

    return deco


@_register("zeros", N_("Zeros"), N_("All weights 0: every unit computes the same thing and stays so."))
def zeros(rng, fan_in, fan_out, shape):
    return np.zeros(shape)


@_register(
    "constant",
    N_("Constant"),
    N_("All weights equal: the symmetry is never broken."),
    value=Param(0.1, -10.0, 10.0, N_("The value of every weight."), label=N_("value")),
)
def constant(rng, fan_in, fan_out, shape, value=0.1):
    return np.full(shape, float(value))


@_register(
    "normal",
    N_("Normal (std)"),
    N_("N(0, std²) with a fixed std: 1 saturates deep nets, 0.01 makes signals vanish."),
    std=Param(0.01, 1e-6, 100.0, N_("Standard deviation of the weights."), log=True, label=N_("std σ")),
)
def normal(rng, fan_in, fan_out, shape, std=0.01):
    return rng.normal(0.0, std, size=shape)


@_register(
    "uniform",
    N_("Uniform (±limit)"),
    N_("U(−limit, limit) with a fixed limit (TF Playground uses ±0.5)."),
    limit=Param(
        0.5, 1e-6, 100.0, N_("Weights are drawn from U(−limit, limit)."), log=True, label=N_("limit")
    ),
)
def uniform(rng, fan_in, fan_out, shape, limit=0.5):
    return rng.uniform(-limit, limit, size=shape)


@_register(
    "lecun_normal",
    N_("LeCun"),
    N_("N(0, 1/fan_in): keeps the variance for linear/tanh units (the book's 'Xavier')."),
)
def lecun_normal(rng, fan_in, fan_out, shape):
    return rng.normal(0.0, np.sqrt(1.0 / fan_in), size=shape)


@_register(
    "xavier_normal",
    N_("Xavier/Glorot normal"),
    N_("N(0, 2/(fan_in+fan_out)): for sigmoid and tanh (Glorot & Bengio 2010)."),
)
def xavier_normal(rng, fan_in, fan_out, shape):
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=shape)


@_register(
    "xavier_uniform",
    N_("Xavier/Glorot uniform"),
    N_("U(±√(6/(fan_in+fan_out))): the same variance as Xavier normal."),
)
def xavier_uniform(rng, fan_in, fan_out, shape):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape)


@_register(
    "he_normal",
    N_("He/Kaiming normal"),
    N_("N(0, 2/fan_in): for ReLU, which zeroes half the signal (He 2015)."),
)
def he_normal(rng, fan_in, fan_out, shape):
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)


@_register("he_uniform", N_("He/Kaiming uniform"), N_("U(±√(6/fan_in)): the same variance as He normal."))
def he_uniform(rng, fan_in, fan_out, shape):
    limit = np.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, size=shape)


def make_initializer(name: str, params: dict | None = None):
    """A callable ``(rng, fan_in, fan_out, shape) -> array`` for a registered initializer."""
    entry = INITIALIZERS[name]
    kwargs = entry.resolve(params)
    fn = entry.obj
    return lambda rng, fan_in, fan_out, shape: fn(rng, fan_in, fan_out, shape, **kwargs)


def init_std(name: str, fan_in: int, fan_out: int, params: dict | None = None) -> float:
    """The standard deviation an initializer gives (for the UI: "std shown when it applies")."""
    kwargs = INITIALIZERS[name].resolve(params)
    return {
        "zeros": lambda: 0.0,
        "constant": lambda: 0.0,
        "normal": lambda: kwargs.get("std", 0.0),
        "uniform": lambda: kwargs.get("limit", 0.0) / np.sqrt(3.0),
        "lecun_normal": lambda: np.sqrt(1.0 / fan_in),
        "xavier_normal": lambda: np.sqrt(2.0 / (fan_in + fan_out)),
        "xavier_uniform": lambda: np.sqrt(2.0 / (fan_in + fan_out)),
        "he_normal": lambda: np.sqrt(2.0 / fan_in),
        "he_uniform": lambda: np.sqrt(2.0 / fan_in),
    }[name]()
