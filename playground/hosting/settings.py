"""Workshop settings: one replica's knobs for a hosted room, from environment variables or a TOML file.

Pure Python (no Streamlit). ``load_settings()`` reads ``PLAYGROUND_WORKSHOP_CONFIG`` (a TOML file with a
``[workshop]`` table) and then the ``PLAYGROUND_*`` variables below, which win over the file. Without
``PLAYGROUND_WORKSHOP=1`` (or a config file) the app runs in single-user mode: no admission limit, the
learner's own update interval, an in-memory checkpoint store.

=================================  ===============================  =========================================
variable / TOML key                default                          meaning
=================================  ===============================  =========================================
PLAYGROUND_WORKSHOP / enabled      0                                workshop mode on
PLAYGROUND_INTERVAL / interval     0.5                              seconds between live updates (the floor)
PLAYGROUND_MAX_INTERVAL            2.0                              the adaptive interval never exceeds this
PLAYGROUND_EPOCHS / epochs         5                                epochs trained per live update (at most)
PLAYGROUND_TARGET_CPU              0.7                              share of one core the live loops may use
PLAYGROUND_MAX_SESSIONS            20                               sessions one replica admits
PLAYGROUND_RETRY_S                 10                               the room-full page retries after this
PLAYGROUND_STORE / store           memory                           ``memory`` or ``redis://host:port/db``
PLAYGROUND_CHECKPOINT_S            3                                seconds between checkpoints of a run
PLAYGROUND_CHECKPOINT_TTL_S        10800                            a checkpoint expires after this
PLAYGROUND_CHECKPOINT_MAX_KB       1024                             larger checkpoints are not stored
PLAYGROUND_CHECKPOINT_MAX_COUNT    5000                             the memory store keeps at most this many
PLAYGROUND_RERUNS_PER_S            4                                full reruns per session per second …
PLAYGROUND_RERUN_BURST             12                               … after a burst of this many
PLAYGROUND_REPLICA                 hostname:pid                     this replica's name (logs, checkpoints)
PLAYGROUND_CAP_<NAME>              (playground.limits)              lower a resource cap, e.g. CAP_MAX_POINTS
=================================  ===============================  =========================================
"""

from __future__ import annotations

import dataclasses
import os
import socket
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from playground import limits
from playground.errors import ConfigError
from playground.limits import Caps

ENV_PREFIX = "PLAYGROUND_"

# caps a workshop may lower (never raise): fields of playground.limits.Caps, upper case
CAPPABLE = (
    "MAX_HIDDEN_LAYERS",
    "MAX_NEURONS",
    "MAX_POINTS",
    "MAX_BATCH_SIZE",
    "MAX_EPOCHS_PER_UPDATE",
    "MAX_TOTAL_EPOCHS",
    "TICK_TRAIN_BUDGET_S",
    "MAX_UPLOAD_MB",
)


@dataclass
class WorkshopSettings:
    """What one replica needs to know to serve a room (see the module docstring for each field)."""

    enabled: bool = False
    interval: float = 0.5
    max_interval: float = 2.0
    epochs: int = 5
    target_cpu: float = 0.7
    max_sessions: int = 20
    idle_seat_s: float = 600.0
    retry_s: float = 10.0
    store: str = "memory"
    checkpoint_s: float = 3.0
    checkpoint_ttl_s: float = 3 * 3600.0
    checkpoint_max_kb: int = 1024
    checkpoint_max_count: int = 5000
    reruns_per_s: float = 4.0
    rerun_burst: int = 12
    replica: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    caps: dict[str, float] = field(default_factory=dict)

    def validate(self) -> WorkshopSettings:
        def need(cond: bool, text: str) -> None:
            if not cond:
                raise ConfigError("Workshop setting: {text}", text=text)

        need(0.05 <= self.interval <= 10, f"interval must be 0.05–10 s, got {self.interval}.")
        need(
            self.interval <= self.max_interval <= 30,
            f"max_interval must be interval–30 s, got {self.max_interval}.",
        )
        need(1 <= self.epochs <= 1000, f"epochs must be 1–1000, got {self.epochs}.")
        need(0.05 <= self.target_cpu <= 1.0, f"target_cpu must be 0.05–1, got {self.target_cpu}.")
        need(1 <= self.max_sessions <= 10_000, f"max_sessions must be 1–10000, got {self.max_sessions}.")
        need(1 <= self.retry_s <= 600, f"retry_s must be 1–600, got {self.retry_s}.")
        need(30 <= self.idle_seat_s <= 86400, f"idle_seat_s must be 30–86400 s, got {self.idle_seat_s}.")
        need(
            self.store == "memory" or self.store.startswith(("redis://", "rediss://", "unix://")),
            f"store must be 'memory' or a redis:// URL, got {self.store!r}.",
        )
        need(0.5 <= self.checkpoint_s <= 600, f"checkpoint_s must be 0.5–600, got {self.checkpoint_s}.")
        need(
            10 <= self.checkpoint_ttl_s <= 7 * 86400,
            f"checkpoint_ttl_s out of range: {self.checkpoint_ttl_s}.",
        )
        need(
            16 <= self.checkpoint_max_kb <= 64 * 1024,
            f"checkpoint_max_kb out of range: {self.checkpoint_max_kb}.",
        )
        need(1 <= self.checkpoint_max_count <= 1_000_000, "checkpoint_max_count out of range.")
        need(0.2 <= self.reruns_per_s <= 100, f"reruns_per_s must be 0.2–100, got {self.reruns_per_s}.")
        need(1 <= self.rerun_burst <= 1000, f"rerun_burst must be 1–1000, got {self.rerun_burst}.")
        for name in self.caps:
            need(name in CAPPABLE, f"unknown cap {name!r}; choose from {', '.join(CAPPABLE)}.")
        return self

    @property
    def checkpoint_max_bytes(self) -> int:
        return int(self.checkpoint_max_kb) * 1024

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_BOOL_TRUE = {"1", "true", "yes", "on"}
_BOOL_FALSE = {"0", "false", "no", "off", ""}


