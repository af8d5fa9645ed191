"""The one grid over the input plane (``playground.data.grid``): cell centres, row 0 at the top."""

import numpy as np
import pytest

from playground.data.grid import grid_axes, grid_points, predict_grid
from playground.engine import Network, NetworkConfig


def test_grid_axes_order_matches_image_rows_and_columns():
    xs, ys, points = grid_axes((-2, 2), (-1, 3), 4)
    np.testing.assert_allclose(xs, [-1.5, -0.5, 0.5, 1.5])  # cell centres, ascending
    np.testing.assert_allclose(ys, [2.5, 1.5, 0.5, -0.5])  # cell centres, DEScending: row 0 is the top
    assert points.shape == (16, 2)
    for i in range(4):
        for j in range(4):
            np.testing.assert_allclose(points[i * 4 + j], (xs[j], ys[i]))


def test_grid_axes_rejects_bad_range():
    with pytest.raises(ValueError, match="x_range"):
        grid_axes((1, 1), (0, 1), 3)


def test_grid_points_are_the_axes_points():
    np.testing.assert_array_equal(grid_points((-1, 1), (0, 2), 5), grid_axes((-1, 1), (0, 2), 5)[2])


def test_predict_grid_orientation_and_shapes():
    net = Network(NetworkConfig(hidden=[], seed=0))
    net.set_params({"out.W": [[0.0], [10.0]], "out.b": [0.0]})  # class 1 where y > 0
    grid = predict_grid(net, (-1, 1), (-1, 1), 80)
    assert grid.shape == (80, 80)
    assert grid[0].min() > 0.99 and grid[-1].max() < 0.01  # row 0 is the top (y = +1)
    multi = Network(NetworkConfig(hidden=[3], task="multiclass", n_classes=3))
    assert predict_grid(multi, (-1, 1), (-1, 1), 10).shape == (10, 10, 3)


def test_predict_grid_is_predict_on_the_points_the_images_are_drawn_from():
    net = Network(NetworkConfig(hidden=[4], seed=3))
    _, _, points = grid_axes((-2, 3), (-1, 1), 7)

    def scale(p):  # a feature transform
        return p / 2

    np.testing.assert_array_equal(
        predict_grid(net, (-2, 3), (-1, 1), 7, transform=scale), net.predict(scale(points)).reshape(7, 7)
    )
