"""The word-embedding lab: word2vec (skip-gram / CBOW with softmax, hierarchical softmax or negative
sampling) and GloVe trained on the shipped corpus (or the learner's text), with the probes the page
shows — nearest neighbours of an expression a − b + c, the planted analogies, a PCA map of the
chosen matrix, one negative-sampling step under the microscope, the noise distribution, the
co-occurrence counts, the Huffman tree and the measured cost of each objective.

No Streamlit and no charts here: a :class:`Lab` is a plain object a test trains for a fixed number
of epochs. Training runs in mini-batches so that a live tick can stop after any batch
(:meth:`Lab.train` with a time budget); an epoch is one pass over the examples of one subsampled,
dynamically windowed draw of the corpus (word2vec.c's recipe).

Choices, stated once:

* Subsampling keeps a word of frequency f with probability (√(f/t) + 1)·t/f — word2vec.c's formula
  (the paper's 1 − √(t/f) discards more), see :func:`playground.text.keep_probability`.
* The row-sparse updates: SGD and AdaGrad touch only the rows a batch used (exactly the dense step);
  Adam runs lazily (only the rows used, ``torch.optim.SparseAdam``'s arithmetic).
* The word2vec losses are batch means, so the learning rate is per batch: the page's default SGD
  rate 2.0 over batches of 64 pairs is about 0.03 per pair, word2vec.c's 0.025.
* GloVe ignores the model/optimizer settings: AdaGrad as in the paper, final vectors W + W̃.
"""

from __future__ import annotations

import dataclasses
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from playground.engine.huffman import HuffmanTree
from playground.engine.wordvec import GloVe, NoiseDistribution, Word2Vec, sigmoid
from playground.errors import ConfigError, DataError
from playground.i18n import N_
from playground.text import Vocab, cbow_examples, cooccurrence, keep_probability, skipgram_pairs, subsample
from playground.text.corpus import sentences

CORPUS_DIR = Path(__file__).resolve().parents[1] / "text" / "corpora"
CORPORA = {
    "en": N_("English (shipped)"),
    "zh": N_("Chinese, segmented (shipped)"),
    "upload": N_("Your own text"),
}
MODELS = {"skipgram": N_("skip-gram"), "cbow": N_("CBOW")}
OBJECTIVES = {
    "negative_sampling": N_("negative sampling"),
    "hierarchical_softmax": N_("hierarchical softmax"),
    "softmax": N_("full softmax"),
    "glove": N_("GloVe"),
}
OPTIMIZER_LABELS = {"sgd": N_("SGD"), "adagrad": N_("AdaGrad"), "adam": N_("Adam (lazy)")}
MATRICES = {"W": N_("W (input vectors)"), "W'": N_("W′ (output vectors)"), "W+W'": N_("W + W′")}
ALPHAS = (0.0, 0.5, 0.75, 1.0)
# What GloVe (page defaults, window 10) reaches on each shipped corpus, as the page says it: (share in
# %, within so many epochs); tests/lessons/test_wordvec.py asserts it.
GLOVE_CLAIM = {"en": (70, 20), "zh": (60, 15)}
MAX_UPLOAD_BYTES = 300_000  # an uploaded text is cut to no more than this (UTF-8 bytes)
MAX_UPLOAD_TOKENS = 40_000
MICROSCOPE_LR = 0.5  # the step size under the microscope (larger than a training step, so the move shows)
MAX_VOCAB = 2_000  # words kept from an uploaded text (the most frequent): the softmax and the map stay fast
CATEGORIES = {"gender": N_("royalty × gender"), "capital": N_("countries × capitals"),
              "ordinal": N_("numbers × ordinals"), "tense": N_("verbs × tenses")}  # fmt: skip


