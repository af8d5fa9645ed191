"""Central-difference gradient checks, used by the tests and by the backprop lesson.

The check is driven by the loss actually trained on (data loss + penalty), in float64; any noise
(dropout masks, RReLU slopes) must be frozen by the caller so every evaluation sees the same
function — :func:`network_loss_fn` does this by restoring the noise generator's state.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from playground.engine.network import Network
from playground.engine.regularization import REGULARIZERS


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """‖a − b‖ / (‖a‖ + ‖b‖) (Ng's gradient-check ratio): scale-free; 0 when both vanish."""
    a, b = np.asarray(a, dtype=np.float64).ravel(), np.asarray(b, dtype=np.float64).ravel()
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / denom) if denom > 1e-300 else 0.0


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """(f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h for every entry i of ``x`` (modified in place, restored)."""
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        plus = f()
        flat[i] = old - h
        minus = f()
        flat[i] = old
        gflat[i] = (plus - minus) / (2.0 * h)
    return grad


def network_loss_fn(
    net: Network,
    X: np.ndarray,
    y: np.ndarray,
    *,
    training: bool = True,
    regularization: str = "none",
    reg_rate: float = 0.0,
) -> Callable[[], float]:
    """A function of the network's current parameters returning data loss + penalty, with the
    noise generator rewound before every call (so dropout and RReLU draw the same noise)."""
    targets = net.loss.targets(y)
    state = net.noise_rng.bit_generator.state
    reg = REGULARIZERS[regularization].obj
    params = net.params

    def f() -> float:
        net.noise_rng.bit_generator.state = state
        data = net.loss.forward(net.forward(X, training), targets)
        return data + reg.penalty(params.values[: params.n_decay], reg_rate)

    return f


def analytic_gradients(
    net: Network,
    X: np.ndarray,
    y: np.ndarray,
    *,
    training: bool = True,
    regularization: str = "none",
    reg_rate: float = 0.0,
    loss_fn: Callable[[], float] | None = None,
) -> dict[str, np.ndarray]:
    """Backprop gradients of data loss + penalty; ``loss_fn`` (from :func:`network_loss_fn`)
    fixes the noise, so pass the same one to the numerical check."""
    f = loss_fn or network_loss_fn(net, X, y, training=training)
    params = net.params
    params.zero_grad()
    f()  # forward with the rewound noise
    net.backward(net.loss.backward())
    REGULARIZERS[regularization].obj.add_grad(
        params.values[: params.n_decay], params.grads[: params.n_decay], reg_rate
    )
    return params.grads_by_name()


#: Below this absolute difference (a vector norm, per unit of loss), analytic and numerical
#: gradients agree to the noise floor of central differences in float64: each entry carries a
#: rounding error of a few ε·|f|/h (≈ 1e-9 per unit of loss with h = 1e-6, more where the forward
#: pass cancels large terms, as batch norm does), and a parameter has many entries. Used for
#: gradients that are zero by construction, such as a dense bias or a BN shift just before another
#: batch norm, whose relative error would only measure that noise.
NOISE_FLOOR = 3e-8


def check_network(
    net: Network,
    X: np.ndarray,
    y: np.ndarray,
    *,
    training: bool = True,
    regularization: str = "none",
    reg_rate: float = 0.0,
    h: float = 1e-6,
) -> dict[str, float]:
    """Relative error between backprop and central differences, per named parameter (0 where the
    two agree to :data:`NOISE_FLOOR` × max(1, |loss|) in absolute terms)."""
    f = network_loss_fn(net, X, y, training=training, regularization=regularization, reg_rate=reg_rate)
    analytic = analytic_gradients(net, X, y, regularization=regularization, reg_rate=reg_rate, loss_fn=f)
    floor = NOISE_FLOOR * max(1.0, abs(f()))
    errors = {}
    for name, p in net.params.params.items():
        numeric = numerical_gradient(f, p.value, h)
        diff = float(np.linalg.norm(analytic[name] - numeric))
        errors[name] = 0.0 if diff < floor else relative_error(analytic[name], numeric)
    return errors
