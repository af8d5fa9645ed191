"""The optimizer race of Saito's *Deep Learning from Scratch* §6.1 (``optimizer_compare_naive.py``),
on more surfaces, and the learning-rate schedules of Ng's course.

Each trajectory is driven by the engine's own optimizer classes: the point (x, y) is a one-parameter
:class:`~playground.engine.ParamSet`, its gradient is written into ``grads`` and ``step()`` is called,
exactly as in training. A run that leaves the finite numbers (or goes beyond :data:`ESCAPE`) stops and
is reported as diverged instead of raising.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from playground.engine import OPTIMIZERS, SCHEDULES, ParamSet, make_optimizer, make_schedule
from playground.errors import ConfigError
from playground.i18n import N_, _

#: A trajectory whose |x| or |y| passes this is stopped and reported as diverged.
ESCAPE = 1e6
MAX_STEPS = 1000


@dataclass(frozen=True)
class Surface:
    """A 2-D function with its gradient, the view to plot it in and sensible race defaults."""

    key: str
    label: str
    latex: str
    f: Callable[[np.ndarray, np.ndarray], np.ndarray]
    grad: Callable[[float, float], tuple[float, float]]
    start: tuple[float, float]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    steps: int
    #: optimizer name -> {"lr": ..., other hyperparameters}; optimizers not listed use the engine's defaults.
    defaults: dict[str, dict[str, Any]]
    noise: float = 0.0
    note: str = ""
    log_levels: bool = True  # contour levels spaced logarithmically (for f ≥ 0 with a deep valley)

    @property
    def f_min(self) -> float | None:
        """The global minimum value, if the function has one."""
        if not self.minima:
            return None
        x, y = self.minima[0]
        return float(self.f(np.asarray(x), np.asarray(y)))


def _bowl(x, y):
    return x**2 / 20.0 + y**2


def _bowl_grad(x, y):
    return x / 10.0, 2.0 * y


def _rosen(x, y):
    return (1.0 - x) ** 2 + 100.0 * (y - x**2) ** 2


def _rosen_grad(x, y):
    return -2.0 * (1.0 - x) - 400.0 * x * (y - x**2), 200.0 * (y - x**2)


def _saddle(x, y):
    return x**2 - y**2


def _saddle_grad(x, y):
    return 2.0 * x, -2.0 * y


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def _beale_grad(x, y):
    a, b, c = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3
    dx = 2 * a * (y - 1) + 2 * b * (y**2 - 1) + 2 * c * (y**3 - 1)
    dy = 2 * a * x + 2 * b * 2 * x * y + 2 * c * 3 * x * y**2
    return dx, dy


_BOOK = {
    "sgd": {"lr": 0.95},
    "momentum": {"lr": 0.1, "momentum": 0.9},
    "nesterov": {"lr": 0.1, "momentum": 0.9},
    "adagrad": {"lr": 1.5},
    "rmsprop": {"lr": 0.1},
    "adam": {"lr": 0.3},
    "adamw": {"lr": 0.3, "weight_decay": 0.1},
}

SURFACES: dict[str, Surface] = {
    s.key: s
    for s in (
        Surface(
            "bowl",
            N_("Elongated bowl x²/20 + y² (the book's)"),
            r"f(x, y) = \frac{x^2}{20} + y^2",
            _bowl,
            _bowl_grad,
            (-7.0, 2.0),
            (-10.0, 10.0),
            (-5.0, 5.0),
            ((0.0, 0.0),),
            30,
            _BOOK,
            note=N_(
                "Steep in y, almost flat in x: plain SGD zig-zags across the valley (y flips sign at every "
                "step) while x shrinks by less than a tenth per step; Momentum rolls past the minimum and "
                "back, AdaGrad and Adam rescale each axis and barely zig-zag."
            ),
        ),
        Surface(
            "rosenbrock",
            N_("Rosenbrock's banana valley"),
            r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
            _rosen,
            _rosen_grad,
            (-1.2, 1.0),
            (-2.0, 2.0),
            (-1.0, 3.0),
            ((1.0, 1.0),),
            500,
            {
                "sgd": {"lr": 0.0015},
                "momentum": {"lr": 0.001, "momentum": 0.9},
                "nesterov": {"lr": 0.001, "momentum": 0.9},
                "adagrad": {"lr": 1.0},
                "rmsprop": {"lr": 0.02},
                "adam": {"lr": 0.1},
                "adamw": {"lr": 0.1, "weight_decay": 0.01},
            },
            note=N_("Finding the curved valley is easy; following it to the minimum at (1, 1) is slow."),
        ),
        Surface(
            "saddle",
            N_("Saddle x² − y²"),
            r"f(x, y) = x^2 - y^2",
            _saddle,
            _saddle_grad,
            (-1.8, 0.001),
            (-2.0, 2.0),
            (-2.0, 2.0),
            (),
            60,
            {
                "sgd": {"lr": 0.05},
                "momentum": {"lr": 0.02, "momentum": 0.9},
                "nesterov": {"lr": 0.02, "momentum": 0.9},
                "adagrad": {"lr": 0.3},
                "rmsprop": {"lr": 0.05},
                "adam": {"lr": 0.05},
                "adamw": {"lr": 0.05, "weight_decay": 0.01},
            },
            log_levels=False,
            note=N_(
                "The start sits just off the ridge y = 0: the gradient in y is tiny, so plain SGD "
                "lingers near the saddle point while the adaptive methods rescale it and escape. f has no "
                "minimum: every path eventually leaves along y."
            ),
        ),
        Surface(
            "beale",
            N_("Beale's function"),
            r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
            _beale,
            _beale_grad,
            (1.0, 1.4),
            (-4.5, 4.5),
            (-4.5, 4.5),
            ((3.0, 0.5),),
            300,
            {
                "sgd": {"lr": 0.002},
                "momentum": {"lr": 0.001, "momentum": 0.9},
                "nesterov": {"lr": 0.001, "momentum": 0.9},
                "adagrad": {"lr": 0.5},
                "rmsprop": {"lr": 0.02},
                "adam": {"lr": 0.1},
                "adamw": {"lr": 0.1, "weight_decay": 0.01},
            },
            note=N_(
                "Flat plateaus and steep walls (gradients differ by orders of magnitude): a learning rate "
                "that is safe on the walls crawls on the plateau."
            ),
        ),
        Surface(
            "noisy_bowl",
            N_("Noisy bowl (mini-batch-like gradients)"),
            r"f(x, y) = \frac{x^2}{20} + y^2,\quad \tilde g = \nabla f + \sigma\,\varepsilon",
            _bowl,
            _bowl_grad,
            (-7.0, 2.0),
            (-10.0, 10.0),
            (-5.0, 5.0),
            ((0.0, 0.0),),
            60,
            {
                "sgd": {"lr": 0.5},
                "momentum": {"lr": 0.05, "momentum": 0.9},
                "nesterov": {"lr": 0.05, "momentum": 0.9},
                "adagrad": {"lr": 1.5},
                "rmsprop": {"lr": 0.1},
                "adam": {"lr": 0.3},
                "adamw": {"lr": 0.3, "weight_decay": 0.1},
            },
            noise=1.0,
            note=N_(
                "Each step sees the true gradient plus Gaussian noise, as a mini-batch would: the paths "
                "jitter and never settle exactly; a decaying learning rate helps them settle."
            ),
        ),
    )
}
DEFAULT_SURFACE = "bowl"


def optimizer_defaults(surface: str, optimizer: str) -> dict[str, Any]:
    """The engine's defaults for ``optimizer`` overlaid with the surface's suggested values (a flat
    table of the registry's parameters, as the page's widgets show them, ``lr`` among them)."""
    entry = OPTIMIZERS[optimizer]
    return {**entry.defaults(), **SURFACES[surface].defaults.get(optimizer, {})}


def suggested_runner(surface: str, optimizer: str) -> RunnerSpec:
    """A racer with the surface's suggested settings for ``optimizer``."""
    return RunnerSpec.from_values(optimizer, optimizer_defaults(surface, optimizer))


