"""The textbook outcomes of Saito §6.2, asserted on the histogram data behind the charts."""

import numpy as np
import pytest

from playground.errors import ConfigError
from playground.lessons.signals import (
    INIT_CHOICES,
    PRESETS,
    SignalConfig,
    deep_linear,
    output_bounds,
    preset_config,
    run_signals,
)


@pytest.fixture(scope="module")
def results():
    return {key: run_signals(p.config) for key, p in PRESETS.items()}


def spread(layer, result):
    """Std relative to the width of the activation's output interval."""
    lo, hi = result.activation_range
    return layer.std / (hi - lo)


def test_defaults_are_the_books_experiment():
    cfg = SignalConfig()
    assert (cfg.depth, cfg.width, cfg.n_samples) == (5, 100, 1000)
    assert cfg.network_config().hidden == [100] * 5


def test_sigmoid_std1_piles_up_at_0_and_1(results):
    r = results["sigmoid_std1"]
    last = r.layers[-1]
    tails = last.activations.share_between(0.0, 0.05) + last.activations.share_between(0.95, 1.0)
    assert tails > 0.5, tails
    assert last.saturated > 0.5  # the engine's own count agrees
    assert last.activations.share_between(0.4, 0.6) < 0.1


def test_sigmoid_std001_collapses_near_half(results):
    r = results["sigmoid_std001"]
    for layer in r.layers[1:]:
        assert layer.activations.share_between(0.4, 0.6) == pytest.approx(1.0)
        assert layer.minimum > 0.4 and layer.maximum < 0.6
    assert r.layers[0].activations.share_between(0.4, 0.6) > 0.999
    # and the gradients vanish toward the input
    assert r.layers[0].grad_std < 1e-4 * r.layers[-1].grad_std


@pytest.mark.parametrize("key", ["sigmoid_xavier", "tanh_xavier"])
def test_xavier_keeps_a_spread_in_every_layer(results, key):
    r = results[key]
    for layer in r.layers:
        assert spread(layer, r) > 0.1, (layer.layer, layer.std)
        assert layer.saturated < 0.1
        assert layer.activations.share_between(0.4, 0.6) < 0.9 or key == "tanh_xavier"


def test_relu_std001_shrinks_layer_by_layer_while_he_keeps_it(results):
    small = [s.std for s in results["relu_std001"].layers]
    assert all(b < 0.2 * a for a, b in zip(small, small[1:], strict=False)), small
    he = [s.std for s in results["relu_he"].layers]
    assert 0.5 < he[-1] / he[0] < 2.0, he
    # the common x range makes the shrinking visible: deep layers fall in the first bin
    deep = results["relu_std001"].layers[-1].activations
    assert deep.share[0] == pytest.approx(deep.share.sum())


@pytest.mark.parametrize("key", ["sigmoid_std1_bn", "relu_std001_bn"])
def test_batch_norm_restores_a_spread_under_a_bad_init(results, key):
    r = results[key]
    stds = [s.std for s in r.layers]
    assert max(stds) / min(stds) < 1.5, stds
    if r.bounded:
        for layer in r.layers:
            assert spread(layer, r) > 0.1 and layer.saturated < 0.05


def test_histograms_are_shares_and_zeros_are_counted(results):
    for r in results.values():
        for layer in r.layers:
            total = layer.activations.share.sum() + (layer.zero_share if r.drops_zeros else 0.0)
            assert total == pytest.approx(1.0)
            assert layer.gradients.share.sum() == pytest.approx(1.0)
    assert results["relu_he"].layers[0].zero_share == pytest.approx(0.5, abs=0.05)


def test_every_init_choice_and_activation_runs():
    from playground.engine import ACTIVATIONS

    for key in INIT_CHOICES:
        run_signals(SignalConfig("tanh", key, depth=2, width=8, n_samples=50))
    for act in ACTIVATIONS:
        r = run_signals(SignalConfig(act, "he_normal", depth=2, width=8, n_samples=50))
        assert all(np.all(np.isfinite(s.activations.share)) for s in r.layers)


def test_custom_std_is_used():
    a = run_signals(SignalConfig("tanh", "custom_std", custom_std=0.001, depth=2, width=20, n_samples=100))
    b = run_signals(SignalConfig("tanh", "custom_std", custom_std=1.0, depth=2, width=20, n_samples=100))
    assert a.layers[-1].std < 0.01 < b.layers[-1].std


def test_output_bounds():
    assert output_bounds("sigmoid") == (0.0, 1.0)
    assert output_bounds("tanh") == (-1.0, 1.0)
    assert output_bounds("relu") is None


