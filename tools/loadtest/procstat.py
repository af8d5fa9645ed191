"""CPU and memory of a process from /proc (Linux), for the per-replica figures of a load test."""

from __future__ import annotations

import os

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of ``pid`` (and its threads) in seconds, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK


def rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class CpuMeter:
    """CPU share (1.0 = one core) of a set of processes between ``start()`` and ``stop()``."""

    def __init__(self, pids: dict[str, int]):
        self.pids = dict(pids)
        self.t0: float | None = None
        self.c0: dict[str, float | None] = {}
        self.peak_rss: dict[str, float] = {}

    def start(self, now: float) -> None:
        self.t0 = now
        self.c0 = {k: cpu_seconds(p) for k, p in self.pids.items()}

    def sample_rss(self) -> None:
        for k, p in self.pids.items():
            r = rss_mb(p)
            if r is not None:
                self.peak_rss[k] = max(self.peak_rss.get(k, 0.0), r)

    def stop(self, now: float) -> dict[str, dict[str, float | None]]:
        out = {}
        for k, p in self.pids.items():
            c1, c0 = cpu_seconds(p), self.c0.get(k)
            share = (
                None if c1 is None or c0 is None or self.t0 is None else (c1 - c0) / max(1e-9, now - self.t0)
            )
            out[k] = {"cpu": share, "rss_mb": rss_mb(p), "peak_rss_mb": self.peak_rss.get(k)}
        return out
