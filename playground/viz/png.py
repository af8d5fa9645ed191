"""PNG encoding with NumPy and zlib only, for images embedded in the page as ``data:`` URIs.

A data URI travels inside the page's message, so a server with several replicas never hands out a
``/media/...`` link that another replica cannot serve. Rows are written with PNG's "Up" filter (each
byte minus the one above it): a nearest-neighbour upsampled image repeats rows, which then compress to
almost nothing at zlib level 1.
"""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, payload: bytes) -> bytes:
    """One PNG chunk: length, type, payload, CRC-32 of type + payload."""
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def encode_png(rgb: np.ndarray, *, level: int = 1) -> bytes:
    """Encode a uint8 ``(H, W, 3)`` RGB (or ``(H, W)`` grey) array as PNG bytes.

    ``level`` is the zlib compression level (1 is fast and, with the Up filter, small enough).
    """
    a = np.asarray(rgb)
    if a.dtype != np.uint8:
        raise ValueError(f"encode_png needs a uint8 array, got {a.dtype}")
    if a.ndim == 2:
        color_type, channels = 0, 1
    elif a.ndim == 3 and a.shape[2] == 3:
        color_type, channels = 2, 3
    elif a.ndim == 3 and a.shape[2] == 4:
        color_type, channels = 6, 4
    else:
        raise ValueError(f"encode_png needs shape (H, W), (H, W, 3) or (H, W, 4), got {a.shape}")
    h, w = a.shape[:2]
    if h == 0 or w == 0:
        raise ValueError("cannot encode an empty image")
    rows = a.reshape(h, w * channels)
    raw = np.empty((h, w * channels + 1), dtype=np.uint8)
    raw[:, 0] = 2  # filter type 2 ("Up") on every row; the first row's "above" is zeros
    raw[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=raw[1:, 1:])  # uint8 arithmetic wraps modulo 256, as PNG wants
    header = struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0)
    return b"".join(
        (
            PNG_SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(raw.tobytes(), level)),
            _chunk(b"IEND", b""),
        )
    )


def data_uri(rgb: np.ndarray, *, level: int = 1) -> str:
    """``"data:image/png;base64,..."`` for a uint8 RGB array: an image source that needs no file server."""
    return "data:image/png;base64," + base64.b64encode(encode_png(rgb, level=level)).decode("ascii")
