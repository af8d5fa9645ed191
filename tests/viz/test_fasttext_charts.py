"""The fastText lab's charts: built from the lab's data, in both languages; the tree lights exactly
the path it is given; collided features are marked; the sweep draws the three measures per bucket."""

from __future__ import annotations

import numpy as np
import pytest

from playground import i18n
from playground.lessons.fasttext import (
    FastTextRun,
    Settings,
    Split,
    Sweep,
    explain,
    shipped_lines,
    tree_layout,
)
from playground.viz.fasttext import (
    confusion_chart,
    contributions_chart,
    curves_chart,
    filters_chart,
    sweep_chart,
    tree_chart,
)


@pytest.fixture(scope="module")
def hs_run():
    return FastTextRun(
        Split.make(shipped_lines("en")), Settings(loss="hierarchical_softmax", epochs=2)
    ).train_all()


def datasets(chart) -> list:
    spec = chart.to_dict()
    return [v for v in spec.get("datasets", {}).values()]


def test_curves_and_confusion(hs_run):
    spec = curves_chart(hs_run.history, "acc").to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert len(rows) == 2 * len(hs_run.history)
    m = hs_run.test_metrics()
    rows = datasets(confusion_chart(m["confusion"], hs_run.labels))[0]
    assert sum(r["n"] for r in rows) == m["n_test"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_tree_lights_the_given_path(hs_run, lang):
    layout = tree_layout(hs_run)
    e = explain(hs_run, "the soup was not good")
    K = len(hs_run.labels)
    label = 5
    lit = [K + s.node for s in e.paths[label]] + [label]
    with i18n.using(lang):
        chart = tree_chart(layout, lit, {K + s.node: f"σ={s.prob:.2f}" for s in e.paths[label]})
    data = datasets(chart)
    edges = next(d for d in data if d and "x2" in d[0])
    assert sum(r["lit"] for r in edges) == len(e.paths[label])  # one edge per step of the path
    nodes = next(d for d in data if d and "leaf" in d[0] and len(d) == 2 * K - 1)
    assert sum(r["lit"] for r in nodes) == len(lit)


def test_contributions_mark_collisions(hs_run):
    chart = contributions_chart(
        ["a", "b c"], ["n0", "n1"], np.array([[0.5, -0.5], [0.1, 0.2]]), [False, True]
    )
    rows = datasets(chart)[0]
    assert {r["feature"] for r in rows} == {"1. a", "2. b c ⚠"}


def test_sweep_and_filters_charts():
    split = Split.make(shipped_lines("en"))
    sweep = Sweep(split, Settings(epochs=1), buckets=(16, 64)).run_all()
    with i18n.using("zh"):
        spec = sweep_chart(sweep.rows).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert len(rows) == 3 * 2 and {r["what"] for r in rows} == {
        "全部测试文本",
        "否定句（测试集）",
        "共用桶的 n-gram",
    }
    chart = filters_chart([{"filter": "w2·0", "width": 2, "ngram": "not good", "value": 1.5}])
    assert datasets(chart)[0][0]["ngram"] == "not good"
