"""A run's checkpoint as bytes: config, weights, optimizer state, trainer state and history.

Format: an ``.npz`` (NumPy's zip of ``.npy`` arrays, read with ``allow_pickle=False``) holding float
arrays (``net/<name>``, ``opt/<param>/<buffer>``, ``best/<name>``), the uploaded CSV's bytes if any
(``upload``, uint8) and ``meta``: zlib-compressed JSON with everything else (the playground config,
epoch, step counts, status, RNG state, history, gradient-health records, page flags). Never pickle:
a checkpoint from a shared store is untrusted input, and a malformed one raises ``CheckpointError``.

Pure Python + NumPy; the experiment is rebuilt from its config (seeded, so the data are the same) and
then its state is overwritten, so a restored run continues exactly where it was saved.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
import zlib
from typing import Any

import numpy as np

from playground.errors import PlaygroundError

FORMAT = "nn-playground/checkpoint-1"
MAX_HISTORY = 3000
"""History records kept in a checkpoint; longer histories are thinned (first, evenly spaced, last 500)."""
MAX_HEALTH = 6000


class CheckpointError(PlaygroundError):
    """A checkpoint could not be written or read back (too large, malformed, from another version)."""


def _thin(records: list[dict[str, Any]], cap: int, tail: int = 500) -> list[dict[str, Any]]:
    if len(records) <= cap:
        return list(records)
    head = records[: len(records) - tail]
    keep = np.unique(np.linspace(0, len(head) - 1, cap - tail).round().astype(int))
    return [head[i] for i in keep] + list(records[-tail:])


def _json_safe(value: Any) -> Any:
    """Floats that JSON cannot hold (NaN, ±inf) as strings, numpy scalars as Python numbers."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return {"__float__": repr(value)}
    return value


def _json_restore(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__float__"}:
            return float(value["__float__"])
        return {k: _json_restore(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_restore(v) for v in value]
    return value


def encode(exp, extra: dict[str, Any] | None = None, max_bytes: int | None = None) -> bytes:
    """The experiment ``exp`` (``playground.experiment.Experiment``) as checkpoint bytes.

    ``extra``: small JSON-able page state to keep with it (e.g. ``{"playing": True}``). Raises
    CheckpointError if the result exceeds ``max_bytes``."""
    trainer = exp.trainer
    arrays: dict[str, np.ndarray] = {}
    for name, arr in exp.network.state().items():
        arrays[f"net/{name}"] = np.asarray(arr, dtype=np.float64)
    opt = trainer.optimizer.state_dict()
    for pname, bufs in opt["state"].items():
        for buf, values in bufs.items():
            arrays[f"opt/{pname}/{buf}"] = np.asarray(values, dtype=np.float64)
    if trainer._best_state is not None:
        for name, arr in trainer._best_state.items():
            arrays[f"best/{name}"] = np.asarray(arr, dtype=np.float64)
    upload = getattr(exp, "upload", None)
    if upload is not None:
        arrays["upload"] = np.frombuffer(upload.data, dtype=np.uint8)
    div = trainer.divergence
    meta = {
        "format": FORMAT,
        "config": exp.config.to_dict(),
        "upload": None if upload is None else {"name": upload.name, "problems": list(upload.problems)},
        "reset_count": exp.reset_count,
        "stop_reason": exp.stop_reason,
        "edited": exp.edited,
        "trainer": {
            "epoch": trainer.epoch,
            "total_steps": trainer.total_steps,
            "step_in_epoch": trainer.step_in_epoch,
            "status": trainer.status,
            "divergence": None if div is None else [div.epoch, div.step, div.reason],
            "best_epoch": trainer.best_epoch,
            "best_val": trainer.best_val,
            "wait": trainer._wait,
            "health_every": getattr(trainer, "_health_every", 1),
            "rng": trainer.rng.bit_generator.state,
        },
        "optimizer": {k: v for k, v in opt.items() if k != "state"},
        "history": _thin(trainer.history, MAX_HISTORY),
        "health": _thin(trainer.health, MAX_HEALTH, tail=1000),
        "extra": extra or {},
    }
    text = json.dumps(_json_safe(meta), separators=(",", ":"), allow_nan=False)
    arrays["meta"] = np.frombuffer(zlib.compress(text.encode(), 1), dtype=np.uint8)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    data = buf.getvalue()
    if max_bytes is not None and len(data) > max_bytes:
        raise CheckpointError(
            f"The checkpoint is {len(data) // 1024} KB, above the {max_bytes // 1024} KB cap."
        )
    return data


def _read(data: bytes) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        meta = json.loads(zlib.decompress(arrays.pop("meta").tobytes()))
    except (
        OSError,
        ValueError,
        KeyError,
        EOFError,
        zipfile.BadZipFile,
        zlib.error,
        json.JSONDecodeError,
    ) as exc:
        raise CheckpointError(f"Not a playground checkpoint: {exc}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError("Not a playground checkpoint (missing or unknown format tag).")
    return _json_restore(meta), arrays


def peek(data: bytes) -> dict[str, Any]:
    """The checkpoint's metadata (config, epoch, extra…) without building the experiment."""
    meta, _ = _read(data)
    return meta


def decode(data: bytes):
    """(Experiment, extra) from checkpoint bytes; raises CheckpointError on anything malformed."""
    from playground.engine.trainer import Divergence
    from playground.experiment import Experiment, PlaygroundConfig, Upload

    meta, arrays = _read(data)
    try:
        cfg = PlaygroundConfig.from_dict(meta["config"])
        upload = None
        if meta.get("upload"):
            if "upload" not in arrays:
                raise CheckpointError("The checkpoint names an upload but does not hold it.")
            up = meta["upload"]
            upload = Upload(str(up["name"]), arrays["upload"].tobytes(), tuple(up["problems"]))
        exp = Experiment(cfg, upload=upload)
        exp.reset_count = int(meta["reset_count"])
        net_state = {k[4:]: v for k, v in arrays.items() if k.startswith("net/")}
        exp.network.load_state(net_state)
        opt_meta = meta["optimizer"]
        opt_state: dict[str, dict[str, Any]] = {}
        for key, arr in arrays.items():
            if key.startswith("opt/"):
                _, pname, buf = key.split("/", 2)
                opt_state.setdefault(pname, {})[buf] = arr
        for pname in exp.network.params.slices:
            opt_state.setdefault(pname, {})
        exp.trainer.optimizer.load_state_dict({**opt_meta, "state": opt_state})
        t = exp.trainer
        tm = meta["trainer"]
        t.epoch = int(tm["epoch"])
        t.total_steps = int(tm["total_steps"])
        t.step_in_epoch = int(tm["step_in_epoch"])
        t.status = str(tm["status"])
        t.divergence = None if tm["divergence"] is None else Divergence(*tm["divergence"])
        t.best_epoch = tm["best_epoch"]
        t.best_val = float(tm["best_val"])
        t._wait = int(tm["wait"])
        if hasattr(t, "_health_every"):
            t._health_every = int(tm.get("health_every", 1))
        best = {k[5:]: v for k, v in arrays.items() if k.startswith("best/")}
        t._best_state = best or None
        t.rng.bit_generator.state = tm["rng"]
        t.history[:] = list(meta["history"]) or t.history
        t.health[:] = list(meta["health"])
        exp.stop_reason = meta["stop_reason"]
        exp.edited = bool(meta["edited"])
    except CheckpointError:
        raise
    except (PlaygroundError, KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise CheckpointError(f"The checkpoint does not fit this playground: {exc}") from None
    return exp, dict(meta.get("extra") or {})
