"""The one palette: every chart takes its colours from here, so a colour means the same thing everywhere.

Orange is negative / class 0, blue is positive / class 1 and near-white is "undecided", as in TensorFlow
Playground. The ``*_rgb`` functions map arrays to ``uint8`` RGB through 256-entry lookup tables, so colouring
a 100x100 grid costs one ``take`` (tens of microseconds) and is cheap enough for the live loop.
"""

from __future__ import annotations

import numpy as np

NEGATIVE = "#f59322"  # class 0 / negative values (TF Playground orange)
POSITIVE = "#0877bd"  # class 1 / positive values (TF Playground blue)
NEUTRAL = "#e8eaeb"  # zero / p = 0.5 / "no opinion"
WHITE = "#ffffff"
INK = "#2b2b2b"  # text, outlines of test points
GRID = "#c9cdd0"  # neuron borders, rules
MISSING = "#b8bcbf"  # diverged runs, absent values

# Class colours for multi-class data: the first two are TF Playground's, the rest chosen to stay distinct
# from them and from each other (and away from pure white, which means "undecided").
CLASS_COLORS: tuple[str, ...] = (
    NEGATIVE,  # 0 orange
    POSITIVE,  # 1 blue
    "#2e9e55",  # 2 green
    "#c2185b",  # 3 crimson
    "#7e57c2",  # 4 purple
    "#8c564b",  # 5 brown
    "#1fc7c1",  # 6 teal
    "#d9c400",  # 7 yellow
    "#546e7a",  # 8 slate
    "#f06eaa",  # 9 pink
)
MAX_CLASSES = len(CLASS_COLORS)

# Curves of the three splits (TF Playground draws training loss grey and test loss black).
SPLIT_COLORS: dict[str, str] = {"train": "#9a9a9a", "validation": "#7b52ae", "test": "#1f1f1f"}
SPLIT_DASHES: dict[str, list[int]] = {"train": [1, 0], "validation": [5, 3], "test": [1, 0]}

# Histograms (activations, gradients): neutral inks, so they never read as a class or a sign.
HISTOGRAM_COLORS: dict[str, str] = {
    "pre": "#9aa4ac",
    "post": "#44525e",
    "forward": "#44525e",
    "backward": "#a4573a",
}

# Several named runs overlaid (a categorical scheme that avoids the class meanings of orange and blue first).
RUN_COLORS: tuple[str, ...] = (
    "#1f1f1f",
    "#2e9e55",
    "#c2185b",
    "#7e57c2",
    "#1fc7c1",
    "#d9c400",
    "#8c564b",
    "#546e7a",
    "#f59322",
    "#0877bd",
)

# Anchors of the sequential map used for regression surfaces (pale yellow -> teal -> deep blue).
SEQUENTIAL_STOPS: tuple[str, ...] = ("#fdfbd8", "#a6dbb8", "#3aa6c4", "#2356a0", "#0b2360")

