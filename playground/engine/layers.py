"""Layers: each a small class with ``forward(x, training)`` caching what ``backward(grad)`` needs.

A layer declares its parameters with :meth:`Layer.param_specs` (local name, shape, kind) and its
non-trained state with :meth:`Layer.buffer_specs`; the network allocates them in one
:class:`~playground.engine.params.ParamSet` and hands the views back through :meth:`Layer.bind`
(names are ``"<layer name>.<local name>"``, e.g. ``h1.W``). ``backward`` accumulates parameter
gradients with ``+=`` and returns the gradient with respect to the layer's input; it never mutates
the layer's input.

**The trials axis.** A network may stack T same-shaped nets (``ParamSet(trials=T)``): then every
parameter has a leading axis of T, and inputs are (T, batch, …) — or (batch, …) when all trials see
the same batch, which broadcasts. ``self.trials`` (None or T) tells a layer which it is; the batch
axis is axis 0 for one net and axis 1 with trials. Layers work on any trailing shape they accept.

**Adding a layer** is one class and one registry line::

    @LAYERS.register("scale", description="y = s·x with a learned s per feature.",
                     init=Param(1.0, -10.0, 10.0, "Initial scale."))
    class Scale(Layer):
        def __init__(self, in_shape, init=1.0):
            self.width, self.init = in_shape[-1], init
        def param_specs(self):
            return [("s", (self.width,), "other")]
        def init_params(self, rng):
            self.p["s"].value[...] = self.init
        def forward(self, x, training):
            self._x = x
            return x * self.row(self.p["s"].value)
        def backward(self, grad):
            self.p["s"].grad[...] += self.batch_sum(grad * self._x)
            return grad * self.row(self.p["s"].value)

and a spec ``{"type": "scale", "name": "s1", "init": 0.5}`` in a network's layer list.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from playground.engine.params import Parameter, ParamSet
from playground.engine.registry import N_, Param, Registry
from playground.errors import ConfigError

LAYERS = Registry("layer")

Shape = tuple[int, ...]


def _shape(in_shape: Shape | int) -> Shape:
    return (int(in_shape),) if isinstance(in_shape, int | np.integer) else tuple(in_shape)


class Layer:
    """Base class: a parameter-free identity.

    Subclasses are built by :func:`build_layer` as ``cls(in_shape, **settings)`` where
    ``in_shape`` is one example's input shape (no batch or trials axis) and ``settings`` the spec's
    validated hyperparameters.
    """

    #: "<name>." prefix of this layer's parameters (set by :func:`build_layer` from the spec).
    name: str = ""
    #: None for one network, T with a leading trials axis (set by :meth:`bind`).
    trials: int | None = None
    #: The first layer of a network need not compute its input gradient in training.
    skip_input_grad: bool = False

    # -- structure ------------------------------------------------------------------------------
    def param_specs(self) -> list[tuple[str, Shape, str]]:
        """(local name, shape for one network, kind) of each parameter."""
        return []

    def buffer_specs(self) -> list[tuple[str, Shape, float]]:
        """(local name, shape for one network, initial value) of each non-trained state array."""
        return []

    def output_shape(self, in_shape: Shape) -> Shape:
        return in_shape

    def children(self) -> list[Layer]:
        return []

    def leaves(self) -> Iterator[Layer]:
        """This layer, or every non-container layer below it, in forward order."""
        kids = self.children()
        if not kids:
            yield self
        for child in kids:
            yield from child.leaves()

    # -- parameters, buffers, noise ---------------------------------------------------------------
    def bind(
        self, params: ParamSet | dict[str, Parameter], buffers: dict[str, np.ndarray] | str | None = None
    ) -> None:
        """Receive this layer's parameter and buffer views (``self.p``, ``self.buf``, by local name).

        A network passes its buffers; a layer used on its own may pass a name prefix instead (or
        nothing) and gets fresh buffers of its own.
        """
        if buffers is None or isinstance(buffers, str):
            if isinstance(buffers, str):
                self.name = buffers
            lead = () if getattr(params, "trials", None) is None else (params.trials,)
            buffers = {
                self.name + n: np.full((*lead, *shape), float(fill)) for n, shape, fill in self.buffer_specs()
            }
        prefix = self.name
        self.trials = getattr(params, "trials", None)
        self.p = {local: params[prefix + local] for local, _, _ in self.param_specs()}
        self.buf = {local: buffers[prefix + local] for local, _, _ in self.buffer_specs()}
        self.on_bind()

    def on_bind(self) -> None:
        """Cache views after :meth:`bind` (the hot path reads plain attributes)."""

    def init_params(self, rng: np.random.Generator) -> None:
        """Fill this layer's parameters (one network's views) with their initial values."""

    def set_noise(self, rng: np.random.Generator | list[np.random.Generator]) -> None:
        """The generator(s) behind training-time noise: one, or one per trial."""

    def keep_trials(self, rows: np.ndarray) -> None:
        """Keep only these trials' per-trial settings (after the network dropped the others)."""

    def reset_state(self) -> None:
        """Forget what is carried from one batch to the next (none here; a stateful recurrent layer
        keeps its last hidden state for truncated backpropagation through time)."""

    # -- helpers for the trials axis -----------------------------------------------------------------
    def row(self, v: np.ndarray) -> np.ndarray:
        """A per-feature parameter (one net: (F,), trials: (T, F)) shaped to broadcast against a
        batch (one net: (B, F), trials: (T, B, F))."""
        return v if self.trials is None else v[:, None]

    def batch_sum(self, g: np.ndarray) -> np.ndarray:
        """Sum over the batch axis (0 for one net, 1 with trials; a shared batch has no trials axis)."""
        return g.sum(axis=0 if self.trials is None else 1)

    # -- computation ---------------------------------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        return x

    def backward(self, grad: np.ndarray) -> np.ndarray | None:
        return grad