def _coerce(name: str, kind: type, raw: Any) -> Any:
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _BOOL_TRUE | _BOOL_FALSE:
            return text in _BOOL_TRUE
        raise ConfigError(
            "Workshop setting {name}: expected a yes/no value, got {raw!r}.", name=name, raw=raw
        )
    try:
        if kind is int:
            value = float(raw)
            if value != int(value):
                raise ValueError
            return int(value)
        if kind is float:
            return float(raw)
    except (TypeError, ValueError):
        raise ConfigError(
            "Workshop setting {name}: expected a number, got {raw!r}.", name=name, raw=raw
        ) from None
    return str(raw)


_ENV_NAMES = {
    "WORKSHOP": "enabled",
    "INTERVAL": "interval",
    "MAX_INTERVAL": "max_interval",
    "EPOCHS": "epochs",
    "TARGET_CPU": "target_cpu",
    "MAX_SESSIONS": "max_sessions",
    "IDLE_SEAT_S": "idle_seat_s",
    "RETRY_S": "retry_s",
    "STORE": "store",
    "CHECKPOINT_S": "checkpoint_s",
    "CHECKPOINT_TTL_S": "checkpoint_ttl_s",
    "CHECKPOINT_MAX_KB": "checkpoint_max_kb",
    "CHECKPOINT_MAX_COUNT": "checkpoint_max_count",
    "RERUNS_PER_S": "reruns_per_s",
    "RERUN_BURST": "rerun_burst",
    "REPLICA": "replica",
}


def load_settings(env: Mapping[str, str] | None = None) -> WorkshopSettings:
    """Settings from ``PLAYGROUND_WORKSHOP_CONFIG`` (TOML) and ``PLAYGROUND_*`` variables; raises
    ConfigError naming the bad setting."""
    env = os.environ if env is None else env
    s = WorkshopSettings()
    types = {f.name: f.type for f in dataclasses.fields(WorkshopSettings)}
    kinds = {"bool": bool, "int": int, "float": float, "str": str}
    path = env.get(ENV_PREFIX + "WORKSHOP_CONFIG")
    if path:
        try:
            with open(path, "rb") as fh:
                table = tomllib.load(fh).get("workshop", {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(
                "Cannot read the workshop config {path}: {error}", path=path, error=exc
            ) from None
        s.enabled = True
        for key, raw in table.items():
            if key == "caps":
                s.caps.update({str(k).upper(): float(v) for k, v in dict(raw).items()})
            elif key in types and key != "caps":
                setattr(s, key, _coerce(key, kinds.get(str(types[key]), str), raw))
            else:
                raise ConfigError("Unknown workshop setting {key!r} in {path}.", key=key, path=path)
    for suffix, attr in _ENV_NAMES.items():
        raw = env.get(ENV_PREFIX + suffix)
        if raw is not None and raw != "":
            setattr(s, attr, _coerce(ENV_PREFIX + suffix, kinds.get(str(types[attr]), str), raw))
    for key, raw in env.items():
        if key.startswith(ENV_PREFIX + "CAP_"):
            name = key[len(ENV_PREFIX + "CAP_") :]
            s.caps[name] = _coerce(key, float, raw)
    return s.validate()


def workshop_caps(settings: WorkshopSettings, base: Caps = limits.DEFAULT) -> Caps:
    """``base`` with the workshop's caps lowered (never raised) and, in workshop mode, the live loop's
    defaults following the workshop (a learner may still slow it down, not speed it up)."""
    caps = base.lowered(**{name.lower(): value for name, value in settings.caps.items()})
    if settings.enabled:
        caps = dataclasses.replace(
            caps,
            default_update_interval=max(caps.default_update_interval, settings.interval),
            min_update_interval=max(caps.min_update_interval, settings.interval),
            max_update_interval=max(caps.max_update_interval, settings.max_interval),
            default_epochs_per_update=min(caps.default_epochs_per_update, settings.epochs),
        )
    return caps


def apply_caps(settings: WorkshopSettings) -> dict[str, float]:
    """Install the workshop's caps (``playground.limits.install``); returns what differs from the
    defaults, by upper-case name (for the log). Everything reads the caps when it runs, so this may
    be called at any time; ``configure()`` calls it once per process."""
    caps = workshop_caps(settings)
    limits.install(caps)
    default = limits.DEFAULT.as_dict()
    return {name.upper(): v for name, v in caps.as_dict().items() if v != default[name]}
