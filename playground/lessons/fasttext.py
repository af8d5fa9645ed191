"""The fastText lab's logic (no Streamlit, no charts): data, a run trained a few examples at a time,
held-out metrics, the exact explanation of a typed sentence, the label tree, the softmax vs
hierarchical-softmax comparison and the bucket-collision sweep.

Data: the shipped sets (``playground/text/corpora/fasttext_{en,zh}.txt``) or an uploaded
``__label__`` file. Every text is segmented the same way before fastText's dictionary reads it:
runs of CJK characters are split into single characters (the lab's Chinese default — fastText
itself splits on spaces only), other tokens are kept as they are. The split into training and
test lines is stratified by label and seeded.
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from playground.engine.fasttext import FastTextModel
from playground.engine.wordvec import sigmoid
from playground.errors import ConfigError, DataError
from playground.i18n import N_
from playground.text.fasttext import LABEL, FastTextDictionary, read_words

CORPORA = Path(__file__).resolve().parents[1] / "text" / "corpora"
DATASETS = {
    "en": N_("Messages (English)"),
    "zh": N_("Messages (Chinese)"),
    "upload": N_("Your __label__ file"),
}
LOSSES = {
    "softmax": N_("softmax"),
    "hierarchical_softmax": N_("hierarchical softmax"),
    "one_vs_all": N_("one-vs-all"),
}
#: The bucket slider's stops (log scale, fastText's default 2 000 000 at the end).
BUCKETS = (16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1_000_000, 2_000_000)
#: The collision sweep's bucket counts.
SWEEP_BUCKETS = (16, 64, 256, 1024, 4096, 2_000_000)
TEST_SHARE = 0.2
MAX_UPLOAD_LINES = 5000
MIN_UPLOAD_LINES = 10
MAX_LINE_CHARS = 2000

_CJK = re.compile(r"([\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef])")


def segment(text: str) -> str:
    """Split runs of CJK characters (and full-width punctuation) into one token per character;
    keep every other whitespace-separated token as it is."""
    return " ".join(_CJK.sub(r" \1 ", text).split())


def split_label_line(line: str) -> tuple[list[str], str]:
    """(labels, text) of a ``__label__`` line: the leading tokens that start with ``__label__``."""
    tokens = line.split()
    labels = []
    while tokens and tokens[0].startswith(LABEL):
        labels.append(tokens.pop(0))
    return labels, " ".join(tokens)


def prepare(line: str) -> str:
    """A ``__label__`` line with its text segmented (labels kept first)."""
    labels, text = split_label_line(line)
    return " ".join([*labels, segment(text)]).strip()


def shipped_lines(name: str) -> list[str]:
    if name not in ("en", "zh"):
        raise ConfigError("Unknown data set {name}.", name=name)
    text = (CORPORA / f"fasttext_{name}.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


def parse_upload(data: bytes, max_bytes: int, max_lines: int = MAX_UPLOAD_LINES) -> list[str]:
    """The lines of an uploaded ``__label__`` file, checked; a clear :class:`DataError` otherwise."""
    if len(data) > max_bytes:
        raise DataError(
            "The file has {size} bytes; the limit is {limit} bytes.", size=len(data), limit=max_bytes
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            "The file is not UTF-8 text (byte {pos} cannot be read).", pos=exc.start + 1
        ) from None
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_CHARS:
            raise DataError(
                "Line {line} is longer than {limit} characters.",
                line=number,
                row=number,
                limit=MAX_LINE_CHARS,
            )
        labels, rest = split_label_line(raw)
        if not labels:
            raise DataError(
                "Line {line} does not start with a label such as __label__positive.", line=number, row=number
            )
        if any(lab == LABEL for lab in labels):
            raise DataError(
                "Line {line} has an empty label (__label__ without a name).", line=number, row=number
            )
        if not rest:
            raise DataError("Line {line} has a label but no text.", line=number, row=number)
        if LABEL in rest:
            raise DataError(
                "Line {line}: labels must come first; __label__ appears inside the text.",
                line=number,
                row=number,
            )
        lines.append(raw.strip())
        if len(lines) > max_lines:
            raise DataError("The file has more than {limit} lines.", limit=max_lines)
    if len(lines) < MIN_UPLOAD_LINES:
        raise DataError(
            "The file has {n} labelled lines; at least {minimum} are needed.",
            n=len(lines),
            minimum=MIN_UPLOAD_LINES,
        )
    if len({split_label_line(line)[0][0] for line in lines}) < 2:
        raise DataError("Every line has the same label; a classifier needs at least two.")
    return lines


@dataclass(frozen=True)
class Split:
    """Training and test lines (segmented), stratified by the first label."""

    train: tuple[str, ...]
    test: tuple[str, ...]

    @classmethod
    def make(cls, lines: list[str], seed: int = 0, test_share: float = TEST_SHARE) -> Split:
        rng = np.random.default_rng(seed)
        by_label: dict[str, list[str]] = {}
        for line in lines:
            prepared = prepare(line)
            labels, _text = split_label_line(prepared)
            if labels:
                by_label.setdefault(labels[0], []).append(prepared)
        train, test = [], []
        for label in sorted(by_label):
            group = by_label[label]
            order = rng.permutation(len(group))
            n_test = int(round(test_share * len(group))) if len(group) >= 3 else 0
            test += [group[i] for i in order[:n_test]]
            train += [group[i] for i in order[n_test:]]
        # Interleave the labels (fastText reads its file in order; a sorted file would train badly).
        train = [train[i] for i in rng.permutation(len(train))]
        return cls(tuple(train), tuple(test))


@dataclass(frozen=True)
class Settings:
    """The page's controls (fastText's names in the help texts)."""

    word_ngrams: int = 2
    bucket: int = 2_000_000
    dim: int = 10
    loss: str = "softmax"
    epochs: int = 10
    lr: float = 0.5
    min_count: int = 1
    seed: int = 0

    def checked(self) -> Settings:
        if not 1 <= self.word_ngrams <= 3:
            raise ConfigError("wordNgrams must be 1, 2 or 3.")
        if not 16 <= self.bucket <= 2_000_000:
            raise ConfigError("The bucket count must be between 16 and 2,000,000.")
        if not 1 <= self.dim <= 100:
            raise ConfigError("The dimension must be between 1 and 100.")
        if self.loss not in LOSSES:
            raise ConfigError("Unknown loss {loss}.", loss=self.loss)
        if not 1 <= self.epochs <= 100:
            raise ConfigError("Epochs must be between 1 and 100.")
        if not 0 < self.lr <= 5:
            raise ConfigError("The learning rate must be in (0, 5].")
        if not 1 <= self.min_count <= 100:
            raise ConfigError("The minimum count must be between 1 and 100.")
        return self


def label_name(label: str) -> str:
    return label[len(LABEL) :] if label.startswith(LABEL) else label


@dataclass
class Encoded:
    features: list[list[int]]
    labels: np.ndarray
    tokens: list[int]


def encode(d: FastTextDictionary, lines: tuple[str, ...] | list[str]) -> Encoded:
    feats, labels, tokens = [], [], []
    for line in lines:
        f, lab, n = d.features(line)
        if not lab:
            continue  # a test label the training data never had
        feats.append(f)
        labels.append(lab[0])
        tokens.append(n)
    return Encoded(feats, np.asarray(labels, dtype=np.intp), tokens)


def confusion_matrix(true: np.ndarray, pred: np.ndarray, k: int) -> np.ndarray:
    m = np.zeros((k, k), dtype=np.int64)
    np.add.at(m, (true, pred), 1)
    return m


def precision_recall_at_k(probs: np.ndarray, true: np.ndarray, k: int) -> tuple[float, float]:
    """fastText's ``test`` figures for one label per line: P@k = hits / (k·N), R@k = hits / N,
    a hit being the true label among the k most probable."""
    if len(true) == 0:
        return float("nan"), float("nan")
    k = min(k, probs.shape[1])
    top = np.argsort(-probs, axis=1, kind="stable")[:, :k]
    hits = int((top == true[:, None]).sum())
    return hits / (k * len(true)), hits / len(true)


class FastTextRun:
    """One fastText model trained on a split: ``advance(budget_s)`` trains a slice and records a
    row of held-out metrics at the end of every epoch."""

    def __init__(self, split: Split, settings: Settings):
        self.split, self.settings = split, settings.checked()
        s = self.settings
        self.dictionary = FastTextDictionary.build(
            split.train, word_ngrams=s.word_ngrams, bucket=s.bucket, min_count=s.min_count
        )
        d = self.dictionary
        self.labels = [label_name(lab) for lab in d.labels]
        self.train = encode(d, split.train)
        self.test = encode(d, split.test)
        if not self.train.features:
            raise DataError("No training line has a label.")
        self.model = FastTextModel(
            d.n_rows, d.label_counts, dim=s.dim, loss=s.loss, lr=s.lr, epochs=s.epochs, seed=s.seed
        )
        self.model.set_data(self.train.features, self.train.labels, self.train.tokens)
        self.history: list[dict[str, float]] = []
        self._epoch_losses: list[float] = []
        self.seconds = 0.0  # training time (not evaluation)
        self._ngram_texts: dict[int, set[str]] | None = None

    # -- training -------------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self.model.done

    @property
    def epoch(self) -> int:
        return self.model.epoch

    @property
    def progress(self) -> float:
        m = self.model
        n = len(self.train.labels)
        return min(1.0, (m.epoch * n + m.position) / (m.epochs * n))

    def advance(self, budget_s: float = 0.1, chunk: int = 64) -> int:
        """Train until ``budget_s`` has passed (at least one chunk); returns the examples trained."""
        start = time.perf_counter()
        trained = 0
        while not self.done:
            n_left = len(self.train.labels) - self.model.position
            t0 = time.perf_counter()
            self._epoch_losses += self.model.run_steps(min(chunk, n_left))
            self.seconds += time.perf_counter() - t0
            trained += min(chunk, n_left)
            if self.model.position == 0:  # an epoch just ended
                self._record()
            if time.perf_counter() - start >= budget_s:
                break
        return trained

    def finish_epoch(self) -> None:
        """Train the rest of the epoch under way (a whole epoch when it is at its start)."""
        if self.done:
            return
        t0 = time.perf_counter()
        self._epoch_losses += self.model.run_steps(len(self.train.labels) - self.model.position)
        self.seconds += time.perf_counter() - t0
        self._record()

    def train_all(self) -> FastTextRun:
        while not self.done:
            self.advance(budget_s=10.0, chunk=10_000)
        return self

    def _record(self) -> None:
        probs_train = self.probabilities(self.train.features)
        probs_test = self.probabilities(self.test.features)
        row = {
            "epoch": float(self.model.epoch),
            "train_loss": float(np.mean(self._epoch_losses)) if self._epoch_losses else float("nan"),
            "train_acc": _accuracy(probs_train, self.train.labels),
            "test_acc": _accuracy(probs_test, self.test.labels),
            "test_loss": _nll(probs_test, self.test.labels),
            "lr": self.model.lr_now(),
        }
        self._epoch_losses = []
        self.history.append(row)

    # -- held-out evaluation ------------------------------------------------------------------------
    def hidden_matrix(self, features: list[list[int]]) -> np.ndarray:
        table = self.model.table
        H = np.zeros((len(features), self.model.dim))
        for i, f in enumerate(features):
            if len(f):
                H[i] = table.vectors(np.asarray(f, dtype=np.int64)).mean(axis=0)
        return H

    def probabilities(self, features: list[list[int]]) -> np.ndarray:
        if not features:
            return np.zeros((0, self.model.n_labels))
        return self.model.head.probabilities(self.hidden_matrix(features))

    def test_metrics(self, ks: tuple[int, ...] = (1, 2, 3)) -> dict:
        probs = self.probabilities(self.test.features)
        true = self.test.labels
        pred = probs.argmax(axis=1) if len(true) else np.zeros(0, dtype=np.intp)
        K = len(self.labels)
        return {
            "accuracy": _accuracy(probs, true),
            "at_k": {k: precision_recall_at_k(probs, true, k) for k in ks if k <= K},
            "confusion": confusion_matrix(true, pred, K),
            "n_test": len(true),
        }

    def accuracy_on(self, lines: list[str]) -> float:
        enc = encode(self.dictionary, lines)
        return _accuracy(self.probabilities(enc.features), enc.labels)

    # -- collisions ----------------------------------------------------------------------------------
    def ngram_texts(self) -> dict[int, set[str]]:
        """bucket → the distinct word n-grams of the training lines hashed into it."""
        if self._ngram_texts is None:
            out: dict[int, set[str]] = {}
            for line in self.split.train:
                for f in self.dictionary.explain(line)[0]:
                    if f.kind == "word_ngram":
                        out.setdefault(f.bucket, set()).add(f.text)
            self._ngram_texts = out
        return self._ngram_texts

    def collision_share(self) -> float:
        """Share of the training's distinct n-grams that share their bucket with another n-gram."""
        texts = self.ngram_texts()
        total = sum(len(s) for s in texts.values())
        shared = sum(len(s) for s in texts.values() if len(s) > 1)
        return shared / total if total else 0.0

    # -- explanation -------------------------------------------------------------------------------
    def explain(self, sentence: str) -> Explanation:
        return explain(self, sentence)