def _batch_sum_rows(g: np.ndarray) -> np.ndarray:
    """Σ over the batch axis of (T, B, F), in the order ``g[t].sum(axis=0)`` sums (so a trial
    matches a single network bit for bit): sequentially over rows for several columns (einsum does
    that, 3x faster than sum(axis=1)), pairwise for a single column (as NumPy sums a contiguous run)."""
    if g.shape[-1] == 1:
        return g.sum(axis=1)
    return np.einsum("tbi->ti", g)


@LAYERS.register(
    "dense",
    description=N_("Affine map z = x·W + b (a fully connected layer)."),
    units=Param(1, 1, 100000, N_("Output units.")),
    init=Param("xavier_normal", help=N_("Weight initializer (a name from INITIALIZERS).")),
    init_params=Param({}, help=N_("The initializer's settings.")),
    bias_init=Param(0.0, -100.0, 100.0, N_("Initial value of every bias.")),
)
class Dense(Layer):
    """Affine map ``z = x @ W + b`` with ``W`` of shape (fan_in, fan_out).

    Backward: ``dW += xᵀ·g``, ``db += Σ_rows g``, ``dx = g·Wᵀ``. Weight decay acts on W, not b.
    """

    def __init__(
        self,
        in_shape: Shape,
        units: int = 1,
        init: Any = "xavier_normal",
        init_params: dict | None = None,
        bias_init: float = 0.0,
    ):
        from playground.engine.initializers import make_initializer

        in_shape = _shape(in_shape)
        #: Axes before the features in one example (a sequence's steps): the map applies to the last.
        self.extra = len(in_shape) - 1
        self.fan_in, self.fan_out = int(in_shape[-1]), int(units)
        self.init = make_initializer(init, init_params) if isinstance(init, str) else init
        self.bias_init = float(bias_init)

    def param_specs(self):
        return [("W", (self.fan_in, self.fan_out), "weight"), ("b", (self.fan_out,), "bias")]

    def output_shape(self, in_shape):
        return (*in_shape[:-1], self.fan_out)

    def on_bind(self):
        self.W, self.b = self.p["W"], self.p["b"]
        self._W, self._b = self.W.value, self.row(self.b.value)
        if self.trials is not None and self.extra:  # (Tr, 1, …, fan_in, fan_out) against (Tr, N, …)
            self._W = self._W[(slice(None),) + (None,) * self.extra]
            self._b = self.b.value[(slice(None),) + (None,) * (self.extra + 1)]
        self._dW, self._db = self.W.grad, self.b.grad
        self._WT = np.swapaxes(self._W, -1, -2)

    def init_params(self, rng):
        self.p["W"].value[...] = self.init(rng, self.fan_in, self.fan_out, (self.fan_in, self.fan_out))
        self.p["b"].value[...] = self.bias_init

    def forward(self, x, training):
        self._x = x
        z = x @ self._W
        z += self._b
        return z

    def backward(self, grad):
        x = self._x
        if self.extra:
            self._backward_params_flat(x, grad)
        elif self.trials is None:
            self._dW += x.T @ grad
            self._db += grad.sum(axis=0)
        else:
            self._dW += np.swapaxes(x, -1, -2) @ grad
            self._db += _batch_sum_rows(grad)
        if self.skip_input_grad:
            return None  # the first layer's input gradient is never needed in training
        return grad @ self._WT

    def _backward_params_flat(self, x, grad):
        """Parameter gradients when each example has more axes (a sequence's steps): all positions
        are rows of one product."""
        if self.trials is None:
            g = grad.reshape(-1, self.fan_out)
            self._dW += x.reshape(-1, self.fan_in).T @ g
            self._db += g.sum(axis=0)
        else:
            g = grad.reshape(grad.shape[0], -1, self.fan_out)
            xs = x.reshape(x.shape[0] if x.ndim == grad.ndim else 1, -1, self.fan_in)
            self._dW += np.swapaxes(xs, -1, -2) @ g
            self._db += g.sum(axis=1)


