"""Input features the user switches on (TF Playground's seven), and optional standardization.

The 2-D features are functions of the two *view* columns (x₁, x₂ = ``Dataset.view_columns``). A dataset
with more raw columns (Iris, an uploaded CSV) keeps them all: the network's inputs are the chosen 2-D
features followed by every raw column that is not in the view, unchanged (standardized too when
standardization is on). So switching features changes how the plane is seen without hiding data from
the network, and a 2-D dataset's inputs are exactly TF Playground's.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import numpy as np

from playground.errors import DataError


class Feature(NamedTuple):
    """A 2-D input feature: its label for the UI and ``fn(points (n, 2)) -> (n,)``."""

    label: str
    fn: Callable[[np.ndarray], np.ndarray]


FEATURES: Mapping[str, Feature] = types.MappingProxyType(
    {
        "x1": Feature("x₁", lambda p: p[:, 0]),
        "x2": Feature("x₂", lambda p: p[:, 1]),
        "x1^2": Feature("x₁²", lambda p: p[:, 0] ** 2),
        "x2^2": Feature("x₂²", lambda p: p[:, 1] ** 2),
        "x1*x2": Feature("x₁·x₂", lambda p: p[:, 0] * p[:, 1]),
        "sin_x1": Feature("sin x₁", lambda p: np.sin(p[:, 0])),
        "sin_x2": Feature("sin x₂", lambda p: np.sin(p[:, 1])),
    }
)
"""TF Playground's ``INPUTS`` (src/playground.ts), in its order: name -> (label, function)."""

TF_FEATURE_NAMES: Mapping[str, str] = types.MappingProxyType(
    {
        "x": "x1",
        "y": "x2",
        "xSquared": "x1^2",
        "ySquared": "x2^2",
        "xTimesY": "x1*x2",
        "sinX": "sin_x1",
        "sinY": "sin_x2",
    }
)
"""TF Playground's input names (as in its URL hash) -> ours."""

DEFAULT_FEATURES = ("x1", "x2")
"""TF Playground's default: only x₁ and x₂ switched on."""


def check_features(features: Sequence[str]) -> tuple[str, ...]:
    """Validate a choice of 2-D features and put it in ``FEATURES`` order (so the order of clicks
    does not change the network)."""
    if isinstance(features, str):
        features = (features,)
    try:
        chosen = list(features)
    except TypeError:
        raise DataError(
            "features must be a list of feature names, got {features!r}.", features=features
        ) from None
    unknown = [f for f in chosen if not isinstance(f, str) or f not in FEATURES]
    if unknown:
        raise DataError(
            "Unknown input feature(s) {unknown!r}; choose from: {known}.",
            unknown=unknown,
            known=", ".join(FEATURES),
        )
    if not chosen:
        raise DataError("Switch on at least one input feature.")
    return tuple(name for name in FEATURES if name in chosen)


