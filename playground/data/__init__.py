"""Everything about data: generators, the Iris data, splits, feature transforms and CSV upload.

No Streamlit here (a test checks): the UI reads its choices from the registries ``DATASETS`` and
``FEATURES`` and calls these functions; every data problem raises ``playground.errors.DataError``.

Typical use::

    ds = make_dataset("spiral", n_samples=500, noise=10, seed=0)
    split = split_dataset(ds, train_fraction=0.5, val_fraction=0.0, seed=0)
    ft = FeatureTransform(("x1", "x2", "sin_x1"), standardize=True).fit(split.X_train, ds.view_columns)
    inputs = ft.transform(split.X_train)                        # (n_train, ft.n_outputs)
    grid = ft.transform(ft.grid_inputs(points2d, split.X_train))  # network inputs for a 2-D grid
"""

from playground.data.csv_upload import MAX_UPLOAD_MB, CsvLimits, parse_csv
from playground.data.dataset import TASKS, Dataset, Split, split_dataset
from playground.data.features import (
    DEFAULT_FEATURES,
    FEATURES,
    TF_FEATURE_NAMES,
    Feature,
    FeatureTransform,
    check_features,
)
from playground.data.generators import (
    DATASETS,
    N_SAMPLES_DEFAULT,
    N_SAMPLES_MAX,
    N_SAMPLES_MIN,
    NOISE_MAX,
    PLANE,
    DatasetSpec,
    make_circle,
    make_dataset,
    make_gauss,
    make_iris,
    make_moons,
    make_reg_gauss,
    make_reg_plane,
    make_spiral,
    make_spiral3,
    make_xor,
)
from playground.data.grid import grid_axes, grid_points, predict_grid
from playground.data.iris import IRIS_FEATURES, IRIS_SPECIES, load_iris

__all__ = [
    "DATASETS",
    "DEFAULT_FEATURES",
    "FEATURES",
    "IRIS_FEATURES",
    "IRIS_SPECIES",
    "MAX_UPLOAD_MB",
    "NOISE_MAX",
    "N_SAMPLES_DEFAULT",
    "N_SAMPLES_MAX",
    "N_SAMPLES_MIN",
    "PLANE",
    "TASKS",
    "TF_FEATURE_NAMES",
    "CsvLimits",
    "Dataset",
    "DatasetSpec",
    "Feature",
    "FeatureTransform",
    "Split",
    "check_features",
    "grid_axes",
    "grid_points",
    "load_iris",
    "make_circle",
    "make_dataset",
    "make_gauss",
    "make_iris",
    "make_moons",
    "make_reg_gauss",
    "make_reg_plane",
    "make_spiral",
    "make_spiral3",
    "make_xor",
    "parse_csv",
    "predict_grid",
    "split_dataset",
]
