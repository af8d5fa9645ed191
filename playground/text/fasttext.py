"""fastText's dictionary, as ``src/dictionary.cc`` (facebookresearch/fastText) computes it.

- **Hash**: FNV-1a over the UTF-8 bytes, each byte taken as a *signed* 8-bit value and
  sign-extended before the xor (``h ^= uint32_t(int8_t(c)); h *= 16777619``, from h = 2166136261).
  For ASCII this is textbook FNV-1a; a byte ≥ 0x80 (all non-ASCII text) xors 0xFFFFFFxx instead
  of 0x000000xx, so the hashes differ.
- **A line**: tokens split on `` \\n\\r\\t\\v\\f\\0``; the newline ending a line is the token
  ``</s>``; tokens starting with ``__label__`` are labels.
- **Features of a line** (``getLine``): each known word's id (0 … nwords−1; with character
  n-grams, the word's id then its n-grams' bucket ids); an unknown word contributes only its
  character n-grams (none when maxn = 0). Then word n-grams, n = 2 … wordNgrams, over *every*
  word token's hash (known or not, ``</s>`` included, labels skipped): the hashes are stored as
  int32, so a hash ≥ 2³¹ is negative and sign-extends when widened to uint64;
  ``h = h·116049371 + hash(next)`` in uint64 arithmetic; the feature is ``nwords + h mod bucket``.
- **Character n-grams** of ``<word>``, n = minn … maxn characters (UTF-8 aware: continuation
  bytes never start an n-gram), skipping the 1-grams ``<`` and ``>``: ``nwords + hash mod bucket``.
- **Vocabulary**: words with count ≥ minCount, labels with count ≥ minCountLabel, each sorted by
  descending count. fastText's ``std::sort`` leaves the order of equal counts unspecified; here
  ties keep their first appearance (word ids of equal-count words may differ from a given fastText
  build; bucket numbers, which depend only on nwords, never do).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from playground.errors import DataError

EOS, BOW, EOW = "</s>", "<", ">"
LABEL = "__label__"
_SPACES = " \n\r\t\v\f\0"
_M32, _M64 = 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF
NGRAM_MULTIPLIER = 116049371


def fasttext_hash(token: str | bytes) -> int:
    """fastText's FNV-1a variant (bytes as signed 8-bit values), as an unsigned 32-bit int."""
    data = token.encode("utf-8") if isinstance(token, str) else bytes(token)
    h = 2166136261
    for byte in data:
        h ^= byte if byte < 0x80 else (byte - 256) & _M32  # int8 → uint32 sign extension
        h = (h * 16777619) & _M32
    return h


def fnv1a_32(data: bytes) -> int:
    """Textbook FNV-1a (bytes unsigned), for comparison: equal to :func:`fasttext_hash` on ASCII."""
    h = 2166136261
    for byte in data:
        h = ((h ^ byte) * 16777619) & _M32
    return h


def _as_int32(h: int) -> int:
    return h - (1 << 32) if h >= (1 << 31) else h


def read_words(line: str) -> list[str]:
    """The tokens of one line as fastText reads them, ending with ``</s>``."""
    out, word = [], []
    for ch in line:
        if ch in _SPACES:
            if word:
                out.append("".join(word))
                word = []
        else:
            word.append(ch)
    if word:
        out.append("".join(word))
    out.append(EOS)
    return out


def char_ngrams(word: str, minn: int, maxn: int) -> list[str]:
    """Character n-grams (minn ≤ n ≤ maxn characters) of ``<word>``, in fastText's order,
    without the 1-grams "<" and ">" (``computeSubwords``)."""
    data = (BOW + word + EOW).encode("utf-8")
    out = []
    for i in range(len(data)):
        if (data[i] & 0xC0) == 0x80:
            continue
        j, n = i, 1
        ngram = bytearray()
        while j < len(data) and n <= maxn:
            ngram.append(data[j])
            j += 1
            while j < len(data) and (data[j] & 0xC0) == 0x80:
                ngram.append(data[j])
                j += 1
            if n >= minn and not (n == 1 and (i == 0 or j == len(data))):
                out.append(ngram.decode("utf-8"))
            n += 1
    return out


def word_ngram_hashes(hashes: list[int], n: int, bucket: int) -> list[tuple[int, int, int]]:
    """(start, length, h mod bucket) of every word n-gram, 2 ≤ length ≤ n, over the word hashes
    (``addWordNgrams``: int32 hashes sign-extended to uint64, h·116049371 + next)."""
    out = []
    wide = [_as_int32(h) & _M64 for h in hashes]
    for i in range(len(wide)):
        h = wide[i]
        for j in range(i + 1, min(len(wide), i + n)):
            h = (h * NGRAM_MULTIPLIER + wide[j]) & _M64
            out.append((i, j - i + 1, h % bucket))
    return out


@dataclass
class Feature:
    """One input feature of a line: its id (row of the input table), kind and text."""

    id: int
    kind: str  # "word", "word_ngram" or "char_ngram"
    text: str
    bucket: int | None = None  # for hashed features: the bucket (id − nwords)


