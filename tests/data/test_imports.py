"""The data package's public API. (That importing it loads nothing but NumPy and the standard
library is checked statically by ``tests/test_layering.py``.)"""

from __future__ import annotations


def test_public_api_is_exported():
    import playground.data as data

    for name in data.__all__:
        assert hasattr(data, name), name
    for name in (
        "Dataset",
        "DATASETS",
        "DatasetSpec",
        "make_dataset",
        "split_dataset",
        "Split",
        "FEATURES",
        "FeatureTransform",
        "parse_csv",
        "CsvLimits",
        "MAX_UPLOAD_MB",
        "grid_axes",
        "grid_points",
        "predict_grid",
    ):
        assert name in data.__all__


def test_iris_is_read_from_plotlys_file_without_importing_plotly(monkeypatch):
    """The one thing the static check cannot see: reading the data runs no import of plotly or pandas."""
    import builtins

    from playground.data import make_dataset
    from playground.data.iris import load_iris

    real_import = builtins.__import__

    def guarded(name, *args, **kwargs):
        assert name.split(".")[0] not in ("plotly", "pandas"), f"imported {name}"
        return real_import(name, *args, **kwargs)

    load_iris.cache_clear()
    monkeypatch.setattr(builtins, "__import__", guarded)
    assert make_dataset("iris").X.shape == (150, 4)
