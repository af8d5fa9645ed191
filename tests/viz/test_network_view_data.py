"""The interactive network view's data (``network_view_data``): small, 8-bit maps, text labels, the
compact form of a large net, and the feature labels written with the dataset's axis names."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from playground.viz.network import (
    dequantize,
    feature_label,
    network_view_data,
    quantize_maps,
    shrink_maps,
)


def _inputs(n_on: int, n_off: int = 0, g: int = 12) -> list[dict]:
    out = [
        {"id": f"f{k}", "label": f"f{k}", "on": True, "toggle": True, "map": np.zeros((g, g))}
        for k in range(n_on)
    ]
    out += [
        {"id": f"o{k}", "label": f"o{k}", "on": False, "toggle": True, "map": np.ones((g, g))}
        for k in range(n_off)
    ]
    return out


def _net(sizes, g=24, seed=0):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    maps = [np.tanh(rng.normal(size=(n, g, g))) for n in sizes[1:]]
    biases = [rng.normal(size=n) for n in sizes[1:]]
    return weights, maps, biases


def test_quantized_maps_round_trip_within_one_level():
    v = np.linspace(-1, 1, 1001)
    q = quantize_maps(v)
    assert q.dtype == np.uint8 and q.min() == 0 and q.max() == 255
    assert np.abs(dequantize(q) - v).max() <= 1 / 255 + 1e-12
    # out of range, NaN and inf never break the picture
    q = quantize_maps(np.array([-5.0, 7.0, np.nan, np.inf, -np.inf]))
    assert q.tolist() == [0, 255, 128, 255, 0]


def test_shrink_maps_averages_blocks():
    m = np.arange(16, dtype=float).reshape(1, 4, 4)
    assert shrink_maps(m, 2).tolist() == [[[2.5, 4.5], [10.5, 12.5]]]
    with pytest.raises(ValueError):
        shrink_maps(np.zeros((1, 5, 5)), 2)


def test_the_default_net_is_a_few_kilobytes_of_8_bit_maps():
    sizes = [2, 4, 2, 1]
    weights, maps, biases = _net(sizes)
    data = network_view_data(sizes, weights, maps, _inputs(2, 5), biases=biases)
    raw = base64.b64decode(data["maps"])
    assert len(raw) == 7 * 12 * 12 + (4 + 2 + 1) * 24 * 24  # one byte a cell: inputs at 12², units at 24²
    assert data["g"] == 24 and data["input_g"] == 12
    q = np.frombuffer(raw, np.uint8)[7 * 144 :].reshape(7, 24, 24)
    expected = np.concatenate([m for m in maps])
    assert np.abs(dequantize(q) - expected).max() <= 1 / 255 + 1e-9
    assert data["w"][0] == pytest.approx(weights[0].ravel(), abs=5e-5)  # row-major (source, target)
    assert len(json.dumps(data)) < 10_000  # below Streamlit's cached-message size (10 kB by default)
    assert data["palette"]["neg"] == "#f59322" and data["palette"]["pos"] == "#0877bd"


def test_labels_are_passed_as_given_text():
    sizes = [1, 2, 2]
    weights, maps, biases = _net(sizes)
    hostile = '<img src=x onerror="alert(1)">'
    inputs = [{"id": "col:x", "label": hostile, "on": True, "toggle": False, "map": np.zeros((12, 12))}]
    data = network_view_data(sizes, weights, maps, inputs, output_labels=["<b>a</b>", "b"])
    assert data["inputs"][0]["label"] == hostile and data["out_labels"][0] == "<b>a</b>"


def test_a_net_too_wide_to_draw_goes_out_compact():
    sizes = [2, 64, 64, 1]
    weights, maps, biases = _net(sizes)
    data = network_view_data(sizes, weights, maps, _inputs(2, 5), biases=biases)
    assert data["compact"] and "maps" not in data and "w" not in data
    assert "64" in data["note"] and "Training is not affected" in data["note"]
    assert len(json.dumps(data)) < 3_000


def test_inputs_that_are_on_must_match_the_network():
    sizes = [3, 2, 1]
    weights, maps, biases = _net(sizes)
    with pytest.raises(ValueError, match="3 network inputs"):
        network_view_data(sizes, weights, maps, _inputs(2, 1))


@pytest.mark.parametrize(
    "label, names, expected",
    [
        ("x₁", ("x₁", "x₂"), "x₁"),
        ("sin x₂", ("x₁", "x₂"), "sin x₂"),
        ("x₁", ("petal length", "petal width"), "petal length"),
        ("x₂²", ("petal length", "petal width"), "petal width²"),
        ("x₁·x₂", ("petal length", "petal width"), "petal length × petal width"),
        ("sin x₁", ("petal length", "petal width"), "sin(petal length)"),
    ],
)
def test_feature_labels_use_the_datasets_axis_names(label, names, expected):
    assert feature_label(label, names) == expected
