"""A run's checkpoint as bytes: this module only chooses the byte format of a ``state_dict``.

A run (``playground.experiment.Experiment``) gives a nested ``state_dict()`` whose leaves are NumPy
arrays or JSON values; it is flattened into an ``.npz`` (NumPy's zip of ``.npy`` arrays, read with
``allow_pickle=False``): every array under its '/'-joined key path (``network/params/h1.W``,
``trainer/optimizer/state/h1.W/m``, ``upload/data``), everything else in ``meta``, zlib-compressed
JSON (NaN and ±inf kept), with the format tag and the page's ``extra`` flags. Long histories are
thinned. Never pickle: a checkpoint from a shared store is untrusted input, and a malformed one
raises ``CheckpointError``.

Pure Python + NumPy; nothing here knows a run's attributes: ``decode`` hands the state to a builder
the caller passes (``Experiment.from_state_dict``), so hosting imports neither the experiment nor
the engine.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np

from playground.errors import PlaygroundError

FORMAT = "nn-playground/checkpoint-2"
MAX_MEMBER_BYTES = 8 << 20
"""The largest array a checkpoint may hold, uncompressed (a 2 000-point upload and an 8×64 net fit)."""
MAX_TOTAL_BYTES = 24 << 20
"""All of a checkpoint's arrays together, uncompressed: checked before anything is allocated."""
MAX_MEMBERS = 4096
MAX_META_BYTES = 4 << 20
"""The JSON part, uncompressed (a zlib bomb stops here)."""
DTYPES = (np.dtype(np.float64), np.dtype(np.int64), np.dtype(np.uint8))
"""What an array may hold: weights and statistics, an epoch's order, an upload's bytes."""
MAX_HISTORY = 3000
"""History records kept in a checkpoint; longer histories are thinned (first, evenly spaced, last 500)."""
MAX_HEALTH = 6000


class CheckpointError(PlaygroundError):
    """A checkpoint could not be written or read back (too large, malformed, from another version)."""


class CheckpointTooLarge(CheckpointError):
    """The run's checkpoint exceeds the store's cap (``params``: ``size`` and ``cap`` in bytes): the
    run cannot be kept for a reload or another replica, and the learner is told so."""


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


_SEP = "/"


