"""The two-channel text CNN (Kim 2014) built from the engine's embedding, im2col/col2im and dense
layers: a central-difference gradient check of every trained parameter, the frozen channel getting
no gradient and no update, the PyTorch oracle (loss, gradients and 5 Adam steps against
nn.Embedding + nn.Conv2d (w × D kernels over 2 channels) + max-over-time + nn.Linear), and learning
the shipped English set on the same split as fastText."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine.gradcheck import numerical_gradient, relative_error
from playground.lessons.fasttext import FastTextRun, Settings, Split, shipped_lines
from playground.lessons.textcnn import PAD, UNK, CNNRun, TextCNN


def small(seed=0, filters=3):
    rng = np.random.default_rng(seed)
    V, D, K, T = 9, 4, 3, 6
    model = TextCNN(V, D, K, T, pretrained=rng.normal(size=(V, D)), filters=filters, seed=seed)
    ids = rng.integers(1, V, size=(5, T))
    ids[0, 4:] = 0  # padding
    y = rng.integers(0, K, size=5)
    return model, ids, y


def test_gradient_check_of_every_trained_parameter():
    model, ids, y = small()

    def f():
        return model.loss.forward(model.forward(ids), y)

    for name in model.params.names():
        model.loss_and_grad(ids, y)
        got = model.params[name].grad.copy()
        if name == "static.W":
            assert not got.any()  # frozen: no gradient is kept
            continue
        num = numerical_gradient(f, model.params[name].value)
        if name == "embed.W":  # the padding row is excluded from training (as torch's padding_idx)
            assert not got[0].any()
            got, num = got[1:], num[1:]
        assert np.abs(got).max() > 0, name
        assert relative_error(got, num) < 1e-6, name


def test_frozen_channel_gets_no_update_and_the_trained_one_does():
    model, ids, y = small(1)
    static0 = model.params["static.W"].value.copy()
    embed0 = model.params["embed.W"].value.copy()
    for _step in range(5):
        model.step(ids, y)
    np.testing.assert_array_equal(model.params["static.W"].value, static0)
    assert np.abs(model.params["embed.W"].value - embed0).max() > 1e-4
    np.testing.assert_array_equal(model.params["embed.W"].value[0], 0.0)  # padding row stays 0


@pytest.mark.torch
def test_matches_torch():
    torch = pytest.importorskip("torch")
    model, ids, y = small(2)
    V, D, K, F = model.V, model.D, model.K, model.F
    p = {n: model.params[n].value.copy() for n in model.params.names()}
    tt = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    static = torch.nn.Embedding(V, D).double()
    static.weight = torch.nn.Parameter(tt(p["static.W"]), requires_grad=False)
    embed = torch.nn.Embedding(V, D, padding_idx=0).double()
    embed.weight = torch.nn.Parameter(tt(p["embed.W"]))
    convs = torch.nn.ModuleList()
    for w in model.widths:
        conv = torch.nn.Conv2d(2, F, (w, D)).double()
        conv.weight = torch.nn.Parameter(tt(p[f"conv{w}.W"].T.reshape(F, 2, w, D)))
        conv.bias = torch.nn.Parameter(tt(p[f"conv{w}.b"]))
        convs.append(conv)
    head = torch.nn.Linear(len(model.widths) * F, K).double()
    head.weight = torch.nn.Parameter(tt(p["out.W"].T))
    head.bias = torch.nn.Parameter(tt(p["out.b"]))
    params = [embed.weight, *convs.parameters(), *head.parameters()]
    opt = torch.optim.Adam(params, lr=0.01)
    ti, ty = torch.tensor(ids), torch.tensor(y)

    def torch_loss():
        x = torch.stack([static(ti), embed(ti)], dim=1)  # (N, 2, T, D)
        pooled = [torch.relu(c(x)).squeeze(3).max(dim=2).values for c in convs]
        return torch.nn.functional.cross_entropy(head(torch.cat(pooled, dim=1)), ty)

    for _step in range(5):
        opt.zero_grad()
        loss = torch_loss()
        loss.backward()
        ours = model.loss_and_grad(ids, y)
        assert ours == pytest.approx(loss.item(), abs=1e-12)
        np.testing.assert_allclose(model.params["embed.W"].grad, embed.weight.grad.numpy(), atol=1e-12)
        for w, conv in zip(model.widths, convs, strict=True):
            g = model.params[f"conv{w}.W"].grad.T.reshape(F, 2, w, D)
            np.testing.assert_allclose(g, conv.weight.grad.numpy(), atol=1e-12)
        np.testing.assert_allclose(model.params["out.W"].grad, head.weight.grad.numpy().T, atol=1e-12)
        model.optimizer.step()
        opt.step()
    np.testing.assert_allclose(model.params["embed.W"].value, embed.weight.detach().numpy(), atol=1e-10)
    np.testing.assert_allclose(model.params["out.W"].value, head.weight.detach().numpy().T, atol=1e-10)


def test_learns_the_english_set_beside_fasttext():
    split = Split.make(shipped_lines("en"))
    labels = FastTextRun(split, Settings(epochs=1)).dictionary.labels
    cnn = CNNRun(split.train, split.test, labels, epochs=8)
    assert cnn.words[:2] == [PAD, UNK]
    while not cnn.done:
        cnn.run_epoch()
    assert cnn.history[-1]["test_acc"] >= 0.85
    assert len(cnn.yt) == len(split.test)
    ex = cnn.explain(["the", "soup", "was", "not", "good", "zzzz"])
    assert ex["unknown"] == ["zzzz"]
    assert len(ex["filters"]) == 3 * cnn.filters
    for f in ex["filters"]:
        assert len(f["ngram"].split()) == f["width"]
    assert ex["probabilities"].sum() == pytest.approx(1.0)


def test_advance_trains_in_slices_equal_to_whole_epochs():
    split = Split.make(shipped_lines("en"))
    labels = FastTextRun(split, Settings(epochs=1)).dictionary.labels
    a = CNNRun(split.train, split.test, labels, epochs=2)
    b = CNNRun(split.train, split.test, labels, epochs=2)
    rows = []
    while not a.done:
        row = a.advance(0.0)  # one mini-batch per call
        if row is not None:
            rows.append(row)
    while not b.done:
        b.run_epoch()
    assert [r["test_acc"] for r in rows] == [r["test_acc"] for r in b.history]
    np.testing.assert_array_equal(a.model.params.values, b.model.params.values)
