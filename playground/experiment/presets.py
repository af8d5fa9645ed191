"""Presets: ready-made setups (a config and, optionally, hand-set weights)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from playground.errors import ConfigError
from playground.experiment.config import PlaygroundConfig
from playground.experiment.run import Experiment
from playground.i18n import N_


@dataclass(frozen=True)
class Preset:
    """A ready-made setup: a config and (optionally) hand-set weights to load into it. ``label`` and
    ``description`` are message ids: show them with ``_()``."""

    label: str
    description: str
    config: dict[str, Any]
    weights: dict[str, list] | None = None

    def build_config(self) -> PlaygroundConfig:
        base = PlaygroundConfig().to_dict()
        for section, values in self.config.items():
            base[section].update(values)
        return PlaygroundConfig.from_dict(base)


PRESETS: dict[str, Preset] = {
    "xor_two_relus": Preset(
        N_("XOR by two ReLUs"),
        N_(
            "h₁ = relu(x₁ + x₂ − 1), h₂ = relu(−x₁ − x₂ + 1) on the XOR truth table (class 1: x₁ ≠ x₂). "
            "−h₁ − h₂ + 1 is 1 where x₁ ≠ x₂ and 0 where x₁ = x₂; the output is a logit, whose boundary "
            "is 0, so the preset uses out = 2·(−h₁ − h₂ + 1) − 1 = −2h₁ − 2h₂ + 1: +1 for XOR true, "
            "−1 for false."
        ),
        {
            "data": {"dataset": "xor-table", "n_samples": 200, "noise": 0.0, "features": ["x1", "x2"]},
            "model": {"hidden": [2], "activation": "relu", "batch_norm": "off", "dropout": 0.0},
        },
        {
            "h1.W": [[1.0, -1.0], [1.0, -1.0]],
            "h1.b": [-1.0, 1.0],
            "out.W": [[-2.0], [-2.0]],
            "out.b": [1.0],
        },
    ),
    "xor_quadrants_four_relus": Preset(
        N_("XOR quadrants by four ReLUs"),
        N_(
            "TF Playground's XOR (class 1 = blue where x₁ and x₂ share a sign) cannot be drawn by two ReLUs "
            "(its boundary is both axes), but four can: relu(x₁+x₂) + relu(−x₁−x₂) − relu(x₁−x₂) "
            "− relu(x₂−x₁) = |x₁+x₂| − |x₁−x₂| = 2·sign(x₁x₂)·min(|x₁|, |x₂|)."
        ),
        {
            "data": {"dataset": "xor", "noise": 0.0, "features": ["x1", "x2"]},
            "model": {"hidden": [4], "activation": "relu", "batch_norm": "off", "dropout": 0.0},
        },
        {
            "h1.W": [[1.0, -1.0, 1.0, -1.0], [1.0, -1.0, -1.0, 1.0]],
            "h1.b": [0.0, 0.0, 0.0, 0.0],
            "out.W": [[1.0], [1.0], [-1.0], [-1.0]],
            "out.b": [0.0],
        },
    ),
}


def load_preset(name: str, experiment: Experiment | None = None) -> Experiment:
    """A paused experiment with the preset's config and hand-set weights."""
    if name not in PRESETS:
        raise ConfigError(
            "Unknown preset {name!r}; choose one of {choices}.", name=name, choices=", ".join(PRESETS)
        )
    preset = PRESETS[name]
    cfg = preset.build_config()
    if experiment is None:
        experiment = Experiment(cfg)
    else:
        experiment.apply(cfg, upload=None)
        if experiment.epoch or experiment.edited:
            experiment.restart()
    if preset.weights:
        experiment.set_params({k: np.asarray(v, dtype=np.float64) for k, v in preset.weights.items()})
    return experiment
