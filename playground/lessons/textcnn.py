"""A CNN for text (Kim 2014, "CNN-multichannel"), built from the engine's pieces, beside fastText.

A line's tokens (segmented as the fastText lab does) become ids, padded or cut to ``seq_len``.
Two embedding channels read them: **static**, an :class:`~playground.engine.embedding.Embedding`
declared ``frozen`` and filled with word2vec vectors (the engine's
:class:`~playground.engine.wordvec.Word2Vec`, skip-gram with negative sampling) pre-trained on
this task's own training lines, so the vocabularies match; and **non-static**, an embedding
started from the same vectors and trained with the task. For each filter width w (2, 3, 4) a
convolution of F filters of w × D spans both channels (the engine's ``im2col`` unrolls every
window of w tokens over both channels into one row, an engine :class:`~playground.engine.layers.Dense`
layer is the filters — exactly how the engine's ``Conv2D`` computes — and ``col2im`` takes the
gradient back), then ReLU and max-over-time pooling (one number per filter: its strongest window);
the 3F numbers go through a dense layer to the labels (softmax cross-entropy, Adam).

Unknown words: a token the training lines never had is ``<unk>``, whose vector is 0 in both
channels (it adds nothing); padding ``<pad>`` is 0 too and never trained. Differences from the
paper, for a small CPU lab: no dropout or max-norm constraint, D and F small.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from playground.engine.conv import col2im, im2col
from playground.engine.embedding import Embedding
from playground.engine.layers import Dense
from playground.engine.losses import SoftmaxCrossEntropy
from playground.engine.optimizers import make_optimizer
from playground.engine.params import ParamSet
from playground.engine.wordvec import Word2Vec
from playground.errors import ConfigError
from playground.text.corpus import Vocab, skipgram_pairs

PAD, UNK = "<pad>", "<unk>"
WIDTHS = (2, 3, 4)


class TextCNN:
    """``TextCNN(vocab_size, dim, n_labels, seq_len, pretrained=…)``; ``loss_and_grad(ids, y)``,
    ``step(ids, y)``, ``logits(ids)``; ``fired(ids)`` gives each filter's best window."""

    def __init__(
        self,
        vocab_size: int,
        dim: int,
        n_labels: int,
        seq_len: int,
        pretrained: np.ndarray | None = None,
        widths: tuple[int, ...] = WIDTHS,
        filters: int = 8,
        lr: float = 0.01,
        seed: int = 0,
    ):
        V, D, K, T = int(vocab_size), int(dim), int(n_labels), int(seq_len)
        if max(widths) > T:
            raise ConfigError("Sequences must be at least as long as the widest filter ({w}).", w=max(widths))
        self.V, self.D, self.K, self.T, self.widths, self.F = V, D, K, T, tuple(widths), int(filters)
        specs = [("static.W", (V, D), "frozen"), ("embed.W", (V, D), "other")]
        for w in self.widths:
            specs += [(f"conv{w}.W", (2 * w * D, self.F), "weight"), (f"conv{w}.b", (self.F,), "bias")]
        specs += [("out.W", (len(self.widths) * self.F, K), "weight"), ("out.b", (K,), "bias")]
        self.params = ParamSet(specs)
        self.static = Embedding((T,), vocab=V, dim=D, frozen=True)
        self.embed = Embedding((T,), vocab=V, dim=D, padding_idx=0)
        self.convs = {w: Dense((T - w + 1, 2 * w * D), units=self.F, init="he_normal") for w in self.widths}
        self.head = Dense((len(self.widths) * self.F,), units=K)
        for name, layer in [("static.", self.static), ("embed.", self.embed), ("out.", self.head)]:
            layer.name = name
        for w, layer in self.convs.items():
            layer.name = f"conv{w}."
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), 2014]))
        for layer in (self.static, self.embed, *self.convs.values(), self.head):
            layer.bind(self.params)
            layer.init_params(rng)
        if pretrained is not None:
            pretrained = np.asarray(pretrained, dtype=np.float64)
            if pretrained.shape != (V, D):
                raise ConfigError("Pre-trained vectors must be ({V}, {D}).", V=V, D=D)
            self.params["static.W"].value[...] = pretrained
            self.params["embed.W"].value[...] = pretrained
        self.params["static.W"].value[0] = 0.0
        self.params["embed.W"].value[0] = 0.0
        self.loss = SoftmaxCrossEntropy()
        self.optimizer = make_optimizer("adam", self.params, lr)
        self.steps = 0

    # -- forward / backward ----------------------------------------------------------------------
    def forward(self, ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.intp)
        n = len(ids)
        x = np.stack([self.static.forward(ids, True), self.embed.forward(ids, True)], axis=1)  # (N, 2, T, D)
        self._n = n
        pooled, self._cache = [], {}
        for w, conv in self.convs.items():
            col = im2col(x, w, self.D, 1, 0).reshape(n, self.T - w + 1, 2 * w * self.D)
            z = conv.forward(col, True)  # (N, T−w+1, F): every window through the F filters
            r = np.maximum(z, 0.0)
            arg = r.argmax(axis=1)  # (N, F): the window each filter fired on
            pooled.append(np.take_along_axis(r, arg[:, None, :], axis=1)[:, 0])
            self._cache[w] = (z, arg)
        self._h = np.concatenate(pooled, axis=1)
        return self.head.forward(self._h, True)

    def backward(self, grad: np.ndarray) -> None:
        gh = self.head.backward(grad)
        dx = np.zeros((self._n, 2, self.T, self.D))
        for i, (w, conv) in enumerate(self.convs.items()):
            z, arg = self._cache[w]
            gr = np.zeros_like(z)
            np.put_along_axis(gr, arg[:, None, :], gh[:, i * self.F : (i + 1) * self.F][:, None, :], axis=1)
            gz = gr * (z > 0)
            gcol = conv.backward(gz)
            dx += col2im(gcol.reshape(-1, 2 * w * self.D), dx.shape, w, self.D, 1, 0)
        self.static.backward(dx[:, 0])  # frozen: no gradient is kept
        self.embed.backward(dx[:, 1])

    def loss_and_grad(self, ids: np.ndarray, y: np.ndarray) -> float:
        self.params.grads.fill(0.0)
        value = self.loss.forward(self.forward(ids), np.asarray(y, dtype=np.int64))
        self.backward(self.loss.backward())
        return value

    def step(self, ids: np.ndarray, y: np.ndarray) -> float:
        value = self.loss_and_grad(ids, y)
        self.optimizer.step()
        self.steps += 1
        return value

    def logits(self, ids: np.ndarray) -> np.ndarray:
        return self.forward(ids)

    def probabilities(self, ids: np.ndarray) -> np.ndarray:
        z = self.logits(ids)
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def fired(self, ids: np.ndarray) -> list[dict]:
        """For one sequence (T,): each filter's max-over-time value and the window's start."""
        self.forward(np.asarray(ids)[None])
        out = []
        for i, w in enumerate(self.widths):
            _z, arg = self._cache[w]
            for f in range(self.F):
                out.append(
                    {
                        "width": w,
                        "filter": f,
                        "start": int(arg[0, f]),
                        "value": float(self._h[0, i * self.F + f]),
                    }
                )
        return out


