"""The optimizer race: the book's figure on x²/20 + y², divergence, schedules."""

import numpy as np
import pytest

from playground.engine import OPTIMIZERS, SCHEDULES
from playground.errors import ConfigError
from playground.lessons.race import (
    SCHEDULE_LATEX,
    SURFACES,
    RunnerSpec,
    book_race,
    race,
    schedule_curves,
    schedule_latex,
    suggested_runner,
)


@pytest.fixture(scope="module")
def book():
    return {t.optimizer: t for t in book_race(30)}


def test_the_books_figure(book):
    assert book["sgd"].sign_changes(1) >= 25  # zig-zags at nearly every step
    assert book["adagrad"].sign_changes(1) == 0
    assert book["momentum"].sign_changes(1) <= 5
    assert book["adam"].sign_changes(1) <= 5
    for t in book.values():
        assert t.steps == 30 and not t.diverged
        assert t.distance_to((0.0, 0.0)) < 1.0, (t.label, t.points[-1])
        np.testing.assert_array_equal(t.points[0], [-7.0, 2.0])


def test_engine_momentum_traces_the_books_momentum(book):
    """Book: v ← 0.9v − 0.1g, θ ← θ + v. Ours (PyTorch): b ← 0.9b + g, θ ← θ − 0.1b. Same path."""
    p, v = np.array([-7.0, 2.0]), np.zeros(2)
    path = [p.copy()]
    for _ in range(30):
        g = np.array([p[0] / 10, 2 * p[1]])
        v = 0.9 * v - 0.1 * g
        p = p + v
        path.append(p.copy())
    np.testing.assert_allclose(book["momentum"].points, path, rtol=1e-12, atol=1e-12)


def test_every_optimizer_on_every_surface_stays_finite_or_is_reported():
    for key, surface in SURFACES.items():
        runners = [suggested_runner(key, name) for name in OPTIMIZERS]
        for t in race(surface, runners):
            assert np.all(np.isfinite(t.points)) and np.all(np.isfinite(t.values))
            assert t.diverged or t.steps == surface.steps


def test_too_high_a_learning_rate_is_reported_not_raised():
    t = race("bowl", [RunnerSpec("sgd", lr=5.0)], steps=200)[0]
    assert t.diverged and t.diverged_at < 200
    assert "diverged" in t.status()
    assert np.all(np.isfinite(t.points))
    g = race("bowl", [RunnerSpec("sgd", lr=1.05)], steps=30)[0]
    assert not g.diverged and g.growing and "too large" in g.status(SURFACES["bowl"])


def test_noise_is_shared_and_seeded():
    runners = [RunnerSpec("sgd", lr=0.1), RunnerSpec("sgd", lr=0.1)]
    a, b = race("noisy_bowl", runners, seed=3)
    np.testing.assert_array_equal(a.points, b.points)
    c = race("noisy_bowl", runners[:1], seed=4)[0]
    assert not np.array_equal(a.points, c.points)
    clean = race("bowl", runners[:1], steps=60)[0]
    assert not np.array_equal(a.points, clean.points)


def test_adamw_decays_the_point_toward_zero():
    adam = race("rosenbrock", [RunnerSpec("adam", lr=0.01)], steps=50)[0]
    adamw = race("rosenbrock", [RunnerSpec("adamw", lr=0.01, hyper={"weight_decay": 5.0})], steps=50)[0]
    assert np.linalg.norm(adamw.points[-1]) < np.linalg.norm(adam.points[-1])


def test_a_schedule_changes_the_learning_rate_per_step():
    t = race(
        "bowl",
        [RunnerSpec("sgd", lr=0.5)],
        steps=10,
        schedule="exponential",
        schedule_params={"gamma": 0.5},
    )[0]
    np.testing.assert_allclose(t.lrs, 0.5 * 0.5 ** np.arange(10))


def test_adaptive_methods_escape_the_saddle_faster_than_sgd():
    runners = [suggested_runner("saddle", n) for n in ("sgd", "adam")]
    sgd, adam = race("saddle", runners)
    assert abs(adam.points[-1][1]) > 5 * abs(sgd.points[-1][1])


@pytest.mark.parametrize(
    "kwargs", [{"steps": 0}, {"steps": 10_000}, {"noise": -1.0}, {"start": (float("nan"), 0.0)}]
)
def test_bad_race_settings_raise_config_error(kwargs):
    with pytest.raises(ConfigError):
        race("bowl", [RunnerSpec("sgd", lr=0.1)], **kwargs)
    with pytest.raises(ConfigError):
        race("nope", [RunnerSpec("sgd", lr=0.1)])


def test_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    for s in SURFACES.values():
        for _ in range(5):
            x, y = rng.uniform(-1.5, 1.5, 2)
            h = 1e-6
            gx = (s.f(x + h, y) - s.f(x - h, y)) / (2 * h)
            gy = (s.f(x, y + h) - s.f(x, y - h)) / (2 * h)
            np.testing.assert_allclose(s.grad(x, y), (gx, gy), rtol=1e-5, atol=1e-6)