def flatten(state: dict[str, Any]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(JSON tree without the arrays, {'/'-joined path: array}) of a nested state dict."""
    arrays: dict[str, np.ndarray] = {}

    def walk(node: Any, path: tuple[str, ...]) -> Any:
        if isinstance(node, np.ndarray):
            if node.dtype == object:
                raise CheckpointError(f"{_SEP.join(path)}: object arrays cannot be saved.")
            arrays[_SEP.join(path)] = node
            return None
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                key = str(key)
                if _SEP in key or not key:
                    raise CheckpointError(f"State key {key!r} cannot be saved (empty or with '/').")
                kept = walk(value, (*path, key))
                if not isinstance(value, np.ndarray):
                    out[key] = kept
            return out
        return _json_safe(node)

    tree = walk(state, ())
    return tree, arrays


def unflatten(tree: dict[str, Any], arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """The nested state dict back: each array put at its path in the JSON tree."""
    state = _json_restore(tree)
    for path, arr in arrays.items():
        keys = path.split(_SEP)
        if not all(keys):
            raise CheckpointError(f"Array path {path!r} has an empty part.")
        node = state
        for key in keys[:-1]:
            if not isinstance(node, dict):
                break
            node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise CheckpointError(f"Array {path!r} does not fit the checkpoint's structure.")
        node[keys[-1]] = arr
    return state


def _thin_state(state: dict[str, Any]) -> dict[str, Any]:
    """A shallow copy with the trainer's history and gradient-health records thinned."""
    trainer = state.get("trainer")
    if not isinstance(trainer, dict):
        return state
    trainer = dict(trainer)
    trainer["history"] = _thin(trainer.get("history") or [], MAX_HISTORY)
    trainer["health"] = _thin(trainer.get("health") or [], MAX_HEALTH, tail=1000)
    return {**state, "trainer": trainer}


def encode(exp, extra: dict[str, Any] | None = None, max_bytes: int | None = None) -> bytes:
    """The run ``exp`` (anything with ``state_dict()``) as checkpoint bytes.

    ``extra``: small JSON-able page state to keep with it (e.g. ``{"playing": True}``). Raises
    CheckpointError if the result exceeds ``max_bytes``."""
    tree, arrays = flatten(_thin_state(exp.state_dict()))
    if "format" in tree or "extra" in tree:
        raise CheckpointError("A state dict may not use the keys 'format' or 'extra'.")
    meta = {**tree, "format": FORMAT, "extra": _json_safe(extra or {})}
    text = json.dumps(meta, separators=(",", ":"), allow_nan=False)
    if "meta" in arrays:
        raise CheckpointError("A state dict may not hold an array named 'meta'.")
    arrays["meta"] = np.frombuffer(zlib.compress(text.encode(), 1), dtype=np.uint8)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    data = buf.getvalue()
    if max_bytes is not None and len(data) > max_bytes:
        raise CheckpointTooLarge(
            "The checkpoint is {size} bytes, above the {cap}-byte cap.", size=len(data), cap=max_bytes
        )
    return data


def _describe(exc: BaseException) -> str:
    """An exception in one short line for the log (its class and the start of its message)."""
    name = getattr(type(exc), "__name__", "error")
    return f"{name}: {exc}"[:300]


def _read_members(data: bytes) -> dict[str, np.ndarray]:
    """The .npz members, each checked against the size and dtype limits before it is allocated:
    the zip's declared sizes first (all members together), then every array's own header."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise CheckpointError(f"Too many arrays ({len(infos)} > {MAX_MEMBERS}).")
        total = 0
        for info in infos:
            if not info.filename.endswith(".npy") or info.file_size > MAX_MEMBER_BYTES:
                raise CheckpointError(f"Member {info.filename!r} is not a bounded array.")
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise CheckpointError(
                f"The arrays would take {total >> 20} MB (limit {MAX_TOTAL_BYTES >> 20} MB)."
            )
        arrays = {}
        for info in infos:
            with zf.open(info) as f:
                version = np.lib.format.read_magic(f)
                if version == (1, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
                elif version == (2, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
                else:
                    raise CheckpointError(f"{info.filename!r}: unknown array format {version}.")
                if dtype not in DTYPES or fortran:
                    raise CheckpointError(f"{info.filename!r}: arrays of {dtype} are not accepted.")
                count = math.prod(shape)
                if count * dtype.itemsize > info.file_size:
                    raise CheckpointError(f"{info.filename!r}: its header claims more data than it holds.")
                raw = f.read(count * dtype.itemsize)
                if len(raw) != count * dtype.itemsize:
                    raise CheckpointError(f"{info.filename!r} is truncated.")
                arrays[info.filename[: -len(".npy")]] = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    return arrays


def _read(data: bytes) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    try:
        arrays = _read_members(data)
        packed = arrays.pop("meta")
        if packed.dtype != np.uint8 or packed.ndim != 1:
            raise CheckpointError("The checkpoint's meta is not a byte string.")
        inflate = zlib.decompressobj()
        text = inflate.decompress(packed.tobytes(), MAX_META_BYTES)
        if inflate.unconsumed_tail or not inflate.eof:
            raise CheckpointError(
                f"The checkpoint's meta is larger than {MAX_META_BYTES >> 20} MB or cut off."
            )
        meta = json.loads(text)
    except CheckpointError:
        raise
    except (
        OSError,
        ValueError,
        KeyError,
        EOFError,
        TypeError,
        RecursionError,
        MemoryError,
        OverflowError,
        UnicodeDecodeError,
        zipfile.BadZipFile,
        zlib.error,
        NotImplementedError,
    ) as exc:
        raise CheckpointError(f"Not a playground checkpoint: {_describe(exc)}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError("Not a playground checkpoint (missing or unknown format tag).")
    try:
        return _json_restore(meta), arrays
    except RecursionError:
        raise CheckpointError("The checkpoint's meta is nested too deeply.") from None


def peek(data: bytes) -> dict[str, Any]:
    """The checkpoint's JSON part (config, ``trainer.epoch``, ``extra``…) without building the run."""
    meta, _ = _read(data)
    return meta


def decode_state(data: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """(state dict, extra) from checkpoint bytes; raises CheckpointError on anything malformed."""
    if not isinstance(data, bytes | bytearray) or len(data) > MAX_TOTAL_BYTES:
        raise CheckpointError("A checkpoint is a byte string of bounded size.")
    meta, arrays = _read(data)
    extra = meta.pop("extra", None) or {}
    meta.pop("format", None)
    if not isinstance(extra, dict):
        raise CheckpointError("The checkpoint's page flags are not an object.")
    return unflatten(meta, arrays), extra


def decode(data: bytes, build: Callable[[dict[str, Any]], Any]):
    """(run, extra) from checkpoint bytes; ``build(state_dict)`` makes the run (the page passes
    ``Experiment.from_state_dict``). Raises CheckpointError on anything malformed or not fitting."""
    state, extra = decode_state(data)
    try:
        run = build(state)
    except CheckpointError:
        raise
    except Exception as exc:  # untrusted input: whatever it trips over, the answer is "unusable"
        raise CheckpointError(f"The checkpoint does not fit this playground: {_describe(exc)}") from None
    return run, extra
