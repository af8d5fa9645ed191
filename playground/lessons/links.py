"""Links from a lesson to the Playground page, with the lesson's setup in the URL query.

Built with :mod:`playground.urlconfig` (``to_query``), so the Playground reads them back with
``from_query``. The Playground has smaller caps than the lessons (see :mod:`playground.limits`):
what does not fit is clamped and said so.
"""

from __future__ import annotations

from urllib.parse import urlencode

from playground import limits
from playground.lessons.signals import SignalConfig


def playground_query(cfg: SignalConfig) -> tuple[dict[str, str], list[str]]:
    """Query parameters opening the Playground with ``cfg``'s activation, init, depth, width and
    batch norm (biases start at 0, as in the lesson), and notes on anything clamped."""
    from playground.experiment import PlaygroundConfig
    from playground.urlconfig import to_query

    notes = []
    depth, width = int(cfg.depth), int(cfg.width)
    if depth > limits.MAX_HIDDEN_LAYERS:
        notes.append(
            f"The Playground allows up to {limits.MAX_HIDDEN_LAYERS} hidden layers; using that many."
        )
        depth = limits.MAX_HIDDEN_LAYERS
    if width > limits.MAX_NEURONS:
        notes.append(
            f"The Playground allows up to {limits.MAX_NEURONS} units per layer; using {limits.MAX_NEURONS}."
        )
        width = limits.MAX_NEURONS
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


def playground_url(query: dict[str, str], path: str = "/") -> str:
    """A URL of the Playground page (``path``, its URL path in the app) with ``query``."""
    return f"{path}?{urlencode(query)}" if query else path
