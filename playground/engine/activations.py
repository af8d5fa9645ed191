"""Activation functions, each with its derivative, as layers.

Each activation is one implementation, the layer pair ``forward(x, training)`` / ``backward(grad)``
used in training (the backward reuses what the forward cached); the curves the lessons draw,
``f(x)`` and ``df(x)``, are computed by that same pair.
"""

from __future__ import annotations

import numpy as np

from playground.engine.layers import Layer
from playground.engine.registry import N_, Param, Registry
from playground.errors import ConfigError

ACTIVATIONS = Registry("activation")

_SQRT_2_OVER_PI = float(np.sqrt(2.0 / np.pi))


def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1/(1+e^−x), computed as (1 + tanh(x/2))/2: exact, and never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


class Activation(Layer):
    """Base class of activations: ``forward`` caches what ``backward`` needs, and that one
    implementation also gives the curves the lessons draw (:meth:`f` and :meth:`df`).

    ``width`` is the number of units it outputs (its input has ``pieces`` times as many).
    """

    #: Units whose output is this small everywhere count as dead (ReLU family); None: never dead.
    dead_below: float | None = None
    #: (low, high): outputs beyond these count as saturated (sigmoid, tanh); None: never saturates.
    saturation: tuple[float, float] | None = None
    #: input width = pieces * output width (Maxout has k pieces).
    pieces: int = 1

    def __init__(self, width: int, rng: np.random.Generator | None = None):
        self.width = width
        self.rng = rng

    def set_noise(self, rng):
        self.rng = rng

    def output_shape(self, in_shape):
        return (*in_shape[:-1], in_shape[-1] // self.pieces)

    def f(self, x: np.ndarray) -> np.ndarray:
        """The activation (eval mode) of ``x``: the layer's own forward pass."""
        return self.forward(np.asarray(x, dtype=np.float64), False)

    def df(self, x: np.ndarray) -> np.ndarray:
        """d output/d input for each input entry (eval mode), from the layer's own backward pass:
        elementwise activations give f′(x); Maxout gives 1 at each unit's winning piece, 0 elsewhere."""
        y = self.f(x)
        return self.backward(np.ones_like(y))


@ACTIVATIONS.register(
    "identity", description=N_("f(x) = x: no non-linearity (a linear model)."), label=N_("Linear")
)
class Identity(Activation):
    def forward(self, x, training):
        return x

    def backward(self, grad):
        return grad


@ACTIVATIONS.register(
    "sigmoid",
    description=N_("σ(x) = 1/(1+e^−x): squashes to (0, 1); saturates, so gradients vanish."),
    label=N_("Sigmoid"),
)
class Sigmoid(Activation):
    """σ(x); σ′(x) = σ(x)·(1 − σ(x)), computed from the cached output."""

    saturation = (0.05, 0.95)

    def forward(self, x, training):
        self._y = y = sigmoid(x)
        return y

    def backward(self, grad):
        y = self._y
        return grad * (y - y * y)


@ACTIVATIONS.register(
    "tanh",
    description=N_("tanh(x): squashes to (−1, 1), zero-centred; saturates for large |x|."),
    label=N_("Tanh"),
)
class Tanh(Activation):
    """tanh(x); tanh′(x) = 1 − tanh²(x), computed from the cached output."""

    saturation = (-0.95, 0.95)

    def forward(self, x, training):
        self._y = y = np.tanh(x)
        return y

    def backward(self, grad):
        y = self._y
        return grad - grad * (y * y)


@ACTIVATIONS.register(
    "relu", description=N_("max(0, x): cheap, does not saturate for x > 0; units can die."), label=N_("ReLU")
)
class ReLU(Activation):
    """max(0, x); the derivative is 1 for x > 0 and 0 otherwise (0 at the kink, as PyTorch)."""

    dead_below = 0.0

    def forward(self, x, training):
        self._mask = x > 0
        return np.maximum(x, 0.0)

    def backward(self, grad):
        return grad * self._mask


@ACTIVATIONS.register(
    "leaky_relu",
    description=N_("x for x > 0, slope·x otherwise: a small slope keeps units from dying."),
    label=N_("Leaky ReLU"),
    slope=Param(
        0.01,
        0.0,
        1.0,
        N_("Slope for negative inputs (PyTorch's negative_slope)."),
        label=N_("negative slope"),
    ),
)
class LeakyReLU(Activation):
    def __init__(self, width, rng=None, slope: float = 0.01):
        super().__init__(width, rng)
        self.slope = slope

    def forward(self, x, training):
        self._k = k = np.where(x > 0, 1.0, self.slope)
        return x * k

    def backward(self, grad):
        return grad * self._k


@ACTIVATIONS.register(
    "prelu",
    description=N_("Leaky ReLU whose negative slope is learned, one per unit (init 0.25 as in PyTorch)."),
    label=N_("PReLU"),
    init=Param(0.25, 0.0, 1.0, N_("Initial slope for negative inputs."), label=N_("initial slope")),
)
class PReLU(Activation):
    """f(x) = x for x > 0, a·x otherwise, with a learned slope ``a`` per unit.

    ∂f/∂x = 1 or a; ∂f/∂a = x for x ≤ 0, else 0. The slopes are not weight-decayed. Before it is
    bound to a network (a lesson's curve) the slope is ``init``.
    """

    def __init__(self, width, rng=None, init: float = 0.25):
        super().__init__(width, rng)
        self.init = init
        self.alpha = None

    def param_specs(self):
        return [("alpha", (self.width,), "prelu")]

    def on_bind(self):
        self.alpha = self.p["alpha"]

    def init_params(self, rng):
        self.p["alpha"].value[...] = self.init

    def _slope(self):
        return self.init if self.alpha is None else self.row(self.alpha.value)

    def forward(self, x, training):
        self._x = x
        self._pos = pos = x > 0
        return np.where(pos, x, x * self._slope())

    def backward(self, grad):
        neg_x = np.where(self._pos, 0.0, self._x)
        if self.alpha is not None:
            dalpha = self.alpha.grad
            if self.trials is None:
                dalpha += np.einsum("ij,ij->j", grad, neg_x)
            else:
                dalpha += np.einsum("tij,tij->tj", grad, neg_x)
        return np.where(self._pos, grad, grad * self._slope())


@ACTIVATIONS.register(
    "rrelu",
    description=N_(
        "Randomized leaky ReLU: a random slope in [lower, upper] while training, their mean in eval."
    ),
    label=N_("RReLU"),
    lower=Param(
        1.0 / 8.0, 0.0, 1.0, N_("Smallest random slope (PyTorch default 1/8)."), label=N_("lowest slope")
    ),
    upper=Param(
        1.0 / 3.0, 0.0, 1.0, N_("Largest random slope (PyTorch default 1/3)."), label=N_("highest slope")
    ),
)
class RReLU(Activation):
    """Slopes drawn from U(lower, upper) per entry while training (from the network's seeded
    generator; with a trials axis each trial's own), the fixed slope (lower + upper)/2 in eval."""

    def __init__(self, width, rng=None, lower: float = 1 / 8, upper: float = 1 / 3):
        super().__init__(width, rng)
        if upper < lower:
            raise ConfigError(
                "RReLU: upper ({upper}) must be at least lower ({lower}).", upper=upper, lower=lower
            )
        self.lower, self.upper = lower, upper
        #: A fixed slope array (same shape as the input) for gradient checks; None draws afresh.
        self.fixed_slopes = None

    def forward(self, x, training):
        if training:
            slopes = self.fixed_slopes
            if slopes is None:
                if self.trials is None:
                    slopes = self.rng.uniform(self.lower, self.upper, size=x.shape)
                else:
                    shape = x.shape[1:]
                    slopes = np.stack([r.uniform(self.lower, self.upper, size=shape) for r in self.rng])
        else:
            slopes = 0.5 * (self.lower + self.upper)
        self._k = k = np.where(x > 0, 1.0, slopes)
        return x * k

    def backward(self, grad):
        return grad * self._k


@ACTIVATIONS.register(
    "elu",
    description=N_("x for x > 0, α(eˣ−1) otherwise: smooth, negative outputs push the mean toward 0."),
    label=N_("ELU"),
    alpha=Param(
        1.0, 0.0, 10.0, N_("Value the output approaches for very negative inputs (−α)."), label=N_("α")
    ),
)
class ELU(Activation):
    """x for x > 0, α(eˣ − 1) otherwise; the derivative there is α·eˣ = f(x) + α."""

    def __init__(self, width, rng=None, alpha: float = 1.0):
        super().__init__(width, rng)
        self.alpha = alpha

    def forward(self, x, training):
        self._x = x
        self._e = e = self.alpha * np.expm1(np.minimum(x, 0.0))
        return np.where(x > 0, x, e)

    def backward(self, grad):
        return grad * np.where(self._x > 0, 1.0, self._e + self.alpha)


@ACTIVATIONS.register(
    "gelu",
    description=N_("x·Φ(x) (tanh approximation): a smooth ReLU used in Transformers."),
    label=N_("GELU"),
)
class GELU(Activation):
    """GELU in its tanh form, PyTorch's ``GELU(approximate='tanh')``:
    ``0.5·x·(1 + tanh(u))`` with ``u = √(2/π)·(x + 0.044715·x³)``.

    NumPy has no vectorized erf, and the tanh form differs from the exact one by < 5e-4; its
    derivative ``0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²)`` is exact for the form
    used, so gradient checks hold to rounding.
    """

    def forward(self, x, training):
        self._x = x
        self._t = t = np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x**3))
        return 0.5 * x * (1.0 + t)

    def backward(self, grad):
        x, t = self._x, self._t
        dt = (1.0 - t * t) * _SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * x * x)
        return grad * (0.5 * (1.0 + t) + 0.5 * x * dt)


