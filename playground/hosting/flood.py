"""A guard against rerun floods, at the earliest point a browser message reaches the app.

A client can send Streamlit ``rerunScript`` messages as fast as its socket allows; with
``runner.fastReruns`` every one stops the running script and starts a new one, before any code of
the page runs, so a per-session limit inside the page never engages and the other learners of the
replica starve (issue 13: 400 msgs/s took them from 2.0 to 0.0 updates/s). nginx cannot count
websocket messages, so the check sits where Streamlit hands a decoded message to its runtime
(``Runtime.handle_backmsg``, on the server's event loop): a token bucket per session lets a real
page through — its live fragments rerun about 15 times a second, a dragged slider adds a burst —
drops what is beyond it, and closes a session that keeps flooding (its later messages are then
discarded by Streamlit itself, at the cost of decoding them).

This uses one Streamlit internal, ``streamlit.runtime.runtime.Runtime.handle_backmsg(self,
session_id, msg, *, client=None)``; requirements pin the Streamlit range it was tested with, and
``tests/hosting/test_flood.py`` checks the hook against the installed version.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from dataclasses import dataclass, field

log = logging.getLogger("playground.hosting")


@dataclass
class FloodLimits:
    """Reruns a session may ask for: ``rate`` per second sustained, ``burst`` at once; a session that
    has ``close_after`` requests dropped within ``window_s`` seconds is closed.

    A real page asks for at most ~22 a second (the live fragment at the fastest interval, 0.05 s, plus
    the slower internals fragment); each request let through costs a whole script run, so the burst is
    small: with 80 the first burst of a flood alone took the others to 0.3–0.6 of their update rate
    (``benchmarks/flood.py``), with 30 they keep ≥ 0.8 of it."""

    rate: float = 30.0
    burst: float = 30.0
    close_after: int = 100
    window_s: float = 5.0


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    drops: list[float] = field(default_factory=list)


# Streamlit ignores a whole query string beyond these (streamlit.runtime.state.query_params
# CLIENT_STATE_QUERY_STRING_MAX_FIELDS / _MAX_LENGTH, 1.67), logging a warning no learner sees.
MAX_QUERY_FIELDS = 1000
MAX_QUERY_CHARS = 512 * 1024


class FloodGuard:
    """Per-session token buckets for rerun requests: ``check`` says "pass", "drop" or "close".

    It also notes the sessions whose link Streamlit is about to ignore (``oversized_query``)."""

    def __init__(self, limits: FloodLimits | None = None, clock=time.monotonic):
        self.limits = limits or FloodLimits()
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()
        self._checks = 0
        self.closed: set[str] = set()
        self.oversized_query: set[str] = set()

    def take_oversized_query(self, session_id: str) -> bool:
        """Whether Streamlit dropped this session's query string (once: the flag is cleared)."""
        with self._lock:
            if session_id in self.oversized_query:
                self.oversized_query.discard(session_id)
                return True
        return False

    def check(self, session_id: str) -> str:
        lim, now = self.limits, self.clock()
        with self._lock:
            self._checks += 1
            if self._checks % 4096 == 0:  # sessions that went away: forget their buckets
                self._buckets = {k: v for k, v in self._buckets.items() if now - v.stamp < 600}
            b = self._buckets.get(session_id)
            if b is None:
                b = self._buckets[session_id] = _Bucket(lim.burst, now)
            b.tokens = min(lim.burst, b.tokens + (now - b.stamp) * lim.rate)
            b.stamp = now
            if b.tokens >= 1.0:
                b.tokens -= 1.0
                return "pass"
            b.drops = [t for t in b.drops if now - t <= lim.window_s]
            b.drops.append(now)
            if len(b.drops) >= lim.close_after:
                self.closed.add(session_id)
                self._buckets.pop(session_id, None)
                return "close"
            return "drop"

    def __len__(self) -> int:
        return len(self._buckets)


