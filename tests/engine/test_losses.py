"""Losses against their textbook formulas, their gradients, stability for huge logits, predictions
and accuracy."""

from __future__ import annotations

import math

import numpy as np
import pytest

from playground.engine.losses import LOSSES, TASK_LOSS, log_softmax, make_loss


def numeric_grad(loss, out, t, h=1e-6):
    g = np.zeros_like(out)
    for idx in np.ndindex(out.shape):
        up, down = out.copy(), out.copy()
        up[idx] += h
        down[idx] -= h
        g[idx] = (loss.forward(up, t) - loss.forward(down, t)) / (2 * h)
    return g


def test_registry():
    assert list(LOSSES) == ["mse", "bce", "softmax_ce"]
    assert TASK_LOSS == {"binary": "bce", "multiclass": "softmax_ce", "regression": "mse"}


# -- mean squared error ----------------------------------------------------------------------------
def test_mse_value_and_gradient():
    loss = make_loss("mse")
    out = np.array([[1.0], [2.0], [-1.0]])
    t = loss.targets([0.5, 2.0, 1.0])
    assert t.shape == (3, 1)
    # mean((0.5, 0, −2)²) = (0.25 + 0 + 4)/3
    assert loss.forward(out, t) == pytest.approx((0.25 + 0.0 + 4.0) / 3, rel=1e-15)
    # 2·(out − t)/3
    np.testing.assert_allclose(loss.backward(), [[2 * 0.5 / 3], [0.0], [2 * -2.0 / 3]], rtol=1e-15)


def test_mse_averages_over_every_entry_for_several_outputs():
    loss = make_loss("mse")
    out = np.array([[1.0, 0.0], [3.0, -1.0]])
    t = np.array([[0.0, 0.0], [1.0, 1.0]])
    # squares 1, 0, 4, 4 over 4 entries (PyTorch's MSELoss, reduction="mean")
    assert loss.forward(out, t) == pytest.approx(9 / 4, rel=1e-15)
    np.testing.assert_allclose(loss.backward(), 2 * (out - t) / 4, rtol=1e-15)
    np.testing.assert_allclose(loss.backward(), numeric_grad(loss, out, t), atol=1e-8)


def test_mse_predict_and_accuracy():
    loss = make_loss("mse")
    out = np.array([[1.5], [-2.0]])
    np.testing.assert_array_equal(loss.predict(out), [1.5, -2.0])
    assert loss.predict(out).shape == (2,)
    assert loss.accuracy(out, np.array([1.5, -2.0])) is None


# -- binary cross-entropy --------------------------------------------------------------------------
def test_bce_value_matches_the_textbook_formula():
    loss = make_loss("bce")
    z = np.array([-2.0, 0.0, 1.5, 3.0, -0.7])
    y = np.array([0.0, 1.0, 1.0, 0.0, 0.3])  # a soft label too

    def sig(v):
        return 1 / (1 + math.exp(-v))

    # −y·log σ(z) − (1 − y)·log(1 − σ(z)), averaged
    direct = [-yi * math.log(sig(zi)) - (1 - yi) * math.log(1 - sig(zi)) for zi, yi in zip(z, y, strict=True)]
    t = loss.targets(y)
    assert t.shape == (5, 1)
    assert loss.forward(z.reshape(-1, 1), t) == pytest.approx(sum(direct) / 5, rel=1e-13)
    # dL/dz = (σ(z) − y)/N
    expected = [[(sig(zi) - yi) / 5] for zi, yi in zip(z, y, strict=True)]
    np.testing.assert_allclose(loss.backward(), expected, rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(loss.backward(), numeric_grad(loss, z.reshape(-1, 1), t), atol=1e-8)


def test_bce_at_zero_logit_is_log_2():
    loss = make_loss("bce")
    assert loss.forward(np.zeros((4, 1)), loss.targets([0, 1, 0, 1])) == pytest.approx(math.log(2), rel=1e-15)


def test_bce_huge_logits_are_finite_and_exact():
    loss = make_loss("bce")
    z = np.array([[1000.0], [-1000.0], [1000.0], [-1000.0]])
    t = loss.targets([1, 0, 0, 1])
    # right and confident: 0; wrong and confident: |z| = 1000 each
    value = loss.forward(z, t)
    assert math.isfinite(value)
    assert value == pytest.approx((0 + 0 + 1000 + 1000) / 4, rel=1e-15)
    g = loss.backward()
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g, [[0.0], [0.0], [0.25], [-0.25]], atol=1e-300)
    p = loss.predict(z)
    np.testing.assert_array_equal(p, [1.0, 0.0, 1.0, 0.0])