@ACTIVATIONS.register(
    "softplus",
    description=N_("log(1 + eˣ): a smooth ReLU; its derivative is the sigmoid."),
    label=N_("Softplus"),
    beta=Param(
        1.0, 0.01, 100.0, N_("Sharpness: log(1 + e^(βx))/β approaches ReLU as β grows."), label=N_("β")
    ),
)
class Softplus(Activation):
    """log(1 + e^(βx))/β (stable via logaddexp); the derivative is σ(βx)."""

    def __init__(self, width, rng=None, beta: float = 1.0):
        super().__init__(width, rng)
        self.beta = beta

    def forward(self, x, training):
        self._x = x
        return np.logaddexp(0.0, self.beta * x) / self.beta

    def backward(self, grad):
        return grad * sigmoid(self.beta * self._x)


@ACTIVATIONS.register(
    "maxout",
    description=N_("The largest of k linear pieces per unit: learns its own piecewise-linear activation."),
    label=N_("Maxout"),
    k=Param(2, 2, 5, N_("Number of linear pieces per unit."), label=N_("pieces k")),
)
class Maxout(Activation):
    """Each unit outputs the maximum of its k inputs (the dense layer before it is k times wider).

    Pieces of unit j are columns ``j·k … j·k+k−1`` of the last axis; the gradient flows to the
    winning piece only.
    """

    def __init__(self, width, rng=None, k: int = 2):
        super().__init__(width, rng)
        self.pieces = self.k = int(k)

    def forward(self, x, training):
        lead = x.shape[:-1]
        pieces = x.reshape(*lead, x.shape[-1] // self.k, self.k)
        self._arg = arg = pieces.argmax(axis=-1)
        self._shape = x.shape
        return np.take_along_axis(pieces, arg[..., None], axis=-1)[..., 0]

    def backward(self, grad):
        dx = np.zeros((*grad.shape, self.k))
        np.put_along_axis(dx, self._arg[..., None], grad[..., None], axis=-1)
        return dx.reshape(self._shape)


def make_activation(
    name: str,
    width: int | tuple[int, ...],
    rng: np.random.Generator | None = None,
    params: dict | None = None,
    *,
    from_input: bool = False,
) -> Activation:
    """Build a registered activation with validated parameters for ``width`` output units (or,
    with ``from_input``, for inputs of shape ``width``: Maxout's k pieces per unit are divided out)."""
    entry = ACTIVATIONS[name]
    settings = entry.resolve(params)
    if from_input:
        features = int(width[-1])
        act = entry.obj(features, rng, **settings)
        if act.pieces > 1:
            if features % act.pieces:
                raise ConfigError(
                    "Maxout with k={act_pieces} needs a multiple of {act_pieces} inputs, got {features}.",
                    act_pieces=act.pieces,
                    features=features,
                )
            act.width = features // act.pieces
        return act
    return entry.obj(int(width), rng, **settings)
