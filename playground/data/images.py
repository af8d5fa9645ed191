"""Small synthetic image tasks (N, 1, size, size) in [0, 1], each isolating one idea of the
convolution lesson:

- ``bars``: a horizontal (class 0) or vertical (class 1) bar anywhere: one 3×3 edge filter, shared by
  every position, tells them apart.
- ``shapes``: a plus (0) or a cross (1) at a random position: the same pattern at any place (the
  equivariance probe shifts one).
- ``spike``: faint noise with (1) or without (0) one bright pixel somewhere; the background of class 1
  is dimmer so both classes have the same mean brightness: the maximum sees the spike, the mean cannot.
- ``density``: dots of the same brightness, sparser (0) or denser (1): every image has the same
  maximum, only the mean tells them apart.

Every generator is seeded and returns ``(X, y)`` with balanced classes.
"""

from __future__ import annotations

import numpy as np

from playground.errors import DataError

TASKS = ("bars", "shapes", "spike", "density")


def _check(n: int, size: int) -> None:
    if not (isinstance(n, int) and n >= 2):
        raise DataError("An image task needs at least 2 images, got {n}.", n=n)
    if not (isinstance(size, int) and 6 <= size <= 64):
        raise DataError("Image size must be between 6 and 64 pixels, got {size}.", size=size)


def bars(n: int = 400, size: int = 8, seed: int = 0, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    _check(n, size)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = rng.uniform(0, noise, (n, size, size))
    for i in range(n):
        length = int(rng.integers(3, size - 1))
        a, b = int(rng.integers(0, size)), int(rng.integers(0, size - length + 1))
        if y[i] == 0:
            X[i, a, b : b + length] = 1.0
        else:
            X[i, b : b + length, a] = 1.0
    return X[:, None], y


PLUS = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=np.float64)
CROSS = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=np.float64)


def place(pattern: np.ndarray, size: int, row: int, col: int) -> np.ndarray:
    """A (size, size) image of zeros with ``pattern``'s top-left corner at (row, col)."""
    img = np.zeros((size, size))
    h, w = pattern.shape
    img[row : row + h, col : col + w] = pattern
    return img


def shapes(n: int = 400, size: int = 8, seed: int = 0, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    _check(n, size)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = np.empty((n, size, size))
    for i in range(n):
        r, c = rng.integers(0, size - 2, 2)
        X[i] = place(PLUS if y[i] == 0 else CROSS, size, int(r), int(c))
    X = np.clip(X + rng.uniform(0, noise, X.shape), 0, 1)
    return X[:, None], y


def spike(n: int = 400, size: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    _check(n, size)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = rng.uniform(0.0, 0.4, (n, size, size))
    for i in np.flatnonzero(y == 1):
        r, c = rng.integers(0, size, 2)
        # Dim the background by the spike's extra brightness spread over the image: equal means.
        X[i] -= (1.0 - X[i, r, c]) / (size * size)
        X[i, r, c] = 1.0
    return np.clip(X, 0, 1)[:, None], y


def density(n: int = 400, size: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    _check(n, size)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    share = np.where(y == 1, 0.3, 0.15)[:, None, None]
    X = (rng.random((n, size, size)) < share).astype(np.float64)
    X[:, 0, 0] = 1.0  # every image has at least one dot: the maximum is 1 in both classes
    return X[:, None], y


GENERATORS = {"bars": bars, "shapes": shapes, "spike": spike, "density": density}


def make_task(name: str, n: int = 400, size: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)`` of the task ``name`` (one of :data:`TASKS`)."""
    if name not in GENERATORS:
        raise DataError(
            "Unknown image task {name}; choose one of {choices}.", name=name, choices=", ".join(TASKS)
        )
    return GENERATORS[name](n=n, size=size, seed=seed)


def shift(images: np.ndarray, dy: int = 0, dx: int = 1) -> np.ndarray:
    """Images moved by (dy, dx) pixels along their last two axes, zeros shifted in (nothing wraps)."""
    x = np.asarray(images, dtype=np.float64)
    out = np.zeros_like(x)
    h, w = x.shape[-2:]
    src_r = slice(max(0, -dy), h - max(0, dy))
    dst_r = slice(max(0, dy), h - max(0, -dy))
    src_c = slice(max(0, -dx), w - max(0, dx))
    dst_c = slice(max(0, dx), w - max(0, -dx))
    out[..., dst_r, dst_c] = x[..., src_r, src_c]
    return out
