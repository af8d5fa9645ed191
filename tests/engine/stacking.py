"""Shared by the engine tests: a stack of trials against the same nets trained one by one."""

from __future__ import annotations

import dataclasses

import numpy as np

from playground.engine import Network, Trainer


def train_alone_and_stacked(spec, data, cfg, seeds, rates, epochs):
    """(stacked trainer, one trainer per trial): trial i has seed ``seeds[i]`` and learning rate
    ``rates[i]``; all are trained ``epochs`` epochs."""
    stacked = Trainer(Network(spec, seeds=seeds), data, cfg, trials=[{"learning_rate": r} for r in rates])
    assert stacked.run_epochs(epochs) == epochs
    singles = []
    for seed, lr in zip(seeds, rates, strict=True):
        single = Trainer(
            Network(dataclasses.replace(spec, seed=seed)), data, dataclasses.replace(cfg, learning_rate=lr)
        )
        single.run_epochs(epochs)
        singles.append(single)
    return stacked, singles


def assert_trials_match(stacked, singles, rtol):
    """Every trial's parameters and buffers equal its own network's, to ``rtol``."""
    for i, single in enumerate(singles):
        state = stacked.trial_state(i)
        for name, value in single.network.state().items():
            np.testing.assert_allclose(state[name], value, rtol=rtol, atol=1e-12, err_msg=f"trial {i} {name}")
