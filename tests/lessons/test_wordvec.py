"""The word-embedding lab on the shipped corpus: learnability at a fixed number of epochs with the
page's defaults (figures measured with seed 0 are in the comments; the floors are below them), and
every claim the page makes about its charts, asserted on the data behind them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from playground.errors import ConfigError, DataError
from playground.lessons import wordvec as wv
from playground.text.corpus import sentences


@pytest.fixture(scope="module")
def sgns_en():
    """Skip-gram + negative sampling with the page's defaults, 12 epochs (seed 0: 99.0 % of the
    402 analogies after 10 epochs, 100 % after 11)."""
    lab = wv.Lab(wv.Settings())
    lab.train(epochs=12)
    return lab


@pytest.fixture(scope="module")
def glove_en():
    """GloVe with the page's defaults (choosing GloVe sets the window to 10), 20 epochs (seed 0: 70 % after
    10 epochs, 75.9 % after 20)."""
    lab = wv.Lab(wv.Settings(objective="glove", window=10))
    lab.train(epochs=wv.GLOVE_CLAIM["en"][1])
    return lab


def capitals(lang: str = "en") -> set[str]:
    return {r[4] for r in wv.analogies(lang) if r[0] == "capital"}


# -- the corpus ---------------------------------------------------------------------------------------
def test_corpora_are_parallel_sized_and_contain_every_analogy_word():
    en, zh = wv.corpus_text("en"), wv.corpus_text("zh")
    assert len(en.splitlines()) == len(zh.splitlines())
    for lang, text in (("en", en), ("zh", zh)):
        n = sum(len(s) for s in sentences(text))
        assert 10_000 <= n <= 30_000, (lang, n)
        rows = wv.analogies(lang)
        assert len(rows) == 402 and {r[0] for r in rows} == set(wv.CATEGORIES)
        vocab = set(w for s in sentences(text) for w in s)
        assert all(w in vocab for r in rows for w in r[1:])
    # Chinese is segmented into whole words: 国王 and 女王 are tokens, not characters
    assert "国王" in set(w for s in sentences(zh) for w in s)


# -- learnability ------------------------------------------------------------------------------------
def test_skipgram_negative_sampling_learns_the_planted_analogies(sgns_en):
    acc, per, n = sgns_en.accuracy()
    assert n == 402
    assert acc >= 0.9, (acc, per)  # measured 1.00 at 12 epochs
    assert min(per.values()) >= 0.75, per
    # the page's "what to look for": from 0 to above 90 % within 20 epochs
    assert sgns_en.history[0]["analogy"] < 0.1 and sgns_en.history[-1]["analogy"] >= 0.9


def test_each_capital_s_nearest_neighbour_is_a_capital(sgns_en):
    caps = capitals()
    for city in caps:
        (nearest, _cos), *_rest = sgns_en.neighbours(city, k=1)
        assert nearest in caps, (city, nearest)


def test_king_minus_man_plus_woman_is_queen(sgns_en):
    assert sgns_en.neighbours("king - man + woman", k=1)[0][0] == "queen"
    assert sgns_en.neighbours("paris - france + italy", k=1)[0][0] == "rome"


def test_capitals_gather_on_the_map(sgns_en):
    """ "The capitals gather in one corner of the map": their mean distance to each other on the PCA map
    is well below the mean distance between all words."""
    pts = sgns_en.map_points("W")
    xy = np.stack([pts["x"], pts["y"]], axis=1)
    idx = [sgns_en.vocab.index[c] for c in capitals()]

    def mean_dist(ix):
        d = np.linalg.norm(xy[ix][:, None] - xy[ix][None], axis=2)
        return d[np.triu_indices(len(ix), 1)].mean()

    assert mean_dist(idx) < 0.5 * mean_dist(np.arange(len(xy)))


def test_glove_learns_the_planted_analogies(glove_en):
    acc, per, n = glove_en.accuracy()
    assert glove_en.default_matrix() == "W+W'"
    assert acc >= wv.GLOVE_CLAIM["en"][0] / 100 >= 0.70, (acc, per)  # measured 0.759 at 20 epochs
    caps = capitals()
    hits = sum(glove_en.neighbours(c, k=1)[0][0] in caps for c in caps)
    assert hits >= 10, hits


def test_chinese_corpus_learns_too():
    """The page's "what to look for" holds on the Chinese corpus too (seed 0: 91.8 % after 10 epochs,
    94.8 % after 14; GloVe 66.4 % after 15 epochs, its best 66.7 %: the tense pairs written verb+了
    are the hard ones)."""
    lab = wv.Lab(wv.Settings(corpus="zh"))
    lab.train(epochs=14)
    acc, per, n = lab.accuracy()
    assert n == 402 and acc >= 0.9, (acc, per)
    assert lab.neighbours("国王 - 男人 + 女人", k=1)[0][0] == "女王"
    caps = capitals("zh")
    assert all(lab.neighbours(c, k=1)[0][0] in caps for c in caps)
    share, epochs = wv.GLOVE_CLAIM["zh"]
    glove = wv.Lab(wv.Settings(corpus="zh", objective="glove", window=10))
    glove.train(epochs=epochs)
    assert glove.accuracy()[0] >= share / 100, glove.accuracy()


@pytest.mark.parametrize("objective", ["hierarchical_softmax", "softmax"])
def test_other_objectives_train_and_the_matrices_that_exist(objective):
    lab = wv.Lab(wv.Settings(objective=objective, model="cbow"))
    lab.train(epochs=2)
    assert np.isfinite(lab.history[-1]["loss"])
    if objective == "hierarchical_softmax":
        assert lab.matrices() == ["W"]
        with pytest.raises(ConfigError):
            lab.vectors("W'")
        assert len(lab.model.params["out.W"].value) == len(lab.vocab) - 1  # inner nodes, not words
    else:
        assert lab.matrices() == ["W", "W'", "W+W'"]


def test_train_with_a_budget_stops_inside_an_epoch():
    lab = wv.Lab(wv.Settings())
    lab.train(budget_s=0.0)  # at least one batch
    assert 0 < lab.progress() < 1 and lab.epoch == 0
    assert len(lab.history) == 2


# -- probes --------------------------------------------------------------------------------------------
def test_parse_expression_and_errors():
    assert wv.parse_expression("king - man + woman") == [(1.0, "king"), (-1.0, "man"), (1.0, "woman")]
    assert wv.parse_expression("国王 − 男人 + 女人") == [(1.0, "国王"), (-1.0, "男人"), (1.0, "女人")]
    with pytest.raises(ConfigError):
        wv.parse_expression("  ")
    lab = wv.Lab(wv.Settings())
    with pytest.raises(DataError):
        lab.neighbours("king - zzz")
    with pytest.raises(DataError):
        lab.neighbours("king - king")
    near = lab.neighbours("king - man + woman", k=5)
    assert {"king", "man", "woman"}.isdisjoint(w for w, _c in near)
    assert all(-1 <= c <= 1 for _w, c in near)


def test_microscope_step_pulls_the_positive_and_pushes_the_negatives(sgns_en):
    mic = sgns_en.microscope("king", "crown")
    assert mic["words"][0] == "crown" and mic["is_positive"][0] and not any(mic["is_positive"][1:])
    assert len(mic["words"]) <= sgns_en.settings.k + 1
    for centre, context in [("king", "crown"), ("paris", "france"), ("three", "3"), ("queen", "her")]:
        m = sgns_en.microscope(centre, context)
        assert m["loss_after"] < m["loss_before"], (centre, context)  # the page prints both
    assert np.array_equal(mic["onehot"] @ sgns_en.vectors("W"), mic["row"])  # o_j · E = e_j
    assert not np.allclose(mic["from_xy"], mic["to_xy"])


def test_microscope_before_training_the_arrow_is_a_dot():
    """The caption: before training W′ is zero, so the first step moves only the output vectors."""
    lab = wv.Lab(wv.Settings())
    mic = lab.microscope("king", "crown")
    assert np.allclose(mic["from_xy"], mic["to_xy"])
    assert np.allclose(mic["before"], 0.5)
    with pytest.raises(ConfigError):
        wv.Lab(wv.Settings(objective="glove")).microscope("king", "crown")


@pytest.mark.parametrize("alpha", wv.ALPHAS)
def test_noise_bars_follow_count_to_the_alpha(alpha):
    lab = wv.Lab(wv.Settings(alpha=alpha))
    nz = lab.noise()
    c = lab.vocab.counts.astype(float)
    np.testing.assert_allclose(nz["noise"], c**alpha / (c**alpha).sum())
    np.testing.assert_allclose(nz["freq"], c / c.sum())
    if alpha < 1:  # the caption: the most frequent word is drawn less often than it occurs
        assert nz["noise"][0] < nz["freq"][0]
    if alpha == 0:
        np.testing.assert_allclose(nz["noise"], 1 / len(c))


def test_huffman_probe_claims():
    lab = wv.Lab(wv.Settings(objective="hierarchical_softmax"))
    tree = lab.tree()
    lengths = tree.code_lengths()
    assert lengths[0] <= lengths[-1]  # frequent words sit near the root
    assert tree.expected_code_length() < math.log2(len(lab.vocab)) + 1
    assert lengths.max() < len(lab.vocab)


def test_cooccurrence_probe():
    lab = wv.Lab(wv.Settings(objective="glove", window=10))
    words, M = lab.cooc_matrix(20)
    assert len(words) == 20 and np.allclose(M, M.T) and M.min() >= 0
    assert np.all(lab.cooc_values() > 0)


def test_measured_costs_order(sgns_en):
    costs = sgns_en.measured_costs(batches=3)
    V, k = len(sgns_en.vocab), sgns_en.settings.k
    assert costs["softmax"]["ops_per_update"] == V
    assert costs["negative_sampling"]["ops_per_update"] == k + 1
    assert costs["hierarchical_softmax"]["ops_per_update"] < math.log2(V) + 1
    assert all(c["seconds_per_epoch"] > 0 for c in costs.values())


def test_pca_signs_are_fixed():
    rng = np.random.default_rng(0)
    M = rng.normal(size=(30, 5))
    xy1, share = wv.pca2(M)
    xy2, _s = wv.pca2(M * 1.0)
    np.testing.assert_allclose(xy1, xy2)
    assert 0 < share.sum() <= 1


# -- upload --------------------------------------------------------------------------------------------
def test_read_upload_errors_and_limits():
    with pytest.raises(DataError):
        wv.read_upload(b"")
    with pytest.raises(DataError):
        wv.read_upload(b"\x00\x01binary" * 20)
    with pytest.raises(DataError):
        wv.read_upload(b"\xff\xfe bad " + b"words " * 100)
    with pytest.raises(DataError):
        wv.read_upload(b"too few words here")
    text = ("the cat sat on the mat. " * 20 + "\n") * 10
    assert wv.read_upload(("\ufeff" + text).encode()) == text
    cut = wv.read_upload((" word" * 100 + "é" * 10).encode(), max_bytes=503)  # cut inside a character is fine
    assert cut.endswith("wordé")
    lab = wv.Lab(wv.Settings(corpus="upload"), text=text)
    lab.train(epochs=1)
    assert lab.analogies == [] and np.isnan(lab.history[-1]["analogy"])
    with pytest.raises(DataError):
        wv.Lab(wv.Settings(corpus="upload"))


def test_shipped_corpus_files_equal_the_generator_s_output():
    import importlib.util

    path = wv.CORPUS_DIR / "make_wordvec.py"
    spec = importlib.util.spec_from_file_location("make_wordvec", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for name, text in mod.build().items():
        assert (wv.CORPUS_DIR / name).read_text(encoding="utf-8") == text, name
