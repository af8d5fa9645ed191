"""Recurrent layers against PyTorch (float64, 1e-10): ``torch.nn.RNN``, ``LSTM`` and ``GRU``
(outputs, final state, every parameter gradient), the notes' two GRU forms against their equations
written with torch tensors and autograd, truncated BPTT with a carried state, and a stacked model
over 20 Adam steps."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine import ModelSpec, Network, TrainConfig, TrainData, Trainer
from tests.engine.test_conv import make_layer

torch = pytest.importorskip("torch", reason="PyTorch not installed: `pip install torch==2.13.0`")
pytestmark = pytest.mark.torch
ATOL = 1e-10


def _t(a, grad=True):
    return torch.tensor(np.asarray(a), dtype=torch.float64).requires_grad_(grad)


def _close(ours, theirs, what):
    if isinstance(theirs, torch.Tensor):
        theirs = theirs.detach().numpy()
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=ATOL, err_msg=what)


def _torch_module(cell, d, h, p):
    mod = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](
        d, h, batch_first=True
    ).double()
    with torch.no_grad():
        mod.weight_ih_l0.copy_(torch.tensor(p["r.Wx"].T))
        mod.weight_hh_l0.copy_(torch.tensor(p["r.Wh"].T))
        mod.bias_ih_l0.copy_(torch.tensor(p["r.b"]))
        mod.bias_hh_l0.copy_(torch.tensor(p["r.bh"] if "r.bh" in p else np.zeros_like(p["r.b"])))
    return mod


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_cells_match_torch_outputs_final_state_and_gradients(cell):
    layer, ps, _ = make_layer({"type": cell, "name": "r", "hidden": 4, "stateful": True}, (6, 3))
    layer.record = True
    p = {k: v.value.copy() for k, v in ps.params.items()}
    mod = _torch_module(cell, 3, 4, p)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, 6, 3))
    up = rng.normal(size=(2, 6, 4))
    ps.zero_grad()
    y = layer.forward(x, True)
    dx = layer.backward(up)
    xt = _t(x)
    yt, state = mod(xt)
    (yt * _t(up, False)).sum().backward()
    _close(y, yt, "outputs")
    h_n = state[0] if cell == "lstm" else state
    _close(layer._carry[0], h_n[0], "final hidden state")
    if cell == "lstm":
        _close(layer._carry[1], state[1][0], "final cell state")
    _close(dx, xt.grad, "input gradient")
    _close(ps["r.Wx"].grad, mod.weight_ih_l0.grad.T, "Wx gradient")
    _close(ps["r.Wh"].grad, mod.weight_hh_l0.grad.T, "Wh gradient")
    _close(ps["r.b"].grad, mod.bias_ih_l0.grad, "b gradient")
    if cell == "gru":
        _close(ps["r.bh"].grad, mod.bias_hh_l0.grad, "bh gradient")


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_truncated_bptt_carries_the_state_as_torch_with_h0(cell):
    layer, ps, _ = make_layer({"type": cell, "name": "r", "hidden": 3, "stateful": True}, (4, 2))
    p = {k: v.value.copy() for k, v in ps.params.items()}
    mod = _torch_module(cell, 2, 3, p)
    rng = np.random.default_rng(6)
    a, b, up = rng.normal(size=(2, 4, 2)), rng.normal(size=(2, 4, 2)), rng.normal(size=(2, 4, 3))
    layer.forward(a, True)
    ps.zero_grad()
    y = layer.forward(b, True)  # starts from a's final state; the gradient stops at the border
    layer.backward(up)
    with torch.no_grad():
        _, state = mod(_t(a, False))
    yt, _ = mod(_t(b, False), state)
    (yt * _t(up, False)).sum().backward()
    _close(y, yt, "second batch outputs")
    _close(ps["r.Wh"].grad, mod.weight_hh_l0.grad.T, "Wh gradient of the second batch")


def _notes_gru(x, Wx, Wh, b, full):
    """The study notes' GRU equations, in torch (autograd gives the reference gradients)."""
    n, steps, _ = x.shape
    H = Wh.shape[0]
    c = torch.zeros(n, H, dtype=torch.float64)
    outs = []
    for t in range(steps):
        xt = x[:, t]
        u = torch.sigmoid(xt @ Wx[:, :H] + c @ Wh[:, :H] + b[:H])
        if full:
            r = torch.sigmoid(xt @ Wx[:, H : 2 * H] + c @ Wh[:, H : 2 * H] + b[H : 2 * H])
            cand = torch.tanh(xt @ Wx[:, 2 * H :] + (r * c) @ Wh[:, 2 * H :] + b[2 * H :])
        else:
            cand = torch.tanh(xt @ Wx[:, H:] + c @ Wh[:, H:] + b[H:])
        c = u * cand + (1 - u) * c
        outs.append(c)
    return torch.stack(outs, dim=1)


