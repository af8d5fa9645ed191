"""Links from a lesson page to the Playground page, with the lesson's setup in the URL query.

A lesson knows nothing of the Playground's config or URL format, so the translation lives here, in
the layer that sees both: a lesson's config (or a search trial) becomes a
:class:`~playground.experiment.PlaygroundConfig`, written with :func:`playground.urlconfig.to_query`,
which the Playground reads back with ``from_query``. The Playground has smaller caps than the lessons
(:func:`playground.limits.caps`) and draws its network in full only up to
``playground.viz.network.NETWORK_VIEW_LIMITS``: what does not fit is clamped and said so. No Streamlit here.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlencode

from playground import limits
from playground.experiment import PlaygroundConfig
from playground.i18n import _
from playground.lessons.search import Search
from playground.lessons.signals import SignalConfig
from playground.urlconfig import to_query
from playground.viz.network import NETWORK_VIEW_LIMITS


def signal_query(cfg: SignalConfig) -> tuple[dict[str, str], list[str]]:
    """Query parameters opening the Playground with ``cfg``'s activation, init, depth, width and
    batch norm (biases start at 0, as in the lesson), and notes on anything clamped."""
    caps = limits.caps()
    notes = []
    depth, width = int(cfg.depth), int(cfg.width)
    # Open a net the Playground draws in full (every neuron's map and weight), not one it can only
    # summarize: no wider and no deeper than its network view shows.
    max_depth = min(caps.max_hidden_layers, NETWORK_VIEW_LIMITS["max_layers"] - 2)
    max_width = min(caps.max_neurons, NETWORK_VIEW_LIMITS["max_neurons"])
    if depth > max_depth:
        notes.append(
            _("The Playground opens with {n} hidden layers (this page: {here}).", n=max_depth, here=depth)
        )
        depth = max_depth
    if width > max_width:
        notes.append(
            _(
                "The Playground opens with {n} units per layer (this page: {here}): its network view "
                "draws every neuron up to {n}.",
                n=max_width,
                here=width,
            )
        )
        width = max_width
    nc = cfg.network_config()
    pc = PlaygroundConfig()
    pc.model.hidden = [width] * depth
    pc.model.activation = nc.activation
    pc.model.init = nc.init
    pc.model.init_params = dict(nc.init_params)
    pc.model.bias_init = 0.0
    pc.model.batch_norm = nc.batch_norm
    pc.validate()
    return to_query(pc), notes


def trial_config(search: Search, trial: dict[str, Any]) -> PlaygroundConfig:
    """A Playground config that rebuilds a search ``trial``: same data and split, shape, activation,
    initialization, optimizer, rates and batch size."""
    cfg, net = search.cfg, search.network_config(trial)
    pc = PlaygroundConfig()
    pc.data.dataset = cfg.dataset
    pc.data.noise = float(cfg.noise)
    pc.data.n_samples = int(cfg.n_samples)
    pc.data.train_fraction = float(cfg.train_fraction)
    pc.data.val_fraction = float(cfg.val_fraction)
    pc.data.seed = int(cfg.data_seed)
    pc.model.hidden = list(net.hidden)
    pc.model.activation = net.activation
    pc.model.init = net.init
    pc.model.bias_init = float(net.bias_init)
    pc.model.dropout = float(net.dropout)
    train = search.train_config(trial)
    keys = ("optimizer", "learning_rate", "batch_size", "regularization", "reg_rate", "seed")
    pc.training = dataclasses.replace(pc.training, **{k: getattr(train, k) for k in keys})
    pc.loop.stop_epoch = int(cfg.epochs)
    pc.validate()
    return pc


def trial_query(search: Search, trial: dict[str, Any]) -> dict[str, str]:
    """URL query parameters opening a search ``trial`` in the Playground."""
    return to_query(trial_config(search, trial))


def playground_url(query: dict[str, str], path: str = "/") -> str:
    """A URL of the Playground page (``path``, its URL path in the app) with ``query``."""
    return f"{path}?{urlencode(query)}" if query else path
