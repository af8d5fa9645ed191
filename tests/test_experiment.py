"""The Playground's logic without Streamlit: config, rebuild-vs-on-the-fly, ticks, metrics, presets."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import numpy as np
import pytest

from playground import limits
from playground.data import make_dataset
from playground.engine import from_json
from playground.errors import ConfigError, DataError
from playground.experiment import (
    PRESETS,
    ApplyResult,
    Experiment,
    PlaygroundConfig,
    Upload,
    classification_metrics,
    load_preset,
    regression_metrics,
)


def test_defaults_are_tf_playgrounds():
    cfg = PlaygroundConfig()
    cfg.validate()
    assert cfg.data.dataset == "circle" and cfg.data.train_fraction == 0.5 and cfg.data.noise == 0
    assert cfg.model.hidden == [4, 2] and cfg.model.activation == "tanh"
    assert (
        cfg.model.init == "uniform" and cfg.model.init_params == {"limit": 0.5} and cfg.model.bias_init == 0.1
    )
    assert cfg.training.learning_rate == 0.03 and cfg.training.batch_size == 10
    assert cfg.training.optimizer == "sgd" and cfg.data.features == ["x1", "x2"]


def test_config_json_round_trip():
    cfg = PlaygroundConfig()
    cfg.data.dataset, cfg.model.hidden, cfg.training.optimizer = "spiral", [8, 8, 3], "adam"
    cfg.training.optimizer_params = {"beta1": 0.8}
    cfg.validate()
    again = PlaygroundConfig.from_json(cfg.to_json())
    assert again.to_dict() == cfg.to_dict()


@pytest.mark.parametrize(
    "section, field, value",
    [
        ("model", "hidden", [4] * (limits.MAX_HIDDEN_LAYERS + 1)),
        ("model", "hidden", [limits.MAX_NEURONS + 1]),
        ("model", "activation", "nope"),
        ("data", "n_samples", limits.MAX_POINTS + 1),
        ("data", "features", []),
        ("training", "learning_rate", 100.0),
        ("training", "batch_size", 0),
    ],
)
def test_invalid_settings_raise_config_error(section, field, value):
    d = PlaygroundConfig().to_dict()
    d[section][field] = value
    with pytest.raises(ConfigError):
        PlaygroundConfig.from_dict(d)


def test_unknown_fields_raise():
    with pytest.raises(ConfigError):
        PlaygroundConfig.from_dict({"data": {"bogus": 1}})
    with pytest.raises(ConfigError):
        PlaygroundConfig.from_json("not json")


def test_on_the_fly_changes_keep_the_weights():
    exp = Experiment()
    exp.step(5)
    before = exp.network.get_params()
    cfg = exp.config.copy()
    cfg.training.learning_rate = 0.1
    cfg.training.batch_size = 20
    cfg.training.regularization, cfg.training.reg_rate = "l2", 0.001
    assert exp.apply(cfg).kind == "updated"
    assert exp.epoch == 5
    for name, value in exp.network.get_params().items():
        np.testing.assert_array_equal(value, before[name])
    assert exp.trainer.config.learning_rate == 0.1 and exp.trainer.config.batch_size == 20


@pytest.mark.parametrize(
    "section, field, value",
    [
        ("model", "activation", "relu"),
        ("model", "hidden", [3]),
        ("model", "init", "he_normal"),
        ("model", "batch_norm", "after"),
        ("data", "features", ["x1", "x2", "x1*x2"]),
        ("data", "dataset", "xor"),
        ("data", "noise", 10.0),
    ],
)
def test_structure_changes_rebuild(section, field, value):
    exp = Experiment()
    exp.step(3)
    cfg = exp.config.copy()
    setattr(getattr(cfg, section), field, value)
    result = exp.apply(cfg)
    assert result.kind == "rebuilt" and result.reasons
    assert exp.epoch == 0 and len(exp.history) == 1


def test_view_changes_change_nothing():
    exp = Experiment()
    cfg = exp.config.copy()
    cfg.view.show_test = True
    cfg.loop.epochs_per_update = 3
    assert exp.apply(cfg).kind == "unchanged"
    assert exp.config.view.show_test


def test_failed_apply_leaves_the_experiment_as_it_was():
    exp = Experiment()
    exp.step(2)
    cfg = exp.config.copy()
    cfg.data.dataset = "csv"  # no upload: a DataError
    with pytest.raises(DataError):
        exp.apply(cfg)
    assert exp.config.data.dataset == "circle" and exp.epoch == 2


def test_tick_trains_epochs_and_respects_the_stop_epoch():
    exp = Experiment()
    r = exp.tick(budget_s=60.0)  # a generous budget: the count, not this machine's speed, is tested
    assert r.epochs == exp.config.loop.epochs_per_update and exp.epoch == r.epochs
    assert exp.history[-1]["train_loss"] < exp.history[0]["train_loss"]
    cfg = exp.config.copy()
    cfg.loop.stop_epoch = exp.epoch + 2
    exp.apply(cfg)
    r = exp.tick(10, budget_s=60.0)
    assert r.stopped and "stop epoch" in r.stopped and exp.epoch == cfg.loop.stop_epoch


def test_stop_at_loss():
    exp = Experiment()
    cfg = exp.config.copy()
    cfg.loop.stop_loss = 5.0  # met at once
    exp.apply(cfg)
    r = exp.tick()
    assert r.epochs == 0 and "target" in r.stopped


def test_divergence_pauses_with_a_message_and_reset_recovers():
    cfg = PlaygroundConfig()
    cfg.data.dataset = "reg-plane"
    cfg.training.learning_rate = 10.0
    exp = Experiment(cfg)
    for _ in range(20):
        r = exp.tick(budget_s=60.0)
        if r.stopped:
            break
    assert exp.status == "diverged" and not exp.can_train
    msg = exp.divergence_message()
    assert f"after epoch {exp.epoch}," in msg and "lower" in msg  # the epoch the counter shows
    exp.reset()
    assert exp.status == "ready" and exp.epoch == 0


def test_reset_draws_new_weights_same_config():
    exp = Experiment()
    w0 = exp.network.get_params()["h1.W"]
    exp.reset()
    assert not np.array_equal(w0, exp.network.get_params()["h1.W"])
    assert exp.config.to_dict() == PlaygroundConfig().to_dict() or exp.config.data.seed == 0


def test_same_config_same_run():
    a, b = Experiment(), Experiment()
    a.step(3)
    b.step(3)
    assert a.history[-1]["train_loss"] == b.history[-1]["train_loss"]


def test_metrics():
    m = classification_metrics(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]), 2)
    assert m["accuracy"] == 0.75 and m["confusion"].tolist() == [[1, 1], [0, 2]]
    r = regression_metrics(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0]))
    assert r["rmse"] == 0 and r["r2"] == 1
    r = regression_metrics(np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0]))
    assert r["r2"] == pytest.approx(0.0) and r["rmse"] == pytest.approx(np.sqrt(2 / 3))


def test_experiment_metrics_per_task():
    exp = Experiment()
    m = exp.metrics()
    assert set(m) == {"train", "test"} and m["test"]["confusion"].sum() == 250
    cfg = PlaygroundConfig()
    cfg.data.dataset = "reg-gauss"
    m = Experiment(cfg).metrics()
    assert "rmse" in m["test"] and "r2" in m["test"]


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_classify_xor_perfectly(name):
    exp = load_preset(name)
    m = exp.metrics()
    assert m["train"]["accuracy"] == 1.0 and m["test"]["accuracy"] == 1.0
    assert exp.epoch == 0 and exp.edited


def test_xor_two_relus_formula_and_sign_convention():
    """h1 = relu(x+y-1), h2 = relu(-x-y+1); class 1 (blue) is x1 XOR x2 = 1."""
    exp = load_preset("xor_two_relus")
    W, b = exp.layer_weights("h1")
    assert W[:, 0].tolist() == [1, 1] and b[0] == -1
    assert W[:, 1].tolist() == [-1, -1] and b[1] == 1
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    p = exp.network.predict(exp.transform.transform(corners))
    assert (p > 0.5).tolist() == [False, True, True, False]
    ds = make_dataset("xor-table", 40)
    assert ds.y[np.all(np.round(ds.X) == [0, 1], axis=1)].min() == 1


def test_edit_weights_by_hand():
    exp = Experiment()
    W, b = exp.layer_weights("out")
    exp.set_layer_weights("out", W * 0, b * 0 + 3.0)
    assert exp.history[-1].get("edited")
    assert np.allclose(exp.network.predict(exp.inputs["train"][:3]), 1 / (1 + np.exp(-3)))
    with pytest.raises(ConfigError):
        exp.set_layer_weights("out", np.zeros((5, 5)), b)
    with pytest.raises(ConfigError):
        exp.set_layer_weights("out", W * np.nan, b)


def test_views_have_the_right_shapes():
    exp = Experiment()
    assert exp.grid_values().shape == (limits.GRID_N, limits.GRID_N)
    maps = exp.neuron_maps()
    g = limits.NEURON_GRID_N
    assert maps["inputs"].shape == (2, g, g) and [h.shape for h in maps["hidden"]] == [(4, g, g), (2, g, g)]
    assert maps["output"].shape == (g, g)
    cfg = PlaygroundConfig()
    cfg.data.dataset = "spiral3"
    exp = Experiment(cfg)
    assert exp.grid_values().shape == (limits.GRID_N, limits.GRID_N, 3)
    assert exp.neuron_maps()["output"].shape == (3, g, g)


def test_downloads():
    exp = Experiment()
    exp.step(2)
    rows = list(csv.DictReader(io.StringIO(exp.history_csv())))
    assert [r["epoch"] for r in rows] == ["0", "1", "2"] and rows[0]["val_loss"] == ""
    assert float(rows[-1]["train_loss"]) == exp.history[-1]["train_loss"]
    net = from_json(exp.weights_json())
    np.testing.assert_array_equal(net.get_params()["h1.W"], exp.network.get_params()["h1.W"])
    assert PlaygroundConfig.from_dict(json.loads(exp.config_json())).to_dict() == exp.config.to_dict()
    assert exp.weights_npz()[:2] == b"PK"


def test_upload():
    text = "a,b,label\n" + "\n".join(f"{i % 7},{(i * 3) % 5},{i % 2}" for i in range(40))
    up = Upload.parse("t.csv", text.encode())
    assert up.problems == ("auto", "classification", "regression")
    cfg = PlaygroundConfig()
    cfg.data.dataset = "csv"
    exp = Experiment(cfg, upload=up)
    assert exp.task == "binary"
    cfg.data.problem = "regression"
    assert exp.apply(cfg).kind == "rebuilt" and exp.task == "regression"
    with pytest.raises(DataError):
        Upload.parse("bad.csv", b"\x00\x01garbage")


def test_no_streamlit_in_the_logic():
    code = (
        "import sys, playground.experiment, playground.urlconfig, playground.limits; "
        "assert 'streamlit' not in sys.modules, 'streamlit imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=__file__.rsplit("/tests/", 1)[0])


# -- issue 11: apply() says what it did, stop reasons as a field, state_dict, caps --------------------


def test_apply_returns_what_it_did_and_why():
    exp = Experiment()
    exp.step(2)
    cfg = exp.config.copy()
    cfg.model.activation, cfg.data.n_samples = "relu", 300
    result = exp.apply(cfg)
    assert result == ApplyResult("rebuilt", ("number of points", "activation")) and result.rebuilt
    cfg = exp.config.copy()
    cfg.training.learning_rate = 0.1
    assert exp.apply(cfg) == ApplyResult("updated")
    assert exp.apply(exp.config) == ApplyResult("unchanged")
    assert not hasattr(exp, "last_rebuild_reasons")


def test_early_stopping_is_a_stop_kind_not_a_message():
    cfg = PlaygroundConfig.from_dict(
        {
            "data": {"dataset": "spiral", "val_fraction": 0.3, "noise": 30},
            "model": {"hidden": [16, 16]},
            "training": {"optimizer": "adam", "learning_rate": 0.1, "early_stopping": True, "patience": 2},
        }
    )
    exp = Experiment(cfg)
    for _ in range(100):
        if exp.tick(20, budget_s=60.0).stopped:
            break
    assert exp.status == "early_stopped" and exp.stop_kind == "early_stopped"
    cfg = exp.config.copy()
    cfg.training.early_stopping = False
    assert exp.apply(cfg).kind == "updated" and exp.can_train and exp.stop_kind is None


def test_state_dict_round_trip_continues_bit_for_bit():
    cfg = PlaygroundConfig.from_dict(
        {
            "data": {"val_fraction": 0.2},
            "model": {"hidden": [5, 3], "batch_norm": "before", "dropout": 0.1, "activation": "rrelu"},
            "training": {"optimizer": "adam", "learning_rate": 0.01, "early_stopping": True},
        }
    )
    a = Experiment(cfg)
    a.reset()
    a.step(6)
    state = a.state_dict()
    assert set(state) >= {"config", "upload", "network", "trainer"}
    assert isinstance(state["network"]["params"]["h1.W"], np.ndarray)
    assert state["trainer"]["status"] == "ready" and state["trainer"]["epoch"] == 6
    b = Experiment.from_state_dict(state)
    c = Experiment()  # load_state_dict onto another run
    c.load_state_dict(state)
    for other in (b, c):
        assert other.history == a.history and other.reset_count == 1
    a.step(4)
    for other in (b, c):
        other.step(4)
        np.testing.assert_array_equal(other.network.params.values, a.network.params.values)
        assert other.history == a.history


def test_load_state_dict_that_does_not_fit_leaves_the_run_as_it_was():
    a = Experiment()
    a.step(3)
    state = a.state_dict()
    state["network"]["params"]["h1.W"] = np.zeros((9, 9))
    b = Experiment()
    b.step(1)
    with pytest.raises(ConfigError):
        b.load_state_dict(state)
    assert b.epoch == 1 and b.network.get_params()["h1.W"].shape == (2, 4)


def test_defaults_are_clamped_to_the_caps():
    old = limits.install(limits.Caps(max_points=300, max_epochs_per_update=5, max_hidden_layers=1))
    try:
        cfg = PlaygroundConfig()
        cfg.validate()
        assert cfg.data.n_samples == 300 and cfg.loop.epochs_per_update == 5 and cfg.model.hidden == [4]
        assert Experiment().dataset.n_samples == 300
        d = PlaygroundConfig().to_dict()
        d["data"]["n_samples"] = 301
        with pytest.raises(ConfigError, match="300"):
            PlaygroundConfig.from_dict(d)
    finally:
        limits.install(old)
    assert PlaygroundConfig().data.n_samples == 500


def test_the_upload_cap_is_read_by_the_parser():
    row = "0.123456,0.654321,1\n0.223456,0.754321,0\n"
    big = ("a,b,label\n" + row * (2 * 1024 * 1024 // len(row) + 1)).encode()
    assert 2 * 1024 * 1024 < len(big) < 5 * 1024 * 1024
    old = limits.install(limits.Caps(max_upload_mb=1))
    try:
        with pytest.raises(DataError, match=r"limit is 1\.0 MB"):
            Upload.parse("big.csv", big)
    finally:
        limits.install(old)


def test_model_config_is_derived_from_network_config():
    import dataclasses

    from playground.engine import NetworkConfig
    from playground.experiment import ModelConfig

    net_fields = {f.name: f.type for f in dataclasses.fields(NetworkConfig)}
    for f in dataclasses.fields(ModelConfig):
        assert net_fields[f.name] == f.type and f.metadata["setting"].section == "model"
    net = ModelConfig(hidden=[3]).network_config(n_inputs=5, task="binary", n_classes=2, seed=7)
    assert net.hidden == [3] and net.init == "uniform" and net.n_inputs == 5 and net.seed == 7


def test_every_setting_is_declared_once_and_its_default_is_valid():
    import dataclasses

    from playground.experiment import SETTINGS
    from playground.experiment.config import _CLASSES

    seen = set()
    for s in SETTINGS:
        assert (s.section, s.name) not in seen
        seen.add((s.section, s.name))
        assert s.name in {f.name for f in dataclasses.fields(_CLASSES[s.section])}
        if s.kind in ("int", "float"):
            low, high = s.bounds()
            assert low <= s.default_value() <= high, s.name
        if s.widget and s.kind not in ("params", "ints"):
            assert s.from_widget(s.to_widget(s.default_value())) == s.default_value(), s.name
    for section in ("data", "model", "loop", "view"):  # training also has engine-only fields
        assert {f.name for f in dataclasses.fields(_CLASSES[section])} == {
            n for sec, n in seen if sec == section
        }


def test_a_heavy_config_keeps_the_tick_budget_inside_an_epoch_and_carries_its_position():
    """Issue 13 §4: one epoch of a heavy config took 2.3 s per tick; now an update trains only the
    mini-batches that fit, and the epoch goes on in the next update (and through a checkpoint)."""
    cfg = PlaygroundConfig.from_dict(
        {
            "data": {"n_samples": 2000, "train_fraction": 0.9},
            "model": {"hidden": [64] * 6, "activation": "maxout", "activation_params": {"k": 5}},
            "training": {"batch_size": 1, "optimizer": "adamw", "learning_rate": 1e-5},
        }
    )
    exp = Experiment(cfg)
    r = exp.tick(budget_s=0.05)
    assert r.epochs == 0 and exp.epoch == 0  # mid-epoch: no epoch finished within the budget
    position = exp.trainer.step_in_epoch
    assert 1 <= position < 1800
    state = exp.state_dict()
    assert state["trainer"]["step_in_epoch"] == position and state["trainer"]["perm"] is not None
    exp.tick(budget_s=0.05)
    assert exp.trainer.step_in_epoch > position  # the same epoch, further on
    twin = Experiment.from_state_dict(state)
    twin.trainer.run_steps(10**6)  # the rest of that epoch
    assert twin.epoch == 1


def test_the_in_epoch_budget_trains_exactly_as_whole_epochs_do():
    a, b = Experiment(), Experiment()
    for _ in range(6):
        a.tick(epochs=1, budget_s=0.0005)  # many tiny updates, mostly mid-epoch
    assert a.trainer.total_steps > 0
    while b.trainer.total_steps < a.trainer.total_steps:  # the same mini-batches, by whole epochs
        b.trainer.run_steps(a.trainer.total_steps - b.trainer.total_steps)
    assert b.epoch == a.epoch
    assert np.array_equal(a.network.params.values, b.network.params.values)
