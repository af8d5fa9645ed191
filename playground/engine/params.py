"""Named parameters stored as views into one contiguous buffer (one row per trial).

All values live in one flat float64 array and all gradients in another, so an optimizer step is a
few vectorized NumPy calls whatever the depth of the net. Parameters are laid out by kind:
weights first, so ``values[..., :n_decay]`` is exactly the set of entries that L1/L2 and AdamW's
decay act on (weights, not biases, batch-norm scales/shifts or PReLU slopes), and frozen
parameters last, so ``values[..., :n_train]`` is what the optimizer updates.

With ``trials=T`` every buffer gets a leading trials axis: ``values`` is (T, n) and each
parameter's value a (T, *shape) view, so T same-shaped networks train in the same NumPy calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from playground.errors import ConfigError

#: Parameter kinds, in buffer order. Only ``weight`` is regularized; ``frozen`` is never updated.
KINDS = ("weight", "bias", "bn", "prelu", "other", "frozen")


@dataclass(frozen=True)
class Parameter:
    """A named pair (value, gradient): two views into the owning :class:`ParamSet`'s buffers.

    ``shape`` is one network's shape; with a trials axis ``value`` is (T, *shape).
    """

    name: str
    value: np.ndarray
    grad: np.ndarray
    kind: str
    shape: tuple[int, ...] = ()


class ParamSet:
    """Named parameters over one flat value buffer and one flat gradient buffer.

    ``specs`` is an iterable of ``(name, shape, kind)``; parameters are laid out by kind (weights
    first, frozen last), in the given order within a kind. ``trials``: None for one network, or
    the number of stacked networks (a leading axis on every buffer).
    """

    def __init__(self, specs: Iterable[tuple[str, tuple[int, ...], str]], trials: int | None = None):
        specs = [(name, tuple(int(s) for s in shape), kind) for name, shape, kind in specs]
        names = [s[0] for s in specs]
        if len(set(names)) != len(names):
            raise ConfigError(
                "Duplicate parameter names: {names}.", names=sorted(n for n in names if names.count(n) > 1)
            )
        for name, _, kind in specs:
            if kind not in KINDS:
                raise ConfigError(
                    "Parameter {name!r} has unknown kind {kind!r}; kinds: {kinds}.",
                    name=name,
                    kind=kind,
                    kinds=", ".join(KINDS),
                )
        self.specs = specs
        self.trials = trials
        ordered = sorted(specs, key=lambda s: KINDS.index(s[2]))  # stable: keeps order within a kind
        sizes = [int(np.prod(shape, dtype=np.int64)) for _, shape, _ in ordered]
        total = int(sum(sizes))
        lead = () if trials is None else (int(trials),)
        self.values = np.zeros((*lead, total))
        self.grads = np.zeros((*lead, total))
        self.slices: dict[str, tuple[slice, tuple[int, ...]]] = {}
        self.kinds: dict[str, str] = {}
        offset = 0
        self.n_decay = 0
        self.n_train = 0
        for (name, shape, kind), size in zip(ordered, sizes, strict=True):
            self.slices[name] = (slice(offset, offset + size), shape)
            self.kinds[name] = kind
            if kind == "weight":
                self.n_decay = offset + size
            if kind != "frozen":
                self.n_train = offset + size
            offset += size
        self._order = names
        #: Row-sparse parameters (an embedding table): name -> the row arrays a backward touched
        #: since the last optimizer step (see :meth:`touch_rows`, :meth:`take_touched`).
        self.row_sparse: dict[str, list[np.ndarray]] = {}
        self._make_views()

    def _make_views(self) -> None:
        lead = self.values.shape[:-1]
        params = {}
        for name in self._order:
            sl, shape = self.slices[name]
            params[name] = Parameter(
                name,
                self.values[..., sl].reshape((*lead, *shape)),
                self.grads[..., sl].reshape((*lead, *shape)),
                self.kinds[name],
                shape,
            )
        # Kept in the caller's order (layer order), which is how people read them.
        self.params: dict[str, Parameter] = params

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], kind: str = "other") -> ParamSet:
        """A parameter set holding copies of ``arrays`` (e.g. a point on a 2-D loss surface)."""
        ps = cls((name, np.shape(a), kind) for name, a in arrays.items())
        for name, a in arrays.items():
            ps.params[name].value[...] = a
        return ps

    def take(self, rows: np.ndarray) -> None:
        """Keep only the trials ``rows`` (indices or a boolean mask): the buffers shrink in place
        of the old ones and every view is rebuilt (layers must re-bind afterwards)."""
        if self.trials is None:
            raise ConfigError("take() needs a parameter set with a trials axis.")
        self.values = np.ascontiguousarray(self.values[rows])
        self.grads = np.ascontiguousarray(self.grads[rows])
        self.trials = self.values.shape[0]
        self._make_views()

    # -- row-sparse parameters (embedding tables) ----------------------------------------------
    def declare_row_sparse(self, name: str) -> None:
        """Mark ``name`` (shape (rows, …)) as row-sparse: a backward reports the rows it touched,
        and an optimizer whose rule leaves untouched rows alone visits only those (see
        :class:`~playground.engine.optimizers.Optimizer`)."""
        if name not in self.params:
            raise ConfigError(
                "Unknown parameter {name!r}; known: {params}.", name=name, params=", ".join(self.params)
            )
        self.row_sparse.setdefault(name, [])

    def touch_rows(self, name: str, rows: np.ndarray) -> None:
        """Record that the gradient of ``name`` may be non-zero in ``rows`` (called by backward)."""
        self.row_sparse[name].append(np.asarray(rows, dtype=np.intp).ravel())

    def take_touched(self) -> dict[str, np.ndarray]:
        """The distinct rows touched per row-sparse parameter since the last call; forgets them."""
        out = {}
        for name, logs in self.row_sparse.items():
            out[name] = np.unique(np.concatenate(logs)) if logs else np.zeros(0, dtype=np.intp)
            logs.clear()
        return out

    def row_positions(self, name: str, rows: np.ndarray) -> np.ndarray:
        """Flat buffer positions of ``rows`` of parameter ``name`` (row-major)."""
        sl, shape = self.slices[name]
        width = int(np.prod(shape[1:], dtype=np.int64))
        return (sl.start + rows[:, None] * width + np.arange(width)).ravel()

    def __len__(self) -> int:
        """Parameters of one network."""
        return self.values.shape[-1]

    def __getitem__(self, name: str) -> Parameter:
        return self.params[name]

    def __contains__(self, name: object) -> bool:
        return name in self.params

    def names(self) -> list[str]:
        return list(self.params)

    def zero_grad(self) -> None:
        self.grads.fill(0.0)

    def get(self) -> dict[str, np.ndarray]:
        """Copies of every value, by name."""
        return {name: p.value.copy() for name, p in self.params.items()}

    def set(self, values: dict[str, np.ndarray]) -> None:
        """Overwrite values by name; shapes must match; unknown names are an error."""
        for name, value in values.items():
            if name not in self.params:
                raise ConfigError(
                    "Unknown parameter {name!r}; known: {params}.", name=name, params=", ".join(self.params)
                )
            target = self.params[name].value
            value = np.asarray(value, dtype=np.float64)
            if value.shape != target.shape:
                raise ConfigError(
                    "Parameter {name!r} has shape {target_shape}, got {value_shape}.",
                    name=name,
                    target_shape=target.shape,
                    value_shape=value.shape,
                )
            target[...] = value

    def grads_by_name(self) -> dict[str, np.ndarray]:
        return {name: p.grad.copy() for name, p in self.params.items()}
