"""Sequences for the recurrent-network lab: three synthetic tasks where the cell type matters, and
character-level text (English and Chinese, shipped in ``files/``) cut into contiguous streams for
truncated backpropagation through time.

* :func:`memory_task` — remember a symbol across N distractor steps (Hochreiter & Schmidhuber's
  long-time-lag problems): step 0 shows one of ``n_symbols`` symbols, then ``distractors`` random
  distractor tokens, then a "recall" token; the label is the first symbol. Chance is 1/n_symbols.
* :func:`adding_problem` — (value, marker) pairs; the target is the sum of the two marked values
  (one marker in each half). Predicting the mean (1.0) gives a mean squared error of about 1/6.
* :func:`bracket_matching` — strings of ``(`` and ``)``; the label says whether they are balanced.
  Half of the unbalanced strings have as many ``(`` as ``)`` (a closing bracket comes too early),
  so counting alone does not solve it: the network must track the depth.
* :func:`load_text` / :class:`CharVocab` / :func:`stream_batches` — the shipped texts, a character
  vocabulary (rare characters map to one "unknown" character), and the text as B parallel streams
  cut into chunks of T characters so that row b of batch k+1 continues row b of batch k.
* :func:`read_text_upload` — a learner's own UTF-8 text (bytes in, checked text out; kept in memory
  by the caller, never written anywhere).

Everything is generated from a seed (NumPy only); nothing is downloaded.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from playground.errors import ConfigError, DataError

FILES = Path(__file__).resolve().parent / "files"
TEXTS = {"en": "rnn_en.txt", "zh": "rnn_zh.txt"}
UNKNOWN = "\ufffd"  # stands for every character outside the vocabulary


# -- synthetic tasks -------------------------------------------------------------------------------
def memory_vocab(n_symbols: int = 4, n_distractors: int = 4) -> int:
    """Tokens of the memory task: the symbols, the distractors and the recall token."""
    return n_symbols + n_distractors + 1


def memory_task(
    n: int, distractors: int, n_symbols: int = 4, n_distractors: int = 4, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """(ids (n, distractors + 2), labels (n,)): symbol, ``distractors`` distractor tokens, recall token.

    Symbols are ids 0 … n_symbols−1, distractors the next ``n_distractors`` ids, the recall token the
    last id (``memory_vocab() − 1``)."""
    if distractors < 0 or n < 1 or n_symbols < 2 or n_distractors < 1:
        raise ConfigError(
            "The memory task needs n ≥ 1, distractors ≥ 0, ≥ 2 symbols and ≥ 1 distractor token, "
            "got n={n}, distractors={d}.",
            n=n,
            d=distractors,
        )
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, n_symbols, n)
    X = np.empty((n, distractors + 2), dtype=np.int64)
    X[:, 0] = labels
    X[:, 1:-1] = rng.integers(n_symbols, n_symbols + n_distractors, (n, distractors))
    X[:, -1] = n_symbols + n_distractors
    return X, labels


def adding_problem(n: int, steps: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(inputs (n, steps, 2), targets (n,)): a value in [0, 1) and a marker per step; the target is the
    sum of the two marked values, one marked in each half of the sequence."""
    if steps < 2 or n < 1:
        raise ConfigError("The adding problem needs at least 2 steps, got {steps}.", steps=steps)
    rng = np.random.default_rng(seed)
    X = np.zeros((n, steps, 2))
    X[..., 0] = rng.random((n, steps))
    half = steps // 2
    first = rng.integers(0, half, n)
    second = rng.integers(half, steps, n)
    rows = np.arange(n)
    X[rows, first, 1] = 1.0
    X[rows, second, 1] = 1.0
    return X, X[rows, first, 0] + X[rows, second, 0]


BRACKETS = "()"


def _balanced(rng: np.random.Generator, length: int) -> np.ndarray:
    """A random balanced string of 0 = "(" and 1 = ")" of even ``length``."""
    out, depth, opens = np.empty(length, dtype=np.int64), 0, length // 2
    for i in range(length):
        if opens > 0 and (depth == 0 or rng.random() < 0.5):
            out[i], depth, opens = 0, depth + 1, opens - 1
        else:
            out[i], depth = 1, depth - 1
    return out


def is_balanced(seq: np.ndarray) -> bool:
    depth = np.cumsum(np.where(np.asarray(seq) == 0, 1, -1))
    return bool(depth.min(initial=0) >= 0 and (len(depth) == 0 or depth[-1] == 0))