@dataclass
class RunnerSpec:
    """One racer: a registered optimizer, its learning rate and its other hyperparameters.

    The learning rate has one spelling, ``lr`` (None: the engine's default); it is passed to
    ``make_optimizer(name, params, lr, hyper)`` on its own, so ``hyper`` must not carry an ``"lr"``.
    """

    optimizer: str
    lr: float | None = None
    hyper: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError(
                "Unknown optimizer {name}; choose one of {choices}.",
                name=repr(self.optimizer),
                choices=", ".join(OPTIMIZERS),
            )
        if "lr" in self.hyper:
            raise ConfigError("Give the learning rate as RunnerSpec(lr=…), not inside hyper.")

    @classmethod
    def from_values(cls, optimizer: str, values: dict[str, Any]) -> RunnerSpec:
        """A racer from a flat table of settings (the registry's parameters, ``lr`` among them)."""
        hyper = dict(values)
        lr = hyper.pop("lr", None)
        return cls(optimizer, None if lr is None else float(lr), hyper)

    @property
    def label(self) -> str:
        return OPTIMIZERS[self.optimizer].label


@dataclass
class Trajectory:
    optimizer: str
    label: str
    points: np.ndarray  # (steps_done + 1, 2): the start, then the point after each step
    values: np.ndarray  # f at each point
    lrs: np.ndarray  # learning rate used by each step
    diverged_at: int | None = None  # the step at which it left the finite numbers or ESCAPE

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def steps(self) -> int:
        return len(self.points) - 1

    def sign_changes(self, axis: int = 1) -> int:
        """How many steps flip the sign of the coordinate ``axis`` (1: y): the zig-zag count."""
        s = np.sign(self.points[:, axis])
        s = s[s != 0]
        return int(np.sum(s[1:] != s[:-1]))

    def distance_to(self, point: tuple[float, float]) -> float:
        return float(np.hypot(*(self.points[-1] - np.asarray(point))))

    @property
    def growing(self) -> bool:
        """f ended higher than it started while |θ| grew: oscillating outward (not yet diverged)."""
        return (
            not self.diverged
            and self.values[-1] > self.values[0]
            and np.linalg.norm(self.points[-1]) > np.linalg.norm(self.points[0])
        )

    def status(self, surface: Surface | None = None) -> str:
        if self.diverged:
            return _("diverged at step {step}: the learning rate is too large", step=self.diverged_at)
        if self.growing and (surface is None or surface.minima):
            return _(
                "f grew from {a} to {b}: each step overshoots further, the learning rate is too large",
                a=f"{self.values[0]:.3g}",
                b=f"{self.values[-1]:.3g}",
            )
        end = self.points[-1]
        where = {"x": f"{end[0]:.3g}", "y": f"{end[1]:.3g}", "f": f"{self.values[-1]:.3g}"}
        if surface is not None and surface.minima:
            return _(
                "ends at ({x}, {y}), f = {f}, {d} from the minimum",
                d=f"{self.distance_to(surface.minima[0]):.3g}",
                **where,
            )
        return _("ends at ({x}, {y}), f = {f}", **where)


