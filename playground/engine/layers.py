"""Layers: each a small class with ``forward(x, training)`` caching what ``backward(grad)`` needs.

A layer declares its parameters with :meth:`Layer.param_specs` (local name, shape, kind); the
network allocates them in one :class:`~playground.engine.params.ParamSet` and hands the views back
through :meth:`Layer.bind`. ``backward`` accumulates parameter gradients with ``+=`` and returns the
gradient with respect to the layer's input; it never mutates the layer's input.
"""

from __future__ import annotations

import numpy as np

from playground.engine.params import Parameter, ParamSet


class Layer:
    """Base class: a parameter-free identity."""

    name: str = ""

    def param_specs(self) -> list[tuple[str, tuple[int, ...], str]]:
        return []

    def bind(self, params: ParamSet, prefix: str) -> None:
        """Receive this layer's parameter views (names are ``prefix + local name``)."""

    def init_params(self, rng: np.random.Generator) -> None:
        """Fill this layer's parameters with their initial values."""

    def buffers(self) -> dict[str, np.ndarray]:
        """Non-trained state saved with the weights (batch norm's running statistics)."""
        return {}

    def forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        return x

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad


class Dense(Layer):
    """Affine map ``z = x @ W + b`` with ``W`` of shape (fan_in, fan_out).

    Backward: ``dW += xᵀ·g``, ``db += Σ_rows g``, ``dx = g·Wᵀ``.
    """

    def __init__(self, fan_in: int, fan_out: int, init, bias_init: float = 0.0):
        self.fan_in, self.fan_out = fan_in, fan_out
        self.init = init  # callable(rng, fan_in, fan_out, shape) -> array
        self.bias_init = bias_init
        self.W: Parameter | None = None
        self.b: Parameter | None = None

    def param_specs(self):
        return [("W", (self.fan_in, self.fan_out), "weight"), ("b", (self.fan_out,), "bias")]

    def bind(self, params, prefix):
        self.W, self.b = params[prefix + "W"], params[prefix + "b"]
        self._W, self._b = self.W.value, self.b.value
        self._dW, self._db = self.W.grad, self.b.grad

    def init_params(self, rng):
        self._W[...] = self.init(rng, self.fan_in, self.fan_out, (self.fan_in, self.fan_out))
        self._b[...] = self.bias_init

    def forward(self, x, training):
        self._x = x
        z = x @ self._W
        z += self._b
        return z

    def backward(self, grad):
        self.backward_params(grad)
        return grad @ self._W.T

    def backward_params(self, grad) -> None:
        """Only the parameter gradients: the first layer's input gradient is never needed in training."""
        self._dW += self._x.T @ grad
        self._db += grad.sum(axis=0)


class BatchNorm(Layer):
    """Batch normalization over the feature axis, as ``torch.nn.BatchNorm1d``.

    Training: ``x̂ = (x − μ_B)/√(σ²_B + ε)``, ``y = γ·x̂ + β`` with the batch mean and biased batch
    variance; running statistics follow PyTorch: ``r ← (1−m)·r + m·batch`` with m = 0.1 and the
    *unbiased* batch variance for ``running_var``. (Saito's book writes ``momentum=0.9`` for "keep
    90 % of the old value"; that is PyTorch's m = 0.1.) Eval: the running statistics.

    Backward (training)::

        dx = (1/N)·(1/√(σ²+ε))·(N·dx̂ − Σdx̂ − x̂·Σ(dx̂·x̂)),   dx̂ = g·γ
        dγ = Σ g·x̂,   dβ = Σ g
    """

    def __init__(self, width: int, momentum: float = 0.1, eps: float = 1e-5):
        self.width, self.momentum, self.eps = width, momentum, eps
        self.running_mean = np.zeros(width)
        self.running_var = np.ones(width)

    def param_specs(self):
        return [("gamma", (self.width,), "bn"), ("beta", (self.width,), "bn")]

    def bind(self, params, prefix):
        self.gamma, self.beta = params[prefix + "gamma"], params[prefix + "beta"]

    def init_params(self, rng):
        self.gamma.value[...] = 1.0
        self.beta.value[...] = 0.0
        self.running_mean[...] = 0.0
        self.running_var[...] = 1.0

    def buffers(self):
        return {"running_mean": self.running_mean, "running_var": self.running_var}

    def forward(self, x, training):
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

    def backward(self, grad):
        xhat = self._xhat
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


class Dropout(Layer):
    """Inverted dropout: while training, zero each unit with probability p and scale the rest by
    1/(1−p), so nothing changes at test time. (Saito's book scales by (1−p) at test time instead;
    the two agree in expectation.) The mask comes from the network's seeded generator.
    """

    def __init__(self, rate: float, rng: np.random.Generator):
        self.rate = rate
        self.rng = rng
        self._mask = None

    def forward(self, x, training):
        if not training or self.rate == 0.0:
            self._mask = None
            return x
        keep = 1.0 - self.rate
        self._mask = (self.rng.random(x.shape) < keep) * (1.0 / keep)
        return x * self._mask

    def backward(self, grad):
        return grad if self._mask is None else grad * self._mask


class ResidualStart(Layer):
    """Remembers the block's input; with :class:`ResidualEnd` computes ``y = x + f(x)``."""

    def __init__(self):
        self.end: ResidualEnd | None = None

    def forward(self, x, training):
        self.end._skip = x
        return x

    def backward(self, grad):
        return grad + self.end._skip_grad


class ResidualEnd(Layer):
    """Adds the input saved by its :class:`ResidualStart`; sends the gradient down both paths."""

    def forward(self, x, training):
        return x + self._skip

    def backward(self, grad):
        self._skip_grad = grad
        return grad
