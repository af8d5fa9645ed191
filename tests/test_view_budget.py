"""Issue 13 §4: the views of a live update fit its budget whatever legal config a learner picks.

The decision-boundary grid and the network view's neuron maps are drawn by pushing every grid cell
through the network; for the heaviest legal network (every hidden layer at the cap, maxout with the
most pieces, every input feature) an 80 × 80 grid alone cost 288 ms. The grid is coarsened so that
cells × parameters stays within ``caps().view_budget_macs``, and the live image keeps its size.
Counted in multiply-adds (the figure that sets the time), not timed: timing belongs in benchmarks/.
"""

from __future__ import annotations

from playground import limits
from playground.data.features import FEATURES
from playground.experiment import Experiment
from playground.experiment.run import view_grid_n
from playground.urlconfig import from_query


def _worst_query() -> dict[str, str]:
    caps = limits.caps()
    return {
        "layers": ",".join([str(caps.max_neurons)] * caps.max_hidden_layers),
        "activation": "maxout",
        "act.k": "5",
        "features": ",".join(FEATURES),
        "points": str(caps.max_points),
    }


def test_the_heaviest_legal_network_gets_a_grid_within_the_view_budget():
    cfg, notices = from_query(_worst_query())
    assert not notices, notices  # legal: nothing was clamped
    exp = Experiment(cfg)
    caps = limits.caps()
    assert exp.network.n_params > 100_000
    for n in (exp.grid_n, exp.neuron_grid_n):
        assert n * n * exp.network.n_params <= caps.view_budget_macs
    assert exp.grid_values().shape[:2] == (exp.grid_n, exp.grid_n)
    assert exp.grid_n < caps.grid_n  # it was coarsened
    # the image keeps (within a cell) the size of the default one
    full = caps.grid_n * caps.boundary_scale
    assert abs(exp.grid_n * exp.boundary_scale - full) <= exp.boundary_scale
    maps = exp.neuron_maps()
    assert maps["output"].shape[-1] == exp.neuron_grid_n


def test_the_default_and_usual_networks_keep_the_full_grid():
    caps = limits.caps()
    for query in ({}, {"layers": "8,8,8,8", "activation": "relu"}, {"layers": "32,32", "activation": "tanh"}):
        exp = Experiment(from_query(query)[0])
        assert (exp.grid_n, exp.neuron_grid_n, exp.boundary_scale) == (
            caps.grid_n,
            caps.neuron_grid_n,
            caps.boundary_scale,
        ), query


def test_view_grid_n_is_the_largest_that_fits_and_never_below_the_floor():
    assert view_grid_n(25, 80, 20, 6.6e7) == 80
    n = view_grid_n(30_000, 80, 20, 6.6e7)
    assert n * n * 30_000 <= 6.6e7 < (n + 1) * (n + 1) * 30_000
    assert view_grid_n(10**9, 80, 20, 6.6e7) == 20  # the floor
    assert view_grid_n(10**9, 12, 20, 6.6e7) == 12  # a floor above the cap is the cap
