"""Links from the lesson pages to the Playground (``playground.ui.links``): they open the same setup."""

from __future__ import annotations

import math

from playground.lessons.search import Search, SearchConfig, make_split, search_data
from playground.lessons.signals import SignalConfig, preset_config
from playground.ui.links import playground_url, signal_query, trial_config, trial_query
from playground.urlconfig import from_query


def test_playground_link_round_trips():
    query, notes = signal_query(preset_config("relu_std001_bn", depth=3, width=16))
    assert notes == []
    cfg, warnings = from_query(query)
    assert warnings == []
    m = cfg.model
    assert (m.hidden, m.activation, m.init, m.init_params, m.batch_norm, m.bias_init) == (
        [16, 16, 16],
        "relu",
        "normal",
        {"std": 0.01},
        "before",
        0.0,
    )
    q2, notes2 = signal_query(SignalConfig(depth=10, width=200))
    assert len(notes2) == 2 and "layers=" in playground_url(q2)


def test_best_trial_opens_in_the_playground_with_the_same_run():
    small = SearchConfig(n_samples=300, epochs=8, n_trials=12, wave_size=5)
    search = Search(small, search_data(make_split(small))).run()
    best = search.best()
    pc = trial_config(search, best)
    assert pc.model.hidden == [best["width"]] * best["depth"]
    assert math.isclose(pc.training.learning_rate, best["lr"]) and pc.training.regularization == "l2"
    assert math.isclose(pc.training.reg_rate, best["weight_decay"]) and pc.data.dataset == small.dataset
    query = trial_query(search, best)
    assert query["layers"] == ",".join([str(best["width"])] * best["depth"]) and "lr" in query

    back, notices = from_query(query)
    assert not notices
    assert back.model.hidden == pc.model.hidden and math.isclose(
        back.training.learning_rate, best["lr"], rel_tol=1e-5
    )
