"""Registries: name -> object, with its hyperparameters and a one-line description.

The UI builds its choices from these, so adding an optimizer is one class and one ``register`` line.
Names are looked up whole; nothing is ever parsed out of a string.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from playground.errors import ConfigError


def N_(message: str, /) -> str:
    """Mark ``message`` for the translation catalogs (``scripts/i18n.py`` extracts ``N_("…")``) and
    return it unchanged: the engine stays language-free, a page translates the text where it shows it
    (labels, descriptions and help of the registries, ``Divergence.reason``)."""
    return message


@dataclass(frozen=True)
class Param:
    """One hyperparameter: its default, valid range, a one-sentence help text and the label a page
    shows for it (β₁ rather than ``beta1``)."""

    default: Any
    low: float | None = None
    high: float | None = None
    help: str = ""
    log: bool = False  # suggest a log-scale slider
    choices: tuple | None = None
    label: str = ""

    def title(self, name: str) -> str:
        """What a page calls the hyperparameter registered as ``name``: its label, else the name."""
        return self.label or name.replace("_", " ")

    def check(self, owner: str, name: str, value: Any) -> Any:
        if self.choices is not None:
            if value not in self.choices:
                raise ConfigError(
                    "{owner}: {name} must be one of {choices}, got {value!r}.",
                    owner=owner,
                    name=name,
                    choices=list(self.choices),
                    value=value,
                )
            return value
        if isinstance(self.default, bool):
            if not isinstance(value, bool | int):
                raise ConfigError(
                    "{owner}: {name} must be true or false, got {value!r}.",
                    owner=owner,
                    name=name,
                    value=value,
                )
            return bool(value)
        if isinstance(self.default, int | float):
            if isinstance(value, bool):
                raise ConfigError(
                    "{owner}: {name} must be a number, got {value!r}.", owner=owner, name=name, value=value
                )
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise ConfigError(
                    "{owner}: {name} must be a number, got {value!r}.", owner=owner, name=name, value=value
                ) from None
            if number != number:
                raise ConfigError("{owner}: {name} must be a number, got NaN.", owner=owner, name=name)
            if self.low is not None and number < self.low:
                raise ConfigError(
                    "{owner}: {name} must be at least {low}, got {value!r}.",
                    owner=owner,
                    name=name,
                    low=self.low,
                    value=value,
                )
            if self.high is not None and number > self.high:
                raise ConfigError(
                    "{owner}: {name} must be at most {high}, got {value!r}.",
                    owner=owner,
                    name=name,
                    high=self.high,
                    value=value,
                )
            if isinstance(self.default, int):
                if number != int(number):
                    raise ConfigError(
                        "{owner}: {name} must be a whole number, got {value!r}.",
                        owner=owner,
                        name=name,
                        value=value,
                    )
                return int(number)
            return number
        return value


@dataclass(frozen=True)
class Entry:
    """A registered object with its user-facing label, description and hyperparameters."""

    name: str
    obj: Any
    label: str
    description: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def defaults(self) -> dict[str, Any]:
        return {k: p.default for k, p in self.params.items()}

    def resolve(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        """Defaults overlaid with ``given``, every value validated; unknown keys are an error."""
        given = dict(given or {})
        unknown = sorted(set(given) - set(self.params))
        if unknown:
            known = ", ".join(self.params) or "none"
            raise ConfigError(
                "{label}: unknown setting(s) {unknown}; known: {known}.",
                label=self.label,
                unknown=unknown,
                known=known,
            )
        out = self.defaults()
        for key, value in given.items():
            out[key] = self.params[key].check(self.label, key, value)
        return out


def _unknown(kind: str, name: Any, choices: str) -> ConfigError:
    """The error for an unknown ``name`` in a registry of ``kind`` (one message per kind, so a
    translation can name the kind in its own words)."""
    params = {"kind": kind, "name": name, "choices": choices}
    if kind == "activation":
        return ConfigError("Unknown activation {name!r}; choose one of: {choices}.", **params)
    if kind == "initializer":
        return ConfigError("Unknown initializer {name!r}; choose one of: {choices}.", **params)
    if kind == "optimizer":
        return ConfigError("Unknown optimizer {name!r}; choose one of: {choices}.", **params)
    if kind == "schedule":
        return ConfigError("Unknown schedule {name!r}; choose one of: {choices}.", **params)
    if kind == "regularization":
        return ConfigError("Unknown regularization {name!r}; choose one of: {choices}.", **params)
    if kind == "loss":
        return ConfigError("Unknown loss {name!r}; choose one of: {choices}.", **params)
    if kind == "layer":
        return ConfigError("Unknown layer {name!r}; choose one of: {choices}.", **params)
    return ConfigError("Unknown {kind} {name!r}; choose one of: {choices}.", **params)


class Registry(Mapping[str, Entry]):
    """An ordered, read-only-after-import mapping of names to entries."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, Entry] = {}

    def register(
        self, name: str, obj: Any = None, description: str = "", *, label: str | None = None, **params: Param
    ):
        """Register ``obj`` under ``name``; without ``obj``, return a decorator that does."""
        if obj is None:
            return lambda o: self.register(name, o, description, label=label, **params)
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} registered twice")
        self._entries[name] = Entry(name, obj, label or name, description, dict(params))
        return obj

    def __getitem__(self, name: str) -> Entry:
        try:
            return self._entries[name]
        except (KeyError, TypeError):
            raise _unknown(self.kind, name, ", ".join(self._entries)) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries


def dataclass_from_dict(cls, d: Mapping[str, Any], what: str):
    """``cls(**d)`` for a config dataclass, validated; unknown keys raise ConfigError naming ``what``."""
    import dataclasses

    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(d) - known)
    if unknown and what == "training":
        raise ConfigError("Unknown training setting(s): {unknown}.", unknown=unknown)
    if unknown and what == "model":
        raise ConfigError("Unknown model setting(s): {unknown}.", unknown=unknown)
    if unknown and what == "network":
        raise ConfigError("Unknown network setting(s): {unknown}.", unknown=unknown)
    if unknown:
        raise ConfigError("Unknown {what} setting(s): {unknown}.", what=what, unknown=unknown)
    cfg = cls(**d)
    cfg.validate()
    return cfg
