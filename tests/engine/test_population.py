"""The population trainer against the single-model engine, trial for trial.

Every test builds, for each trial, the ``Trainer`` the population claims to reproduce
(``Network(trial_configs(i)[0])`` trained with ``trial_configs(i)[1]``) and compares weights, BN
buffers, per-epoch histories, statuses and divergence records. The tolerance is rtol 1e-10 (the two
agree bit for bit on our machines; a different BLAS could sum in another order).
"""

from __future__ import annotations

import dataclasses
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.data.dataset import split_dataset
from playground.data.generators import make_dataset
from playground.engine import ACTIVATIONS, OPTIMIZERS, Network, NetworkConfig, TrainConfig, TrainData, Trainer
from playground.engine.population import (
    TRIAL_KEYS,
    Population,
    group_compatible,
    trial_settings,
)
from playground.errors import ConfigError

RTOL, ATOL = 1e-10, 1e-12


def _data(name="circle", n=120, noise=20, seed=1, val=0.25, test=False):
    split = split_dataset(make_dataset(name, n, noise=noise, seed=seed), 0.6, val, seed=0)
    return TrainData(
        split.X_train,
        split.y_train,
        split.X_val,
        split.y_val,
        split.X_test if test else None,
        split.y_test if test else None,
    )


BINARY = _data()
TRIALS = [
    {"learning_rate": 0.03, "seed": 0},
    {"learning_rate": 0.1, "regularization": "l2", "reg_rate": 0.01, "seed": 1},
    {"learning_rate": 0.01, "regularization": "l1", "reg_rate": 0.003, "seed": 2},
    {"learning_rate": 0.3, "regularization": "l2", "reg_rate": 0.1, "seed": 2},
]


def assert_matches(pop: Population, data: TrainData, epochs: int) -> list[Trainer]:
    """Train every trial alone for ``epochs`` and compare it with the population, trial for trial."""
    trainers = []
    values = pop.trial_values()
    for i in range(pop.n_trials):
        ncfg, tcfg = pop.trial_configs(i)
        tr = Trainer(Network(ncfg), data, tcfg)
        tr.run_epochs(epochs)
        trainers.append(tr)
        where = f"trial {i} ({pop.trials[i]})"
        assert pop.status[i] == tr.status, f"{where}: status ours {pop.status[i]!r} vs Trainer {tr.status!r}"
        assert pop.divergence[i] == tr.divergence, f"{where}: {pop.divergence[i]} vs {tr.divergence}"
        assert pop.best_epoch[i] == tr.best_epoch, (
            f"{where}: best epoch {pop.best_epoch[i]} vs {tr.best_epoch}"
        )
        np.testing.assert_allclose(
            values[i], tr.network.params.values, rtol=RTOL, atol=ATOL, err_msg=f"{where}: weights"
        )
        state = pop.trial_state(i)
        for name, arr in tr.network.buffers().items():
            np.testing.assert_allclose(state[name], arr, rtol=RTOL, atol=ATOL, err_msg=f"{where}: {name}")
        ours, theirs = pop.trial_history(i), tr.history
        assert len(ours) == len(theirs), f"{where}: {len(ours)} epochs recorded vs {len(theirs)}"
        for a, b in zip(ours, theirs, strict=True):
            for key in (
                "train_loss",
                "val_loss",
                "test_loss",
                "train_acc",
                "val_acc",
                "test_acc",
                "lr",
                "penalty",
            ):
                if b[key] is None:
                    assert a[key] is None, f"{where}: epoch {b['epoch']} {key}: {a[key]} vs None"
                else:
                    np.testing.assert_allclose(
                        a[key], b[key], rtol=RTOL, atol=ATOL, err_msg=f"{where}: epoch {b['epoch']} {key}"
                    )
    return trainers


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_every_optimizer_matches_single_model_training(optimizer):
    pop = Population(NetworkConfig(hidden=[6, 5]), BINARY, TrainConfig(optimizer=optimizer), TRIALS)
    pop.run_epochs(6)
    assert_matches(pop, BINARY, 6)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_every_activation_matches_single_model_training(activation):
    cfg = NetworkConfig(hidden=[5, 4], activation=activation)
    pop = Population(cfg, BINARY, TrainConfig(optimizer="adam", learning_rate=0.01), TRIALS[:3])
    pop.run_epochs(4)
    assert_matches(pop, BINARY, 4)


