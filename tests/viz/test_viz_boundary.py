import numpy as np
import pytest

from playground.data.grid import grid_axes
from playground.viz import palette
from playground.viz.boundary import (
    boundary_figure,
    boundary_image,
    boundary_rgb,
    draw_discs,
    upsample,
)

BLUE = np.array(palette.hex_to_rgb(palette.POSITIVE))
ORANGE = np.array(palette.hex_to_rgb(palette.NEGATIVE))


def is_blue(rgb) -> bool:
    r, g, b = (int(v) for v in rgb)
    return b > r + 40


def is_orange(rgb) -> bool:
    r, g, b = (int(v) for v in rgb)
    return r > b + 40


def test_orientation_value_one_for_y_positive_paints_top_half_blue():
    n = 20
    _, _, points = grid_axes((-1, 1), (-1, 1), n)
    grid = (points[:, 1] > 0).astype(float).reshape(n, n)
    rgb = boundary_rgb(grid, "binary")
    assert rgb.shape == (n, n, 3) and rgb.dtype == np.uint8
    assert all(is_blue(px) for px in rgb[: n // 2].reshape(-1, 3))
    assert all(is_orange(px) for px in rgb[n // 2 :].reshape(-1, 3))
    img = boundary_image(grid, "binary", x_range=(-1, 1), y_range=(-1, 1), scale=3)
    assert img.shape == (3 * n, 3 * n, 3)
    assert is_blue(img[0, 0]) and is_orange(img[-1, -1])


def test_orientation_left_right_from_predict_on_points():
    n = 10
    _, _, points = grid_axes((-3, 3), (-3, 3), n)
    grid = 1 / (1 + np.exp(-5 * points[:, 0]))  # a "model" of x only
    rgb = boundary_rgb(grid.reshape(n, n), "binary")
    assert is_orange(rgb[3, 0]) and is_blue(rgb[3, -1])


def test_binary_accepts_two_column_probabilities():
    p1 = np.full((4, 4), 0.9)
    a = boundary_rgb(p1, "binary")
    b = boundary_rgb(np.stack([1 - p1, p1], axis=-1), "binary")
    np.testing.assert_array_equal(a, b)


def test_multiclass_colours_land_where_probabilities_say():
    n, k = 30, 3
    _, _, points = grid_axes((-1, 1), (-1, 1), n)
    cls = np.where(points[:, 1] > 0, 2, np.where(points[:, 0] < 0, 0, 1))  # top: 2, bottom-left: 0, right: 1
    probs = np.full((n * n, k), 0.02)
    probs[np.arange(n * n), cls] = 0.96
    rgb = boundary_rgb(probs.reshape(n, n, k), "multiclass", alpha=1.0).astype(int)
    palette_rgb = np.array([palette.hex_to_rgb(c) for c in palette.CLASS_COLORS[:k]])
    nearest = np.linalg.norm(rgb[:, :, None, :] - palette_rgb[None, None], axis=-1).argmin(axis=-1)
    np.testing.assert_array_equal(nearest, cls.reshape(n, n))


def test_confidence_fades_toward_neutral():
    probs = np.array([[[0.98, 0.01, 0.01], [0.4, 0.3, 0.3]]])
    rgb = boundary_rgb(probs, "multiclass", alpha=1.0).astype(int)
    neutral = np.array(palette.hex_to_rgb(palette.NEUTRAL))
    assert np.linalg.norm(rgb[0, 1] - neutral) < np.linalg.norm(rgb[0, 0] - neutral)


def test_discretize_binary_gives_two_colours():
    grid = np.linspace(0, 1, 25).reshape(5, 5)
    rgb = boundary_rgb(grid, "binary", discretize=True)
    assert len(np.unique(rgb.reshape(-1, 3), axis=0)) == 2


def test_regression_uses_the_orange_blue_scale_symmetric_about_zero():
    grid = np.array([[-10.0, 0.0, 10.0, 5.0]])
    rgb = boundary_rgb(grid, "regression", value_range=(0, 10), alpha=1.0)
    # as TF Playground and every neuron map: orange below 0, neutral at 0, blue above
    assert tuple(rgb[0, 0]) == tuple(palette.DIVERGING_LUT[0])
    assert tuple(rgb[0, 1]) == tuple(palette.diverging_rgb(np.array([0.0]), -10, 10)[0])
    assert tuple(rgb[0, 2]) == tuple(palette.DIVERGING_LUT[-1])
    assert tuple(rgb[0, 3]) == tuple(palette.diverging_rgb(np.array([5.0]), -10, 10)[0])


def test_bad_task_and_shape():
    with pytest.raises(ValueError, match="task"):
        boundary_rgb(np.zeros((3, 3)), "clustering")
    with pytest.raises(ValueError, match="dimensions"):
        boundary_rgb(np.zeros(9), "binary")


def test_point_is_drawn_at_its_pixel_with_outline():
    n, scale = 50, 4
    grid = np.full((n, n), 0.5)  # neutral background
    x, y = 0.5, -0.25  # data coordinates in range (-1, 1)
    img = boundary_image(
        grid,
        "binary",
        x_range=(-1, 1),
        y_range=(-1, 1),
        train=(np.array([[x, y]]), np.array([1])),
        scale=scale,
        point_radius=3.0,
    )
    size = n * scale
    col = int((x + 1) / 2 * size)
    row = int((1 - y) / 2 * size)  # y up in data, down in pixels
    assert (row, col) == (125, 150)
    np.testing.assert_array_equal(img[row, col], BLUE)  # fill
    # radius 3 + 1 px outline: 3 px out, the pixel is half fill, half white outline (anti-aliased)
    assert np.abs(img[row, col + 3].astype(int) - (BLUE + 255) / 2).max() <= 1
    assert np.abs(img[row - 3, col].astype(int) - (BLUE + 255) / 2).max() <= 1
    background = boundary_rgb(grid, "binary")[0, 0]
    np.testing.assert_array_equal(img[row, col + 10], background)  # untouched beyond
    np.testing.assert_array_equal(img[5, 5], background)


def test_test_points_have_dark_outline_and_class_colour():
    grid = np.full((20, 20), 0.5)
    img = boundary_image(
        grid,
        "binary",
        x_range=(0, 1),
        y_range=(0, 1),
        train=None,
        test=(np.array([[0.5, 0.5]]), np.array([0])),
        scale=4,
        point_radius=3.0,
    )
    np.testing.assert_array_equal(img[40, 40], ORANGE)
    ink = np.array(palette.hex_to_rgb(palette.INK))
    assert np.abs(img[40, 43].astype(int) - (ORANGE + ink) / 2).max() <= 1  # half fill, half dark ring


def test_multiclass_points_take_their_class_colour_and_one_hot_works():
    grid = np.full((10, 10, 4), 0.25)
    X = np.array([[0.25, 0.25], [0.75, 0.75]])
    y_ids = np.array([3, 2])
    a = boundary_image(grid, "multiclass", x_range=(0, 1), y_range=(0, 1), train=(X, y_ids), scale=8)
    b = boundary_image(
        grid, "multiclass", x_range=(0, 1), y_range=(0, 1), train=(X, np.eye(4)[y_ids]), scale=8
    )
    np.testing.assert_array_equal(a, b)
    assert tuple(a[60, 20]) == palette.hex_to_rgb(palette.CLASS_COLORS[3])  # (0.25, 0.25) -> lower left
    assert tuple(a[20, 60]) == palette.hex_to_rgb(palette.CLASS_COLORS[2])


def test_points_outside_or_on_the_edge_do_not_crash():
    grid = np.zeros((10, 10))
    X = np.array([[-5.0, -5.0], [0.0, 0.0], [1.0, 1.0], [0.999, 0.0]])
    img = boundary_image(grid, "binary", x_range=(0, 1), y_range=(0, 1), train=(X, np.ones(4)), scale=2)
    assert img.shape == (20, 20, 3)
    img = boundary_image(
        grid, "binary", x_range=(0, 1), y_range=(0, 1), train=(np.zeros((0, 2)), np.zeros(0))
    )
    np.testing.assert_array_equal(img, upsample(boundary_rgb(grid, "binary"), 4))


def test_regression_points_coloured_by_target():
    grid = np.zeros((10, 10))
    X = np.array([[0.2, 0.5], [0.8, 0.5]])
    img = boundary_image(
        grid, "regression", x_range=(0, 1), y_range=(0, 1), train=(X, np.array([0.0, 1.0])), scale=8
    )
    assert tuple(img[40, 16]) == tuple(palette.diverging_rgb(np.array([0.0]), -1, 1)[0])  # 0: neutral
    assert tuple(img[40, 64]) == tuple(palette.DIVERGING_LUT[-1])  # the largest target: full blue


def test_draw_discs_many_points_vectorised():
    img = np.full((100, 100, 3), 200, dtype=np.uint8)
    rng = np.random.default_rng(0)
    px, py = rng.uniform(0, 100, 300), rng.uniform(0, 100, 300)
    draw_discs(img, px, py, np.array([10, 20, 30]), (255, 255, 255), radius=2.0)
    for x, y in zip(px, py, strict=True):
        # every centre carries either the fill or (where a later point overlaps it) a later point's pixels
        assert tuple(img[int(y), int(x)]) != (200, 200, 200)


def test_boundary_figure_binary():
    n = 8
    _, _, points = grid_axes((-1, 1), (-1, 1), n)
    grid = (points[:, 1] > 0).astype(float).reshape(n, n)
    X = np.array([[0.5, 0.5], [-0.5, -0.5], [0.1, 0.1]])
    fig = boundary_figure(
        grid,
        "binary",
        x_range=(-1, 1),
        y_range=(-1, 1),
        train=(X[:2], np.array([1, 0])),
        test=(X[2:], np.array([1])),
        class_names=["orange", "blue"],
    )
    heat = fig.data[0]
    assert heat.type == "heatmap"
    ys = np.asarray(heat.y)
    assert np.all(np.diff(ys) > 0)  # ascending for plotly
    z = np.asarray(heat.z)
    assert z[-1].min() == 1.0 and z[0].max() == 0.0  # the top row (largest y) is the blue one
    scatters = [t for t in fig.data if t.type == "scatter"]
    assert {t.name for t in scatters} == {"blue (train)", "orange (train)", "blue (test)"}
    test_trace = next(t for t in scatters if t.name == "blue (test)")
    assert test_trace.marker.line.color == palette.INK
    assert "P(blue)" in heat.hovertemplate


def test_boundary_figure_multiclass_and_regression():
    probs = np.zeros((6, 6, 3))
    probs[..., 2] = 1.0
    fig = boundary_figure(probs, "multiclass", x_range=(0, 1), y_range=(0, 1), class_names=["a", "b", "c"])
    heat = fig.data[0]
    assert np.asarray(heat.z).min() >= 2.0  # class 2's band of the colour scale
    assert np.asarray(heat.customdata).shape == (6, 6, 3)
    assert "P(c)" in heat.hovertemplate
    fig = boundary_figure(
        np.zeros((5, 5)),
        "regression",
        x_range=(0, 1),
        y_range=(0, 1),
        train=(np.array([[0.5, 0.5]]), np.array([2.0])),
    )
    assert fig.data[0].zmax == 2.0 or fig.data[0].zmin < fig.data[0].zmax
    assert fig.data[1].marker.color[0] == 2.0


@pytest.mark.parametrize(
    "task, grid",
    [
        ("binary", np.full((6, 6), np.nan)),
        ("multiclass", np.full((6, 6, 3), np.nan)),
        ("regression", np.full((6, 6), np.nan)),
    ],
)
def test_a_diverged_model_draws_neutral_not_garbage(task, grid):
    X = np.array([[0.5, 0.5], [np.nan, 0.2]])
    y = np.array([1.0, 0.0])
    img = boundary_image(grid, task, x_range=(0, 1), y_range=(0, 1), train=(X, y), scale=2)
    assert img.shape == (12, 12, 3)
    corner = img[0, 0].astype(int)
    assert corner.min() > 150  # a pale, neutral-ish background
