import base64
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from playground.viz.png import data_uri, encode_png


def decode_png(data: bytes) -> np.ndarray:
    """A minimal decoder for what encode_png writes: 8-bit RGB/grey/RGBA, any of the five row filters."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, payload = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + payload)
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", payload)
        elif kind == b"IDAT":
            idat += payload
        pos += 12 + length
    w, h, depth, color_type = header[:4]
    assert depth == 8
    ch = {0: 1, 2: 3, 6: 4}[color_type]
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(h, 1 + w * ch)
    out = np.zeros((h, w * ch), dtype=np.int32)
    for y in range(h):
        f, row = raw[y, 0], raw[y, 1:].astype(np.int32)
        prev = out[y - 1] if y else np.zeros(w * ch, dtype=np.int32)
        if f == 0:
            out[y] = row
        elif f == 2:
            out[y] = (row + prev) % 256
        else:  # Sub / Average / Paeth are not written by encode_png
            raise AssertionError(f"unexpected filter {f}")
    out = out.astype(np.uint8)
    return out.reshape(h, w, ch) if ch > 1 else out.reshape(h, w)


def test_png_round_trip_with_own_decoder_and_pillow():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, size=(17, 23, 3), dtype=np.uint8)
    data = encode_png(img)
    np.testing.assert_array_equal(decode_png(data), img)
    with Image.open(io.BytesIO(data)) as pil:
        assert pil.mode == "RGB" and pil.size == (23, 17)
        np.testing.assert_array_equal(np.asarray(pil), img)


def test_png_grey_and_rgba():
    grey = np.arange(64, dtype=np.uint8).reshape(8, 8) * 3
    np.testing.assert_array_equal(decode_png(encode_png(grey)), grey)
    rgba = np.random.default_rng(1).integers(0, 256, size=(5, 4, 4), dtype=np.uint8)
    with Image.open(io.BytesIO(encode_png(rgba))) as pil:
        np.testing.assert_array_equal(np.asarray(pil), rgba)


def test_repeated_rows_compress_well():
    rgb = np.random.default_rng(2).integers(0, 256, size=(1, 400, 3), dtype=np.uint8).repeat(400, axis=0)
    assert len(encode_png(rgb)) < 0.02 * rgb.size  # one random row, then 399 rows of zeros after "Up"


def test_data_uri():
    img = np.zeros((2, 3, 3), dtype=np.uint8)
    uri = data_uri(img)
    assert uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]) == encode_png(img)


@pytest.mark.parametrize(
    "bad", [np.zeros((4, 4, 3)), np.zeros((4, 4, 2), np.uint8), np.zeros((0, 4, 3), np.uint8)]
)
def test_png_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        encode_png(bad)