class FeatureTransform:
    """Raw dataset columns -> network inputs: the chosen 2-D features, then the other raw columns.

    ``fit`` on the training rows only (so no test statistics leak into training); ``transform`` any rows.
    With ``standardize`` each output column becomes (v − mean) / std with the training mean and
    population std; a constant column (std = 0) is only centred, never divided by zero.
    """

    def __init__(self, features: Sequence[str] = DEFAULT_FEATURES, standardize: bool = False):
        self.features = check_features(features)
        self.standardize = bool(standardize)
        self.view_columns: tuple[int, int] = (0, 1)
        self.n_raw: int | None = None
        self.extra_columns: tuple[int, ...] = ()
        self.extra_names: tuple[str, ...] = ()
        self.raw_mean_: np.ndarray | None = None
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def __repr__(self) -> str:
        return f"FeatureTransform(features={self.features!r}, standardize={self.standardize!r})"

    # -- fitting -----------------------------------------------------------------------------------
    def fit(
        self,
        X_train_raw: np.ndarray,
        view_columns: tuple[int, int] = (0, 1),
        feature_names: Sequence[str] | None = None,
    ) -> FeatureTransform:
        """Learn the column layout (and, if standardizing, the statistics) from the training rows.

        ``feature_names`` (the dataset's) name the extra raw columns in ``output_names``.
        """
        X = self._as_table(X_train_raw, "X_train_raw")
        if X.shape[0] == 0:
            raise DataError("Cannot fit the feature transform on an empty training set.")
        n_raw = X.shape[1]
        if n_raw < 2:
            raise DataError(
                "A dataset needs at least two columns for the 2-D view, got {n_raw}.", n_raw=n_raw
            )
        try:
            view = tuple(int(c) for c in view_columns)
        except (TypeError, ValueError):
            view = ()
        if len(view) != 2 or view[0] == view[1] or not all(0 <= c < n_raw for c in view):
            raise DataError(
                "view_columns must be two different column numbers in 0..{top}, got {view_columns!r}.",
                top=n_raw - 1,
                view_columns=view_columns,
            )
        self.view_columns = view
        self.n_raw = n_raw
        self.extra_columns = tuple(c for c in range(n_raw) if c not in view)
        if feature_names is not None and len(feature_names) == n_raw:
            self.extra_names = tuple(str(feature_names[c]) for c in self.extra_columns)
        else:
            self.extra_names = tuple(f"column {c + 1}" for c in self.extra_columns)
        self.raw_mean_ = X.mean(axis=0)
        raw = self._unscaled(X)
        if self.standardize:
            mean = raw.mean(axis=0)
            std = raw.std(axis=0)
            # A (nearly) constant column is only centred: dividing by ~0 would blow it up.
            tiny = std <= 1e-12 * np.maximum(1.0, np.abs(mean))
            self.mean_, self.scale_ = mean, np.where(tiny, 1.0, std)
        else:
            self.mean_ = np.zeros(raw.shape[1])
            self.scale_ = np.ones(raw.shape[1])
        return self

    @property
    def fitted(self) -> bool:
        return self.n_raw is not None

    def _require_fit(self) -> None:
        if not self.fitted:
            raise DataError("The feature transform is not fitted yet: call fit(X_train) first.")

    # -- shape -------------------------------------------------------------------------------------
    @property
    def n_outputs(self) -> int:
        """Number of network inputs: the chosen 2-D features plus the extra raw columns."""
        self._require_fit()
        return len(self.features) + len(self.extra_columns)

    @property
    def output_names(self) -> tuple[str, ...]:
        """Labels of the network inputs, in order (2-D feature labels, then raw column names)."""
        self._require_fit()
        return tuple(FEATURES[f].label for f in self.features) + self.extra_names

    # -- applying ----------------------------------------------------------------------------------
    @staticmethod
    def _as_table(X, what: str) -> np.ndarray:
        try:
            X = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError):
            raise DataError("{what} must be a numeric table.", what=what) from None
        if X.ndim != 2:
            raise DataError(
                "{what} must be a table (2-D array), got shape {shape}.", what=what, shape=X.shape
            )
        return X

    def _unscaled(self, X: np.ndarray) -> np.ndarray:
        points = X[:, list(self.view_columns)]
        cols = [FEATURES[f].fn(points) for f in self.features]
        cols.extend(X[:, c] for c in self.extra_columns)
        return np.column_stack(cols).astype(np.float64, copy=False)

    def transform(self, X_raw: np.ndarray) -> np.ndarray:
        """Network inputs (n, ``n_outputs``) for raw rows (n, n_raw) of the dataset."""
        self._require_fit()
        X = self._as_table(X_raw, "X_raw")
        if X.shape[1] != self.n_raw:
            raise DataError(
                "Expected rows with {n_raw} columns (as in fit), got {n}.", n_raw=self.n_raw, n=X.shape[1]
            )
        out = self._unscaled(X)
        if self.standardize:
            out = (out - self.mean_) / self.scale_
        return out

    def fit_transform(
        self, X_train_raw: np.ndarray, view_columns: tuple[int, int] = (0, 1), feature_names=None
    ) -> np.ndarray:
        return self.fit(X_train_raw, view_columns, feature_names).transform(X_train_raw)

    def grid_inputs(self, points2d: np.ndarray, X_train_raw: np.ndarray | None = None) -> np.ndarray:
        """Raw rows for points of the 2-D view (e.g. a decision-boundary grid).

        The view columns take the points' coordinates; every other column is held at its training mean
        (from ``X_train_raw`` if given, else from ``fit``), so ``transform(grid_inputs(points))`` gives
        the network inputs of the slice of feature space the view shows.
        """
        points = self._as_table(points2d, "points2d")
        if points.shape[1] != 2:
            raise DataError(
                "points2d must have two columns (x₁, x₂), got shape {points_shape}.",
                points_shape=points.shape,
            )
        if X_train_raw is not None:
            X = self._as_table(X_train_raw, "X_train_raw")
            if X.shape[0] == 0:
                raise DataError("X_train_raw is empty: the grid needs the training rows' means.")
            mean = X.mean(axis=0)
        else:
            self._require_fit()
            mean = self.raw_mean_
        if self.fitted and mean.shape[0] != self.n_raw:
            raise DataError(
                "Expected rows with {n_raw} columns (as in fit), got {n}.", n_raw=self.n_raw, n=mean.shape[0]
            )
        rows = np.tile(mean, (points.shape[0], 1))
        rows[:, self.view_columns[0]] = points[:, 0]
        rows[:, self.view_columns[1]] = points[:, 1]
        return rows