@LAYERS.register(
    "batch_norm",
    description=N_("Batch normalization over the feature axis (torch.nn.BatchNorm1d)."),
    momentum=Param(0.1, 0.0, 1.0, N_("Running-statistics momentum m: r ← (1−m)·r + m·batch.")),
    eps=Param(1e-5, 0.0, 1.0, N_("ε added to the variance.")),
)
class BatchNorm(Layer):
    """Batch normalization over the feature axis, as ``torch.nn.BatchNorm1d``.

    Training: ``x̂ = (x − μ_B)/√(σ²_B + ε)``, ``y = γ·x̂ + β`` with the batch mean and biased batch
    variance; running statistics follow PyTorch: ``r ← (1−m)·r + m·batch`` with m = 0.1 and the
    *unbiased* batch variance for ``running_var``. (Saito's book writes ``momentum=0.9`` for "keep
    90 % of the old value"; that is PyTorch's m = 0.1.) Eval: the running statistics. With a
    trials axis each trial normalizes over its own batch.

    Backward (training)::

        dx = (1/N)·(1/√(σ²+ε))·(N·dx̂ − Σdx̂ − x̂·Σ(dx̂·x̂)),   dx̂ = g·γ
        dγ = Σ g·x̂,   dβ = Σ g
    """

    def __init__(self, in_shape: Shape, momentum: float = 0.1, eps: float = 1e-5):
        in_shape = _shape(in_shape)
        if len(in_shape) != 1:
            raise ConfigError("batch_norm normalizes flat features, got shape {in_shape}.", in_shape=in_shape)
        self.width, self.momentum, self.eps = int(in_shape[0]), float(momentum), float(eps)

    def param_specs(self):
        return [("gamma", (self.width,), "bn"), ("beta", (self.width,), "bn")]

    def buffer_specs(self):
        return [("running_mean", (self.width,), 0.0), ("running_var", (self.width,), 1.0)]

    def on_bind(self):
        self.gamma, self.beta = self.p["gamma"], self.p["beta"]
        self.running_mean, self.running_var = self.buf["running_mean"], self.buf["running_var"]

    def init_params(self, rng):
        self.p["gamma"].value[...] = 1.0
        self.p["beta"].value[...] = 0.0

    def forward(self, x, training):
        if self.trials is not None:
            return self._forward_trials(x, training)
        if training:
            n = x.shape[0]
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.einsum("ij,ij->j", xc, xc) / n
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
        return xhat * self.gamma.value + self.beta.value

    def _forward_trials(self, x, training):
        rm, rv = self.running_mean[:, None], self.running_var[:, None]
        if training:
            n = x.shape[1]
            mu = x.mean(axis=1, keepdims=True)
            xc = x - mu
            var = np.einsum("tij,tij->tj", xc, xc)[:, None, :] / n
            inv_std = 1.0 / np.sqrt(var + self.eps)
            m = self.momentum
            rm *= 1.0 - m
            rm += m * mu
            rv *= 1.0 - m
            rv += (m * n / max(n - 1, 1)) * var
            self._training = True
        else:
            xc = x - rm
            inv_std = 1.0 / np.sqrt(rv + self.eps)
            self._training = False
        xhat = xc * inv_std
        self._xhat, self._inv_std = xhat, inv_std
        return xhat * self.gamma.value[:, None] + self.beta.value[:, None]

    def backward(self, grad):
        xhat = self._xhat
        if self.trials is not None:
            self.gamma.grad[...] += np.einsum("tij,tij->tj", grad, xhat)
            self.beta.grad[...] += _batch_sum_rows(grad)
            dxhat = grad * self.gamma.value[:, None]
            if not self._training:
                return dxhat * self._inv_std
            n = grad.shape[1]
            return (self._inv_std / n) * (
                n * dxhat
                - dxhat.sum(axis=1, keepdims=True)
                - xhat * np.einsum("tij,tij->tj", dxhat, xhat)[:, None, :]
            )
        dgamma, dbeta = self.gamma.grad, self.beta.grad
        dgamma += np.einsum("ij,ij->j", grad, xhat)
        dbeta += grad.sum(axis=0)
        dxhat = grad * self.gamma.value
        if not self._training:
            return dxhat * self._inv_std
        n = grad.shape[0]
        return (self._inv_std / n) * (
            n * dxhat - dxhat.sum(axis=0) - xhat * np.einsum("ij,ij->j", dxhat, xhat)
        )


