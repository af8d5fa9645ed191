"""Named parameters stored as views into one contiguous buffer.

All values live in one flat float64 array and all gradients in another, so an optimizer step is a
few vectorized NumPy calls whatever the depth of the net. Weight matrices come first in the buffer:
``values[:n_decay]`` is exactly the set of entries that L1/L2 and AdamW's decay act on (weights,
not biases, batch-norm scales/shifts or PReLU slopes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

#: Parameter kinds, in buffer order. Only ``weight`` is regularized.
KINDS = ("weight", "bias", "bn", "prelu", "other")


@dataclass(frozen=True)
class Parameter:
    """A named pair (value, gradient): two views into the owning :class:`ParamSet`'s buffers."""

    name: str
    value: np.ndarray
    grad: np.ndarray
    kind: str


class ParamSet:
    """Named parameters over one flat value buffer and one flat gradient buffer.

    ``specs`` is an iterable of ``(name, shape, kind)``; parameters are laid out by kind (weights
    first), in the given order within a kind.
    """

    def __init__(self, specs: Iterable[tuple[str, tuple[int, ...], str]]):
        specs = list(specs)
        names = [s[0] for s in specs]
        if len(set(names)) != len(names):
            raise ValueError("duplicate parameter names")
        ordered = sorted(specs, key=lambda s: KINDS.index(s[2]))  # stable: keeps order within a kind
        sizes = [int(np.prod(shape, dtype=np.int64)) for _, shape, _ in ordered]
        total = int(sum(sizes))
        self.values = np.zeros(total)
        self.grads = np.zeros(total)
        self.slices: dict[str, tuple[slice, tuple[int, ...]]] = {}
        self.params: dict[str, Parameter] = {}
        offset = 0
        self.n_decay = 0
        for (name, shape, kind), size in zip(ordered, sizes, strict=True):
            sl = slice(offset, offset + size)
            self.slices[name] = (sl, tuple(shape))
            self.params[name] = Parameter(
                name, self.values[sl].reshape(shape), self.grads[sl].reshape(shape), kind
            )
            if kind == "weight":
                self.n_decay = offset + size
            offset += size
        # Keep ``params`` in the caller's order (layer order), which is how people read them.
        self.params = {name: self.params[name] for name in names}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], kind: str = "other") -> ParamSet:
        """A parameter set holding copies of ``arrays`` (e.g. a point on a 2-D loss surface)."""
        ps = cls((name, np.shape(a), kind) for name, a in arrays.items())
        for name, a in arrays.items():
            ps.params[name].value[...] = a
        return ps

    def __len__(self) -> int:
        return self.values.size

    def __getitem__(self, name: str) -> Parameter:
        return self.params[name]

    def names(self) -> list[str]:
        return list(self.params)

    def zero_grad(self) -> None:
        self.grads.fill(0.0)

    def get(self) -> dict[str, np.ndarray]:
        """Copies of every value, by name."""
        return {name: p.value.copy() for name, p in self.params.items()}

    def set(self, values: dict[str, np.ndarray]) -> None:
        """Overwrite values by name; shapes must match; unknown names are an error."""
        from playground.errors import ConfigError

        for name, value in values.items():
            if name not in self.params:
                raise ConfigError(f"Unknown parameter {name!r}; known: {', '.join(self.params)}.")
            target = self.params[name].value
            value = np.asarray(value, dtype=np.float64)
            if value.shape != target.shape:
                raise ConfigError(f"Parameter {name!r} has shape {target.shape}, got {value.shape}.")
            target[...] = value

    def grads_by_name(self) -> dict[str, np.ndarray]:
        return {name: p.grad.copy() for name, p in self.params.items()}
