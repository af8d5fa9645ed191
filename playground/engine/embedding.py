"""Embedding tables: a lookup layer, a bag-of-ids mean (fastText's hidden layer) and a sparse row map.

``Embedding(vocab, dim)`` turns integer ids (N,) or (N, T) into vectors (N, dim) or (N, T, dim):
row ``e_j = E[j]`` is what the one-hot product ``oⱼ·E`` selects, without building the one-hot.
``EmbeddingBag`` averages the rows of a variable-length bag of ids given padded, (N, L) with a pad
id, into (N, dim). Both have a **row-sparse gradient**: backward adds into the rows the batch used
(``np.add.at``, repeated ids accumulate) and reports them to the parameter set, so an optimizer
whose rule leaves untouched rows alone (SGD, AdaGrad) visits only those rows, and Adam can run
lazily (see :mod:`playground.engine.optimizers`). A table declared ``frozen`` (a pre-trained
channel) is a parameter of kind "frozen": no gradient is accumulated and no optimizer updates it.

:class:`SparseRows` stores only the rows that occur, for hashed-bucket tables (fastText's
2 000 000 buckets would be 1.6 GB dense at dim 100): row ``i`` of the virtual dense table is
created on first use, its initial value a pure function of (seed, i), so it is the same whenever
and in whatever order it is first met.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from playground.engine.layers import LAYERS, Layer, Shape, _shape
from playground.engine.params import ParamSet
from playground.engine.registry import N_, Param
from playground.errors import ConfigError

_TABLE_PARAMS = dict(
    vocab=Param(2, 1, 10_000_000, N_("Rows of the table (vocabulary size).")),
    dim=Param(2, 1, 100_000, N_("Length of each vector (embedding dimension).")),
    init=Param(
        "normal", help=N_("Initializer name from INITIALIZERS (default N(0, 1), as torch.nn.Embedding).")
    ),
    init_params=Param(None, help=N_("The initializer's settings (default for 'normal': std 1).")),
    frozen=Param(False, help=N_("A fixed table (e.g. pre-trained vectors): it receives no update.")),
)


class _Table(Layer):
    """A (vocab, dim) table parameter ``W`` read by integer ids, with a row-sparse backward."""

    def __init__(
        self,
        in_shape: Shape,
        vocab: int = 2,
        dim: int = 2,
        init: Any = "normal",
        init_params: dict | None = None,
        frozen: bool = False,
    ):
        from playground.engine.initializers import make_initializer

        self.in_shape = _shape(in_shape)
        self.vocab, self.dim, self.frozen = int(vocab), int(dim), bool(frozen)
        if init_params is None:
            init_params = {"std": 1.0} if init == "normal" else {}
        self.init = make_initializer(init, init_params) if isinstance(init, str) else init
        self._ps: ParamSet | None = None

    def param_specs(self):
        return [("W", (self.vocab, self.dim), "frozen" if self.frozen else "other")]

    def on_bind(self):
        self.W = self.p["W"]
        self._full_name = self.W.name

    def bind(self, params, buffers=None):
        super().bind(params, buffers)
        self._ps = params if isinstance(params, ParamSet) else None
        if self._ps is not None and not self.frozen:
            self._ps.declare_row_sparse(self._full_name)

    def init_params(self, rng):
        self.W.value[...] = self.init(rng, self.vocab, self.dim, (self.vocab, self.dim))

    def _ids(self, x: np.ndarray, pad: int | None = None) -> np.ndarray:
        ids = np.asarray(x)
        if not np.issubdtype(ids.dtype, np.integer) and not np.all(ids == np.round(ids)):
            raise ConfigError("{layer} takes integer ids, got non-integer values.", layer=type(self).__name__)
        ids = ids.astype(np.intp, copy=False)
        valid = ids if pad is None else ids[ids != pad]
        if valid.size and (valid.min() < 0 or valid.max() >= self.vocab):
            raise ConfigError(
                "{layer}: ids must be in [0, {vocab}), got {low}…{high}.",
                layer=type(self).__name__,
                vocab=self.vocab,
                low=valid.min(),
                high=valid.max(),
            )
        return ids

    def _trial_index(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(trial index, ids) broadcasting to (Tr, N, …): a shared batch is read by every trial."""
        lead = ids.ndim - len(self.in_shape)  # 1: a shared (N, …) batch; 2: (Tr, N, …)
        if lead == 1:
            ids = ids[None]
        t = np.arange(self.trials).reshape((self.trials,) + (1,) * (ids.ndim - 1))
        return t, ids

    def _gather(self, ids: np.ndarray) -> np.ndarray:
        """Rows of ids, shape (*ids.shape, dim) (with trials (Tr, *batch, dim))."""
        if self.trials is None:
            return self.W.value[ids]
        t, ids = self._trial_index(ids)
        return self.W.value[t, ids]

    def _scatter(self, ids: np.ndarray, grad: np.ndarray, member: np.ndarray | None = None) -> None:
        """W.grad[ids] += grad (repeated ids accumulate) over the positions where ``member`` holds;
        those rows are reported to the parameter set as touched."""
        if self.frozen:
            return
        if self.trials is None:
            if member is not None:
                ids, grad = ids[member], grad[member]
            ids = ids.ravel()
            np.add.at(self.W.grad, ids, grad.reshape(-1, self.dim))
        else:
            shape = grad.shape[:-1]
            t, ids = self._trial_index(ids)
            t, ids = np.broadcast_to(t, shape), np.broadcast_to(ids, shape)
            if member is not None:
                m = np.broadcast_to(member, shape)
                t, ids, grad = t[m], ids[m], grad[m]
            ids = ids.ravel()
            np.add.at(self.W.grad, (t.ravel(), ids), grad.reshape(-1, self.dim))
        if self._ps is not None:
            self._ps.touch_rows(self._full_name, ids)