def _per_trial(value: Any, name: str, low: float, high: float) -> float | np.ndarray:
    """A setting given once (a number) or once per trial (a list): validated, as float or array."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim > 1 or not np.all((arr >= low) & (arr < high)):
        raise ConfigError(
            "{name} must be in [{low}, {high}) (one number, or one per trial), got {value!r}.",
            name=name,
            low=low,
            high=high,
            value=value,
        )
    return float(arr) if arr.ndim == 0 else arr


@LAYERS.register(
    "dropout",
    description=N_("Inverted dropout: zero each unit with probability p while training, scale the rest."),
    rate=Param(
        None, help=N_("Probability p of dropping a unit, in [0, 1) (default 0.5); a list: one per trial.")
    ),
)
class Dropout(Layer):
    """Inverted dropout: while training, zero each unit with probability p and scale the rest by
    1/(1−p), so nothing changes at test time. (Saito's book scales by (1−p) at test time instead;
    the two agree in expectation.) The mask comes from the network's seeded generator; with a
    trials axis each trial draws from its own generator with its own rate (a rate of 0 draws nothing).
    """

    def __init__(self, in_shape: Shape, rate: Any = None, rng: np.random.Generator | None = None):
        self.rate = _per_trial(0.5 if rate is None else rate, "Dropout rate", 0.0, 1.0)
        self.rng = rng
        self._mask = None

    def set_noise(self, rng):
        self.rng = rng

    def keep_trials(self, rows):
        if isinstance(self.rate, np.ndarray):
            self.rate = self.rate[rows]

    def forward(self, x, training):
        if self.trials is not None:
            return self._forward_trials(x, training)
        if not training or self.rate == 0.0:
            self._mask = None
            return x
        keep = 1.0 - self.rate
        self._mask = (self.rng.random(x.shape) < keep) * (1.0 / keep)
        return x * self._mask

    def _forward_trials(self, x, training):
        if not training:
            self._mask = None
            return x
        rates = np.broadcast_to(self.rate, (len(self.rng),))
        shape = x.shape[1:]
        mask = np.ones(x.shape)
        for i, (rate, rng) in enumerate(zip(rates, self.rng, strict=True)):
            if rate > 0.0:
                keep = 1.0 - rate
                mask[i] = (rng.random(shape) < keep) * (1.0 / keep)
        self._mask = mask
        return x * mask

    def backward(self, grad):
        return grad if self._mask is None else grad * self._mask


@LAYERS.register(
    "activation",
    description=N_("An activation function from ACTIVATIONS, applied elementwise (or per group: Maxout)."),
    activation=Param("relu", help=N_("The activation's registry name.")),
    params=Param({}, help=N_("The activation's settings.")),
)
def _activation_layer(in_shape: Shape, activation: str = "relu", params: dict | None = None) -> Layer:
    from playground.engine.activations import make_activation

    return make_activation(activation, in_shape, None, params, from_input=True)


class Sequential(Layer):
    """Layers applied one after another; backward runs them in reverse."""

    def __init__(self, layers: Sequence[Layer]):
        self.layers = list(layers)
        self._reversed = self.layers[::-1]

    def children(self):
        return self.layers

    def forward(self, x, training):
        for layer in self.layers:
            x = layer.forward(x, training)
        return x

    def backward(self, grad):
        # Only the network's first layer may return None (no input gradient wanted), and it is the
        # last one called here, so no check is needed inside the loop.
        for layer in self._reversed:
            grad = layer.backward(grad)
        return grad


class Residual(Layer):
    """``y = x + f(x)`` around a block (He et al. 2016): the gradient flows down both paths,
    ``dx = g + f'(x)ᵀ·g``, so a deep stack still passes a signal to its first layers."""

    def __init__(self, block: Layer):
        self.block = block

    def children(self):
        return [self.block]

    def forward(self, x, training):
        return x + self.block.forward(x, training)

    def backward(self, grad):
        g_block = self.block.backward(grad)
        if g_block is None:
            return None
        return g_block + grad


