"""The recurrent-network lab's logic (no Streamlit, no charts): a run that trains one recurrent model
live on a sequence task, what it shows per time step, and the side-by-side race of the cells.

* :class:`Setup` / :class:`Run` — task (character language model in English, in Chinese or on the
  learner's own uploaded text, memory task, adding problem, bracket matching), cell (vanilla RNN,
  the notes' simplified and full GRU, LSTM), layers, hidden size, sequence length, truncation
  length, the recurrent weights' initial scale, optimizer, learning rate and its decay, clipping
  threshold. ``Run.train(n)`` takes n optimizer steps with the engine's ``Trainer.train_batch``
  (clipping, the optimizers and the cosine schedule from the registries); the text task trains
  stateful layers on contiguous streams (truncated BPTT: the state is carried from one chunk to the
  next, the gradient stops at the chunk border, the state is forgotten after each pass) and is
  scored on its last 5 %, held out. :func:`default_setup` gives a task's defaults (TEXT_SETUP for
  text); :func:`upload_corpus` checks an uploaded file and builds its vocabulary, in memory.
* :meth:`Run.probe` — one forward/backward over a probe batch: ‖∂L_T/∂h⟨t⟩‖ for every t (only the
  last step's loss, so the fading over distance is visible), the connectivity ‖∂y_T/∂x⟨t⟩‖ (the
  predicted output at the last step against the input at every step), hidden/cell states and gates.
* :meth:`Run.sample` / :meth:`Run.next_char` — generated text with a temperature.
* :func:`step_equations` — one time step's equations with the model's real numbers.
* :func:`gradient_through_time` — the textbook experiment on a vanilla RNN (recurrent scale ×0.5 /
  ×1 / ×2, linear regime or saturating tanh).
* :class:`Race` — RNN, GRU and LSTM on the same memory-task batches, trained in lockstep; and
  :class:`LengthSweep`, accuracy against the distractor length.
* :func:`gradient_check` — numeric vs analytic gradients per parameter group of a small copy.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from playground.data import sequences as seqdata
from playground.engine import OPTIMIZERS, ModelSpec, Network, TrainConfig, TrainData, Trainer
from playground.engine.gradcheck import (
    analytic_gradients,
    network_loss_fn,
    numerical_gradient,
    relative_error,
)
from playground.engine.losses import log_softmax
from playground.errors import ConfigError
from playground.i18n import N_

CELLS: dict[str, str] = {
    "rnn": N_("Vanilla RNN"),
    "gru_simple": N_("Simplified GRU (update gate)"),
    "gru_full": N_("Full GRU (update + relevance gates)"),
    "lstm": "LSTM",
}
TASKS: dict[str, str] = {
    "text_en": N_("Character model: English (Shakespeare)"),
    "text_zh": N_("Character model: Chinese (Tang and Song poems)"),
    "text_upload": N_("Character model: your own text (upload)"),
    "memory": N_("Memory task: remember a symbol"),
    "adding": N_("Adding problem"),
    "brackets": N_("Bracket matching"),
}
TEXT_TASKS = ("text_en", "text_zh", "text_upload")
#: An uploaded text: at most this many bytes (and never more than the deployment's upload cap), at
#: least this many characters (so that 5 % is left for the held-out part at every truncation length).
#: 1 MB: the smallest per-widget limit Streamlit's uploader can state (whole megabytes), so the page's
#: label and the uploader's own "1MB per file" agree.
UPLOAD_MAX_BYTES = 1024 * 1024
UPLOAD_MIN_CHARS = 20_000
OPTIMIZER_NAMES = tuple(OPTIMIZERS)
#: The characters the Chinese model keeps (96 % of the text); the rest share one "unknown" id.
ZH_VOCAB = 1500
#: The gated cells start out keeping their memory: the LSTM's forget gate at σ(2) = 0.88 and the
#: notes' GRUs' update gate at σ(−1) = 0.27 (so c⟨t⟩ ≈ c⟨t−1⟩). With biases of 0 the full GRU stayed
#: at chance on the 30-distractor memory task for seeds 0 and 1, and with a forget bias of 1 the LSTM
#: stalled at 3 of 4 symbols (72 %) for seed 2 after 1 500 updates; with these all reach 100 % by 250.
LSTM_FORGET_BIAS = 2.0
#: Each character enters a text model as a learned vector of this size (the embedding).
TEXT_EMBED = 32
#: With a decay, the learning rate ends at lr / LR_FLOOR.
LR_FLOOR = 20.0
GRU_UPDATE_BIAS = -1.0
N_SYMBOLS = 4  # the memory task's symbols: chance is 1/4
LOG2 = math.log(2.0)
#: The distractor length where the memory-task test asserts the gap between the cells, and the
#: updates the race trains for (what the page's claim and the test are about).
GAP_DISTRACTORS = 30
RACE_UPDATES = 750
#: The held-out part of a text (its last 5 %) is read as this many parallel streams, each carrying
#: its state from chunk to chunk as in training and starting after one chunk of context (the text
#: before its part, not scored); all of it is scored, every TEXT_EVAL_EVERY updates.
VAL_STREAMS = 32
TEXT_EVAL_EVERY = 100


@dataclass(frozen=True)
class Setup:
    """What the learner chooses. ``seq_len``: the length of a synthetic task's sequences (the memory
    task's distractors are seq_len − 2); ``bptt``: the text task's truncation length (characters per
    chunk; the gradient flows back at most this far, the state further); ``decay``: the learning
    rate falls along a half cosine from ``lr`` to lr/20 over this many updates, then stays there
    (0: constant)."""

    task: str = "memory"
    cell: str = "lstm"
    layers: int = 1
    hidden: int = 32
    seq_len: int = 22
    bptt: int = 32
    recurrent_scale: float = 1.0
    optimizer: str = "adam"
    lr: float = 0.005
    clip: float = 1.0
    batch: int = 32
    seed: int = 0
    decay: int = 0

    def validate(self) -> None:
        if self.task not in TASKS:
            raise ConfigError("Unknown task {task!r}.", task=self.task)
        if self.cell not in CELLS:
            raise ConfigError("Unknown cell {cell!r}.", cell=self.cell)
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError("Unknown optimizer {name!r}.", name=self.optimizer)
        if not 1 <= self.layers <= 3:
            raise ConfigError("Between 1 and 3 recurrent layers, got {n}.", n=self.layers)
        if not 2 <= self.hidden <= 256:
            raise ConfigError("The hidden size must be 2 … 256, got {n}.", n=self.hidden)
        if not 4 <= self.seq_len <= 200:
            raise ConfigError("The sequence length must be 4 … 200, got {n}.", n=self.seq_len)
        if self.task == "brackets" and self.seq_len % 2:
            raise ConfigError("Bracket strings have an even length, got {n}.", n=self.seq_len)
        if not 4 <= self.bptt <= 200:
            raise ConfigError("The truncation length must be 4 … 200, got {n}.", n=self.bptt)
        if not 0.0 <= self.recurrent_scale <= 5.0:
            raise ConfigError("The recurrent scale must be 0 … 5, got {x}.", x=self.recurrent_scale)
        if not 0.0 <= self.clip <= 100.0:
            raise ConfigError("The clipping threshold must be 0 … 100 (0: off), got {x}.", x=self.clip)
        if not (1e-5 <= self.lr <= 10.0):
            raise ConfigError("The learning rate must be 1e-5 … 10, got {x}.", x=self.lr)
        if not 0 <= self.decay <= 100_000:
            raise ConfigError("The decay length must be 0 … 100000 updates, got {n}.", n=self.decay)
        if not 1 <= self.batch <= 512:
            raise ConfigError("The batch size must be 1 … 512, got {n}.", n=self.batch)

    @property
    def is_text(self) -> bool:
        return self.task in TEXT_TASKS

    @property
    def steps(self) -> int:
        """Time steps the network sees per example."""
        return self.bptt if self.is_text else self.seq_len


#: The character models' defaults, what a learner pressing Play on a text gets: an LSTM of 192 units
#: (characters as learned vectors of TEXT_EMBED) on 16 streams of 32-character chunks, Adam 0.01
#: falling along a cosine to 0.0005 over TEXT_UPDATES updates, clipping at 5. Chosen on the English
#: text's held-out bits, one seed per run (so ±0.02): at equal compute 192 units beat 128 (2.18
#: against 2.23, in PyTorch) and 128 beat 64 by a quarter bit; batches of 16 beat 8 and 32; the decay
#: is worth 0.1 bit against a constant 0.01 or 0.005; an embedding of 64 did no better than 32;
#: dropout of 0.1 and two layers of 96 did worse. tests/lessons/test_rnn_learnability.py asserts it
#: (< 2.2 bits after TEXT_UPDATES), ``benchmarks/rnn.py --text`` times it.
TEXT_UPDATES = 3000
TEXT_SETUP: dict[str, Any] = {
    "cell": "lstm",
    "hidden": 192,
    "bptt": 32,
    "lr": 0.01,
    "clip": 5.0,
    "batch": 16,
    "decay": TEXT_UPDATES,
}


def default_setup(task: str) -> Setup:
    """The setup a task starts from: the synthetic tasks' small model, or TEXT_SETUP for text."""
    return replace(Setup(task=task), **TEXT_SETUP) if task in TEXT_TASKS else Setup(task=task)


