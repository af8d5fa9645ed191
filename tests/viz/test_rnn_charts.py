"""Chart builders of the recurrent lab: each takes the lab's data and draws exactly it."""

from __future__ import annotations

import numpy as np

from playground.viz import rnn as charts


def data(chart):
    return chart.data


def test_metric_chart_draws_validation_and_training_bits():
    history = [
        {"update": 0, "bits_per_char": 6.0},
        {"update": 25, "bits_per_char": 4.0, "train_bits": 4.5},
    ]
    rows = charts.metric_rows(history, "bits_per_char")
    assert rows == [
        {"update": 0, "series": "validation", "value": 6.0},
        {"update": 25, "series": "validation", "value": 4.0},
        {"update": 25, "series": "train", "value": 4.5},
    ]
    chart = charts.metric_chart(history, "bits_per_char")
    assert len(data(chart)) == 3 and chart.to_dict()["autosize"]["type"] == "fit-x"


def test_gradient_chart_has_a_line_per_layer_and_keeps_zeros_on_a_log_scale():
    chart = charts.grad_norm_chart([np.array([0.0, 0.1, 1.0]), np.array([0.5, 0.5, 1.0])])
    df = data(chart)
    assert len(df) == 6 and df["norm"].min() > 0
    assert chart.to_dict()["encoding"]["y"]["scale"]["type"] == "log"


def test_connectivity_shares_sum_to_one_and_name_the_inputs():
    chart = charts.connectivity_chart(np.array([1.0, 3.0]), ["A", "\n"])
    df = data(chart)
    assert df["share"].sum() == 1.0 and list(df["token"]) == ["1:A", "2:↵"]


def test_heatmap_is_steps_by_units_capped():
    values = np.arange(5 * 40, dtype=float).reshape(5, 40) / 200
    chart = charts.heatmap_chart(values, list("abcde"), "h", signed=True, max_units=32)
    df = data(chart)
    assert len(df) == 5 * 32 and df["unit"].max() == 32


def test_softmax_bars_are_the_top_characters_in_order():
    probs = np.array([0.1, 0.6, 0.3])
    df = data(charts.softmax_chart(["a", "b", "c"], probs, top=2))
    assert list(df["char"]) == ["b", "c"]


def test_race_sweep_and_ratio_charts_take_their_rows():
    race = charts.race_chart([{"cell": "lstm", "update": 25, "accuracy": 0.5}])
    sweep = charts.sweep_chart([{"cell": "rnn", "distractors": 5, "accuracy": 0.9}])
    ratio = charts.ratio_chart({"× 2": np.array([100.0, 10.0, 1.0])})
    assert len(data(race)) == len(data(sweep)) == 1 and len(data(ratio)) == 3
