"""Chart builders for the lessons: a lesson's results in, a figure out (the data it carries is checked)."""

import numpy as np

from playground.lessons.descent import CheckConfig, error_vs_h, fit_line
from playground.lessons.graph import KM, NG, graph_view
from playground.lessons.race import SURFACES, book_race, contour_grid, schedule_curves
from playground.lessons.signals import SignalConfig, deep_linear, run_signals
from playground.viz import lessons as charts


def test_signal_histograms_carry_the_data():
    r = run_signals(SignalConfig(depth=3, width=20, n_samples=200))
    fig = charts.signal_histograms(r)
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars) == 6
    np.testing.assert_allclose(bars[0].y, r.layers[0].activations.share)
    std = charts.signal_std_chart(r)
    np.testing.assert_allclose(std.data[0].y, [s.std for s in r.layers])
    lin = charts.deep_linear_chart(deep_linear([0.5, 1.5], depth=5))
    assert len(lin.data) == 8


def test_race_charts():
    paths = book_race()
    fig = charts.race_contour(SURFACES["bowl"], paths, upto=5, grid=contour_grid(SURFACES["bowl"]))
    lines = [t for t in fig.data if t.type == "scatter" and t.mode == "lines+markers"]
    assert len(lines) == 4 and all(len(t.x) == 6 for t in lines)
    panels = charts.race_panels(SURFACES["bowl"], paths, upto=None, grid=contour_grid(SURFACES["bowl"], 90))
    assert sum(1 for t in panels.data if t.type == "contour") == 4
    spec = charts.race_values_chart(SURFACES["bowl"], paths).to_dict()
    assert len(spec["data"]["values"]) == 4 * 31
    sched = charts.schedules_chart(schedule_curves(0.1, 20), {}).to_dict()
    assert len(sched["data"]["values"]) == 6 * 20


def test_graph_dot_reveals_steps():
    t = NG.trace()
    start = charts.graph_dot(graph_view(NG, t, 0, 0))
    assert "u = b·c\\n= ?" in start and "∂J" not in start
    done = charts.graph_dot(graph_view(NG, t, 3, 5))
    assert "∂J/∂c = 9" in done and "×3 → 9" in done and "J = 3v\\n= 33" in done
    km = charts.graph_dot(graph_view(KM, KM.trace(), 3, 5))
    assert "∂z/∂m = 271" in km


def test_descent_charts():
    fit = fit_line()
    assert len(charts.line_fit_chart(fit).to_dict()["layer"][0]["data"]["values"]) == 31
    charts.line_loss_chart(fit).to_dict()
    hs, errs = error_vs_h(CheckConfig(), "h1.W", (0, 0), hs=np.array([1e-3, 1e-5]))
    charts.gradcheck_chart(hs, errs, 1e-5).to_dict()


def test_optimizer_colours_cover_the_registry_and_stay_put():
    from playground.engine import OPTIMIZERS

    assert tuple(OPTIMIZERS) == charts.OPTIMIZER_ORDER
    every = charts.optimizer_colors(list(OPTIMIZERS))
    assert len(set(every.values())) == len(OPTIMIZERS)
    assert charts.optimizer_colors(["adam"])["adam"] == every["adam"]


def test_signal_histograms_spec_reads_the_rows():
    r = run_signals(SignalConfig(depth=3, width=20, n_samples=200))
    rows = charts.signal_histogram_rows(r)
    assert len(rows) == 3 * 2 * len(r.layers[0].activations.share)
    acts = [x["share"] for x in rows if x["layer"] == "layer 1" and x["kind"] == "activations"]
    np.testing.assert_allclose(acts, r.layers[0].activations.share)
    spec = charts.signal_histograms_spec(r)
    assert [v["transform"][0]["filter"]["equal"] for v in spec["vconcat"]] == ["activations", "gradients"]
    x = spec["vconcat"][1]["spec"]["encoding"]["x"]["scale"]["domain"]
    assert x == list(r.gradient_range) and "data" not in spec


def test_race_spec_draws_rows_over_the_contour_image():
    s = SURFACES["bowl"]
    paths = book_race()
    _, _, Z = contour_grid(s, 200, 100)
    img = charts.contour_image(Z[::-1], log_levels=s.log_levels)
    assert img.shape == (100, 200, 4) and img[..., 3].max() > 150 and (img[..., 3] == 0).mean() > 0.5
    rows = charts.race_rows(paths, 3)
    assert len(rows) == 4 * 4 and [r["step"] for r in rows[:4]] == [0, 1, 2, 3]
    assert [r["head"] for r in rows[:4]] == [False, False, False, True]
    over = charts.race_spec(s, paths, background="data:image/png;base64,", width=200, height=100)
    assert over["layer"][0]["mark"]["type"] == "image" and over["width"] == 200
    panels = charts.race_spec(s, paths, background="data:,", panels=True)
    assert panels["facet"]["sort"] == [t.label for t in paths]
    values = charts.race_values_spec(s, paths, steps=30)
    assert values["encoding"]["x"]["scale"]["domain"] == [0, 30]


def test_the_activations_link_opens_a_net_the_playground_draws_in_full():
    from playground.ui.links import signal_query
    from playground.urlconfig import from_query
    from playground.viz.network import network_view_too_large

    query, notes = signal_query(SignalConfig())  # the page's default: 5 layers of 100
    cfg, warnings = from_query(query)
    assert warnings == [] and cfg.model.hidden == [16] * 5
    assert network_view_too_large([2, *cfg.model.hidden, 1]) is None
    assert notes and "16 units per layer (this page: 100)" in notes[0]