# -- the texts: shipped (loaded once per process) or uploaded (kept by the caller) ------------------
@dataclass(frozen=True)
class Corpus:
    """A character text ready to train on: its vocabulary and the text as ids."""

    vocab: seqdata.CharVocab
    ids: np.ndarray
    name: str = ""


_TEXTS: dict[str, Corpus] = {}


def text_data(lang: str) -> tuple[seqdata.CharVocab, np.ndarray]:
    """(vocabulary, ids) of the shipped text of ``lang``."""
    corpus = shipped_corpus(lang)
    return corpus.vocab, corpus.ids


def shipped_corpus(lang: str) -> Corpus:
    if lang not in _TEXTS:
        text = seqdata.load_text(lang)
        vocab = seqdata.CharVocab.build(text, ZH_VOCAB if lang == "zh" else 1000)
        _TEXTS[lang] = Corpus(vocab, vocab.encode(text), seqdata.TEXTS[lang])
    return _TEXTS[lang]


def upload_corpus(data: bytes, name: str = "", max_bytes: int = UPLOAD_MAX_BYTES) -> Corpus:
    """A learner's own text (the bytes of a UTF-8 file): its vocabulary of at most ZH_VOCAB
    characters (rarer ones share the "unknown" id), in memory only. A file that is too large, too
    small or not UTF-8 raises a :class:`DataError` that says which."""
    text = seqdata.read_text_upload(data, min(max_bytes, UPLOAD_MAX_BYTES), UPLOAD_MIN_CHARS)
    vocab = seqdata.CharVocab.build(text, ZH_VOCAB)
    return Corpus(vocab, vocab.encode(text), name)


