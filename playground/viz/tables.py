"""Small helpers shared by the Altair charts: clean numbers and the tables handed to Vega-Lite.

Charts take their data as a pandas DataFrame, not inline ``values``: Streamlit then ships the table as
Arrow beside a small spec, and Altair does not schema-validate every row (with 1,000 inline rows,
building and converting a chart costs ~100 ms instead of ~3 ms).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd


def number(v) -> float | None:
    """``v`` as a finite float, or None (missing split, diverged run, NaN)."""
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def frame(rows: Sequence[dict], columns: Sequence[str]) -> pd.DataFrame:
    """The chart's table, with ``columns`` present even when there are no rows."""
    return pd.DataFrame(list(rows), columns=list(columns))
