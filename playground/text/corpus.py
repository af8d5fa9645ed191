"""From text to training examples for word2vec and GloVe: small, seeded, pure NumPy.

``tokenize`` → ``Vocab`` (ids by descending count, min count, optional UNK) → ``subsample``
(Mikolov's frequent-word discarding) → ``skipgram_pairs`` / ``cbow_examples`` over
``context_windows``, or ``cooccurrence`` counts for GloVe.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from playground.errors import DataError

_WORD = re.compile(r"\w+(?:['’]\w+)*")


def tokenize(text: str, lower: bool = True) -> list[str]:
    """Words (letters, digits, inner apostrophes: "don't" is one word); punctuation is dropped.
    Any script whose words are separated by spaces works (pre-segmented Chinese: "国王 爱 女王")."""
    return _WORD.findall(text.lower() if lower else text)


def sentences(text: str, lower: bool = True) -> list[list[str]]:
    """One token list per non-empty line (a context window never crosses a line)."""
    return [t for t in (tokenize(line, lower) for line in text.splitlines()) if t]


@dataclass
class Vocab:
    """Words with their counts, ids by descending count (ties: first appearance).

    Words seen fewer than ``min_count`` times are dropped, or with ``unk`` (e.g. "<unk>") mapped
    to the UNK id 0, whose count is the sum of theirs.
    """

    words: list[str]
    counts: np.ndarray
    unk: str | None = None
    index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self):
        self.counts = np.asarray(self.counts, dtype=np.int64)
        self.index = {w: i for i, w in enumerate(self.words)}

    @classmethod
    def build(cls, token_lists: Iterable[Sequence[str]], min_count: int = 1, unk: str | None = None) -> Vocab:
        counter: Counter[str] = Counter()
        for tokens in token_lists:
            counter.update(tokens)
        if min_count < 1:
            raise DataError("The minimum count must be at least 1, got {min_count}.", min_count=min_count)
        kept = sorted((w for w, c in counter.items() if c >= min_count), key=lambda w: -counter[w])
        if not kept:
            raise DataError(
                "No word occurs {min_count} times or more: lower the minimum count.", min_count=min_count
            )
        words, counts = kept, [counter[w] for w in kept]
        if unk is not None:
            rare = sum(c for w, c in counter.items() if c < min_count)
            words, counts = [unk, *words], [rare, *counts]
        return cls(words, np.array(counts), unk)

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.index

    def encode(self, tokens: Sequence[str]) -> np.ndarray:
        """Ids of ``tokens``; unknown words become the UNK id, or are dropped without UNK."""
        if self.unk is not None:
            return np.array([self.index.get(t, 0) for t in tokens], dtype=np.intp)
        return np.array([self.index[t] for t in tokens if t in self.index], dtype=np.intp)

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self.words[int(i)] for i in ids]

    def frequencies(self) -> np.ndarray:
        return self.counts / self.counts.sum()

    def to_dict(self) -> dict[str, Any]:
        return {"words": list(self.words), "counts": self.counts.tolist(), "unk": self.unk}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Vocab:
        return cls(list(d["words"]), np.array(d["counts"]), d.get("unk"))


def keep_probability(counts: np.ndarray, t: float = 1e-3, formula: str = "code") -> np.ndarray:
    """Probability of keeping each occurrence of a word of frequency f = count/total.

    ``"code"`` (default; word2vec.c and fastText): ``(√(f/t) + 1)·t/f = √(t/f) + t/f``, capped at 1.
    ``"paper"`` (Mikolov et al. 2013, eq. 5, discard with 1 − √(t/f)): ``√(t/f)``, capped at 1.
    The code's version keeps more: a word with f = t is always kept, and with f = 4t half again as
    often as the paper's 0.5 (0.75). ``t ≤ 0`` keeps everything.
    """
    counts = np.asarray(counts, dtype=np.float64)
    if t <= 0:
        return np.ones_like(counts)
    f = counts / counts.sum()
    with np.errstate(divide="ignore"):
        ratio = np.where(f > 0, t / np.where(f > 0, f, 1.0), np.inf)
    if formula == "code":
        p = np.sqrt(ratio) + ratio
    elif formula == "paper":
        p = np.sqrt(ratio)
    else:
        raise DataError("Unknown subsampling formula {formula!r}; choose 'code' or 'paper'.", formula=formula)
    return np.minimum(p, 1.0)


def subsample(
    id_lists: Sequence[np.ndarray],
    counts: np.ndarray,
    t: float,
    rng: np.random.Generator,
    formula: str = "code",
) -> list[np.ndarray]:
    """Drop each occurrence of word w with probability 1 − keep_probability(w) (seeded)."""
    keep = keep_probability(counts, t, formula)
    return [ids[rng.random(len(ids)) < keep[ids]] for ids in id_lists]


def context_windows(n: int, window: int, rng: np.random.Generator | None = None) -> list[np.ndarray]:
    """For each position of a sentence of n tokens, the positions of its context: up to
    ``window`` on each side. With ``rng``, word2vec.c's dynamic window: each centre draws
    b ∈ {0, …, window−1} and uses window − b, so near words count more often than far ones."""
    if window < 1:
        raise DataError("The window must be at least 1, got {window}.", window=window)
    sizes = np.full(n, window) if rng is None else window - rng.integers(0, window, size=n)
    out = []
    for i, w in enumerate(sizes):
        lo, hi = max(0, i - w), min(n, i + w + 1)
        out.append(np.array([j for j in range(lo, hi) if j != i], dtype=np.intp))
    return out


def skipgram_pairs(
    id_lists: Sequence[np.ndarray], window: int, rng: np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(centres, contexts): one pair per (centre, context word) inside each sentence's windows."""
    centres, contexts = [], []
    for ids in id_lists:
        ids = np.asarray(ids, dtype=np.intp)
        for i, ctx in enumerate(context_windows(len(ids), window, rng)):
            centres.append(np.full(len(ctx), ids[i]))
            contexts.append(ids[ctx])
    if not centres:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    return np.concatenate(centres).astype(np.intp), np.concatenate(contexts).astype(np.intp)


