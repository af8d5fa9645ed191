"""The shipped digits (shapes, split, grey levels), the drawing preprocessing, and the synthetic image
tasks (each isolates what it claims: equal means for the spike, equal maxima for the density)."""

from __future__ import annotations

import numpy as np
import pytest

from playground.data.digits import bitmap_to_digit, cells_to_digit, digit_split, load_digits, to_inputs
from playground.data.images import TASKS, make_task, place, shift
from playground.errors import DataError


def test_digits_file_holds_the_1797_images_and_a_stratified_split():
    images, labels, split = load_digits()
    assert images.shape == (1797, 8, 8) and images.dtype == np.uint8
    assert images.min() == 0 and images.max() == 16
    assert np.bincount(labels).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert np.bincount(split).tolist() == [1199, 299, 299]
    for code in (1, 2):  # every digit about a sixth of its images in validation and in test
        share = np.bincount(labels[split == code], minlength=10) / np.bincount(labels)
        assert np.all(np.abs(share - 1 / 6) < 0.01), share
    assert not images.flags.writeable


def test_split_inputs_are_scaled_and_padded():
    s8, s16 = digit_split(8), digit_split(16)
    assert s8.X_train.shape == (1199, 1, 8, 8) and s8.X_test.shape == (299, 1, 8, 8)
    assert s8.X_train.min() >= 0.0 and s8.X_train.max() == 1.0
    assert s16.X_val.shape == (299, 1, 16, 16)
    np.testing.assert_array_equal(s16.X_val[:, :, 4:12, 4:12], s8.X_val)
    assert s16.X_val[:, :, :4].sum() == 0 and s16.X_val[:, :, 12:].sum() == 0
    with pytest.raises(DataError):
        to_inputs(np.zeros((1, 8, 8)), 6)


def test_a_drawing_is_counted_in_4x4_blocks_like_the_data_set():
    bitmap = np.zeros((32, 32), dtype=bool)
    bitmap[0:4, 0:4] = True  # a full block → 16
    bitmap[4:6, 8:12] = True  # half a block → 8
    bitmap[31, 31] = True  # one pixel → 1
    d = bitmap_to_digit(bitmap)
    assert d[0, 0] == 16 and d[1, 2] == 8 and d[7, 7] == 1 and d.sum() == 25
    cells = np.zeros((8, 8), dtype=bool)
    cells[2, 3] = True
    c = cells_to_digit(cells)
    assert c[2, 3] == 16 and c.sum() == 16
    with pytest.raises(DataError):
        bitmap_to_digit(np.zeros((8, 8)))


@pytest.mark.parametrize("task", TASKS)
def test_tasks_are_balanced_seeded_images(task):
    X, y = make_task(task, n=100, size=8, seed=3)
    X2, _y2 = make_task(task, n=100, size=8, seed=3)
    assert X.shape == (100, 1, 8, 8) and np.bincount(y).tolist() == [50, 50]
    assert X.min() >= 0.0 and X.max() <= 1.0
    np.testing.assert_array_equal(X, X2)


def test_spike_classes_share_their_mean_and_density_classes_their_maximum():
    X, y = make_task("spike", n=2000, seed=0)
    means = X.mean(axis=(1, 2, 3))
    assert abs(means[y == 1].mean() - means[y == 0].mean()) < 0.005
    assert X[y == 1].max(axis=(1, 2, 3)).min() == 1.0 and X[y == 0].max() < 0.41
    X, y = make_task("density", n=2000, seed=0)
    assert np.all(X.max(axis=(1, 2, 3)) == 1.0)
    means = X.mean(axis=(1, 2, 3))
    assert means[y == 1].mean() > means[y == 0].mean() + 0.1


def test_shift_moves_pixels_and_lets_zeros_in():
    img = place(np.ones((3, 3)), 8, 2, 5)
    moved = shift(img, 0, 1)
    np.testing.assert_array_equal(moved[:, 1:], img[:, :-1])
    assert moved[:, 0].sum() == 0
    up = shift(img, -1, 0)
    np.testing.assert_array_equal(up[:-1], img[1:])
    with pytest.raises(DataError):
        make_task("nope")
