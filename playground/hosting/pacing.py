"""Sharing one replica among a room: admission, the adaptive live-update interval, per-session pacing.

Pure Python, thread-safe (every Streamlit session runs in its own thread of one process), with an
injectable clock so tests drive it without sleeping.

Why these three, from the measurements in the README: a replica is one Python process, so it has one
core's worth of GIL-bound CPU. A live update costs ``c`` seconds of CPU; ``n`` playing sessions at
interval ``I`` need ``n·c/I`` of a core. Past 1.0 the event loop that sends the updates starves and
the service falls off a cliff. So:

* :class:`LoadMonitor` measures ``c`` (process CPU per live update, overhead included) and sets the
  interval every session uses to ``I = clamp(n·c/target, base, max)``: below the target nothing
  changes; above it every session slows down by the same factor (a slope, not a cliff);
* :class:`Admission` caps sessions per replica so that the slope ends before ``max`` is reached, and
  holds the others in a room-full page that retries;
* :class:`Pacer` spaces one session's runs (a token bucket for full reruns, a minimum gap for live
  updates): a client that floods reruns waits instead of computing, and its requests coalesce.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable


class LoadMonitor:
    """Replica load → the live-update interval every session should use."""

    def __init__(
        self,
        base_interval: float,
        max_interval: float,
        target_cpu: float = 0.7,
        window_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        cpu_clock: Callable[[], float] = time.process_time,
    ):
        self.base, self.max, self.target = float(base_interval), float(max_interval), float(target_cpu)
        self.window_s = float(window_s)
        self._clock, self._cpu = clock, cpu_clock
        self._lock = threading.Lock()
        self._last_tick: dict[str, float] = {}
        self._t0, self._cpu0 = clock(), cpu_clock()
        self._ticks = 0
        self.cost = 0.0  # CPU seconds per live update (EWMA)
        self.cpu = 0.0  # share of one core over the last window (EWMA)
        self.interval = self.base

    def tick(self, session: str) -> None:
        """A live update of ``session`` ran (call once per update, after it)."""
        now = self._clock()
        with self._lock:
            self._last_tick[session] = now
            self._ticks += 1
            if now - self._t0 >= self.window_s:
                self._update(now)

    def forget(self, session: str) -> None:
        with self._lock:
            self._last_tick.pop(session, None)

    def playing(self, now: float | None = None) -> int:
        """Sessions that had a live update recently (within 3 intervals, at least 3 s)."""
        now = self._clock() if now is None else now
        horizon = max(3.0, 3.0 * self.interval)
        with self._lock:
            stale = [s for s, t in self._last_tick.items() if now - t > horizon]
            for s in stale:
                del self._last_tick[s]
            return len(self._last_tick)

    def _update(self, now: float) -> None:
        cpu = self._cpu()
        dt, dcpu, ticks = now - self._t0, cpu - self._cpu0, self._ticks
        self._t0, self._cpu0, self._ticks = now, cpu, 0
        if dt <= 0:
            return
        a = 0.5
        self.cpu = (1 - a) * self.cpu + a * dcpu / dt
        if ticks:
            cost = dcpu / ticks
            self.cost = cost if self.cost == 0 else (1 - a) * self.cost + a * cost
        horizon = max(3.0, 3.0 * self.interval)
        n = sum(1 for t in self._last_tick.values() if now - t <= horizon)
        want = n * self.cost / self.target if self.target > 0 else self.base
        want = min(self.max, max(self.base, want))
        # move half-way each window (no oscillation), round to 50 ms (fewer timer changes)
        new = self.interval + 0.5 * (want - self.interval)
        self.interval = min(self.max, max(self.base, round(new / 0.05) * 0.05))

    def snapshot(self) -> dict[str, float]:
        return {
            "interval": self.interval,
            "cost_ms": 1000 * self.cost,
            "cpu": self.cpu,
            "playing": self.playing(),
        }


class Admission:
    """At most ``max_sessions`` sessions hold a seat; the others wait in arrival order."""

    def __init__(
        self,
        max_sessions: int,
        stale_s: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
        idle_s: float = 600.0,
    ):
        self.max_sessions = int(max_sessions)
        self.stale_s = float(stale_s)
        #: A seat whose session has not run the page for this long goes to the next in line (a
        #: connected but idle tab, or one of many sockets a client opened to hoard seats).
        self.idle_s = float(idle_s)
        self._clock = clock
        self._lock = threading.Lock()
        self._seated: dict[str, float] = {}
        self._waiting: dict[str, float] = {}

    def _prune(self, active: Iterable[str] | None, now: float) -> None:
        if active is not None:
            alive = set(active)
            for d in (self._seated, self._waiting):
                for s in [s for s in d if s not in alive]:
                    del d[s]
        for d in (self._seated, self._waiting):  # fallback when the runtime cannot list sessions
            for s in [s for s, t in d.items() if now - t > self.stale_s and active is None]:
                del d[s]

    def admit(self, session: str, active: Iterable[str] | None = None) -> bool:
        """True if ``session`` holds (or now gets) a seat. ``active``: ids of the connected sessions
        (seats of the others are freed); None: seats expire ``stale_s`` after their last call."""
        now = self._clock()
        with self._lock:
            self._prune(active, now)
            if session in self._seated:
                self._seated[session] = now
                return True
            self._waiting.setdefault(session, now)
            ahead = sum(1 for s, t in self._waiting.items() if t < self._waiting[session])
            if len(self._seated) + ahead >= self.max_sessions:  # full: free the seats left idle
                for s in sorted(
                    (s for s, t in self._seated.items() if now - t > self.idle_s), key=self._seated.get
                ):
                    if len(self._seated) + ahead < self.max_sessions:
                        break
                    del self._seated[s]
            if len(self._seated) + ahead < self.max_sessions:
                del self._waiting[session]
                self._seated[session] = now
                return True
            self._waiting[session] = self._waiting[session]
            return False

    def release(self, session: str) -> None:
        with self._lock:
            self._seated.pop(session, None)
            self._waiting.pop(session, None)

    def position(self, session: str) -> int:
        """1-based place in the queue (0: seated or unknown)."""
        with self._lock:
            if session not in self._waiting:
                return 0
            t = self._waiting[session]
            return 1 + sum(1 for u in self._waiting.values() if u < t)

    @property
    def seated(self) -> int:
        with self._lock:
            return len(self._seated)

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)


class Pacer:
    """One session's pacing: how long to wait before a run so that full reruns stay within a token
    bucket (``rate`` per second after a ``burst``) and live updates are at least ``gap`` apart."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst = float(rate), float(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._t = clock()
        self._last_update: dict[str, float] = {}
        self._lock = threading.Lock()

    def rerun_wait(self) -> float:
        """Take a token for a full rerun; the seconds to wait first (0: go now)."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._t) * self.rate)
            self._t = now
            self._tokens -= 1.0
            if self._tokens >= 0:
                return 0.0
            return -self._tokens / self.rate

    def update_wait(self, gap: float, key: str = "live") -> float:
        """Seconds to wait before a live update (of the view ``key``) so that it starts ``gap`` (×0.9)
        after the last one; the update is booked at its planned start."""
        with self._lock:
            now = self._clock()
            start = max(now, self._last_update.get(key, -1e9) + 0.9 * gap)
            self._last_update[key] = start
            return start - now


class Turns:
    """A fair (first come, first served) limit on live updates running at once in one replica.

    Every session is a thread of one Python process, so updates share one core through the GIL;
    when many wake at once the GIL hands the core around unfairly (some sessions starve) and the
    event loop that sends the results waits too. Taking turns keeps the order of arrival and the
    loop responsive. A waiter that cannot get a turn within ``timeout_s`` goes ahead anyway.
    """

    def __init__(self, slots: int = 1, timeout_s: float = 5.0):
        self.slots, self.timeout_s = int(slots), float(timeout_s)
        self._cv = threading.Condition()
        self._queue: list[object] = []
        self._busy = 0

    def acquire(self) -> bool:
        """Wait for a turn; True if taken (call :meth:`release`), False after the timeout."""
        me = object()
        with self._cv:
            self._queue.append(me)
            ok = self._cv.wait_for(
                lambda: self._busy < self.slots and self._queue[0] is me, timeout=self.timeout_s
            )
            self._queue.remove(me)
            if ok:
                self._busy += 1
            self._cv.notify_all()
            return ok

    def release(self) -> None:
        with self._cv:
            self._busy = max(0, self._busy - 1)
            self._cv.notify_all()

    @property
    def waiting(self) -> int:
        with self._cv:
            return len(self._queue)