def cbow_examples(
    id_lists: Sequence[np.ndarray], window: int, rng: np.random.Generator | None = None, pad: int = -1
) -> tuple[np.ndarray, np.ndarray]:
    """(contexts (N, 2·window) padded with ``pad``, centres (N,)): one example per position that
    has at least one context word."""
    rows, centres = [], []
    for ids in id_lists:
        ids = np.asarray(ids, dtype=np.intp)
        for i, ctx in enumerate(context_windows(len(ids), window, rng)):
            if len(ctx):
                row = np.full(2 * window, pad, dtype=np.intp)
                row[: len(ctx)] = ids[ctx]
                rows.append(row)
                centres.append(ids[i])
    if not rows:
        return np.zeros((0, 2 * window), dtype=np.intp), np.zeros(0, dtype=np.intp)
    return np.stack(rows), np.array(centres, dtype=np.intp)


def cooccurrence(
    id_lists: Sequence[np.ndarray], vocab_size: int, window: int, weighting: str = "harmonic"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """GloVe's co-occurrence counts X_ij as (i, j, x) over the non-zero entries (sorted by i, j).

    Word j at distance d ≤ window from word i in the same sentence adds 1/d (``"harmonic"``, as
    GloVe's cooccur.c) or 1 (``"flat"``); the counts are symmetric (X_ij = X_ji).
    """
    if window < 1:
        raise DataError("The window must be at least 1, got {window}.", window=window)
    keys, vals = [], []
    for ids in id_lists:
        ids = np.asarray(ids, dtype=np.int64)
        for d in range(1, min(window, len(ids) - 1) + 1):
            a, b = ids[:-d], ids[d:]
            w = 1.0 / d if weighting == "harmonic" else 1.0
            keys += [a * vocab_size + b, b * vocab_size + a]
            vals += [np.full(len(a), w)] * 2
    if weighting not in ("harmonic", "flat"):
        raise DataError("Unknown weighting {weighting!r}; choose 'harmonic' or 'flat'.", weighting=weighting)
    if not keys:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, np.zeros(0)
    uniq, inverse = np.unique(np.concatenate(keys), return_inverse=True)
    x = np.bincount(inverse, weights=np.concatenate(vals))
    return (uniq // vocab_size).astype(np.intp), (uniq % vocab_size).astype(np.intp), x
