"""Network construction, API, reproducibility, save/load, and the trainer's features."""

import json
import subprocess
import sys

import numpy as np
import pytest

from playground.engine import (
    ACTIVATIONS,
    INITIALIZERS,
    LOSSES,
    OPTIMIZERS,
    REGULARIZERS,
    SCHEDULES,
    ConfigError,
    Network,
    NetworkConfig,
    TrainConfig,
    TrainData,
    Trainer,
    from_json,
    from_npz,
    init_std,
    load,
    save,
    to_json,
    to_npz,
)


def circle(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    return X, (np.hypot(X[:, 0], X[:, 1]) < 0.6).astype(int)


def data(n=200, seed=0, val=True):
    X, y = circle(n, seed)
    a, b = int(0.5 * n), int(0.7 * n)
    if val:
        return TrainData(X[:a], y[:a], X[a:b], y[a:b], X[b:], y[b:])
    return TrainData(X[:a], y[:a], None, None, X[a:], y[a:])


def test_engine_and_data_never_import_streamlit():
    code = "import sys, playground.engine, playground.data; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_registries_describe_every_choice():
    for reg in (ACTIVATIONS, INITIALIZERS, OPTIMIZERS, SCHEDULES, LOSSES, REGULARIZERS):
        assert len(reg) >= 3
        for name, entry in reg.items():
            assert entry.name == name and entry.label and entry.description
            for pname, p in entry.params.items():
                assert p.help, f"{reg.kind} {name}.{pname} has no help text"
    assert set(ACTIVATIONS) >= {
        "identity",
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "prelu",
        "rrelu",
        "elu",
        "gelu",
        "softplus",
        "maxout",
    }
    assert set(OPTIMIZERS) == {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"}
    with pytest.raises(ConfigError, match="choose one of"):
        ACTIVATIONS["swish"]


@pytest.mark.parametrize("task,n_out", [("binary", 1), ("multiclass", 4), ("regression", 1)])
def test_shapes_for_each_task(task, n_out):
    net = Network(NetworkConfig(n_inputs=3, hidden=[5, 6, 2], task=task, n_classes=4))
    X = np.zeros((7, 3))
    assert net.forward(X).shape == (7, n_out)
    assert net.predict(X).shape == ((7, 4) if task == "multiclass" else (7,))
    assert net.layer_sizes() == [3, 5, 6, 2, n_out]
    assert [W.shape for W in net.unit_weights()] == [(3, 5), (5, 6), (6, 2), (2, n_out)]


def test_parameters_are_views_into_one_buffer_weights_first():
    net = Network(NetworkConfig(hidden=[4, 4], activation="prelu", batch_norm="before"))
    ps = net.params
    assert ps.n_decay == 2 * 4 + 4 * 4 + 4 * 1
    assert all(ps[n].kind == "weight" for n in ("h1.W", "h2.W", "out.W"))
    assert {ps[n].kind for n in ("h1.gamma", "h1.alpha", "h1.b")} == {"bn", "prelu", "bias"}
    ps.values[:] = 0.5
    assert np.all(net.hidden_layers[0].dense.W.value == 0.5)
    net.set_params({"h1.W": np.ones((2, 4))})
    assert np.all(ps["h1.W"].value == 1.0)
    with pytest.raises(ConfigError, match="shape"):
        net.set_params({"h1.W": np.ones((3, 4))})
    with pytest.raises(ConfigError, match="Unknown parameter"):
        net.set_params({"h9.W": 1.0})


def test_maxout_widens_the_dense_layer_and_keeps_unit_count():
    net = Network(NetworkConfig(hidden=[3], activation="maxout", activation_params={"k": 3}))
    assert net.params["h1.W"].value.shape == (2, 9)
    assert net.forward(np.ones((2, 2))).shape == (2, 1)
    assert net.unit_weights()[0].shape == (2, 3)


def test_residual_only_between_equal_widths():
    net = Network(NetworkConfig(hidden=[4, 4, 3, 3], residual=True))
    assert [h.residual for h in net.hidden_layers] == [False, True, False, True]


@pytest.mark.parametrize(
    "bad,match",
    [
        ({"hidden": [4, 0]}, "widths"),
        ({"task": "ranking"}, "Unknown task"),
        ({"activation": "swish"}, "Unknown activation"),
        ({"init": "normal", "init_params": {"std": -1}}, "at least"),
        ({"batch_norm": "sometimes"}, "Batch norm"),
        ({"dropout": 1.0}, "Dropout"),
        ({"activation": "leaky_relu", "activation_params": {"alpha": 0.1}}, "unknown setting"),
    ],
)
def test_bad_network_configs_raise_config_error(bad, match):
    with pytest.raises(ConfigError, match=match):
        Network(NetworkConfig(**bad))


def test_initializers_follow_their_formulas():
    rng = np.random.default_rng(0)
    fan_in, fan_out = 400, 200
    for name, want in [
        ("lecun_normal", np.sqrt(1 / fan_in)),
        ("xavier_normal", np.sqrt(2 / 600)),
        ("xavier_uniform", np.sqrt(2 / 600)),
        ("he_normal", np.sqrt(2 / fan_in)),
        ("he_uniform", np.sqrt(2 / fan_in)),
    ]:
        W = INITIALIZERS[name].obj(rng, fan_in, fan_out, (fan_in, fan_out))
        assert W.std() == pytest.approx(want, rel=0.02), name
        assert init_std(name, fan_in, fan_out) == pytest.approx(want)
    assert np.abs(INITIALIZERS["uniform"].obj(rng, 3, 3, (50, 50), limit=0.5)).max() <= 0.5
    assert INITIALIZERS["normal"].obj(rng, 3, 3, (300, 300), std=0.01).std() == pytest.approx(0.01, rel=0.02)
    net = Network(NetworkConfig(hidden=[4]))
    assert np.all(net.params["h1.b"].value == 0.0)  # biases zero by default


def test_same_config_and_seed_give_the_same_run_bit_for_bit():
    def run():
        net = Network(
            NetworkConfig(hidden=[6, 6], activation="rrelu", dropout=0.2, batch_norm="after", seed=11)
        )
        trainer = Trainer(
            net, data(), TrainConfig(optimizer="adam", learning_rate=0.01, batch_size=8, seed=4)
        )
        trainer.run_epochs(5)
        return net.params.values.copy(), trainer.history

    (p1, h1), (p2, h2) = run(), run()
    assert np.array_equal(p1, p2)
    assert h1 == h2
    other = Network(
        NetworkConfig(hidden=[6, 6], activation="rrelu", dropout=0.2, batch_norm="after", seed=12)
    )
    assert not np.array_equal(
        other.params.values,
        Network(
            NetworkConfig(hidden=[6, 6], activation="rrelu", dropout=0.2, batch_norm="after", seed=11)
        ).params.values,
    )


def test_save_and_load_round_trip_exactly(tmp_path):
    net = Network(NetworkConfig(hidden=[5, 3], activation="prelu", batch_norm="before", seed=3))
    Trainer(net, data(), TrainConfig(batch_size=16)).run_epochs(3)  # moves weights and BN statistics
    X = circle(50, seed=9)[0]
    for restored in (from_json(to_json(net)), from_npz(to_npz(net))):
        assert restored.config == net.config
        for k, v in net.state().items():
            assert np.array_equal(restored.state()[k], v), k
        assert np.array_equal(restored.predict(X), net.predict(X))
    save(net, tmp_path / "net.json")
    save(net, tmp_path / "net.npz")
    assert np.array_equal(load(tmp_path / "net.npz").params.values, net.params.values)
    assert json.loads((tmp_path / "net.json").read_text())["config"]["activation"] == "prelu"
    with pytest.raises(ConfigError):
        from_json("{not json")
    with pytest.raises(ConfigError):
        from_npz(b"PK\x03\x04garbage")
    with pytest.raises(ConfigError):
        from_json(json.dumps({"format": "something else"}))


def test_history_starts_at_epoch_0_and_records_every_split():
    trainer = Trainer(Network(NetworkConfig(hidden=[4])), data(), TrainConfig())
    trainer.run_epochs(3)
    assert [r["epoch"] for r in trainer.history] == [0, 1, 2, 3]
    assert all(r[k] is not None for r in trainer.history for k in ("train_loss", "val_loss", "test_acc"))
    assert trainer.health == []  # instrumentation only when asked for


@pytest.mark.parametrize("batch_size", [1, 7, 1000])
def test_batch_sizes_from_one_to_the_full_batch(batch_size):
    trainer = Trainer(Network(NetworkConfig(hidden=[4])), data(), TrainConfig(batch_size=batch_size))
    trainer.run_epochs(2)
    assert trainer.total_steps == 2 * -(-100 // min(batch_size, 100))


def test_shuffling_is_seeded_and_changes_the_run():
    def final(seed, shuffle=True):
        t = Trainer(
            Network(NetworkConfig(hidden=[4])), data(), TrainConfig(batch_size=5, seed=seed, shuffle=shuffle)
        )
        t.run_epochs(2)
        return t.network.params.values.copy()

    assert np.array_equal(final(1), final(1))
    assert not np.array_equal(final(1), final(2))
    assert np.array_equal(final(1, False), final(2, False))


def test_schedule_sets_the_learning_rate_per_epoch():
    trainer = Trainer(
        Network(NetworkConfig(hidden=[4])),
        data(),
        TrainConfig(learning_rate=0.1, schedule="step", schedule_params={"step_size": 2, "gamma": 0.5}),
    )
    trainer.run_epochs(5)
    assert [r["lr"] for r in trainer.history[1:]] == [0.1, 0.1, 0.05, 0.05, 0.025]


def test_l2_is_added_to_the_gradient_of_weights_only():
    X, y = circle(40)[0], circle(40)[1]
    base = Network(NetworkConfig(hidden=[3], seed=1))
    reg = Network(NetworkConfig(hidden=[3], seed=1))
    for net, cfg in (
        (base, TrainConfig(batch_size=40, shuffle=False)),
        (reg, TrainConfig(batch_size=40, shuffle=False, regularization="l2", reg_rate=0.5)),
    ):
        Trainer(net, TrainData(X, y), cfg).run_epoch()
    p0 = Network(NetworkConfig(hidden=[3], seed=1)).params
    lr = 0.03
    for name in base.params.names():
        diff = reg.params[name].value - base.params[name].value
        if base.params[name].kind == "weight":
            np.testing.assert_allclose(diff, -lr * 0.5 * p0[name].value, atol=1e-14)
        else:
            np.testing.assert_allclose(diff, 0.0, atol=1e-14)


def test_l1_penalty_in_history():
    trainer = Trainer(
        Network(NetworkConfig(hidden=[4])), data(), TrainConfig(regularization="l1", reg_rate=0.01)
    )
    w = trainer.network.params.values[: trainer.network.params.n_decay]
    assert trainer.history[0]["penalty"] == pytest.approx(0.01 * np.abs(w).sum())


def test_gradient_clipping_bounds_the_update():
    X, y = circle(40)
    net = Network(NetworkConfig(hidden=[4], seed=0))
    before = net.params.values.copy()
    trainer = Trainer(
        net, TrainData(X, y), TrainConfig(learning_rate=1.0, batch_size=40, clip_norm=1e-3, shuffle=False)
    )
    trainer.run_epoch()
    assert np.linalg.norm(net.params.values - before) <= 1e-3 + 1e-12


def test_early_stopping_restores_the_best_weights():
    X, y = circle(120, seed=1)
    y = np.random.default_rng(0).permutation(y)  # noise: validation loss soon rises
    d = TrainData(X[:40], y[:40], X[40:80], y[40:80])
    net = Network(NetworkConfig(hidden=[32, 32], activation="relu", init="he_normal", seed=0))
    trainer = Trainer(
        net,
        d,
        TrainConfig(optimizer="adam", learning_rate=0.02, batch_size=8, early_stopping=True, patience=5),
    )
    trainer.run_epochs(500)
    assert trainer.status == "early_stopped"
    assert trainer.epoch == trainer.best_epoch + 5
    best = min(r["val_loss"] for r in trainer.history)
    assert trainer.history[trainer.best_epoch]["val_loss"] == best
    assert net.evaluate(*trainer.splits["val"])[0] == pytest.approx(best, abs=1e-12)
    assert trainer.run_epoch() is None


def test_config_changes_on_the_fly_keep_weights_and_state():
    trainer = Trainer(
        Network(NetworkConfig(hidden=[4])), data(), TrainConfig(optimizer="adam", learning_rate=0.01)
    )
    trainer.run_epochs(2)
    weights, opt = trainer.network.params.values.copy(), trainer.optimizer
    trainer.set_config(
        TrainConfig(optimizer="adam", learning_rate=0.001, batch_size=20, regularization="l2", reg_rate=0.01)
    )
    assert trainer.optimizer is opt and opt.lr == 0.001 and opt.t > 0
    assert np.array_equal(trainer.network.params.values, weights)
    trainer.set_config(TrainConfig(optimizer="sgd"))
    assert trainer.optimizer is not opt
    assert np.array_equal(trainer.network.params.values, weights)


@pytest.mark.parametrize(
    "cfg,match",
    [
        (TrainConfig(early_stopping=True), "validation share"),
        (TrainConfig(optimizer="lbfgs"), "Unknown optimizer"),
        (TrainConfig(learning_rate=-1.0), "at least"),
        (TrainConfig(batch_size=0), "Batch size"),
        (TrainConfig(optimizer="adam", optimizer_params={"beta1": 2.0}), "beta1"),
        (TrainConfig(schedule="cosine", schedule_params={"t_max": 0}), "t_max"),
    ],
)
def test_bad_training_configs_raise_config_error(cfg, match):
    with pytest.raises(ConfigError, match=match):
        Trainer(Network(NetworkConfig(hidden=[4])), data(val=False), cfg)


def test_batch_norm_needs_two_examples_per_batch():
    net = Network(NetworkConfig(hidden=[4], batch_norm="before"))
    with pytest.raises(ConfigError, match="at least 2"):
        Trainer(net, data(), TrainConfig(batch_size=1))
    trainer = Trainer(net, TrainData(*circle(21)), TrainConfig(batch_size=10))  # 10 + 11, never 1
    trainer.run_epoch()
    assert trainer.total_steps == 2


def test_instrumentation_records_layer_health():
    net = Network(NetworkConfig(hidden=[8, 8], activation="relu", init="he_normal"))
    trainer = Trainer(net, data(), TrainConfig(), instrument=True)
    trainer.run_epochs(2)
    assert len(trainer.health) == 2 * 2
    rec = trainer.health[-1]
    assert rec["epoch"] == 2 and rec["layer"] == "layer 2"
    assert rec["grad_norm"] > 0 and rec["weight_norm"] > 0 and 0 < rec["update_ratio"] < 1
    assert 0.0 <= rec["dead_fraction"] <= 1.0


def test_probe_reports_dead_relu_units_and_gradients():
    net = Network(NetworkConfig(hidden=[4], activation="relu"))
    net.set_params({"h1.W": np.zeros((2, 4)), "h1.b": [-1.0, -1.0, 1.0, 1.0]})
    X = np.random.default_rng(0).normal(size=(30, 2))
    grads_before = net.params.grads.copy()
    stats = net.probe(X, grad_out=np.ones((30, 1)))
    assert stats[0]["dead_fraction"] == 0.5
    assert stats[0]["grad"].shape == (120,)
    assert np.array_equal(net.params.grads, grads_before)


def test_health_records_are_thinned_on_long_runs(monkeypatch):
    monkeypatch.setattr(Trainer, "MAX_HEALTH_EPOCHS", 8)
    trainer = Trainer(
        Network(NetworkConfig(hidden=[3, 3])), data(), TrainConfig(batch_size=100), instrument=True
    )
    trainer.run_epochs(40)
    epochs = sorted({r["epoch"] for r in trainer.health})
    assert len(epochs) <= 8 and len(trainer.health) == 2 * len(epochs)
    assert epochs == list(range(epochs[1] - epochs[0], 41, epochs[1] - epochs[0]))  # evenly spaced
    assert epochs[-1] >= 32  # still up to date


def test_health_every_k_records_the_first_k_epochs_then_every_kth():
    def every_4th() -> Trainer:
        net = Network(NetworkConfig(hidden=[3, 3]))
        return Trainer(net, data(), TrainConfig(batch_size=100), instrument=True, health_every=4)

    trainer = every_4th()
    trainer.run_epochs(13)
    assert sorted({r["epoch"] for r in trainer.health}) == [1, 2, 3, 4, 8, 12]
    assert len(trainer.health) == 2 * 6
    # a checkpoint keeps the interval, and one saved at every epoch continues at this trainer's pace
    state = trainer.state_dict()
    again = every_4th()
    again.load_state_dict({**state, "health_every": 1})
    assert again.health_every == 4
    with pytest.raises(ConfigError):
        Trainer(Network(NetworkConfig(hidden=[3])), data(), TrainConfig(), health_every=3)


def test_the_playground_records_health_on_a_sparser_schedule_but_from_the_first_epoch():
    from playground.experiment import Experiment, PlaygroundConfig
    from playground.experiment.run import HEALTH_EVERY

    exp = Experiment(PlaygroundConfig())
    exp.tick(epochs=1, budget_s=10)
    assert {r["epoch"] for r in exp.trainer.health} == {1}  # a Step shows the gradients at once
    exp.tick(epochs=20, budget_s=10)
    epochs = sorted({r["epoch"] for r in exp.trainer.health})
    assert epochs == [1, 2, 3, 4] + list(range(2 * HEALTH_EVERY, exp.epoch + 1, HEALTH_EVERY))
