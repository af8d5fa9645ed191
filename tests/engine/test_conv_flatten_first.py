"""A stack of trials whose first layer is ``flatten`` (a dense net on images, as the convolution lab's
CNN-vs-dense comparison trains): the shared batch is (N, C, H, W) while the gradient reaching the
flatten layer is per trial (T, N, C·H·W); each trial still trains as its own network."""

from __future__ import annotations

import numpy as np

from playground.engine import ModelSpec, TrainConfig, TrainData
from playground.engine.conv import Flatten
from tests.engine.stacking import assert_trials_match, train_alone_and_stacked


def test_a_stacked_dense_net_on_images_trains_each_trial_as_its_own_network():
    spec = ModelSpec(
        input_shape=[1, 4, 4],
        layers=[
            {"type": "flatten"},
            {"type": "dense", "name": "h1", "units": 3},
            {"type": "activation", "name": "h1", "activation": "relu"},
            {"type": "dense", "name": "out", "units": 1},
        ],
    )
    rng = np.random.default_rng(2)
    X = rng.normal(size=(30, 1, 4, 4))
    y = (X[:, 0, 0].sum(axis=1) > 0).astype(float)
    data = TrainData(X[:24], y[:24], X[24:], y[24:])
    cfg = TrainConfig(optimizer="adam", learning_rate=0.01, batch_size=8)
    stacked, singles = train_alone_and_stacked(spec, data, cfg, [0, 3], [0.01, 0.02], 2)
    assert_trials_match(stacked, singles, rtol=1e-9)


def test_flatten_backward_restores_the_per_trial_input_shape():
    layer = Flatten((2, 3, 3))
    out = layer.forward(np.zeros((5, 2, 3, 3)), True)  # a batch shared by the trials
    assert out.shape == (5, 18)
    g = np.arange(4 * 5 * 18, dtype=float).reshape(4, 5, 18)  # the gradient of 4 trials
    assert layer.backward(g).shape == (4, 5, 2, 3, 3)
    assert layer.backward(g[0]).shape == (5, 2, 3, 3)