def build_spec(
    setup: Setup, stateful: bool | None = None, steps: int | None = None, vocab_size: int | None = None
) -> ModelSpec:
    """The ModelSpec of a setup: [embedding →] recurrent × layers → (last step →) dense. A text
    task's model needs the size of its vocabulary (the shipped texts' is looked up)."""
    T = steps or setup.steps
    cell = {
        "type": setup.cell,
        "hidden": setup.hidden,
        "recurrent_scale": setup.recurrent_scale,
        "stateful": setup.is_text if stateful is None else stateful,
    }
    if setup.cell == "lstm":
        cell["forget_bias"] = LSTM_FORGET_BIAS
    elif setup.cell in ("gru_simple", "gru_full"):
        cell["update_bias"] = GRU_UPDATE_BIAS
    body = [{**cell, "name": f"r{i + 1}"} for i in range(setup.layers)]
    if setup.is_text:
        if vocab_size is None:
            if setup.task == "text_upload":
                raise ConfigError("Upload a text first.")
            vocab_size = shipped_corpus(setup.task[-2:]).vocab.size
        V = vocab_size
        emb = [{"type": "embedding", "name": "emb", "vocab": V, "dim": TEXT_EMBED}]
        return ModelSpec(
            input_shape=[T],
            layers=[*emb, *body, {"type": "dense", "name": "out", "units": V}],
            task="multiclass",
            n_classes=V,
            seed=setup.seed,
        )
    if setup.task == "adding":
        return ModelSpec(
            input_shape=[T, 2],
            layers=[*body, {"type": "last_step"}, {"type": "dense", "name": "out", "units": 1}],
            task="regression",
            seed=setup.seed,
        )
    V, K = (seqdata.memory_vocab(N_SYMBOLS), N_SYMBOLS) if setup.task == "memory" else (2, 2)
    emb = [{"type": "embedding", "name": "emb", "vocab": V, "dim": 8}]
    return ModelSpec(
        input_shape=[T],
        layers=[*emb, *body, {"type": "last_step"}, {"type": "dense", "name": "out", "units": K}],
        task="multiclass",
        n_classes=K,
        seed=setup.seed,
    )


