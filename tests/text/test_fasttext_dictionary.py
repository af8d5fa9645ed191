"""fastText's dictionary: hand-computed FNV-1a values (ASCII = textbook, non-ASCII differs), line
reading, character n-grams, word n-gram buckets, min counts — and the real library as the oracle
(``fasttext-numpy2``, test-only): word lists, character n-gram ids, and every line's feature ids
checked through its sentence vector (the mean of the input rows those ids select)."""

from __future__ import annotations

import numpy as np
import pytest

from playground.errors import DataError
from playground.text.fasttext import (
    EOS,
    FastTextDictionary,
    char_ngrams,
    fasttext_hash,
    fnv1a_32,
    read_words,
    word_ngram_hashes,
)


def test_fnv1a_hand_computed_values():
    # Textbook FNV-1a test vectors (offset basis 0x811c9dc5, prime 16777619): ASCII is unchanged.
    assert fasttext_hash("") == 0x811C9DC5
    assert fasttext_hash("a") == 0xE40C292C == fnv1a_32(b"a")
    assert fasttext_hash("foobar") == 0xBF9CF968 == fnv1a_32(b"foobar")
    # "é" is C3 A9 in UTF-8; fastText xors the sign-extended bytes 0xFFFFFFC3 and 0xFFFFFFA9:
    #   0x811c9dc5 ^ 0xffffffc3 = 0x7ee36206;  × 16777619 mod 2³² = 0xc5f34f72
    #   0xc5f34f72 ^ 0xffffffa9 = 0x3a0cb0db;  × 16777619 mod 2³² = 0x3cfa68c1
    assert fasttext_hash("é") == 0x3CFA68C1
    assert fnv1a_32("é".encode()) == 0x1E9DE8C1  # textbook FNV-1a gives another number


def test_read_words_and_char_ngrams():
    assert read_words("__label__a  good\tfilm\r") == ["__label__a", "good", "film", EOS]
    assert char_ngrams("where", 3, 3) == ["<wh", "whe", "her", "ere", "re>"]
    assert char_ngrams("ab", 1, 2) == ["<a", "a", "ab", "b", "b>"]  # no 1-grams "<" or ">"
    assert char_ngrams("我爱", 1, 2) == ["<我", "我", "我爱", "爱", "爱>"]  # characters, not bytes


def test_word_ngrams_use_signed_hashes_in_uint64():
    hashes = [fasttext_hash(w) for w in ("not", "good", EOS)]
    got = word_ngram_hashes(hashes, 3, 10**6)
    assert [(s, n) for s, n, _ in got] == [(0, 2), (0, 3), (1, 2)]
    signed = [h - 2**32 if h >= 2**31 else h for h in hashes]
    h = (signed[0] % 2**64 * 116049371 + signed[1] % 2**64) % 2**64
    assert got[0][2] == h % 10**6


def test_dictionary_features_and_min_count():
    lines = ["__label__pos good film", "__label__neg not good", "__label__pos good good __label__x"]
    d = FastTextDictionary.build(lines, word_ngrams=2, bucket=100, min_count=2, min_count_label=2)
    assert d.words == ["good", EOS] and d.labels == ["__label__pos"]
    feats, labels, n = d.explain("__label__pos not good")
    assert labels == [0] and n == 4
    kinds = [(f.kind, f.text) for f in feats]
    assert kinds == [
        ("word", "good"),
        ("word", EOS),
        ("word_ngram", "not good"),
        ("word_ngram", f"good {EOS}"),
    ]
    assert all(d.nwords <= f.id < d.nwords + 100 for f in feats if f.kind == "word_ngram")
    with pytest.raises(DataError, match="label"):
        FastTextDictionary.build(["no labels here"])


LINES = [
    "__label__pos a good film , really good",
    "__label__neg not a good film",
    "__label__neg bad acting and a bad plot",
    "__label__pos not bad at all",
    "__label__pos 我 爱 这部 电影",
    "__label__neg 我 不 爱 这部 电影",
    "__label__pos café crème très bon",
    "__label__neg très mauvais café",
] * 3
QUERIES = [
    "a good film",
    "not good at all , unknownword",
    "我 不 爱 她",
    "très bon café crème",
    "bad bad bad",
    "",
]

fasttext = pytest.importorskip(
    "fasttext", reason="the fastText oracle (pip install fasttext-numpy2==0.10.4, test-only) is not installed"
)


def train_oracle(tmp_path, **settings):
    path = tmp_path / "train.txt"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    # epoch=0: only the dictionary is built (training on 24 lines can hit the library's "Encountered
    # NaN" with few buckets, and the trained values are not what is compared anyway)
    return fasttext.train_supervised(input=str(path), dim=8, epoch=0, thread=1, verbose=0, seed=1, **settings)


@pytest.mark.parametrize(
    "settings",
    [
        dict(wordNgrams=3, bucket=50, minCount=1),  # 50 buckets: collisions galore
        dict(wordNgrams=2, bucket=2_000_000, minCount=2),
        dict(wordNgrams=2, bucket=1000, minCount=1, minn=2, maxn=4),
    ],
)
def test_features_match_the_fasttext_library(tmp_path, settings):
    model = train_oracle(tmp_path, **settings)
    d = FastTextDictionary.build(
        LINES,
        word_ngrams=settings["wordNgrams"],
        bucket=settings["bucket"],
        minn=settings.get("minn", 0),
        maxn=settings.get("maxn", 0),
        min_count=settings["minCount"],
    )
    assert set(d.words) == set(model.words) and d.nwords == len(model.words)
    assert set(d.labels) == set(model.labels)
    counts = dict(zip(*model.get_words(include_freq=True), strict=True))
    assert all(counts[w] == c for w, c in zip(d.words, d.word_counts, strict=True))
    M = model.get_input_matrix()
    assert M.shape[0] == d.nwords + d.bucket
    # distinct random rows (not the trained ones): a wrong id gives a different sentence vector
    M = np.random.default_rng(0).uniform(-1, 1, size=M.shape).astype(np.float32)
    model.set_matrices(M, model.get_output_matrix())
    for query in QUERIES + [line.split(" ", 1)[1] for line in LINES[:8]]:
        feats, _, _ = d.explain(query)
        # word ids may be ordered differently among equal counts: map words through their names
        ids = [model.get_word_id(f.text) if f.kind == "word" else f.id for f in feats]
        ours = M[ids].astype(np.float64).mean(axis=0) if ids else np.zeros(M.shape[1])
        theirs = model.get_sentence_vector(query)
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-5, err_msg=query)
    if settings.get("maxn"):
        for word in ("café", "très", "电影", "unknownword", "good"):
            names, ids = model.get_subwords(word)
            if word in d.words:  # a known word comes first, then its n-grams
                assert names[0] == word
                names, ids = names[1:], ids[1:]
            mine = [f for f in d.word_features(word) if f.kind == "char_ngram"]
            assert [f.text for f in mine] == list(names)
            assert [f.id for f in mine] == [int(i) for i in ids]