@pytest.mark.parametrize(
    "net, train",
    [
        ({"batch_norm": "before"}, {"optimizer": "momentum", "batch_size": 7}),  # 54 rows: last batch 5
        (
            {"batch_norm": "after", "residual": True, "hidden": [4, 4]},
            {"batch_size": 53},  # 54 rows: the 1-row last batch is merged into the previous one
        ),
        ({"residual": True, "hidden": [2, 2], "init": "he_uniform"}, {"optimizer": "nesterov"}),
        ({}, {"schedule": "inverse_sqrt", "schedule_params": {"k": 0.5}, "clip_norm": 0.5}),
        (
            {},
            {
                "shuffle": False,
                "optimizer": "rmsprop",
                "optimizer_params": {"momentum": 0.5, "centered": True},
            },
        ),
    ],
    ids=["bn-before", "bn-after-residual", "residual-first", "schedule-clip", "no-shuffle-rmsprop"],
)
def test_architectures_and_training_options_match(net, train):
    cfg = NetworkConfig(**{"hidden": [5, 4], **net})
    pop = Population(cfg, BINARY, TrainConfig(**train), TRIALS)
    pop.run_epochs(5)
    assert_matches(pop, BINARY, 5)


def test_per_trial_dropout_seeds_and_data_order_match():
    trials = [
        {"dropout": 0.0, "train_seed": 0, "seed": 3},
        {"dropout": 0.2, "train_seed": 1, "seed": 3},
        {"dropout": 0.5, "train_seed": 1, "seed": 4, "learning_rate": 0.1},
    ]
    pop = Population(NetworkConfig(hidden=[8, 8]), BINARY, TrainConfig(), trials)
    pop.run_epochs(5)
    assert_matches(pop, BINARY, 5)


@pytest.mark.parametrize(
    "name, task, n_classes", [("spiral3", "multiclass", 3), ("reg-gauss", "regression", 2)]
)
def test_multiclass_and_regression_match(name, task, n_classes):
    data = _data(name, n=150, noise=10, test=True)
    cfg = NetworkConfig(hidden=[6], task=task, n_classes=n_classes, activation="relu")
    pop = Population(cfg, data, TrainConfig(optimizer="adam", learning_rate=0.01), TRIALS[:3])
    pop.run_epochs(4)
    assert_matches(pop, data, 4)


def test_early_stopping_per_trial_restores_best_weights():
    trials = [
        {"early_stopping": True, "patience": 2, "learning_rate": 0.3},
        {"early_stopping": True, "patience": 4, "learning_rate": 0.1, "min_delta": 0.001},
        {"learning_rate": 0.1},
    ]
    cfg = NetworkConfig(hidden=[8, 8], batch_norm="after")
    pop = Population(cfg, BINARY, TrainConfig(optimizer="adam"), trials)
    pop.run_epochs(40)
    trainers = assert_matches(pop, BINARY, 40)
    assert pop.status[:2] == ["early_stopped", "early_stopped"], "the setup should stop the first two early"
    assert pop.status[2] == "ready" and pop.epochs_done[2] == 40
    assert trainers[0].status == "early_stopped"


def test_a_diverging_trial_is_frozen_and_the_others_go_on():
    data = _data("reg-plane", n=150, noise=10)
    cfg = NetworkConfig(hidden=[8, 8], task="regression", activation="identity")
    trials = [{"learning_rate": 0.01}, {"learning_rate": 1.0}, {"learning_rate": 0.02}]
    pop = Population(cfg, data, TrainConfig(optimizer="sgd"), trials)
    pop.run_epochs(5)
    assert pop.status == ["ready", "diverged", "ready"]
    d = pop.divergence[1]
    assert d.epoch == 1 and d.step >= 1 and ("loss" in d.reason or "weight" in d.reason)
    assert np.isfinite(pop.trial_values()[1]).all(), "a diverged trial keeps its last finite weights"
    assert list(pop.epochs_done) == [5, 0, 5]
    assert (
        math.isnan(pop.history["val_loss"][-1][1]) and np.isfinite(pop.history["val_loss"][-1][[0, 2]]).all()
    )
    assert_matches(pop, data, 5)


def test_all_trials_diverging_ends_the_run():
    data = _data("reg-plane", n=150, noise=10)
    cfg = NetworkConfig(hidden=[8], task="regression", activation="identity")
    pop = Population(cfg, data, TrainConfig(), [{"learning_rate": 2.0}, {"learning_rate": 5.0}])
    assert pop.run_epochs(10) <= 2
    assert pop.done and pop.status == ["diverged", "diverged"]
    assert not pop.run_epoch()