@dataclass(frozen=True)
class Settings:
    """What the page's controls set. Changing any of them starts a new run."""

    corpus: str = "en"
    model: str = "skipgram"
    objective: str = "negative_sampling"
    dim: int = 30
    window: int = 4
    k: int = 5
    alpha: float = 0.75
    subsample: float = 1e-3  # word2vec's t (0: keep every word)
    lr: float = 2.0
    optimizer: str = "sgd"
    batch: int = 64
    seed: int = 0
    # AdaGrad's rate for GloVe (the paper's 0.05 is for billions of words; here it needs twice the epochs)
    glove_lr: float = 0.2
    x_max: float = 10.0  # GloVe's cut-off: this corpus's counts are small (the paper's 100 is for billions)

    def validate(self) -> None:
        if self.model not in MODELS:
            raise ConfigError("Unknown model {name}.", name=self.model)
        if self.objective not in OBJECTIVES:
            raise ConfigError("Unknown objective {name}.", name=self.objective)
        if self.optimizer not in OPTIMIZER_LABELS:
            raise ConfigError("Unknown optimizer {name}.", name=self.optimizer)
        if not 2 <= self.dim <= 300:
            raise ConfigError("The dimension must be between 2 and 300, got {d}.", d=self.dim)
        if not 1 <= self.window <= 10:
            raise ConfigError("The window must be between 1 and 10, got {w}.", w=self.window)
        if not 1 <= self.k <= 30:
            raise ConfigError("The number of negatives k must be between 1 and 30, got {k}.", k=self.k)
        if not 0.0 <= self.alpha <= 1.0:
            raise ConfigError("The noise exponent α must be between 0 and 1, got {a}.", a=self.alpha)
        if not (self.lr > 0 and np.isfinite(self.lr)):
            raise ConfigError("The learning rate must be positive, got {lr}.", lr=self.lr)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


# -- data -------------------------------------------------------------------------------------------
def corpus_text(name: str) -> str:
    if name not in ("en", "zh"):
        raise DataError("Unknown corpus {name}.", name=name)
    return (CORPUS_DIR / f"wordvec_{name}.txt").read_text(encoding="utf-8")


