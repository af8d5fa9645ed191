"""The textbook cases the playground teaches, asserted on the engine."""

import numpy as np
import pytest

from playground.engine import Network, NetworkConfig, TrainConfig, TrainData, Trainer

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def xor_by_hand(task: str) -> Network:
    """h₁ = relu(x + y − 1), h₂ = relu(−x − y + 1), out = −h₁ − h₂ + 1 (− ½ for a logit)."""
    net = Network(NetworkConfig(hidden=[2], activation="relu", task=task))
    net.set_params(
        {
            "h1.W": [[1.0, -1.0], [1.0, -1.0]],
            "h1.b": [-1.0, 1.0],
            "out.W": [[-1.0], [-1.0]],
            "out.b": [1.0 if task == "regression" else 0.5],
        }
    )
    return net


def test_xor_solved_by_two_hand_set_relus():
    np.testing.assert_array_equal(xor_by_hand("regression").predict(XOR_X), XOR_Y)
    probs = xor_by_hand("binary").predict(XOR_X)
    np.testing.assert_array_equal(probs > 0.5, XOR_Y.astype(bool))


def test_xor_is_not_linearly_separable_but_a_small_net_learns_it():
    linear = Network(NetworkConfig(hidden=[], seed=0))
    Trainer(
        linear, TrainData(XOR_X, XOR_Y), TrainConfig(optimizer="adam", learning_rate=0.05, batch_size=4)
    ).run_epochs(500)
    assert np.mean((linear.predict(XOR_X) > 0.5) == XOR_Y) <= 0.75
    net = Network(NetworkConfig(hidden=[4], activation="tanh", seed=0))
    trainer = Trainer(
        net, TrainData(XOR_X, XOR_Y), TrainConfig(optimizer="adam", learning_rate=0.05, batch_size=4)
    )
    trainer.run_epochs(500)
    assert trainer.history[-1]["train_acc"] == 1.0
    assert trainer.history[-1]["train_loss"] < 0.05


def deep_activations(init: str, init_params=None, activation="sigmoid"):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 100))
    net = Network(
        NetworkConfig(
            n_inputs=100,
            hidden=[100] * 5,
            activation=activation,
            init=init,
            init_params=init_params or {},
            seed=0,
        )
    )
    return net.probe(X, max_values=None)


def test_sigmoid_with_std_1_saturates_while_xavier_keeps_activations_spread():
    saturated = deep_activations("normal", {"std": 1.0})
    last = saturated[-1]["post"]
    assert np.mean((last < 0.05) | (last > 0.95)) > 0.5
    assert saturated[-1]["saturated_fraction"] > 0.5
    for layer in deep_activations("xavier_normal"):
        post = layer["post"]
        assert np.mean((post < 0.05) | (post > 0.95)) < 0.05, layer["name"]
        assert post.std() > 0.1, layer["name"]


def test_relu_with_std_001_vanishes_while_he_keeps_the_spread():
    small = [layer["post"].std() for layer in deep_activations("normal", {"std": 0.01}, "relu")]
    he = [layer["post"].std() for layer in deep_activations("he_normal", activation="relu")]
    assert all(b < a / 3 for a, b in zip(small, small[1:], strict=False)), small
    assert min(he) > 0.5 * max(he), he


def spiral(n=400, seed=0):
    rng = np.random.default_rng(seed)
    t = np.sqrt(rng.uniform(0, 1, n)) * 3 * np.pi
    label = rng.integers(0, 2, n)
    X = np.column_stack([t * np.cos(t + np.pi * label), t * np.sin(t + np.pi * label)]) / 10
    return X, label


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_plain_20_layer_net_trains_worse_than_the_same_net_with_residual_connections(seed):
    X, y = spiral()
    final = {}
    for residual in (False, True):
        net = Network(NetworkConfig(hidden=[16] * 20, activation="tanh", residual=residual, seed=seed))
        trainer = Trainer(
            net, TrainData(X, y), TrainConfig(optimizer="adam", learning_rate=0.003, batch_size=20, seed=seed)
        )
        trainer.run_epochs(60)
        final[residual] = trainer.history[-1]["train_loss"]
    assert final[False] > 0.5, final  # the plain deep net barely moves from log 2 ≈ 0.69
    assert final[True] < 0.1, final


def test_divergence_at_a_huge_learning_rate_is_caught():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    y = 3 * X[:, 0] - X[:, 1]
    net = Network(NetworkConfig(hidden=[8, 8], activation="relu", task="regression", init="he_normal"))
    trainer = Trainer(net, TrainData(X, y), TrainConfig(learning_rate=50.0, batch_size=10))
    records = trainer.run_epochs(50)  # raises nothing
    assert trainer.status == "diverged"
    d = trainer.divergence
    assert d.epoch >= 1 and d.step >= 1 and "smaller learning rate" in d.message()
    assert len(records) == trainer.epoch == d.epoch - 1
    assert np.isfinite(net.params.values).all()
    assert trainer.run_epoch() is None  # stays stopped until the caller resets