def _accuracy(probs: np.ndarray, true: np.ndarray) -> float:
    return float(np.mean(probs.argmax(axis=1) == true)) if len(true) else float("nan")


def _nll(probs: np.ndarray, true: np.ndarray) -> float:
    if not len(true):
        return float("nan")
    p = probs[np.arange(len(true)), true]
    return float(-np.mean(np.log(np.clip(p, 1e-300, None))))


# -- explanation of one sentence ------------------------------------------------------------------------
@dataclass
class FeatureRow:
    text: str
    kind: str  # word / word_ngram / char_ngram
    row: int  # row of the input table
    bucket: int | None
    collides_with: list[str]  # other n-grams of the training data (or this sentence) in the same bucket
    trained: bool  # the row was updated in training (False: its random initial vector)
    vector: np.ndarray


@dataclass
class PathStep:
    node: int  # inner node index
    code: int  # 1: σ(s), 0: σ(−s)
    score: float  # s = u_node · h
    prob: float  # σ(s) or σ(−s), the branch taken


@dataclass
class Explanation:
    tokens: list[str]
    unknown: list[str]  # tokens with no row (not in the vocabulary): fastText drops them
    features: list[FeatureRow]
    hidden: np.ndarray
    outputs: list[str]  # column names of the contributions: labels, or inner nodes n0…
    contributions: np.ndarray  # (features, outputs): exact shares of each score
    scores: np.ndarray  # the sum of each column
    probabilities: np.ndarray  # per label
    top: list[tuple[str, float]]  # labels by probability
    paths: dict[int, list[PathStep]] = field(default_factory=dict)  # HS: per label

    def path_product(self, label: int) -> float:
        return float(np.prod([s.prob for s in self.paths[label]])) if label in self.paths else float("nan")


