"""The Playground's live curves and confusion matrix as SVG: what they draw is the data behind them."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import numpy as np

from playground import i18n
from playground.experiment import Experiment, PlaygroundConfig
from playground.ui import live
from playground.viz import palette, svgcharts
from playground.viz.svgcharts import Panel, confusion_svg, curves_svg

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


def points(poly: ET.Element) -> np.ndarray:
    return np.array([[float(v) for v in p.split(",")] for p in poly.get("points").split()])


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{NS}text")]


def panel_ticks(root: ET.Element, metric: str) -> list[str]:
    g = next(g for g in root.iter(f"{NS}g") if g.get("data-metric") == metric)
    return [t.text for t in g.iter(f"{NS}text") if t.get("text-anchor") == "end"]


def test_a_flat_loss_gets_short_distinct_ticks_around_its_value():
    """Zero initial weights: the loss is ln 2 at every epoch. Vega once labelled such an axis with ticks
    1e-12 apart ("0.69314718158"); the widened range gives a few short, distinct ticks around ln 2."""
    e = np.arange(5.0)
    flat = np.full(5, math.log(2))
    root = parse(curves_svg([Panel("loss", {"train": (e, flat), "test": (e, flat)})]))
    ticks = panel_ticks(root, "loss")
    assert len(ticks) >= 2 and len(set(ticks)) == len(ticks), ticks
    assert all(len(t) <= 6 for t in ticks), ticks
    values = sorted(float(t) for t in ticks)
    assert values[0] <= math.log(2) <= values[-1]


def test_each_split_is_one_line_through_its_points_in_the_palettes_style():
    e = np.arange(0.0, 101.0)
    train, test = 1 / (e + 1), 1.2 / (e + 1)
    root = parse(curves_svg([Panel("loss", {"train": (e, train), "test": (e, test)})], width=320))
    lines = {p.get("data-split"): p for p in root.iter(f"{NS}polyline")}
    assert set(lines) == {"train", "test"}
    for split, line in lines.items():
        assert line.get("stroke") == palette.SPLIT_COLORS[split]
        pts = points(line)
        assert len(pts) == 101
        assert np.all(np.diff(pts[:, 0]) > 0)  # epochs left to right
        assert np.all(np.diff(pts[:, 1]) >= 0)  # a falling loss goes down the screen (SVG y grows)
    # the test loss is above the training loss at every epoch, so its line is higher on screen
    assert np.all(points(lines["test"])[:, 1] <= points(lines["train"])[:, 1])
    # the hover title carries the last value
    assert f"{train[-1]:.4g}" in lines["train"].find(f"{NS}title").text


def test_log_scale_drops_what_it_cannot_show_and_says_so():
    e = np.arange(4.0)
    loss = np.array([1.0, 0.1, 0.0, 0.01])  # an exact 0 has no place on a log axis
    root = parse(curves_svg([Panel("loss", {"train": (e, loss)}, log=True)]))
    assert len(points(next(root.iter(f"{NS}polyline")))) == 3
    assert any("log scale" in t for t in texts(root))
    assert {"1", "0.1", "0.01"} <= set(panel_ticks(root, "loss"))


def test_accuracy_ticks_are_shares():
    e = np.arange(10.0)
    acc = np.linspace(0.5, 1.0, 10)
    root = parse(curves_svg([Panel("acc", {"train": (e, acc)})]))
    ticks = panel_ticks(root, "acc")
    assert ticks and all(t.endswith("%") for t in ticks), ticks


def test_the_confusion_matrix_writes_every_count_and_shades_by_share_of_the_actual_class():
    m = np.array([[90, 10], [1, 0]])  # the rare class's row: all wrong, shaded as fully wrong
    root = parse(confusion_svg(m, ["cat", "dog"]))
    cells = [g for g in root.iter(f"{NS}g") if g.get("class") == "pg-cell"]
    assert [int(c.get("data-count")) for c in cells] == [90, 10, 1, 0]
    fill = [c.find(f"{NS}rect").get("fill") for c in cells]
    dark, light = svgcharts._mix(1.0), svgcharts._mix(0.0)
    assert fill[2] == dark and fill[3] == light  # 1 of 1 "dog" predicted "cat"
    assert fill[0] == svgcharts._mix(0.9)
    assert "cat" in texts(root) and "dog" in texts(root)


def test_user_text_is_text_never_markup():
    """Class names come from a learner's CSV: they are escaped, never parsed as SVG or HTML."""
    svg = confusion_svg(np.eye(2, dtype=int), ['<img src=x onerror="alert(1)">', "b&c"])
    assert "<img" not in svg and "&lt;img" in svg and "b&amp;c" in svg
    parse(svg)


