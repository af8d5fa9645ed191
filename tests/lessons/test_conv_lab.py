"""The convolution lab's logic: the default CNN learns the digits, the hand-computed convolution equals
the network's, and the textbook outcomes the page states hold on the data behind its charts."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from playground.engine.trainer import batch_bounds
from playground.errors import ConfigError
from playground.lessons import conv as L


@pytest.fixture(scope="module")
def trained() -> L.ConvLab:
    lab = L.ConvLab()
    lab.train_epochs(15)
    return lab


def test_no_streamlit_in_the_lesson():
    assert "streamlit" not in sys.modules or "playground.lessons.conv" in sys.modules  # imported above
    import importlib

    mod = importlib.import_module("playground.lessons.conv")
    assert "streamlit" not in mod.__dict__


def test_default_cnn_reaches_95_percent_on_the_test_digits_in_15_epochs(trained):
    assert trained.epoch == 15
    assert trained.history[-1]["test_acc"] >= 0.95, trained.history[-1]
    assert trained.history[-1]["train_loss"] < trained.history[0]["train_loss"] / 10


def test_the_default_net_and_its_parameter_table():
    cfg = L.CnnConfig()
    rows = L.param_table(cfg)
    assert [r["conv_params"] for r in rows] == [8 * 9 + 8, 16 * 8 * 9 + 16]
    assert rows[0]["dense_params"] == 64 * 512 + 512  # 1×8×8 inputs → 8×8×8 outputs
    big = L.param_table(L.CnnConfig(input_size=16))
    # a conv layer's count does not depend on the image's size; the equivalent dense layer's does
    assert [r["conv_params"] for r in big] == [r["conv_params"] for r in rows]
    assert all(b["dense_params"] > r["dense_params"] for b, r in zip(big, rows, strict=True))
    assert all(r["ratio"] > 10 for r in rows)


def test_invalid_networks_are_refused_with_a_message():
    with pytest.raises(ConfigError, match="does not fit"):
        L.CnnConfig(blocks=[L.ConvBlock(kernel=5, padding=0, stride=2)] * 3).validate()
    with pytest.raises(ConfigError, match="spatial pyramid"):
        L.CnnConfig(head="spp").validate()  # 8×8 → 2×2 maps after two poolings
    L.CnnConfig(head="spp", input_size=16).validate()
    overlapping = L.CnnConfig(blocks=[L.ConvBlock(pool_size=3, pool_stride=2)])
    assert overlapping.geometry()[0]["out"] == (8, 3, 3)  # (8 − 3)//2 + 1


def test_every_block_option_builds_and_trains_a_step():
    cfg = L.CnnConfig(
        blocks=[
            L.ConvBlock(
                filters=4,
                kernel=5,
                padding=2,
                activation="tanh",
                batch_norm=True,
                pool="avg",
                pool_size=3,
                pool_stride=2,
            ),
            L.ConvBlock(filters=4, kernel=1, padding=0, stride=1, pool="none"),
        ],
        head="global_avg",
        hidden=16,
        optimizer="momentum",
    )
    lab = L.ConvLab(cfg)
    assert lab.advance(budget_s=0.0) == 1
    maps = lab.block_maps(lab.test_image(0)[0])
    assert maps[0]["maps"].shape == (4, 8, 8) and maps[0]["pooled"].shape == (4, 3, 3)
    assert maps[1]["pooled"].shape == (4, 3, 3)


def test_the_dot_product_by_hand_equals_the_network(trained):
    x, _label = trained.test_image(5)
    for f, i, j in ((0, 0, 0), (3, 4, 2), (7, 7, 7)):
        d = L.dot_product(trained, x, f, i, j)
        assert d["patch"].shape == (3, 3)
        assert abs(d["sum"] - d["net_value"]) < 1e-12
    corner = L.dot_product(trained, x, 0, 0, 0)
    assert np.all(corner["patch"][0] == 0) and np.all(corner["patch"][:, 0] == 0)  # padding zeros


def test_im2col_times_the_kernels_is_the_feature_map(trained):
    x, _label = trained.test_image(1)
    v = L.im2col_view(trained, x)
    assert v["patches"].shape == (64, 9) and v["kernels"].shape == (9, 8)
    np.testing.assert_allclose(v["maps"], v["net_maps"], atol=1e-12)
    # row i·OW + j of the patch matrix is the window of cell (i, j)
    d = L.dot_product(trained, x, 2, 3, 6)
    np.testing.assert_array_equal(v["patches"][3 * 8 + 6], d["patch"].ravel())


def test_receptive_fields_grow_through_the_layers():
    cfg = L.CnnConfig()
    assert L.receptive_field(cfg, 1, 3, 3) == (2, 5, 2, 5)  # a 3×3 window
    assert L.receptive_field(cfg, 1, 0, 0) == (0, 2, 0, 2)  # clipped by the padding
    # block 2, cell (1, 1): pooled rows 0..2 → conv1 rows 0..5 → input rows −1..6, clipped to 0..6
    assert L.receptive_field(cfg, 2, 1, 1) == (0, 7, 0, 7)
    # cell (3, 3): pooled rows 2..4 → conv1 rows 4..9 → input rows 3..10, clipped to 3..7
    assert L.receptive_field(cfg, 2, 3, 3) == (3, 8, 3, 8)
    strided = L.CnnConfig(blocks=[L.ConvBlock(kernel=3, stride=2, padding=0, pool="none")])
    assert L.receptive_field(strided, 1, 1, 2) == (2, 5, 4, 7)


def test_a_one_pixel_shift_moves_the_maps_and_barely_moves_the_global_max(trained):
    X = trained.data.X_test[:40]
    probe = L.shift_probe(trained, X[0])
    assert probe["columns"].tolist() == [2, 3, 4, 5, 6]
    s = L.shift_summary(trained, X)
    assert s["map_error"] < 1e-12  # equivariance: exactly one pixel, away from the border
    assert s["global_max"] < s["maps"] / 5  # the pooled output changes far less than the flattened maps
    assert s["pooled"] < s["maps"]
    for x in X[:10]:  # and for each digit, as the page shows it
        probe = L.shift_probe(trained, x)
        assert probe["change"]["global_max"] < probe["change"]["maps"]
        assert L.shift_claims(probe)


def test_pyramid_pooling_gives_one_length_for_three_sizes(trained):
    x, _label = trained.test_image(0)
    pyr = L.pyramid_vectors(trained, x)
    assert [p["maps"].shape for p in pyr.values()] == [(8, 8, 8), (8, 12, 12), (8, 16, 16)]
    assert {p["vector"].shape for p in pyr.values()} == {(8 * 21,)}
    # the 8×8 version is the network's own first block
    np.testing.assert_allclose(pyr[8]["maps"], trained.block_maps(x)[0]["maps"], atol=1e-12)


def test_drawn_digits_preprocessed_like_the_data_are_recognised(trained):
    X, y = trained.data.X_test, trained.data.y_test
    cells = X[:, 0] >= 0.5  # the test digits redrawn as clicked cells
    drawn = np.stack([trained.drawing_input(c) for c in cells])
    assert drawn.max() == 1.0 and set(np.unique(drawn)) <= {0.0, 1.0}
    assert (trained.predict(drawn).argmax(axis=1) == y).mean() > 0.8


def test_max_pooling_wins_on_the_spike_and_mean_pooling_on_the_density():
    res = L.pooling_duel()
    assert res["spike"]["max"].mean() > res["spike"]["avg"].mean() + 0.03
    assert res["density"]["avg"].mean() > res["density"]["max"].mean() + 0.03
    assert L.pooling_claims(res)  # the page's sentence


def test_a_small_cnn_beats_a_larger_dense_net_over_5_seeds():
    res = L.budget_duel()
    assert res["cnn"]["params"] == 350 and res["dense"]["params"] == 385
    assert len(res["cnn"]["test_acc"]) == 5
    assert res["cnn"]["test_acc"].mean() > res["dense"]["test_acc"].mean() + 0.03
    assert L.budget_claims(res)


def test_deeper_plain_nets_train_worse_and_shortcuts_fix_it():
    run = L.DegradationRun(depths=(6, 12))
    while not run.done:
        run.step()
    fin = run.final_losses()
    assert run.epoch == 8
    assert np.all(fin[("residual", 12)] < fin[("plain", 12)]), fin  # every seed
    assert fin[("plain", 12)].mean() > fin[("plain", 6)].mean(), fin  # degradation
    assert L.degradation_claims(fin)
    rows = run.curves()
    assert {(r["kind"], r["depth"]) for r in rows} == {
        ("plain", 6),
        ("plain", 12),
        ("residual", 6),
        ("residual", 12),
    }
    assert len(rows) == 4 * 3 * 9  # 4 nets × 3 seeds × epochs 0..8


def test_the_claims_fail_when_the_data_do_not_bear_them_out():
    a, b = np.array([0.9, 0.9]), np.array([0.8, 0.8])
    assert not L.pooling_claims({"spike": {"max": b, "avg": a}, "density": {"avg": a, "max": b}})
    assert not L.budget_claims({"cnn": {"test_acc": b, "params": 1}, "dense": {"test_acc": a, "params": 2}})
    fin = {("plain", 6): np.array([0.1]), ("plain", 12): np.array([0.5]), ("residual", 12): np.array([0.6])}
    assert not L.degradation_claims(fin)
    assert not L.shift_claims({"map_error": 0.0, "change": {"global_max": 0.5, "maps": 0.4}})


def test_the_confusion_matrix_is_the_one_at_the_end_of_the_last_epoch():
    lab = L.ConvLab()
    lab.train_epochs(1)
    at_end = L.confusion(lab.predict(lab.data.X_test).argmax(axis=1), lab.data.y_test)
    np.testing.assert_array_equal(lab.confusion(), at_end)
    assert at_end.sum() == 299 and np.trace(at_end) / 299 == pytest.approx(lab.history[-1]["test_acc"])
    lab.advance(budget_s=0.0, max_steps=3)  # inside epoch 2: the matrix still shows epoch 1
    np.testing.assert_array_equal(lab.confusion(), at_end)
    steps = lab.trainer.total_steps
    while lab.epoch < 2:
        lab.advance(budget_s=1.0)
    assert lab.trainer.total_steps > steps
    now = L.confusion(lab.predict(lab.data.X_test).argmax(axis=1), lab.data.y_test)
    if lab.trainer.step_in_epoch == 0:
        np.testing.assert_array_equal(lab.confusion(), now)
    assert np.trace(lab.confusion()) / 299 == pytest.approx(lab.history[-1]["test_acc"])


@pytest.mark.parametrize("source", ["bar", "plus", "cross"])
def test_synthetic_probe_inputs_are_equivariant_too(trained, source):
    for index in range(5):
        x = L.probe_input(trained, source, index)
        assert x.shape == (1, 8, 8) and x.max() == 1.0
        probe = L.shift_probe(trained, x)
        assert probe["map_error"] < 1e-12
    with pytest.raises(ConfigError):
        L.probe_input(trained, "circle", 0)


def test_one_forward_pass_gives_the_maps_and_the_prediction(trained):
    x, _label = trained.test_image(4)
    blocks, probs = trained.maps_and_probs(x)
    np.testing.assert_allclose(probs, trained.predict(x[None])[0], rtol=0, atol=1e-15)
    for got, want in zip(blocks, trained.block_maps(x), strict=True):
        assert got.keys() == want.keys()
        for key in got:
            np.testing.assert_array_equal(got[key], want[key])


def test_a_tick_that_ends_an_epoch_is_paid_back_by_the_next_ticks():
    """The step that ends an epoch evaluates every split (tens of ms, more than a tick's budget): the
    next ticks train one step each until the time is made up, so a live loop's training per tick is
    its budget on average, evaluations included (the page's server CPU per tick depends on it)."""
    lab = L.ConvLab()
    per_epoch = len(batch_bounds(len(lab.data.X_train), lab.cfg.batch_size, batch_norm=False))
    lab.trainer.run_steps(per_epoch - 1)
    assert lab.advance(budget_s=0.004) == 1 and lab.epoch == 1  # the evaluation alone outlasts it
    assert lab.advance(budget_s=0.004) == 1  # owed: one step, the least a tick trains
    lab.advance(budget_s=0.0)  # a zero budget owes nothing and pays nothing back
    assert lab.advance(budget_s=0.0, max_steps=5) == 1