_installed: FloodGuard | None = None


def installed() -> FloodGuard | None:
    """The guard in front of the runtime, if :func:`install` has run in this process."""
    return _installed


def install(limits: FloodLimits | None = None) -> FloodGuard:
    """Put the guard in front of Streamlit's runtime (once per process; later calls return it)."""
    global _installed
    if _installed is not None:
        return _installed
    from streamlit.runtime.runtime import Runtime

    guard = FloodGuard(limits)
    original = Runtime.handle_backmsg

    @functools.wraps(original)
    def handle_backmsg(self, session_id, msg, *args, **kwargs):
        if msg.WhichOneof("type") == "rerun_script":
            query = msg.rerun_script.query_string
            if query and (len(query) > MAX_QUERY_CHARS or query.count("&") + 1 > MAX_QUERY_FIELDS):
                guard.oversized_query.add(session_id)  # Streamlit drops it silently: the page says so
            verdict = guard.check(session_id)
            if verdict == "drop":
                return None
            if verdict == "close":
                log.warning(
                    "session %s closed: more than %d rerun requests dropped",
                    session_id[:8],
                    guard.limits.close_after,
                )
                self.close_session(session_id)
                return None
        return original(self, session_id, msg, *args, **kwargs)

    handle_backmsg.__flood_guard__ = guard
    Runtime.handle_backmsg = handle_backmsg
    _installed = guard
    return guard


@dataclass
class UploadLimits:
    """Uploads a session may make: ``per_minute`` of them, and ``keep`` held at once (older ones are
    released when a new one arrives: the page only ever reads the latest)."""

    per_minute: int = 12
    keep: int = 2


_uploads_installed: UploadLimits | None = None
# The 429 answer's text: an HTTP request outside any session has no language of its own, so it says it
# in both (the English and the Chinese of the catalogs).
TOO_MANY_UPLOADS = "Too many uploads; try again in a minute. / 上传太频繁，请一分钟后再试。"


def forget_upload_counts() -> None:
    """Forget every session's recent uploads (tests: AppTest gives every app the same session id, so
    one test's uploads would count against the next test's within the minute)."""
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

    times = getattr(MemoryUploadedFileManager.add_file, "__upload_times__", None)
    if times is not None:
        times.clear()


def install_upload_limits(limits: UploadLimits | None = None) -> UploadLimits:
    """Cap what one session can make a replica hold through ``PUT /_stcore/upload_file/…`` (once per
    process): beyond the rate the request is answered 429, and each session holds at most ``keep``
    files. Hooks ``MemoryUploadedFileManager.add_file`` (Streamlit's in-memory upload store)."""
    global _uploads_installed
    if _uploads_installed is not None:
        return _uploads_installed
    from starlette.exceptions import HTTPException
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

    lim = limits or UploadLimits()
    times: dict[str, list[float]] = {}
    lock = threading.Lock()
    original = MemoryUploadedFileManager.add_file

    @functools.wraps(original)
    def add_file(self, session_id, file):
        now = time.monotonic()
        with lock:
            recent = [t for t in times.get(session_id, []) if now - t < 60.0]
            if len(recent) >= lim.per_minute:
                times[session_id] = recent
                raise HTTPException(status_code=429, detail=TOO_MANY_UPLOADS)
            recent.append(now)
            times[session_id] = recent
            if len(times) > 10_000:  # sessions long gone
                for key in [k for k, v in times.items() if not v or now - v[-1] > 60.0]:
                    del times[key]
        held = list(self.file_storage.get(session_id, {}))
        for file_id in held[: max(0, len(held) - lim.keep + 1)]:
            if file_id != file.file_id:
                self.remove_file(session_id, file_id)  # release the oldest first
        return original(self, session_id, file)

    add_file.__upload_limits__ = lim
    add_file.__upload_times__ = times
    MemoryUploadedFileManager.add_file = add_file
    _uploads_installed = lim
    return lim
