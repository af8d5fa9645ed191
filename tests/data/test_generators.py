"""The built-in datasets: registry, shapes, label balance, value ranges, seeds and noise."""

from __future__ import annotations

import gzip
import math

import numpy as np
import pytest

from playground.data import (
    DATASETS,
    IRIS_FEATURES,
    IRIS_SPECIES,
    PLANE,
    Dataset,
    DatasetSpec,
    make_dataset,
)
from playground.data.iris import iris_path
from playground.errors import DataError

GENERATED = [name for name, spec in DATASETS.items() if spec.synthetic]
CLASSIFY = [n for n in GENERATED if DATASETS[n].task != "regression"]
REGRESS = [n for n in GENERATED if DATASETS[n].task == "regression"]


def test_registry_names_and_order():
    assert list(DATASETS) == [
        "circle",
        "xor",
        "xor-table",
        "gauss",
        "spiral",
        "moons",
        "spiral3",
        "reg-plane",
        "reg-gauss",
        "iris",
    ]
    for name, spec in DATASETS.items():
        assert isinstance(spec, DatasetSpec)
        assert spec.name == name
        assert spec.label and spec.description and spec.source
        assert spec.task in ("binary", "multiclass", "regression")
        assert callable(spec.make)
    with pytest.raises(TypeError):
        DATASETS["new"] = DATASETS["circle"]  # read-only


@pytest.mark.parametrize("name", list(DATASETS))
def test_default_dataset_is_well_formed(name):
    ds = make_dataset(name)
    spec = DATASETS[name]
    assert isinstance(ds, Dataset)
    assert ds.name == name
    assert ds.task == spec.task
    assert ds.X.dtype == np.float64 and ds.X.ndim == 2 and ds.X.flags.c_contiguous
    assert np.isfinite(ds.X).all() and np.isfinite(ds.y).all()
    assert len(ds.feature_names) == ds.X.shape[1]
    if spec.synthetic:
        assert ds.X.shape == (500, 2)
        assert ds.domain == (((-0.5, 1.5), (-0.5, 1.5)) if name == "xor-table" else (PLANE, PLANE))
    if ds.task == "regression":
        assert ds.y.dtype == np.float64 and ds.class_names == () and ds.n_classes == 0
    else:
        assert ds.y.dtype == np.int64
        assert ds.n_classes == len(ds.class_names) >= 2
        assert set(np.unique(ds.y)) == set(range(ds.n_classes))
    assert not ds.X.flags.writeable and not ds.y.flags.writeable


@pytest.mark.parametrize("name", GENERATED)
@pytest.mark.parametrize("n", [10, 11, 333, 5000])
def test_sample_count_is_exact(name, n):
    ds = make_dataset(name, n_samples=n, noise=25, seed=3)
    assert ds.X.shape == (n, 2) and ds.y.shape == (n,)


@pytest.mark.parametrize("name", GENERATED)
def test_seed_reproducible_and_seeds_differ(name):
    a = make_dataset(name, noise=20, seed=7)
    b = make_dataset(name, noise=20, seed=7)
    c = make_dataset(name, noise=20, seed=8)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("name", GENERATED)
def test_noise_changes_the_data(name):
    clean = make_dataset(name, noise=0, seed=1)
    noisy = make_dataset(name, noise=50, seed=1)
    changed = not np.array_equal(clean.X, noisy.X) or not np.array_equal(clean.y, noisy.y)
    assert changed
    if name in ("gauss", "moons"):  # noise spreads the points
        assert noisy.X.std() > clean.X.std()


def _sorted_rows(ds):
    order = np.lexsort((ds.y, *ds.X.T))
    return ds.X[order], ds.y[order]


@pytest.mark.parametrize("name", ["circle", "xor", "reg-plane", "reg-gauss"])
def test_tf_label_noise_flips_labels_not_points(name):
    """In TF Playground noise on these problems jitters where the label is read, not the point."""
    clean = make_dataset(name, noise=0, seed=4)
    noisy = make_dataset(name, noise=40, seed=4)
    X0, y0 = _sorted_rows(clean)
    X1, y1 = _sorted_rows(noisy)
    assert np.all(np.abs(X0) <= 6.0) and np.all(np.abs(X1) <= 6.0)
    assert not np.array_equal(y0, y1) or not np.array_equal(X0, X1)