# Viridis anchors, trimmed before the yellow end so every layer's line stays visible on white.
_VIRIDIS_STOPS: tuple[str, ...] = ("#440154", "#3b528b", "#21918c", "#3fbc73", "#8fd744")


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    """``"#f59322"`` -> ``(245, 147, 34)``."""
    c = color.lstrip("#")
    if len(c) != 6:
        raise ValueError(f"expected a colour like '#f59322', got {color!r}")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def rgb_to_hex(rgb) -> str:
    """``(245, 147, 34)`` -> ``"#f59322"``."""
    r, g, b = (int(round(float(v))) for v in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def class_color(k: int) -> str:
    """The hex colour of class ``k`` (0-based)."""
    if not 0 <= k < MAX_CLASSES:
        raise ValueError(f"the palette has colours for {MAX_CLASSES} classes; class {k} is out of range")
    return CLASS_COLORS[k]


def class_colors(n: int) -> list[str]:
    """The first ``n`` class colours (``n`` <= 10)."""
    if not 1 <= n <= MAX_CLASSES:
        raise ValueError(f"the palette has colours for 1 to {MAX_CLASSES} classes, not {n}")
    return list(CLASS_COLORS[:n])


def _ramp(stops: tuple[str, ...], n: int = 256) -> np.ndarray:
    """A (n, 3) float table interpolating linearly through equally spaced hex ``stops``."""
    anchors = np.array([hex_to_rgb(s) for s in stops], dtype=np.float64)
    where = np.linspace(0.0, 1.0, len(stops))
    t = np.linspace(0.0, 1.0, n)
    return np.stack([np.interp(t, where, anchors[:, c]) for c in range(3)], axis=1)


def layer_colors(n: int) -> list[str]:
    """``n`` colours from light-to-dark viridis (trimmed): shallow layers to deep ones, readable on white."""
    if n <= 0:
        return []
    table = _ramp(_VIRIDIS_STOPS, 256)
    idx = np.linspace(0, 255, n).round().astype(int) if n > 1 else np.array([0])
    return [rgb_to_hex(table[i]) for i in idx]


DIVERGING_LUT: np.ndarray = _ramp((NEGATIVE, NEUTRAL, POSITIVE)).round().astype(np.uint8)
SEQUENTIAL_LUT: np.ndarray = _ramp(SEQUENTIAL_STOPS).round().astype(np.uint8)
CLASS_RGB: np.ndarray = np.array([hex_to_rgb(c) for c in CLASS_COLORS], dtype=np.float32)
NEUTRAL_RGB: np.ndarray = np.array(hex_to_rgb(NEUTRAL), dtype=np.float32)


def _lut_index(values, vmin: float, vmax: float) -> np.ndarray:
    """Map ``values`` linearly from [vmin, vmax] to indices 0..255 (clipped; NaN goes to the middle)."""
    with np.errstate(over="ignore"):  # beyond float32's range becomes ±inf, which the clip below handles
        v = np.asarray(values, dtype=np.float32)
    if not vmax > vmin:
        raise ValueError(f"vmax must be greater than vmin, got vmin={vmin}, vmax={vmax}")
    t = (v - np.float32(vmin)) * np.float32(255.0 / (vmax - vmin))
    t += np.float32(0.5)
    np.clip(t, 0.0, 255.0, out=t)
    if np.isnan(t).any():
        t[np.isnan(t)] = 127.5
    return t.astype(np.intp)


def diverging_rgb(values, vmin: float = -1.0, vmax: float = 1.0) -> np.ndarray:
    """Colour ``values`` orange (vmin) - near-white (midpoint) - blue (vmax); returns uint8 ``(..., 3)``.

    Values outside [vmin, vmax] are clipped; NaN is drawn neutral.
    """
    return DIVERGING_LUT[_lut_index(values, vmin, vmax)]


def sequential_rgb(values, vmin: float | None = None, vmax: float | None = None) -> np.ndarray:
    """Colour ``values`` pale yellow (vmin) - teal - deep blue (vmax), for regression surfaces.

    ``vmin``/``vmax`` default to the finite min/max of ``values``; NaN is drawn neutral. Returns uint8
    ``(..., 3)``.
    """
    v = np.asarray(values, dtype=np.float64)  # float64: a diverging model's huge values stay finite
    if vmin is None or vmax is None:
        finite = v[np.isfinite(v)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        vmin = lo if vmin is None else vmin
        vmax = hi if vmax is None else vmax
    if not vmax > vmin:
        vmin, vmax = vmin - 0.5, vmin + 0.5
    out = SEQUENTIAL_LUT[_lut_index(v, vmin, vmax)]
    missing = np.isnan(v)
    if missing.any():  # NaN (a diverged model) is drawn neutral, not as a mid-range value
        out[missing] = NEUTRAL_RGB.astype(np.uint8)
    return out


def class_rgb(probs, *, discretize: bool = False) -> np.ndarray:
    """Colour each cell of ``probs (..., K)`` by its argmax class, faded toward neutral at low confidence.

    Confidence is rescaled so that a uniform guess (max prob = 1/K) is neutral and certainty is the full
    class colour; for K = 2 this equals ``diverging_rgb(p1, 0, 1)``. ``discretize`` paints full colours.
    """
    p = np.asarray(probs, dtype=np.float32)
    if not np.isfinite(p).all():  # a diverged model: its NaN cells are drawn neutral
        p = np.where(np.isfinite(p), p, np.float32(0.0))
    if p.ndim < 1 or p.shape[-1] < 1:
        raise ValueError("probs must have a class axis last, shape (..., K)")
    k = p.shape[-1]
    if k > MAX_CLASSES:
        raise ValueError(f"the palette has colours for at most {MAX_CLASSES} classes, got K={k}")
    winner = p.argmax(axis=-1)
    colors = CLASS_RGB[winner]
    if discretize or k == 1:
        return colors.round().astype(np.uint8)
    conf = np.take_along_axis(p, winner[..., None], axis=-1)
    conf = np.clip((conf - 1.0 / k) * (k / (k - 1.0)), 0.0, 1.0)
    out = NEUTRAL_RGB + conf * (colors - NEUTRAL_RGB)
    out += 0.5
    return out.astype(np.uint8)


def soften(rgb: np.ndarray, alpha: float) -> np.ndarray:
    """Blend uint8 ``rgb`` toward white, keeping ``alpha`` of the colour (what a translucent canvas shows)."""
    if alpha >= 1.0:
        return rgb
    out = rgb.astype(np.float32)
    out *= np.float32(alpha)
    out += np.float32(255.0 * (1.0 - alpha) + 0.5)
    return out.astype(np.uint8)