@LAYERS.register(
    "embedding",
    description=N_("Lookup table: integer ids (N,) or (N, T) → rows of a learned (vocab, dim) matrix."),
    **_TABLE_PARAMS,
    padding_idx=Param(-1, -1, 10_000_000, N_("An id whose row stays 0 and gets no gradient (−1: none).")),
)
class Embedding(_Table):
    """``y = E[ids]``: row j of E for each id j (the one-hot product oⱼ·E, without the one-hot).

    Backward: ``dE[j] += Σ_{positions with id j} g`` — row-sparse. ``padding_idx`` as
    ``torch.nn.Embedding``: that row is initialized to 0 and receives no gradient. The input has no
    gradient (ids are not differentiable): backward returns None, so this is a network's first layer.
    """

    def __init__(self, in_shape: Shape, padding_idx: int = -1, **kw: Any):
        super().__init__(in_shape, **kw)
        self.padding_idx = int(padding_idx)
        if self.padding_idx >= self.vocab:
            raise ConfigError(
                "padding_idx {padding_idx} is outside the table of {vocab} rows.",
                padding_idx=self.padding_idx,
                vocab=self.vocab,
            )

    def output_shape(self, in_shape):
        return (*in_shape, self.dim)

    def init_params(self, rng):
        super().init_params(rng)
        if self.padding_idx >= 0:
            self.W.value[self.padding_idx] = 0.0

    def forward(self, x, training):
        self._x = ids = self._ids(x)
        return self._gather(ids)

    def backward(self, grad):
        ids = self._x
        self._scatter(ids, grad, (ids != self.padding_idx) if self.padding_idx >= 0 else None)
        return None


