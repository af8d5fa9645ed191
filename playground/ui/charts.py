"""Cheap live charts: a Vega-Lite spec built once (from a ``playground.viz`` Altair chart) and fed new
data every tick, so the browser updates the view's data instead of re-mounting the chart, and the
server skips Altair's schema validation (tens of ms) on every tick.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from playground.i18n import language
from playground.viz.png import data_uri

_SPECS: dict[Hashable, dict[str, Any] | None] = {}
_MAX_SPECS = 256


def _strip_data(spec: dict[str, Any]) -> dict[str, Any] | None:
    """The spec without its top-level data; None if data also sits inside (it cannot be fed then)."""
    spec = dict(spec)
    spec.pop("data", None)
    spec.pop("datasets", None)
    spec.pop("$schema", None)

    def nested(node) -> bool:
        if isinstance(node, dict):
            return "data" in node or any(nested(v) for v in node.values())
        if isinstance(node, list):
            return any(nested(v) for v in node)
        return False

    for key in ("layer", "spec", "concat", "hconcat", "vconcat"):
        if key in spec and nested(spec[key]):
            return None
    return spec


def cached_spec(key: Hashable, build: Callable[[], Any]) -> dict[str, Any] | None:
    """The data-less spec of the chart ``build()`` returns, built once per ``key`` and language (its
    titles are translated; None: not feedable)."""
    key = (key, language())
    spec = _SPECS.get(key)  # shared by every session's thread: never re-read after a write
    if spec is None:
        if len(_SPECS) >= _MAX_SPECS:
            _SPECS.clear()
        spec = _SPECS[key] = _strip_data(build().to_dict())
    return spec


def live_chart(
    key: Hashable,
    build: Callable[[], Any],
    rows: list[dict] | pd.DataFrame | pa.Table,
    width: int | None = None,
    spec: dict[str, Any] | None = None,
) -> None:
    """Draw ``rows`` with the cached spec for ``key``; falls back to the full chart if it cannot be fed.

    ``width`` (px) replaces a "container" width: a chart that sizes itself to its container makes the
    browser re-measure the page on every update, which measured several times costlier while playing.
    """
    spec = spec if spec is not None else cached_spec((key, width), build)
    if spec is None:
        st.altair_chart(build())
        return
    if width is not None and spec.get("width") == "container":
        spec = {**spec, "width": width}  # the cached spec is shared by every session: never mutate it
    # Rows go to the browser as Arrow; building the table straight from the records skips pandas.
    df = rows if isinstance(rows, pd.DataFrame | pa.Table) else pa.Table.from_pylist(rows)
    if width is None and "vconcat" not in spec:
        st.vega_lite_chart(df, spec)
    else:
        st.vega_lite_chart(df, spec, width="content")


def image(rgb: np.ndarray, caption: str | None = None, width: int | str = "content") -> None:
    """A NumPy RGB image as a PNG data URI: no /media/ file, so any replica behind a proxy serves it."""
    st.image(data_uri(rgb), caption=caption, width=width)