# -- the lab's data for the CNN --------------------------------------------------------------------------
def tokens_of(line: str) -> list[str]:
    """The text tokens of a segmented ``__label__`` line."""
    return [t for t in line.split() if not t.startswith("__label__")]


def pretrain_vectors(
    token_lists: list[list[str]], vocab: Vocab, dim: int, epochs: int = 5, seed: int = 0
) -> np.ndarray:
    """word2vec (skip-gram, 5 negatives, window 2; the engine's Word2Vec) on the training lines;
    rows in ``vocab``'s order."""
    ids = [vocab.encode(t) for t in token_lists]
    w2v = Word2Vec(vocab.counts, dim=dim, model="skipgram", objective="negative_sampling", lr=0.05, seed=seed,
                   optimizer="adam")  # fmt: skip
    rng = np.random.default_rng(seed)
    for _epoch in range(epochs):
        centres, contexts = skipgram_pairs(ids, 2, rng)
        order = rng.permutation(len(centres))
        for start in range(0, len(order), 256):
            sel = order[start : start + 256]
            w2v.step(centres[sel], contexts[sel])
    return w2v.vectors("W")


@dataclass
class CNNRun:
    """The text CNN on a split of segmented ``__label__`` lines (labels in ``label_order``)."""

    train_lines: tuple[str, ...]
    test_lines: tuple[str, ...]
    label_order: list[str]
    dim: int = 16
    filters: int = 8
    epochs: int = 10
    batch: int = 32
    lr: float = 0.01
    seed: int = 0
    max_len: int = 40
    history: list[dict] = field(default_factory=list)

    def __post_init__(self):
        train_tokens = [tokens_of(line) for line in self.train_lines]
        base = Vocab.build(train_tokens)
        self.words = [PAD, UNK, *base.words]
        self.index = {w: i for i, w in enumerate(self.words)}
        self.label_index = {lab: i for i, lab in enumerate(self.label_order)}
        self.seq_len = max(max(WIDTHS), min(self.max_len, max(len(t) for t in train_tokens)))
        t0 = time.perf_counter()
        vec = pretrain_vectors(train_tokens, base, self.dim, seed=self.seed)
        self.pretrain_seconds = time.perf_counter() - t0
        pretrained = np.zeros((len(self.words), self.dim))
        pretrained[2:] = vec
        self.model = TextCNN(
            len(self.words), self.dim, len(self.label_order), self.seq_len, pretrained,
            filters=self.filters, lr=self.lr, seed=self.seed,
        )  # fmt: skip
        self.X, self.y = self.encode(self.train_lines)
        self.Xt, self.yt = self.encode(self.test_lines)
        self.rng = np.random.default_rng(self.seed)
        self.epoch, self.seconds = 0, 0.0
        self._order: np.ndarray | None = None
        self._pos, self._losses = 0, []

    def ids(self, tokens: list[str]) -> np.ndarray:
        out = np.zeros(self.seq_len, dtype=np.intp)
        ids = [self.index.get(t, 1) for t in tokens[: self.seq_len]]
        out[: len(ids)] = ids
        return out

    def encode(self, lines) -> tuple[np.ndarray, np.ndarray]:
        X, y = [], []
        for line in lines:
            labels = [t for t in line.split() if t.startswith("__label__")]
            if labels and labels[0] in self.label_index:
                X.append(self.ids(tokens_of(line)))
                y.append(self.label_index[labels[0]])
        return np.array(X, dtype=np.intp).reshape(-1, self.seq_len), np.array(y, dtype=np.intp)

    @property
    def done(self) -> bool:
        return self.epoch >= self.epochs

    def advance(self, budget_s: float) -> dict | None:
        """Train mini-batches until ``budget_s`` has passed (at least one); returns the epoch's row
        when an epoch ends (the next call starts the next epoch)."""
        start = time.perf_counter()
        while not self.done:
            if self._order is None:
                self._order, self._pos, self._losses = self.rng.permutation(len(self.y)), 0, []
            sel = self._order[self._pos : self._pos + self.batch]
            t0 = time.perf_counter()
            self._losses.append(self.model.step(self.X[sel], self.y[sel]))
            self.seconds += time.perf_counter() - t0
            self._pos += self.batch
            if self._pos >= len(self._order):
                return self._end_epoch()
            if time.perf_counter() - start >= budget_s:
                break
        return None

    def run_epoch(self) -> dict:
        row = None
        while row is None and not self.done:
            row = self.advance(float("inf"))
        return row

    def _end_epoch(self) -> dict:
        losses, self._order = self._losses, None
        self.epoch += 1
        row = {
            "epoch": float(self.epoch),
            "train_loss": float(np.mean(losses)),
            "test_acc": self.accuracy(self.Xt, self.yt),
            "s_per_epoch": self.seconds / self.epoch,
        }
        self.history.append(row)
        return row

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        if not len(y):
            return float("nan")
        return float(np.mean(self.model.logits(X).argmax(axis=1) == y))

    def explain(self, tokens: list[str]) -> dict:
        """The probabilities for a tokenized sentence and, per filter, the n-gram it fired on."""
        ids = self.ids(tokens)
        probs = self.model.probabilities(ids[None])[0]
        shown = [t if t in self.index else UNK for t in tokens[: self.seq_len]]
        rows = []
        for r in self.model.fired(ids):
            window = shown[r["start"] : r["start"] + r["width"]]
            window += [PAD] * (r["width"] - len(window))
            rows.append({**r, "ngram": " ".join(window)})
        return {
            "probabilities": probs,
            "filters": rows,
            "unknown": [t for t in tokens if t not in self.index],
        }