@LAYERS.register(
    "embedding_bag",
    description=N_(
        "Mean of the rows of a bag of ids (padded (N, L) with a pad id): fastText's hidden layer."
    ),
    **_TABLE_PARAMS,
    pad_id=Param(-1, -1, 10_000_000, N_("The id filling a short bag; not a member (−1: outside the table).")),
)
class EmbeddingBag(_Table):
    """``h = (1/|bag|)·Σ_{j ∈ bag} E[j]`` per example, the bag given as a padded row of ids.

    Entries equal to ``pad_id`` are not members (as ``torch.nn.EmbeddingBag(mode="mean",
    padding_idx=…)``); an empty bag gives the zero vector. Backward: every member row gets
    ``g/|bag|`` (row-sparse). See :func:`bag_mean` for the offsets form.
    """

    def __init__(self, in_shape: Shape, pad_id: int = -1, **kw: Any):
        super().__init__(in_shape, **kw)
        if len(self.in_shape) != 1:
            raise ConfigError(
                "embedding_bag takes padded bags of shape (N, L), got per-example {in_shape}.",
                in_shape=in_shape,
            )
        self.pad_id = int(pad_id)

    def output_shape(self, in_shape):
        return (self.dim,)

    def forward(self, x, training):
        ids = self._ids(x, self.pad_id)
        member = ids != self.pad_id
        safe = np.where(member, ids, 0)
        count = member.sum(axis=-1, keepdims=True)
        self._scale = member / np.maximum(count, 1)  # (…, N, L): 1/|bag| for members, 0 for padding
        self._ids_safe = safe
        rows = self._gather(safe)
        return np.einsum("...l,...ld->...d", np.broadcast_to(self._scale, rows.shape[:-1]), rows)

    def backward(self, grad):
        scale = self._scale
        g = scale[..., None] * grad[..., None, :]  # (…, N, L, dim): g/|bag| for every member
        member = scale != 0
        self._scatter(self._ids_safe, g, None if member.all() else member)
        return None


