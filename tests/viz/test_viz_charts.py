import math

import numpy as np

from playground.viz import palette
from playground.viz.curves import compare_chart, downsample, history_frame, loss_chart
from playground.viz.health import dead_units_chart, grad_norm_chart, update_ratio_chart
from playground.viz.histograms import activation_histograms, histogram_grid
from playground.viz.metrics import confusion_chart, scatter_search_chart
from tests.viz.chart_data import rows, spec

HISTORY = [
    {"epoch": 1, "train_loss": 0.9, "val_loss": None, "test_loss": 1.0, "train_acc": 0.5, "test_acc": 0.45},
    {"epoch": 2, "train_loss": 0.5, "val_loss": None, "test_loss": 0.6, "train_acc": 0.7, "test_acc": 0.65},
    {"epoch": 3, "train_loss": 0.3, "test_loss": float("nan"), "train_acc": 0.9},
]


def test_history_frame_long_format_skips_missing():
    out = history_frame(HISTORY)
    assert {"epoch": 1.0, "split": "train", "metric": "loss", "value": 0.9} in out
    assert not any(r["split"] == "validation" for r in out)
    assert not any(r["epoch"] == 3 and r["split"] == "test" for r in out)  # NaN dropped
    assert len(history_frame(HISTORY, metrics=["acc"])) == 5
    out = history_frame([{"validation_loss": 1.0}, {"val_loss": 2.0}])
    assert [(r["epoch"], r["split"]) for r in out] == [(0.0, "validation"), (1.0, "validation")]


def test_loss_chart_data_colours_and_axes():
    chart = loss_chart(HISTORY)
    data = rows(chart)
    assert {(r["split"], r["epoch"], r["value"]) for r in data} == {
        ("train", 1, 0.9),
        ("train", 2, 0.5),
        ("train", 3, 0.3),
        ("test", 1, 1.0),
        ("test", 2, 0.6),
    }
    enc = spec(chart)["encoding"]
    assert enc["color"]["scale"]["domain"] == ["train", "test"]
    assert enc["color"]["scale"]["range"] == [palette.SPLIT_COLORS["train"], palette.SPLIT_COLORS["test"]]
    assert enc["x"]["title"] == "epoch" and enc["y"]["title"] == "loss"
    assert spec(chart)["height"] == 220
    log = spec(loss_chart(HISTORY, log_scale=True))
    assert log["encoding"]["y"]["scale"]["type"] == "log"
    acc = loss_chart(HISTORY, metric="acc")
    assert spec(acc)["encoding"]["y"]["title"] == "accuracy"
    assert len(rows(acc)) == 5


def test_loss_chart_downsamples_long_histories():
    history = [{"epoch": e, "train_loss": 1 / (e + 1)} for e in range(5000)]
    kept = downsample(history, 500)
    assert len(kept) <= 500 and kept[0]["epoch"] == 0 and kept[-1]["epoch"] == 4999
    data = rows(loss_chart(history))
    assert len(data) <= 500 and max(r["epoch"] for r in data) == 4999
    assert downsample(history[:10], 500) == history[:10]


def test_loss_chart_empty_history_is_valid():
    assert rows(loss_chart([])) == []


def test_compare_chart_overlays_runs():
    runs = {"sgd": HISTORY, "adam": [{"epoch": 1, "test_acc": 0.8}]}
    chart = compare_chart(runs, "test_acc")
    data = rows(chart)
    assert {(r["run"], r["value"]) for r in data} == {("sgd", 0.45), ("sgd", 0.65), ("adam", 0.8)}
    enc = spec(chart)["encoding"]
    assert enc["color"]["scale"]["domain"] == ["sgd", "adam"]
    assert enc["y"]["title"] == "test accuracy"


def test_activation_histograms_counts_facets_and_independent_x():
    rng = np.random.default_rng(0)
    samples = {
        "layer 1": {"pre": rng.normal(size=200), "post": np.tanh(rng.normal(size=200))},
        "layer 2": {"pre": rng.normal(size=50) * 10, "post": np.maximum(rng.normal(size=50), 0)},
    }
    chart = activation_histograms(samples, bins=12)
    d = spec(chart)
    data = rows(chart)
    assert len(data) == 2 * 2 * 12  # counts, not raw values
    for layer, n in (("layer 1", 200), ("layer 2", 50)):
        for kind in ("pre", "post"):
            panel = [r for r in data if r["layer"] == layer and r["kind"] == kind]
            assert sum(r["count"] for r in panel) == n
    assert d["facet"]["row"]["field"] == "layer" and d["facet"]["column"]["field"] == "kind"
    assert d["facet"]["row"]["sort"] == ["layer 1", "layer 2"]
    assert d["resolve"]["scale"]["x"] == "independent"
    assert d["spec"]["encoding"]["x"]["bin"] == "binned"


def test_histogram_grid_shares_one_range_by_default():
    values = {"layer 1": np.array([0.0, 1.0, 2.0]), "layer 2": np.array([0.5, 0.6, np.inf])}
    chart = histogram_grid(values, bins=4, title="forward")
    data = rows(chart)
    edges = {(r["layer"], r["bin_start"]) for r in data}
    assert {s for _, s in edges} == {0.0, 0.5, 1.0, 1.5}  # one pooled range [0, 2] for both panels
    assert sum(r["count"] for r in data if r["layer"] == "layer 2") == 2  # inf dropped
    d = spec(chart)
    assert d["title"] == "forward" and d["facet"]["field"] == "layer"
    assert "resolve" not in d
    own = spec(histogram_grid(values, bins=4, shared=False))
    assert own["resolve"]["scale"]["x"] == "independent"
    fixed = rows(histogram_grid(values, bins=2, range=(-1, 1)))
    assert {r["bin_start"] for r in fixed} == {-1.0, 0.0}


