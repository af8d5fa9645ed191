"""Hosting the playground for a room: workshop settings, checkpoints shared by replicas, admission,
an adaptive live-update interval and per-session pacing (pure Python; ``streamlit_glue`` holds the
Streamlit hooks the page calls). See the README's "Hosting a workshop"."""

from playground.hosting.checkpoint import CheckpointError
from playground.hosting.pacing import Admission, LoadMonitor, Pacer
from playground.hosting.settings import WorkshopSettings, apply_caps, load_settings
from playground.hosting.store import MemoryStore, RedisStore, open_store, valid_sid

__all__ = [
    "Admission",
    "CheckpointError",
    "LoadMonitor",
    "MemoryStore",
    "Pacer",
    "RedisStore",
    "WorkshopSettings",
    "apply_caps",
    "load_settings",
    "open_store",
    "valid_sid",
]
