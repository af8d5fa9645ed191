"""Convolution, pooling, flatten and BatchNorm2d: gradient checks with random upstream gradients,
the PyTorch oracle (float64, 1e-10) for several kernel/stride/padding cases including odd sizes,
a whole small CNN against torch (loss, gradients, 20 Adam steps), and the trials axis."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine import ModelSpec, Network, ParamSet, TrainConfig, TrainData
from playground.engine.conv import adaptive_bins, col2im, im2col
from playground.engine.gradcheck import check_network, numerical_gradient, relative_error
from playground.engine.layers import build_layer
from tests.engine.stacking import assert_trials_match, train_alone_and_stacked

TOL = 1e-7


def make_layer(spec, in_shape, seed=0, trials=None):
    layer, out_shape = build_layer(spec, in_shape)
    leaves = list(layer.leaves())
    ps = ParamSet([(leaf.name + n, s, k) for leaf in leaves for n, s, k in leaf.param_specs()], trials)
    rng = np.random.default_rng(seed)
    for leaf in leaves:
        leaf.bind(ps)
        if trials is None:
            leaf.init_params(rng)
    if trials is not None:
        ps.values[...] = rng.normal(size=ps.values.shape)
    for p in ps.params.values():  # generic values (not the initializer's), so every path is exercised
        p.value[...] = rng.normal(size=p.value.shape) * 0.5 + (1.0 if p.name.endswith("gamma") else 0.0)
    return layer, ps, out_shape


def grad_check(spec, in_shape, n=2, seed=0, training=True):
    layer, ps, _ = make_layer(spec, in_shape, seed)
    rng = np.random.default_rng(seed + 1)
    x = rng.normal(size=(n, *in_shape))
    y = layer.forward(x, training)
    upstream = rng.normal(size=y.shape)

    def f():
        return float(np.sum(layer.forward(x, training) * upstream))

    ps.zero_grad()
    layer.forward(x, training)
    dx = layer.backward(upstream)
    assert relative_error(dx, numerical_gradient(f, x)) < TOL, "input gradient"
    for name, p in ps.params.items():
        analytic = p.grad.copy()
        assert relative_error(analytic, numerical_gradient(f, p.value)) < TOL, name


CONV_CASES = [
    ((1, 5, 5), dict(filters=2, kernel=3)),
    ((2, 6, 7), dict(filters=3, kernel=3, stride=2, padding=1)),
    ((3, 5, 4), dict(filters=2, kernel=2, stride=1, padding=1)),
    ((2, 7, 7), dict(filters=2, kernel=5, stride=2, padding=2)),
    ((1, 4, 4), dict(filters=1, kernel=1)),
]
POOL_CASES = [
    ((2, 4, 4), dict(kernel=2)),
    ((1, 5, 5), dict(kernel=3, stride=2)),  # overlapping pooling (stride < kernel), odd size
    ((2, 7, 6), dict(kernel=3, stride=2, padding=1)),
    ((1, 5, 7), dict(kernel=2, stride=1)),
]


@pytest.mark.parametrize("in_shape, kw", CONV_CASES)
def test_conv2d_gradients(in_shape, kw):
    grad_check({"type": "conv2d", "name": "c", **kw}, in_shape)


@pytest.mark.parametrize("kind", ["max_pool2d", "avg_pool2d"])
@pytest.mark.parametrize("in_shape, kw", POOL_CASES)
def test_pool_gradients(kind, in_shape, kw):
    grad_check({"type": kind, **kw}, in_shape, n=3)


@pytest.mark.parametrize(
    "spec, in_shape",
    [
        ({"type": "global_avg_pool"}, (3, 4, 5)),
        ({"type": "spatial_pyramid_pool", "levels": [1, 2, 3]}, (2, 7, 5)),
        ({"type": "spatial_pyramid_pool", "levels": [1, 2], "mode": "avg"}, (2, 5, 6)),
        ({"type": "flatten"}, (2, 3, 3)),
    ],
)
def test_global_pyramid_and_flatten_gradients(spec, in_shape):
    grad_check(spec, in_shape, n=3)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm2d_gradients_with_random_upstream(training):
    grad_check({"type": "batch_norm2d", "name": "bn"}, (3, 3, 4), n=4, training=training)


def test_im2col_and_col2im_are_adjoint():
    """⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩ for every shape: col2im is exactly the transpose."""
    rng = np.random.default_rng(3)
    for shape, k, s, p in [((2, 3, 6, 5), 3, 1, 1), ((1, 2, 7, 7), 3, 2, 0), ((2, 1, 5, 6), 2, 2, 1)]:
        x = rng.normal(size=shape)
        col = im2col(x, k, k, s, p)
        c = rng.normal(size=col.shape)
        assert np.isclose(np.sum(col * c), np.sum(x * col2im(c, shape, k, k, s, p)))


def test_spatial_pyramid_gives_one_length_for_any_input_size():
    for size in (8, 12, 16):
        layer, _, out_shape = make_layer(
            {"type": "spatial_pyramid_pool", "levels": [1, 2, 4]}, (3, size, size)
        )
        assert out_shape == (3 * 21,)
        assert layer.forward(np.zeros((2, 3, size, size)), False).shape == (2, 63)
    assert adaptive_bins(5, 2) == [(0, 3), (2, 5)]  # overlapping bins, as PyTorch's adaptive pooling


def test_a_small_cnn_passes_a_whole_network_gradient_check():
    spec = ModelSpec(
        input_shape=[1, 6, 6],
        layers=[
            {"type": "conv2d", "name": "c1", "filters": 2, "kernel": 3, "padding": 1, "bias_init": 0.1},
            {"type": "batch_norm2d", "name": "c1"},
            {"type": "activation", "name": "c1", "activation": "tanh"},
            {"type": "avg_pool2d", "kernel": 2},
            {
                "type": "residual",
                "block": [{"type": "conv2d", "name": "c2", "filters": 2, "kernel": 3, "padding": 1}],
            },
            {"type": "flatten"},
            {"type": "dense", "name": "out", "units": 3},
        ],
        task="multiclass",
        n_classes=3,
    )
    rng = np.random.default_rng(0)
    net = Network(spec)
    errors = check_network(net, rng.normal(size=(4, 1, 6, 6)), rng.integers(0, 3, 4))
    assert max(errors.values()) < 1e-6, errors


def test_a_stacked_cnn_trains_each_trial_as_its_own_network():
    spec = ModelSpec(
        input_shape=[1, 6, 6],
        layers=[
            {"type": "conv2d", "name": "c1", "filters": 3, "kernel": 3},
            {"type": "activation", "name": "c1", "activation": "relu"},
            {"type": "max_pool2d", "kernel": 2},
            {"type": "flatten"},
            {"type": "dense", "name": "out", "units": 1},
        ],
    )
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 1, 6, 6))
    y = (X[:, 0, :3].sum(axis=(1, 2)) > 0).astype(float)
    data = TrainData(X[:30], y[:30], X[30:], y[30:])
    cfg = TrainConfig(optimizer="adam", learning_rate=0.01, batch_size=8)
    stacked, singles = train_alone_and_stacked(spec, data, cfg, [0, 5], [0.01, 0.03], 3)
    assert_trials_match(stacked, singles, rtol=1e-9)