def test_bce_predict_is_the_sigmoid():
    loss = make_loss("bce")
    z = np.array([[-3.0], [0.0], [0.5]])
    p = loss.predict(z)
    assert p.shape == (3,)
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-z[:, 0])), rtol=1e-14)
    assert p[1] == 0.5


def test_bce_accuracy():
    loss = make_loss("bce")
    out = np.array([[2.0], [-1.0], [0.5], [-3.0], [0.0]])
    y = np.array([1, 1, 0, 0, 0])
    # right, wrong, wrong, right, right (logit 0 is σ = 0.5, which predicts class 0)
    assert loss.accuracy(out, y) == pytest.approx(3 / 5)
    assert loss.accuracy(out, y.astype(float).reshape(-1, 1)) == pytest.approx(3 / 5)


# -- softmax cross-entropy -------------------------------------------------------------------------
def test_softmax_ce_value_and_gradient():
    loss = make_loss("softmax_ce")
    z = np.array([[1.0, 2.0, 0.5, -1.0], [0.0, 0.0, 0.0, 0.0], [3.0, -2.0, 1.0, 0.2]])
    y = [1, 3, 0]
    t = loss.targets(y)
    assert t.dtype == np.int64 and t.shape == (3,)

    def softmax(row):
        e = [math.exp(v) for v in row]
        return [v / sum(e) for v in e]

    probs = [softmax(row) for row in z]
    # −mean log p[y]
    direct = -(math.log(probs[0][1]) + math.log(0.25) + math.log(probs[2][0])) / 3
    assert loss.forward(z, t) == pytest.approx(direct, rel=1e-14)
    expected = np.array(probs)
    expected[np.arange(3), y] -= 1.0
    np.testing.assert_allclose(loss.backward(), expected / 3, rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(loss.backward(), numeric_grad(loss, z, t), atol=1e-8)


def test_softmax_ce_accepts_labels_as_floats_or_columns():
    loss = make_loss("softmax_ce")
    np.testing.assert_array_equal(loss.targets(np.array([[2.0], [0.0]])), [2, 0])


def test_softmax_ce_huge_logits_are_finite_and_exact():
    loss = make_loss("softmax_ce")
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0]])
    t = loss.targets([0, 0])
    # first row right and sure: 0; second row: −log softmax = 1000 − (−1000) = 2000
    value = loss.forward(z, t)
    assert math.isfinite(value)
    assert value == pytest.approx(1000.0, rel=1e-15)
    g = loss.backward()
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g, [[0.0, 0.0, 0.0], [-0.5, 0.5, 0.0]], atol=1e-300)
    p = loss.predict(z)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_array_equal(p, [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


def test_softmax_ce_is_shift_invariant():
    loss = make_loss("softmax_ce")
    z = np.array([[0.3, -1.2, 2.0], [1.0, 1.0, -0.5]])
    t = loss.targets([2, 1])
    a = loss.forward(z, t)
    b = loss.forward(z + 500.0, t)
    assert a == pytest.approx(b, rel=1e-12)


def test_softmax_predict_sums_to_one():
    loss = make_loss("softmax_ce")
    z = np.random.default_rng(0).normal(scale=5.0, size=(50, 4))
    p = loss.predict(z)
    assert p.shape == (50, 4)
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_array_equal(p.argmax(axis=1), z.argmax(axis=1))


def test_softmax_accuracy():
    loss = make_loss("softmax_ce")
    z = np.array([[0.1, 0.9, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 5.0], [1.0, 3.0, 2.0]])
    # predictions 1, 0, 2, 1 against labels 1, 2, 2, 0: two right
    assert loss.accuracy(z, np.array([1, 2, 2, 0])) == pytest.approx(0.5)


def test_log_softmax_matches_the_naive_form_where_that_is_safe():
    z = np.array([[0.5, -0.25, 1.0], [2.0, 2.0, 2.0]])
    naive = np.log(np.exp(z) / np.exp(z).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(log_softmax(z), naive, rtol=1e-14)
    # and stays finite where the naive form overflows
    assert np.all(np.isfinite(log_softmax(np.array([[1e4, 0.0, -1e4]]))))
