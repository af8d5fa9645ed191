"""The ``Dataset`` every part of the app passes around, and the seeded, stratified train/val/test split."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from playground.errors import DataError


def N_(message: str, /) -> str:
    """Mark ``message`` for the translation catalogs (``scripts/i18n.py`` extracts ``N_("…")``) and
    return it unchanged: the data package stays language-free, a page translates the text where it
    shows it (the datasets' labels and descriptions)."""
    return message


TASKS = ("binary", "multiclass", "regression")
"""The three kinds of problem a dataset can pose."""

Domain = tuple[tuple[float, float], tuple[float, float]]


def _frozen_array(values, dtype) -> np.ndarray:
    """A C-contiguous, read-only copy, so a cached dataset cannot be changed by accident."""
    out = np.array(values, dtype=dtype, order="C", copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class Dataset:
    """A table of examples: ``X`` (n, d) float64 features and ``y`` (n,) targets.

    ``y`` holds int64 class indices 0..K-1 for "binary" and "multiclass" tasks (``class_names[k]`` names
    class k) and float64 values for "regression" (``class_names`` is empty). ``view_columns`` are the
    two columns drawn in the 2-D view (and fed to the 2-D feature transforms); ``domain`` is the
    fixed plotting window of generated data (TF Playground's [-6, 6]²), ``None`` for real data.

    The arrays are read-only copies: derive new arrays rather than editing them in place.
    """

    X: np.ndarray
    y: np.ndarray
    task: str
    name: str
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...] = ()
    view_columns: tuple[int, int] = (0, 1)
    label_name: str = "label"
    domain: Domain | None = None

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise DataError(
                "Unknown task {task!r}; choose one of: {tasks}.", task=self.task, tasks=", ".join(TASKS)
            )
        X = _frozen_array(self.X, np.float64)
        if X.ndim != 2:
            raise DataError("X must be a table (2-D array), got shape {shape}.", shape=X.shape)
        n, d = X.shape
        if n == 0 or d == 0:
            raise DataError(
                "A dataset needs at least one row and one column, got shape {shape}.", shape=X.shape
            )
        if not np.isfinite(X).all():
            raise DataError("X contains NaN or infinite values.")
        classification = self.task != "regression"
        y = np.asarray(self.y)
        if y.shape != (n,):
            raise DataError("y must have shape ({n},) to match X, got {y_shape}.", n=n, y_shape=y.shape)
        names = tuple(str(s) for s in self.feature_names)
        if len(names) != d:
            raise DataError("{d} feature columns but {n_names} feature names.", d=d, n_names=len(names))
        classes = tuple(str(s) for s in self.class_names)
        if classification:
            if len(classes) < 2:
                raise DataError("A classification dataset needs at least two class names.")
            if self.task == "binary" and len(classes) != 2:
                raise DataError(
                    "A binary dataset has exactly two classes, got {n_classes}.", n_classes=len(classes)
                )
            whole = np.issubdtype(y.dtype, np.integer) or (
                np.issubdtype(y.dtype, np.floating) and bool(np.all(y == np.round(y)))
            )
            if not whole:
                raise DataError("Class labels must be whole numbers 0..K-1.")
            y = _frozen_array(y, np.int64)
            if y.min() < 0 or y.max() >= len(classes):
                raise DataError("Class labels must lie in 0..{top}.", top=len(classes) - 1)
        else:
            if classes:
                raise DataError("A regression dataset has no class names.")
            y = _frozen_array(y, np.float64)
            if not np.isfinite(y).all():
                raise DataError("y contains NaN or infinite values.")
        view = tuple(int(c) for c in self.view_columns)
        if len(view) != 2 or view[0] == view[1] or not all(0 <= c < d for c in view):
            raise DataError(
                "view_columns must be two different column numbers in 0..{top}, got {view_columns!r}.",
                top=d - 1,
                view_columns=self.view_columns,
            )
        domain = self.domain
        if domain is not None:
            domain = tuple((float(lo), float(hi)) for lo, hi in domain)
            if len(domain) != 2 or not all(lo < hi for lo, hi in domain):
                raise DataError("domain must be two (low, high) ranges, got {domain!r}.", domain=self.domain)
        for key, value in (
            ("X", X),
            ("y", y),
            ("feature_names", names),
            ("class_names", classes),
            ("view_columns", view),
            ("domain", domain),
        ):
            object.__setattr__(self, key, value)

    @property
    def n_classes(self) -> int:
        """K for classification; 0 for regression (one real-valued output)."""
        return len(self.class_names)

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    @property
    def n_features(self) -> int:
        """Number of raw columns (before feature transforms)."""
        return self.X.shape[1]

    @property
    def is_classification(self) -> bool:
        return self.task != "regression"

    @property
    def view_points(self) -> np.ndarray:
        """The (n, 2) points of the 2-D view."""
        return self.X[:, list(self.view_columns)]

    @property
    def view_names(self) -> tuple[str, str]:
        return self.feature_names[self.view_columns[0]], self.feature_names[self.view_columns[1]]

    def view_domain(self, pad: float = 0.05) -> Domain:
        """The plotting window of the 2-D view: ``domain`` if fixed, else the data's range padded by
        ``pad`` of its width on each side (a constant column gets a window of ±1 around its value)."""
        if self.domain is not None:
            return self.domain
        out = []
        for c in self.view_columns:
            lo, hi = float(self.X[:, c].min()), float(self.X[:, c].max())
            width = hi - lo
            if width <= 0:
                out.append((lo - 1.0, hi + 1.0))
            else:
                out.append((lo - pad * width, hi + pad * width))
        return out[0], out[1]

    def with_view(self, i: int, j: int) -> Dataset:
        """The same data with columns ``i`` and ``j`` in the 2-D view."""
        return dataclasses.replace(self, view_columns=(i, j))


@dataclass(frozen=True, eq=False)
class Split:
    """Train / validation / test parts of a dataset; the validation arrays may have zero rows.

    ``*_idx`` are the row numbers in the original dataset, so a view can mark which points were held out.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    train_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    val_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    test_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def n_train(self) -> int:
        return len(self.y_train)

    @property
    def n_val(self) -> int:
        return len(self.y_val)

    @property
    def n_test(self) -> int:
        return len(self.y_test)


def _check_fraction(name: str, value: float, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataError(
            "{name} must be a number between {low} and {high}, got {value!r}.",
            name=name,
            low=low,
            high=high,
            value=value,
        ) from None
    if not (low <= number <= high):  # also rejects NaN
        raise DataError(
            "{name} must be between {low:g} and {high:g} (a share of 1), got {value!r}.",
            name=name,
            low=low,
            high=high,
            value=value,
        )
    return number


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise DataError("seed must be a whole number ≥ 0, got {seed!r}.", seed=seed)
    return int(seed)


def _allocate(counts: np.ndarray, total: int) -> np.ndarray:
    """Split ``total`` among groups in proportion to ``counts`` (largest-remainder rounding)."""
    quota = counts * (total / counts.sum())
    out = np.floor(quota).astype(np.int64)
    short = total - int(out.sum())
    if short > 0:
        order = np.argsort(-(quota - out), kind="stable")
        out[order[:short]] += 1
    return out


def split_dataset(
    ds: Dataset, train_fraction: float = 0.5, val_fraction: float = 0.0, seed: int = 0
) -> Split:
    """Shuffle and cut ``ds`` into train, validation and test parts (seeded).

    ``train_fraction`` (0.1–0.9) of the rows go to training, the rest to test, as TF Playground's
    "ratio of training to test data" (its default 50 %). ``val_fraction`` (0–0.5) is the share of the
    *training* part set aside for validation. Classification splits are stratified: each class is cut
    in the same proportions (largest-remainder rounding, so the totals match ``round(n · fraction)``),
    and a class with at least two rows keeps at least one row in training and one in test (a class of
    one row goes to training; if every class has one row, there is nothing to test and ``DataError``
    is raised). Each part is returned in shuffled order.
    """
    train_fraction = _check_fraction("train_fraction", train_fraction, 0.1, 0.9)
    val_fraction = _check_fraction("val_fraction", val_fraction, 0.0, 0.5)
    seed = _check_seed(seed)
    if not isinstance(ds, Dataset):
        raise DataError("split_dataset needs a Dataset, got {kind}.", kind=type(ds).__name__)
    n = ds.n_samples
    if n < 2:
        raise DataError("A dataset needs at least 2 rows to be split into training and test, got {n}.", n=n)
    rng = np.random.default_rng(seed)

    if ds.is_classification:
        groups = [np.flatnonzero(ds.y == k) for k in range(ds.n_classes)]
        groups = [rng.permutation(g) for g in groups if len(g)]
        sizes = np.array([len(g) for g in groups], dtype=np.int64)
        n_train = _allocate(sizes, round(n * train_fraction))
        # Every class with two or more rows keeps one row in training and one in test.
        n_train = np.clip(n_train, np.minimum(1, sizes), np.maximum(sizes - 1, np.minimum(1, sizes)))
        n_val = _allocate(n_train, round(int(n_train.sum()) * val_fraction))
        n_val = np.clip(n_val, 0, np.maximum(n_train - 1, 0))
        if n_train.sum() == n:
            raise DataError(
                "Too few rows to split: every class has a single row, so none is left for testing. "
                "Each class needs at least two rows."
            )
        train_parts, val_parts, test_parts = [], [], []
        for g, k_train, k_val in zip(groups, n_train, n_val, strict=True):
            val_parts.append(g[:k_val])
            train_parts.append(g[k_val:k_train])
            test_parts.append(g[k_train:])
        train_idx = rng.permutation(np.concatenate(train_parts))
        val_idx = rng.permutation(np.concatenate(val_parts))
        test_idx = rng.permutation(np.concatenate(test_parts))
    else:
        order = rng.permutation(n)
        k_train = min(max(round(n * train_fraction), 1), n - 1)
        k_val = min(round(k_train * val_fraction), k_train - 1)
        val_idx, train_idx, test_idx = order[:k_val], order[k_val:k_train], order[k_train:]

    def rows(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        idx = np.asarray(idx, dtype=np.int64)
        return ds.X[idx].copy(), ds.y[idx].copy()

    (X_train, y_train), (X_val, y_val), (X_test, y_test) = rows(train_idx), rows(val_idx), rows(test_idx)
    return Split(
        X_train,
        y_train,
        X_val,
        y_val,
        X_test,
        y_test,
        np.asarray(train_idx, dtype=np.int64),
        np.asarray(val_idx, dtype=np.int64),
        np.asarray(test_idx, dtype=np.int64),
    )
