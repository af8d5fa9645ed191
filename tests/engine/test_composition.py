"""The engine's shape: layers compose from specs, a new layer is one class and one registry line,
the trials axis runs the same layers, state_dicts restore a run exactly, wrong input is refused."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine import (
    ACTIVATIONS,
    LAYERS,
    ModelSpec,
    Network,
    NetworkConfig,
    ParamSet,
    Status,
    TrainConfig,
    TrainData,
    Trainer,
    make_activation,
    make_optimizer,
)
from playground.engine.gradcheck import check_network
from playground.engine.layers import Layer
from playground.engine.registry import Param
from playground.errors import ConfigError
from tests.engine.stacking import assert_trials_match, train_alone_and_stacked

TOL = 1e-6


# -- a toy layer, added through the registry alone --------------------------------------------------
@LAYERS.register(
    "test_scale",
    description="y = s·x with a learned s per feature (a test of adding a layer).",
    init=Param(1.0, -10.0, 10.0, "Initial scale."),
)
class Scale(Layer):
    def __init__(self, in_shape, init=1.0):
        self.width, self.init = in_shape[-1], init

    def param_specs(self):
        return [("s", (self.width,), "other")]

    def init_params(self, rng):
        self.p["s"].value[...] = self.init + rng.normal(0.0, 0.1, self.width)

    def forward(self, x, training):
        self._x = x
        return x * self.row(self.p["s"].value)

    def backward(self, grad):
        self.p["s"].grad[...] += self.batch_sum(grad * self._x)
        return grad * self.row(self.p["s"].value)


SCALE_SPEC = ModelSpec(
    input_shape=[2],
    layers=[
        {"type": "dense", "name": "h1", "units": 5},
        {"type": "test_scale", "name": "h1s", "init": 0.5},
        {"type": "activation", "name": "h1", "activation": "tanh"},
        {"type": "dense", "name": "out", "units": 1},
    ],
    seed=3,
)


def _data(n=60, seed=0, val=20):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n + val, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    return TrainData(X[:n], y[:n], X[n:], y[n:])


def test_a_new_layer_through_the_registry_trains_alone_and_in_a_stack():
    data = _data()
    X, y = data.X_train[:12], data.y_train[:12]
    net = Network(SCALE_SPEC)
    assert "h1s.s" in net.params.names()
    errors = check_network(net, X, y)
    assert max(errors.values()) < TOL, errors

    cfg = TrainConfig(optimizer="adam", learning_rate=0.02, batch_size=8)
    stacked, singles = train_alone_and_stacked(SCALE_SPEC, data, cfg, [3, 4, 5], [0.02, 0.05, 0.01], 5)
    assert_trials_match(stacked, singles, rtol=1e-10)
    for i, single in enumerate(singles):
        np.testing.assert_allclose(
            stacked.history[-1]["val_loss"][i], single.history[-1]["val_loss"], rtol=1e-10
        )
    assert singles[0].history[-1]["train_loss"] < singles[0].history[0]["train_loss"]


# -- containers ---------------------------------------------------------------------------------------
RESIDUAL_SPEC = ModelSpec(
    input_shape=[3],
    layers=[
        {"type": "dense", "name": "h1", "units": 4},
        {"type": "activation", "name": "h1", "activation": "elu"},
        {
            "type": "residual",
            "block": [
                {
                    "type": "sequential",
                    "layers": [{"type": "dense", "name": "h2", "units": 4, "bias_init": 0.1}],
                },
                {"type": "batch_norm", "name": "h2"},
                {"type": "activation", "name": "h2", "activation": "tanh"},
            ],
        },
        {"type": "dense", "name": "out", "units": 3},
    ],
    task="multiclass",
    n_classes=3,
    seed=1,
)


def test_gradients_through_residual_sequential_and_batch_norm_inside():
    rng = np.random.default_rng(0)
    net = Network(RESIDUAL_SPEC)
    assert [h.residual for h in net.hidden_layers] == [False, True]
    X, y = rng.normal(size=(9, 3)), rng.integers(0, 3, 9)
    for training in (True, False):
        errors = check_network(net, X, y, training=training)
        assert max(errors.values()) < TOL, (training, errors)


def test_a_spec_round_trips_through_json_and_rebuilds_the_same_network():
    import json

    net = Network(RESIDUAL_SPEC)
    again = Network(ModelSpec.from_dict(json.loads(json.dumps(RESIDUAL_SPEC.to_dict()))))
    for name, value in net.state().items():
        np.testing.assert_array_equal(again.state()[name], value)


def test_the_mlp_builder_is_a_layer_list_with_todays_names():
    cfg = NetworkConfig(hidden=[3, 3], batch_norm="before", dropout=0.1, residual=True)
    specs = cfg.layer_specs()
    assert [s["type"] for s in specs] == ["dense", "batch_norm", "activation", "dropout", "residual", "dense"]
    net = Network(cfg)
    assert net.params.names() == [
        "h1.W",
        "h1.b",
        "h1.gamma",
        "h1.beta",
        "h2.W",
        "h2.b",
        "h2.gamma",
        "h2.beta",
        "out.W",
        "out.b",
    ]
    assert [name for name, _ in net.named_layers()][:4] == ["h1", "h1", "h1", "h1"]


@pytest.mark.parametrize(
    "layers, match",
    [
        ([{"type": "conv3d"}], "Unknown layer"),
        ([{"type": "dense", "units": 0}], "at least"),
        ([{"type": "dense", "units": 2, "colour": "red"}], "unknown setting"),
        (
            [{"type": "residual", "block": [{"type": "dense", "units": 3}]}, {"type": "dense", "units": 1}],
            "shape",
        ),
        ([{"type": "dense", "units": 2}], "needs"),
        (["dense"], "dict"),
    ],
)
def test_bad_layer_specs_raise_config_error(layers, match):
    with pytest.raises(ConfigError, match=match):
        Network(ModelSpec(input_shape=[2], layers=layers))


# -- state_dict ----------------------------------------------------------------------------------------
def _run(cfg_net, cfg_train, data):
    return Trainer(Network(cfg_net), data, cfg_train, instrument=True)


@pytest.mark.parametrize("early", [False, True])
def test_trainer_and_network_state_dicts_continue_a_run_exactly_even_mid_epoch(early):
    data = _data(n=70, val=30)
    net_cfg = NetworkConfig(hidden=[6, 6], activation="rrelu", dropout=0.2, batch_norm="after", seed=4)
    train_cfg = TrainConfig(
        optimizer="adam", learning_rate=0.05, batch_size=8, early_stopping=early, patience=2
    )
    a = _run(net_cfg, train_cfg, data)
    a.run_epochs(3)
    a.run_steps(4)  # part of an epoch: its order and position are part of the state
    net_state, trainer_state = a.network.state_dict(), a.state_dict()
    assert trainer_state["step_in_epoch"] == 4 and trainer_state["perm"] is not None
    a.run_epochs(6)

    b = _run(net_cfg, train_cfg, data)
    b.run_epochs(1)  # a different state, overwritten below
    b.network.load_state_dict(net_state)
    b.load_state_dict(trainer_state)
    b.run_epochs(6)
    assert b.history == a.history and b.status == a.status and b.best_epoch == a.best_epoch
    for name, value in a.network.state().items():
        np.testing.assert_array_equal(b.network.state()[name], value, err_msg=name)
    assert b.health == a.health


def test_state_dict_leaves_are_arrays_or_json_values():
    import json

    t = _run(NetworkConfig(hidden=[3]), TrainConfig(optimizer="momentum"), _data())
    t.run_steps(3)

    def arrays_out(d):
        if isinstance(d, dict):
            return {k: arrays_out(v) for k, v in d.items()}
        if isinstance(d, list):
            return [arrays_out(v) for v in d]
        return None if isinstance(d, np.ndarray) else d

    json.dumps(arrays_out({"trainer": t.state_dict(), "network": t.network.state_dict()}))


def test_malformed_trainer_state_raises_config_error():
    t = _run(NetworkConfig(hidden=[3]), TrainConfig(), _data())
    state = t.state_dict()
    with pytest.raises(ConfigError):
        t.load_state_dict({**state, "status": "exploded"})
    with pytest.raises(ConfigError, match="order"):
        t.load_state_dict({**state, "perm": [0, 0, 1]})
    with pytest.raises(ConfigError):
        t.network.load_state_dict({"params": {}})


def test_status_is_an_enum_that_reads_as_its_name():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    net = Network(NetworkConfig(hidden=[8, 8], activation="relu", task="regression", init="he_normal"))
    t = Trainer(net, TrainData(X, 3 * X[:, 0] - X[:, 1]), TrainConfig(learning_rate=50.0, batch_size=10))
    assert t.status is Status.READY
    t.run_epochs(50)
    assert t.status is Status.DIVERGED and t.status == "diverged" and f"{t.status}" == "diverged"


# -- wrong input is refused ------------------------------------------------------------------------------
def test_raw_labels_are_refused_with_the_expected_shape_named():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(10, 2)), rng.integers(0, 2, 10)
    net = Network(NetworkConfig(hidden=[3]))
    with pytest.raises(ConfigError, match=r"\(n, 1\)"):
        net.loss.forward(net.forward(X), y)
    t = Trainer(net, TrainData(X, y))
    with pytest.raises(ConfigError, match="targets"):
        t.train_batch(X, y)
    multi = Network(NetworkConfig(hidden=[3], task="multiclass", n_classes=3))
    with pytest.raises(ConfigError, match="integer class labels"):
        multi.loss.forward(multi.forward(X), y.astype(float))
    with pytest.raises(ConfigError, match="inputs of shape"):
        net.predict(np.zeros((4, 3)))


def test_one_spelling_of_the_learning_rate():
    ps = ParamSet.from_arrays({"w": np.zeros(2)})
    with pytest.raises(ConfigError, match="lr"):
        make_optimizer("sgd", ps, 0.1, {"lr": 0.2})
    with pytest.raises(ConfigError, match="learning_rate"):
        TrainConfig(optimizer="adam", optimizer_params={"lr": 0.1}).validate()


# -- one implementation per activation ------------------------------------------------------------------
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_the_curves_come_from_the_layer_and_df_is_the_derivative(name):
    act = make_activation(name, 3)
    x = np.linspace(-3, 3, 3 * act.pieces * 7).reshape(7, 3 * act.pieces) + 0.013
    y = act.f(x)
    np.testing.assert_array_equal(y, act.forward(x, False))
    assert act.df(x).shape == x.shape
    h = 1e-6
    num = np.zeros_like(x)
    for idx in np.ndindex(x.shape):  # d(sum of outputs)/d input, entry by entry
        xp, xm = x.copy(), x.copy()
        xp[idx] += h
        xm[idx] -= h
        num[idx] = (act.f(xp).sum() - act.f(xm).sum()) / (2 * h)
    np.testing.assert_allclose(act.df(x), num, atol=1e-6)


# -- frozen parameters ---------------------------------------------------------------------------------
def test_frozen_parameters_are_neither_updated_nor_decayed():
    ps = ParamSet([("W", (2, 2), "weight"), ("E", (3,), "frozen"), ("b", (2,), "bias")])
    assert ps.n_decay == 4 and ps.n_train == 6 and len(ps) == 9
    ps["E"].value[...] = [1.0, 2.0, 3.0]
    ps.grads[...] = 1.0
    make_optimizer("adamw", ps, 0.1, {"weight_decay": 0.5}).step()
    np.testing.assert_array_equal(ps["E"].value, [1.0, 2.0, 3.0])
    assert np.all(ps["W"].value < 0) and np.all(ps["b"].value < 0)


def test_residual_block_with_batch_norm_inside_matches_torch():
    torch = pytest.importorskip("torch", reason="PyTorch not installed: `pip install torch==2.13.0`")
    torch.set_default_dtype(torch.float64)
    rng = np.random.default_rng(2)
    net = Network(RESIDUAL_SPEC)
    X, y = rng.normal(size=(11, 3)), rng.integers(0, 3, 11)
    p = net.get_params()

    def linear(name, fan_in, fan_out):
        lin = torch.nn.Linear(fan_in, fan_out)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(p[f"{name}.W"].T))
            lin.bias.copy_(torch.tensor(p[f"{name}.b"]))
        return lin

    l1, l2, lout = linear("h1", 3, 4), linear("h2", 4, 4), linear("out", 4, 3)
    bn = torch.nn.BatchNorm1d(4, momentum=0.1, eps=1e-5)
    xt = torch.tensor(X)
    for _ in range(2):  # two training passes: the running statistics move twice
        h = torch.nn.functional.elu(l1(xt))
        h = h + torch.tanh(bn(l2(h)))
        loss_t = torch.nn.functional.cross_entropy(lout(h), torch.tensor(y))
        for m in (l1, l2, lout, bn):
            m.zero_grad()
        loss_t.backward()
        loss = net.loss_and_grad(X, net.loss.targets(y), training=True)
    assert abs(loss - loss_t.item()) < 1e-10
    g = net.gradients()
    pairs = {
        "h1.W": l1.weight.grad.T,
        "h1.b": l1.bias.grad,
        "h2.W": l2.weight.grad.T,
        "h2.b": l2.bias.grad,
        "h2.gamma": bn.weight.grad,
        "h2.beta": bn.bias.grad,
        "out.W": lout.weight.grad.T,
        "out.b": lout.bias.grad,
    }
    for name, theirs in pairs.items():
        np.testing.assert_allclose(g[name], theirs.numpy(), atol=1e-10, rtol=0, err_msg=name)
    buffers = net.buffers()
    np.testing.assert_allclose(buffers["h2.running_mean"], bn.running_mean.numpy(), atol=1e-12)
    np.testing.assert_allclose(buffers["h2.running_var"], bn.running_var.numpy(), atol=1e-12)


# -- hooks for the sequence and embedding labs --------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum_steps"])
def test_per_step_targets_with_padding_give_the_right_loss_and_gradient(reduction):
    from playground.engine.gradcheck import numerical_gradient, relative_error
    from playground.engine.losses import IGNORE_INDEX, make_loss

    rng = np.random.default_rng(3)
    out = rng.normal(size=(3, 4, 5))  # 3 sequences, 4 steps, 5 classes
    t = rng.integers(0, 5, (3, 4))
    t[0, 3] = t[2, 2:] = IGNORE_INDEX  # padding
    loss = make_loss("softmax_ce", {"reduction": reduction})
    value = loss.forward(out, t)
    logp = out - out.max(-1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(-1, keepdims=True))
    valid = t != IGNORE_INDEX
    nll = -np.take_along_axis(logp, np.where(valid, t, 0)[..., None], -1)[..., 0] * valid
    expected = nll.sum() / (valid.sum() if reduction == "mean" else 3)
    assert value == pytest.approx(expected, rel=1e-12)
    g = loss.backward()
    assert np.all(g[~valid] == 0)
    numeric = numerical_gradient(
        lambda: make_loss("softmax_ce", {"reduction": reduction}).forward(out, t), out
    )
    assert relative_error(g, numeric) < 1e-7
    assert loss.accuracy(out, t) == pytest.approx(np.mean((out.argmax(-1) == t)[valid]))


def test_padded_sequence_loss_matches_torch_ignore_index():
    torch = pytest.importorskip("torch", reason="PyTorch not installed: `pip install torch==2.13.0`")
    from playground.engine.losses import IGNORE_INDEX, make_loss

    rng = np.random.default_rng(4)
    out, t = rng.normal(size=(2, 5, 3)), rng.integers(0, 3, (2, 5))
    t[1, 3:] = IGNORE_INDEX
    ours = make_loss("softmax_ce").forward(out, t)
    theirs = torch.nn.functional.cross_entropy(
        torch.tensor(out).reshape(-1, 3), torch.tensor(t).reshape(-1), ignore_index=IGNORE_INDEX
    )
    assert abs(ours - theirs.item()) < 1e-12


@LAYERS.register("test_counter", description="Counts the batches it has seen since its state was reset.")
class Counter(Layer):
    def __init__(self, in_shape):
        self.seen = []
        self.count = 0

    def reset_state(self):
        self.count = 0

    def forward(self, x, training):
        if training:
            self.count += 1
            self.seen.append((self.count, float(x[0, 0])))
        return x


def test_unshuffled_batches_come_in_order_and_state_resets_each_epoch():
    X = np.arange(12.0).reshape(6, 2)
    spec = ModelSpec(
        input_shape=[2], layers=[{"type": "test_counter"}, {"type": "dense", "name": "out", "units": 1}]
    )
    net = Network(spec)
    t = Trainer(net, TrainData(X, np.zeros(6)), TrainConfig(batch_size=2, shuffle=False))
    t.run_epochs(2)
    counter = net.named_layers()[0][1]
    assert counter.seen == [(1, 0.0), (2, 4.0), (3, 8.0)] * 2  # in order; the count restarts each epoch


def test_integer_inputs_stay_integers():
    ids = np.array([[1, 2], [3, 4]])
    from playground.engine.trainer import _as_inputs

    assert _as_inputs(ids).dtype.kind == "i" and _as_inputs(ids.astype(float)).dtype == np.float64
