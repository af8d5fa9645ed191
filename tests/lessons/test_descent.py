"""y = 2x by gradient descent, and the gradient check."""

import numpy as np
import pytest

from playground.errors import ConfigError
from playground.lessons.descent import (
    CheckConfig,
    check_network,
    critical_lr,
    error_vs_h,
    fit_line,
    gradient_check,
    parameter_entries,
)


def test_defaults_converge_to_two():
    fit = fit_line()  # lr 0.01, 10 epochs, per example, w0 = 1 (the PyTorch tutorial)
    assert len(fit.w) == 11 and fit.w[0] == 1.0
    assert abs(fit.w[-1] - 2.0) < 0.06 and not fit.overshoots and not fit.diverged
    assert np.all(np.diff(fit.loss) < 0)
    assert fit.grad[0] == pytest.approx(-28 / 3)  # mean of 2x(x - 2x) at w = 1


def test_more_epochs_reach_two():
    assert fit_line(epochs=100).w[-1] == pytest.approx(2.0, abs=1e-6)


def test_a_large_learning_rate_overshoots_then_diverges():
    assert fit_line(lr=0.1).overshoots
    assert fit_line(lr=0.15, mode="batch").overshoots
    bad = fit_line(lr=0.3, mode="batch", epochs=100)
    assert bad.diverged
    assert critical_lr("batch") == pytest.approx(3 / 28)


def test_bad_settings():
    for kwargs in ({"lr": 0}, {"epochs": 0}, {"mode": "x"}):
        with pytest.raises(ConfigError):
            fit_line(**kwargs)


def test_gradient_check_agrees_for_every_weight_of_a_small_net():
    cfg = CheckConfig()
    net, _, _ = check_network(cfg)
    entries = parameter_entries(net)
    assert len(entries) == net.n_params
    for name, idx in entries:
        res = gradient_check(cfg, name, idx, 1e-5)
        assert res.relative_error < 1e-7 or abs(res.analytic - res.numeric) < 1e-10, (name, idx, res)


def test_error_against_h_has_a_sweet_spot():
    hs, errs = error_vs_h(CheckConfig(), "h1.W", (0, 1))
    best = int(np.argmin(errs))
    assert errs[best] < 1e-8
    assert errs[0] > 100 * errs[best] and errs[-1] > 100 * errs[best]


def test_gradient_check_rejects_bad_entries():
    with pytest.raises(ConfigError):
        gradient_check(CheckConfig(), "h9.W", (0, 0))
    with pytest.raises(ConfigError):
        gradient_check(CheckConfig(), "h1.W", (5, 0))
    with pytest.raises(ConfigError):
        gradient_check(CheckConfig(), "h1.W", (0, 0), h=0.0)
