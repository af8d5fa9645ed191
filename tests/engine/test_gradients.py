"""Central-difference gradient checks (float64, relative error < 1e-6) for every activation ×
every loss, with batch norm off/before/after, L1/L2, residual connections, dropout and RReLU noise
held fixed, and the layers' own parameters (PReLU slopes, BN γ/β) included."""

import zlib

import numpy as np
import pytest

from playground.engine import ACTIVATIONS, BN_MODES, Network, NetworkConfig
from playground.engine.gradcheck import check_network, numerical_gradient, relative_error
from playground.engine.layers import BatchNorm
from playground.engine.params import ParamSet

TOL = 1e-6
TASKS = {
    "binary": lambda rng, n: rng.integers(0, 2, n),
    "multiclass": lambda rng, n: rng.integers(0, 3, n),
    "regression": lambda rng, n: rng.normal(size=n),
}


def assert_gradients_ok(errors: dict[str, float]) -> None:
    bad = {k: v for k, v in errors.items() if not v < TOL}
    assert not bad, f"backprop disagrees with central differences (relative error ≥ {TOL}): {bad}"


@pytest.mark.parametrize("bn", BN_MODES)
@pytest.mark.parametrize("task", list(TASKS))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_every_activation_loss_and_bn_mode(activation, task, bn):
    # a seed per case that does not depend on PYTHONHASHSEED (hash() of a str does)
    rng = np.random.default_rng(zlib.crc32(f"{activation}/{task}/{bn}".encode()))
    X = rng.normal(size=(8, 3))
    y = TASKS[task](rng, 8)
    net = Network(
        NetworkConfig(
            n_inputs=3, hidden=[5, 4], task=task, n_classes=3, activation=activation, batch_norm=bn, seed=3
        )
    )
    errors = check_network(net, X, y)
    assert set(errors) == set(net.params.names())
    assert_gradients_ok(errors)


@pytest.mark.parametrize("regularization", ["l1", "l2"])
@pytest.mark.parametrize("activation", ["tanh", "relu", "prelu", "maxout"])
def test_with_weight_penalties(activation, regularization):
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(6, 2)), rng.integers(0, 2, 6)
    # A non-zero bias keeps pre-activations off ReLU's kink when a whole layer below is dead.
    net = Network(NetworkConfig(hidden=[4, 3], activation=activation, bias_init=0.1, seed=2))
    assert_gradients_ok(check_network(net, X, y, regularization=regularization, reg_rate=0.3))


@pytest.mark.parametrize("bn", BN_MODES)
@pytest.mark.parametrize("activation", ["tanh", "relu", "elu", "gelu"])
def test_residual_connections(activation, bn):
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(7, 4)), rng.integers(0, 3, 7)
    net = Network(
        NetworkConfig(
            n_inputs=4,
            hidden=[4, 4, 4],
            task="multiclass",
            n_classes=3,
            activation=activation,
            residual=True,
            batch_norm=bn,
            seed=5,
        )
    )
    assert sum(h.residual for h in net.hidden_layers) == 3
    assert_gradients_ok(check_network(net, X, y, regularization="l2", reg_rate=0.05))


@pytest.mark.parametrize("activation", ["tanh", "rrelu", "prelu"])
def test_dropout_and_rrelu_with_fixed_noise(activation):
    """The noise generator is rewound before every evaluation, so each sees the same mask."""
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(9, 2)), rng.normal(size=9)
    net = Network(
        NetworkConfig(
            hidden=[6, 5], task="regression", activation=activation, dropout=0.3, batch_norm="after", seed=7
        )
    )
    assert_gradients_ok(check_network(net, X, y, regularization="l1", reg_rate=0.01))


@pytest.mark.parametrize("bn", ["before", "after"])
def test_batch_norm_in_eval_mode(bn):
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(6, 2)), rng.integers(0, 2, 6)
    net = Network(NetworkConfig(hidden=[4], activation="sigmoid", batch_norm=bn, seed=1))
    layer = net.hidden_layers[0].batch_norm
    layer.running_mean[...] = rng.normal(size=layer.width)
    layer.running_var[...] = rng.uniform(0.5, 2.0, size=layer.width)
    assert_gradients_ok(check_network(net, X, y, training=False))


def test_batch_norm_input_gradient_with_random_upstream():
    """BN's dx sums to zero per feature; a random upstream gradient (not all ones) exposes bugs."""
    rng = np.random.default_rng(5)
    bn = BatchNorm(3)
    ps = ParamSet([("gamma", (3,), "bn"), ("beta", (3,), "bn")])
    bn.bind(ps, "")
    bn.init_params(rng)
    ps["gamma"].value[...] = rng.normal(size=3)
    ps["beta"].value[...] = rng.normal(size=3)
    x = rng.normal(size=(5, 3)) * 3 + 1
    upstream = rng.normal(size=(5, 3))

    def f():
        return float(np.sum(bn.forward(x, True) * upstream))

    bn.forward(x, True)
    dx = bn.backward(upstream)
    assert relative_error(dx, numerical_gradient(f, x)) < TOL
    np.testing.assert_allclose(dx.sum(axis=0), 0.0, atol=1e-12)


def test_a_wrong_gradient_is_caught():
    """The check itself can fail: a deliberately broken backward is flagged."""
    rng = np.random.default_rng(6)
    X, y = rng.normal(size=(5, 2)), rng.integers(0, 2, 5)
    net = Network(NetworkConfig(hidden=[3], activation="tanh", seed=0))
    act = net.hidden_layers[0].activation
    act.backward = lambda grad: grad * (1.0 - act._y)  # wrong: should be 1 − y²
    errors = check_network(net, X, y)
    assert errors["h1.W"] > 1e-3
