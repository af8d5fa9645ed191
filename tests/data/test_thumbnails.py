"""The README's dataset thumbnails: the PNG encoder, the renderer, and one image per dataset."""

from __future__ import annotations

import importlib.util
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from playground.data import DATASETS, make_dataset

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def thumbs():
    spec = importlib.util.spec_from_file_location("make_thumbnails", ROOT / "scripts" / "make_thumbnails.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def decode_png(data: bytes) -> np.ndarray:
    """Just enough of a PNG reader for our own files: 8-bit RGB, filter type 0, checked CRCs."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, payload = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + payload) & 0xFFFFFFFF, kind
        chunks[kind] = chunks.get(kind, b"") + payload
        pos += 12 + length
    w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, colour, interlace) == (8, 2, 0) and b"IEND" in chunks
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(h, 1 + 3 * w)
    assert np.all(raw[:, 0] == 0)
    return raw[:, 1:].reshape(h, w, 3)


def test_png_round_trip(thumbs):
    img = np.random.default_rng(0).integers(0, 256, (7, 5, 3), dtype=np.uint8)
    np.testing.assert_array_equal(decode_png(thumbs.encode_png(img)), img)
    with pytest.raises(ValueError):
        thumbs.encode_png(np.zeros((4, 4)))


def test_render_uses_class_colours(thumbs):
    img = thumbs.render(make_dataset("gauss", n_samples=200), size=64)
    assert img.shape == (64, 64, 3) and img.dtype == np.uint8
    colours = {tuple(c) for c in img.reshape(-1, 3)}
    assert thumbs.ORANGE in colours and thumbs.BLUE in colours
    # Blue blob upper right, orange lower left (y grows upwards, as in TF Playground).
    blue = np.all(img == thumbs.BLUE, axis=2)
    ys, xs = np.nonzero(blue)
    assert xs.mean() > 32 and ys.mean() < 32


def test_regression_ramp(thumbs):
    np.testing.assert_allclose(
        thumbs.ramp(np.array([-1.0, 0.0, 1.0, 5.0])), [thumbs.ORANGE, thumbs.GREY, thumbs.BLUE, thumbs.BLUE]
    )


@pytest.mark.parametrize("name", list(DATASETS))
def test_thumbnail_exists_for_every_dataset(name):
    path = ROOT / "docs" / "datasets" / f"{name}.png"
    assert path.exists(), f"run: python scripts/make_thumbnails.py (missing {path})"
    img = decode_png(path.read_bytes())
    assert img.shape == (96, 96, 3)


def test_markdown_table_lists_every_dataset(thumbs):
    table = thumbs.markdown_table(ROOT / "docs" / "datasets")
    for name, spec in DATASETS.items():
        assert f"docs/datasets/{name}.png" in table and spec.source in table
