"""The image layers against PyTorch (float64, CPU, 1e-10): conv2d, max/avg pooling (overlapping,
padded, odd sizes), adaptive pooling as spatial pyramid pooling, BatchNorm2d, and a whole small CNN
for 20 Adam steps."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine import ModelSpec, Network, TrainConfig, TrainData, Trainer
from tests.engine.test_conv import CONV_CASES, POOL_CASES, make_layer

# -- the PyTorch oracle -----------------------------------------------------------------------------
torch = pytest.importorskip("torch", reason="PyTorch not installed: `pip install torch==2.13.0`")
F = torch.nn.functional


def _t(a, grad=True):
    t = torch.tensor(np.asarray(a), dtype=torch.float64)
    return t.requires_grad_(grad)


def _close(ours, theirs, what):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=0, atol=1e-10, err_msg=what)


def _oracle(spec, in_shape, torch_fn, n=3, seed=0, training=True):
    layer, ps, _ = make_layer(spec, in_shape, seed)
    rng = np.random.default_rng(seed + 7)
    x = rng.normal(size=(n, *in_shape))
    ps.zero_grad()
    y = layer.forward(x, training)
    up = rng.normal(size=y.shape)
    dx = layer.backward(up)
    xt = _t(x)
    params = {name: _t(p.value) for name, p in ps.params.items()}
    yt = torch_fn(xt, params)
    (yt * _t(up, False)).sum().backward()
    _close(y, yt, "output")
    _close(dx, xt.grad, "input gradient")
    for name, p in ps.params.items():
        _close(p.grad, params[name].grad, f"{name} gradient")
    return layer


@pytest.mark.torch
@pytest.mark.parametrize("in_shape, kw", CONV_CASES)
def test_conv2d_matches_torch(in_shape, kw):
    s, p = kw.get("stride", 1), kw.get("padding", 0)
    _oracle(
        {"type": "conv2d", "name": "c", **kw},
        in_shape,
        lambda x, w: F.conv2d(x, w["c.W"], w["c.b"], stride=s, padding=p),
    )


@pytest.mark.torch
@pytest.mark.parametrize("in_shape, kw", POOL_CASES)
def test_pooling_matches_torch(in_shape, kw):
    k, s, p = kw["kernel"], kw.get("stride") or kw["kernel"], kw.get("padding", 0)
    _oracle({"type": "max_pool2d", **kw}, in_shape, lambda x, w: F.max_pool2d(x, k, s, p))
    _oracle({"type": "avg_pool2d", **kw}, in_shape, lambda x, w: F.avg_pool2d(x, k, s, p))


@pytest.mark.torch
@pytest.mark.parametrize("mode", ["max", "avg"])
def test_spatial_pyramid_matches_torch_adaptive_pooling(mode):
    pool = F.adaptive_max_pool2d if mode == "max" else F.adaptive_avg_pool2d
    levels = [1, 2, 3]
    _oracle(
        {"type": "spatial_pyramid_pool", "levels": levels, "mode": mode},
        (2, 7, 5),
        lambda x, w: torch.cat([pool(x, n).flatten(1) for n in levels], dim=1),
    )


@pytest.mark.torch
def test_global_avg_pool_and_flatten_match_torch():
    _oracle({"type": "global_avg_pool"}, (3, 4, 5), lambda x, w: F.adaptive_avg_pool2d(x, 1).flatten(1))
    _oracle({"type": "flatten"}, (2, 3, 3), lambda x, w: x.flatten(1))


@pytest.mark.torch
def test_batch_norm2d_matches_torch_train_then_eval():
    layer, ps, _ = make_layer({"type": "batch_norm2d", "name": "bn", "momentum": 0.2}, (3, 4, 5))
    tbn = torch.nn.BatchNorm2d(3, momentum=0.2, eps=1e-5).double()
    with torch.no_grad():
        tbn.weight.copy_(torch.tensor(ps["bn.gamma"].value))
        tbn.bias.copy_(torch.tensor(ps["bn.beta"].value))
    rng = np.random.default_rng(4)
    for training in (True, True, False):
        x = rng.normal(size=(2, 3, 4, 5)) * 2 + 1
        up = rng.normal(size=x.shape)
        ps.zero_grad()
        tbn.zero_grad()
        y = layer.forward(x, training)
        dx = layer.backward(up)
        tbn.train(training)
        xt = _t(x)
        yt = tbn(xt)
        (yt * _t(up, False)).sum().backward()
        _close(y, yt, f"output (training={training})")
        _close(dx, xt.grad, f"input gradient (training={training})")
        _close(ps["bn.gamma"].grad, tbn.weight.grad, "gamma gradient")
        _close(ps["bn.beta"].grad, tbn.bias.grad, "beta gradient")
        _close(layer.running_mean, tbn.running_mean, "running_mean")
        _close(layer.running_var, tbn.running_var, "running_var")


@pytest.mark.torch
def test_a_small_cnn_matches_torch_for_20_adam_steps():
    spec = ModelSpec(
        input_shape=[1, 8, 8],
        layers=[
            {"type": "conv2d", "name": "c1", "filters": 4, "kernel": 3, "padding": 1},
            {"type": "batch_norm2d", "name": "c1"},
            {"type": "activation", "name": "c1", "activation": "relu"},
            {"type": "max_pool2d", "kernel": 2},
            {"type": "conv2d", "name": "c2", "filters": 6, "kernel": 3, "stride": 2, "padding": 1},
            {"type": "activation", "name": "c2", "activation": "tanh"},
            {"type": "flatten"},
            {"type": "dense", "name": "out", "units": 10},
        ],
        task="multiclass",
        n_classes=10,
        seed=2,
    )
    net = Network(spec)
    p = net.get_params()
    conv1 = torch.nn.Conv2d(1, 4, 3, padding=1).double()
    bn = torch.nn.BatchNorm2d(4).double()
    conv2 = torch.nn.Conv2d(4, 6, 3, stride=2, padding=1).double()
    lin = torch.nn.Linear(6 * 2 * 2, 10).double()
    with torch.no_grad():
        conv1.weight.copy_(torch.tensor(p["c1.W"]))
        conv1.bias.copy_(torch.tensor(p["c1.b"]))
        conv2.weight.copy_(torch.tensor(p["c2.W"]))
        conv2.bias.copy_(torch.tensor(p["c2.b"]))
        lin.weight.copy_(torch.tensor(p["out.W"].T))
        lin.bias.copy_(torch.tensor(p["out.b"]))
    model = torch.nn.Sequential(
        conv1, bn, torch.nn.ReLU(), torch.nn.MaxPool2d(2), conv2, torch.nn.Tanh(), torch.nn.Flatten(), lin
    )
    rng = np.random.default_rng(9)
    X, y = rng.normal(size=(16, 1, 8, 8)), rng.integers(0, 10, 16)
    trainer = Trainer(
        net, TrainData(X, y), TrainConfig(optimizer="adam", learning_rate=0.01, batch_size=16, shuffle=False)
    )
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    T = net.loss.targets(y)
    for step in range(20):
        loss = trainer.train_batch(X, T)
        opt.zero_grad()
        tl = F.cross_entropy(model(torch.tensor(X)), torch.tensor(y))
        tl.backward()
        opt.step()
        assert abs(loss - tl.item()) < 1e-10, f"step {step}: loss {loss} vs {tl.item()}"
    ours = net.get_params()
    _close(ours["c1.W"], conv1.weight, "c1.W after 20 Adam steps")
    _close(ours["c2.W"], conv2.weight, "c2.W after 20 Adam steps")
    _close(ours["out.W"].T, lin.weight, "out.W after 20 Adam steps")
    _close(ours["c1.gamma"], bn.weight, "BN γ after 20 Adam steps")
    _close(net.buffers()["c1.running_var"], bn.running_var, "BN running_var")
