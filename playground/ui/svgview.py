"""Show an SVG document (``playground.viz.svgcharts``) in the page, updated in place every tick.

An ``st.components.v2`` component whose whole code is "put this SVG here": the browser parses the
document natively and React sees one element. Through ``st.markdown`` the same SVG went through the
markdown pipeline and became a React element per line and label, re-rendered on every tick (about
120 ms/s of the browser's main thread for the parse alone while playing). The documents are built
from numbers and escaped words only (``svgcharts`` escapes every label, class names from a CSV
included), so setting them as markup is safe.
"""

from __future__ import annotations

import streamlit as st

_JS = """export default function ({ data, parentElement }) {  // i18n: not text
  const svg = (data && data.svg) || "";
  if (parentElement.__svg !== svg) {
    parentElement.innerHTML = svg;
    parentElement.__svg = svg;
  }
}"""

_view = st.components.v2.component("nn_playground.svg", js=_JS, isolate_styles=False)


def show(svg: str, key: str) -> None:
    """Mount (or update in place) the SVG ``svg`` under the fixed ``key``."""
    _view(key=key, data={"svg": svg}, width="stretch", height="content")
