"""Property tests: for random small network configurations, backprop matches central differences,
outputs have the right shape, and JSON save/load round-trips exactly."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.engine import ACTIVATIONS, BN_MODES, Network, NetworkConfig, from_json, to_json
from playground.engine.gradcheck import check_network

configs = st.builds(
    NetworkConfig,
    # At least 2 inputs: with one input every hidden layer is rank one, a later batch norm divides
    # a near-zero variance by √ε, and central differences measure amplified rounding noise.
    n_inputs=st.integers(2, 4),
    hidden=st.lists(st.integers(1, 5), max_size=3),
    task=st.sampled_from(["binary", "multiclass", "regression"]),
    n_classes=st.integers(2, 4),
    activation=st.sampled_from([a for a in ACTIVATIONS if a not in ("relu", "maxout", "rrelu")]),
    init=st.sampled_from(["xavier_normal", "he_uniform", "lecun_normal"]),
    # Biases away from 0 keep pre-activations off the kinks of (P/Leaky)ReLU when dropout zeroes a
    # whole narrow layer (then the next pre-activation is exactly the bias).
    bias_init=st.floats(0.05, 0.5) | st.floats(-0.5, -0.05),
    batch_norm=st.sampled_from(BN_MODES),
    dropout=st.sampled_from([0.0, 0.25]),
    residual=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cfg=configs, n=st.integers(3, 9), data_seed=st.integers(0, 1000))
def test_backprop_matches_central_differences_for_random_nets(cfg, n, data_seed):
    rng = np.random.default_rng(data_seed)
    X = rng.normal(size=(n, cfg.n_inputs))
    y = (
        rng.normal(size=n)
        if cfg.task == "regression"
        else rng.integers(0, cfg.n_outputs if cfg.task == "multiclass" else 2, n)
    )
    net = Network(cfg)
    errors = check_network(net, X, y, regularization="l2", reg_rate=0.1)
    assert max(errors.values()) < 1e-6, errors


@settings(max_examples=25, deadline=None)
@given(cfg=configs)
def test_outputs_and_round_trip(cfg):
    net = Network(cfg)
    X = np.random.default_rng(0).normal(size=(5, cfg.n_inputs))
    out = net.predict(X)
    assert out.shape == ((5, cfg.n_classes) if cfg.task == "multiclass" else (5,))
    assert np.isfinite(out).all()
    again = from_json(to_json(net))
    assert np.array_equal(again.predict(X), out)
