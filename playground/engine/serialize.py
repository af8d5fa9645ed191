"""Save and load a network (config + weights + batch-norm statistics) as JSON or ``.npz``.

Never pickle: JSON holds plain lists; ``.npz`` holds float arrays plus the config as a JSON string,
and is read with ``allow_pickle=False``. Floats round-trip exactly (Python writes the shortest repr
that reads back to the same double).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from playground.engine.network import Network, config_from_dict
from playground.errors import ConfigError

FORMAT = "nn-playground/network-1"


def network_to_dict(net: Network) -> dict[str, Any]:
    """Plain JSON-ready dict: format tag, config, and every parameter and buffer by name."""
    return {
        "format": FORMAT,
        "config": net.config.to_dict(),
        "state": {name: arr.tolist() for name, arr in net.state().items()},
    }


def network_from_dict(d: dict[str, Any]) -> Network:
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise ConfigError("This is not a saved network of this playground (missing format tag).")
    net = Network(config_from_dict(d["config"]))
    try:
        state = {k: np.asarray(v, dtype=np.float64) for k, v in d["state"].items()}
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise ConfigError("The saved weights are not numbers: {exc}.", exc=exc) from None
    net.load_state(state)
    return net


def to_json(net: Network) -> str:
    return json.dumps(network_to_dict(net))


def from_json(text: str | bytes) -> Network:
    try:
        d = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("The file is not valid JSON: {exc}.", exc=exc) from None
    return network_from_dict(d)


def to_npz(net: Network) -> bytes:
    """The network as ``.npz`` bytes: one array per parameter/buffer plus ``__config__`` (JSON)."""
    buf = io.BytesIO()
    arrays = dict(net.state())
    arrays["__config__"] = np.array(json.dumps({"format": FORMAT, "config": net.config.to_dict()}))
    np.savez(buf, **arrays)
    return buf.getvalue()


def from_npz(data: bytes) -> Network:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            meta = json.loads(str(z["__config__"]))
            state = {k: z[k] for k in z.files if k != "__config__"}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
        raise ConfigError("The file is not a saved network (.npz): {exc}.", exc=exc) from None
    return network_from_dict({**meta, "state": state})


def save(net: Network, path: str | Path) -> None:
    """Write to ``path``; the format follows the extension (``.json`` or ``.npz``)."""
    path = Path(path)
    if path.suffix == ".json":
        path.write_text(to_json(net))
    elif path.suffix == ".npz":
        path.write_bytes(to_npz(net))
    else:
        raise ConfigError("Save as .json or .npz, not {path_suffix!r}.", path_suffix=path.suffix)


def load(path: str | Path) -> Network:
    path = Path(path)
    if path.suffix == ".json":
        return from_json(path.read_text())
    if path.suffix == ".npz":
        return from_npz(path.read_bytes())
    raise ConfigError("Load a .json or .npz file, not {path_suffix!r}.", path_suffix=path.suffix)
