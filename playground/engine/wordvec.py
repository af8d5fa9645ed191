"""word2vec and GloVe on the engine's tables: output heads, the noise distribution, the models.

**Heads** turn hidden vectors H (B, D) — a centre word's vector (skip-gram) or the mean of its
context's vectors (CBOW) — and target ids (B,) into a loss (the mean over the batch), and back:
``loss(H, targets)`` then ``backward() -> dL/dH`` accumulating dL/d(output table) into the table's
gradient (only the rows used; they are reported to the parameter set, so the optimizers' row-sparse
path applies). Three heads, one interface:

* :class:`SoftmaxHead` — ``p = softmax(H·Uᵀ)`` over all V words, ``L = −log p[target]``: V dot
  products per example.
* :class:`NegativeSamplingHead` — ``L = −log σ(h·u_pos) − Σₖ log σ(−h·u_negₖ)`` with k negatives
  drawn from :class:`NoiseDistribution` (P(w) ∝ count(w)^α; a draw equal to the target is skipped,
  contributing nothing, as word2vec.c does): k + 1 dot products. Its gradient is that of a *sampled*
  objective; :meth:`NegativeSamplingHead.expected_loss` is the objective it estimates without bias.
* :class:`HierarchicalSoftmaxHead` — ``L = −Σ_{n on the path} log σ(±h·vₙ)`` over a
  :class:`~playground.engine.huffman.HuffmanTree`: ⌈log₂V⌉-ish dot products; the output table holds
  V − 1 inner-node vectors, not words.

:class:`Word2Vec` puts an input table (``Embedding`` for skip-gram, ``EmbeddingBag`` for CBOW) and
a head on one :class:`~playground.engine.params.ParamSet` trained by any registered optimizer.
:class:`GloVe` fits ``w_i·w̃_j + b_i + b̃_j ≈ log X_ij`` by weighted least squares with AdaGrad.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from playground.engine.embedding import Embedding, EmbeddingBag
from playground.engine.huffman import HuffmanTree
from playground.engine.optimizers import make_optimizer
from playground.engine.params import ParamSet
from playground.errors import ConfigError


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    """log σ(x) = −log(1 + e^(−x)), stable for large |x|."""
    return -np.logaddexp(0.0, -x)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return np.exp(log_sigmoid(x))


class _Head:
    """An output head over a table ``U`` (rows, D) held in a parameter set under ``name``."""

    def __init__(self, params: ParamSet, name: str):
        self.params, self.name = params, name
        self.U, self.dU = params[name].value, params[name].grad
        self.row_sparse = name in params.row_sparse

    def _scatter(self, rows: np.ndarray, grads: np.ndarray) -> None:
        rows = rows.ravel()
        np.add.at(self.dU, rows, grads.reshape(len(rows), -1))
        if self.row_sparse:
            self.params.touch_rows(self.name, rows)


class SoftmaxHead(_Head):
    """Full softmax over the vocabulary: ``L = mean_b −log softmax(H·Uᵀ)[target]``.

    Backward: ``dz = (p − onehot)/B``, ``dU = dzᵀ·H`` (every row), ``dH = dz·U``.
    """

    def logits(self, H: np.ndarray) -> np.ndarray:
        return H @ self.U.T

    def probabilities(self, H: np.ndarray) -> np.ndarray:
        z = self.logits(H)
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def loss(self, H: np.ndarray, targets: np.ndarray) -> float:
        p = self.probabilities(H)
        B = len(targets)
        self._H, self._p, self._t = H, p, targets
        return float(-np.log(np.maximum(p[np.arange(B), targets], 1e-300)).mean())

    def backward(self) -> np.ndarray:
        dz = self._p.copy()
        dz[np.arange(len(self._t)), self._t] -= 1.0
        dz /= len(self._t)
        self.dU += dz.T @ self._H
        if self.row_sparse:
            self.params.touch_rows(self.name, np.arange(len(self.U)))
        return dz @ self.U

    def ops_per_example(self) -> int:
        return len(self.U)


class NoiseDistribution:
    """P(w) ∝ count(w)^α (Mikolov et al. 2013: α = 0.75; α = 0 is uniform, 1 the unigram
    frequencies). Draws with a seeded generator by inverse CDF (word2vec.c fills a 10⁸-entry table
    with the same proportions)."""

    def __init__(self, counts: np.ndarray, alpha: float = 0.75):
        counts = np.asarray(counts, dtype=np.float64)
        if counts.ndim != 1 or len(counts) < 1 or np.any(counts < 0) or counts.sum() <= 0:
            raise ConfigError("The noise distribution needs non-negative counts with a positive sum.")
        if not 0.0 <= alpha <= 2.0:
            raise ConfigError("The noise exponent α must be in [0, 2], got {alpha}.", alpha=alpha)
        self.alpha = float(alpha)
        weights = np.where(counts > 0, counts, 0.0) ** self.alpha
        weights[counts == 0] = 0.0
        self.probs = weights / weights.sum()
        self._cdf = np.cumsum(self.probs)
        self._cdf[-1] = 1.0

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        return np.searchsorted(self._cdf, rng.random(shape), side="right").astype(np.intp)


class NegativeSamplingHead(_Head):
    """Negative sampling (Mikolov et al. 2013): per example
    ``ℓ = −log σ(h·u_pos) − Σₖ [negₖ ≠ pos]·log σ(−h·u_negₖ)``, negatives drawn from ``noise``
    with ``rng`` (or given, for a test or a replay); the loss is the batch mean.

    Backward: ``dh = (σ(s_pos) − 1)·u_pos + Σₖ σ(s_negₖ)·u_negₖ``, ``du_pos = (σ(s_pos) − 1)·h``,
    ``du_negₖ = σ(s_negₖ)·h`` (all / B). ``last`` keeps the draws and their σ scores.
    """

    def __init__(
        self, params: ParamSet, name: str, noise: NoiseDistribution, k: int, rng: np.random.Generator
    ):
        super().__init__(params, name)
        if int(k) < 1:
            raise ConfigError("Negative sampling needs at least one negative, got k = {k}.", k=k)
        self.noise, self.k, self.rng = noise, int(k), rng

    def loss(self, H: np.ndarray, targets: np.ndarray, negatives: np.ndarray | None = None) -> float:
        B = len(targets)
        if negatives is None:
            negatives = self.noise.sample(self.rng, (B, self.k))
        rows = np.concatenate([targets[:, None], negatives], axis=1)  # (B, 1 + k)
        sign = np.ones(rows.shape)
        sign[:, 1:] = -1.0
        use = np.ones(rows.shape)
        use[:, 1:] = negatives != targets[:, None]  # a draw of the target itself is skipped
        U_rows = self.U[rows]  # (B, 1 + k, D)
        s = np.einsum("bd,bkd->bk", H, U_rows)
        self._H, self._rows, self._Ur, self._sign, self._use, self._s = H, rows, U_rows, sign, use, s
        self.last = {"targets": targets, "negatives": negatives, "scores": sigmoid(s)}
        return float(-(use * log_sigmoid(sign * s)).sum() / B)

    def backward(self) -> np.ndarray:
        B = len(self._rows)
        # d/ds of −log σ(sign·s) = −sign·σ(−sign·s)
        ds = -self._sign * sigmoid(-self._sign * self._s) * self._use / B
        self._scatter(self._rows, ds[:, :, None] * self._H[:, None, :])
        return np.einsum("bk,bkd->bd", ds, self._Ur)

    def expected_loss(self, H: np.ndarray, targets: np.ndarray) -> float:
        """E over the noise draws of :meth:`loss`:
        ``mean_b [−log σ(h·u_pos) − k·Σ_{w≠pos} P(w)·log σ(−h·u_w)]`` — what the sampled gradient
        estimates without bias (it is not the softmax objective)."""
        s = H @ self.U.T  # (B, V)
        B = len(targets)
        pos = s[np.arange(B), targets]
        neg = log_sigmoid(-s) * self.noise.probs
        neg[np.arange(B), targets] = 0.0
        return float((-log_sigmoid(pos) - self.k * neg.sum(axis=1)).mean())

    def ops_per_example(self) -> int:
        return self.k + 1


class HierarchicalSoftmaxHead(_Head):
    """Hierarchical softmax (Morin & Bengio 2005; word2vec, fastText): per example
    ``ℓ = −Σ_{n on target's path} log σ(cₙ·h·vₙ)`` with cₙ = +1 for code 1 and −1 for code 0
    (:mod:`playground.engine.huffman`); ``U`` holds the V − 1 inner-node vectors.

    Backward: ``dh = Σₙ −cₙ·σ(−cₙ·sₙ)·vₙ``, ``dvₙ = −cₙ·σ(−cₙ·sₙ)·h`` (all / B).
    """

    def __init__(self, params: ParamSet, name: str, tree: HuffmanTree):
        super().__init__(params, name)
        if len(self.U) != tree.n_inner:
            raise ConfigError(
                "The tree has {tree_n_inner} inner nodes but the table {n_U} rows.",
                tree_n_inner=tree.n_inner,
                n_U=len(self.U),
            )
        self.tree = tree
        self._sign = np.where(tree.padded_codes == 1, 1.0, -1.0)

    def loss(self, H: np.ndarray, targets: np.ndarray) -> float:
        tree = self.tree
        nodes, mask, sign = tree.padded_paths[targets], tree.mask[targets], self._sign[targets]  # (B, L)
        V_rows = self.U[nodes]  # (B, L, D)
        s = np.einsum("bd,bld->bl", H, V_rows)
        self._H, self._nodes, self._mask = H, nodes, mask
        self._Vr, self._s, self._sgn = V_rows, s, sign
        return float(-(mask * log_sigmoid(sign * s)).sum() / len(targets))

    def backward(self) -> np.ndarray:
        B = len(self._nodes)
        ds = -self._sgn * sigmoid(-self._sgn * self._s) * self._mask / B
        m = self._mask
        self._scatter(self._nodes[m], (ds[:, :, None] * self._H[:, None, :])[m])
        return np.einsum("bl,bld->bd", ds, self._Vr)

    def probabilities(self, H: np.ndarray) -> np.ndarray:
        """P(leaf | h) for every leaf, (B, V): the product of σ(cₙ·h·vₙ) along each leaf's path."""
        tree = self.tree
        s = H @ self.U.T  # (B, V−1)
        logp = log_sigmoid(self._sign[None] * s[:, tree.padded_paths]) * tree.mask[None]
        return np.exp(logp.sum(axis=2))

    def ops_per_example(self, target: int | None = None) -> float:
        tree = self.tree
        return float(tree.code_lengths()[target]) if target is not None else tree.expected_code_length()


class OneVsAllHead(_Head):
    """One-vs-all (fastText's ``-loss ova``): an independent logistic output per row,
    ``ℓ = −Σᵢ log σ(cᵢ·h·uᵢ)`` with cᵢ = +1 for the target and −1 for every other label; the
    probabilities σ(h·uᵢ) need not sum to 1.

    Backward: ``dsᵢ = −cᵢ·σ(−cᵢ·sᵢ)/B``, ``dU = dsᵀ·H``, ``dH = ds·U``.
    """

    def loss(self, H: np.ndarray, targets: np.ndarray) -> float:
        s = H @ self.U.T
        c = -np.ones_like(s)
        c[np.arange(len(targets)), targets] = 1.0
        self._H, self._s, self._c = H, s, c
        return float(-log_sigmoid(c * s).sum() / len(targets))

    def backward(self) -> np.ndarray:
        ds = -self._c * sigmoid(-self._c * self._s) / len(self._s)
        self.dU += ds.T @ self._H
        if self.row_sparse:
            self.params.touch_rows(self.name, np.arange(len(self.U)))
        return ds @ self.U

    def probabilities(self, H: np.ndarray) -> np.ndarray:
        return sigmoid(H @ self.U.T)

    def ops_per_example(self) -> int:
        return len(self.U)


OBJECTIVES = ("softmax", "hierarchical_softmax", "negative_sampling")
MODELS = ("skipgram", "cbow")


class Word2Vec:
    """Skip-gram or CBOW with a softmax, hierarchical-softmax or negative-sampling head.

    Parameters: ``in.W`` (V, D), the input vectors W (word2vec's syn0, initialized
    uniform(−0.5/D, 0.5/D) as word2vec.c), and ``out.W``, the output vectors W′ (V, D; for
    hierarchical softmax V − 1 inner-node vectors; zeros initially, as word2vec.c). Both are
    row-sparse, so with SGD or AdaGrad a step touches only the rows used. ``step(inputs,
    targets)``: skip-gram takes centre ids (B,) and context ids (B,); CBOW padded context bags
    (B, 2·window) with −1 as padding, and centre ids (B,). The loss is the batch mean.
    """

    def __init__(
        self,
        counts: np.ndarray,
        dim: int = 50,
        model: str = "skipgram",
        objective: str = "negative_sampling",
        negatives: int = 5,
        alpha: float = 0.75,
        optimizer: str = "sgd",
        lr: float = 0.5,
        optimizer_params: dict | None = None,
        lazy: bool = False,
        seed: int = 0,
    ):
        if model not in MODELS:
            raise ConfigError(
                "Unknown model {model!r}; choose one of {choices}.", model=model, choices=", ".join(MODELS)
            )
        if objective not in OBJECTIVES:
            raise ConfigError(
                "Unknown objective {objective!r}; choose one of {choices}.",
                objective=objective,
                choices=", ".join(OBJECTIVES),
            )
        self.counts = np.asarray(counts, dtype=np.float64)
        V, D = len(self.counts), int(dim)
        self.model, self.objective, self.V, self.dim = model, objective, V, D
        self.tree = HuffmanTree(self.counts) if objective == "hierarchical_softmax" else None
        out_rows = V - 1 if self.tree is not None else V
        layer_cls = Embedding if model == "skipgram" else EmbeddingBag
        extra = {} if model == "skipgram" else {"pad_id": -1}
        in_shape = () if model == "skipgram" else (1,)
        self.embed = layer_cls(
            in_shape, vocab=V, dim=D, init="uniform", init_params={"limit": 0.5 / D}, **extra
        )
        self.embed.name = "in."
        self.params = ParamSet([("in.W", (V, D), "other"), ("out.W", (out_rows, D), "other")])
        self.params.declare_row_sparse("out.W")
        self.embed.bind(self.params)
        self.rng = np.random.default_rng(np.random.SeedSequence([int(seed), 16]))
        self.embed.init_params(self.rng)
        if objective == "softmax":
            self.head = SoftmaxHead(self.params, "out.W")
        elif objective == "hierarchical_softmax":
            self.head = HierarchicalSoftmaxHead(self.params, "out.W", self.tree)
        else:
            self.noise = NoiseDistribution(self.counts, alpha)
            self.head = NegativeSamplingHead(self.params, "out.W", self.noise, negatives, self.rng)
        self.optimizer = make_optimizer(optimizer, self.params, lr, optimizer_params, lazy=lazy)
        self.steps = 0

    def hidden(self, inputs: np.ndarray) -> np.ndarray:
        return self.embed.forward(np.asarray(inputs), True)

    def loss_and_grad(self, inputs: np.ndarray, targets: np.ndarray) -> float:
        """Zero the gradients, forward, backward; returns the batch's mean loss."""
        self.params.grads.fill(0.0)
        targets = np.asarray(targets, dtype=np.intp)
        H = self.hidden(inputs)
        value = self.head.loss(H, targets)
        self.embed.backward(self.head.backward())
        return value

    def step(self, inputs: np.ndarray, targets: np.ndarray) -> float:
        value = self.loss_and_grad(inputs, targets)
        self.optimizer.step()
        self.steps += 1
        return value

    def vectors(self, which: str = "W") -> np.ndarray:
        """The word vectors to show: "W" (input), "W'" (output; words only without hierarchical
        softmax) or "W+W'"."""
        W = self.params["in.W"].value
        if which == "W":
            return W.copy()
        if self.tree is not None:
            raise ConfigError("Under hierarchical softmax W′ holds inner-node vectors, not words: show W.")
        Wo = self.params["out.W"].value
        if which in ("W'", "W′"):
            return Wo.copy()
        if which in ("W+W'", "W+W′"):
            return W + Wo
        raise ConfigError("Unknown matrix {which!r}; choose W, W' or W+W'.", which=which)

    def state_dict(self) -> dict[str, Any]:
        return {
            "values": self.params.values.copy(),
            "optimizer": self.optimizer.state_dict(),
            "rng": self.rng.bit_generator.state,
            "steps": self.steps,
        }

    def load_state_dict(self, d: dict[str, Any]) -> None:
        values = np.asarray(d["values"], dtype=np.float64)
        if values.shape != self.params.values.shape:
            raise ConfigError(
                "Saved values have shape {values_shape}, not {params_values_shape}.",
                values_shape=values.shape,
                params_values_shape=self.params.values.shape,
            )
        self.params.values[...] = values
        self.optimizer.load_state_dict(d["optimizer"])
        self.rng.bit_generator.state = d["rng"]
        self.steps = int(d["steps"])


# -- GloVe -----------------------------------------------------------------------------------------
def glove_weight(x: np.ndarray, x_max: float = 100.0, alpha: float = 0.75) -> np.ndarray:
    """GloVe's weighting f(x) = (x/x_max)^α for x < x_max, else 1 (Pennington et al. 2014, eq. 9)."""
    x = np.asarray(x, dtype=np.float64)
    return np.minimum((x / x_max) ** alpha, 1.0)


class GloVe:
    """GloVe (Pennington et al. 2014): ``J = ½·Σ f(X_ij)·(w_i·w̃_j + b_i + b̃_j − log X_ij)²`` over
    the non-zero co-occurrence counts (i, j, x), trained with AdaGrad as the paper and glove.c do
    (the squared-gradient sums start at 1; this AdaGrad adds the current g² before dividing, as
    PyTorch, where glove.c divides first). Initial values uniform(−0.5/D, 0.5/D), biases too
    (glove.c). The final vectors are W + W̃ (:meth:`vectors`); W and W̃ play symmetric roles.
    """

    def __init__(
        self,
        vocab: int,
        dim: int = 50,
        x_max: float = 100.0,
        alpha: float = 0.75,
        lr: float = 0.05,
        seed: int = 0,
    ):
        V, D = int(vocab), int(dim)
        self.V, self.dim, self.x_max, self.alpha = V, D, float(x_max), float(alpha)
        self.params = ParamSet(
            [("W", (V, D), "other"), ("Wt", (V, D), "other"), ("b", (V,), "other"), ("bt", (V,), "other")]
        )
        for name in ("W", "Wt", "b", "bt"):
            self.params.declare_row_sparse(name)
        self.rng = np.random.default_rng(np.random.SeedSequence([int(seed), 17]))
        self.params.values[...] = (self.rng.random(len(self.params)) - 0.5) / D
        self.optimizer = make_optimizer("adagrad", self.params, lr, {"initial_accumulator_value": 1.0})
        self.steps = 0

    def loss_and_grad(self, i: np.ndarray, j: np.ndarray, x: np.ndarray) -> float:
        """Zero the gradients, then J and its gradient over the entries (i, j, x)."""
        p = self.params
        p.grads.fill(0.0)
        W, Wt, b, bt = (p[n].value for n in ("W", "Wt", "b", "bt"))
        diff = np.einsum("nd,nd->n", W[i], Wt[j]) + b[i] + bt[j] - np.log(x)
        fdiff = glove_weight(x, self.x_max, self.alpha) * diff
        np.add.at(p["W"].grad, i, fdiff[:, None] * Wt[j])
        np.add.at(p["Wt"].grad, j, fdiff[:, None] * W[i])
        np.add.at(p["b"].grad, i, fdiff)
        np.add.at(p["bt"].grad, j, fdiff)
        for name, rows in (("W", i), ("b", i), ("Wt", j), ("bt", j)):
            p.touch_rows(name, rows)
        return float(0.5 * np.sum(fdiff * diff))

    def step(self, i: np.ndarray, j: np.ndarray, x: np.ndarray) -> float:
        value = self.loss_and_grad(np.asarray(i, dtype=np.intp), np.asarray(j, dtype=np.intp), np.asarray(x))
        self.optimizer.step()
        self.steps += 1
        return value

    def epoch(self, i: np.ndarray, j: np.ndarray, x: np.ndarray, batch_size: int = 256) -> float:
        """One shuffled pass over the entries in mini-batches; returns J summed over the batches."""
        order = self.rng.permutation(len(x))
        total = 0.0
        for start in range(0, len(x), batch_size):
            sel = order[start : start + batch_size]
            total += self.step(i[sel], j[sel], x[sel])
        return total

    def vectors(self, which: str = "W+W'") -> np.ndarray:
        W, Wt = self.params["W"].value, self.params["Wt"].value
        return {"W": W.copy(), "W'": Wt.copy(), "W+W'": W + Wt}[which]

    def state_dict(self) -> dict[str, Any]:
        return {
            "values": self.params.values.copy(),
            "optimizer": self.optimizer.state_dict(),
            "rng": self.rng.bit_generator.state,
            "steps": self.steps,
        }

    def load_state_dict(self, d: dict[str, Any]) -> None:
        self.params.values[...] = np.asarray(d["values"], dtype=np.float64)
        self.optimizer.load_state_dict(d["optimizer"])
        self.rng.bit_generator.state = d["rng"]
        self.steps = int(d["steps"])
