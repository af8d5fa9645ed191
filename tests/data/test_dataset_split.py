"""The Dataset container and the seeded, stratified train/validation/test split."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.data import Dataset, Split, make_dataset, split_dataset
from playground.errors import DataError


def _ds(y, task="multiclass", d=2, class_names=None):
    y = np.asarray(y)
    n = len(y)
    X = np.arange(n * d, dtype=float).reshape(n, d)
    if task == "regression":
        return Dataset(X, y.astype(float), task, "t", tuple(f"f{i}" for i in range(d)))
    k = int(y.max()) + 1
    names = class_names or tuple(str(i) for i in range(max(k, 2)))
    return Dataset(X, y, task, "t", tuple(f"f{i}" for i in range(d)), names)


class TestDataset:
    def test_converts_and_freezes(self):
        ds = Dataset([[1, 2], [3, 4]], [0, 1], "binary", "t", ("a", "b"), ("n", "p"))
        assert ds.X.dtype == np.float64 and ds.y.dtype == np.int64
        assert ds.n_classes == 2 and ds.n_samples == 2 and ds.n_features == 2
        with pytest.raises(ValueError):
            ds.X[0, 0] = 5
        with pytest.raises(dataclasses.FrozenInstanceError):
            ds.name = "other"

    def test_with_view_revalidates(self):
        ds = make_dataset("iris")
        assert ds.with_view(0, 3).view_columns == (0, 3)
        with pytest.raises(DataError, match="view_columns"):
            ds.with_view(0, 0)
        with pytest.raises(DataError, match="view_columns"):
            ds.with_view(0, 4)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"task": "clustering"}, "Unknown task"),
            ({"X": np.zeros(3)}, "2-D array"),
            ({"y": [0, 1]}, "shape"),
            ({"feature_names": ("a",)}, "feature names"),
            ({"class_names": ("only",)}, "at least two class names"),
            ({"task": "binary", "class_names": ("a", "b", "c")}, "exactly two"),
            ({"y": [0, 1, 3]}, "0..2"),
            ({"y": [0.5, 1, 2]}, "whole numbers"),
            ({"X": [[0, np.nan], [1, 1], [2, 2]]}, "NaN"),
        ],
    )
    def test_rejects_inconsistent_fields(self, kwargs, message):
        base = dict(
            X=np.zeros((3, 2)),
            y=[0, 1, 2],
            task="multiclass",
            name="t",
            feature_names=("a", "b"),
            class_names=("a", "b", "c"),
        )
        base.update(kwargs)
        with pytest.raises(DataError, match=message):
            Dataset(**base)

    def test_regression_has_no_classes(self):
        with pytest.raises(DataError, match="no class names"):
            Dataset(np.zeros((3, 2)), [0.1, 0.2, 0.3], "regression", "t", ("a", "b"), ("x", "y"))
        ds = Dataset(np.zeros((3, 2)), [0.1, 0.2, 0.3], "regression", "t", ("a", "b"))
        assert ds.n_classes == 0 and not ds.is_classification

    def test_view_domain_of_constant_column(self):
        ds = Dataset(np.ones((3, 2)), [0, 1, 0], "binary", "t", ("a", "b"), ("n", "p"))
        assert ds.view_domain() == ((0.0, 2.0), (0.0, 2.0))


class TestSplit:
    def test_sizes_disjoint_and_complete(self):
        ds = make_dataset("circle", n_samples=500, noise=10, seed=0)
        sp = split_dataset(ds, train_fraction=0.7, val_fraction=0.2, seed=1)
        assert isinstance(sp, Split)
        assert sp.n_train + sp.n_val + sp.n_test == 500
        assert sp.n_train + sp.n_val == 350  # round(500 · 0.7)
        assert sp.n_val == 70  # round(350 · 0.2)
        idx = np.concatenate([sp.train_idx, sp.val_idx, sp.test_idx])
        assert sorted(idx) == list(range(500))
        np.testing.assert_array_equal(sp.X_train, ds.X[sp.train_idx])
        np.testing.assert_array_equal(sp.y_test, ds.y[sp.test_idx])
        assert sp.X_train.flags.writeable  # fresh arrays the caller owns

    def test_stratified(self):
        y = np.array([0] * 300 + [1] * 100 + [2] * 40)
        sp = split_dataset(_ds(y), train_fraction=0.5, val_fraction=0.25, seed=0)
        for part in (sp.y_train, sp.y_val, sp.y_test):
            frac = np.bincount(part, minlength=3) / len(part)
            np.testing.assert_allclose(frac, [300 / 440, 100 / 440, 40 / 440], atol=0.02)

    def test_tiny_classes_keep_one_row_on_each_side(self):
        y = np.array([0] * 50 + [1] * 2 + [2] * 3)
        for frac in (0.1, 0.9):
            sp = split_dataset(_ds(y), train_fraction=frac, seed=0)
            assert set(sp.y_train) == {0, 1, 2} and set(sp.y_test) == {0, 1, 2}

    def test_validation_empty_by_default(self):
        ds = make_dataset("xor", n_samples=100)
        sp = split_dataset(ds)
        assert sp.X_val.shape == (0, 2) and sp.y_val.shape == (0,)
        assert sp.n_train == 50 and sp.n_test == 50  # TF's default ratio 50 %

    def test_regression_split(self):
        ds = make_dataset("reg-plane", n_samples=101)
        sp = split_dataset(ds, train_fraction=0.3, val_fraction=0.5, seed=2)
        assert sp.n_train + sp.n_val == 30 and sp.n_val == 15 and sp.n_test == 71
        assert sp.y_train.dtype == np.float64

    def test_seeded(self):
        ds = make_dataset("spiral", n_samples=200)
        a, b, c = (split_dataset(ds, 0.5, 0.1, seed=s) for s in (3, 3, 4))
        np.testing.assert_array_equal(a.train_idx, b.train_idx)
        np.testing.assert_array_equal(a.val_idx, b.val_idx)
        assert not np.array_equal(a.train_idx, c.train_idx)

    def test_parts_are_shuffled_not_sorted_by_class(self):
        sp = split_dataset(make_dataset("gauss", n_samples=400), seed=0)
        assert 0 < np.count_nonzero(np.diff(sp.y_train)) > 20

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"train_fraction": 0.05}, "train_fraction must be between 0.1 and 0.9"),
            ({"train_fraction": 0.95}, "train_fraction"),
            ({"train_fraction": float("nan")}, "train_fraction"),
            ({"train_fraction": "half"}, "train_fraction must be a number"),
            ({"val_fraction": 0.6}, "val_fraction must be between 0 and 0.5"),
            ({"val_fraction": -0.1}, "val_fraction"),
            ({"seed": -3}, "seed"),
        ],
    )
    def test_rejects_bad_settings(self, kwargs, message):
        with pytest.raises(DataError, match=message):
            split_dataset(make_dataset("xor", n_samples=50), **kwargs)

    @settings(max_examples=60, deadline=None)
    @given(
        counts=st.lists(st.integers(1, 30), min_size=2, max_size=5),
        train=st.floats(0.1, 0.9),
        val=st.floats(0.0, 0.5),
        seed=st.integers(0, 2**32),
    )
    def test_any_split_is_a_partition(self, counts, train, val, seed):
        y = np.repeat(np.arange(len(counts)), counts)
        if max(counts) == 1:
            with pytest.raises(DataError, match="single row"):
                split_dataset(_ds(y), train, val, seed)
            return
        sp = split_dataset(_ds(y), train, val, seed)
        idx = np.concatenate([sp.train_idx, sp.val_idx, sp.test_idx])
        assert sorted(idx) == list(range(len(y)))
        assert sp.n_train >= 1 and sp.n_test >= 1
        for k, c in enumerate(counts):
            assert np.count_nonzero(sp.y_train == k) >= 1  # every class is trained on
            if c >= 2:
                assert np.count_nonzero(sp.y_test == k) >= 1
