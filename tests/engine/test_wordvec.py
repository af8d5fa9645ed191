"""word2vec and GloVe: the Huffman tree (optimal against a reference construction, unique
prefix-free paths, leaf probabilities summing to 1), the noise distribution (χ² with a fixed seed
for α = 0, 0.5, 0.75, 1), gradient checks of every head and of whole models (skip-gram and CBOW),
negative sampling's gradient against its own expectation enumerated over every noise draw, GloVe's
weighting, loss gradient and AdaGrad step, and the torch oracle for skip-gram + softmax + Adam."""

from __future__ import annotations

import heapq
import itertools

import numpy as np
import pytest

from playground.engine import ParamSet
from playground.engine.gradcheck import numerical_gradient, relative_error
from playground.engine.huffman import HuffmanTree
from playground.engine.wordvec import (
    GloVe,
    HierarchicalSoftmaxHead,
    NegativeSamplingHead,
    NoiseDistribution,
    SoftmaxHead,
    Word2Vec,
    glove_weight,
)
from playground.errors import ConfigError

TOL = 1e-7


def reference_huffman_cost(counts):
    """Σ f·depth of an optimal prefix code = the sum of every merged weight (textbook heap)."""
    heap = [(float(c), i) for i, c in enumerate(counts)]
    heapq.heapify(heap)
    cost, n = 0.0, len(heap)
    while len(heap) > 1:
        a, _ = heapq.heappop(heap)
        b, _ = heapq.heappop(heap)
        cost += a + b
        heapq.heappush(heap, (a + b, n))
        n += 1
    return cost


@pytest.mark.parametrize("seed", range(6))
def test_huffman_tree_is_optimal_and_prefix_free(seed):
    rng = np.random.default_rng(seed)
    V = int(rng.integers(2, 60))
    counts = rng.integers(1, 50, size=V) if seed % 2 else np.round(rng.zipf(1.5, size=V).clip(1, 10_000))
    tree = HuffmanTree(counts)
    ours = float((tree.counts * tree.code_lengths()).sum())
    assert ours == pytest.approx(reference_huffman_cost(counts), rel=1e-12)
    codes = [tree.code_string(i) for i in range(V)]
    assert len(set(codes)) == V
    for a, b in itertools.permutations(codes, 2):
        assert not b.startswith(a), (a, b)
    assert all(p[0] == tree.root for p in tree.paths)
    # Kraft equality: a full binary tree
    assert sum(2.0 ** -len(c) for c in codes) == pytest.approx(1.0)
    # the expected code length is within one bit of the entropy (Shannon)
    f = tree.counts / tree.counts.sum()
    entropy = float(-(f * np.log2(f)).sum())
    assert entropy <= tree.expected_code_length() < entropy + 1


def test_huffman_known_small_tree():
    tree = HuffmanTree([5, 1, 1, 2])  # merges: 1+1 → 2, 2+2 → 4, 4+5 → 9
    assert list(tree.code_lengths()) == [1, 3, 3, 2]
    with pytest.raises(ConfigError):
        HuffmanTree([3])


def head_params(rows, dim, seed=0):
    ps = ParamSet([("out.W", (rows, dim), "other")])
    ps.declare_row_sparse("out.W")
    ps.values[...] = np.random.default_rng(seed).normal(size=ps.values.shape)
    return ps


def check_head(head, ps, H, loss):
    ps.zero_grad()
    loss()
    dH = head.backward()
    assert relative_error(dH, numerical_gradient(loss, H)) < TOL
    dU = ps["out.W"].grad.copy()
    assert relative_error(dU, numerical_gradient(loss, ps["out.W"].value)) < TOL
    return dU


def test_softmax_head_gradient():
    rng = np.random.default_rng(1)
    ps = head_params(7, 3)
    head = SoftmaxHead(ps, "out.W")
    H, t = rng.normal(size=(5, 3)), rng.integers(0, 7, size=5)
    check_head(head, ps, H, lambda: head.loss(H, t))
    np.testing.assert_allclose(head.probabilities(H).sum(axis=1), 1.0)


def test_negative_sampling_head_gradient_with_given_draws():
    rng = np.random.default_rng(2)
    ps = head_params(6, 3)
    head = NegativeSamplingHead(ps, "out.W", NoiseDistribution(np.arange(1, 7)), 3, rng)
    H, t = rng.normal(size=(4, 3)), np.array([0, 1, 1, 5])
    negs = np.array([[1, 2, 0], [1, 1, 3], [4, 5, 2], [5, 0, 0]])  # includes draws of the target
    dU = check_head(head, ps, H, lambda: head.loss(H, t, negs))
    untouched = sorted(set(range(6)) - set(t) - set(negs.ravel()))
    assert np.all(dU[untouched] == 0)
    assert set(ps.take_touched()["out.W"]) == set(t) | set(negs.ravel())