def race(
    surface: Surface | str,
    runners: list[RunnerSpec],
    *,
    start: tuple[float, float] | None = None,
    steps: int | None = None,
    noise: float | None = None,
    seed: int = 0,
    schedule: str = "constant",
    schedule_params: dict[str, Any] | None = None,
) -> list[Trajectory]:
    """Run every racer from the same start for ``steps`` steps of its engine optimizer.

    ``noise`` (σ) adds N(0, σ²) to each gradient component; every racer sees the same noise draws.
    ``schedule`` sets each racer's learning rate at step t to ``schedule(t, lr)`` (a step plays the
    role of an epoch here).
    """
    if isinstance(surface, str):
        if surface not in SURFACES:
            raise ConfigError(
                "Unknown surface {name}; choose one of {choices}.",
                name=repr(surface),
                choices=", ".join(SURFACES),
            )
        surface = SURFACES[surface]
    start = surface.start if start is None else (float(start[0]), float(start[1]))
    if not all(np.isfinite(start)):
        raise ConfigError("The start point must be two finite numbers, got {start}.", start=start)
    steps = surface.steps if steps is None else int(steps)
    if not 1 <= steps <= MAX_STEPS:
        raise ConfigError("Use between 1 and {n} steps, got {steps}.", n=MAX_STEPS, steps=steps)
    noise = surface.noise if noise is None else float(noise)
    if not noise >= 0:
        raise ConfigError("The gradient noise σ must be 0 or more, got {noise}.", noise=noise)
    lr_at = make_schedule(schedule, schedule_params)
    eps = np.random.default_rng(seed).standard_normal((steps, 2)) * noise

    out = []
    for spec in runners:
        lr0 = float(spec.lr if spec.lr is not None else OPTIMIZERS[spec.optimizer].params["lr"].default)
        # kind="weight" so AdamW's decoupled decay applies to the point, as to a network's weights.
        params = ParamSet.from_arrays({"xy": np.array(start, dtype=np.float64)}, kind="weight")
        opt = make_optimizer(spec.optimizer, params, lr0, dict(spec.hyper))
        points = [params.values.copy()]
        lrs: list[float] = []
        diverged = None
        with np.errstate(all="ignore"):
            for t in range(steps):
                x, y = params.values
                gx, gy = surface.grad(x, y)
                params.grads[0] = gx + eps[t, 0]
                params.grads[1] = gy + eps[t, 1]
                opt.lr = float(lr_at(t, lr0))
                lrs.append(opt.lr)
                opt.step()
                p = params.values
                if not (np.all(np.isfinite(p)) and np.all(np.abs(p) <= ESCAPE)):
                    diverged = t + 1
                    break
                points.append(p.copy())
            pts = np.array(points)
            values = surface.f(pts[:, 0], pts[:, 1])
        if diverged is None and not np.all(np.isfinite(values)):
            diverged = int(np.argmax(~np.isfinite(values)))
            pts, values = pts[:diverged], values[:diverged]
        out.append(Trajectory(spec.optimizer, spec.label, pts, values, np.array(lrs), diverged))
    return out


