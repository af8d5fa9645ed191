"""A tiny 5x7 bitmap font, so images rendered in NumPy can carry labels without Pillow or a font file.

Only what the playground's labels need: ASCII letters, digits, common punctuation and superscript 2/3.
Subscript digits are drawn as small 3x5 digits sitting on the baseline (so ``x₁`` does not read as
``×1``); unknown characters draw as ``?``.
"""

from __future__ import annotations

import numpy as np

GLYPH_W, GLYPH_H = 5, 7
ADVANCE = GLYPH_W + 1  # one blank column between characters

# Each line: the character, then its 7 rows (``#`` = ink) separated by spaces.
_GLYPH_TABLE = """\
A .###. #...# #...# ##### #...# #...# #...#
B ####. #...# #...# ####. #...# #...# ####.
C .###. #...# #.... #.... #.... #...# .###.
D ###.. #..#. #...# #...# #...# #..#. ###..
E ##### #.... #.... ####. #.... #.... #####
F ##### #.... #.... ####. #.... #.... #....
G .###. #...# #.... #.### #...# #...# .####
H #...# #...# #...# ##### #...# #...# #...#
I .###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.
J ..### ...#. ...#. ...#. ...#. #..#. .##..
K #...# #..#. #.#.. ##... #.#.. #..#. #...#
L #.... #.... #.... #.... #.... #.... #####
M #...# ##.## #.#.# #.#.# #...# #...# #...#
N #...# #...# ##..# #.#.# #..## #...# #...#
O .###. #...# #...# #...# #...# #...# .###.
P ####. #...# #...# ####. #.... #.... #....
Q .###. #...# #...# #...# #.#.# #..#. .##.#
R ####. #...# #...# ####. #.#.. #..#. #...#
S .#### #.... #.... .###. ....# ....# ####.
T ##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..
U #...# #...# #...# #...# #...# #...# .###.
V #...# #...# #...# #...# #...# .#.#. ..#..
W #...# #...# #...# #.#.# #.#.# #.#.# .#.#.
X #...# #...# .#.#. ..#.. .#.#. #...# #...#
Y #...# #...# .#.#. ..#.. ..#.. ..#.. ..#..
Z ##### ....# ...#. ..#.. .#... #.... #####
a ..... ..... .###. ....# .#### #...# .####
b #.... #.... #.##. ##..# #...# #...# ####.
c ..... ..... .###. #.... #.... #...# .###.
d ....# ....# .##.# #..## #...# #...# .####
e ..... ..... .###. #...# ##### #.... .###.
f ..##. .#..# .#... ###.. .#... .#... .#...
g ..... .#### #...# #...# .#### ....# .###.
h #.... #.... #.##. ##..# #...# #...# #...#
i ..#.. ..... .##.. ..#.. ..#.. ..#.. .###.
j ...#. ..... ..##. ...#. ...#. #..#. .##..
k #.... #.... #..#. #.#.. ##... #.#.. #..#.
l .##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###.
m ..... ..... ##.#. #.#.# #.#.# #...# #...#
n ..... ..... #.##. ##..# #...# #...# #...#
o ..... ..... .###. #...# #...# #...# .###.
p ..... ..... ####. #...# ####. #.... #....
q ..... ..... .##.# #..## .#### ....# ....#
r ..... ..... #.##. ##..# #.... #.... #....
s ..... ..... .###. #.... .###. ....# ####.
t .#... .#... ###.. .#... .#... .#..# ..##.
u ..... ..... #...# #...# #...# #..## .##.#
v ..... ..... #...# #...# #...# .#.#. ..#..
w ..... ..... #...# #...# #.#.# #.#.# .#.#.
x ..... ..... #...# .#.#. ..#.. .#.#. #...#
y ..... ..... #...# #...# .#### ....# .###.
z ..... ..... ##### ...#. ..#.. .#... #####
0 .###. #...# #..## #.#.# ##..# #...# .###.
1 ..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.
2 .###. #...# ....# ...#. ..#.. .#... #####
3 ##### ...#. ..#.. ...#. ....# #...# .###.
4 ...#. ..##. .#.#. #..#. ##### ...#. ...#.
5 ##### #.... ####. ....# ....# #...# .###.
6 ..##. .#... #.... ####. #...# #...# .###.
7 ##### ....# ...#. ..#.. .#... .#... .#...
8 .###. #...# #...# .###. #...# #...# .###.
9 .###. #...# #...# .#### ....# ...#. .##..
( ...#. ..#.. .#... .#... .#... ..#.. ...#.
) .#... ..#.. ...#. ...#. ...#. ..#.. .#...
[ .###. .#... .#... .#... .#... .#... .###.
] .###. ...#. ...#. ...#. ...#. ...#. .###.
_ ..... ..... ..... ..... ..... ..... #####
. ..... ..... ..... ..... ..... .##.. .##..
, ..... ..... ..... ..... .##.. ..#.. .#...
- ..... ..... ..... ##### ..... ..... .....
+ ..... ..#.. ..#.. ##### ..#.. ..#.. .....
: ..... .##.. .##.. ..... .##.. .##.. .....
/ ..... ....# ...#. ..#.. .#... #.... .....
* ..... ..#.. #.#.# .###. #.#.# ..#.. .....
= ..... ..... ##### ..... ##### ..... .....
? .###. #...# ....# ...#. ..#.. ..... ..#..
^ ..#.. .#.#. #...# ..... ..... ..... .....
% ##... ##..# ...#. ..#.. .#... #..## ...##
' ..#.. ..#.. .#... ..... ..... ..... .....
| ..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#..
² .##.. #..#. ..#.. .#... ####. ..... .....
³ ###.. ...#. .##.. ...#. ###.. ..... .....
"""

