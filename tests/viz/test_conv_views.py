"""The convolution lab's live views: tiled maps and kernels draw exactly the arrays given, and a live
tick's pictures, captions and sentences travel as one HTML block (one element, one image per layer)."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pyarrow as pa
import pytest
from PIL import Image

from playground.lessons import conv as lesson
from playground.viz import conv as viz


def tile_by_hand(maps: np.ndarray, cols: int, scale: int, gap: int) -> np.ndarray:
    """The reference: each map coloured, enlarged and copied into its cell, one at a time."""
    n, h, w = maps.shape
    rows = -(-n // cols)
    rgb = viz.signed_rgb(maps)
    H, W = h * scale, w * scale
    out = np.empty((rows * H + (rows - 1) * gap, cols * W + (cols - 1) * gap, 3), dtype=np.uint8)
    out[...] = viz.GAP_RGB
    for i in range(n):
        r, c = divmod(i, cols)
        big = rgb[i].repeat(scale, axis=0).repeat(scale, axis=1)
        out[r * (H + gap) : r * (H + gap) + H, c * (W + gap) : c * (W + gap) + W] = big
    return out


@pytest.mark.parametrize(
    ("shape", "cols", "scale", "gap"),
    [
        ((8, 8, 8), 8, 5, 2),
        ((16, 4, 4), 8, 9, 2),
        ((5, 3, 3), 2, 1, 1),
        ((7, 2, 5), 3, 3, 0),
        ((1, 1, 1), 1, 4, 2),
    ],
)
def test_tile_draws_every_map_in_its_cell(shape, cols, scale, gap):
    maps = np.random.default_rng(0).standard_normal(shape)
    got = viz.tile(maps, cols=cols, scale=scale, gap=gap)
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, tile_by_hand(maps, cols, scale, gap))


def test_tile_filters_puts_a_filter_per_row_and_a_channel_per_column():
    W = np.zeros((3, 2, 3, 3))
    W[1, 0] = 1.0  # filter 2, input channel 1: the only non-zero kernel
    img = viz.tile_filters(W, scale=2)
    assert img.shape == (3 * 6 + 2, 2 * 6 + 1, 3)  # 1-pixel gaps between several channels
    blue = img[7:13, 0:6]  # row 2, column 1
    assert (blue == blue[0, 0]).all() and tuple(blue[0, 0]) != tuple(viz.GAP_RGB)
    assert (img[0:6, 0:6] == img[0, 0]).all() and tuple(img[0, 0]) != tuple(blue[0, 0])


def test_inline_markdown_escapes_html_and_keeps_bold_and_italic():
    assert viz.inline_markdown("**Maps** <b>x</b> & *one* 2*3") == (
        "<strong>Maps</strong> &lt;b&gt;x&lt;/b&gt; &amp; <em>one</em> 2*3"
    )


def pictures(html: str) -> list[np.ndarray]:
    out = []
    for uri in re.findall(r'src="data:image/png;base64,([^"]+)"', html):
        out.append(np.asarray(Image.open(io.BytesIO(base64.b64decode(uri))).convert("RGB")))
    return out


@pytest.fixture(scope="module")
def lab() -> lesson.ConvLab:
    lab = lesson.ConvLab()
    lab.advance(0.0)
    return lab


def test_the_live_panel_is_one_block_with_one_image_per_layer(lab):
    """A live tick sends one HTML element: the input, each block's maps tiled into one image, each
    layer's kernels and gradients; each picture at the size it is shown, its caption escaped."""
    x, label = lab.test_image(3)
    probs = lab.predict(x[None])[0]
    maps = [m["maps"] for m in lab.block_maps(x)]
    html = viz.live_panel(3, x, label, probs, maps, lab.filters())
    imgs = pictures(html)
    n_blocks = len(lab.cfg.blocks)
    assert len(imgs) == 1 + n_blocks + 2 * n_blocks == html.count("<img")
    assert html.count("<figcaption") == len(imgs)
    np.testing.assert_array_equal(imgs[1], viz.tile(maps[0], cols=8, scale=viz.scale_for(8, viz.LIVE_MAP_PX)))
    W, G = lab.filters()[1]
    np.testing.assert_array_equal(imgs[-2], viz.tile_filters(W, scale=viz.scale_for(3, viz.LIVE_KERNEL_PX)))
    np.testing.assert_array_equal(imgs[-1], viz.tile_filters(G, scale=viz.scale_for(3, viz.LIVE_KERNEL_PX)))
    for img, (w, h) in zip(imgs, re.findall(r'width="(\d+)" height="(\d+)"', html), strict=True):
        assert img.shape[:2] == (int(h), int(w))
    assert (
        f"the net says {int(probs.argmax())}" in html
        and "<strong>Feature maps of test digit #3</strong>" in html
    )
    assert "block 2: 16 maps" in html and "block 1: gradients" in html
    assert max(img.shape[1] for img in imgs) <= 400  # sent at the size shown, not enlarged and shrunk


def keys(node) -> set[str]:
    if isinstance(node, dict):
        return set(node).union(*(keys(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(keys(v) for v in node))
    return set()


def test_the_live_charts_are_one_spec_fed_one_table(lab):
    spec = viz.live_charts_spec(width=330, height=110, size=220)
    assert spec is viz.live_charts_spec(width=330, height=110, size=220)  # built once
    views = [*spec["hconcat"][0]["vconcat"], spec["hconcat"][1]]
    metrics = [v["transform"][0]["filter"]["equal"] for v in views]
    assert metrics == ["loss", "acc", "confusion"]
    assert "data" not in keys(spec) and "datasets" not in keys(spec)  # the page feeds the data
    rows = viz.live_rows(lab.history, lab.confusion())
    table = pa.Table.from_pylist(rows)  # as the page sends it: every field of every row kept
    assert set(table.column_names) >= {"epoch", "split", "value", "actual", "predicted", "count", "fraction"}
    conf = [r for r in rows if r["metric"] == "confusion"]
    assert len(conf) == 100 and sum(r["count"] for r in conf) == 299
    assert len(rows) - len(conf) == len(viz.curve_rows(lab.history))