RECORDS = [
    {
        "epoch": e,
        "layer": f"layer {k}",
        "grad_norm": 10.0 ** (-k) / (e + 1),
        "dead_fraction": 0.1 * k,
        "update_ratio": 1e-3,
        "weight_norm": 1.0,
    }
    for e in range(5)
    for k in (1, 2, 3)
] + [{"epoch": 5, "layer": "layer 1", "grad_norm": 0.0, "dead_fraction": None}]


def test_grad_norm_chart_log_scale_layers_in_order():
    chart = grad_norm_chart(RECORDS)
    data = rows(chart)
    assert len(data) == 15  # the zero norm cannot go on a log axis
    enc = spec(chart)["encoding"]
    assert enc["y"]["scale"]["type"] == "log" and enc["y"]["field"] == "grad_norm"
    assert enc["color"]["scale"]["domain"] == ["layer 1", "layer 2", "layer 3"]
    assert len(set(enc["color"]["scale"]["range"])) == 3


def test_dead_units_and_update_ratio_charts():
    dead = dead_units_chart(RECORDS)
    assert len(rows(dead)) == 15
    assert spec(dead)["encoding"]["y"]["scale"]["domain"] == [0, 1]
    upd = update_ratio_chart(RECORDS)
    assert len(rows(upd)) == 15  # one top-level dataset: a page can feed new rows to a cached spec
    rule = spec(upd)["layer"][1]
    assert rule["mark"]["type"] == "rule" and rule["encoding"]["y"]["datum"] == 1e-3


def test_confusion_chart_counts_annotated():
    m = np.array([[5, 1], [0, 3]])
    chart = confusion_chart(m, ["cat", "dog"])
    d = spec(chart)
    data = rows(chart)
    cell = next(r for r in data if r["actual"] == "cat" and r["predicted"] == "dog")
    assert cell["count"] == 1 and math.isclose(cell["fraction"], 1 / 6)
    text_layer = next(layer for layer in d["layer"] if layer["mark"]["type"] == "text")
    assert text_layer["encoding"]["text"]["field"] == "count"
    assert text_layer["encoding"]["x"]["sort"] == ["cat", "dog"]


def test_scatter_search_chart_greys_diverged_trials():
    trials = [
        {"lr": 0.1, "weight_decay": 1e-4, "val_acc": 0.9},
        {"lr": 1.0, "weight_decay": 1e-3, "val_acc": None},
        {"lr": 0.01, "weight_decay": 1e-5, "val_acc": float("nan")},
        {"lr": 0.001, "weight_decay": 1e-4, "val_acc": 0.7},
    ]
    chart = scatter_search_chart(trials)
    d = spec(chart)
    data = rows(chart)  # one top-level dataset, split by status
    diverged = [r for r in data if r["status"] == "diverged"]
    ok = [r for r in data if r["status"] == "ok"]
    assert all("data" not in layer for layer in d["layer"])
    assert {r["lr"] for r in diverged} == {1.0, 0.01}
    assert {r["lr"] for r in ok} == {0.1, 0.001}
    assert d["layer"][0]["mark"]["color"] == palette.MISSING
    assert d["layer"][1]["encoding"]["x"]["scale"]["type"] == "log"
    assert d["layer"][1]["encoding"]["y"]["scale"]["type"] == "log"
    assert d["layer"][1]["encoding"]["x"]["axis"]["values"] == [1e-3, 1e-2, 1e-1, 1.0]  # decades only
    # a weight decay of 0 cannot sit on a log axis: it is plotted a decade below the smallest, labelled "0"
    chart = scatter_search_chart([*trials, {"lr": 0.1, "weight_decay": 0.0, "val_acc": 0.5}])
    zero = next(r for r in rows(chart) if r["weight_decay"] == 0.0)
    assert zero["_y"] == 1e-6
    y_axis = spec(chart)["layer"][1]["encoding"]["y"]["axis"]
    assert y_axis["values"][0] == 1e-6 and "'0'" in y_axis["labelExpr"]


def _nested_data(node) -> bool:
    if isinstance(node, dict):
        return "data" in node or any(_nested_data(v) for v in node.values())
    if isinstance(node, list):
        return any(_nested_data(v) for v in node)
    return False


def test_every_chart_has_one_top_level_dataset_so_a_cached_spec_can_be_fed():
    charts = [
        loss_chart(HISTORY),
        compare_chart({"a": HISTORY}, "train_loss"),
        activation_histograms({"layer 1": {"pre": np.zeros(3), "post": np.ones(3)}}),
        histogram_grid({"layer 1": np.zeros(3)}),
        grad_norm_chart(RECORDS),
        dead_units_chart(RECORDS),
        update_ratio_chart(RECORDS),
        confusion_chart(np.eye(2, dtype=int), ["a", "b"]),
        scatter_search_chart([{"lr": 0.1, "weight_decay": 0.0, "val_acc": None}]),
    ]
    for chart in charts:
        d = spec(chart)
        assert "name" in d["data"] and len(d["datasets"]) == 1
        for key in ("layer", "spec"):
            assert not _nested_data(d.get(key, [])), (key, d.get(key))
