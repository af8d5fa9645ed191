"""fastText's supervised model (Joulin et al. 2017) on the engine's pieces.

A text is a bag of feature ids (words, word n-grams, character n-grams: rows of a virtual
``nwords + bucket`` table, made by :mod:`playground.text.fasttext`); the hidden layer is their mean
vector (an embedding bag, no non-linearity); the output is linear: a softmax over the labels, one
logistic output per label (one-vs-all), or a hierarchical softmax over the Huffman tree of the
label counts — the same :class:`~playground.engine.huffman.HuffmanTree` and heads as word2vec.

Training is fastText's: one example at a time (batch 1), plain SGD with the learning rate decaying
linearly to 0 over the run, ``lr·(1 − tokens processed / (epochs · tokens per epoch))``, counting the
tokens of each line as fastText does (words, labels and ``</s>``); the input rows get the gradient
divided by the number of features (the mean). Examples are visited in order, as fastText's single
thread reads its file. Differences, documented: float64 and an exact σ/log (fastText uses lookup
tables); a line with several labels trains on its first (fastText's softmax picks one at random).

The input table is a :class:`~playground.engine.embedding.SparseRows`: only the rows of features
that occur are stored, so 2 000 000 buckets cost nothing until used. The output matrix starts at 0
and the input rows uniform(−1/dim, 1/dim), as fastText.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from playground.engine.embedding import SparseRows
from playground.engine.huffman import HuffmanTree
from playground.engine.params import ParamSet
from playground.engine.wordvec import HierarchicalSoftmaxHead, OneVsAllHead, SoftmaxHead
from playground.errors import ConfigError

FASTTEXT_LOSSES = ("softmax", "hierarchical_softmax", "one_vs_all")


class FastTextModel:
    """``FastTextModel(n_rows, label_counts, dim, loss, lr, epochs, seed)``; ``set_data(features,
    labels, tokens)`` then ``run_epoch()`` / ``run_steps(n)``; ``predict(features, k)``."""

    def __init__(
        self,
        n_rows: int,
        label_counts: Sequence[int],
        dim: int = 10,
        loss: str = "softmax",
        lr: float = 0.1,
        epochs: int = 5,
        seed: int = 0,
    ):
        if loss not in FASTTEXT_LOSSES:
            raise ConfigError(
                "Unknown loss {loss!r}; choose one of {choices}.",
                loss=loss,
                choices=", ".join(FASTTEXT_LOSSES),
            )
        if len(label_counts) < 2:
            raise ConfigError("A classifier needs at least two labels.")
        if not (lr > 0 and epochs >= 1):
            raise ConfigError(
                "The learning rate must be positive and epochs ≥ 1, got {lr}, {epochs}.", lr=lr, epochs=epochs
            )
        self.loss_name, self.dim, self.lr, self.epochs = loss, int(dim), float(lr), int(epochs)
        self.label_counts = np.asarray(label_counts, dtype=np.float64)
        K = len(self.label_counts)
        self.n_labels = K
        self.table = SparseRows(n_rows, self.dim, seed)
        self.tree = HuffmanTree(self.label_counts) if loss == "hierarchical_softmax" else None
        self.params = ParamSet([("out.W", (K - 1 if self.tree is not None else K, self.dim), "other")])
        if self.tree is not None:
            self.head = HierarchicalSoftmaxHead(self.params, "out.W", self.tree)
        elif loss == "one_vs_all":
            self.head = OneVsAllHead(self.params, "out.W")
        else:
            self.head = SoftmaxHead(self.params, "out.W")
        self._rows: list[np.ndarray] = []
        self._labels = np.zeros(0, dtype=np.intp)
        self._tokens = np.zeros(0, dtype=np.int64)
        self.tokens_done = 0
        self.position = 0  # next example in the epoch under way
        self.epoch = 0

    # -- data and schedule --------------------------------------------------------------------------
    def set_data(
        self, features: Sequence[Sequence[int]], labels: Sequence[int], tokens: Sequence[int] | None = None
    ) -> None:
        """The training examples: feature ids per text, one label id each, and the tokens each
        line counts for the learning-rate schedule (default: its number of features)."""
        if len(features) != len(labels) or not len(labels):
            raise ConfigError(
                "There are {n_features} texts and {n_labels} labels; need ≥ 1 of each, equal.",
                n_features=len(features),
                n_labels=len(labels),
            )
        labels = np.asarray(labels, dtype=np.intp)
        if labels.min() < 0 or labels.max() >= self.n_labels:
            raise ConfigError("Label ids must be in [0, {n_labels}).", n_labels=self.n_labels)
        self._features = [np.asarray(f, dtype=np.int64) for f in features]
        self._rows = [self.table.lookup(f) for f in self._features]
        self._labels = labels
        self._tokens = np.asarray(
            tokens if tokens is not None else [len(f) for f in features], dtype=np.int64
        )
        self.tokens_done, self.position, self.epoch = 0, 0, 0

    @property
    def total_tokens(self) -> int:
        return int(self._tokens.sum()) * self.epochs

    def lr_now(self) -> float:
        """fastText's linearly decaying rate: lr·(1 − progress), progress = tokens done / total."""
        total = self.total_tokens
        return self.lr * max(0.0, 1.0 - self.tokens_done / total) if total else self.lr

    @property
    def done(self) -> bool:
        return self.epoch >= self.epochs

    # -- one example -----------------------------------------------------------------------------------
    def loss_and_grad(self, rows: np.ndarray, label: int) -> tuple[float, np.ndarray]:
        """Loss of one example whose features are the stored rows ``rows``; the output gradient
        goes into ``params.grads`` (zeroed first); returns (loss, dL/dh)."""
        self.params.grads.fill(0.0)
        h = self.table.values[rows].mean(axis=0)[None]
        value = self.head.loss(h, np.array([label]))
        return value, self.head.backward()[0]

    def train_example(self, i: int) -> float | None:
        """One SGD step on example i (None: a text without features is skipped, as fastText does)."""
        rows = self._rows[i]
        lr = self.lr_now()
        self.tokens_done += int(self._tokens[i])
        if len(rows) == 0:
            return None
        value, dh = self.loss_and_grad(rows, int(self._labels[i]))
        np.add.at(self.table.values, rows, (-lr / len(rows)) * dh)
        self.params.values -= lr * self.params.grads
        return value

    def run_steps(self, n: int) -> list[float]:
        """Train up to n examples (continuing the epoch under way); returns their losses."""
        out = []
        while n > 0 and not self.done:
            value = self.train_example(self.position)
            if value is not None:
                out.append(value)
            self.position += 1
            n -= 1
            if self.position == len(self._rows):
                self.position, self.epoch = 0, self.epoch + 1
        return out

    def run_epoch(self) -> float:
        """The rest of the epoch under way; returns its mean loss (NaN if nothing was trained)."""
        losses = self.run_steps(len(self._rows) - self.position)
        return float(np.mean(losses)) if losses else float("nan")

    # -- prediction and explanation ----------------------------------------------------------------------
    def hidden(self, features: Sequence[int]) -> np.ndarray:
        """The mean of the features' vectors (a feature never trained has its initial vector)."""
        ids = np.asarray(features, dtype=np.int64)
        if len(ids) == 0:
            return np.zeros(self.dim)
        return self.table.vectors(ids).mean(axis=0)

    def probabilities(self, features: Sequence[int]) -> np.ndarray:
        """P(label | text) for every label (one-vs-all: each σ on its own; they need not sum to 1)."""
        return self.head.probabilities(self.hidden(features)[None])[0]

    def predict(self, features: Sequence[int], k: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """The k most probable labels (ids) and their probabilities, most probable first."""
        p = self.probabilities(features)
        top = np.argsort(-p, kind="stable")[: max(1, int(k))]
        return top, p[top]

    def contributions(self, features: Sequence[int]) -> np.ndarray:
        """(n_features, outputs): feature f's exact share of each output score — a label's logit
        (softmax, one-vs-all) or an inner node's score (hierarchical softmax). The model is linear
        in the mean, so each score is exactly the sum of its column: ``s = U·(1/n)·Σ_f v_f``."""
        ids = np.asarray(features, dtype=np.int64)
        if len(ids) == 0:
            return np.zeros((0, len(self.params["out.W"].value)))
        return (self.table.vectors(ids) / len(ids)) @ self.params["out.W"].value.T

    def evaluate(self, features: Sequence[Sequence[int]], labels: Sequence[int]) -> float:
        """Top-1 accuracy."""
        hits = [self.predict(f)[0][0] == y for f, y in zip(features, labels, strict=True)]
        return float(np.mean(hits)) if hits else float("nan")

    # -- state ------------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {
            "table": self.table.state_dict(),
            "out": self.params.values.copy(),
            "tokens_done": self.tokens_done,
            "position": self.position,
            "epoch": self.epoch,
        }

    def load_state_dict(self, d: dict[str, Any]) -> None:
        """Restore weights and progress (the training examples, if set, are mapped to the loaded rows)."""
        self.table.load_state_dict(d["table"])
        self._rows = [self.table.lookup(f) for f in getattr(self, "_features", [])]
        self.params.values[...] = np.asarray(d["out"], dtype=np.float64)
        self.tokens_done, self.position, self.epoch = (
            int(d["tokens_done"]),
            int(d["position"]),
            int(d["epoch"]),
        )