def book_race(steps: int = 30) -> list[Trajectory]:
    """The book's figure: SGD 0.95, Momentum 0.1 (μ 0.9), AdaGrad 1.5, Adam 0.3 from (−7, 2)."""
    runners = [RunnerSpec.from_values(name, _BOOK[name]) for name in ("sgd", "momentum", "adagrad", "adam")]
    return race("bowl", runners, steps=steps)


def contour_grid(
    surface: Surface, n: int = 120, ny: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs, ys, Z) with Z[i, j] = f(xs[j], ys[i]) over the surface's view: ``n`` columns and ``ny``
    rows (default ``n``); ys ascend, so row 0 is the bottom of the view."""
    xs = np.linspace(*surface.x_range, n)
    ys = np.linspace(*surface.y_range, n if ny is None else ny)
    X, Y = np.meshgrid(xs, ys)
    return xs, ys, surface.f(X, Y)


#: Steps revealed per live tick are chosen so that a whole race plays in about this many ticks.
REPLAY_TICKS = 45


@dataclass
class Replay:
    """Where a race's replay is: ``upto`` steps of every path drawn (0: the start only), playing or
    not. The page keeps one per settings and calls :meth:`advance` once per live tick."""

    steps: int
    upto: int = 0
    playing: bool = True

    @property
    def per_tick(self) -> int:
        """Steps per tick: one on short races (several a second), more on long ones."""
        return max(1, -(-int(self.steps) // REPLAY_TICKS))

    @property
    def finished(self) -> bool:
        return self.upto >= self.steps

    def advance(self, n: int | None = None) -> None:
        """Reveal ``n`` more steps (default :attr:`per_tick`); stop playing at the end."""
        self.upto = min(int(self.steps), self.upto + (self.per_tick if n is None else int(n)))
        if self.finished:
            self.playing = False

    def play(self) -> None:
        if self.finished:
            self.upto = 0  # Play at the end replays from the start
        self.playing = True

    def rewind(self) -> None:
        self.upto, self.playing = 0, False

    def show_all(self) -> None:
        self.upto, self.playing = int(self.steps), False


# -- learning-rate schedules ----------------------------------------------------------------------
#: LaTeX for each engine schedule (epochs counted from 0, as the engine does).
SCHEDULE_LATEX: dict[str, str] = {
    "constant": r"\alpha = \alpha_0",
    "inverse_time": r"\alpha = \frac{\alpha_0}{1 + k \cdot \mathrm{epoch}}",
    "exponential": r"\alpha = \alpha_0 \cdot \gamma^{\,\mathrm{epoch}}",
    "inverse_sqrt": r"\alpha = \frac{k}{\sqrt{\mathrm{epoch} + 1}}\,\alpha_0",
    "step": r"\alpha = \alpha_0 \cdot \gamma^{\lfloor \mathrm{epoch} / \mathrm{step\_size} \rfloor}",
    # two lines: one would be wider than its box at 1280 px
    "cosine": r"\begin{aligned}\alpha &= \alpha_{\min} + \frac{\alpha_0 - \alpha_{\min}}{2}\\"
    r"&\quad \cdot \left(1 + \cos\frac{\pi \cdot \mathrm{epoch}}{T}\right)\end{aligned}",
}

#: Suggested parameters for the viewer (a 100-epoch window shows every shape).
SCHEDULE_VIEW_DEFAULTS: dict[str, dict[str, Any]] = {
    "step": {"step_size": 25, "gamma": 0.5},
}


def schedule_latex(name: str) -> str:
    """The formula of a registered schedule (its description if we have no LaTeX for it)."""
    entry = SCHEDULES[name]
    return SCHEDULE_LATEX.get(name, r"\text{" + entry.description.replace("_", r"\_") + "}")


def schedule_defaults(name: str) -> dict[str, Any]:
    return {**SCHEDULES[name].defaults(), **SCHEDULE_VIEW_DEFAULTS.get(name, {})}


def schedule_curves(
    lr0: float, epochs: int, params: dict[str, dict[str, Any]] | None = None
) -> dict[str, np.ndarray]:
    """Learning rate at epochs 0..epochs−1 for every engine schedule (``params[name]`` overrides)."""
    if not lr0 > 0:
        raise ConfigError("The initial learning rate α₀ must be positive, got {lr0}.", lr0=lr0)
    if not 1 <= int(epochs) <= 100000:
        raise ConfigError("Use between 1 and 100000 epochs, got {epochs}.", epochs=epochs)
    params = params or {}
    out = {}
    for name in SCHEDULES:
        fn = make_schedule(name, params.get(name, schedule_defaults(name)))
        out[name] = np.array([fn(e, lr0) for e in range(int(epochs))], dtype=np.float64)
    return out