def test_network_of_a_trial_predicts_like_its_trainer():
    pop = Population(NetworkConfig(hidden=[4]), BINARY, TrainConfig(), TRIALS)
    pop.run_epochs(3)
    tr = Trainer(Network(pop.trial_configs(2)[0]), BINARY, pop.trial_configs(2)[1])
    tr.run_epochs(3)
    grid = np.random.default_rng(0).uniform(-6, 6, (50, 2))
    np.testing.assert_allclose(pop.network(2).predict(grid), tr.network.predict(grid), rtol=RTOL)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hidden=st.lists(st.integers(1, 6), min_size=0, max_size=3),
    lrs=st.lists(st.floats(1e-3, 0.5), min_size=1, max_size=4),
    batch=st.integers(2, 30),
    seed=st.integers(0, 5),
)
def test_property_any_shape_any_rates(hidden, lrs, batch, seed):
    trials = [
        {"learning_rate": lr, "seed": seed + k, "reg_rate": lr / 10, "regularization": "l2"}
        for k, lr in enumerate(lrs)
    ]
    cfg = NetworkConfig(hidden=hidden, activation="tanh")
    pop = Population(cfg, BINARY, TrainConfig(batch_size=batch, optimizer="momentum"), trials)
    pop.run_epochs(2)
    assert_matches(pop, BINARY, 2)


# -- configuration ---------------------------------------------------------------------------------
def test_trial_configs_are_the_shared_configs_with_the_trial_settings():
    base_net, base_train = NetworkConfig(hidden=[3], seed=7), TrainConfig(learning_rate=0.05, seed=9)
    pop = Population(base_net, BINARY, base_train, [{}, {"seed": 1, "train_seed": 2, "learning_rate": 0.2}])
    assert pop.trial_configs(0) == (base_net, base_train)
    net, train = pop.trial_configs(1)
    assert net == dataclasses.replace(base_net, seed=1)
    assert train == dataclasses.replace(base_train, seed=2, learning_rate=0.2)
    assert trial_settings(net, train)["train_seed"] == 2 and set(trial_settings(net, train)) == set(
        TRIAL_KEYS
    )


@pytest.mark.parametrize(
    "trials, match",
    [
        ([{"hidden": [4]}], "cannot differ"),
        ([{"learning_rate": 0.0}], "at least"),
        ([{"dropout": 1.5}], "Dropout"),
        ([], "at least one trial"),
        ([{"early_stopping": True}], "validation"),
    ],
)
def test_bad_trial_settings_raise_config_error(trials, match):
    data = _data(val=0.0) if trials and "early_stopping" in trials[0] else BINARY
    with pytest.raises(ConfigError, match=match):
        Population(NetworkConfig(), data, TrainConfig(), trials)


def test_data_that_does_not_fit_raises_config_error():
    with pytest.raises(ConfigError, match="input features"):
        Population(NetworkConfig(n_inputs=3), BINARY, TrainConfig(), 2)
    with pytest.raises(ConfigError, match="Batch norm"):
        Population(NetworkConfig(batch_norm="after"), BINARY, TrainConfig(batch_size=1), 2)


def test_group_compatible_splits_by_shape_and_shared_settings():
    a = (NetworkConfig(hidden=[4]), TrainConfig(learning_rate=0.1))
    b = (NetworkConfig(hidden=[4], seed=3, dropout=0.2), TrainConfig(regularization="l2", reg_rate=0.1))
    c = (NetworkConfig(hidden=[8]), TrainConfig())
    d = (NetworkConfig(hidden=[4]), TrainConfig(batch_size=20))
    assert group_compatible([a, b, c, d]) == [[0, 1], [2], [3]]


def test_engine_import_does_not_pull_in_streamlit():
    code = "import sys, playground.engine.population; assert 'streamlit' not in sys.modules"
    subprocess.run(
        [sys.executable, "-c", code], check=True, cwd=str(__import__("pathlib").Path(__file__).parents[2])
    )


def test_training_without_evaluation_gives_the_same_weights_and_records_only_evaluated_epochs():
    every = Population(NetworkConfig(hidden=[5]), BINARY, TrainConfig(), TRIALS)
    every.run_epochs(6)
    last = Population(NetworkConfig(hidden=[5]), BINARY, TrainConfig(), TRIALS)
    last.run_epochs(3, evaluate="last")
    last.run_epoch(evaluate=False)
    last.run_epoch(evaluate=False)
    assert last.history_epochs == [0, 3]
    last.run_epoch(evaluate=False)
    last.ensure_evaluated()
    assert last.history_epochs == [0, 3, 6]
    np.testing.assert_array_equal(last.trial_values(), every.trial_values())
    for key in ("train_loss", "val_acc", "lr", "penalty"):
        np.testing.assert_array_equal(last.history[key][-1], every.history[key][-1], err_msg=key)
    assert [r["epoch"] for r in last.trial_history(0)] == [0, 3, 6]
    with pytest.raises(ConfigError):
        last.run_epochs(1, evaluate="never")
