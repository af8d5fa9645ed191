"""Helpers to read the data and encodings out of an Altair chart's Vega-Lite dict."""

from __future__ import annotations


def spec(chart) -> dict:
    return chart.to_dict()


def datasets(chart) -> dict[str, list[dict]]:
    """Every named dataset of the chart (Altair moves DataFrame data into top-level ``datasets``)."""
    return spec(chart).get("datasets", {})


def rows(chart) -> list[dict]:
    """All rows of the chart's top-level data (or of its only dataset)."""
    d = spec(chart)
    name = d.get("data", {}).get("name")
    if name is not None:
        return d["datasets"][name]
    if "values" in d.get("data", {}):
        return d["data"]["values"]
    sets = d.get("datasets", {})
    assert len(sets) == 1, f"expected one dataset, got {list(sets)}"
    return next(iter(sets.values()))