@pytest.mark.parametrize(
    "changes",
    [{"depth": 0}, {"depth": 11}, {"width": 201}, {"n_samples": 1}, {"init": "nope"}, {"activation": "x"}],
)
def test_bad_settings_raise_config_error(changes):
    with pytest.raises(ConfigError):
        run_signals(preset_config("relu_he", **changes))


@pytest.mark.parametrize("mode", ["diagonal", "random"])
def test_deep_linear_grows_and_decays_like_w_to_the_l(mode):
    curves = deep_linear([0.5, 1.5], depth=20, width=10 if mode == "random" else 2, mode=mode)
    for c in curves:
        ratio_act = c.activation_rms[-1] / c.activation_rms[0]
        ratio_grad = c.gradient_rms[0] / c.gradient_rms[-1]
        expected = c.w**19
        tol = 1e-9 if mode == "diagonal" else 0.6  # random matrices: right order of magnitude
        assert np.log(ratio_act) == pytest.approx(np.log(expected), rel=tol, abs=tol)
        assert np.log(ratio_grad) == pytest.approx(np.log(expected), rel=tol, abs=tol)
    diag = deep_linear([1.5], depth=5)[0]
    np.testing.assert_allclose(diag.activation_rms, diag.theory_activation, rtol=1e-12)
    np.testing.assert_allclose(diag.gradient_rms, diag.theory_gradient, rtol=1e-12)


def test_deep_linear_rejects_bad_w():
    with pytest.raises(ConfigError):
        deep_linear([0.0])
    with pytest.raises(ConfigError):
        deep_linear([1.0], mode="other")


# -- every preset's "what to look for", on the data behind the page's histograms and table ---------
def grad_stds(r):
    return [s.grad_std for s in r.layers]


def test_sigmoid_std1_saturates_but_the_gradient_spread_holds(results):
    r = results["sigmoid_std1"]
    assert all(s.saturated > 0.5 for s in r.layers[1:]), "most units saturate"
    g = grad_stds(r)
    assert max(g) / min(g) < 1.5, f"the gradient's spread stays about the same: {g}"
    assert "stays about the same in every layer" in PRESETS["sigmoid_std1"].expect
    assert "vanish" not in PRESETS["sigmoid_std1"].expect


def test_sigmoid_std001_gradient_shrinks_about_40x_per_layer(results):
    factor = results["sigmoid_std001"].gradient_factor()
    assert 1 / 60 < factor < 1 / 25, factor
    assert "about 40× per layer" in PRESETS["sigmoid_std001"].expect


def test_sigmoid_xavier_keeps_a_spread_but_the_gradient_shrinks_about_4x(results):
    r = results["sigmoid_xavier"]
    factor = r.gradient_factor()
    assert 1 / 5.5 < factor < 1 / 3, f"σ′ ≤ ¼: about 4× smaller per layer back, got ×{factor:.3g}"
    assert all(b > a for a, b in zip(grad_stds(r), grad_stds(r)[1:], strict=False)), "shrinks at every layer"
    assert "shrinks about 4× per layer" in PRESETS["sigmoid_xavier"].expect


def test_tanh_xavier_bells_narrow_slowly_and_the_gradient_barely_shrinks(results):
    r = results["tanh_xavier"]
    stds = [s.std for s in r.layers]
    assert all(b < a for a, b in zip(stds, stds[1:], strict=False)) and stds[-1] > 0.4 * stds[0], stds
    for s in r.layers:
        assert abs(s.mean) < 0.05, "zero-centred"
    g = grad_stds(r)
    assert 1 < g[-1] / g[0] < 2, f"shrinks less than 2× over the five layers: {g}"


def test_relu_presets_gradients(results):
    small = results["relu_std001"]
    assert small.gradient_factor() < 1 / 5, "the gradient shrinks as fast as the activations"
    he = grad_stds(results["relu_he"])
    assert max(he) / min(he) < 1.2, f"He: the same spread for the gradients too: {he}"


def test_batch_norm_presets(results):
    sig = results["sigmoid_std1_bn"]
    assert all(s.saturated < 0.01 for s in sig.layers), "under 1 % saturated units"
    assert "under 1 % saturated" in PRESETS["sigmoid_std1_bn"].expect
    relu = [s.std for s in results["relu_std001_bn"].layers]
    assert max(relu) / min(relu) < 1.1, relu


def test_the_intro_claim_sigmoid_gradients_shrink_unless_the_weights_are_large(results):
    """The page's intro: with sigmoid the gradient shrinks going back unless the weights are large."""
    assert results["sigmoid_xavier"].gradient_factor() < 0.5
    assert results["sigmoid_std001"].gradient_factor() < 0.5
    assert 0.8 < results["sigmoid_std1"].gradient_factor() < 1.25  # std 1: the large weights