def explain(run: FastTextRun, sentence: str, k: int = 3) -> Explanation:
    """Everything the page shows about one typed sentence — exact, as the model is linear."""
    d, m = run.dictionary, run.model
    text = segment(sentence.replace(LABEL, " "))
    feats, _labels, _n = d.explain(text)
    tokens = read_words(text)
    unknown = [t for t in tokens if t not in d.word_index]
    ids = np.array([f.id for f in feats], dtype=np.int64)
    vectors = m.table.vectors(ids) if len(ids) else np.zeros((0, m.dim))
    texts = run.ngram_texts()
    own: dict[int, set[str]] = {}
    for f in feats:
        if f.kind == "word_ngram":
            own.setdefault(f.bucket, set()).add(f.text)
    rows = []
    for f, v in zip(feats, vectors, strict=True):
        others: list[str] = []
        if f.bucket is not None:
            others = sorted((texts.get(f.bucket, set()) | own.get(f.bucket, set())) - {f.text})
        rows.append(FeatureRow(f.text, f.kind, f.id, f.bucket, others, f.id in m.table, v))
    contributions = m.contributions(ids)
    hidden = m.hidden(ids)
    scores = contributions.sum(axis=0) if len(ids) else np.zeros(contributions.shape[1])
    probs = m.probabilities(ids)
    order = np.argsort(-probs, kind="stable")[:k]
    tree = m.tree
    if tree is not None:
        outputs = [f"n{j}" for j in range(tree.n_inner)]
        paths = {}
        for label in range(len(run.labels)):
            steps = []
            for node, code in zip(tree.paths[label], tree.codes[label], strict=True):
                s = float(scores[node])
                steps.append(PathStep(int(node), int(code), s, float(sigmoid(s if code else -s))))
            paths[label] = steps
    else:
        outputs, paths = list(run.labels), {}
    return Explanation(
        tokens,
        unknown,
        rows,
        hidden,
        outputs,
        contributions,
        scores,
        probs,
        [(run.labels[i], float(probs[i])) for i in order],
        paths,
    )