def synthetic_batch(setup: Setup, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n examples of the setup's synthetic task, drawn from ``seed``."""
    if setup.task == "memory":
        return seqdata.memory_task(n, setup.seq_len - 2, n_symbols=N_SYMBOLS, seed=seed)
    if setup.task == "adding":
        return seqdata.adding_problem(n, setup.seq_len, seed=seed)
    return seqdata.bracket_matching(n, setup.seq_len, seed=seed)


def recurrent_layers(net: Network) -> list[Any]:
    return [layer for name, layer in net.named_layers() if name.startswith("r")]


@dataclass
class Probe:
    """What one probe pass measured (first example's sequence for the per-step views)."""

    tokens: list[str]  # the input at every step, as text
    grad_norms: list[np.ndarray]  # per recurrent layer: ‖∂L_T/∂h⟨t⟩‖, (T,)
    connectivity: np.ndarray  # ‖∂y_T/∂x⟨t⟩‖ at the first recurrent layer's input, (T,)
    states: list[np.ndarray]  # per layer: h⟨t⟩ of the first example, (T, H)
    cells: list[np.ndarray | None]  # per layer: the LSTM's c⟨t⟩, (T, H)
    gates: list[dict[str, np.ndarray]]  # per layer: gate name → (T, H)


class Run:
    """One model trained on one task; ``history`` holds one record per evaluation."""

    EVAL_EVERY = 25

    def __init__(self, setup: Setup, corpus: Corpus | None = None):
        """``corpus``: the text of a text task (the shipped one of ``text_en``/``text_zh`` when not
        given; ``text_upload`` needs it)."""
        setup.validate()
        self.setup = s = setup
        self.corpus = self.vocab = None
        if s.is_text:
            if corpus is None:
                if s.task == "text_upload":
                    raise ConfigError("Upload a text first.")
                corpus = shipped_corpus(s.task[-2:])
            self.corpus, self.vocab = corpus, corpus.vocab
        self.spec = self._spec()
        self.net = Network(self.spec)
        self.updates = 0
        self.passes = 0
        self.history: list[dict[str, float]] = []
        self._train_losses: list[float] = []
        self.eval_every = TEXT_EVAL_EVERY if s.is_text else self.EVAL_EVERY
        if s.is_text:
            ids = self.corpus.ids
            cut = int(len(ids) * 0.95)
            self.train_ids, self.val_ids = ids[:cut], ids[cut:]
            self.X, self.Y = seqdata.stream_batches(self.train_ids, s.batch, s.bptt)
            self.n_batches = len(self.X) // s.batch
            self.val_streams = max(1, min(VAL_STREAMS, (len(self.val_ids) - 1) // s.bptt))
            self.val = seqdata.held_out_streams(ids, cut, self.val_streams, s.bptt)
            first = (self.X[: s.batch], self.Y[: s.batch])
        else:
            self.val = synthetic_batch(s, 512, seed=1_000_003 + s.seed)
            first = self.val
        # The Trainer takes the steps (optimizer from the registry, clipping, divergence); the
        # batches come from here, in the order the task needs (contiguous streams for text).
        self.trainer = Trainer(self.net, TrainData(*first), self._config())
        self.net.reset_state()
        self.eval_net = Network(self._spec(stateful=s.is_text))
        self.probe_net = Network(self._spec(stateful=False))
        for layer in recurrent_layers(self.probe_net):
            layer.record = True
        self.evaluate()

    def _spec(self, **kwargs: Any) -> ModelSpec:
        return build_spec(self.setup, vocab_size=None if self.vocab is None else self.vocab.size, **kwargs)

    def _config(self) -> TrainConfig:
        s = self.setup
        decay = {"schedule": "cosine", "schedule_params": {"t_max": s.decay, "lr_min": s.lr / LR_FLOOR}}
        return TrainConfig(
            optimizer=s.optimizer,
            learning_rate=s.lr,
            batch_size=s.batch,
            clip_norm=s.clip,
            shuffle=False,
            seed=s.seed,
            **(decay if s.decay else {}),
        )

    @property
    def lr_now(self) -> float:
        """The learning rate of the next update: the trainer's schedule stepped once per update
        (as a torch scheduler stepped after every batch), held at its floor after ``decay``."""
        return float(self.trainer.lr_at(min(self.updates, self.setup.decay)))

    def retune(self, optimizer: str, lr: float, clip: float, decay: int | None = None) -> None:
        """Change the optimizer, learning rate, clipping or decay on the fly (the weights are kept)."""
        decay = self.setup.decay if decay is None else int(decay)
        self.setup = replace(self.setup, optimizer=optimizer, lr=lr, clip=clip, decay=decay)
        self.setup.validate()
        self.trainer.set_config(self._config())

    @property
    def diverged(self) -> bool:
        return self.trainer.status == "diverged"

    # -- training -----------------------------------------------------------------------------
    def _batch(self) -> tuple[np.ndarray, np.ndarray]:
        s = self.setup
        if s.is_text:
            k = self.updates % self.n_batches
            if k == 0:
                self.net.reset_state()  # a new pass over the text: forget the carried state
                self.passes += self.updates > 0
            rows = slice(k * s.batch, (k + 1) * s.batch)
            return self.X[rows], self.Y[rows]
        return synthetic_batch(s, s.batch, seed=s.seed * 1_000_003 + self.updates + 1)

    def train(self, n: int, budget_s: float | None = None) -> int:
        """Up to n optimizer steps (fewer if ``budget_s`` seconds pass); evaluates every
        ``eval_every`` steps (EVAL_EVERY; TEXT_EVAL_EVERY for text). Returns the steps taken."""
        start = time.perf_counter()
        done = 0
        while done < n and not self.diverged:
            x, y = self._batch()
            self.trainer.optimizer.lr = self.lr_now
            loss = self.trainer.train_batch(x, self.net.loss.targets(y))
            self.updates += 1
            done += 1
            if math.isfinite(loss):
                self._train_losses.append(loss)
            if self.updates % self.eval_every == 0:
                self.evaluate()
            if budget_s is not None and time.perf_counter() - start > budget_s:
                break
        return done

    def _copy_weights(self, net: Network) -> None:
        net.params.values[...] = self.net.params.values

    def evaluate(self) -> dict[str, float]:
        """The validation metric now: bits per character (text), accuracy (memory, brackets) or
        mean squared error (adding); plus the mean training loss since the last record."""
        s, net = self.setup, self.eval_net
        self._copy_weights(net)
        net.reset_state()
        X, y = self.val
        rec: dict[str, float] = {"update": self.updates}
        if s.is_text:  # the streams side by side, chunk after chunk: the state carries across
            B, total = self.val_streams, 0.0
            net.forward(X[:B], False)  # each stream's context: read, not scored
            for k in range(1, len(X) // B):
                out = net.forward(X[k * B : (k + 1) * B], False)
                total += net.loss.forward(out, y[k * B : (k + 1) * B])
            rec["val_loss"] = total / (len(X) // B - 1)
            rec["bits_per_char"] = rec["val_loss"] / LOG2
        else:
            loss, acc = net.evaluate(X, net.loss.targets(y))
            rec["val_loss"] = float(loss)
            if acc is not None:
                rec["accuracy"] = float(acc)
        if self._train_losses:
            rec["train_loss"] = float(np.mean(self._train_losses))
            if s.is_text:
                rec["train_bits"] = rec["train_loss"] / LOG2
            self._train_losses = []
        self.history.append(rec)
        return rec

    @property
    def metric(self) -> tuple[str, float]:
        """(name, value) of the headline metric of the latest record."""
        last = self.history[-1]
        for key in ("bits_per_char", "accuracy", "val_loss"):
            if key in last:
                return key, last[key]
        return "val_loss", float("nan")

    # -- looking inside ----------------------------------------------------------------------------
    def probe_batch(self, n: int = 16) -> tuple[np.ndarray, np.ndarray]:
        X, y = self.val
        first = self.val_streams if self.setup.is_text else 0  # text: past the context chunk
        return X[first : first + n], y[first : first + n]

    def token_text(self, x: np.ndarray) -> list[str]:
        s = self.setup
        if s.is_text:
            return [self.vocab.chars[int(i)] for i in x]
        if s.task == "memory":
            names = [chr(ord("A") + i) for i in range(N_SYMBOLS)]
            names += [str(i) for i in range(1, seqdata.memory_vocab(N_SYMBOLS) - N_SYMBOLS)] + ["?"]
            return [names[int(i)] for i in x]
        if s.task == "brackets":
            return [seqdata.BRACKETS[int(i)] for i in x]
        return [f"{v:.2f}" + ("*" if m else "") for v, m in x]

    def probe(self, n: int = 16) -> Probe:
        """Forward and backward over n validation sequences from a zero state: the last step's loss
        alone is back-propagated (for ‖∂L_T/∂h⟨t⟩‖), then the top output at the last step (for the
        connectivity ‖∂y_T/∂x⟨t⟩‖)."""
        net = self.probe_net
        self._copy_weights(net)
        X, y = self.probe_batch(n)
        layers = recurrent_layers(net)
        out = net.forward(X, True)
        # 1) the last step's loss only
        net.zero_grad()
        up = self._last_step_loss_grad(out, y)
        net.backward(up, input_grad=False)
        grad_norms = [layer.grad_norms.copy() for layer in layers]
        # 2) the predicted output at the last step: ∂y_T[ĉ]/∂x⟨t⟩ per example
        net.zero_grad()
        up = np.zeros_like(out)
        last = out[:, -1] if out.ndim == 3 else out
        top = np.zeros_like(last)
        top[np.arange(len(last)), np.argmax(last, axis=-1)] = 1.0
        if out.ndim == 3:
            up[:, -1] = top
        else:
            up[...] = top
        net.forward(X, True)
        net.backward(up, input_grad=False)
        conn = layers[0].input_grad_norms.copy()
        return Probe(
            tokens=self.token_text(X[0]),
            grad_norms=grad_norms,
            connectivity=conn,
            states=[layer.states[0].copy() for layer in layers],
            cells=[layer.cells[0].copy() if layer.has_cell else None for layer in layers],
            gates=[{k: v[0].copy() for k, v in layer.gates.items()} for layer in layers],
        )

    def _last_step_loss_grad(self, out: np.ndarray, y: np.ndarray) -> np.ndarray:
        loss = self.probe_net.loss
        if out.ndim == 3:  # per-step outputs (text): only step T's cross-entropy
            t = np.full(y.shape, -100)
            t[:, -1] = y[:, -1]
            loss.forward(out, t)
        else:
            loss.forward(out, loss.targets(y))
        return loss.backward()

    # -- text ------------------------------------------------------------------------------------
    def next_char(self, context: str, temperature: float = 1.0) -> tuple[list[str], np.ndarray]:
        """The model's distribution of the next character after ``context``, with a temperature:
        softmax(z / τ). Returns (characters, probabilities) over the vocabulary."""
        if not self.setup.is_text:
            raise ConfigError("Only the character models predict characters.")
        _gen, z = self._feed(self.vocab.encode(context))
        return list(self.vocab.chars), softmax_temperature(z, temperature)

    def _feed(self, ids: np.ndarray) -> tuple[Network, np.ndarray]:
        """A one-step stateful copy of the model fed ``ids`` one by one (h and c carried from
        character to character); returns it and the logits after the last id."""
        gen = Network(self._spec(stateful=True, steps=1))
        self._copy_weights(gen)
        gen.reset_state()
        ids = list(ids) or [int(self.val_ids[0])]
        for i in ids:
            z = gen.forward(np.array([[int(i)]]), False)[0, -1]
        return gen, z

    def sample(self, length: int = 200, temperature: float = 1.0, seed: int = 0, prime: str = "") -> str:
        """``length`` characters drawn one at a time from softmax(z/τ), each fed back as the next
        input."""
        if not self.setup.is_text:
            raise ConfigError("Only the character models generate text.")
        gen, z = self._feed(self.vocab.encode(prime))
        rng = np.random.default_rng(seed)
        out = []
        for _i in range(length):
            cur = int(rng.choice(len(z), p=softmax_temperature(z, temperature)))
            out.append(cur)
            z = gen.forward(np.array([[cur]]), False)[0, -1]
        return self.vocab.decode(out)


def softmax_temperature(z: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(z/τ); τ → 0 puts everything on the top logit, τ > 1 flattens."""
    tau = max(float(temperature), 1e-3)
    return np.exp(log_softmax(np.asarray(z, dtype=np.float64) / tau))


# -- a time step's equations with numbers ---------------------------------------------------------
EQUATIONS: dict[str, list[tuple[str, str]]] = {
    "rnn": [
        ("h", r"h^{\langle t\rangle} = \tanh(W_x x^{\langle t\rangle} + W_h h^{\langle t-1\rangle} + b)")
    ],
    "gru_simple": [
        ("update", r"\Gamma_u = \sigma(W_{xu} x^{\langle t\rangle} + W_{hu} c^{\langle t-1\rangle} + b_u)"),
        ("candidate", r"\tilde c = \tanh(W_{xc} x^{\langle t\rangle} + W_{hc} c^{\langle t-1\rangle} + b_c)"),
        ("h", r"c^{\langle t\rangle} = \Gamma_u \tilde c + (1-\Gamma_u) c^{\langle t-1\rangle}"),
    ],
    "gru_full": [
        ("update", r"\Gamma_u = \sigma(W_{xu} x^{\langle t\rangle} + W_{hu} c^{\langle t-1\rangle} + b_u)"),
        (
            "relevance",
            r"\Gamma_r = \sigma(W_{xr} x^{\langle t\rangle} + W_{hr} c^{\langle t-1\rangle} + b_r)",
        ),
        (
            "candidate",
            r"\tilde c = \tanh(W_{xc} x^{\langle t\rangle} + W_{hc} (\Gamma_r c^{\langle t-1\rangle}) + b_c)",
        ),
        ("h", r"c^{\langle t\rangle} = \Gamma_u \tilde c + (1-\Gamma_u) c^{\langle t-1\rangle}"),
    ],
    "lstm": [
        ("input", r"i = \sigma(W_{xi} x^{\langle t\rangle} + W_{hi} h^{\langle t-1\rangle} + b_i)"),
        ("forget", r"f = \sigma(W_{xf} x^{\langle t\rangle} + W_{hf} h^{\langle t-1\rangle} + b_f)"),
        ("candidate", r"g = \tanh(W_{xg} x^{\langle t\rangle} + W_{hg} h^{\langle t-1\rangle} + b_g)"),
        ("output", r"o = \sigma(W_{xo} x^{\langle t\rangle} + W_{ho} h^{\langle t-1\rangle} + b_o)"),
        ("c", r"c^{\langle t\rangle} = f\,c^{\langle t-1\rangle} + i\,g"),
        ("h", r"h^{\langle t\rangle} = o \tanh(c^{\langle t\rangle})"),
    ],
}


def step_equations(cell: str, probe: Probe, t: int, units: int = 4, layer: int = 0) -> list[dict[str, Any]]:
    """The equations of step t of ``layer`` for the first ``units`` units, each with its values:
    rows {"name", "latex", "values": (units,), "check": text with the numbers plugged in}.
    The numbers are the model's own (the probe's first sequence)."""
    H = probe.states[layer].shape[1]
    u = slice(0, min(units, H))
    h = probe.states[layer]
    h_prev = h[t - 1] if t > 0 else np.zeros(H)
    g = probe.gates[layer]
    rows = []
    for name, latex in EQUATIONS[cell]:
        if name == "h":
            values = h[t]
        elif name == "c":
            values = probe.cells[layer][t]
        else:
            values = g[name][t]
        rows.append({"name": name, "latex": latex, "values": values[u]})
    # the last equation recomputed from the recorded gates: the numbers really compose
    if cell == "lstm":
        c = probe.cells[layer]
        c_prev = c[t - 1] if t > 0 else np.zeros(H)
        recomputed = g["forget"][t] * c_prev + g["input"][t] * g["candidate"][t]
        parts = (g["forget"][t][u], c_prev[u], g["input"][t][u], g["candidate"][t][u])
        plug = [f"{f:.3f}·{cp:.3f} + {i:.3f}·{gg:.3f}" for f, cp, i, gg in zip(*parts, strict=True)]
        rows[-2]["plugged"] = plug
        rows[-2]["recomputed"] = recomputed[u]
        rows[-1]["recomputed"] = (g["output"][t] * np.tanh(c[t]))[u]
    elif cell in ("gru_simple", "gru_full"):
        recomputed = g["update"][t] * g["candidate"][t] + (1 - g["update"][t]) * h_prev
        parts = (g["update"][t][u], g["candidate"][t][u], g["update"][t][u], h_prev[u])
        plug = [f"{a:.3f}·{b:.3f} + (1 − {c:.3f})·{d:.3f}" for a, b, c, d in zip(*parts, strict=True)]
        rows[-1]["plugged"] = plug
        rows[-1]["recomputed"] = recomputed[u]
    else:
        rows[-1]["recomputed"] = h[t][u]
    return rows


# -- the textbook experiment: gradients through time in a vanilla RNN ---------------------------------
def gradient_through_time(
    scale: float, input_scale: float = 1e-3, steps: int = 20, hidden: int = 16, seed: int = 0
) -> np.ndarray:
    """‖∂L_T/∂h⟨t⟩‖ / ‖∂L_T/∂h⟨T⟩‖ for t = 1 … T in a vanilla tanh RNN whose recurrent weights are
    ``scale`` × an orthogonal matrix (so ‖h·Wh‖ = scale·‖h‖), with inputs of size ``input_scale``:
    small inputs keep tanh in its linear part (the product of T Jacobians is scale^(T−t)); large
    inputs saturate tanh (tanh′ ≈ 0 cuts the gradient, whatever the scale)."""
    spec = ModelSpec(
        input_shape=[steps, 4],
        layers=[
            {"type": "rnn", "name": "r1", "hidden": hidden, "recurrent_scale": scale},
            {"type": "last_step"},
            {"type": "dense", "name": "out", "units": 1},
        ],
        task="regression",
        seed=seed,
    )
    net = Network(spec)
    layer = recurrent_layers(net)[0]
    layer.record = True
    rng = np.random.default_rng(seed + 1)
    x = rng.normal(size=(8, steps, 4)) * input_scale
    out = net.forward(x, True)
    net.zero_grad()
    net.loss.forward(out, net.loss.targets(rng.normal(size=8)))
    net.backward(net.loss.backward(), input_grad=False)
    norms = layer.grad_norms
    return norms / norms[-1]


# -- the cells side by side -------------------------------------------------------------------------
RACE_CELLS = ("rnn", "gru_full", "lstm")


@dataclass
class Race:
    """RNN, full GRU and LSTM trained together on the same memory-task batches (lockstep)."""

    seq_len: int = GAP_DISTRACTORS + 2
    hidden: int = 32
    lr: float = 0.005
    seed: int = 0
    cells: tuple[str, ...] = RACE_CELLS
    runs: dict[str, Run] = field(default_factory=dict)

    def __post_init__(self):
        for cell in self.cells:
            self.runs[cell] = Run(
                Setup(
                    task="memory",
                    cell=cell,
                    hidden=self.hidden,
                    seq_len=self.seq_len,
                    lr=self.lr,
                    seed=self.seed,
                )
            )

    @property
    def updates(self) -> int:
        return min(r.updates for r in self.runs.values())

    def train(self, n: int, budget_s: float | None = None) -> None:
        """n steps of every cell, one step each in turn (the same batch for all: same seed)."""
        start = time.perf_counter()
        for _i in range(n):
            for run in self.runs.values():
                run.train(1)
            if budget_s is not None and time.perf_counter() - start > budget_s:
                break

    def curves(self) -> list[dict[str, Any]]:
        return [
            {"cell": cell, "update": rec["update"], "accuracy": rec["accuracy"]}
            for cell, run in self.runs.items()
            for rec in run.history
        ]


@dataclass
class LengthSweep:
    """Accuracy against the distractor length: every cell trained ``updates`` steps at each length,
    job after job (the live loop advances it)."""

    lengths: tuple[int, ...] = (5, 10, 20, 30)
    updates: int = 1000
    hidden: int = 32
    lr: float = 0.005
    seed: int = 0
    cells: tuple[str, ...] = RACE_CELLS
    results: list[dict[str, Any]] = field(default_factory=list)
    _current: Run | None = None
    _job: int = 0

    @property
    def jobs(self) -> list[tuple[str, int]]:
        return [(cell, n) for n in self.lengths for cell in self.cells]

    @property
    def done(self) -> bool:
        return self._job >= len(self.jobs)

    @property
    def progress(self) -> float:
        part = self._current.updates / self.updates if self._current else 0.0
        return min(1.0, (self._job + part) / len(self.jobs))

    def advance(self, budget_s: float) -> None:
        start = time.perf_counter()
        while not self.done and time.perf_counter() - start < budget_s:
            cell, n = self.jobs[self._job]
            if self._current is None:
                setup = Setup(
                    task="memory", cell=cell, hidden=self.hidden, seq_len=n + 2, lr=self.lr, seed=self.seed
                )
                self._current = Run(setup)
            run = self._current
            run.train(self.updates - run.updates, budget_s=max(0.0, budget_s - (time.perf_counter() - start)))
            if run.updates >= self.updates:
                acc = run.evaluate()["accuracy"]
                self.results.append({"cell": cell, "distractors": n, "accuracy": acc})
                self._current, self._job = None, self._job + 1


# -- gradient check ---------------------------------------------------------------------------------
def gradient_check(cell: str, layers: int = 1, seed: int = 0) -> list[dict[str, Any]]:
    """Central differences vs backprop for every parameter group of a small copy of the cell
    (hidden 4, 6 steps, 3 sequences of the memory task): [{"param", "shape", "rel_error"}], the
    relative error ‖a − n‖ / (‖a‖ + ‖n‖) over the group."""
    setup = Setup(task="memory", cell=cell, layers=layers, hidden=4, seq_len=6, seed=seed)
    net = Network(build_spec(setup))
    rng = np.random.default_rng(seed + 3)
    net.params.values[...] += rng.normal(size=net.params.values.shape) * 0.3  # no parameter exactly 0
    X, y = synthetic_batch(setup, 3, seed=seed + 7)
    f = network_loss_fn(net, X, y)
    analytic = analytic_gradients(net, X, y, loss_fn=f)
    rows = []
    for name, p in net.params.params.items():
        numeric = numerical_gradient(f, p.value)
        rows.append(
            {
                "param": name,
                "shape": tuple(p.value.shape),
                "rel_error": relative_error(analytic[name], numeric),
            }
        )
    return rows