def analogies(name: str) -> list[tuple[str, str, str, str, str]]:
    """The planted analogies (category, a, b, c, d): d ≈ b − a + c."""
    if name not in ("en", "zh"):
        return []
    rows = []
    for line in (CORPUS_DIR / f"wordvec_analogies_{name}.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            cat, a, b, c, d = line.split()
            rows.append((cat, a, b, c, d))
    return rows


def read_upload(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """A learner's file as text: UTF-8 (a BOM is dropped), cut to ``max_bytes``, with at least a few
    sentences of words. Raises :class:`DataError` with a message for the learner otherwise."""
    if not data:
        raise DataError("The file is empty.")
    if b"\x00" in data[:4096]:
        raise DataError("This looks like a binary file, not text: upload a UTF-8 .txt file.")
    data = data[:max_bytes]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(data) - 3:  # not just a character cut at the size limit
            raise DataError(
                "The file is not UTF-8 text (undecodable byte at position {pos}): save it as UTF-8.",
                pos=exc.start,
            ) from None
        text = data[: exc.start].decode("utf-8-sig")
    lines = sentences(text)
    n_tokens = sum(len(s) for s in lines)
    if n_tokens < 50:
        raise DataError("The text has only {n} words: at least 50 are needed.", n=n_tokens)
    return text


_SENTENCE_END = re.compile(r"[.!?;。！？；]+")


def paragraphs_and_sentences(
    text: str, max_tokens: int | None = None
) -> tuple[list[list[str]], list[list[str]]]:
    """(paragraphs, sentences) as token lists: a paragraph is a line, a sentence ends at . ! ? ; or
    their Chinese forms. word2vec's windows stay inside a sentence; GloVe counts inside a paragraph
    (as glove's cooccur.c counts inside a line), so words of neighbouring sentences co-occur a little."""
    paras = _sentences_capped(text, max_tokens) if max_tokens else sentences(text)
    sents = []
    for line in text.splitlines():
        for part in _SENTENCE_END.split(line):
            toks = sentences(part)
            if toks:
                sents.append(toks[0])
    if max_tokens:
        total = sum(len(p) for p in paras)
        kept, n = [], 0
        for t in sents:
            if n >= total:
                break
            kept.append(t[: total - n])
            n += len(kept[-1])
        sents = kept
    return paras, sents


def _sentences_capped(text: str, max_tokens: int = MAX_UPLOAD_TOKENS) -> list[list[str]]:
    out, total = [], 0
    for s in sentences(text):
        if total >= max_tokens:
            break
        out.append(s[: max_tokens - total])
        total += len(out[-1])
    return out


# -- expressions ------------------------------------------------------------------------------------
_TERM = re.compile(r"\s*([+\-−])?\s*([^\s+\-−]+)")


def parse_expression(expr: str) -> list[tuple[float, str]]:
    """ "king - man + woman" → [(1, king), (−1, man), (1, woman)]."""
    expr = expr.strip()
    if not expr:
        raise ConfigError("Type a word or an expression such as king - man + woman.")
    terms, pos = [], 0
    while pos < len(expr):
        m = _TERM.match(expr, pos)
        if m is None or m.end() == pos:
            raise ConfigError("Cannot read {expr}: use words joined by + and -.", expr=expr)
        sign = -1.0 if m.group(1) in ("-", "−") else 1.0
        terms.append((sign, m.group(2).lower()))
        pos = m.end()
        while pos < len(expr) and expr[pos].isspace():
            pos += 1
    if len(terms) > 8:
        raise ConfigError("At most 8 words in an expression.")
    return terms


def unit_rows(M: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(M, axis=1, keepdims=True)
    return M / np.where(n > 0, n, 1.0)


def analogy_accuracy(
    vectors: np.ndarray, vocab: Vocab, rows: list[tuple[str, str, str, str, str]]
) -> tuple[float, dict[str, float], int]:
    """Share of the analogies (a, b, c, d) whose nearest word to b − a + c (unit vectors, cosine,
    a, b and c excluded) is d; per category too; and how many analogies were asked (those whose four
    words are in the vocabulary)."""
    usable = [r for r in rows if all(w in vocab for w in r[1:])]
    if not usable:
        return float("nan"), {}, 0
    U = unit_rows(vectors)
    ids = np.array([[vocab.index[w] for w in r[1:]] for r in usable])
    a, b, c, d = ids.T
    q = U[b] - U[a] + U[c]
    sims = unit_rows(q) @ U.T
    n = np.arange(len(q))
    for col in (a, b, c):
        sims[n, col] = -np.inf
    ok = sims.argmax(axis=1) == d
    cats = np.array([r[0] for r in usable])
    per = {cat: float(ok[cats == cat].mean()) for cat in dict.fromkeys(cats)}
    return float(ok.mean()), per, len(usable)


def pca2(M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows of M projected on their first two principal components, and the share of variance
    each explains. Signs are fixed (the largest |loading| of each component positive) so the map
    does not flip from one tick to the next."""
    X = M - M.mean(axis=0)
    _u, s, vt = np.linalg.svd(X, full_matrices=False)
    comps = vt[:2]
    flip = np.sign(comps[np.arange(len(comps)), np.abs(comps).argmax(axis=1)])
    comps = comps * flip[:, None]
    xy = X @ comps.T
    var = s**2
    share = var[:2] / var.sum() if var.sum() > 0 else np.zeros(2)
    if xy.shape[1] < 2:
        xy = np.pad(xy, ((0, 0), (0, 2 - xy.shape[1])))
    return xy, share


# -- the lab ----------------------------------------------------------------------------------------
@dataclass
class Lab:
    """One run: vocabulary, examples, model, history (one row per tick: epoch, loss, accuracy)."""

    settings: Settings = field(default_factory=Settings)
    text: str | None = None  # the uploaded text (corpus "upload")

    def __post_init__(self):
        s = self.settings
        s.validate()
        if s.corpus == "upload":
            if not self.text:
                raise DataError("Upload a text file first.")
            paras, sents = paragraphs_and_sentences(self.text, MAX_UPLOAD_TOKENS)
        else:
            paras, sents = paragraphs_and_sentences(corpus_text(s.corpus))
        vocab = Vocab.build(paras)
        if len(vocab) > MAX_VOCAB:
            vocab = Vocab(vocab.words[:MAX_VOCAB], vocab.counts[:MAX_VOCAB])
        if len(vocab) < 3:
            raise DataError("The text has fewer than 3 different words.")
        self.vocab = vocab
        self.ids = [a for a in (vocab.encode(t) for t in sents) if len(a) > 1]
        self.para_ids = [a for a in (vocab.encode(t) for t in paras) if len(a) > 1]
        self.n_tokens = int(sum(len(a) for a in self.para_ids))
        self.analogies = analogies(s.corpus)
        self.rng = np.random.default_rng(np.random.SeedSequence([s.seed, 1616]))
        self.glove = s.objective == "glove"
        if self.glove:
            self.model: Word2Vec | GloVe = GloVe(len(vocab), s.dim, x_max=s.x_max, lr=s.glove_lr, seed=s.seed)
            self.cooc = cooccurrence(self.para_ids, len(vocab), s.window)
        else:
            self.model = Word2Vec(
                vocab.counts,
                dim=s.dim,
                model=s.model,
                objective=s.objective,
                negatives=s.k,
                alpha=s.alpha,
                optimizer=s.optimizer,
                lr=s.lr,
                lazy=s.optimizer == "adam",
                seed=s.seed,
            )
        self.epoch = 0
        self._queue: list[tuple[np.ndarray, ...]] = []
        self._queue_len = 0
        self._pending: list[float] = []
        self.history: list[dict[str, float]] = []
        self.seconds = 0.0
        self.examples = 0
        self.record()

    # -- examples
    def _new_epoch(self) -> None:
        s, rng = self.settings, self.rng
        if self.glove:
            i, j, x = self.cooc
            order = rng.permutation(len(x))
            arrays: tuple[np.ndarray, ...] = (i[order], j[order], x[order])
        else:
            ids = subsample(self.ids, self.vocab.counts, s.subsample, rng) if s.subsample > 0 else self.ids
            if s.model == "skipgram":
                centres, contexts = skipgram_pairs(ids, s.window, rng)
                arrays = (centres, contexts)
            else:
                bags, centres = cbow_examples(ids, s.window, rng)
                arrays = (bags, centres)
            order = rng.permutation(len(arrays[0]))
            arrays = tuple(a[order] for a in arrays)
        B = s.batch if not self.glove else 256
        n = len(arrays[0])
        self._queue = [tuple(a[st : st + B] for a in arrays) for st in range(0, n, B)][::-1]
        self._queue_len = max(1, len(self._queue))

    def progress(self) -> float:
        """Epochs done, with the fraction of the current one."""
        if not self._queue:
            return float(self.epoch)
        return self.epoch + 1 - len(self._queue) / self._queue_len

    def _step(self) -> None:
        if not self._queue:
            self._new_epoch()
        batch = self._queue.pop()
        self._pending.append(self.model.step(*batch) / (len(batch[0]) if self.glove else 1))
        self.examples += len(batch[0])
        if not self._queue:
            self.epoch += 1

    def train(
        self, epochs: float | None = None, budget_s: float | None = None, max_epochs: int = 10_000
    ) -> None:
        """Train for ``epochs`` (whole or fractional) or until ``budget_s`` seconds have passed (at least
        one batch), then record a history row."""
        if epochs is None and budget_s is None:
            raise ValueError("train needs epochs or budget_s")
        t0 = time.perf_counter()
        goal = self.progress() + epochs if epochs is not None else float("inf")
        while self.progress() < goal - 1e-9 and self.epoch < max_epochs:
            self._step()
            if budget_s is not None and time.perf_counter() - t0 >= budget_s:
                break
        self.seconds += time.perf_counter() - t0
        self.record()

    def record(self) -> None:
        acc, _per, n = analogy_accuracy(self.vectors(self.default_matrix()), self.vocab, self.analogies)
        loss = float(np.mean(self._pending)) if self._pending else float("nan")
        self._pending = []
        self.history.append({"epoch": self.progress(), "loss": loss, "analogy": acc if n else float("nan")})

    # -- vectors
    def matrices(self) -> list[str]:
        """The word matrices that exist: under hierarchical softmax W′ holds inner nodes, not words."""
        if self.settings.objective == "hierarchical_softmax":
            return ["W"]
        return list(MATRICES)

    def default_matrix(self) -> str:
        return "W+W'" if self.glove else "W"

    def vectors(self, which: str | None = None) -> np.ndarray:
        which = which or self.default_matrix()
        if which not in self.matrices():
            raise ConfigError("Under hierarchical softmax W′ holds inner-node vectors, not words: show W.")
        return self.model.vectors(which)

    def accuracy(self, which: str | None = None) -> tuple[float, dict[str, float], int]:
        return analogy_accuracy(self.vectors(which), self.vocab, self.analogies)

    def neighbours(self, expr: str, k: int = 10, which: str | None = None) -> list[tuple[str, float]]:
        """The k words nearest (cosine) to the expression's vector; the words of the expression are left
        out, as in the analogy test."""
        terms = parse_expression(expr)
        missing = [w for _sign, w in terms if w not in self.vocab]
        if missing:
            raise DataError("Not in the vocabulary: {words}.", words=", ".join(missing))
        U = unit_rows(self.vectors(which))
        q = sum(sign * U[self.vocab.index[w]] for sign, w in terms)
        norm = np.linalg.norm(q)
        if norm == 0:
            raise DataError("The expression's vector is zero: its words cancel out.")
        sims = U @ (q / norm)
        for _sign, w in terms:
            sims[self.vocab.index[w]] = -np.inf
        top = np.argsort(-sims, kind="stable")[:k]
        return [(self.vocab.words[i], float(sims[i])) for i in top if np.isfinite(sims[i])]

    def map_points(self, which: str | None = None) -> dict[str, Any]:
        """The PCA map: x, y per word, word, count, rank, and the variance shares."""
        xy, share = pca2(self.vectors(which))
        return {
            "x": xy[:, 0],
            "y": xy[:, 1],
            "word": list(self.vocab.words),
            "count": self.vocab.counts.copy(),
            "share": share,
        }

    def groups(self) -> list[str]:
        """The planted group of each word (from the analogy list: the first word of a pair is male,
        country, number or present tense; the second female, capital, ordinal or past), else "other"."""
        names = {"gender": ("male", "female"), "capital": ("country", "capital"),
                 "ordinal": ("number", "ordinal"), "tense": ("present", "past")}  # fmt: skip
        g = {}
        for cat, a, b, c, d in self.analogies:
            first, second = names[cat]
            g[a] = g[c] = first
            g[b] = g[d] = second
        return [g.get(w, "other") for w in self.vocab.words]

    # -- probes
    def noise(self, alpha: float | None = None) -> dict[str, np.ndarray]:
        """Raw frequencies and the noise distribution ∝ count^α over the vocabulary (by rank)."""
        a = self.settings.alpha if alpha is None else alpha
        return {"freq": self.vocab.frequencies(), "noise": NoiseDistribution(self.vocab.counts, a).probs}

    def keep(self) -> np.ndarray:
        return keep_probability(self.vocab.counts, self.settings.subsample)

    def cooc_matrix(self, n: int = 20) -> tuple[list[str], np.ndarray]:
        """The co-occurrence counts X among the n most frequent words (distance-weighted, 1/d)."""
        i, j, x = (
            self.cooc if self.glove else cooccurrence(self.para_ids, len(self.vocab), self.settings.window)
        )
        n = min(n, len(self.vocab))
        M = np.zeros((n, n))
        sel = (i < n) & (j < n)
        M[i[sel], j[sel]] = x[sel]
        return self.vocab.words[:n], M

    def cooc_values(self) -> np.ndarray:
        i, j, x = (
            self.cooc if self.glove else cooccurrence(self.para_ids, len(self.vocab), self.settings.window)
        )
        return x

    def tree(self) -> HuffmanTree:
        return (
            self.model.tree
            if getattr(self.model, "tree", None) is not None
            else HuffmanTree(self.vocab.counts)
        )

    def microscope(self, centre: str, context: str) -> dict[str, Any]:
        """One skip-gram negative-sampling step for the pair (centre, context), computed on a copy of
        the vectors (the run is not changed): the row e_j of W the one-hot selects, the positive and
        k negatives drawn from the noise with their σ scores before and after, and where the centre
        moves on the map (the map's PCA basis, fixed before the step)."""
        if self.glove or self.settings.objective == "hierarchical_softmax":
            raise ConfigError(
                "The microscope shows a step with word output vectors: "
                "choose negative sampling or the full softmax."
            )
        for w in (centre, context):
            if w not in self.vocab:
                raise DataError("Not in the vocabulary: {words}.", words=w)
        s = self.settings
        V = self.vocab
        j, c = V.index[centre], V.index[context]
        W = self.model.params["in.W"].value.copy()
        Wo = self.model.params["out.W"].value.copy()
        noise = NoiseDistribution(V.counts, s.alpha)
        rng = np.random.default_rng([s.seed, self.examples, j, c])
        negs = noise.sample(rng, (s.k,))
        negs = np.array([n for n in negs if n != c], dtype=np.intp)
        lr = MICROSCOPE_LR
        h = W[j]
        rows = np.concatenate([[c], negs])
        labels = np.concatenate([[1.0], np.zeros(len(negs))])
        scores = sigmoid(Wo[rows] @ h)
        g = scores - labels  # d loss / d score
        dh = g @ Wo[rows]
        W2 = W.copy()
        W2[j] = h - lr * dh
        Wo2 = Wo.copy()
        Wo2[rows] = Wo[rows] - lr * g[:, None] * h[None, :]
        after = sigmoid(Wo2[rows] @ W2[j])
        # the map: PCA basis of W before the step
        X = W - W.mean(axis=0)
        _u, _s, vt = np.linalg.svd(X, full_matrices=False)
        basis = vt[:2]
        mean = W.mean(axis=0)
        return {
            "centre": centre,
            "context": context,
            "j": j,
            "onehot": np.eye(len(V))[j],
            "row": h.copy(),
            "words": [V.words[r] for r in rows],
            "is_positive": labels.astype(bool),
            "before": scores,
            "after": after,
            "loss_before": float(-np.log(scores[0]) - np.log1p(-scores[1:]).sum()),
            "loss_after": float(-np.log(after[0]) - np.log1p(-after[1:]).sum()),
            "lr": lr,
            "from_xy": (h - mean) @ basis.T,
            "to_xy": (W2[j] - mean) @ basis.T,
            "targets_xy": (Wo[rows] - mean) @ basis.T,
        }

    def measured_costs(self, batches: int = 20) -> dict[str, dict[str, float]]:
        """Seconds per epoch (measured on ``batches`` batches of a copy of this run's examples, scaled
        to the epoch) and dot products per update for softmax, hierarchical softmax and negative
        sampling on this vocabulary (skip-gram, the current dimension)."""
        s = self.settings
        ids = self.ids
        centres, contexts = skipgram_pairs(ids, s.window, np.random.default_rng(0))
        n_pairs = len(centres)
        out = {}
        for obj in ("softmax", "hierarchical_softmax", "negative_sampling"):
            m = Word2Vec(self.vocab.counts, dim=s.dim, objective=obj, negatives=s.k, alpha=s.alpha, lr=0.01)
            B = s.batch
            m.step(centres[:B], contexts[:B])  # warm up
            t0 = time.perf_counter()
            for b in range(batches):
                sl = slice(b * B, (b + 1) * B)
                m.step(centres[sl], contexts[sl])
            per_batch = (time.perf_counter() - t0) / batches
            out[obj] = {
                "seconds_per_epoch": per_batch * n_pairs / B,
                "ops_per_update": float(m.head.ops_per_example()),
            }
        return out
