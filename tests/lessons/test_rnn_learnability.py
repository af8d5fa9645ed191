"""Learnability of the recurrent-network lab at a fixed number of updates (seconds only in
benchmarks/rnn.py): the memory task separates the cells, and the LSTM learns the English text.

The memory task's gap is asserted at 30 distractors (32 steps; at 20 the vanilla RNN picked up two
of the four symbols for one seed in 1 500 updates, ~45 %): the race the page trains (hidden 32, Adam
0.005, clipping at 1, batches of 32, the LSTM's forget-gate bias 2, the GRU's update-gate bias −1)
for the updates the page's claim names."""

from __future__ import annotations

import numpy as np
import pytest

from playground.lessons import rnn as lab

UPDATES = lab.RACE_UPDATES


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lstm_and_full_gru_remember_across_30_distractors_and_the_vanilla_rnn_does_not(seed):
    race = lab.Race(seed=seed)
    assert race.seq_len == lab.GAP_DISTRACTORS + 2 == 32
    race.train(UPDATES)
    acc = {cell: run.history[-1]["accuracy"] for cell, run in race.runs.items()}
    assert acc["lstm"] >= 0.95, acc
    assert acc["gru_full"] >= 0.95, acc
    assert acc["rnn"] <= 0.35, acc  # chance is 0.25
    # the trained LSTM's last output moves with the first input (the symbol) more than with a typical
    # distractor (the last few inputs before the question move it more: its state is fresh)
    conn = race.runs["lstm"].probe().connectivity
    assert conn[0] > 2 * np.median(conn[1:-1])
    # and the vanilla RNN's gradient from the last step has faded by the first step
    g = race.runs["rnn"].probe().grad_norms[0]
    assert g[0] < 0.01 * g[-1]


def test_the_lstm_learns_english_characters():
    """Conservative floor at 400 updates (the uniform guess is log2 63 = 5.98 bits, the character
    frequencies alone ~4.4); benchmarks/rnn.py reports how far it goes with more updates."""
    run = lab.Run(lab.Setup(task="text_en", cell="lstm", hidden=64, lr=0.01, bptt=32, batch=32))
    start = run.history[-1]["bits_per_char"]
    run.train(400)
    bits = run.evaluate()["bits_per_char"]
    assert start > 5.5 and bits < 3.1, (start, bits)
    assert np.isfinite(bits)