def bag_mean(table: np.ndarray, ids: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The offsets form: bag b is ``ids[offsets[b]:offsets[b+1]]`` (the last runs to the end), as
    ``torch.nn.EmbeddingBag(mode="mean")(ids, offsets)``; an empty bag gives zeros. ``table`` is
    anything indexable by an id array (a dense array, or :class:`SparseRows` rows)."""
    ids = np.asarray(ids, dtype=np.intp)
    offsets = np.asarray(offsets, dtype=np.intp)
    bounds = np.append(offsets, len(ids))
    counts = np.diff(bounds)
    out = np.zeros((len(offsets), table.shape[1]))
    if len(ids):
        rows = table[ids]
        nonempty = counts > 0
        out[nonempty] = np.add.reduceat(rows, offsets[nonempty], axis=0)
        out[nonempty] /= counts[nonempty, None]
    return out


def bag_mean_backward(grad: np.ndarray, ids: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """d loss/d rows for :func:`bag_mean`: each id's row gets its bag's ``g/|bag|``, shape (len(ids), dim)."""
    ids = np.asarray(ids, dtype=np.intp)
    counts = np.diff(np.append(np.asarray(offsets, dtype=np.intp), len(ids)))
    bag_of = np.repeat(np.arange(len(counts)), counts)
    return grad[bag_of] / counts[bag_of, None]


# -- a table that stores only the rows that occur -------------------------------------------------
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64's output function on uint64 counters (Steele et al. 2014): a counter-based
    generator, so any row's numbers can be made on their own."""
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def counter_uniform(seed: int, rows: np.ndarray, dim: int, low: float, high: float) -> np.ndarray:
    """Uniform(low, high) numbers, shape (len(rows), dim), a pure function of (seed, row, column)."""
    rows = np.asarray(rows, dtype=np.uint64)
    with np.errstate(over="ignore"):
        base = _splitmix64(np.uint64(seed) * np.uint64(0xD1B54A32D192ED03) + rows)
        counters = base[:, None] * np.uint64(dim) + np.arange(dim, dtype=np.uint64)
    u = (_splitmix64(counters) >> np.uint64(11)).astype(np.float64) * (1.0 / 2.0**53)
    return low + (high - low) * u


class SparseRows:
    """A virtual (n_rows, dim) table of which only the rows that occur are stored.

    ``lookup(keys)`` maps row numbers of the virtual table (e.g. fastText's ``nwords + bucket``) to
    compact positions in ``values`` (adding new rows, initialized uniform(−a, a) from (seed, row):
    fastText's ``-1/dim … 1/dim`` by default); ``vectors(keys)`` reads rows without storing new
    ones (a row never stored has its initial value). ``values`` is a plain array an optimizer or a
    hand-written SGD step updates in place. Memory grows with the rows that occur, never with
    ``n_rows``.
    """

    def __init__(self, n_rows: int, dim: int, seed: int = 0, init_range: float | None = None):
        if n_rows < 1 or dim < 1:
            raise ConfigError(
                "A table needs at least one row and one column, got {n_rows} × {dim}.", n_rows=n_rows, dim=dim
            )
        self.n_rows, self.dim, self.seed = int(n_rows), int(dim), int(seed)
        self.init_range = 1.0 / dim if init_range is None else float(init_range)
        self._index: dict[int, int] = {}
        self.keys = np.zeros(0, dtype=np.int64)
        self._values = np.zeros((16, self.dim))
        self.size = 0

    @property
    def values(self) -> np.ndarray:
        """The stored rows, (size, dim), in order of first use (a view: updates are in place)."""
        return self._values[: self.size]

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n_rows, self.dim)

    def initial(self, keys: np.ndarray) -> np.ndarray:
        a = self.init_range
        return counter_uniform(self.seed, np.asarray(keys, dtype=np.int64), self.dim, -a, a)

    def _check(self, keys: np.ndarray) -> np.ndarray:
        keys = np.asarray(keys, dtype=np.int64).ravel()
        if keys.size and (keys.min() < 0 or keys.max() >= self.n_rows):
            raise ConfigError(
                "Row ids must be in [0, {n_rows}), got {low}…{high}.",
                n_rows=self.n_rows,
                low=keys.min(),
                high=keys.max(),
            )
        return keys

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """Compact positions of ``keys`` in :attr:`values`, storing the rows not seen before."""
        keys = self._check(keys)
        index = self._index
        new = [k for k in dict.fromkeys(keys.tolist()) if k not in index]
        if new:
            need = self.size + len(new)
            if need > len(self._values):
                grown = np.zeros((max(need, 2 * len(self._values)), self.dim))
                grown[: self.size] = self._values[: self.size]
                self._values = grown
            self._values[self.size : need] = self.initial(np.array(new))
            for i, k in enumerate(new):
                index[k] = self.size + i
            self.keys = np.concatenate([self.keys, np.array(new, dtype=np.int64)])
            self.size = need
        return np.fromiter((index[k] for k in keys.tolist()), dtype=np.intp, count=len(keys))

    def vectors(self, keys: np.ndarray) -> np.ndarray:
        """Rows of ``keys`` (len(keys), dim); a row never stored is its initial value (not stored)."""
        keys = self._check(keys)
        out = np.empty((len(keys), self.dim))
        pos = np.array([self._index.get(k, -1) for k in keys.tolist()], dtype=np.intp)
        have = pos >= 0
        out[have] = self._values[pos[have]]
        if not have.all():
            out[~have] = self.initial(keys[~have])
        return out

    def __getitem__(self, keys: np.ndarray) -> np.ndarray:
        return self.vectors(keys)

    def __contains__(self, key: int) -> bool:
        return int(key) in self._index

    def state_dict(self) -> dict[str, Any]:
        return {
            "n_rows": self.n_rows,
            "dim": self.dim,
            "seed": self.seed,
            "init_range": self.init_range,
            "keys": self.keys.copy(),
            "values": self.values.copy(),
        }

    def load_state_dict(self, d: dict[str, Any]) -> None:
        keys = np.asarray(d["keys"], dtype=np.int64)
        values = np.asarray(d["values"], dtype=np.float64)
        if values.shape != (len(keys), int(d["dim"])):
            raise ConfigError(
                "Saved rows have shape {shape}, expected ({n_keys}, {dim}).",
                shape=values.shape,
                n_keys=len(keys),
                dim=d["dim"],
            )
        self.__init__(int(d["n_rows"]), int(d["dim"]), int(d["seed"]), float(d["init_range"]))
        self._values = values.copy() if len(values) else np.zeros((16, self.dim))
        self.keys = keys.copy()
        self.size = len(keys)
        self._index = {int(k): i for i, k in enumerate(keys.tolist())}