def test_the_words_follow_the_language():
    e = np.arange(3.0)
    with i18n.using("zh"):
        root = parse(curves_svg([Panel("loss", {"train": (e, e + 1)})], title="t"))
        words = texts(root)
    assert not {"train", "epoch", "loss"} & set(words), words
    assert any(re.search(r"[\u4e00-\u9fff]", w) for w in words)


def test_the_playgrounds_curves_show_the_runs_history():
    """What the live page draws: one line per split present, ending at the latest epoch's values."""
    cfg = PlaygroundConfig()
    exp = Experiment(cfg)
    for _ in range(3):
        exp.tick(budget_s=10)
    root = parse(live.curves_document(exp))
    panels = {g.get("data-metric"): g for g in root.iter(f"{NS}g") if g.get("data-metric")}
    assert set(panels) == {"loss", "acc"}
    last = exp.history[-1]
    for metric in ("loss", "acc"):
        lines = {p.get("data-split"): p for p in panels[metric].iter(f"{NS}polyline")}
        assert set(lines) == {"train", "test"}
        n = len(exp.history)
        assert all(len(points(p)) == min(n, live.LIVE_POINTS) for p in lines.values())
        title = lines["train"].find(f"{NS}title").text
        value = last[f"train_{metric}"]
        expected = svgcharts.tick_label(value, None, share=True) if metric == "acc" else f"{value:.4g}"
        assert title.endswith(expected), (title, expected)
    # epochs run from the first to the last recorded one along the shared axis
    ticks = [int(t.text) for t in root.iter(f"{NS}text") if t.text and t.text.isdigit()]
    assert min(ticks) >= 0 and max(ticks) <= exp.epoch


def test_a_histogram_bar_is_as_tall_as_its_count():
    values = np.array([0.0] * 10 + [1.0] * 5)
    root = parse(svgcharts.histograms_svg([("layer 1", {"pre": values, "post": values * 2})], bins=2))
    groups = [g for g in root.iter(f"{NS}g") if g.get("class") == "pg-hist"]
    assert [(g.get("data-layer"), g.get("data-kind")) for g in groups] == [
        ("layer 1", "pre"),
        ("layer 1", "post"),
    ]
    for g in groups:
        heights = [float(r.get("height")) for r in g.iter(f"{NS}rect")]
        assert len(heights) == 2 and math.isclose(heights[0], 2 * heights[1])
        assert g.get("fill") == palette.HISTOGRAM_COLORS[g.get("data-kind")]
    # each panel has its own x range: the post values span 0..2, the pre values 0..1
    labels = texts(root)
    assert "2.0" in labels or "2" in labels, labels


def test_the_playgrounds_internals_show_each_hidden_layer():
    exp = Experiment(PlaygroundConfig())
    exp.tick(budget_s=10)
    docs = live.internals_documents(exp)
    assert set(docs) == {"histograms", "grad", "dead"}
    hidden = len(exp.network.hidden_layers)
    hist = parse(docs["histograms"])
    assert len([g for g in hist.iter(f"{NS}g") if g.get("class") == "pg-hist"]) == 2 * hidden
    grad = parse(docs["grad"])
    lines = list(grad.iter(f"{NS}polyline"))
    assert len(lines) == hidden
    assert [ln.get("stroke") for ln in lines] == palette.layer_colors(hidden)
    assert any("log scale" in t for t in texts(grad))
    dead = parse(docs["dead"])
    assert {"0%", "100%"} <= set(panel_ticks(dead, "dead_fraction"))
    # before any training there is nothing to show for the gradients
    assert set(live.internals_documents(Experiment(PlaygroundConfig()))) == {"histograms"}
