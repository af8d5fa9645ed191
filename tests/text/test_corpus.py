"""Tokenizer, vocabulary (min count, UNK), subsampling (both formulas, and the seeded draws follow
them), context windows (fixed and word2vec's dynamic), skip-gram and CBOW examples, GloVe's
distance-weighted co-occurrence counts."""

from __future__ import annotations

import numpy as np
import pytest

from playground.errors import DataError
from playground.text import (
    Vocab,
    cbow_examples,
    context_windows,
    cooccurrence,
    keep_probability,
    skipgram_pairs,
    subsample,
    tokenize,
)
from playground.text.corpus import sentences


def test_tokenize_and_sentences():
    assert tokenize("The King's crown, and THE queen!") == ["the", "king's", "crown", "and", "the", "queen"]
    assert tokenize("国王 爱 女王") == ["国王", "爱", "女王"]
    assert sentences("a b\n\n c .\n") == [["a", "b"], ["c"]]


def test_vocab_min_count_and_unk():
    toks = [["b", "a", "b", "c"], ["a", "b", "d"]]
    v = Vocab.build(toks, min_count=2)
    assert v.words == ["b", "a"] and list(v.counts) == [3, 2]
    assert list(v.encode(["a", "zzz", "b"])) == [1, 0]  # unknown words dropped
    u = Vocab.build(toks, min_count=2, unk="<unk>")
    assert u.words == ["<unk>", "b", "a"] and list(u.counts) == [2, 3, 2]
    assert list(u.encode(["a", "zzz", "b"])) == [2, 0, 1]
    assert u.decode([1, 2]) == ["b", "a"]
    assert Vocab.from_dict(u.to_dict()).words == u.words
    with pytest.raises(DataError, match="minimum count"):
        Vocab.build(toks, min_count=9)


def test_keep_probability_formulas():
    counts = np.array([1000, 100, 10, 1])  # f = 0.9001, 0.09, 0.009, 0.0009
    t = 1e-2
    f = counts / counts.sum()
    np.testing.assert_allclose(keep_probability(counts, t, "code"), np.minimum(np.sqrt(t / f) + t / f, 1))
    np.testing.assert_allclose(keep_probability(counts, t, "paper"), np.minimum(np.sqrt(t / f), 1))
    # word2vec.c's own expression (sqrt(cn / (sample * train_words)) + 1) * (sample * train_words) / cn
    total = counts.sum()
    c_code = (np.sqrt(counts / (t * total)) + 1) * (t * total) / counts
    np.testing.assert_allclose(keep_probability(counts, t, "code"), np.minimum(c_code, 1))
    assert np.all(keep_probability(counts, 0) == 1)


def test_subsample_follows_its_formula():
    counts = np.array([5000, 500, 50, 5])
    stream = np.repeat(np.arange(4), counts)
    keep = keep_probability(counts, 1e-3)
    rng = np.random.default_rng(0)
    kept = np.zeros(4)
    rounds = 40
    for _ in range(rounds):
        kept += np.bincount(subsample([stream], counts, 1e-3, rng)[0], minlength=4)
    rate = kept / (rounds * counts)
    se = np.sqrt(keep * (1 - keep) / (rounds * counts)) + 1e-12
    assert np.all(np.abs(rate - keep) < 5 * se + 1e-9), (rate, keep)
    assert keep[0] < 0.1 and keep[3] == 1.0


def test_context_windows():
    assert [list(c) for c in context_windows(4, 1)] == [[1], [0, 2], [1, 3], [2]]
    rng = np.random.default_rng(0)
    sizes = [len(c) for c in context_windows(50, 5, rng)]
    assert max(sizes) <= 10 and min(sizes) >= 1 and len(set(sizes)) > 3  # dynamic: shrinks at random
    with pytest.raises(DataError):
        context_windows(3, 0)


def test_skipgram_and_cbow_examples():
    ids = [np.array([7, 8, 9])]
    c, o = skipgram_pairs(ids, 1)
    assert list(zip(c.tolist(), o.tolist(), strict=True)) == [(7, 8), (8, 7), (8, 9), (9, 8)]
    ctx, centre = cbow_examples(ids, 1)
    assert ctx.tolist() == [[8, -1], [7, 9], [8, -1]] and centre.tolist() == [7, 8, 9]
    a = skipgram_pairs([np.arange(30)], 4, np.random.default_rng(3))
    b = skipgram_pairs([np.arange(30)], 4, np.random.default_rng(3))
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])  # seeded


def test_cooccurrence_weights_by_distance():
    i, j, x = cooccurrence([np.array([0, 1, 2]), np.array([2, 0])], 3, window=2)
    X = np.zeros((3, 3))
    X[i, j] = x
    expected = np.array([[0, 1, 0.5 + 1], [1, 0, 1], [0.5 + 1, 1, 0]])
    np.testing.assert_allclose(X, expected)
    i, j, x = cooccurrence([np.array([0, 1, 2])], 3, window=2, weighting="flat")
    assert sorted(x.tolist()) == [1.0] * 6