@pytest.mark.parametrize("name", ["circle", "gauss", "spiral", "moons"])
def test_binary_balance_is_exact_without_noise(name):
    for n in (500, 501):
        ds = make_dataset(name, n_samples=n, noise=0, seed=0)
        counts = np.bincount(ds.y, minlength=2)
        assert sorted(counts) == [n // 2, n - n // 2]


def test_xor_balance_is_about_half():
    ds = make_dataset("xor", n_samples=5000, noise=0, seed=0)
    assert abs(ds.y.mean() - 0.5) < 0.03


def test_spiral3_has_three_equal_arms():
    for n in (500, 501, 502):
        ds = make_dataset("spiral3", n_samples=n, seed=0)
        counts = np.bincount(ds.y, minlength=3)
        assert counts.max() - counts.min() <= 1 and counts.sum() == n
    assert ds.task == "multiclass" and ds.n_classes == 3


def test_circle_geometry_matches_tf():
    ds = make_dataset("circle", n_samples=2000, noise=0, seed=0)
    r = np.hypot(*ds.X.T)
    assert r.max() <= 5.0
    assert np.all(r[ds.y == 1] < 2.5)  # blue disc of radius 0.5·5
    assert np.all(r[ds.y == 0] >= 3.5)  # orange ring from 0.7·5 to 5


def test_xor_geometry_matches_tf():
    ds = make_dataset("xor", n_samples=2000, noise=0, seed=0)
    assert np.all(np.abs(ds.X) >= 0.3) and np.all(np.abs(ds.X) <= 5.3)  # padding 0.3
    same_sign = ds.X[:, 0] * ds.X[:, 1] >= 0
    np.testing.assert_array_equal(ds.y, same_sign.astype(np.int64))


def test_gauss_centres_and_variance_match_tf():
    for noise, variance in ((0, 0.5), (50, 4.0), (20, 0.5 + 7 * 0.2)):
        ds = make_dataset("gauss", n_samples=5000, noise=noise, seed=0)
        blue, orange = ds.X[ds.y == 1], ds.X[ds.y == 0]
        np.testing.assert_allclose(blue.mean(axis=0), [2, 2], atol=0.15)
        np.testing.assert_allclose(orange.mean(axis=0), [-2, -2], atol=0.15)
        np.testing.assert_allclose(blue.var(axis=0), [variance, variance], rtol=0.1)


def test_spiral_without_noise_is_tf_formula():
    ds = make_dataset("spiral", n_samples=500, noise=0, seed=0)
    m = 250
    i = np.arange(m)
    r = i / m * 5
    for label, delta in ((1, 0.0), (0, math.pi)):
        t = 1.75 * i / m * 2 * math.pi + delta
        expected = np.column_stack([r * np.sin(t), r * np.cos(t)])
        got = ds.X[ds.y == label]
        np.testing.assert_allclose(np.sort(got, axis=0), np.sort(expected, axis=0), atol=1e-12)


def test_spiral_noise_is_bounded_by_tf_scale():
    clean = make_dataset("spiral", noise=0, seed=0)
    noisy = make_dataset("spiral", noise=50, seed=0)
    assert np.abs(noisy.X).max() <= np.abs(clean.X).max() + 0.5


def test_moons_is_sklearn_scaled():
    ds = make_dataset("moons", n_samples=200, noise=0, seed=0)
    unscaled = ds.X / 3.0 + np.array([0.5, 0.25])
    upper, lower = unscaled[ds.y == 0], unscaled[ds.y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, atol=1e-12)  # unit half circle
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, atol=1e-12)
    assert np.all(upper[:, 1] >= -1e-12) and np.all(lower[:, 1] <= 0.5 + 1e-12)
    assert np.all(np.abs(ds.X) <= 6.0)


def test_spiral3_geometry():
    ds = make_dataset("spiral3", n_samples=300, noise=0, seed=0)
    r = np.hypot(*ds.X.T)
    assert r.max() == pytest.approx(5.0)
    assert np.all(np.abs(ds.X) <= 6.0)


def test_regression_targets_match_tf_formulas():
    plane = make_dataset("reg-plane", n_samples=1000, noise=0, seed=0)
    np.testing.assert_allclose(plane.y, plane.X.sum(axis=1) / 10)
    assert np.all(np.abs(plane.X) <= 6.0)
    gauss = make_dataset("reg-gauss", n_samples=2000, noise=0, seed=0)
    assert gauss.y.min() >= -1 and gauss.y.max() <= 1
    # At a bump's centre the target is its sign; far from all bumps it is 0.
    near = np.hypot(gauss.X[:, 0] + 4, gauss.X[:, 1] - 2.5) < 0.2
    assert np.all(gauss.y[near] > 0.85)
    far = np.hypot(gauss.X[:, 0], gauss.X[:, 1]) < 0.4  # ≥ 2.1 from every centre
    assert np.all(gauss.y[far] == 0)


@pytest.mark.parametrize("name", REGRESS)
def test_regression_value_range_with_noise(name):
    ds = make_dataset(name, noise=50, seed=2)
    assert np.abs(ds.y).max() <= 1.8 + 1e-12