def bracket_matching(n: int, steps: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(ids (n, steps) of 0 = "(" and 1 = ")", labels (n,) 1 = balanced). Half are balanced; of the
    rest, half have one bracket flipped (the counts differ) and half have two neighbours ")(" …
    swapped so that a closing bracket comes too early (the counts agree)."""
    if steps < 2 or steps % 2 or n < 1:
        raise ConfigError("Bracket matching needs an even length ≥ 2, got {steps}.", steps=steps)
    rng = np.random.default_rng(seed)
    X = np.empty((n, steps), dtype=np.int64)
    y = np.empty(n, dtype=np.int64)
    for i in range(n):
        s = _balanced(rng, steps)
        kind = rng.integers(0, 4)
        if kind >= 2:  # balanced
            X[i], y[i] = s, 1
            continue
        if kind == 0:
            s[rng.integers(0, steps)] ^= 1  # counts now differ
        else:  # move a closing bracket before the matching opening one, at depth 0
            depth = np.cumsum(np.where(s == 0, 1, -1))
            tops = np.concatenate([[0], np.flatnonzero(depth[:-1] == 0) + 1])  # "(" opening a group
            j = int(rng.choice(tops))
            k = j + 1 + int(np.flatnonzero(depth[j + 1 :] == 0)[0])  # its matching ")"
            s[j], s[k] = s[k], s[j]  # ")" … "(": the depth goes below 0
        X[i], y[i] = s, int(is_balanced(s))
    return X, y


# -- character text ---------------------------------------------------------------------------------
def load_text(lang: str) -> str:
    """The shipped text of ``lang`` ("en": Shakespeare; "zh": Tang and Song poems).

    Sources and licences: ``files/rnn_SOURCES.md``."""
    if lang not in TEXTS:
        raise ConfigError("No shipped text for language {lang!r}.", lang=lang)
    return (FILES / TEXTS[lang]).read_text(encoding="utf-8")


def read_text_upload(data: bytes, max_bytes: int, min_chars: int) -> str:
    """The text of an uploaded file: UTF-8 (a byte-order mark is dropped), Windows and old Mac line
    ends made ``\n``, between ``min_chars`` characters and ``max_bytes`` bytes; a clear
    :class:`DataError` otherwise (the caller keeps whatever it was doing)."""
    if len(data) > max_bytes:
        size, limit = round(len(data) / 1024), max_bytes // 1024
        raise DataError("The file is {size} KB; a text may be at most {limit} KB.", size=size, limit=limit)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            "The file is not UTF-8 text (byte {pos} cannot be read): save it as UTF-8 and upload it again.",
            pos=exc.start + 1,
        ) from None
    if "\x00" in text:
        raise DataError("The file holds binary data (a zero byte), not text.")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text.strip()) < min_chars:
        raise DataError(
            "The text has {n} characters; a character model needs at least {min}.",
            n=len(text.strip()),
            min=min_chars,
        )
    return text


@dataclass(frozen=True)
class CharVocab:
    """Characters ↔ ids; the ``max_size − 1`` most frequent characters keep their own id, the rest
    share :data:`UNKNOWN` (id 0 when the text needs it)."""

    chars: tuple[str, ...]

    @classmethod
    def build(cls, text: str, max_size: int = 1000) -> CharVocab:
        if not text:
            raise ConfigError("The text is empty.")
        counts = Counter(text)
        if len(counts) <= max_size:
            return cls(tuple(sorted(counts)))
        kept = sorted(ch for ch, _n in counts.most_common(max_size - 1))
        return cls((UNKNOWN, *kept))

    @property
    def size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        index = {ch: i for i, ch in enumerate(self.chars)}
        unk = index.get(UNKNOWN, 0)
        return np.fromiter((index.get(ch, unk) for ch in text), dtype=np.int64, count=len(text))

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in ids)


def held_out_streams(ids: np.ndarray, cut: int, streams: int, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """The held-out text ``ids[cut:]`` as ``streams`` parallel streams in chunks of ``steps``, laid
    out as :func:`stream_batches` does, each stream preceded by one chunk of the ``steps`` characters
    before its part (the first ``streams`` rows): a model reads that chunk as context and is scored
    from the next one, so no part starts from a blank state. Stream b scores
    ``ids[cut + b·L : cut + (b+1)·L]`` with L a multiple of ``steps``."""
    ids = np.asarray(ids)
    span = (len(ids) - cut - 1) // streams // steps * steps
    if span < steps or cut < steps:
        raise ConfigError(
            "The text is too short: {n} characters for {b} streams of {t} steps.",
            n=len(ids),
            b=streams,
            t=steps,
        )
    starts = cut - steps + np.arange(streams) * span
    idx = starts[:, None] + np.arange(span + steps)[None, :]  # (streams, steps + span)
    chunks = span // steps + 1
    x = ids[idx].reshape(streams, chunks, steps).transpose(1, 0, 2).reshape(-1, steps)
    y = ids[idx + 1].reshape(streams, chunks, steps).transpose(1, 0, 2).reshape(-1, steps)
    return x, y


def stream_batches(ids: np.ndarray, batch: int, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """The text as ``batch`` parallel streams cut into chunks of ``steps``: (X, Y) of shape
    (chunks·batch, steps), rows k·batch … k·batch + batch − 1 form batch k, and row b of batch k+1
    continues row b of batch k (a stateful network carries its state across). Y is X shifted by one
    character (the next character at every step)."""
    ids = np.asarray(ids)
    per_stream = (len(ids) - 1) // batch
    chunks = per_stream // steps
    if chunks < 1:
        raise ConfigError(
            "The text is too short: {n} characters for {b} streams of {t} steps.",
            n=len(ids),
            b=batch,
            t=steps,
        )
    span = chunks * steps
    starts = np.arange(batch) * per_stream
    idx = starts[:, None] + np.arange(span)[None, :]  # (batch, span)
    x = ids[idx].reshape(batch, chunks, steps).transpose(1, 0, 2).reshape(-1, steps)
    y = ids[idx + 1].reshape(batch, chunks, steps).transpose(1, 0, 2).reshape(-1, steps)
    return x, y