def _build_sequence(specs: Sequence[dict], in_shape: Shape) -> tuple[list[Layer], Shape]:
    layers = []
    for spec in specs:
        layer, in_shape = build_layer(spec, in_shape)
        layers.append(layer)
    return layers, in_shape


@LAYERS.register(
    "sequential",
    description=N_("A list of layers applied in order."),
    layers=Param([], help=N_("The layer specs, in order.")),
)
def _sequential_layer(in_shape: Shape, layers: Sequence[dict] = ()) -> Layer:
    built, out_shape = _build_sequence(layers, in_shape)
    seq = Sequential(built)
    seq.out_shape = out_shape
    return seq


@LAYERS.register(
    "residual",
    description=N_("y = x + f(x) around a block of layers whose output has the input's shape."),
    block=Param([], help=N_("The block's layer specs, in order.")),
)
def _residual_layer(in_shape: Shape, block: Sequence[dict] = ()) -> Layer:
    built, out_shape = _build_sequence(block, in_shape)
    if tuple(out_shape) != tuple(in_shape):
        raise ConfigError(
            "A residual block must keep its input's shape {in_shape}, but it outputs {out_shape}.",
            in_shape=tuple(in_shape),
            out_shape=tuple(out_shape),
        )
    res = Residual(Sequential(built))
    res.out_shape = tuple(in_shape)
    return res


def build_layer(spec: dict[str, Any], in_shape: Shape) -> tuple[Layer, Shape]:
    """Build one layer (and any layers inside it) from a JSON-like spec ``{"type": ..., "name":
    ..., **settings}`` for inputs of shape ``in_shape``; return it with its output shape."""
    if not isinstance(spec, dict) or "type" not in spec:
        raise ConfigError("A layer spec must be a dict with a 'type', got {spec!r}.", spec=spec)
    entry = LAYERS[spec["type"]]
    settings = {k: v for k, v in spec.items() if k not in ("type", "name")}
    layer = entry.obj(tuple(in_shape), **entry.resolve(settings))
    name = spec.get("name", "")
    if name:
        layer.name = f"{name}."
    out_shape = getattr(layer, "out_shape", None) or layer.output_shape(tuple(in_shape))
    return layer, tuple(out_shape)
