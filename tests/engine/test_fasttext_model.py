"""fastText's model: gradient checks of the one-vs-all head and of a whole example (the bag mean
into each loss), one SGD step against the formula, the linearly decaying rate, hierarchical-softmax
label probabilities summing to 1, exact per-feature contributions, predict(k), the sparse row map
with 2 000 000 buckets, learning a negation task where bigrams beat unigrams, and state round trips."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine.fasttext import FastTextModel
from playground.engine.gradcheck import numerical_gradient, relative_error
from playground.engine.params import ParamSet
from playground.engine.wordvec import OneVsAllHead
from playground.errors import ConfigError
from playground.text.fasttext import FastTextDictionary

TOL = 1e-7


def test_one_vs_all_head_gradient():
    rng = np.random.default_rng(0)
    ps = ParamSet([("out.W", (4, 3), "other")])
    ps.values[...] = rng.normal(size=ps.values.shape)
    head = OneVsAllHead(ps, "out.W")
    H, t = rng.normal(size=(5, 3)), rng.integers(0, 4, size=5)

    def f():
        return head.loss(H, t)

    f()
    dH = head.backward()
    assert relative_error(dH, numerical_gradient(f, H)) < TOL
    assert relative_error(ps.grads, numerical_gradient(f, ps.values)) < TOL


@pytest.mark.parametrize("loss", ["softmax", "hierarchical_softmax", "one_vs_all"])
def test_whole_example_gradient_and_sgd_step(loss):
    m = FastTextModel(1000, [5, 3, 2, 1], dim=4, loss=loss, lr=0.3, epochs=2, seed=1)
    m.set_data([[3, 7, 7, 999], [5]], [2, 0], tokens=[5, 2])
    m.params.values[...] = np.random.default_rng(2).normal(size=m.params.values.shape)
    rows = m._rows[0]
    assert len(m.table.values) == 4  # rows 3, 7, 999, 5 stored; the other 996 are not

    def f():
        return m.loss_and_grad(rows, 2)[0]

    value, dh = m.loss_and_grad(rows, 2)
    d_out = m.params.grads.copy()
    d_rows = np.zeros_like(m.table.values)
    np.add.at(d_rows, rows, dh / len(rows))  # the mean: each occurrence gets dL/dh / n
    assert relative_error(d_out, numerical_gradient(f, m.params.values)) < TOL
    assert relative_error(d_rows, numerical_gradient(f, m.table.values)) < TOL
    before_rows, before_out = m.table.values.copy(), m.params.values.copy()
    assert m.lr_now() == 0.3
    assert m.train_example(0) == pytest.approx(value)
    np.testing.assert_allclose(m.table.values, before_rows - 0.3 * d_rows, rtol=0, atol=1e-14)
    np.testing.assert_allclose(m.params.values, before_out - 0.3 * d_out, rtol=0, atol=1e-14)
    assert m.lr_now() == pytest.approx(0.3 * (1 - 5 / 14))  # 5 of 2·(5 + 2) tokens done


def test_learning_rate_decays_linearly_to_zero():
    m = FastTextModel(50, [1, 1], dim=2, lr=0.5, epochs=3)
    m.set_data([[1], [2], [3], [4]], [0, 1, 0, 1])
    rates = []
    while not m.done:
        rates.append(m.lr_now())
        m.run_steps(1)
    np.testing.assert_allclose(rates, 0.5 * (1 - np.arange(12) / 12))
    assert m.epoch == 3 and m.lr_now() == 0.0


def test_hierarchical_softmax_probabilities_and_contributions():
    m = FastTextModel(100, [50, 20, 10, 5, 5, 1], dim=3, loss="hierarchical_softmax", seed=0)
    m.params.values[...] = np.random.default_rng(1).normal(size=m.params.values.shape)
    feats = [4, 8, 8, 15]
    p = m.probabilities(feats)
    assert p.shape == (6,) and p.sum() == pytest.approx(1.0, abs=1e-12)
    labels, probs = m.predict(feats, k=3)
    assert list(probs) == sorted(probs, reverse=True) and probs[0] == p.max() and len(labels) == 3
    contrib = m.contributions(feats)
    assert contrib.shape == (4, 5)  # 5 inner nodes
    np.testing.assert_allclose(contrib.sum(axis=0), m.params["out.W"].value @ m.hidden(feats))
    assert m.tree.code_lengths().max() > m.tree.code_lengths().min()  # lopsided labels, lopsided tree


def test_softmax_contributions_sum_to_the_logits():
    m = FastTextModel(100, [3, 2, 1], dim=3, seed=0)
    m.params.values[...] = np.random.default_rng(1).normal(size=m.params.values.shape)
    feats = [1, 2, 3]
    logits = m.params["out.W"].value @ m.hidden(feats)
    np.testing.assert_allclose(m.contributions(feats).sum(axis=0), logits)
    e = np.exp(logits - logits.max())
    np.testing.assert_allclose(m.probabilities(feats), e / e.sum())


def test_two_million_buckets_store_only_what_occurs():
    m = FastTextModel(2_000_010, [1, 1], dim=100)
    m.set_data([[0, 1_999_999, 12_345], [12_345, 2_000_009]], [0, 1])
    assert m.table.values.shape == (4, 100)
    m.run_epoch()
    assert m.table.values.nbytes < 10_000


def test_refuses_bad_settings():
    with pytest.raises(ConfigError):
        FastTextModel(10, [1, 1], loss="hinge")
    with pytest.raises(ConfigError):
        FastTextModel(10, [3])
    m = FastTextModel(10, [1, 1])
    with pytest.raises(ConfigError):
        m.set_data([[1]], [2])


NEGATION = {
    "pos": ["good", "great", "fine", "nice", "lovely"],
    "neg": ["bad", "awful", "poor", "dull", "weak"],
}
THINGS = ["film", "plot", "cast", "score", "ending", "story"]


def negation_data(seed, n=300):
    """Sentiment where 'not' flips the adjective: unigrams see 'not' in both classes equally."""
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(n):
        polarity = rng.choice(["pos", "neg"])
        negate = rng.random() < 0.5
        adj = rng.choice(NEGATION[polarity])
        label = polarity if not negate else ("neg" if polarity == "pos" else "pos")
        words = ["the", rng.choice(THINGS), "is", *(["not"] if negate else []), adj]
        lines.append(f"__label__{label} " + " ".join(words))
    return lines


def fit(lines_train, lines_test, word_ngrams, loss="softmax", seed=0):
    d = FastTextDictionary.build(lines_train, word_ngrams=word_ngrams, bucket=2_000_000)
    m = FastTextModel(d.n_rows, d.label_counts, dim=10, loss=loss, lr=0.5, epochs=10, seed=seed)
    train = [d.features(line) for line in lines_train]
    m.set_data([f for f, _, _ in train], [lab[0] for _, lab, _ in train], [n for _, _, n in train])
    while not m.done:
        m.run_epoch()
    test = [d.features(line) for line in lines_test]
    return m.evaluate([f for f, _, _ in test], [lab[0] for _, lab, _ in test])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bigrams_beat_unigrams_on_negation(seed):
    train, test = negation_data(seed), negation_data(seed + 100, 200)
    uni, bi = fit(train, test, 1, seed=seed), fit(train, test, 2, seed=seed)
    assert bi >= 0.9 and bi > uni + 0.1, (uni, bi)


@pytest.mark.parametrize("loss", ["hierarchical_softmax", "one_vs_all"])
def test_other_losses_learn(loss):
    assert fit(negation_data(5), negation_data(105, 200), 2, loss=loss) >= 0.9


def test_state_round_trip():
    a = FastTextModel(500, [2, 1, 1], dim=3, loss="hierarchical_softmax", lr=0.2, epochs=2, seed=4)
    data = ([[1, 2], [3, 400], [2, 5]], [0, 1, 2])
    a.set_data(*data)
    a.run_steps(4)
    b = FastTextModel(500, [2, 1, 1], dim=3, loss="hierarchical_softmax", lr=0.2, epochs=2, seed=9)
    b.set_data([[400], [9]], [0, 1])  # other rows first: the loaded table is remapped
    b.set_data(*data)
    b.load_state_dict(a.state_dict())
    assert a.run_steps(2) == b.run_steps(2)
    np.testing.assert_array_equal(a.table.vectors(np.arange(500)), b.table.vectors(np.arange(500)))
