"""The word-embedding charts carry the data they are given (read back from the Vega-Lite spec)."""

from __future__ import annotations

import numpy as np

from playground.engine.huffman import HuffmanTree
from playground.viz import wordvec as wvc


def datasets(chart) -> list[list[dict]]:
    return list(chart.to_dict()["datasets"].values())


def test_map_chart_labels_frequent_and_planted_words():
    words = ["the", "king", "queen", "rare"]
    chart = wvc.map_chart(
        np.arange(4.0),
        np.arange(4.0) ** 2,
        words,
        np.array([50, 5, 5, 1]),
        ["other", "male", "female", "other"],
        n_labels=1,
    )
    (rows,) = datasets(chart)
    labels = {r["word"]: r["label"] for r in rows}
    assert labels == {"the": "the", "king": "king", "queen": "queen", "rare": ""}
    assert [r["y"] for r in rows] == [0, 1, 4, 9]


def test_curve_chart_skips_missing_values():
    hist = [{"epoch": 0, "loss": float("nan"), "analogy": 0.0}, {"epoch": 1, "loss": 2.0, "analogy": 0.5}]
    (rows,) = datasets(wvc.curve_chart(hist, "loss"))
    assert rows == [{"epoch": 1, "value": 2.0}]
    (rows,) = datasets(wvc.curve_chart(hist, "analogy"))
    assert [r["value"] for r in rows] == [0.0, 0.5]


def test_noise_chart_has_both_series():
    freq = np.array([0.5, 0.3, 0.2])
    noise = freq**0.75 / (freq**0.75).sum()
    (rows,) = datasets(wvc.noise_chart(["a", "b", "c"], freq, noise, 0.75))
    assert len(rows) == 6
    np.testing.assert_allclose([r["share"] for r in rows[3:]], noise)


def test_huffman_chart_lights_exactly_the_path():
    counts = np.array([40, 20, 10, 5, 3, 2])
    tree = HuffmanTree(counts)
    words = list("abcdef")
    for leaf in range(6):
        chart = wvc.huffman_chart(tree.left, tree.right, tree.parent, words, leaf)
        data = datasets(chart)
        edges = next(d for d in data if d and "x2" in d[0] and "bit" in d[0] and len(d) == 2 * tree.n_inner)
        lit = [e["bit"] for e in edges if e["lit"]]
        assert len(lit) == len(tree.paths[leaf])
        assert sorted(lit) == sorted(tree.code_string(leaf))


def test_tree_layout_puts_leaves_in_a_row_and_parents_between_children():
    tree = HuffmanTree(np.array([5, 4, 3, 2, 1]))
    x, depth = wvc.tree_layout(tree.left, tree.right, 5)
    assert sorted(x[:5]) == [0, 1, 2, 3, 4]
    for node in range(5, 9):
        assert (
            min(x[tree.left[node]], x[tree.right[node]])
            <= x[node]
            <= max(x[tree.left[node]], x[tree.right[node]])
        )
    assert depth[-1] == 0


def test_other_charts_build():
    M = np.array([[0, 2.0], [2.0, 0]])
    assert datasets(wvc.cooc_heatmap(["a", "b"], M))[0][0]["x"] == 2.0
    wvc.glove_weight_chart(10.0, 0.75, np.array([0.5, 1.0, 30.0])).to_dict()
    wvc.cost_scaling_chart(250, 7.2).to_dict()
    wvc.score_chart(["a", "b"], [True, False], np.array([0.5, 0.5]), np.array([0.7, 0.3])).to_dict()
    wvc.step_map_chart(np.zeros(2), np.ones(2), np.ones((2, 2)), ["a", "b"], [True, False], "c").to_dict()
    wvc.embedding_rows_chart(["a", "b"], np.array([[0.1, -0.2], [0.3, 0.0]]), 1).to_dict()
    costs = {"softmax": {"seconds_per_epoch": 2.0, "ops_per_update": 250.0}}
    (rows,) = datasets(wvc.cost_chart(costs, {"softmax": "full softmax"}))
    assert rows[0]["ops"] == 250.0


def test_curve_axes_print_short_numbers():
    """An empty loss curve (epoch 0: no batch yet) drew one tick printed 0.000000 on the page."""
    spec = wvc.curve_chart([{"epoch": 0, "loss": float("nan"), "analogy": 0.0}], "loss").to_dict()
    assert spec["encoding"]["y"]["axis"]["format"] == ".3~g"
    assert spec["encoding"]["y"]["title"]
