"""Where checkpoints live: in this process's memory (one replica) or in Redis (shared by replicas).

Both stores hold opaque bytes under a key, with a time to live, refuse values above a size cap, and
never raise at the page: a store that is down logs once and behaves as empty (the run goes on; only
failover is lost). Keys are :func:`run_key` of the run's id (``sid``, in the URL) and a secret only
the browser that made the run holds (:func:`xsrf_token`), checked against ``SID_PATTERN``.
"""

from __future__ import annotations

import binascii
import hashlib
import logging
import re
import threading
import time
from collections import OrderedDict
from typing import Protocol

log = logging.getLogger("playground.hosting")

SID_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
KEY_PREFIX = "pg:ckpt:"


def valid_sid(sid: object) -> bool:
    return isinstance(sid, str) and SID_PATTERN.fullmatch(sid) is not None  # "$" would allow a final "\n"


def xsrf_token(cookie: object) -> str | None:
    """The token inside Streamlit's ``_streamlit_xsrf`` cookie (hex), or None if it is not one.

    The cookie is ``2|mask|masked_token|timestamp`` (Tornado's version-2 format, which Streamlit
    keeps): a fresh mask on every response, so the string changes, while the token (masked XOR mask)
    stays the same for as long as the browser keeps the cookie, on every replica (each reads the
    token back from the cookie it is sent). Another browser has another token."""
    if not isinstance(cookie, str):
        return None
    parts = cookie.strip("\"'").split("|")
    if len(parts) != 4 or parts[0] != "2":
        return None
    try:
        mask, masked = binascii.a2b_hex(parts[1]), binascii.a2b_hex(parts[2])
    except (binascii.Error, ValueError):
        return None
    if len(mask) != 4 or len(masked) < 8:
        return None
    token = bytes(b ^ mask[i % 4] for i, b in enumerate(masked))
    return token.hex()


def run_key(browser: str, sid: str) -> str:
    """The store key of run ``sid`` made in the browser holding ``browser`` (its secret): a link with
    the ``sid`` opened in another browser finds nothing, and the key reveals neither part."""
    return hashlib.sha256(f"nn-playground/run:{browser}:{sid}".encode()).hexdigest()[:48]


class CheckpointStore(Protocol):
    def put(self, sid: str, data: bytes) -> bool: ...
    def get(self, sid: str) -> bytes | None: ...
    def delete(self, sid: str) -> None: ...
    def __len__(self) -> int: ...


class MemoryStore:
    """A dict with TTL, a count cap (least recently written goes first) and a size cap per value."""

    def __init__(
        self, ttl_s: float = 3 * 3600, max_count: int = 5000, max_bytes: int = 1 << 20, clock=time.monotonic
    ):
        self.ttl_s, self.max_count, self.max_bytes = float(ttl_s), int(max_count), int(max_bytes)
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def _expire(self, now: float) -> None:
        for key in [k for k, (t, _) in self._items.items() if t <= now]:
            del self._items[key]

    def put(self, sid: str, data: bytes) -> bool:
        if not valid_sid(sid) or len(data) > self.max_bytes:
            return False
        now = self._clock()
        with self._lock:
            self._items.pop(sid, None)
            self._items[sid] = (now + self.ttl_s, bytes(data))
            if len(self._items) > self.max_count:
                self._expire(now)
            while len(self._items) > self.max_count:
                self._items.popitem(last=False)
        return True

    def get(self, sid: str) -> bytes | None:
        if not valid_sid(sid):
            return None
        with self._lock:
            item = self._items.get(sid)
            if item is None:
                return None
            if item[0] <= self._clock():
                del self._items[sid]
                return None
            return item[1]

    def delete(self, sid: str) -> None:
        with self._lock:
            self._items.pop(sid, None)

    def __len__(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return len(self._items)


class RedisStore:
    """Checkpoints in Redis under ``pg:ckpt:<sid>`` with ``EX ttl``; the server's ``maxmemory`` with
    ``volatile-lru`` bounds the count (the workshop script starts Redis that way)."""

    def __init__(self, url: str, ttl_s: float = 3 * 3600, max_bytes: int = 1 << 20, timeout_s: float = 0.5):
        try:
            import redis  # optional extra: requirements-workshop.txt
        except ImportError as exc:
            raise RuntimeError(
                "The Redis checkpoint store needs the redis client: pip install -r requirements-workshop.txt"
            ) from exc
        self.ttl_s, self.max_bytes = int(ttl_s), int(max_bytes)
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s, health_check_interval=30
        )
        self._errors = redis.RedisError
        self._last_error = 0.0

    def _failed(self, what: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._last_error > 30:
            log.warning("checkpoint store: %s failed: %s", what, exc)
        self._last_error = now

    def put(self, sid: str, data: bytes) -> bool:
        if not valid_sid(sid) or len(data) > self.max_bytes:
            return False
        try:
            self._client.set(KEY_PREFIX + sid, data, ex=self.ttl_s)
            return True
        except self._errors as exc:
            self._failed("put", exc)
            return False

    def get(self, sid: str) -> bytes | None:
        if not valid_sid(sid):
            return None
        try:
            value = self._client.get(KEY_PREFIX + sid)
        except self._errors as exc:
            self._failed("get", exc)
            return None
        return None if value is None or len(value) > self.max_bytes else bytes(value)

    def delete(self, sid: str) -> None:
        try:
            self._client.delete(KEY_PREFIX + sid)
        except self._errors as exc:
            self._failed("delete", exc)

    def __len__(self) -> int:
        try:
            return sum(1 for _ in self._client.scan_iter(match=KEY_PREFIX + "*", count=500))
        except self._errors as exc:
            self._failed("count", exc)
            return 0


def open_store(url: str, ttl_s: float, max_count: int, max_bytes: int) -> CheckpointStore:
    """``memory`` → :class:`MemoryStore`; ``redis://…`` → :class:`RedisStore`."""
    if url == "memory":
        return MemoryStore(ttl_s, max_count, max_bytes)
    return RedisStore(url, ttl_s, max_bytes)
