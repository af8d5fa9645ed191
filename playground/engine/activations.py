"""Activation functions, each with its derivative, as layers.

Every class offers ``f(x)`` and ``df(x)`` (the function and its derivative, elementwise, for plots
and lessons) and the layer pair ``forward(x, training)`` / ``backward(grad)`` used in training,
which reuses what the forward computed.
"""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from playground.engine.layers import Layer
from playground.engine.registry import Param, Registry

ACTIVATIONS = Registry("activation")

_SQRT_2_OVER_PI = float(np.sqrt(2.0 / np.pi))


def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1/(1+e^−x), computed as (1 + tanh(x/2))/2: exact, and never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


class Activation(Layer):
    """Base class of elementwise activations. ``width`` is the number of units it outputs."""

    #: Units whose output is this small everywhere count as dead (ReLU family); None: never dead.
    dead_below: float | None = None
    #: (low, high): outputs beyond these count as saturated (sigmoid, tanh); None: never saturates.
    saturation: tuple[float, float] | None = None
    #: input width = pieces * output width (Maxout has k pieces).
    pieces: int = 1

    def __init__(self, width: int, rng: np.random.Generator | None = None):
        self.width = width
        self.rng = rng

    @abstractmethod
    def f(self, x: np.ndarray) -> np.ndarray:
        """The activation, elementwise."""

    @abstractmethod
    def df(self, x: np.ndarray) -> np.ndarray:
        """Its derivative, elementwise."""

    def forward(self, x, training):
        self._x = x
        return self.f(x)

    def backward(self, grad):
        return grad * self.df(self._x)


@ACTIVATIONS.register("identity", description="f(x) = x: no non-linearity (a linear model).", label="Linear")
class Identity(Activation):
    def f(self, x):
        return x

    def df(self, x):
        return np.ones_like(x)

    def forward(self, x, training):
        return x

    def backward(self, grad):
        return grad


@ACTIVATIONS.register(
    "sigmoid",
    description="σ(x) = 1/(1+e^−x): squashes to (0, 1); saturates, so gradients vanish.",
    label="Sigmoid",
)
class Sigmoid(Activation):
    saturation = (0.05, 0.95)

    def f(self, x):
        return sigmoid(x)

    def df(self, x):
        s = sigmoid(x)
        return s * (1.0 - s)

    def forward(self, x, training):
        self._y = y = sigmoid(x)
        return y

    def backward(self, grad):
        y = self._y
        return grad * (y - y * y)


@ACTIVATIONS.register(
    "tanh", description="tanh(x): squashes to (−1, 1), zero-centred; saturates for large |x|.", label="Tanh"
)
class Tanh(Activation):
    saturation = (-0.95, 0.95)

    def f(self, x):
        return np.tanh(x)

    def df(self, x):
        return 1.0 - np.tanh(x) ** 2

    def forward(self, x, training):
        self._y = y = np.tanh(x)
        return y

    def backward(self, grad):
        y = self._y
        return grad - grad * (y * y)


@ACTIVATIONS.register(
    "relu", description="max(0, x): cheap, does not saturate for x > 0; units can die.", label="ReLU"
)
class ReLU(Activation):
    dead_below = 0.0

    def f(self, x):
        return np.maximum(x, 0.0)

    def df(self, x):
        return (x > 0).astype(np.float64)

    def forward(self, x, training):
        self._mask = x > 0
        return np.maximum(x, 0.0)

    def backward(self, grad):
        return grad * self._mask


@ACTIVATIONS.register(
    "leaky_relu",
    description="x for x > 0, slope·x otherwise: a small slope keeps units from dying.",
    label="Leaky ReLU",
    slope=Param(0.01, 0.0, 1.0, "Slope for negative inputs (PyTorch's negative_slope)."),
)
class LeakyReLU(Activation):
    def __init__(self, width, rng=None, slope: float = 0.01):
        super().__init__(width, rng)
        self.slope = slope

    def f(self, x):
        return np.where(x > 0, x, self.slope * x)

    def df(self, x):
        return np.where(x > 0, 1.0, self.slope)

    def forward(self, x, training):
        self._k = k = np.where(x > 0, 1.0, self.slope)
        return x * k

    def backward(self, grad):
        return grad * self._k


@ACTIVATIONS.register(
    "prelu",
    description="Leaky ReLU whose negative slope is learned, one per unit (init 0.25 as in PyTorch).",
    label="PReLU",
    init=Param(0.25, 0.0, 1.0, "Initial slope for negative inputs."),
)
class PReLU(Activation):
    """f(x) = x for x > 0, a·x otherwise, with a learned slope ``a`` per unit.

    ∂f/∂x = 1 or a; ∂f/∂a = x for x ≤ 0, else 0. The slopes are not weight-decayed.
    """

    def __init__(self, width, rng=None, init: float = 0.25):
        super().__init__(width, rng)
        self.init = init
        self.alpha = None

    def param_specs(self):
        return [("alpha", (self.width,), "prelu")]

    def bind(self, params, prefix):
        self.alpha = params[prefix + "alpha"]

    def init_params(self, rng):
        self.alpha.value[...] = self.init

    def f(self, x):
        a = self.alpha.value if self.alpha is not None else self.init
        return np.where(x > 0, x, a * x)

    def df(self, x):
        a = self.alpha.value if self.alpha is not None else self.init
        return np.where(x > 0, 1.0, a * np.ones_like(x))

    def forward(self, x, training):
        self._x = x
        self._pos = pos = x > 0
        return np.where(pos, x, x * self.alpha.value)

    def backward(self, grad):
        neg_x = np.where(self._pos, 0.0, self._x)
        dalpha = self.alpha.grad
        dalpha += np.einsum("ij,ij->j", grad, neg_x)
        return np.where(self._pos, grad, grad * self.alpha.value)


