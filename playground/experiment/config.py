"""The Playground's config: five sections, each a small dataclass built from the settings schema.

``PlaygroundConfig`` is JSON-serializable (``to_dict``/``from_dict``) and URL-serializable
(``playground.urlconfig``); the same config rebuilds the same run. The section classes are derived
from :data:`~playground.experiment.schema.SETTINGS` (field names, defaults, ranges), and
``ModelConfig``'s fields are those of the engine's ``NetworkConfig`` that the Playground exposes:
:meth:`ModelConfig.network_config` is the one mapping from one to the other.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from dataclasses import dataclass, field, fields, make_dataclass
from typing import Any

from playground.engine import NetworkConfig, TrainConfig
from playground.errors import ConfigError
from playground.experiment import schema
from playground.experiment.schema import PROBLEMS, UPLOAD, all_datasets

_TYPES = {"int": int, "float": float, "bool": bool, "choice": str, "ints": list[int], "features": list[str]}
_TYPES["params"] = dict[str, Any]


def _section_class(section: str, name: str, doc: str, types: dict[str, Any] | None = None, namespace=None):
    """A dataclass with one field per setting of ``section`` (default from the schema, read when an
    instance is made, so the caps in force apply); ``field.metadata["setting"]`` is the Setting."""
    specs = []
    for s in schema.section_settings(section):
        typ = (types or {}).get(s.name, _TYPES[s.kind])
        specs.append((s.name, typ, field(default_factory=s.default_value, metadata={"setting": s})))
    cls = make_dataclass(name, specs, namespace=namespace or {})
    cls.__module__ = __name__
    cls.__doc__ = doc
    return cls


def _validate(self) -> None:
    schema.validate_section(self._section, self)


DataConfig = _section_class(
    "data",
    "DataConfig",
    "Which points, how many, how they are split and which input features the network sees.",
    namespace={"_section": "data", "validate": _validate},
)

# The model settings are NetworkConfig fields: a model setting that NetworkConfig lacks is a bug.
_NET_FIELDS = {f.name: f for f in fields(NetworkConfig)}
_MODEL_NAMES = [s.name for s in schema.section_settings("model")]
assert set(_MODEL_NAMES) <= set(_NET_FIELDS), set(_MODEL_NAMES) - set(_NET_FIELDS)


def _network_config(self, *, n_inputs: int, task: str, n_classes: int, seed: int) -> NetworkConfig:
    """The engine's NetworkConfig for this model on data with ``n_inputs`` inputs (the one mapping)."""
    return NetworkConfig(
        **copy.deepcopy(dataclasses.asdict(self)),
        n_inputs=n_inputs,
        task=task,
        n_classes=n_classes,
        seed=seed,
    )


ModelConfig = _section_class(
    "model",
    "ModelConfig",
    "The network's shape and initial weights: the engine's NetworkConfig fields the Playground offers "
    "(inputs and outputs follow from the data, the seed from the data seed).",
    types={name: _NET_FIELDS[name].type for name in _MODEL_NAMES},
    namespace={"_section": "model", "validate": _validate, "network_config": _network_config},
)
LoopConfig = _section_class(
    "loop",
    "LoopConfig",
    "The live loop: how often the page updates, how much it trains per update, when it stops.",
    namespace={"_section": "loop", "validate": _validate},
)
ViewConfig = _section_class(
    "view",
    "ViewConfig",
    "What the views show (nothing here changes the run).",
    namespace={"_section": "view", "validate": _validate},
)


def _unknown_settings(section: str, bad: list[str]) -> ConfigError:
    """The error for unknown settings in a config section (one message per section)."""
    if section == "data":
        return ConfigError("Unknown data setting(s): {bad}.", bad=bad)
    if section == "model":
        return ConfigError("Unknown model setting(s): {bad}.", bad=bad)
    if section == "training":
        return ConfigError("Unknown training setting(s): {bad}.", bad=bad)
    if section == "loop":
        return ConfigError("Unknown loop setting(s): {bad}.", bad=bad)
    if section == "view":
        return ConfigError("Unknown view setting(s): {bad}.", bad=bad)
    return ConfigError("Unknown {name} setting(s): {bad}.", name=section, bad=bad)


