"""Recurrent layers: gradient checks by central differences with a random upstream gradient over
every step (BPTT), stacked cells, time-distributed dense, the carried state of truncated BPTT,
instrumentation, and the trials axis."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine import ModelSpec, Network, TrainConfig, TrainData
from playground.engine.gradcheck import check_network, numerical_gradient, relative_error
from tests.engine.stacking import assert_trials_match, train_alone_and_stacked
from tests.engine.test_conv import make_layer

CELLS = ["rnn", "lstm", "gru", "gru_simple", "gru_full"]
TOL = 1e-7


def grad_check(spec, in_shape, n=3, seed=0):
    layer, ps, _ = make_layer(spec, in_shape, seed)
    for p in ps.params.values():
        p.value[...] *= 0.6  # keep tanh/σ in their working range so the check is sharp
    rng = np.random.default_rng(seed + 1)
    x = rng.normal(size=(n, *in_shape))
    y = layer.forward(x, True)
    up = rng.normal(size=y.shape)

    def f():
        layer.reset_state()
        return float(np.sum(layer.forward(x, True) * up))

    ps.zero_grad()
    f()
    dx = layer.backward(up)
    assert relative_error(dx, numerical_gradient(f, x)) < TOL, "input gradient"
    for name, p in ps.params.items():
        assert relative_error(p.grad.copy(), numerical_gradient(f, p.value)) < TOL, name


@pytest.mark.parametrize("cell", CELLS)
def test_cell_gradients_through_time(cell):
    grad_check({"type": cell, "name": "r", "hidden": 4}, (5, 3))


def test_last_step_and_time_distributed_dense_gradients():
    grad_check({"type": "last_step"}, (4, 3))
    grad_check({"type": "dense", "name": "d", "units": 2}, (4, 3))


def seq_spec(cell, layers=1, steps=6, stateful=False, task="multiclass"):
    body = [{"type": cell, "name": f"r{i + 1}", "hidden": 5, "stateful": stateful} for i in range(layers)]
    return ModelSpec(
        input_shape=[steps, 3],
        layers=[*body, {"type": "last_step"}, {"type": "dense", "name": "out", "units": 3}],
        task=task,
        n_classes=3,
        seed=1,
    )


@pytest.mark.parametrize("cell", CELLS)
def test_a_stacked_recurrent_network_passes_the_gradient_check(cell):
    rng = np.random.default_rng(2)
    net = Network(seq_spec(cell, layers=2))
    errors = check_network(net, rng.normal(size=(4, 6, 3)), rng.integers(0, 3, 4))
    assert max(errors.values()) < 1e-6, errors


def test_a_character_model_predicts_every_step_with_padding():
    from playground.engine.losses import IGNORE_INDEX

    spec = ModelSpec(
        input_shape=[5, 4],
        layers=[{"type": "lstm", "name": "r1", "hidden": 6}, {"type": "dense", "name": "out", "units": 4}],
        task="multiclass",
        n_classes=4,
        loss_params={"reduction": "sum_steps"},
    )
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(3, 5, 4)), rng.integers(0, 4, (3, 5))
    y[1, 4] = IGNORE_INDEX
    errors = check_network(Network(spec), X, y)
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_stateful_layers_carry_the_state_across_batches_and_forget_it_on_reset(cell):
    layer, _, _ = make_layer({"type": cell, "name": "r", "hidden": 4, "stateful": True}, (3, 2))
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 3, 2)), rng.normal(size=(2, 3, 2))
    whole = make_layer({"type": cell, "name": "r", "hidden": 4}, (6, 2))[0]
    whole.p = layer.p  # the same weights over the joined sequence
    joined = whole.forward(np.concatenate([a, b], axis=1), False)
    layer.forward(a, False)
    second = layer.forward(b, False)  # continues from where the first batch ended
    np.testing.assert_allclose(second, joined[:, 3:], atol=1e-14)
    layer.reset_state()
    fresh = layer.forward(b, False)
    assert not np.allclose(fresh, second)


def test_record_gives_states_gates_and_gradient_norms_per_step():
    layer, _, _ = make_layer({"type": "lstm", "name": "r", "hidden": 4}, (7, 2))
    layer.record = True
    x = np.random.default_rng(1).normal(size=(3, 7, 2))
    y = layer.forward(x, True)
    up = np.zeros_like(y)
    up[:, -1] = 1.0  # only the last step's loss: how far back does it reach?
    layer.backward(up)
    assert layer.states.shape == (3, 7, 4) and layer.cells.shape == (3, 7, 4)
    assert set(layer.gates) == {"input", "forget", "candidate", "output"}
    assert layer.gates["forget"].shape == (3, 7, 4)
    assert layer.grad_norms.shape == (7,) and layer.grad_norms[-1] == pytest.approx(np.sqrt(12))


def test_recurrent_weights_scaled_up_explode_and_down_vanish_in_a_linear_regime():
    """A vanilla RNN with small inputs (tanh near its linear part): ‖∂L_T/∂h_0‖ vs ‖∂L_T/∂h_T‖."""
    ratios = {}
    for scale in (0.5, 2.0):
        layer, ps, _ = make_layer(
            {"type": "rnn", "name": "r", "hidden": 8, "recurrent_scale": scale}, (20, 2)
        )
        ps.values[...] = 0.0
        layer.init_params(np.random.default_rng(0))
        layer.p["Wx"].value[...] *= 1e-3
        layer.record = True
        y = layer.forward(np.random.default_rng(1).normal(size=(2, 20, 2)) * 1e-3, True)
        up = np.zeros_like(y)
        up[:, -1] = 1.0
        layer.backward(up)
        ratios[scale] = layer.grad_norms[0] / layer.grad_norms[-1]
    assert ratios[2.0] > 1e4 and ratios[0.5] < 1e-4


def test_a_stacked_recurrent_trial_trains_as_its_own_network():
    spec = seq_spec("gru", layers=1, steps=5)
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(24, 5, 3)), rng.integers(0, 3, 24)
    data = TrainData(X[:18], y[:18], X[18:], y[18:])
    cfg = TrainConfig(optimizer="adam", learning_rate=0.02, batch_size=6)
    stacked, singles = train_alone_and_stacked(spec, data, cfg, [1, 7], [0.02, 0.05], 3)
    assert_trials_match(stacked, singles, rtol=1e-9)


def test_lstm_forget_bias_sets_the_forget_gate_only():
    layer, _, _ = make_layer({"type": "lstm", "name": "r", "hidden": 3, "forget_bias": 1.0}, (4, 2))
    layer.init_params(np.random.default_rng(0))  # make_layer draws generic values over the init
    b = layer.p["b"].value
    np.testing.assert_array_equal(b[3:6], 1.0)
    np.testing.assert_array_equal(np.r_[b[:3], b[6:]], 0.0)
    x = np.zeros((1, 4, 2))
    layer.record = True
    layer.reset_state()
    layer.forward(x, False)
    np.testing.assert_allclose(layer.gates["forget"][0, 0], 1 / (1 + np.exp(-1.0)))


@pytest.mark.parametrize("cell", CELLS)
def test_recorded_input_gradient_norms_are_the_connectivity_per_step(cell):
    """‖∂y_T/∂x⟨t⟩‖ per step, as central differences of the last step's output give it."""
    layer, ps, _ = make_layer({"type": cell, "name": "r", "hidden": 4}, (6, 3))
    layer.record = True
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 6, 3))
    y = layer.forward(x, True)
    up = np.zeros_like(y)
    up[:, -1] = rng.normal(size=(2, 4))

    def f():
        return float(np.sum(layer.forward(x, True) * up))

    layer.forward(x, True)
    layer.skip_input_grad = True  # as in training: the norms are recorded all the same
    assert layer.backward(up) is None
    numeric = numerical_gradient(f, x)
    expected = np.sqrt((numeric**2).sum(axis=(0, 2)))
    np.testing.assert_allclose(layer.input_grad_norms, expected, rtol=1e-6)
    assert layer.input_grad_norms[-1] > 0


@pytest.mark.parametrize("cell", ["gru_simple", "gru_full"])
def test_the_notes_grus_update_bias_sets_the_update_gate_only(cell):
    layer, _, _ = make_layer({"type": cell, "name": "r", "hidden": 3, "update_bias": -1.0}, (4, 2))
    layer.init_params(np.random.default_rng(0))
    b = layer.p["b"].value
    np.testing.assert_array_equal(b[:3], -1.0)
    np.testing.assert_array_equal(b[3:], 0.0)
    layer.record = True
    layer.reset_state()
    layer.forward(np.zeros((1, 4, 2)), False)
    np.testing.assert_allclose(layer.gates["update"][0, 0], 1 / (1 + np.exp(1.0)))
