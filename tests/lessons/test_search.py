"""Hyperparameter search: log-uniform sampling, validation-only scoring, divergence, Stop."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from playground.errors import ConfigError
from playground.lessons.search import (
    WHAT_TO_LOOK_FOR,
    Search,
    SearchConfig,
    SearchSpace,
    grid_shape,
    log_uniform,
    make_split,
    sample_trials,
    scatter_rows,
    score_on_test,
    search_data,
    summary,
    table_rows,
)

SMALL = SearchConfig(n_samples=300, epochs=8, n_trials=12, wave_size=5)


def test_log_uniform_is_uniform_in_the_exponent():
    """A Kolmogorov–Smirnov test of log10(samples) against U(-4, 1), and equal counts per decade."""
    rng = np.random.default_rng(12345)
    n = 5000
    x = log_uniform(rng, 1e-4, 10.0, n)
    assert x.min() >= 1e-4 and x.max() <= 10.0
    u = np.sort((np.log10(x) + 4.0) / 5.0)
    ks = np.max(np.maximum(np.arange(1, n + 1) / n - u, u - np.arange(n) / n))
    assert ks < 1.36 / math.sqrt(n), f"KS statistic {ks:.4f} rejects uniformity at 5 %"
    counts = np.histogram(np.log10(x), bins=5, range=(-4, 1))[0]
    chi2 = float(((counts - n / 5) ** 2 / (n / 5)).sum())
    assert chi2 < 9.49, f"decade counts {counts} (chi² {chi2:.2f}, 4 dof, 5 % critical 9.49)"
    # A linear-uniform sampler would put ~90 % of the draws in the top decade; this one puts 20 %.
    assert 0.17 < np.mean(x > 1.0) < 0.23


def test_random_trials_stay_in_their_ranges_and_grid_is_log_spaced():
    space = SearchSpace(
        lr=(1e-3, 1.0), weight_decay=(1e-5, 1e-1), depths=(1, 2), widths=(4, 8), dropout=(0, 0.3)
    )
    cfg = SearchConfig(n_trials=200, space=space)
    trials = sample_trials(cfg)
    assert len(trials) == 200 and [t["trial"] for t in trials] == list(range(200))
    for t in trials:
        assert 1e-3 <= t["lr"] <= 1.0 and 1e-5 <= t["weight_decay"] <= 1e-1
        assert t["depth"] in (1, 2) and t["width"] in (4, 8) and 0 <= t["dropout"] <= 0.3
    assert len({t["lr"] for t in trials}) == 200
    assert sample_trials(cfg) == trials, "the same seed gives the same trials"

    grid = sample_trials(dataclasses.replace(cfg, method="grid", n_trials=100))
    assert grid_shape(100) == (10, 10) and len(grid) == 100
    lrs = sorted({t["lr"] for t in grid})
    assert len(lrs) == 10 and math.isclose(lrs[0], 1e-3) and math.isclose(lrs[-1], 1.0)
    ratios = np.diff(np.log10(lrs))
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)


@pytest.mark.parametrize(
    "change, match",
    [
        ({"space": SearchSpace(lr=(1.0, 0.1))}, "learning rate"),
        ({"space": SearchSpace(weight_decay=(0.0, 0.1))}, "weight decay"),
        ({"space": SearchSpace(depths=())}, "depth"),
        ({"val_fraction": 0.0}, "validation"),
        ({"dataset": "spiral3"}, "two-class"),
        ({"n_trials": 0}, "trials"),
    ],
)
def test_bad_settings_raise_config_error(change, match):
    with pytest.raises(ConfigError, match=match):
        sample_trials(dataclasses.replace(SearchConfig(), **change))


class GuardedSplit:
    """A split whose test part raises when read, until ``open_test()``; counts the reads after."""

    def __init__(self, split):
        self._split, self._open, self.test_reads = split, False, 0

    def __getattr__(self, name):
        if name in ("X_test", "y_test"):
            if not self._open:
                raise AssertionError(f"the search touched the test split ({name})")
            self.test_reads += 1
        return getattr(self._split, name)

    def open_test(self):
        self._open = True


def test_the_search_never_touches_the_test_split_and_tests_the_best_trial_once():
    guarded = GuardedSplit(make_split(SMALL))
    search = Search(SMALL, search_data(guarded))
    while not search.done:
        search.advance(budget_s=0.01, chunk=3)
    assert search.status == "done" and len(search.results) == SMALL.n_trials
    with pytest.raises(ConfigError, match="test split"):
        Search(SMALL, dataclasses.replace(search_data(guarded), X_test=np.zeros((1, 2)), y_test=np.zeros(1)))
    guarded.open_test()
    result = score_on_test(search, guarded)
    assert guarded.test_reads == 2  # X_test and y_test, once each
    assert result["trial"] == search.best()["trial"] and 0.0 <= result["test_acc"] <= 1.0
    assert score_on_test(search, guarded) is result and guarded.test_reads == 2, "asked again: not re-tested"


def test_results_are_scored_on_validation_and_ranked():
    split = make_split(SMALL)
    search = Search(SMALL, search_data(split)).run()
    best = search.best()
    net = search.network(best["trial"])
    loss, acc = net.evaluate(split.X_val, net.loss.targets(split.y_val))
    assert math.isclose(acc, best["val_acc"]) and math.isclose(loss, best["val_loss"], rel_tol=1e-12)
    accs = [r["val_acc"] for r in search.ranked()]
    assert accs == sorted(accs, reverse=True)
    rows = table_rows(search, top=5)
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5] and rows[0]["trial"] == best["trial"]
    assert len(scatter_rows(search)) == SMALL.n_trials
    assert summary(search)["distinct_lr"] == SMALL.n_trials


def test_a_diverging_trial_is_marked_and_the_others_finish():
    space = SearchSpace(lr=(1e-3, 10.0))
    cfg = dataclasses.replace(SMALL, activation="leaky_relu", optimizer="momentum", n_trials=20, space=space)
    search = Search(cfg, search_data(make_split(cfg))).run()
    diverged = [r for r in search.results if r["status"] == "diverged"]
    finished = [r for r in search.results if r["status"] == "done"]
    assert diverged, "the setup should make the largest learning rates diverge"
    assert finished and all(r["val_acc"] is not None and r["epochs"] == cfg.epochs for r in finished)
    assert all(r["val_acc"] is None and r["diverged_at"].startswith("epoch") for r in diverged)
    assert min(r["lr"] for r in diverged) > max(r["lr"] for r in finished) / 100
    assert search.ranked()[-1]["status"] == "diverged" and search.best()["status"] == "done"


def test_stop_keeps_the_finished_trials():
    cfg = dataclasses.replace(SMALL, n_trials=15, wave_size=5, epochs=6)
    search = Search(cfg, search_data(make_split(cfg)))
    while len(search.results) < 5:
        search.advance(budget_s=0.0, chunk=2)  # one chunk per call
    search.advance(budget_s=0.0, chunk=2)  # into the second wave
    kept = [dict(r) for r in search.results]
    assert 0 < len(kept) < cfg.n_trials and 0 < search.progress < 1
    search.stop()
    assert search.done and search.status == "stopped"
    assert search.advance() == 0 and search.results == kept
    assert all(r["status"] == "done" and r["epochs"] == cfg.epochs for r in kept)
    assert search.best() is not None


def test_search_data_has_no_test_part():
    data = search_data(make_split(SMALL))
    assert data.X_test is None and data.y_test is None and len(data.X_val) > 0


def test_dataset_choices_are_the_registrys_settable_two_class_problems():
    from playground.data import DATASETS
    from playground.lessons import overfitting, search

    binary = tuple(n for n, spec in DATASETS.items() if spec.task == "binary" and spec.synthetic)
    assert search.DATASET_CHOICES == overfitting.DATASET_CHOICES == binary
    assert {"circle", "xor", "gauss", "spiral", "moons"} <= set(binary) and "spiral3" not in binary


# -- the page's "what to look for" (WHAT_TO_LOOK_FOR), on the default search it opens with --------
@pytest.fixture(scope="module")
def default_search():
    cfg = SearchConfig()
    return Search(cfg, search_data(make_split(cfg))).run()


def _mean_acc(search, lr=(0, math.inf), wd=(0, math.inf)):
    accs = [
        r["val_acc"]
        for r in search.results
        if lr[0] <= r["lr"] < lr[1] and wd[0] <= r["weight_decay"] < wd[1] and r["val_acc"] is not None
    ]
    assert len(accs) >= 5, (lr, wd, len(accs))
    return float(np.mean(accs))


def test_what_to_look_for_a_band_of_good_learning_rates(default_search):
    small_wd = (0, 1e-2)
    middle = _mean_acc(default_search, lr=(1e-2, 1.0), wd=small_wd)
    assert middle > _mean_acc(default_search, lr=(0, 1e-2), wd=small_wd) + 0.05, "below 0.01: lower"
    assert middle > _mean_acc(default_search, lr=(1.0, math.inf), wd=small_wd) + 0.05, "above 1: lower"
    best = default_search.best()
    assert 1e-2 <= best["lr"] < 1.0
    assert "between 0.01 and 1 score best" in WHAT_TO_LOOK_FOR


def test_what_to_look_for_accuracy_falls_with_a_large_weight_decay(default_search):
    lr = (1e-2, math.inf)
    weak = _mean_acc(default_search, lr=lr, wd=(0, 1e-2))
    strong = _mean_acc(default_search, lr=lr, wd=(1e-2, 0.1))
    strongest = _mean_acc(default_search, lr=lr, wd=(0.1, math.inf))
    assert weak > strong + 0.05 and strong > strongest + 0.05, (weak, strong, strongest)
    assert "weight decay grows past about 0.01" in WHAT_TO_LOOK_FOR


def test_the_wave_in_training_is_drawn_before_it_finishes():
    s = Search(SMALL, search_data(make_split(SMALL)))
    first = scatter_rows(s)
    assert len(first) == 5 and all(r["status"] == "training" and r["val_acc"] is None for r in first)
    assert summary(s)["training"] == 5
    s.advance(budget_s=0.0, chunk=SMALL.epochs)  # one wave finishes, the next is pending
    rows = scatter_rows(s)
    assert sum(r.get("status") == "training" for r in rows) == 5 and len(s.results) == 5
    s.run()
    assert s.pending() == [] and all("status" not in r for r in scatter_rows(s))