def tree_layout(run: FastTextRun) -> dict:
    """Positions to draw the label Huffman tree: leaves left to right (in-order), depth downwards.

    Returns ``{"nodes": [{id, x, depth, leaf, name, count}], "edges": [{parent, child, code}]}``;
    node ids: leaves 0…K−1 are the labels, inner node n is K + n (the model's inner node n)."""
    tree = run.model.tree
    if tree is None:
        tree_counts = run.dictionary.label_counts
        from playground.engine.huffman import HuffmanTree

        tree = HuffmanTree(np.asarray(tree_counts, dtype=np.float64))
    K = tree.n_leaves
    root = 2 * K - 2
    xs: dict[int, float] = {}
    depth: dict[int, int] = {root: 0}
    counter = [0]

    def visit(node: int) -> None:
        if node < K:
            xs[node] = float(counter[0])
            counter[0] += 1
            return
        for child in (tree.left[node], tree.right[node]):
            depth[int(child)] = depth[node] + 1
            visit(int(child))
        xs[node] = (xs[int(tree.left[node])] + xs[int(tree.right[node])]) / 2

    visit(root)
    nodes = [
        {
            "id": i,
            "x": xs[i],
            "depth": depth[i],
            "leaf": i < K,
            "name": run.labels[i] if i < K else f"n{i - K}",
            "count": float(tree.node_count[i]),
        }
        for i in range(2 * K - 1)
    ]
    edges = []
    for child in range(2 * K - 1):
        parent = int(tree.parent[child])
        if parent >= 0:
            code = 1 if int(tree.right[parent]) == child else 0
            edges.append({"parent": parent, "child": child, "code": code})
    return {"nodes": nodes, "edges": edges, "n_leaves": K}