def test_negative_sampling_gradient_equals_its_expectation_over_every_draw():
    """Σ over all k-tuples of P(tuple)·(sampled gradient) = the gradient of the expected loss
    (V = 4, k = 2: 16 tuples), and likewise for the loss; not the softmax's gradient."""
    rng = np.random.default_rng(3)
    ps = head_params(4, 3)
    noise = NoiseDistribution([10, 3, 2, 1], alpha=0.75)
    head = NegativeSamplingHead(ps, "out.W", noise, 2, rng)
    H, t = rng.normal(size=(3, 3)), np.array([0, 2, 3])
    mean_loss, mean_dH, mean_dU = 0.0, np.zeros_like(H), np.zeros((4, 3))
    for draw in itertools.product(range(4), repeat=2 * len(t)):
        negs = np.array(draw).reshape(len(t), 2)
        prob = float(np.prod(noise.probs[negs]))
        ps.zero_grad()
        mean_loss += prob * head.loss(H, t, negs)
        mean_dH += prob * head.backward()
        mean_dU += prob * ps["out.W"].grad
    assert mean_loss == pytest.approx(head.expected_loss(H, t), rel=1e-12)

    def expected():
        return head.expected_loss(H, t)

    assert relative_error(mean_dH, numerical_gradient(expected, H)) < TOL
    assert relative_error(mean_dU, numerical_gradient(expected, ps["out.W"].value)) < TOL


@pytest.mark.parametrize("alpha", [0.0, 0.5, 0.75, 1.0])
def test_noise_distribution_follows_counts_to_the_alpha(alpha):
    counts = np.array([50, 20, 10, 5, 5, 3, 1, 1])
    noise = NoiseDistribution(counts, alpha)
    expected_p = counts**alpha / (counts**alpha).sum()
    np.testing.assert_allclose(noise.probs, expected_p)
    n = 200_000
    draws = noise.sample(np.random.default_rng(0), (n,))
    observed = np.bincount(draws, minlength=len(counts))
    chi2 = float(((observed - n * expected_p) ** 2 / (n * expected_p)).sum())
    assert chi2 < 24.3, chi2  # 7 degrees of freedom, p = 0.001
    # the same seed gives the same draws
    assert np.array_equal(draws[:50], noise.sample(np.random.default_rng(0), (50,)))


def test_hierarchical_softmax_gradient_and_probabilities_sum_to_one():
    rng = np.random.default_rng(4)
    tree = HuffmanTree([9, 4, 4, 2, 1, 1, 1])
    ps = head_params(tree.n_inner, 3)
    head = HierarchicalSoftmaxHead(ps, "out.W", tree)
    H, t = rng.normal(size=(5, 3)) * 2, np.array([0, 6, 3, 3, 1])
    dU = check_head(head, ps, H, lambda: head.loss(H, t))
    used = set(np.concatenate([tree.paths[i] for i in t]))
    assert np.all(dU[sorted(set(range(tree.n_inner)) - used)] == 0)
    P = head.probabilities(H)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(-np.log(P[np.arange(5), t]).mean(), head.loss(H, t), rtol=1e-12)


@pytest.mark.parametrize("objective", ["softmax", "hierarchical_softmax", "negative_sampling"])
@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_word2vec_gradient(model, objective):
    counts = np.array([8, 5, 3, 3, 2, 1])
    w2v = Word2Vec(counts, dim=3, model=model, objective=objective, negatives=3, seed=1)
    rng = np.random.default_rng(0)
    w2v.params.values[...] = rng.normal(size=w2v.params.values.shape)
    if model == "skipgram":
        inputs = np.array([0, 2, 5, 2])
    else:
        inputs = np.array([[1, 2, -1, -1], [0, 0, 3, 4], [5, -1, -1, -1], [1, 2, 3, 4]])
    targets = np.array([1, 0, 3, 2])
    state = w2v.rng.bit_generator.state

    def f():
        w2v.rng.bit_generator.state = state  # the same negatives in every evaluation
        return w2v.head.loss(w2v.hidden(inputs), targets)

    w2v.rng.bit_generator.state = state
    w2v.loss_and_grad(inputs, targets)
    analytic = w2v.params.grads.copy()
    assert relative_error(analytic, numerical_gradient(f, w2v.params.values)) < TOL


def test_word2vec_sgd_touches_only_used_rows_and_vectors():
    w2v = Word2Vec(np.arange(30, 0, -1), dim=4, objective="negative_sampling", negatives=2, seed=0)
    assert np.all(w2v.params["out.W"].value == 0)  # word2vec.c's start: the first step moves W′ only
    w2v.step(np.array([3]), np.array([4]))
    before = w2v.params.values.copy()
    w2v.step(np.array([3]), np.array([4]))
    negs = w2v.head.last["negatives"]
    changed_in = np.flatnonzero(np.any(w2v.params["in.W"].value != before[: 30 * 4].reshape(30, 4), axis=1))
    assert list(changed_in) == [3]
    out_before = before[30 * 4 :].reshape(30, 4)
    changed_out = set(np.flatnonzero(np.any(w2v.params["out.W"].value != out_before, axis=1)))
    assert changed_out <= {4, *negs.ravel()} and 4 in changed_out
    assert w2v.vectors("W+W'").shape == (30, 4)
    hs = Word2Vec(np.arange(5, 0, -1), dim=2, objective="hierarchical_softmax")
    with pytest.raises(ConfigError, match="inner-node"):
        hs.vectors("W'")


