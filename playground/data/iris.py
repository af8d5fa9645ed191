"""Fisher's Iris data, read offline from the copy that plotly ships (``plotly.data.iris()``).

plotly is a runtime dependency of the app; we read its gzipped CSV directly with the standard library
(plotly's own loader needs pandas, which we do not depend on) and without importing plotly.
"""

from __future__ import annotations

import csv
import functools
import gzip
import importlib.util
import io
from pathlib import Path

import numpy as np

from playground.errors import DataError

IRIS_FEATURES = ("sepal length", "sepal width", "petal length", "petal width")
"""The four measurements, in centimetres, in the order of the columns of ``X``."""

IRIS_SPECIES = ("setosa", "versicolor", "virginica")
"""Class names, in the order of plotly's ``species_id`` (1, 2, 3 → classes 0, 1, 2)."""

_COLUMNS = ["sepal_length", "sepal_width", "petal_length", "petal_width", "species", "species_id"]


def iris_path() -> Path:
    """Where plotly keeps ``iris.csv.gz`` (found without importing plotly)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise DataError("The Iris data ships with plotly, which is not installed: pip install plotly.")
    return Path(next(iter(spec.submodule_search_locations))) / "package_data" / "datasets" / "iris.csv.gz"


@functools.lru_cache(maxsize=1)
def load_iris() -> tuple[np.ndarray, np.ndarray]:
    """``X`` (150, 4) float64 in cm and ``y`` (150,) int64 species indices, read-only, in file order.

    The rows are as plotly (and the UCI repository) ship them, which differ from Fisher's 1936 table
    in two cells (rows 35 and 38, see the UCI errata); we keep plotly's copy so our numbers match
    ``plotly.express.data.iris()``.
    """
    path = iris_path()
    try:
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile) as exc:
        raise DataError(
            "Could not read the Iris data shipped with plotly ({path}): {exc}", path=path, exc=exc
        ) from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or rows[0] != _COLUMNS:
        raise DataError(
            "The Iris file shipped with plotly has unexpected columns: {columns}.", columns=rows[:1]
        )
    try:
        X = np.array([[float(v) for v in row[:4]] for row in rows[1:]], dtype=np.float64)
        y = np.array([int(row[5]) - 1 for row in rows[1:]], dtype=np.int64)
        species = {int(row[5]) - 1: row[4] for row in rows[1:]}
    except (ValueError, IndexError) as exc:
        raise DataError("The Iris file shipped with plotly is damaged: {exc}", exc=exc) from None
    if X.shape != (150, 4) or species != dict(enumerate(IRIS_SPECIES)):
        raise DataError(
            "The Iris file shipped with plotly is not the 150-flower table ({shape}).", shape=X.shape
        )
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y
