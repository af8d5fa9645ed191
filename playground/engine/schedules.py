"""Learning-rate schedules: ``lr(epoch, lr0, **params)`` with ``epoch`` counted from 0.

The trainer sets the optimizer's learning rate from the schedule at the start of every epoch, as a
``torch.optim.lr_scheduler`` stepped once per epoch does.
"""

from __future__ import annotations

import math

from playground.engine.registry import N_, Param, Registry

SCHEDULES = Registry("schedule")


@SCHEDULES.register("constant", description=N_("α = α₀ throughout."), label=N_("Constant"))
def constant(epoch: int, lr0: float) -> float:
    """α = α₀"""
    return lr0


@SCHEDULES.register(
    "inverse_time",
    description=N_("α = α₀/(1 + k·epoch): Ng's 1/(1 + decay_rate·epoch_num)."),
    label=N_("Inverse-time decay"),
    k=Param(0.1, 0.0, 10.0, N_("Decay rate k."), label=N_("k")),
)
def inverse_time(epoch: int, lr0: float, k: float = 0.1) -> float:
    """α = α₀/(1 + k·epoch)"""
    return lr0 / (1.0 + k * epoch)


@SCHEDULES.register(
    "exponential",
    description=N_("α = α₀·γ^epoch (e.g. γ = 0.95), as torch's ExponentialLR."),
    label=N_("Exponential decay"),
    gamma=Param(0.95, 0.0, 1.0, N_("Factor γ applied every epoch."), label=N_("factor γ")),
)
def exponential(epoch: int, lr0: float, gamma: float = 0.95) -> float:
    """α = α₀·γ^epoch"""
    return lr0 * gamma**epoch


@SCHEDULES.register(
    "inverse_sqrt",
    description=N_("α = α₀·k/√epoch (Ng), with epochs counted from 1 here."),
    label=N_("k/√epoch"),
    k=Param(1.0, 0.0, 100.0, N_("Constant k."), label=N_("k")),
)
def inverse_sqrt(epoch: int, lr0: float, k: float = 1.0) -> float:
    """α = α₀·k/√(epoch + 1): Ng's k/√epoch_num with epoch_num = epoch + 1 (so epoch 0 is defined)."""
    return lr0 * k / math.sqrt(epoch + 1)


@SCHEDULES.register(
    "step",
    description=N_("Staircase: α = α₀·γ^⌊epoch/step_size⌋, as torch's StepLR."),
    label=N_("Step (staircase)"),
    step_size=Param(30, 1, 100000, N_("Epochs between drops."), label=N_("step size (epochs)")),
    gamma=Param(0.1, 0.0, 1.0, N_("Factor applied at each drop."), label=N_("factor γ")),
)
def step(epoch: int, lr0: float, step_size: int = 30, gamma: float = 0.1) -> float:
    """α = α₀·γ^⌊epoch/step_size⌋"""
    return lr0 * gamma ** (epoch // step_size)


@SCHEDULES.register(
    "cosine",
    description=N_("Cosine annealing from α₀ to α_min over T epochs, as torch's CosineAnnealingLR."),
    label=N_("Cosine"),
    t_max=Param(100, 1, 100000, N_("Epochs T of one half-cosine."), label=N_("period T (epochs)")),
    lr_min=Param(0.0, 0.0, 10.0, N_("Smallest learning rate α_min."), label=N_("smallest α")),
)
def cosine(epoch: int, lr0: float, t_max: int = 100, lr_min: float = 0.0) -> float:
    """α = α_min + (α₀ − α_min)·(1 + cos(π·epoch/T))/2 (the closed form; it repeats after 2T)."""
    return lr_min + (lr0 - lr_min) * (1.0 + math.cos(math.pi * epoch / t_max)) / 2.0


class Schedule:
    """A registered schedule with validated parameters, called as ``schedule(epoch, lr0) -> lr``
    (``lr0`` may be an array: one base rate per trial). It holds no state beyond its settings, so
    its ``state_dict`` is just those (the epoch it is at lives in the trainer)."""

    def __init__(self, name: str, params: dict | None = None):
        entry = SCHEDULES[name]
        self.name = name
        self.params = entry.resolve(params)
        self._fn = entry.obj

    def __call__(self, epoch: int, lr0):
        return self._fn(epoch, lr0, **self.params)

    def state_dict(self) -> dict:
        return {"name": self.name, "params": dict(self.params)}

    def load_state_dict(self, d: dict) -> None:
        other = Schedule(d["name"], d.get("params"))
        self.name, self.params, self._fn = other.name, other.params, other._fn

    def __repr__(self) -> str:
        return f"Schedule({self.name!r}, {self.params})"


def make_schedule(name: str, params: dict | None = None) -> Schedule:
    """A :class:`Schedule` ``(epoch, lr0) -> lr`` for a registered schedule with validated parameters."""
    return Schedule(name, params)