@pytest.mark.parametrize("full", [False, True])
def test_the_notes_gru_forms_match_their_equations_in_torch(full):
    kind = "gru_full" if full else "gru_simple"
    layer, ps, _ = make_layer({"type": kind, "name": "r", "hidden": 4}, (5, 3))
    rng = np.random.default_rng(7)
    x, up = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 4))
    ps.zero_grad()
    y = layer.forward(x, True)
    dx = layer.backward(up)
    xt = _t(x)
    w = {k: _t(v.value) for k, v in ps.params.items()}
    yt = _notes_gru(xt, w["r.Wx"], w["r.Wh"], w["r.b"], full)
    (yt * _t(up, False)).sum().backward()
    _close(y, yt, "outputs")
    _close(dx, xt.grad, "input gradient")
    for name in ("r.Wx", "r.Wh", "r.b"):
        _close(ps[name].grad, w[name].grad, f"{name} gradient")


def test_a_stacked_lstm_classifier_matches_torch_for_20_adam_steps():
    spec = ModelSpec(
        input_shape=[6, 3],
        layers=[
            {"type": "lstm", "name": "r1", "hidden": 5},
            {"type": "lstm", "name": "r2", "hidden": 4},
            {"type": "last_step"},
            {"type": "dense", "name": "out", "units": 3},
        ],
        task="multiclass",
        n_classes=3,
        seed=3,
    )
    net = Network(spec)
    p = net.get_params()
    lstm = torch.nn.LSTM(3, 5, batch_first=True).double()
    lstm2 = torch.nn.LSTM(5, 4, batch_first=True).double()
    lin = torch.nn.Linear(4, 3).double()
    with torch.no_grad():
        for mod, name in ((lstm, "r1"), (lstm2, "r2")):
            mod.weight_ih_l0.copy_(torch.tensor(p[f"{name}.Wx"].T))
            mod.weight_hh_l0.copy_(torch.tensor(p[f"{name}.Wh"].T))
            mod.bias_ih_l0.copy_(torch.tensor(p[f"{name}.b"]))
            mod.bias_hh_l0.zero_()
            mod.bias_hh_l0.requires_grad_(False)
        lin.weight.copy_(torch.tensor(p["out.W"].T))
        lin.bias.copy_(torch.tensor(p["out.b"]))
    params = [q for m in (lstm, lstm2, lin) for q in m.parameters() if q.requires_grad]
    opt = torch.optim.Adam(params, lr=0.02)
    rng = np.random.default_rng(8)
    X, y = rng.normal(size=(10, 6, 3)), rng.integers(0, 3, 10)
    cfg = TrainConfig(optimizer="adam", learning_rate=0.02, batch_size=10, shuffle=False)
    trainer = Trainer(net, TrainData(X, y), cfg)
    T = net.loss.targets(y)
    for step in range(20):
        loss = trainer.train_batch(X, T)
        opt.zero_grad()
        h, _ = lstm(torch.tensor(X))
        h, _ = lstm2(h)
        tl = torch.nn.functional.cross_entropy(lin(h[:, -1]), torch.tensor(y))
        tl.backward()
        opt.step()
        assert abs(loss - tl.item()) < ATOL, f"step {step}: ours {loss} vs torch {tl.item()}"
    ours = net.get_params()
    _close(ours["r1.Wh"], lstm.weight_hh_l0.T, "r1.Wh after 20 Adam steps")
    _close(ours["r2.Wx"], lstm2.weight_ih_l0.T, "r2.Wx after 20 Adam steps")
    _close(ours["out.W"], lin.weight.T, "out.W after 20 Adam steps")