# -- softmax against hierarchical softmax ---------------------------------------------------------------
@dataclass
class LossComparison:
    """The same settings trained with a softmax and with a hierarchical softmax."""

    softmax: FastTextRun
    hs: FastTextRun

    @classmethod
    def make(cls, split: Split, settings: Settings) -> LossComparison:
        return cls(
            FastTextRun(split, replace(settings, loss="softmax")),
            FastTextRun(split, replace(settings, loss="hierarchical_softmax")),
        )

    @property
    def done(self) -> bool:
        return self.softmax.done and self.hs.done

    def advance(self, budget_s: float = 0.1) -> None:
        for run in (self.softmax, self.hs):
            if not run.done:
                run.advance(budget_s / 2)

    def summary(self) -> dict:
        K = len(self.softmax.labels)
        tree = self.hs.model.tree
        test_counts = np.bincount(self.hs.test.labels, minlength=K).astype(float)
        lengths = tree.code_lengths()
        return {
            "n_labels": K,
            "softmax_nodes": K,
            "log2_k": float(np.log2(K)),
            "hs_nodes_mean": float((test_counts * lengths).sum() / max(test_counts.sum(), 1)),
            "hs_nodes_min": int(lengths.min()),
            "hs_nodes_max": int(lengths.max()),
            "softmax_acc": self.softmax.test_metrics()["accuracy"],
            "hs_acc": self.hs.test_metrics()["accuracy"],
            "softmax_s": self.softmax.seconds,
            "hs_s": self.hs.seconds,
        }


# -- collisions: accuracy against the bucket count --------------------------------------------------------
@dataclass
class Sweep:
    """Trains one run per bucket count (the other settings fixed) and records its test accuracy."""

    split: Split
    settings: Settings
    buckets: tuple[int, ...] = SWEEP_BUCKETS
    rows: list[dict] = field(default_factory=list)
    _run: FastTextRun | None = None

    @property
    def done(self) -> bool:
        return len(self.rows) == len(self.buckets)

    def advance(self, budget_s: float = 0.1) -> None:
        start = time.perf_counter()
        while not self.done and time.perf_counter() - start < budget_s:
            if self._run is None:
                bucket = self.buckets[len(self.rows)]
                self._run = FastTextRun(self.split, replace(self.settings, bucket=bucket))
            self._run.advance(budget_s - (time.perf_counter() - start))
            if self._run.done:
                run = self._run
                negated = negated_lines(self.split.test)
                self.rows.append(
                    {
                        "bucket": run.settings.bucket,
                        "test_acc": run.test_metrics()["accuracy"],
                        "negated_acc": run.accuracy_on(negated) if negated else None,
                        "collision_share": run.collision_share(),
                        "stored_rows": int(run.model.table.size),
                    }
                )
                self._run = None

    def run_all(self) -> Sweep:
        while not self.done:
            self.advance(10.0)
        return self


def negated_lines(lines: tuple[str, ...] | list[str]) -> list[str]:
    """The held-out lines with a negation ("not", 不) among their tokens."""
    out = []
    for line in lines:
        _labels, text = split_label_line(line)
        words = text.split()
        if "not" in words or "不" in words:
            out.append(line)
    return out


def settings_dict(s: Settings) -> dict:
    return asdict(s)
