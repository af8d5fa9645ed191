"""Learning-rate schedules against hand-computed values (epochs counted from 0)."""

from __future__ import annotations

import math

import pytest

from playground.engine.schedules import SCHEDULES, make_schedule
from playground.errors import ConfigError

LR0 = 0.1


def values(name, params, epochs, lr0=LR0):
    fn = make_schedule(name, params)
    return [fn(e, lr0) for e in epochs]


def test_registry_is_what_these_tests_cover():
    assert list(SCHEDULES) == ["constant", "inverse_time", "exponential", "inverse_sqrt", "step", "cosine"]


def test_constant():
    assert values("constant", None, range(4)) == [0.1, 0.1, 0.1, 0.1]
    assert values("constant", {}, [1000], lr0=0.3) == [0.3]


def test_inverse_time():
    # α = 0.1/(1 + 0.5·epoch)
    expected = [0.1 / 1.0, 0.1 / 1.5, 0.1 / 2.0, 0.1 / 2.5]
    assert values("inverse_time", {"k": 0.5}, range(4)) == pytest.approx(expected, rel=1e-15)
    # default k = 0.1: epoch 10 halves the rate
    assert values("inverse_time", None, [10]) == pytest.approx([0.05], rel=1e-15)
    # k = 0 is constant
    assert values("inverse_time", {"k": 0}, [0, 7]) == [0.1, 0.1]


def test_exponential():
    # α = 0.1·0.5^epoch
    assert values("exponential", {"gamma": 0.5}, range(4)) == pytest.approx(
        [0.1, 0.05, 0.025, 0.0125], rel=1e-15
    )
    # default γ = 0.95
    assert values("exponential", None, [0, 1, 2]) == pytest.approx([0.1, 0.095, 0.09025], rel=1e-14)
    assert values("exponential", {"gamma": 1.0}, [50]) == [0.1]


def test_inverse_sqrt():
    # α = 0.1·2/√(epoch + 1): epoch 0 is Ng's epoch_num 1
    expected = [0.2 / 1.0, 0.2 / math.sqrt(2), 0.2 / math.sqrt(3), 0.2 / 2.0]
    assert values("inverse_sqrt", {"k": 2.0}, range(4)) == pytest.approx(expected, rel=1e-15)
    # default k = 1 starts at α₀ and is finite at epoch 0
    assert values("inverse_sqrt", None, [0, 8]) == pytest.approx([0.1, 0.1 / 3], rel=1e-15)


def test_step_staircase():
    # α = 0.1·0.1^⌊epoch/3⌋: epochs 0–2 → 0.1, 3–5 → 0.01, 6 → 0.001
    got = values("step", {"step_size": 3, "gamma": 0.1}, range(7))
    assert got == pytest.approx([0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001], rel=1e-14)


def test_step_edge_cases():
    # drops happen exactly at multiples of step_size, not one epoch early or late
    got = values("step", {"step_size": 30, "gamma": 0.5}, [29, 30, 59, 60])
    assert got == pytest.approx([0.1, 0.05, 0.05, 0.025], rel=1e-15)
    # step_size = 1 drops every epoch (like exponential)
    assert values("step", {"step_size": 1, "gamma": 0.5}, range(3)) == pytest.approx([0.1, 0.05, 0.025])
    # γ = 0 stops training after the first drop; before it, α₀
    assert values("step", {"step_size": 2, "gamma": 0.0}, range(4)) == [0.1, 0.1, 0.0, 0.0]
    # defaults: step_size 30, γ 0.1
    assert values("step", None, [29, 30]) == pytest.approx([0.1, 0.01], rel=1e-14)
    # a whole-number float is accepted as a whole number
    assert values("step", {"step_size": 2.0}, [2]) == pytest.approx([0.01], rel=1e-14)


def test_cosine():
    # α = 0.01 + (0.11 − 0.01)·(1 + cos(π·epoch/4))/2
    lr0, lo = 0.11, 0.01
    half = math.sqrt(2) / 2
    expected = [
        0.11,
        0.01 + 0.1 * (1 + half) / 2,
        0.01 + 0.1 * (1 + 0) / 2,  # 0.06, half way
        0.01 + 0.1 * (1 - half) / 2,
        0.01,
    ]
    got = values("cosine", {"t_max": 4, "lr_min": lo}, range(5), lr0=lr0)
    assert got == pytest.approx(expected, rel=1e-14)


def test_cosine_edge_cases():
    # t_max = 1: α₀ at epoch 0, α_min at epoch 1
    assert values("cosine", {"t_max": 1, "lr_min": 0.02}, [0, 1]) == pytest.approx([0.1, 0.02], rel=1e-14)
    # past T the closed form climbs back (period 2T): epoch 5 mirrors epoch 3, epoch 8 is α₀ again
    fn = make_schedule("cosine", {"t_max": 4})
    assert fn(5, LR0) == pytest.approx(fn(3, LR0), rel=1e-12)
    assert fn(8, LR0) == pytest.approx(LR0, rel=1e-12)
    assert fn(4, LR0) == pytest.approx(0.0, abs=1e-17)
    # defaults: T = 100, α_min = 0
    assert values("cosine", None, [50, 100]) == pytest.approx([0.05, 0.0], rel=1e-12, abs=1e-17)
    # α_min above α₀ is allowed and anneals upwards
    assert values("cosine", {"t_max": 2, "lr_min": 0.3}, [0, 1, 2]) == pytest.approx([0.1, 0.2, 0.3])


@pytest.mark.parametrize("name", ["inverse_time", "exponential", "inverse_sqrt", "step", "cosine"])
def test_decaying_schedules_never_increase_within_their_range(name):
    fn = make_schedule(name, {"t_max": 50} if name == "cosine" else None)
    lrs = [fn(e, LR0) for e in range(51)]
    assert lrs[0] == pytest.approx(LR0)
    assert all(b <= a for a, b in zip(lrs, lrs[1:], strict=False)), name
    assert lrs[-1] < lrs[0]


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("linear_warmup", None),
        ("constant", {"gamma": 0.5}),  # constant takes no settings
        ("step", {"step_size": 0}),
        ("step", {"step_size": 2.5}),
        ("step", {"step_size": "ten"}),
        ("step", {"gamma": 1.5}),
        ("step", {"gamma": -0.1}),
        ("exponential", {"gamma": 1.01}),
        ("exponential", {"gamma": float("nan")}),
        ("exponential", {"decay": 0.9}),
        ("inverse_time", {"k": -0.1}),
        ("inverse_time", {"k": 11.0}),
        ("inverse_sqrt", {"k": -1.0}),
        ("cosine", {"t_max": 0}),
        ("cosine", {"t_max": 10.5}),
        ("cosine", {"lr_min": -0.01}),
        ("cosine", {"eta_min": 0.0}),
    ],
)
def test_invalid_settings_raise_config_error(name, params):
    with pytest.raises(ConfigError):
        make_schedule(name, params)


def test_error_messages_say_what_is_wrong():
    with pytest.raises(ConfigError, match="step_size"):
        make_schedule("step", {"step_size": 0})
    with pytest.raises(ConfigError, match="cosine"):
        make_schedule("warm", None)