class FastTextDictionary:
    """Words and labels of a ``__label__`` file, and the features of any line.

    ``FastTextDictionary.build(lines, word_ngrams=2, bucket=2_000_000, minn=0, maxn=0,
    min_count=1, min_count_label=1)``; ``features(line)`` → feature ids, label ids and the token
    count fastText's learning-rate schedule counts; ``explain(line)`` → :class:`Feature` records.
    """

    def __init__(
        self,
        words: list[str],
        word_counts: list[int],
        labels: list[str],
        label_counts: list[int],
        word_ngrams: int = 1,
        bucket: int = 2_000_000,
        minn: int = 0,
        maxn: int = 0,
        label: str = LABEL,
    ):
        if word_ngrams < 1:
            raise DataError("wordNgrams must be at least 1, got {word_ngrams}.", word_ngrams=word_ngrams)
        if bucket < 1 and (word_ngrams > 1 or maxn > 0):
            raise DataError("Word or character n-grams need at least one bucket.")
        if maxn and not 1 <= minn <= maxn:
            raise DataError(
                "Character n-grams need 1 ≤ minn ≤ maxn, got minn={minn}, maxn={maxn}.", minn=minn, maxn=maxn
            )
        self.words, self.word_counts = list(words), list(word_counts)
        self.labels, self.label_counts = list(labels), list(label_counts)
        self.word_ngrams, self.bucket, self.minn, self.maxn, self.label = (
            word_ngrams,
            bucket,
            minn,
            maxn,
            label,
        )
        self.word_index = {w: i for i, w in enumerate(self.words)}
        self.label_index = {w: i for i, w in enumerate(self.labels)}
        self._subwords: dict[int, list[Feature]] = {}

    @property
    def nwords(self) -> int:
        return len(self.words)

    @property
    def nlabels(self) -> int:
        return len(self.labels)

    @property
    def n_rows(self) -> int:
        """Rows of fastText's input matrix: nwords + bucket."""
        return self.nwords + self.bucket

    @classmethod
    def build(
        cls,
        lines: Iterable[str],
        word_ngrams: int = 1,
        bucket: int = 2_000_000,
        minn: int = 0,
        maxn: int = 0,
        min_count: int = 1,
        min_count_label: int = 1,
        label: str = LABEL,
    ) -> FastTextDictionary:
        words: Counter[str] = Counter()
        labels: Counter[str] = Counter()
        for line in lines:
            for tok in read_words(line):
                (labels if tok.startswith(label) else words)[tok] += 1
        kept_words = sorted((w for w, c in words.items() if c >= min_count), key=lambda w: -words[w])
        kept_labels = sorted((w for w, c in labels.items() if c >= min_count_label), key=lambda w: -labels[w])
        if not kept_labels:
            raise DataError(
                "No line has a label: labels start with {label!r} (e.g. {label}positive).", label=label
            )
        return cls(
            kept_words,
            [words[w] for w in kept_words],
            kept_labels,
            [labels[w] for w in kept_labels],
            word_ngrams,
            bucket,
            minn,
            maxn,
            label,
        )

    def _char_features(self, word: str) -> list[Feature]:
        out = []
        for g in char_ngrams(word, self.minn, self.maxn):
            b = fasttext_hash(g) % self.bucket
            out.append(Feature(self.nwords + b, "char_ngram", g, b))
        return out

    def word_features(self, token: str) -> list[Feature]:
        """What one word token contributes by itself (``addSubwords``)."""
        wid = self.word_index.get(token, -1)
        if wid < 0:
            return self._char_features(token) if token != EOS and self.maxn > 0 else []
        if self.maxn <= 0:
            return [Feature(wid, "word", token)]
        if wid not in self._subwords:
            subs = [] if token == EOS else self._char_features(token)
            self._subwords[wid] = [Feature(wid, "word", token), *subs]
        return self._subwords[wid]

    def explain(self, line: str) -> tuple[list[Feature], list[int], int]:
        """(features in fastText's order, label ids, tokens read) for one line (``getLine``)."""
        feats: list[Feature] = []
        labels: list[int] = []
        word_tokens, hashes = [], []
        tokens = read_words(line)
        for tok in tokens:
            if tok.startswith(self.label):
                lid = self.label_index.get(tok)
                if lid is not None:  # a label below min_count_label is skipped, as fastText does
                    labels.append(lid)
                continue
            feats += self.word_features(tok)
            word_tokens.append(tok)
            hashes.append(fasttext_hash(tok))
        if self.word_ngrams > 1:
            for start, length, b in word_ngram_hashes(hashes, self.word_ngrams, self.bucket):
                text = " ".join(word_tokens[start : start + length])
                feats.append(Feature(self.nwords + b, "word_ngram", text, b))
        return feats, labels, len(tokens)

    def features(self, line: str) -> tuple[list[int], list[int], int]:
        """(feature ids, label ids, tokens read) for one line."""
        feats, labels, n = self.explain(line)
        return [f.id for f in feats], labels, n

    def to_dict(self) -> dict[str, Any]:
        return {
            "words": self.words,
            "word_counts": self.word_counts,
            "labels": self.labels,
            "label_counts": self.label_counts,
            "word_ngrams": self.word_ngrams,
            "bucket": self.bucket,
            "minn": self.minn,
            "maxn": self.maxn,
            "label": self.label,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FastTextDictionary:
        return cls(**d)
