"""Every Playground setting, declared once: type, default, range, label, help, URL key, widget key and
whether changing it rebuilds the network.

Everything else is derived from :data:`SETTINGS`: the config dataclasses (``config.py``), their
validation, the URL format (``playground.urlconfig``), the sidebar widgets and their sync
(``playground.ui.controls``) and the "rebuilt because … changed" message. Ranges that are resource
caps name a field of :class:`playground.limits.Caps` (``high="max_points"``) and are read when
used, and a default above a cap is clamped to it, so any workshop cap gives a working page.
Hyperparameters of the chosen optimizer, activation, initializer and schedule are not listed here:
they come from the engine registries' ``Param`` (a ``kind="params"`` setting points at them).

Pure logic (no Streamlit).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from playground import limits
from playground.data import DATASETS, FEATURES, DatasetSpec, check_features
from playground.engine import ACTIVATIONS, BN_MODES, INITIALIZERS, OPTIMIZERS, REGULARIZERS, SCHEDULES
from playground.errors import ConfigError, DataError, PlaygroundError
from playground.i18n import N_, _

UPLOAD = "csv"
"""``DataConfig.dataset`` of an uploaded CSV (the file itself lives in the session, not the config)."""
PROBLEMS = ("auto", "classification", "regression")
SECTIONS = ("data", "model", "training", "loop", "view")
KINDS = ("int", "float", "bool", "choice", "ints", "features", "params")

Bound = float | str | None
"""A number, or the name of a :class:`~playground.limits.Caps` field (read when used)."""


def all_datasets() -> dict[str, DatasetSpec]:
    """Every built-in dataset the playground offers, in menu order."""
    return dict(DATASETS)


def _cap(bound: Bound) -> float | None:
    return getattr(limits.caps(), bound) if isinstance(bound, str) else bound


@dataclass(frozen=True)
class Setting:
    """One setting of a :class:`~playground.experiment.PlaygroundConfig`.

    ``section``/``name``: where it lives (``cfg.data.n_samples``). ``kind``: one of :data:`KINDS`;
    ``"ints"`` is a list of whole numbers (``low``/``high`` bound each, ``max_len`` the count),
    ``"params"`` a registry entry's hyperparameters (``owner`` names the setting that picks the entry,
    ``prefix`` their URL prefix). ``default``: a value, a cap name (``"default_update_interval"``) or
    a zero-argument callable. ``scale``/``unit``: the URL and the widget show ``value × scale`` in
    ``unit`` (shares as percent). ``key``: the URL parameter (None: not in links). ``widget``: the
    session-state key of its sidebar widget (None: no widget of its own; a link's value is kept) and
    ``control`` its kind ("slider", "number", "select", "radio", "checkbox", "multiselect"; a
    ``menu`` of values gives a log slider), ``labels`` what a choice shows (default: the registry
    entry's label), ``fmt`` a number input's format. ``rebuilds``: changing it draws a new network;
    ``reason`` says so in words ("rebuilt because the number of points changed").
    """

    section: str
    name: str
    kind: str
    default: Any
    label: str
    help: str = ""
    low: Bound = None
    high: Bound = None
    choices: Callable[[], list[str]] | None = None
    key: str | None = None
    widget: str | None = None
    rebuilds: bool = False
    reason: str = ""
    scale: float = 1.0
    unit: str = ""
    step: float | None = None
    menu: tuple[float, ...] = ()
    max_len: Bound = None
    owner: str | None = None
    prefix: str | None = None
    registry: Mapping | None = None
    skip: tuple[str, ...] = ()
    control: str = ""
    labels: Mapping[str, str] | None = None
    fmt: str | None = None

    def choice_label(self, name: str) -> str:
        """What the widget shows for a choice (translated): the registry entry's label, or ``labels``."""
        if self.labels and name in self.labels:
            return _(self.labels[name])
        if self.registry is not None and name in self.registry:
            return _(self.registry[name].label)
        return name

    def __post_init__(self) -> None:
        assert self.section in SECTIONS and self.kind in KINDS, (self.section, self.kind)

    # -- ranges and defaults --------------------------------------------------------------------
    def bounds(self) -> tuple[float | None, float | None]:
        """(low, high) in config units, with the caps in force."""
        return _cap(self.low), _cap(self.high)

    def options(self) -> list[str]:
        return list(self.choices()) if self.choices else []

    def default_value(self) -> Any:
        """The default, with the caps in force (a default above a cap is clamped to it)."""
        d = self.default
        if isinstance(d, str) and self.kind in ("int", "float"):
            d = _cap(d)
        elif callable(d):
            d = d()
        elif isinstance(d, list | dict):
            d = type(d)(d)
        if self.kind in ("int", "float"):
            lo, hi = self.bounds()
            d = min(max(d, lo if lo is not None else d), hi if hi is not None else d)
            d = int(d) if self.kind == "int" else float(d)
        if self.kind == "ints":
            high, n = _cap(self.high), int(_cap(self.max_len))
            d = [int(min(w, high)) for w in d][:n]
        return d

    @property
    def widget_label(self) -> str:
        """The label with its unit, translated."""
        return f"{_(self.label)} ({_(self.unit)})" if self.unit else _(self.label)

    @property
    def whole_steps(self) -> bool:
        """The widget moves in whole numbers of ``unit`` (noise and shares in whole percent)."""
        return self.step is not None and float(self.step).is_integer()

    @property
    def why(self) -> str:
        """What a rebuild names ("rebuilt because the number of points changed"), translated."""
        return _(self.reason) if self.reason else _(self.label).lower()

    # -- widgets: what a widget holds (value × scale, whole percent) -----------------------------
    def to_widget(self, value: Any) -> Any:
        if self.kind == "bool":
            return bool(value)
        if self.kind == "int":
            return int(value)
        if self.kind == "float":
            v = float(value) * self.scale
            return int(round(v)) if self.whole_steps else v
        if self.kind in ("ints", "features"):
            return list(value)
        return value

    def from_widget(self, value: Any) -> Any:
        if self.kind == "bool":
            return bool(value)
        if self.kind == "int":
            return int(value)
        if self.kind == "float":
            return float(value) / self.scale
        if self.kind in ("ints", "features"):
            return list(value)
        return value

    # -- validation -----------------------------------------------------------------------------
    def check(self, value: Any, section: Any = None) -> Any:
        """``value`` checked and normalized; raises ConfigError with a message a learner can act on.
        ``section`` (the config section) is needed by ``params`` settings, to read their owner."""
        kind = self.kind
        if kind in ("int", "float"):
            lo, hi = self.bounds()
            return _check_range(
                _(self.label), value, lo, hi, int if kind == "int" else float, self.scale, self.unit
            )
        if kind == "bool":
            return bool(value)
        if kind == "choice":
            options = self.options()
            if value not in options:
                raise ConfigError(
                    "Unknown {what} {value!r}; choose one of {options}.",
                    what=_(self.label).lower(),
                    value=value,
                    options=", ".join(options),
                )
            return value
        if kind == "features":
            try:
                return list(check_features(value))
            except DataError as exc:
                raise _as_config_error(exc) from None
        if kind == "ints":
            n, high = int(_cap(self.max_len)), _cap(self.high)
            if not isinstance(value, list | tuple) or len(value) > n:
                raise ConfigError(
                    "Use 0 to {n} {what}, got {value!r}.", n=n, what=_(self.label).lower(), value=value
                )
            return [
                _check_range(_("Neurons in layer {i}", i=i + 1), w, _cap(self.low), high, int)
                for i, w in enumerate(value)
            ]
        # params: the chosen entry's hyperparameters, validated; settings of another entry (left over
        # when the choice changed) are dropped rather than refused
        entry = self.registry[getattr(section, self.owner)]
        mine = {k: v for k, v in dict(value or {}).items() if k in entry.params and k not in self.skip}
        return {k: v for k, v in entry.resolve(mine).items() if k not in self.skip}


def _as_config_error(exc: PlaygroundError) -> ConfigError:
    """``exc``'s message (its id and parameters, so it is still translated) as a ConfigError."""
    err = ConfigError.__new__(ConfigError)
    err.__init__(exc.msgid, **exc.params)
    return err


def _check_range(name, value, low, high, kind=float, scale=1.0, unit=""):
    """``value`` checked against [low, high]; ``name`` is the setting's (translated) label."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError("{name} must be a number, got {value!r}.", name=name, value=value)
    if kind is int and value != int(value):
        raise ConfigError("{name} must be a whole number, got {value!r}.", name=name, value=value)
    low = -math.inf if low is None else low
    high = math.inf if high is None else high
    if not (low <= value <= high):  # NaN fails too
        u = f" {_(unit)}" if unit else ""
        raise ConfigError(
            "{name} must be from {low:g}{u} to {high:g}{u}, got {value:g}{u}.",
            name=name,
            low=low * scale,
            high=high * scale,
            value=value * scale,
            u=u,
        )
    return kind(value)


def _names(registry) -> Callable[[], list[str]]:
    return lambda: list(registry)


LEARNING_RATES = (1e-5, 3e-5, 1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
"""TF Playground's menu (0.00001 … 10), filled to two steps a decade: a log slider."""
REG_RATES = (0.0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
INTERVALS = (0.05, 0.08, 0.1, 0.2, 0.5, 1.0, 2.0)

S = Setting
# fmt: off
SETTINGS: tuple[Setting, ...] = (
    # -- data: every change draws new points, so a new network
    S("data", "dataset", "choice", "circle", N_("Dataset"), key="dataset", widget="c_dataset",
      control="select",
      rebuilds=True, choices=lambda: [*all_datasets(), UPLOAD],
      help=N_("The points to learn; TF Playground's four problems and two regressions come first.")),
    S("data", "noise", "float", 0.0, N_("Noise"), low=0.0, high="max_noise", unit="%", step=1, key="noise",
      widget="c_noise", control="slider", rebuilds=True,
      help=N_("How much the generator blurs the classes (TF Playground's 0–50).")),
    S("data", "n_samples", "int", 500, N_("Number of points"), low="min_points", high="max_points", step=10,
      key="points", widget="c_points", control="slider", rebuilds=True,
      help=N_("How many points the generator draws (TF Playground: 500).")),
    S("data", "train_fraction", "float", 0.5, N_("Training data"), low=0.1, high=0.9, scale=100.0, unit="%",
      step=5, key="train", widget="c_train", control="slider", rebuilds=True, reason=N_("training share"),
      help=N_("Share of points used for training; the rest test.")),
    S("data", "val_fraction", "float", 0.0, N_("Validation"), low=0.0, high=0.5, scale=100.0, unit="%",
      step=5,
      key="val", widget="c_val", control="slider", rebuilds=True, reason=N_("validation share"),
      help=N_("Share of the training points held out to watch for overfitting (and for early stopping).")),
    S("data", "features", "features", ["x1", "x2"], N_("Input features"), key="features", widget="c_features",
      control="multiselect", rebuilds=True, choices=lambda: list(FEATURES), registry=FEATURES,
      help=N_("What the network sees of each point (TF Playground's seven inputs); at least one.")),
    S("data", "standardize", "bool", False, N_("Standardize inputs"), key="standardize",
      widget="c_standardize",
      control="checkbox", rebuilds=True, reason=N_("standardization"),
      help=N_("Rescale each input to mean 0 and std 1 (training statistics).")),
    S("data", "problem", "choice", "auto", N_("Problem type"), key="problem", widget="c_problem",
      control="radio",
      rebuilds=True, choices=lambda: list(PROBLEMS),
      labels={"auto": N_("As detected"), "classification": N_("Classification"),
      "regression": N_("Regression")},
      help=N_("Whole-number labels can be read as classes or as values to regress.")),
    S("data", "seed", "int", 0, N_("Seed"), low=0, high=2**31 - 1, step=1, key="seed", widget="c_seed",
      control="number", rebuilds=True, help=N_("Seeds the points, the split and the initial weights.")),
    # -- model: the network's shape and initial weights (fields of the engine's NetworkConfig)
    S("model", "hidden", "ints", [4, 2], N_("Hidden layers"), low=1, high="max_neurons",
      max_len="max_hidden_layers", key="layers", widget="c_layers", control="number", rebuilds=True,
      help=N_("0 gives a linear (logistic) model.")),
    S("model", "activation", "choice", "tanh", N_("Activation"), registry=ACTIVATIONS, key="activation",
      widget="c_activation", control="select", rebuilds=True, choices=_names(ACTIVATIONS),
      help=N_("The non-linearity of every hidden unit.")),
    S("model", "activation_params", "params", dict, N_("Activation"), owner="activation", prefix="act.",
      registry=ACTIVATIONS, widget="c_act", rebuilds=True),
    S("model", "init", "choice", "uniform", N_("Initialization"), registry=INITIALIZERS, key="init",
      widget="c_init", control="select", rebuilds=True, choices=_names(INITIALIZERS),
      help=N_("How the initial weights are drawn (TF Playground: uniform ±0.5).")),
    S("model", "init_params", "params", dict, N_("Initialization"), owner="init", prefix="init.",
      registry=INITIALIZERS, widget="c_init", rebuilds=True),
    S("model", "bias_init", "float", 0.1, N_("Bias init"), low=-10.0, high=10.0, key="bias_init",
      rebuilds=True,
      help=N_("The initial value of every bias (TF Playground: 0.1).")),
    S("model", "batch_norm", "choice", "off", N_("Batch norm"), key="bn", widget="c_bn", control="radio",
      rebuilds=True, choices=lambda: list(BN_MODES),
      labels={"off": N_("Off"), "before": N_("Before activation"), "after": N_("After activation")},
      help=N_("Normalize each layer's values per batch, before or after the activation.")),
    S("model", "dropout", "float", 0.0, N_("Dropout"), low=0.0, high="max_dropout", step=0.05, key="dropout",
      widget="c_dropout", control="slider", rebuilds=True, help=N_("Share of hidden units zeroed per step.")),
    S("model", "residual", "bool", False, N_("Residual"), key="residual", widget="c_residual",
      control="checkbox",
      rebuilds=True, reason=N_("residual connections"),
      help=N_("Add each layer's input to its output (y = x + f(x)) where widths match.")),
    # -- training: applied on the fly, the weights stay
    S("training", "optimizer", "choice", "sgd", N_("Optimizer"), registry=OPTIMIZERS, key="optimizer",
      widget="c_optimizer", control="select", choices=_names(OPTIMIZERS),
      help=N_("The update rule (TF Playground: plain SGD).")),
    S("training", "optimizer_params", "params", dict, N_("Optimizer"), owner="optimizer", prefix="opt.",
      registry=OPTIMIZERS, widget="c_opt", skip=("lr",)),
    S("training", "learning_rate", "float", 0.03, N_("Learning rate"), low="min_learning_rate",
      high="max_learning_rate", menu=LEARNING_RATES, key="lr", widget="c_lr", control="select_slider",
      help=N_("Step size α, on a log scale; too high and the loss explodes.")),
    S("training", "schedule", "choice", "constant", N_("Learning-rate schedule"), registry=SCHEDULES,
      key="schedule", widget="c_schedule", control="select", choices=_names(SCHEDULES),
      help=N_("How the learning rate changes with the epoch.")),
    S("training", "schedule_params", "params", dict, N_("Schedule"), owner="schedule", prefix="sched.",
      registry=SCHEDULES, widget="c_sched"),
    S("training", "batch_size", "int", 10, N_("Batch size"), low=1, high="max_batch_size", step=1,
      key="batch",
      widget="c_batch", control="number", help=N_("Points per gradient step (TF Playground: 10).")),
    S("training", "regularization", "choice", "none", N_("Regularization"), registry=REGULARIZERS, key="reg",
      widget="c_reg", control="select", choices=_names(REGULARIZERS), help=N_("A penalty on large weights.")),
    S("training", "reg_rate", "float", 0.0, N_("Rate λ"), low=0.0, high=10.0, menu=REG_RATES, key="reg_rate",
      widget="c_reg_rate", control="select_slider", help=N_("Strength of the penalty.")),
    S("training", "early_stopping", "bool", False, N_("Early stopping"), key="early_stop", widget="c_early",
      control="checkbox",
      help=N_("Stop when the validation loss stops improving (needs a validation share).")),
    S("training", "patience", "int", 20, N_("Patience"), low=1, high=10_000, unit=N_("epochs"), step=1,
      key="patience", widget="c_patience", control="number", help=N_("Epochs without improvement to wait.")),
    S("training", "clip_norm", "float", 0.0, N_("Gradient clipping"), low=0.0, high=1000.0, key="clip",
      help=N_("Rescale the gradient to at most this norm (0: off).")),
    # -- the live loop and the views: nothing to recompute
    S("loop", "update_interval", "float", "default_update_interval", N_("Update every"),
      low="min_update_interval", high="max_update_interval", unit="s", menu=INTERVALS, key="interval",
      widget="c_interval", control="select_slider",
      help=N_("Seconds between live updates; raise it on a busy shared server.")),
    S("loop", "epochs_per_update", "int", "default_epochs_per_update", N_("Epochs per update"), low=1,
      high="max_epochs_per_update", key="epochs_per_update", widget="c_epu", control="slider",
      help=N_("Epochs trained between two updates of the views.")),
    S("loop", "stop_epoch", "int", 0, N_("Stop at epoch"), low=0, high="max_total_epochs", step=100,
      key="stop_epoch", widget="c_stop_epoch", control="number", help=N_("Pause here (0: never).")),
    S("loop", "stop_loss", "float", 0.0, N_("Stop at loss"), low=0.0, high=100.0, step=0.01, key="stop_loss",
      widget="c_stop_loss", control="number", fmt="%.3f",
      help=N_("Pause when the training loss falls to this (0: never).")),
    S("view", "show_test", "bool", False, N_("Test points"), key="show_test", widget="c_show_test",
      control="checkbox", help=N_("Draw the test points (dark outline) too.")),
    S("view", "discretize", "bool", False, N_("Discretize"), key="discretize", widget="c_discretize",
      control="checkbox", help=N_("Colour by the predicted class only.")),
    S("view", "log_scale", "bool", False, N_("Log loss"), key="log_scale", widget="c_log_scale",
      control="checkbox", help=N_("Loss curves on a log scale.")),
)
# fmt: on
del S

BY_NAME: dict[tuple[str, str], Setting] = {(s.section, s.name): s for s in SETTINGS}
BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS if s.key}
PARAMS: dict[str, Setting] = {s.prefix: s for s in SETTINGS if s.kind == "params"}
"""The registry-hyperparameter settings by URL prefix (``opt.beta1=0.95``)."""


def section_settings(section: str) -> tuple[Setting, ...]:
    return tuple(s for s in SETTINGS if s.section == section)


def setting(section: str, name: str) -> Setting:
    return BY_NAME[(section, name)]


def params_of(owner: Setting) -> Setting | None:
    """The ``params`` setting whose entry ``owner`` (a choice) picks, if any."""
    return next((s for s in SETTINGS if s.kind == "params" and s.owner == owner.name), None)


def validate_section(section: str, obj: Any) -> None:
    """Check and normalize every setting of ``section`` on ``obj`` (choices before their params)."""
    for s in section_settings(section):
        setattr(obj, s.name, s.check(getattr(obj, s.name), obj))


def rebuild_reasons(old: Any, new: Any) -> list[str]:
    """What differs between two configs that needs a new network, in words (empty: nothing)."""
    out: list[str] = []
    for s in SETTINGS:
        if not s.rebuilds or s.why in out:
            continue
        if getattr(getattr(old, s.section), s.name) != getattr(getattr(new, s.section), s.name):
            out.append(s.why)
    return out


__all__ = [
    "BY_KEY",
    "BY_NAME",
    "INTERVALS",
    "LEARNING_RATES",
    "PARAMS",
    "PROBLEMS",
    "REG_RATES",
    "SECTIONS",
    "SETTINGS",
    "UPLOAD",
    "Setting",
    "all_datasets",
    "params_of",
    "rebuild_reasons",
    "section_settings",
    "setting",
    "validate_section",
]
