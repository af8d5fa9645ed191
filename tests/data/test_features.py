"""Feature transforms: the seven TF Playground inputs, standardization and decision-boundary grids."""

from __future__ import annotations

import numpy as np
import pytest

from playground.data import (
    DEFAULT_FEATURES,
    FEATURES,
    TF_FEATURE_NAMES,
    FeatureTransform,
    make_dataset,
    split_dataset,
)
from playground.errors import DataError

PTS = np.array([[1.0, 2.0], [-3.0, 0.5], [0.0, -1.0]])


def test_registry():
    assert list(FEATURES) == ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin_x1", "sin_x2"]
    assert [f.label for f in FEATURES.values()] == ["x₁", "x₂", "x₁²", "x₂²", "x₁·x₂", "sin x₁", "sin x₂"]
    label, fn = FEATURES["x1*x2"]  # unpacks as (label, function)
    np.testing.assert_array_equal(fn(PTS), [2.0, -1.5, -0.0])
    assert set(TF_FEATURE_NAMES.values()) == set(FEATURES)
    assert DEFAULT_FEATURES == ("x1", "x2")


def test_each_feature_formula():
    x, y = PTS.T
    expected = {
        "x1": x,
        "x2": y,
        "x1^2": x**2,
        "x2^2": y**2,
        "x1*x2": x * y,
        "sin_x1": np.sin(x),
        "sin_x2": np.sin(y),
    }
    ft = FeatureTransform(tuple(FEATURES)).fit(PTS)
    out = ft.transform(PTS)
    assert out.shape == (3, 7) and ft.n_outputs == 7
    for k, name in enumerate(FEATURES):
        np.testing.assert_allclose(out[:, k], expected[name])
    assert ft.output_names == tuple(f.label for f in FEATURES.values())


def test_order_is_canonical_and_duplicates_collapse():
    ft = FeatureTransform(("sin_x2", "x1", "x1")).fit(PTS)
    assert ft.features == ("x1", "sin_x2")
    np.testing.assert_allclose(ft.transform(PTS), np.column_stack([PTS[:, 0], np.sin(PTS[:, 1])]))


@pytest.mark.parametrize(("features", "message"), [((), "at least one"), (("x3",), "Unknown input feature")])
def test_bad_features(features, message):
    with pytest.raises(DataError, match=message):
        FeatureTransform(features)


def test_standardization_uses_training_statistics_only():
    ds = make_dataset("gauss", n_samples=400, noise=30, seed=0)
    sp = split_dataset(ds, 0.5, seed=0)
    ft = FeatureTransform(("x1", "x2", "x1*x2"), standardize=True).fit(sp.X_train)
    train = ft.transform(sp.X_train)
    np.testing.assert_allclose(train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(train.std(axis=0), 1, atol=1e-12)
    test = ft.transform(sp.X_test)
    raw = FeatureTransform(("x1", "x2", "x1*x2")).fit(sp.X_train)
    expected = (raw.transform(sp.X_test) - raw.transform(sp.X_train).mean(0)) / raw.transform(sp.X_train).std(
        0
    )
    np.testing.assert_allclose(test, expected)


def test_constant_feature_is_centred_not_divided_by_zero():
    X = np.column_stack([np.linspace(-1, 1, 10), np.full(10, 3.0)])
    ft = FeatureTransform(("x1", "x2", "x2^2"), standardize=True).fit(X)
    out = ft.transform(X)
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(out[:, 1:], 0.0)
    out2 = ft.transform(np.array([[0.0, 4.0]]))
    np.testing.assert_allclose(out2[0, 1], 1.0)  # shifted, scale 1


def test_without_standardization_is_identity_on_x():
    X = np.random.default_rng(0).normal(size=(20, 2))
    np.testing.assert_array_equal(FeatureTransform().fit(X).transform(X), X)


def test_more_than_two_columns_keep_the_extra_raw_columns():
    ds = make_dataset("iris", view_columns=(2, 3))
    sp = split_dataset(ds, 0.6, seed=0)
    ft = FeatureTransform(("x1", "x1^2")).fit(sp.X_train, ds.view_columns, ds.feature_names)
    assert ft.n_outputs == 4
    assert ft.output_names == ("x₁", "x₁²", "sepal length", "sepal width")
    out = ft.transform(sp.X_test)
    np.testing.assert_array_equal(out[:, 0], sp.X_test[:, 2])
    np.testing.assert_array_equal(out[:, 1], sp.X_test[:, 2] ** 2)
    np.testing.assert_array_equal(out[:, 2:], sp.X_test[:, :2])
    assert FeatureTransform().fit(sp.X_train, (2, 3)).output_names[2:] == ("column 1", "column 2")


def test_grid_inputs_hold_other_columns_at_training_mean():
    ds = make_dataset("iris", view_columns=(3, 0))
    sp = split_dataset(ds, 0.5, seed=0)
    ft = FeatureTransform(("x1", "x2", "x1*x2"), standardize=True).fit(sp.X_train, ds.view_columns)
    grid = np.array([[0.5, 5.0], [2.0, 7.0]])
    rows = ft.grid_inputs(grid, sp.X_train)
    mean = sp.X_train.mean(axis=0)
    np.testing.assert_array_equal(rows[:, 3], grid[:, 0])
    np.testing.assert_array_equal(rows[:, 0], grid[:, 1])
    np.testing.assert_array_equal(rows[:, [1, 2]], np.tile(mean[[1, 2]], (2, 1)))
    np.testing.assert_array_equal(ft.grid_inputs(grid), rows)  # fitted means by default
    assert ft.transform(rows).shape == (2, ft.n_outputs)


def test_grid_inputs_for_2d_data_are_the_points():
    ds = make_dataset("circle", n_samples=50)
    ft = FeatureTransform(("x1^2", "x2^2")).fit(ds.X)
    xs = np.linspace(-6, 6, 5)
    points = np.array([[a, b] for b in xs for a in xs])
    np.testing.assert_array_equal(ft.grid_inputs(points, ds.X), points)
    np.testing.assert_allclose(ft.transform(ft.grid_inputs(points)), points**2)


def test_misuse_raises_data_error():
    ft = FeatureTransform()
    with pytest.raises(DataError, match="not fitted"):
        ft.transform(PTS)
    with pytest.raises(DataError, match="not fitted"):
        _ = ft.n_outputs
    with pytest.raises(DataError, match="view_columns"):
        ft.fit(PTS, (0, 2))
    with pytest.raises(DataError, match="empty"):
        ft.fit(np.zeros((0, 2)))
    ft.fit(PTS)
    with pytest.raises(DataError, match="2 columns"):
        ft.transform(np.zeros((3, 3)))
    with pytest.raises(DataError, match="two columns"):
        ft.grid_inputs(np.zeros((3, 3)))


def test_empty_parts_transform_to_empty_tables():
    ds = make_dataset("iris")
    ft = FeatureTransform(("x1", "sin_x2"), standardize=True).fit(ds.X, ds.view_columns)
    assert ft.transform(np.zeros((0, 4))).shape == (0, 4)
