import numpy as np
import pytest

from playground.viz import palette


def test_diverging_endpoints_and_midpoint():
    rgb = palette.diverging_rgb(np.array([-1.0, 0.0, 1.0]))
    assert rgb.dtype == np.uint8 and rgb.shape == (3, 3)
    assert tuple(rgb[0]) == palette.hex_to_rgb(palette.NEGATIVE)
    assert tuple(rgb[2]) == palette.hex_to_rgb(palette.POSITIVE)
    assert np.abs(rgb[1].astype(int) - palette.hex_to_rgb(palette.NEUTRAL)).max() <= 2


def test_diverging_clips_keeps_shape_and_draws_nan_neutral():
    values = np.array([[-5.0, 5.0], [np.nan, 0.5]])
    rgb = palette.diverging_rgb(values, vmin=-1, vmax=1)
    assert rgb.shape == (2, 2, 3)
    assert tuple(rgb[0, 0]) == palette.hex_to_rgb(palette.NEGATIVE)
    assert tuple(rgb[0, 1]) == palette.hex_to_rgb(palette.POSITIVE)
    assert np.abs(rgb[1, 0].astype(int) - palette.hex_to_rgb(palette.NEUTRAL)).max() <= 2


def test_diverging_custom_range():
    rgb = palette.diverging_rgb(np.array([0.0, 1.0]), vmin=0.0, vmax=1.0)
    assert tuple(rgb[0]) == palette.hex_to_rgb(palette.NEGATIVE)
    assert tuple(rgb[1]) == palette.hex_to_rgb(palette.POSITIVE)


def test_class_colors_are_ten_and_distinct():
    colors = np.array([palette.hex_to_rgb(c) for c in palette.CLASS_COLORS], dtype=float)
    assert len(colors) == 10 and palette.CLASS_COLORS[:2] == ("#f59322", "#0877bd")
    dist = np.linalg.norm(colors[:, None] - colors[None], axis=-1)
    assert dist[~np.eye(10, dtype=bool)].min() > 60
    # none is close to white ("undecided")
    assert np.linalg.norm(colors - 255, axis=1).min() > 100


def test_class_rgb_argmax_colour_and_confidence_fade():
    probs = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [1 / 3, 1 / 3, 1 / 3], [0.2, 0.7, 0.1]])
    rgb = palette.class_rgb(probs).astype(int)
    assert tuple(rgb[0]) == palette.hex_to_rgb(palette.CLASS_COLORS[0])
    assert tuple(rgb[1]) == palette.hex_to_rgb(palette.CLASS_COLORS[2])
    assert np.abs(rgb[2] - palette.hex_to_rgb(palette.NEUTRAL)).max() <= 1
    blue = np.array(palette.hex_to_rgb(palette.POSITIVE))
    neutral = np.array(palette.hex_to_rgb(palette.NEUTRAL))
    # partly confident (0.7 of 3 classes): strictly between neutral and full blue
    assert np.linalg.norm(rgb[3] - blue) < np.linalg.norm(neutral - blue)
    assert np.linalg.norm(rgb[3] - neutral) < np.linalg.norm(neutral - blue)


def test_class_rgb_discretize_gives_full_colours():
    probs = np.array([[0.4, 0.35, 0.25]])
    rgb = palette.class_rgb(probs, discretize=True)
    assert tuple(rgb[0]) == palette.hex_to_rgb(palette.NEGATIVE)


def test_class_rgb_two_classes_matches_diverging():
    p1 = np.linspace(0, 1, 101)
    two = palette.class_rgb(np.stack([1 - p1, p1], axis=-1)).astype(int)
    div = palette.diverging_rgb(p1, 0.0, 1.0).astype(int)
    assert np.abs(two - div).max() <= 2


def test_class_rgb_too_many_classes():
    with pytest.raises(ValueError, match="at most 10"):
        palette.class_rgb(np.full((2, 11), 1 / 11))


def test_sequential_gets_darker_with_value():
    rgb = palette.sequential_rgb(np.linspace(0, 1, 11), 0.0, 1.0).astype(float)
    lum = rgb @ np.array([0.299, 0.587, 0.114])
    assert np.all(np.diff(lum) < 0)


def test_sequential_default_range_is_data_range():
    rgb = palette.sequential_rgb(np.array([3.0, 5.0]))
    assert tuple(rgb[0]) == tuple(palette.SEQUENTIAL_LUT[0])
    assert tuple(rgb[1]) == tuple(palette.SEQUENTIAL_LUT[-1])


def test_layer_colors_and_hex_round_trip():
    assert palette.layer_colors(0) == []
    assert len(set(palette.layer_colors(5))) == 5
    assert palette.rgb_to_hex(palette.hex_to_rgb("#0877bd")) == "#0877bd"