def test_class_mapping_documented_as_tf_minus_one_is_class_zero():
    for name in ("circle", "xor", "gauss", "spiral"):
        assert make_dataset(name).class_names == ("−1", "+1")


def test_iris():
    ds = make_dataset("iris")
    assert ds.X.shape == (150, 4) and ds.task == "multiclass"
    assert ds.feature_names == IRIS_FEATURES and ds.class_names == IRIS_SPECIES
    np.testing.assert_array_equal(np.bincount(ds.y), [50, 50, 50])
    np.testing.assert_array_equal(ds.X[0], [5.1, 3.5, 1.4, 0.2])
    assert ds.view_columns == (2, 3)
    assert ds.domain is None
    (x0, x1), (y0, y1) = ds.view_domain()
    assert x0 < 1.0 < 6.9 < x1 and y0 < 0.1 < 2.5 < y1
    # n_samples, noise and seed are ignored; view_columns chooses any two features.
    other = make_dataset("iris", n_samples=20, noise=50, seed=9, view_columns=(1, 0))
    np.testing.assert_array_equal(other.X, ds.X)
    assert other.view_columns == (1, 0)
    assert other.view_names == ("sepal width", "sepal length")
    np.testing.assert_array_equal(other.view_points, ds.X[:, [1, 0]])


def test_iris_matches_plotly_copy():
    text = gzip.decompress(iris_path().read_bytes()).decode()
    lines = text.strip().splitlines()[1:]
    ds = make_dataset("iris")
    assert len(lines) == 150
    for row, line in zip(ds.X, lines, strict=True):
        np.testing.assert_array_equal(row, [float(v) for v in line.split(",")[:4]])


@pytest.mark.parametrize("view", [(0, 0), (0, 4), (-1, 2), (1,), "ab", None])
def test_iris_bad_view_columns(view):
    with pytest.raises(DataError, match="two different Iris features"):
        make_dataset("iris", view_columns=view)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "circles"}, "Unknown dataset 'circles'; choose one of: circle, xor"),
        ({"name": None}, "Unknown dataset"),
        ({"name": "circle", "noise": -1}, "Noise must be from 0 to 50 percent"),
        ({"name": "circle", "noise": 50.5}, "Noise must be from 0 to 50 percent"),
        ({"name": "circle", "noise": math.nan}, "Noise must be from 0 to 50 percent"),
        ({"name": "circle", "noise": "10"}, "Noise must be a number"),
        ({"name": "circle", "n_samples": 9}, "from 10 to 5000"),
        ({"name": "circle", "n_samples": 5001}, "from 10 to 5000"),
        ({"name": "circle", "n_samples": 100.5}, "whole number from 10 to 5000"),
        ({"name": "circle", "n_samples": True}, "whole number"),
        ({"name": "circle", "seed": -1}, "seed must be a whole number"),
        ({"name": "circle", "seed": 1.5}, "seed must be a whole number"),
        ({"name": "circle", "view_columns": (0, 1)}, "has no option"),
        ({"name": "iris", "noise": 80}, "Noise must be from 0 to 50"),
    ],
)
def test_make_dataset_rejects_bad_input(kwargs, message):
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make_dataset(**kwargs)


def test_limits_are_inclusive_and_numpy_numbers_work():
    assert make_dataset("xor", n_samples=10, noise=50).X.shape == (10, 2)
    assert (
        make_dataset("xor", n_samples=np.int64(5000), noise=np.float64(0.0), seed=np.int32(3)).n_samples
        == 5000
    )
    assert make_dataset("xor", n_samples=20.0).n_samples == 20


def test_spec_make_equals_make_dataset():
    for name, spec in DATASETS.items():
        a = spec.make(n_samples=100, noise=10, seed=5)
        b = make_dataset(name, n_samples=100, noise=10, seed=5)
        np.testing.assert_array_equal(a.X, b.X)
        np.testing.assert_array_equal(a.y, b.y)
    assert DATASETS["reg-plane"].default_samples == 1200  # TF's NUM_SAMPLES_REGRESS
    assert DATASETS["circle"].default_samples == 500  # TF's NUM_SAMPLES_CLASSIFY


def test_xor_table_is_the_truth_table_in_clusters():
    ds = make_dataset("xor-table", n_samples=400, noise=0, seed=1)
    corners = np.rint(ds.X)
    assert set(map(tuple, corners)) == {(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)}
    np.testing.assert_array_equal(ds.y, (corners[:, 0] != corners[:, 1]).astype(int))
    assert np.bincount(ds.y).tolist() == [200, 200]
    assert np.abs(ds.X - corners).max() <= 0.15
    noisy = make_dataset("xor-table", n_samples=400, noise=20, seed=1)
    assert np.abs(noisy.X - np.rint(noisy.X)).max() > 0.15