def test_word2vec_state_dict_round_trip():
    a = Word2Vec(np.arange(10, 0, -1), dim=3, optimizer="adam", lr=0.01, seed=2)
    for _ in range(3):
        a.step(np.array([1, 2]), np.array([3, 4]))
    b = Word2Vec(np.arange(10, 0, -1), dim=3, optimizer="adam", lr=0.01, seed=9)
    b.load_state_dict(a.state_dict())
    assert a.step(np.array([5]), np.array([6])) == b.step(np.array([5]), np.array([6]))
    np.testing.assert_array_equal(a.params.values, b.params.values)


def test_glove_weight():
    np.testing.assert_allclose(glove_weight([1, 50, 100, 500], 100, 0.75), [0.01**0.75, 0.5**0.75, 1, 1])


def test_glove_gradient_and_adagrad_step():
    g = GloVe(6, dim=3, x_max=10, alpha=0.75, lr=0.05, seed=0)
    rng = np.random.default_rng(1)
    g.params.values[...] = rng.normal(size=g.params.values.shape) * 0.3
    i, j = np.array([0, 1, 1, 4, 0]), np.array([1, 0, 2, 4, 1])  # a repeated pair accumulates
    x = np.array([3.0, 3.0, 0.5, 20.0, 1.0])

    def f():
        W, Wt, b, bt = (g.params[n].value for n in ("W", "Wt", "b", "bt"))
        d = np.einsum("nd,nd->n", W[i], Wt[j]) + b[i] + bt[j] - np.log(x)
        return float(0.5 * np.sum(glove_weight(x, 10, 0.75) * d**2))

    assert g.loss_and_grad(i, j, x) == pytest.approx(f(), rel=1e-12)
    grads = g.params.grads.copy()
    assert relative_error(grads, numerical_gradient(f, g.params.values)) < TOL
    before = g.params.values.copy()
    g.step(i, j, x)
    expected = before - 0.05 * grads / (np.sqrt(1.0 + grads**2) + 1e-10)  # AdaGrad, sums start at 1
    np.testing.assert_allclose(g.params.values, expected, rtol=0, atol=1e-14)
    untouched_rows = [3, 5]
    W_before = before[: 6 * 3].reshape(6, 3)
    np.testing.assert_array_equal(g.params["W"].value[untouched_rows], W_before[untouched_rows])


def test_glove_fits_a_small_log_count_matrix():
    rng = np.random.default_rng(0)
    V = 12
    A = rng.normal(size=(V, 3))
    X = np.exp(A @ A.T * 0.5 + 1.0)
    i, j = np.nonzero(X)
    g = GloVe(V, dim=6, x_max=5, lr=0.1, seed=0)
    first = g.epoch(i, j, X[i, j], batch_size=16)
    for _ in range(150):
        last = g.epoch(i, j, X[i, j], batch_size=16)
    assert last < 0.05 * first


torch = pytest.importorskip("torch", reason="PyTorch (the test-only oracle) is not installed")


def test_skipgram_softmax_adam_matches_torch():
    counts = np.array([6, 4, 3, 2, 2, 1, 1])
    w2v = Word2Vec(counts, dim=4, objective="softmax", optimizer="adam", lr=0.05, seed=3)
    emb = torch.nn.Embedding(7, 4).double()
    out = torch.nn.Linear(4, 7, bias=False).double()
    w2v.params["out.W"].value[...] = np.random.default_rng(1).normal(size=(7, 4)) * 0.1
    with torch.no_grad():
        emb.weight.copy_(torch.tensor(w2v.params["in.W"].value))
        out.weight.copy_(torch.tensor(w2v.params["out.W"].value))
    opt = torch.optim.Adam(list(emb.parameters()) + list(out.parameters()), lr=0.05)
    rng = np.random.default_rng(5)
    for step in range(20):
        centre, context = rng.integers(0, 7, size=6), rng.integers(0, 7, size=6)
        ours = w2v.step(centre, context)
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(out(emb(torch.tensor(centre))), torch.tensor(context))
        loss.backward()
        opt.step()
        assert abs(ours - loss.item()) < 1e-12, f"step {step}: loss {ours} vs torch {loss.item()}"
        for name, theirs in (("in.W", emb.weight), ("out.W", out.weight)):
            diff = np.max(np.abs(w2v.params[name].value - theirs.detach().numpy()))
            assert diff < 1e-10, f"step {step}: {name} differs from torch by {diff}"
