"""URL query parameters <-> config, and TensorFlow Playground links."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from playground import limits
from playground.experiment import PlaygroundConfig
from playground.urlconfig import (
    FIELDS,
    config_diff,
    from_query,
    parse_link,
    parse_tf_hash,
    share_link,
    to_query,
)


def default() -> PlaygroundConfig:
    cfg = PlaygroundConfig()
    cfg.validate()
    return cfg


def test_default_config_has_an_empty_query():
    assert to_query(default()) == {}


def test_round_trip():
    cfg = default()
    cfg.data.dataset, cfg.data.noise, cfg.data.train_fraction, cfg.data.val_fraction = (
        "spiral",
        15.0,
        0.7,
        0.2,
    )
    cfg.data.features = ["x1", "x2", "sin_x1"]
    cfg.model.hidden, cfg.model.activation, cfg.model.batch_norm = [8, 8, 3], "leaky_relu", "before"
    cfg.model.activation_params = {"slope": 0.2}
    cfg.training.optimizer, cfg.training.learning_rate = "adam", 0.003
    cfg.training.optimizer_params = {"beta1": 0.85, "beta2": 0.99, "eps": 1e-7}
    cfg.training.early_stopping, cfg.view.show_test, cfg.loop.stop_epoch = True, True, 500
    cfg.validate()
    q = to_query(cfg)
    again, notices = from_query(q)
    assert notices == []
    assert config_diff(cfg, again) == []


def test_zero_hidden_layers_round_trip():
    cfg = default()
    cfg.model.hidden = []
    again, notices = from_query(to_query(cfg))
    assert again.model.hidden == [] and notices == []


def test_garbage_falls_back_with_notices():
    cfg, notices = from_query(
        {"lr": "abc", "layers": "4,999,x", "activation": "bogus", "noise": "80", "what": "1", "batch": "-3"}
    )
    assert cfg.training.learning_rate == 0.03
    assert cfg.model.hidden == [4, 2]  # "x" makes the whole list invalid
    assert cfg.model.activation == "tanh"
    assert cfg.data.noise == limits.MAX_NOISE
    assert cfg.training.batch_size == 1
    text = " ".join(notices)
    assert "lr=abc" in text and "bogus" in text and "what" in text and "noise=80" in text


def test_cross_field_repairs():
    cfg, notices = from_query({"early_stop": "1", "val": "0"})
    assert not cfg.training.early_stopping and any("validation" in n for n in notices)
    cfg, notices = from_query({"bn": "after", "batch": "1"})
    assert cfg.training.batch_size == 2 and notices


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([f.key for f in FIELDS] + ["opt.beta1", "init.std", "x", "sched.gamma"]),
        st.text(max_size=12),
        max_size=8,
    )
)
def test_from_query_never_raises(params):
    cfg, notices = from_query(params)
    cfg.validate()
    assert isinstance(notices, list)


TF_LINK = (
    "https://playground.tensorflow.org/#activation=relu&batchSize=17&dataset=spiral&regDataset=reg-plane"
    "&learningRate=0.01&regularizationRate=0.001&noise=15&networkShape=8,8,5&seed=0.80368&showTestData=true"
    "&discretize=false&percTrainData=60&x=true&y=true&xTimesY=true&xSquared=false&ySquared=false&cosX=false"
    "&sinX=true&cosY=false&sinY=false&collectStats=false&problem=classification&initZero=false&hideText=false"
    "&regularization=L2"
)


def test_tf_link():
    cfg, notices = parse_link(TF_LINK)
    assert notices == []
    assert cfg.model.activation == "relu" and cfg.model.hidden == [8, 8, 5]
    assert cfg.training.batch_size == 17 and cfg.training.learning_rate == 0.01
    assert cfg.training.regularization == "l2" and cfg.training.reg_rate == 0.001
    assert cfg.data.dataset == "spiral" and cfg.data.noise == 15 and cfg.data.train_fraction == 0.6
    assert cfg.data.features == ["x1", "x2", "x1*x2", "sin_x1"]
    assert cfg.view.show_test and not cfg.view.discretize
    assert cfg.data.seed == 80368


def test_tf_default_link_is_our_default():
    link = (
        "#activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&learningRate=0.03"
        "&regularizationRate=0&noise=0&networkShape=4,2&seed=0&showTestData=false&discretize=false"
        "&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&ySquared=false&cosX=false"
        "&sinX=false&cosY=false&sinY=false&collectStats=false&problem=classification&initZero=false"
        "&hideText=false"
    )
    cfg, notices = parse_link(link)
    assert notices == [] and config_diff(cfg, default()) == []


def test_tf_regression_and_odd_values():
    cfg, notices = parse_tf_hash(
        {
            "problem": "regression",
            "regDataset": "reg-gauss",
            "networkShape": "",
            "cosX": "true",
            "learningRate": "50",
        }
    )
    assert cfg.data.dataset == "reg-gauss" and cfg.model.hidden == []
    assert cfg.training.learning_rate == limits.MAX_LEARNING_RATE
    assert any("cosX" in n for n in notices) and any("learningRate" in n for n in notices)
    cfg, notices = parse_tf_hash({"initZero": "true", "activation": "weird", "networkShape": "4,a"})
    assert cfg.model.init == "zeros" and cfg.model.activation == "tanh" and cfg.model.hidden == [4, 2]
    assert len(notices) == 2


def test_our_own_link_and_empty_links():
    cfg, notices = parse_link("http://localhost:8501/?dataset=xor&layers=3")
    assert cfg.data.dataset == "xor" and cfg.model.hidden == [3] and notices == []
    cfg, notices = parse_link("")
    assert notices and config_diff(cfg, default()) == []


def test_an_address_bar_link_pasted_loads_its_setup_and_ignores_the_run_id():
    cfg, notices = parse_link("http://localhost:8501/?dataset=xor&layers=3&sid=abcdefghijklmnop12")
    assert cfg.data.dataset == "xor" and cfg.model.hidden == [3] and notices == []


def test_share_link_carries_the_setup_only():
    cfg = default()
    cfg.data.dataset, cfg.model.hidden = "xor", [3]
    link = share_link(cfg, "https://room.example/app/")
    assert link == "https://room.example/app/?dataset=xor&layers=3"
    assert share_link(default(), "http://h:1") == "http://h:1/"
    assert share_link(cfg, None) == "/?dataset=xor&layers=3"
    back, notices = parse_link(link)
    assert config_diff(back, cfg) == [] and notices == []


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_parse_link_never_raises(text):
    cfg, _ = parse_link(text)
    cfg.validate()


def test_tf_regression_link_opens_with_tf_playgrounds_point_count():
    """TF Playground draws 1 200 points for regression (``DatasetSpec.default_samples``); its links
    carry no count, so ours uses that one; our own links keep naming exactly their run."""
    cfg, notices = parse_link("https://playground.tensorflow.org/#problem=regression&regDataset=reg-gauss")
    assert cfg.data.dataset == "reg-gauss" and cfg.data.n_samples == 1200 and notices == []
    again, notices = from_query(to_query(cfg))  # the address bar then carries it: the same run
    assert again.data.n_samples == 1200 and config_diff(cfg, again) == [] and notices == []
    cfg, _ = parse_link("https://playground.tensorflow.org/#problem=classification&dataset=spiral")
    assert cfg.data.n_samples == 500
    cfg, _ = parse_link("http://localhost:8501/?dataset=reg-gauss")
    assert cfg.data.n_samples == 500
    cfg, _ = parse_link("http://localhost:8501/?dataset=reg-plane&points=700")
    assert cfg.data.n_samples == 700


def test_tf_regression_points_respect_the_cap():
    old = limits.install(limits.Caps(max_points=300))
    try:
        cfg, notices = parse_tf_hash({"problem": "regression"})
        assert cfg.data.dataset == "reg-plane" and cfg.data.n_samples == 300
        assert any("1200" in n and "300" in n for n in notices)
    finally:
        limits.install(old)


def test_query_fields_come_from_the_schema():
    from playground.experiment.schema import SETTINGS

    assert [f.key for f in FIELDS] == [s.key for s in SETTINGS if s.key]
    assert len({f.key for f in FIELDS}) == len(FIELDS)
    old = limits.install(limits.Caps(max_points=300, max_neurons=16))
    try:
        cfg, notices = from_query({"points": "1000", "layers": "32"})
        assert cfg.data.n_samples == 300 and cfg.model.hidden == [16] and len(notices) == 2
    finally:
        limits.install(old)
