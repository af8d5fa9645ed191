"""The data layer stays below the UI: importing it must not pull in Streamlit (or plotting)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_playground_data_does_not_import_streamlit():
    code = (
        "import sys, playground.data\n"
        "heavy = [m for m in ('streamlit', 'plotly', 'altair', 'pandas') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "playground.data.make_dataset('iris')\n"  # reads plotly's data file without importing plotly
        "assert 'plotly' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


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
    ):
        assert name in data.__all__