_SUBSCRIPTS = str.maketrans("×·−", "x.-")

# 3x5 digits for subscripts, drawn in the bottom five rows of the 7-row cell.
_SMALL_DIGITS = """\
₀ ### #.# #.# #.# ###
₁ .#. ##. .#. .#. ###
₂ ##. ..# .#. #.. ###
₃ ##. ..# .#. ..# ##.
₄ #.# #.# ### ..# ..#
₅ ### #.. ##. ..# ##.
₆ .## #.. ### #.# ###
₇ ### ..# .#. .#. .#.
₈ ### #.# ### #.# ###
₉ ### #.# ### ..# ##.
"""


def _parse(table: str, height: int = GLYPH_H) -> dict[str, np.ndarray]:
    glyphs = {}
    for line in table.splitlines():
        char, *rows = line.split(" ")
        glyph = np.array([[c == "#" for c in row] for row in rows], dtype=bool)
        glyphs[char] = np.vstack([np.zeros((height - len(rows), glyph.shape[1]), dtype=bool), glyph])
    return glyphs


GLYPHS: dict[str, np.ndarray] = {" ": np.zeros((GLYPH_H, GLYPH_W), dtype=bool)}
GLYPHS.update(_parse(_GLYPH_TABLE))
GLYPHS.update(_parse(_SMALL_DIGITS))


def _glyphs(text: str) -> list[np.ndarray]:
    return [GLYPHS.get(ch, GLYPHS["?"]) for ch in text.translate(_SUBSCRIPTS)]


def text_mask(text: str, scale: int = 1) -> np.ndarray:
    """The ink of ``text`` as a bool array of height 7 * scale (one blank column between glyphs)."""
    glyphs = _glyphs(text)
    if not glyphs:
        return np.zeros((GLYPH_H * scale, 0), dtype=bool)
    gap = np.zeros((GLYPH_H, 1), dtype=bool)
    parts = [glyphs[0]]
    for g in glyphs[1:]:
        parts += [gap, g]
    mask = np.hstack(parts)
    if scale > 1:
        mask = mask.repeat(scale, axis=0).repeat(scale, axis=1)
    return mask


def text_width(text: str, scale: int = 1) -> int:
    """Width in pixels of ``text`` drawn at ``scale``."""
    glyphs = _glyphs(text)
    return max(0, sum(g.shape[1] + 1 for g in glyphs) - 1) * scale


def draw_text(
    img: np.ndarray, text: str, x: int, y: int, color, *, scale: int = 1, align: str = "left"
) -> None:
    """Draw ``text`` onto uint8 ``img`` in place with its top at row ``y``; ``x`` is the left, right or centre
    edge according to ``align`` ("left", "right", "center"). Clipped at the image border."""
    mask = text_mask(text, scale)
    h, w = mask.shape
    if align == "right":
        x -= w
    elif align == "center":
        x -= w // 2
    y0, x0 = max(y, 0), max(x, 0)
    y1, x1 = min(y + h, img.shape[0]), min(x + w, img.shape[1])
    if y1 <= y0 or x1 <= x0:
        return
    sub = mask[y0 - y : y1 - y, x0 - x : x1 - x]
    img[y0:y1, x0:x1][sub] = np.asarray(color, dtype=np.uint8)