def default_training() -> TrainConfig:
    """TF Playground's training defaults: plain SGD, learning rate 0.03, batch 10, no penalty."""
    return TrainConfig(**{s.name: s.default_value() for s in schema.section_settings("training")})


_CLASSES = {"data": DataConfig, "model": ModelConfig, "training": TrainConfig, "loop": LoopConfig}
_CLASSES["view"] = ViewConfig


@dataclass
class PlaygroundConfig:
    """Everything that defines a run and its views; JSON-serializable, URL-serializable."""

    data: DataConfig = field(default_factory=DataConfig)  # type: ignore[valid-type]
    model: ModelConfig = field(default_factory=ModelConfig)  # type: ignore[valid-type]
    training: TrainConfig = field(default_factory=default_training)
    loop: LoopConfig = field(default_factory=LoopConfig)  # type: ignore[valid-type]
    view: ViewConfig = field(default_factory=ViewConfig)  # type: ignore[valid-type]

    SECTIONS = schema.SECTIONS

    def to_dict(self) -> dict[str, Any]:
        return {name: dataclasses.asdict(getattr(self, name)) for name in self.SECTIONS}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PlaygroundConfig:
        """Strict: unknown sections or fields and invalid values raise ConfigError."""
        if not isinstance(d, dict):
            raise ConfigError("A playground config is a JSON object with data, model, training, loop, view.")
        unknown = sorted(set(d) - set(cls.SECTIONS))
        if unknown:
            raise ConfigError("Unknown config section(s): {unknown}.", unknown=unknown)
        parts = {}
        for name, klass in _CLASSES.items():
            sub = d.get(name, {})
            if not isinstance(sub, dict):
                raise ConfigError("Config section {name!r} must be an object.", name=name)
            known = {f.name for f in fields(klass)}
            bad = sorted(set(sub) - known)
            if bad:
                raise _unknown_settings(name, bad)
            try:
                base = default_training() if name == "training" else klass()
                parts[name] = dataclasses.replace(base, **copy.deepcopy(sub))
            except TypeError as exc:
                raise ConfigError("Bad {name} settings: {exc}.", name=name, exc=exc) from None
        cfg = cls(**parts)
        cfg.validate()
        return cfg

    @classmethod
    def from_json(cls, text: str | bytes) -> PlaygroundConfig:
        try:
            return cls.from_dict(json.loads(text))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError("The file is not valid JSON: {exc}.", exc=exc) from None

    def copy(self) -> PlaygroundConfig:
        return copy.deepcopy(self)

    def validate(self) -> None:
        """Check and normalize every section; raise ConfigError with a message a learner can act on."""
        self.data.validate()
        self.model.validate()
        t = self.training
        schema.validate_section("training", t)
        t.seed = self.data.seed
        t.validate()
        if t.early_stopping and self.data.val_fraction <= 0:
            raise ConfigError("Early stopping watches the validation loss: set a validation share above 0.")
        if t.batch_size == 1 and self.model.batch_norm != "off":
            raise ConfigError("Batch norm needs at least 2 examples per batch: raise the batch size.")
        self.loop.validate()
        self.view.validate()

    def rebuild_reasons(self, other: PlaygroundConfig) -> list[str]:
        """What differs between ``self`` and ``other`` that needs a new network (empty: none)."""
        return schema.rebuild_reasons(self, other)

    def training_changed(self, other: PlaygroundConfig) -> bool:
        return dataclasses.asdict(self.training) != dataclasses.asdict(other.training)


__all__ = [
    "PROBLEMS",
    "UPLOAD",
    "DataConfig",
    "LoopConfig",
    "ModelConfig",
    "PlaygroundConfig",
    "ViewConfig",
    "all_datasets",
    "default_training",
]
