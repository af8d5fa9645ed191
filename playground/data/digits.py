"""Handwritten digits, 8×8 with grey levels 0–16 (UCI "Optical Recognition of Handwritten Digits",
CC BY 4.0; the 1 797 images scikit-learn bundles), shipped as ``files/digits.npz`` with a fixed
stratified train/validation/test split (see ``files/digits_SOURCES.md``).

Each pixel counts the inked pixels of a 4×4 block of a 32×32 bitmap; :func:`bitmap_to_digit` does the
same to a drawing, so a learner's digit reaches the network preprocessed as the data set was.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from playground.errors import DataError

DIGITS_PATH = Path(__file__).resolve().parent / "files" / "digits.npz"
MAX_LEVEL = 16
"""The largest grey level: a 4×4 block with every pixel inked."""
SPLIT_CODES = {"train": 0, "val": 1, "test": 2}


@functools.lru_cache(maxsize=1)
def load_digits() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``images`` (1797, 8, 8) uint8 0–16, ``labels`` (1797,) int64 0–9 and ``split`` (1797,) codes
    (0 train, 1 validation, 2 test), read-only, in the file's order."""
    try:
        with np.load(DIGITS_PATH) as f:
            images, labels, split = f["images"], f["labels"].astype(np.int64), f["split"]
    except (OSError, KeyError, ValueError) as exc:
        raise DataError(
            "Could not read the digits file {path}: {error}", path=str(DIGITS_PATH), error=str(exc)
        ) from None
    if images.shape != (1797, 8, 8) or labels.shape != (1797,) or split.shape != (1797,):
        raise DataError("The digits file {path} is damaged (unexpected shapes).", path=str(DIGITS_PATH))
    for a in (images, labels, split):
        a.setflags(write=False)
    return images, labels, split


def to_inputs(images: np.ndarray, size: int = 8) -> np.ndarray:
    """(n, 8, 8) grey levels → (n, 1, size, size) float64 in [0, 1], the digit centred in zeros when
    ``size`` > 8 (larger inputs for spatial pyramid pooling)."""
    x = np.asarray(images, dtype=np.float64).reshape(-1, 8, 8) / MAX_LEVEL
    if size < 8:
        raise DataError("Digits are 8×8; an input size of {size} is too small.", size=size)
    if size > 8:
        lo = (size - 8) // 2
        x = np.pad(x, [(0, 0), (lo, size - 8 - lo), (lo, size - 8 - lo)])
    return x[:, None]


@dataclass(frozen=True)
class DigitSplit:
    """Inputs (n, 1, size, size) in [0, 1] and labels of the three fixed splits."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


@functools.lru_cache(maxsize=4)
def digit_split(size: int = 8) -> DigitSplit:
    """The shipped split as network inputs (cached; arrays read-only)."""
    images, labels, split = load_digits()
    parts = []
    for code in (0, 1, 2):
        rows = split == code
        x = to_inputs(images[rows], size)
        y = labels[rows].copy()
        x.setflags(write=False)
        y.setflags(write=False)
        parts += [x, y]
    return DigitSplit(*parts)


def bitmap_to_digit(bitmap: np.ndarray) -> np.ndarray:
    """A (32, 32) drawing (True/1 where inked) → (8, 8) grey levels 0–16: the inked pixels of each
    4×4 block counted, as NIST's preprocessing did for the data set."""
    b = np.asarray(bitmap)
    if b.shape != (32, 32):
        raise DataError("A drawing must be 32×32 pixels, got {shape}.", shape=str(b.shape))
    return (b > 0).reshape(8, 4, 8, 4).sum(axis=(1, 3)).astype(np.int64)


def cells_to_digit(cells: np.ndarray) -> np.ndarray:
    """An (8, 8) grid of clicked cells (True where inked) → grey levels: each clicked cell is a fully
    inked 4×4 block of the 32×32 bitmap (16), so it goes through :func:`bitmap_to_digit` like a drawing."""
    c = np.asarray(cells)
    if c.shape != (8, 8):
        raise DataError("The grid must be 8×8, got {shape}.", shape=str(c.shape))
    return bitmap_to_digit(np.kron(c > 0, np.ones((4, 4), dtype=bool)))
