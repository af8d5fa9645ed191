"""Embedding tables: gradient checks (random upstream), the trials axis, the row-sparse optimizer
hook (untouched rows, frozen tables) and the PyTorch oracle (float64, 1e-10): nn.Embedding and
nn.EmbeddingBag forward/backward; SGD and AdaGrad row-sparse = dense = torch (sparse and dense
gradients); dense Adam = torch.optim.Adam; lazy Adam = torch.optim.SparseAdam (+ Adam for the rest);
Embedding + softmax cross-entropy + Adam trained 20 steps against torch."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine import ModelSpec, Network, ParamSet, make_optimizer
from playground.engine.embedding import SparseRows, bag_mean, bag_mean_backward, counter_uniform
from playground.engine.gradcheck import numerical_gradient, relative_error
from playground.engine.layers import build_layer
from playground.errors import ConfigError

TOL = 1e-7


def make(spec, in_shape, seed=0, trials=None):
    layer, out_shape = build_layer(spec, in_shape)
    ps = ParamSet([(layer.name + n, s, k) for n, s, k in layer.param_specs()], trials)
    layer.bind(ps)
    ps.values[...] = np.random.default_rng(seed).normal(size=ps.values.shape)
    return layer, ps, out_shape


def check_table_grad(layer, ps, ids, seed=1, skip_rows=()):
    """Finite differences against backward (rows in ``skip_rows`` — padding — are read but get
    no gradient by design, as in torch)."""
    rng = np.random.default_rng(seed)
    y = layer.forward(ids, True)
    upstream = rng.normal(size=y.shape)

    def f():
        return float(np.sum(layer.forward(ids, True) * upstream))

    ps.zero_grad()
    layer.forward(ids, True)
    assert layer.backward(upstream) is None
    for name, p in ps.params.items():
        numeric = numerical_gradient(f, p.value)
        numeric[list(skip_rows)] = 0.0
        err = relative_error(p.grad, numeric)
        assert err < TOL, (name, err)
    return y


@pytest.mark.parametrize("shape", [(7,), (3, 4)])
def test_embedding_gradient(shape):
    layer, ps, out_shape = make({"type": "embedding", "name": "e", "vocab": 5, "dim": 3}, shape[1:])
    ids = np.random.default_rng(0).integers(0, 5, size=shape)  # repeated ids accumulate
    y = check_table_grad(layer, ps, ids)
    assert y.shape == (*shape, 3) and out_shape == (*shape[1:], 3)
    np.testing.assert_array_equal(y, ps["e.W"].value[ids])


def test_embedding_padding_row_gets_no_gradient_and_starts_at_zero():
    layer, ps, _ = make({"type": "embedding", "name": "e", "vocab": 4, "dim": 2, "padding_idx": 0}, ())
    layer.init_params(np.random.default_rng(0))
    assert np.all(ps["e.W"].value[0] == 0)
    ps.values[...] = np.random.default_rng(3).normal(size=ps.values.shape)
    ids = np.array([0, 1, 0, 3])
    check_table_grad(layer, ps, ids, skip_rows=[0])
    assert np.all(ps["e.W"].grad[0] == 0)
    assert sorted(ps.take_touched()["e.W"]) == [1, 3]


def test_embedding_bag_gradient_and_empty_bag():
    spec = {"type": "embedding_bag", "name": "b", "vocab": 6, "dim": 3, "pad_id": -1}
    layer, ps, out_shape = make(spec, (4,))
    ids = np.array([[0, 2, 2, -1], [5, -1, -1, -1], [-1, -1, -1, -1], [1, 3, 4, 0]])
    y = check_table_grad(layer, ps, ids)
    W = ps["b.W"].value
    np.testing.assert_allclose(y[0], (W[0] + 2 * W[2]) / 3)
    np.testing.assert_array_equal(y[2], 0.0)
    assert out_shape == (3,)


def test_trials_match_single_networks():
    rng = np.random.default_rng(5)
    for spec, ids_shape in (
        ({"type": "embedding", "name": "e", "vocab": 5, "dim": 3}, (4, 2)),
        ({"type": "embedding_bag", "name": "e", "vocab": 5, "dim": 3, "pad_id": -1}, (4, 3)),
    ):
        stacked, ps, _ = make(spec, ids_shape[1:], trials=2)
        ids = rng.integers(-1 if "pad_id" in spec else 0, 5, size=ids_shape)
        per_trial = rng.integers(0, 5, size=(2, *ids_shape))
        up = rng.normal(size=(2, *stacked.forward(ids, True).shape[1:]))
        for x in (ids, per_trial):
            ps.zero_grad()
            y = stacked.forward(x, True)
            stacked.backward(up)
            for t in range(2):
                single, ps1, _ = make(spec, ids_shape[1:])
                ps1.values[...] = ps.values[t]
                xt = x if x.ndim == len(ids_shape) else x[t]
                np.testing.assert_array_equal(single.forward(xt, True), y[t])
                single.backward(up[t])
                np.testing.assert_allclose(ps1.grads, ps.grads[t], rtol=0, atol=1e-12)


def test_ids_out_of_range_are_refused():
    layer, _, _ = make({"type": "embedding", "name": "e", "vocab": 3, "dim": 2}, ())
    with pytest.raises(ConfigError, match=r"\[0, 3\)"):
        layer.forward(np.array([0, 3]), True)
    with pytest.raises(ConfigError, match="integer"):
        layer.forward(np.array([0.5]), True)


def test_bag_mean_offsets_form():
    rng = np.random.default_rng(2)
    table = rng.normal(size=(6, 3))
    ids, offsets = np.array([0, 2, 2, 5, 1, 3, 4, 0]), np.array([0, 3, 4, 4])  # bag 2 is empty
    out = bag_mean(table, ids, offsets)
    np.testing.assert_allclose(out[0], table[[0, 2, 2]].mean(axis=0))
    np.testing.assert_array_equal(out[2], 0.0)
    up = rng.normal(size=out.shape)

    def f():
        return float(np.sum(bag_mean(table, ids, offsets) * up))

    d_rows = bag_mean_backward(up, ids, offsets)
    d_table = np.zeros_like(table)
    np.add.at(d_table, ids, d_rows)
    assert relative_error(d_table, numerical_gradient(f, table)) < TOL


# -- the row-sparse optimizer hook ---------------------------------------------------------------
def embed_net(vocab=6, dim=3, classes=4, seed=0, frozen=False, seq=False):
    return Network(
        ModelSpec(
            input_shape=[3] if seq else [],
            layers=[
                {"type": "embedding", "name": "emb", "vocab": vocab, "dim": dim, "frozen": frozen},
                *([{"type": "flatten"}] if seq else []),
                {"type": "dense", "name": "out", "units": classes},
            ],
            task="multiclass",
            n_classes=classes,
            seed=seed,
        )
    )


def step(net, opt, x, y):
    opt.zero_grad()
    net.loss_and_grad(x, net.loss.targets(y))
    opt.step()


@pytest.mark.parametrize("name", ["sgd", "adagrad", "momentum", "rmsprop", "adam"])
def test_untouched_rows(name):
    """SGD/AdaGrad ('still') and lazy Adam leave unused rows and their state bit for bit; the dense
    rules change them once they have state (momentum moves the rows, RMSProp decays their average)."""
    net = embed_net()
    opt = make_optimizer(name, net.params, 0.1, lazy=name == "adam")
    W = net.params["emb.W"].value
    step(net, opt, np.array([0, 1]), np.array([1, 2]))
    before, state_before = W.copy(), {k: v.copy() for k, v in opt.state.items()}
    step(net, opt, np.array([2, 2]), np.array([0, 3]))
    moved = np.flatnonzero(np.any(before != W, axis=1))
    sl = net.params.slices["emb.W"][0]
    state_rows = {
        r
        for k, v in opt.state.items()
        for r in np.flatnonzero(np.any((v != state_before[k])[sl].reshape(6, 3), axis=1))
    }
    if name in ("sgd", "adagrad", "adam"):
        assert list(moved) == [2] and state_rows <= {2}
    elif name == "momentum":
        assert {0, 1, 2} <= set(moved)
    else:
        assert {0, 1} <= state_rows


def test_frozen_table_gets_no_update_and_no_gradient():
    net = embed_net(frozen=True)
    assert net.params.kinds["emb.W"] == "frozen" and "emb.W" not in net.params.row_sparse
    W0 = net.params["emb.W"].value.copy()
    out0 = net.params["out.W"].value.copy()
    opt = make_optimizer("adam", net.params, 0.1)
    for _ in range(3):
        step(net, opt, np.array([0, 1, 5]), np.array([1, 2, 3]))
    np.testing.assert_array_equal(net.params["emb.W"].value, W0)
    assert np.all(net.params["emb.W"].grad == 0)
    assert np.any(net.params["out.W"].value != out0)


def test_lazy_is_refused_where_it_does_not_exist():
    net = embed_net()
    with pytest.raises(ConfigError, match="no lazy form"):
        make_optimizer("momentum", net.params, 0.1, lazy=True)
    stacked = Network(embed_net().spec, seeds=[1, 2])
    with pytest.raises(ConfigError, match="single network"):
        make_optimizer("adam", stacked.params, 0.1, lazy=True)


def test_optimizer_state_dict_round_trip_keeps_lazy():
    net = embed_net()
    opt = make_optimizer("adam", net.params, 0.1, lazy=True)
    step(net, opt, np.array([0, 1]), np.array([1, 2]))
    d = opt.state_dict()
    other = make_optimizer("adam", net.params, 0.1, lazy=True)
    other.load_state_dict(d)
    assert other.t == 1 and other.lazy
    with pytest.raises(ConfigError, match="lazy"):
        make_optimizer("adam", net.params, 0.1).load_state_dict(d)


# -- sparse row map ------------------------------------------------------------------------------
def test_sparse_rows_store_only_what_occurs():
    table = SparseRows(2_000_000, 100, seed=3)
    pos = table.lookup(np.array([1_999_999, 5, 5, 70]))
    assert list(pos) == [0, 1, 1, 2] and table.values.shape == (3, 100)
    assert table.values.nbytes < 10_000
    # a row's initial value depends on (seed, row) only, not on when it was first met
    other = SparseRows(2_000_000, 100, seed=3)
    other.lookup(np.array([70]))
    np.testing.assert_array_equal(other.values[0], table.values[2])
    assert np.all(np.abs(table.values) <= 1 / 100)
    unseen = table.vectors(np.array([123]))
    np.testing.assert_array_equal(unseen[0], counter_uniform(3, np.array([123]), 100, -0.01, 0.01)[0])
    assert 123 not in table and table.size == 3
    table.values[1] += 1.0
    copy = SparseRows(1, 1)
    copy.load_state_dict(table.state_dict())
    np.testing.assert_array_equal(copy.vectors(np.array([5, 70, 9])), table.vectors(np.array([5, 70, 9])))
    with pytest.raises(ConfigError):
        table.lookup(np.array([2_000_000]))


def test_counter_uniform_is_uniform():
    u = counter_uniform(0, np.arange(2000), 50, 0.0, 1.0).ravel()
    counts = np.histogram(u, bins=10, range=(0, 1))[0]
    expected = len(u) / 10
    chi2 = float(np.sum((counts - expected) ** 2 / expected))
    assert chi2 < 27.9  # 9 degrees of freedom, p = 0.001


# -- PyTorch oracle --------------------------------------------------------------------------------
torch = pytest.importorskip("torch", reason="PyTorch (the test-only oracle) is not installed")


def test_embedding_and_bag_match_torch():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(7, 4))
    ids = rng.integers(0, 7, size=(3, 5))
    up = rng.normal(size=(3, 5, 4))
    layer, ps, _ = make({"type": "embedding", "name": "e", "vocab": 7, "dim": 4, "padding_idx": 2}, (5,))
    ps["e.W"].value[...] = W
    ps.zero_grad()
    y = layer.forward(ids, True)
    layer.backward(up)
    emb = torch.nn.Embedding(7, 4, padding_idx=2).double()
    with torch.no_grad():
        emb.weight.copy_(torch.tensor(W))
    ty = emb(torch.tensor(ids))
    ty.backward(torch.tensor(up))
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(ps["e.W"].grad, emb.weight.grad.numpy(), rtol=0, atol=1e-10)

    bags = np.array([[0, 2, 2, 6], [5, 6, 6, 6], [6, 6, 6, 6]])  # pad id 6, an empty bag
    upb = rng.normal(size=(3, 4))
    layer, ps, _ = make({"type": "embedding_bag", "name": "b", "vocab": 7, "dim": 4, "pad_id": 6}, (4,))
    ps["b.W"].value[...] = W
    ps.zero_grad()
    y = layer.forward(bags, True)
    layer.backward(upb)
    bag = torch.nn.EmbeddingBag(7, 4, mode="mean", padding_idx=6).double()
    with torch.no_grad():
        bag.weight.copy_(torch.tensor(W))
    ty = bag(torch.tensor(bags))
    ty.backward(torch.tensor(upb))
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(ps["b.W"].grad, bag.weight.grad.numpy(), rtol=0, atol=1e-10)

    flat, offsets = np.array([0, 2, 2, 5, 1, 3]), np.array([0, 3, 3, 4])
    bag2 = torch.nn.EmbeddingBag(7, 4, mode="mean").double()
    with torch.no_grad():
        bag2.weight.copy_(torch.tensor(W))
    ty = bag2(torch.tensor(flat), torch.tensor(offsets))
    np.testing.assert_allclose(bag_mean(W, flat, offsets), ty.detach().numpy(), rtol=0, atol=1e-12)


def torch_copy(net, sparse=False):
    emb_w, out_w, out_b = (net.params[n].value for n in ("emb.W", "out.W", "out.b"))
    emb = torch.nn.Embedding(*emb_w.shape, sparse=sparse).double()
    lin = torch.nn.Linear(*out_w.shape).double()
    with torch.no_grad():
        emb.weight.copy_(torch.tensor(emb_w))
        lin.weight.copy_(torch.tensor(out_w.T))
        lin.bias.copy_(torch.tensor(out_b))
    return emb, lin


def compare(net, emb, lin, where):
    for ours, theirs in (
        (net.params["emb.W"].value, emb.weight),
        (net.params["out.W"].value, lin.weight.T),
        (net.params["out.b"].value, lin.bias),
    ):
        diff = np.max(np.abs(ours - theirs.detach().numpy()))
        assert diff < 1e-10, f"{where}: ours vs torch differ by {diff}"


def batches(vocab=40, classes=4, steps=20, n=5, seed=0):
    """40 rows of which at most 5 per step: the optimizers take their gathered (row-sparse) path."""
    rng = np.random.default_rng(seed)
    for _ in range(steps):  # few ids per batch: most rows are untouched in each step
        yield rng.integers(0, vocab, size=n), rng.integers(0, classes, size=n)


def run_both(net, opt, emb, lin, torch_opts, where, gathered=True):
    calls = []
    inner = opt._update_at
    opt._update_at = lambda idx: (calls.append(len(idx)), inner(idx))
    for i, (x, y) in enumerate(batches()):
        step(net, opt, x, y)
        for o in torch_opts:
            o.zero_grad()
        loss = torch.nn.functional.cross_entropy(lin(emb(torch.tensor(x))), torch.tensor(y))
        loss.backward()
        for o in torch_opts:
            o.step()
        compare(net, emb, lin, f"{where}, step {i + 1}")
    assert len(calls) == (20 if gathered else 0), "the row-sparse path was (not) taken"


@pytest.mark.filterwarnings("ignore:Sparse invariant checks")
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("name", ["sgd", "adagrad"])
def test_row_sparse_sgd_and_adagrad_match_torch(name, sparse):
    net = embed_net(vocab=40)
    opt = make_optimizer(name, net.params, 0.3)
    emb, lin = torch_copy(net, sparse)
    cls = torch.optim.SGD if name == "sgd" else torch.optim.Adagrad
    run_both(net, opt, emb, lin, [cls(list(emb.parameters()) + list(lin.parameters()), lr=0.3)], name)


def test_dense_adam_matches_torch_adam():
    """The word2vec oracle: Embedding + softmax cross-entropy + Adam on a tiny vocabulary."""
    net = embed_net(vocab=40)
    opt = make_optimizer("adam", net.params, 0.05)
    emb, lin = torch_copy(net)
    run_both(
        net,
        opt,
        emb,
        lin,
        [torch.optim.Adam(list(emb.parameters()) + list(lin.parameters()), lr=0.05)],
        "adam",
        gathered=False,
    )


def test_lazy_adam_matches_torch_sparse_adam():
    net = embed_net(vocab=40)
    opt = make_optimizer("adam", net.params, 0.05, lazy=True)
    emb, lin = torch_copy(net, sparse=True)
    opts = [
        torch.optim.SparseAdam(list(emb.parameters()), lr=0.05),
        torch.optim.Adam(lin.parameters(), lr=0.05),
    ]
    run_both(net, opt, emb, lin, opts, "lazy adam")
