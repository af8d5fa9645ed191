"""Text tools for the word-embedding and fastText labs: pure standard library + NumPy.

- :mod:`~playground.text.corpus` — a tokenizer, a vocabulary (min count, UNK), subsampling of
  frequent words, context windows, skip-gram and CBOW examples, GloVe's co-occurrence counts.
- :mod:`~playground.text.fasttext` — fastText's dictionary exactly as ``dictionary.cc``: its FNV-1a
  hash (bytes as signed 8-bit values), word n-grams hashed into buckets, character n-grams,
  min-count filtering, ``__label__`` lines.

The unit turns text into integer ids; the engine (which never imports it) trains on the ids.
"""

from playground.text.corpus import (
    Vocab,
    cbow_examples,
    context_windows,
    cooccurrence,
    keep_probability,
    skipgram_pairs,
    subsample,
    tokenize,
)
from playground.text.fasttext import FastTextDictionary, char_ngrams, fasttext_hash, read_words

__all__ = [
    "FastTextDictionary",
    "Vocab",
    "cbow_examples",
    "char_ngrams",
    "context_windows",
    "cooccurrence",
    "fasttext_hash",
    "keep_probability",
    "read_words",
    "skipgram_pairs",
    "subsample",
    "tokenize",
]