@ACTIVATIONS.register(
    "rrelu",
    description="Randomized leaky ReLU: a random slope in [lower, upper] while training, their mean in eval.",
    label="RReLU",
    lower=Param(1.0 / 8.0, 0.0, 1.0, "Smallest random slope (PyTorch default 1/8)."),
    upper=Param(1.0 / 3.0, 0.0, 1.0, "Largest random slope (PyTorch default 1/3)."),
)
class RReLU(Activation):
    def __init__(self, width, rng=None, lower: float = 1 / 8, upper: float = 1 / 3):
        super().__init__(width, rng)
        if upper < lower:
            from playground.errors import ConfigError

            raise ConfigError(f"RReLU: upper ({upper}) must be at least lower ({lower}).")
        self.lower, self.upper = lower, upper
        #: A fixed slope array (same shape as the input) for gradient checks; None draws afresh.
        self.fixed_slopes = None

    def f(self, x):
        return np.where(x > 0, x, 0.5 * (self.lower + self.upper) * x)

    def df(self, x):
        return np.where(x > 0, 1.0, 0.5 * (self.lower + self.upper))

    def forward(self, x, training):
        if training:
            slopes = self.fixed_slopes
            if slopes is None:
                slopes = self.rng.uniform(self.lower, self.upper, size=x.shape)
        else:
            slopes = 0.5 * (self.lower + self.upper)
        self._k = k = np.where(x > 0, 1.0, slopes)
        return x * k

    def backward(self, grad):
        return grad * self._k


@ACTIVATIONS.register(
    "elu",
    description="x for x > 0, α(eˣ−1) otherwise: smooth, negative outputs push the mean toward 0.",
    label="ELU",
    alpha=Param(1.0, 0.0, 10.0, "Value the output approaches for very negative inputs (−α)."),
)
class ELU(Activation):
    def __init__(self, width, rng=None, alpha: float = 1.0):
        super().__init__(width, rng)
        self.alpha = alpha

    def f(self, x):
        return np.where(x > 0, x, self.alpha * np.expm1(np.minimum(x, 0.0)))

    def df(self, x):
        return np.where(x > 0, 1.0, self.alpha * np.exp(np.minimum(x, 0.0)))

    def forward(self, x, training):
        self._x = x
        self._e = e = self.alpha * np.expm1(np.minimum(x, 0.0))
        return np.where(x > 0, x, e)

    def backward(self, grad):
        return grad * np.where(self._x > 0, 1.0, self._e + self.alpha)


@ACTIVATIONS.register(
    "gelu",
    description="x·Φ(x) (tanh approximation): a smooth ReLU used in Transformers.",
    label="GELU",
)
class GELU(Activation):
    """GELU in its tanh form, PyTorch's ``GELU(approximate='tanh')``:
    ``0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))``.

    NumPy has no vectorized erf, and the tanh form differs from the exact one by < 5e-4; its
    derivative below is exact for the form used, so gradient checks hold to rounding.
    """

    def f(self, x):
        return 0.5 * x * (1.0 + np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x**3)))

    def df(self, x):
        t = np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x**3))
        dt = (1.0 - t * t) * _SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * x * x)
        return 0.5 * (1.0 + t) + 0.5 * x * dt


@ACTIVATIONS.register(
    "softplus",
    description="log(1 + eˣ): a smooth ReLU; its derivative is the sigmoid.",
    label="Softplus",
    beta=Param(1.0, 0.01, 100.0, "Sharpness: log(1 + e^(βx))/β approaches ReLU as β grows."),
)
class Softplus(Activation):
    def __init__(self, width, rng=None, beta: float = 1.0):
        super().__init__(width, rng)
        self.beta = beta

    def f(self, x):
        return np.logaddexp(0.0, self.beta * x) / self.beta

    def df(self, x):
        return sigmoid(self.beta * x)


@ACTIVATIONS.register(
    "maxout",
    description="The largest of k linear pieces per unit: learns its own piecewise-linear activation.",
    label="Maxout",
    k=Param(2, 2, 5, "Number of linear pieces per unit."),
)
class Maxout(Activation):
    """Each unit outputs the maximum of its k inputs (the dense layer before it is k times wider).

    Pieces of unit j are columns ``j·k … j·k+k−1``; the gradient flows to the winning piece only.
    """

    def __init__(self, width, rng=None, k: int = 2):
        super().__init__(width, rng)
        self.pieces = self.k = int(k)

    def f(self, x):
        return x.reshape(x.shape[0], -1, self.k).max(axis=2)

    def df(self, x):
        # Derivative of each output with respect to its winning piece.
        return np.ones((x.shape[0], x.shape[1] // self.k))

    def forward(self, x, training):
        n = x.shape[0]
        pieces = x.reshape(n, self.width, self.k)
        self._arg = arg = pieces.argmax(axis=2)
        self._shape = x.shape
        return np.take_along_axis(pieces, arg[:, :, None], axis=2)[:, :, 0]

    def backward(self, grad):
        n = grad.shape[0]
        dx = np.zeros((n, self.width, self.k))
        np.put_along_axis(dx, self._arg[:, :, None], grad[:, :, None], axis=2)
        return dx.reshape(self._shape)


def make_activation(
    name: str, width: int, rng: np.random.Generator, params: dict | None = None
) -> Activation:
    """Build a registered activation layer for ``width`` output units with validated parameters."""
    entry = ACTIVATIONS[name]
    return entry.obj(width, rng, **entry.resolve(params))