def test_schedule_viewer_covers_every_engine_schedule():
    curves = schedule_curves(0.2, 10, {"inverse_time": {"k": 1.0}})
    assert set(curves) == set(SCHEDULES) and set(SCHEDULE_LATEX) >= set(SCHEDULES)
    # Ng's table: α₀ = 0.2, decay rate 1 -> 0.1, 0.067, 0.05, 0.04 at epochs 1..4
    np.testing.assert_allclose(curves["inverse_time"][1:5], [0.1, 0.2 / 3, 0.05, 0.04])
    np.testing.assert_allclose(curves["exponential"], 0.2 * 0.95 ** np.arange(10))
    assert curves["constant"].tolist() == [0.2] * 10
    for name in SCHEDULES:
        assert schedule_latex(name)
    with pytest.raises(ConfigError):
        schedule_curves(0.0, 10)


def test_the_learning_rate_has_one_spelling():
    assert suggested_runner("bowl", "sgd") == RunnerSpec("sgd", lr=0.95)
    t = race("bowl", [RunnerSpec("sgd", lr=0.5)], steps=3)[0]
    np.testing.assert_allclose(t.lrs, [0.5, 0.5, 0.5])
    with pytest.raises(ConfigError, match="lr="):
        RunnerSpec("sgd", hyper={"lr": 0.5})
    with pytest.raises(ConfigError):
        RunnerSpec("nope")


# -- every surface's note (the caption under its formula), on the paths the page draws ------------
def suggested(key):
    return {t.optimizer: t for t in race(key, [suggested_runner(key, n) for n in OPTIMIZERS])}


def test_bowl_note():
    ts = suggested("bowl")
    sgd = ts["sgd"]
    assert sgd.sign_changes(1) == sgd.steps, "y flips sign at every step"
    shrink = np.abs(sgd.points[1:, 0] / sgd.points[:-1, 0])
    assert np.all((shrink > 0.9) & (shrink < 1.0)), "x shrinks by less than a tenth per step"
    assert ts["momentum"].sign_changes(0) >= 1, "Momentum rolls past the minimum (x changes sign) and back"
    for name in ("adagrad", "adam"):
        assert ts[name].sign_changes(1) <= 2 < sgd.sign_changes(1) / 10, name
    assert "flips sign at every step" in SURFACES["bowl"].note


def test_rosenbrock_note():
    for name, t in suggested("rosenbrock").items():
        if name == "sgd":
            continue
        in_valley = np.abs(t.points[:, 1] - t.points[:, 0] ** 2) < 0.1
        near_min = np.hypot(t.points[:, 0] - 1.0, t.points[:, 1] - 1.0) < 0.1
        first_valley = int(np.argmax(in_valley))
        assert in_valley.any() and first_valley < 0.1 * t.steps, (name, first_valley)
        first_min = int(np.argmax(near_min)) if near_min.any() else t.steps + 1
        assert first_min > 5 * max(first_valley, 1), (name, first_valley, first_min)
    assert "following it to the minimum at (1, 1) is slow" in SURFACES["rosenbrock"].note


def test_saddle_note():
    ts = suggested("saddle")
    sgd = ts["sgd"]
    for name in ("adagrad", "rmsprop", "adam", "adamw"):
        assert abs(ts[name].points[-1][1]) > 5 * abs(sgd.points[-1][1]), name
    for t in ts.values():
        assert abs(t.points[-1][1]) > 10 * abs(t.points[0][1]), f"{t.label} leaves along y"
    assert SURFACES["saddle"].f_min is None


def test_beale_note():
    ts = suggested("beale")
    sgd = ts["sgd"]
    assert not sgd.diverged and sgd.distance_to((3.0, 0.5)) > 3 * max(
        t.distance_to((3.0, 0.5)) for n, t in ts.items() if n != "sgd"
    ), "the learning rate safe on the walls crawls on the plateau"
    faster = race("beale", [RunnerSpec("sgd", lr=0.05)])[0]
    assert faster.diverged, "a rate 25 times larger is not safe on the walls (gradients near 77 there)"


def test_noisy_bowl_note():
    sgd = suggested("noisy_bowl")["sgd"]
    jitter = float(np.std(sgd.points[-10:], axis=0).max())
    assert jitter > 0.1, "the paths jitter and never settle exactly"
    decayed = race(
        "noisy_bowl",
        [suggested_runner("noisy_bowl", "sgd")],
        schedule="exponential",
        schedule_params={"gamma": 0.95},
    )[0]
    assert float(np.std(decayed.points[-10:], axis=0).max()) < jitter / 5, "a decaying rate settles"


# -- the replay the page plays ------------------------------------------------------------------
def test_replay_plays_several_steps_a_second_and_stops_at_the_end():
    from playground.lessons.race import REPLAY_TICKS, Replay

    short = Replay(30)
    assert short.per_tick == 1 and short.playing and short.upto == 0
    for _ in range(29):
        short.advance()
    assert short.upto == 29 and short.playing
    short.advance()
    assert short.finished and not short.playing
    short.play()
    assert short.upto == 0 and short.playing, "Play at the end replays from the start"
    long = Replay(500)
    assert long.per_tick == 12 and -(-500 // long.per_tick) <= REPLAY_TICKS
    long.show_all()
    assert long.upto == 500 and not long.playing
    long.rewind()
    assert long.upto == 0 and not long.playing
