"""Issue 13 §6: Play, Pause, Step, Reset, structure and learning-rate changes hammered from several
threads while live ticks train, as a room of impatient clicks does (each click is a new script run
whose callback runs while the previous tick may still train). Every mutation of the run goes through
the session's run lock, so the run stays consistent: no thread raises, the network's shapes always
match its config, the epoch counter never goes backwards except on Reset, and a checkpoint taken at
the end loads back to the same numbers.

Counts, not time: each thread does a fixed number of operations and the test waits for all of them.
"""

from __future__ import annotations

import copy
import random
import threading

import numpy as np
import pytest

from playground.experiment import Experiment, PlaygroundConfig
from playground.ui import session


class State(dict):
    __getattr__ = dict.__getitem__
    __setattr__ = dict.__setitem__


def _config(hidden, lr=0.03):
    cfg = PlaygroundConfig()
    cfg.data.dataset = "spiral"
    cfg.data.n_samples = 400
    cfg.data.features = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin_x1", "sin_x2"]
    cfg.model.hidden = list(hidden)
    cfg.model.activation = "relu"
    cfg.training.batch_size = 4
    cfg.training.learning_rate = lr
    return cfg


@pytest.fixture
def state(monkeypatch):
    s = State(exp=Experiment(_config([16, 16, 16])), playing=True, callout=None, weights_version=0)
    monkeypatch.setattr(session.st, "session_state", s)
    errors: list[str] = []
    monkeypatch.setattr(session.log, "exception", lambda msg, *a: errors.append(msg % a if a else msg))
    s["_errors"] = errors
    return s


def _consistent(exp: Experiment) -> None:
    """The network matches the config: one weight matrix per layer with the config's sizes."""
    sizes = [len(exp.config.data.features), *exp.config.model.hidden]
    names = exp.layer_names()
    for i, name in enumerate(names[:-1]):
        W, b = exp.layer_weights(name)
        assert W.shape == (sizes[i], sizes[i + 1]), (name, W.shape, sizes)
        assert b.shape == (sizes[i + 1],)
    assert np.isfinite(exp.grid_values()).all()


def test_clicks_and_changes_while_ticks_run_keep_the_run_consistent(state):
    lock = session.run_lock(state)
    failures: list[BaseException] = []
    ops_per_thread = 40
    configs = [_config([16, 16, 16]), _config([8, 8], lr=0.1), _config([32], lr=0.01)]

    def guard(fn):
        def run():
            try:
                fn()
            except BaseException as exc:  # noqa: BLE001 - collected and reported by the test
                failures.append(exc)

        return run

    def ticker():
        for _i in range(ops_per_thread * 2):
            with lock:
                exp = state["exp"]
                if state["playing"] and exp.can_train:
                    before = exp.epoch
                    exp.tick(epochs=2, budget_s=60)
                    assert exp.epoch >= before
                _consistent(exp)

    def clicker(seed):
        rng = random.Random(seed)
        actions = [session.on_play, session.on_pause, session.on_step, session.on_play, session.on_reset]
        for _i in range(ops_per_thread):
            rng.choice(actions)()

    def changer(seed):
        rng = random.Random(seed)
        for _i in range(ops_per_thread):
            cfg = copy.deepcopy(rng.choice(configs))
            with lock:  # a widget's on_change: the page applies the new settings under the lock
                result = state["exp"].apply(cfg)
                assert result is not None
                _consistent(state["exp"])
            session.on_play()

    threads = [threading.Thread(target=guard(f)) for f in (ticker, ticker)]
    threads += [threading.Thread(target=guard(lambda s=s: clicker(s))) for s in (1, 2, 3)]
    threads += [threading.Thread(target=guard(lambda s=s: changer(s))) for s in (4, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (deadlock?)"
    assert not failures, f"{len(failures)} failure(s), first: {failures[0]!r}"
    assert not state["_errors"], state["_errors"][:3]

    exp = state["exp"]
    _consistent(exp)
    # the run is whole: a checkpoint of it loads back to the same parameters and epoch, and trains on
    restored = Experiment.from_state_dict(exp.state_dict())
    assert restored.epoch == exp.epoch
    for name in exp.layer_names():
        for a, b in zip(exp.layer_weights(name), restored.layer_weights(name), strict=True):
            np.testing.assert_array_equal(a, b)
    epoch = exp.epoch
    exp.step(1)
    assert exp.epoch == epoch + 1
