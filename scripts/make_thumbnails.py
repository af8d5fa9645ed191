"""Render every built-in dataset as a small PNG for the README: ``docs/datasets/<name>.png``.

Usage: ``python scripts/make_thumbnails.py [--size 96] [--out docs/datasets]``. Prints the README's
dataset table (Markdown) when done. Needs only NumPy: the PNG encoder below is a few lines of zlib.

Colours are TF Playground's: class 0 (its −1) orange #f59322, class 1 (its +1) blue #0877bd, a third
class green; regression values on TF's ramp orange (−1) → grey #e8eaeb (0) → blue (+1), clamped.
"""

from __future__ import annotations

import argparse
import struct
import sys
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from playground.data import DATASETS, Dataset, make_dataset  # noqa: E402

ORANGE = (0xF5, 0x93, 0x22)
BLUE = (0x08, 0x77, 0xBD)
GREEN = (0x2C, 0xA0, 0x2C)
GREY = (0xE8, 0xEA, 0xEB)
CLASS_COLOURS = (ORANGE, BLUE, GREEN)
BACKGROUND = (0xFF, 0xFF, 0xFF)
BORDER = (0xC8, 0xCB, 0xCD)


def encode_png(rgb: np.ndarray) -> bytes:
    """An 8-bit RGB PNG of an (h, w, 3) uint8 array: signature, IHDR, one IDAT, IEND (PNG spec §5, §11)."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an (h, w, 3) array, got {rgb.shape}")
    h, w, _ = rgb.shape

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # bit depth 8, colour type 2 (RGB), no interlace
    scanlines = np.hstack([np.zeros((h, 1), np.uint8), rgb.reshape(h, w * 3)])  # filter type 0 per row
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(scanlines.tobytes(), 9))
        + chunk(b"IEND", b"")
    )


def ramp(values: np.ndarray) -> np.ndarray:
    """TF Playground's diverging colour scale: −1 orange, 0 grey, +1 blue (clamped); (n,) -> (n, 3)."""
    v = np.clip(np.asarray(values, dtype=np.float64), -1.0, 1.0)[:, None]
    orange, grey, blue = (np.array(c, dtype=np.float64) for c in (ORANGE, GREY, BLUE))
    return np.where(v < 0, grey + (orange - grey) * -v, grey + (blue - grey) * v)


def point_colours(ds: Dataset) -> np.ndarray:
    if ds.task == "regression":
        return ramp(ds.y)
    palette = np.array(CLASS_COLOURS, dtype=np.float64)
    return palette[ds.y % len(palette)]


def render(ds: Dataset, size: int = 96, radius: float = 1.7, outline: float = 0.7) -> np.ndarray:
    """The dataset's 2-D view as an (size, size, 3) uint8 image: anti-aliased discs with a white rim."""
    img = np.empty((size, size, 3), dtype=np.float64)
    img[:] = BACKGROUND
    (x0, x1), (y0, y1) = ds.view_domain()
    pts = ds.view_points
    px = (pts[:, 0] - x0) / (x1 - x0) * size - 0.5  # pixel centres at integer + 0.5
    py = (y1 - pts[:, 1]) / (y1 - y0) * size - 0.5  # y grows upwards
    colours = point_colours(ds)
    reach = int(np.ceil(radius + outline + 1))
    offsets = np.arange(-reach, reach + 1)
    white = np.array(BACKGROUND, dtype=np.float64)
    for cx, cy, colour in zip(px, py, colours, strict=True):
        ix, iy = round(cx), round(cy)
        xs, ys = ix + offsets, iy + offsets
        xs, ys = xs[(xs >= 0) & (xs < size)], ys[(ys >= 0) & (ys < size)]
        if not len(xs) or not len(ys):
            continue
        d = np.hypot(xs[None, :] - cx, ys[:, None] - cy)
        rim = np.clip(radius + outline + 0.5 - d, 0.0, 1.0)[..., None]
        fill = np.clip(radius + 0.5 - d, 0.0, 1.0)[..., None]
        patch = img[ys[0] : ys[-1] + 1, xs[0] : xs[-1] + 1]
        patch[:] = patch * (1 - rim) + white * rim
        patch[:] = patch * (1 - fill) + colour * fill
    img[0, :], img[-1, :], img[:, 0], img[:, -1] = BORDER, BORDER, BORDER, BORDER
    return np.round(img).astype(np.uint8)


def markdown_table(out_dir: Path) -> str:
    rel = out_dir.resolve().relative_to(ROOT) if out_dir.resolve().is_relative_to(ROOT) else out_dir
    lines = ["| Dataset | Preview | Task | Description | Source |", "|---|---|---|---|---|"]
    for spec in DATASETS.values():
        image = f"![{spec.label}]({rel.as_posix()}/{spec.name}.png)"
        lines.append(
            f"| `{spec.name}` {spec.label} | {image} | {spec.task} | {spec.description} | {spec.source} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=96, help="width and height in pixels")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "datasets", help="output folder")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in DATASETS:
        ds = make_dataset(name, n_samples=500, noise=0, seed=0)
        path = args.out / f"{name}.png"
        path.write_bytes(encode_png(render(ds, args.size)))
        print(f"wrote {path}", file=sys.stderr)
    print(markdown_table(args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
