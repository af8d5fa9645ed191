"""Optimizers against hand-computed updates, plus state handling, validation and a 2-D bowl.

Every expected value below is written as the arithmetic of the update rule, so a reader can check
it with a pencil; none of them calls the engine's update functions.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from playground.engine.optimizers import OPTIMIZERS, make_optimizer
from playground.engine.params import ParamSet
from playground.errors import ConfigError

W0 = [1.0, -2.0]
# The gradients fed at steps 1, 2, 3 (unless a test says otherwise).
G1, G2, G3 = [0.5, -1.0], [1.0, 2.0], [-0.5, 0.25]

ALL_OPTIMIZERS = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]

# (name, lr, hyper): every optimizer, and the variants that take different code paths.
VARIANTS = [
    ("sgd", 0.1, {}),
    ("momentum", 0.1, {"momentum": 0.9}),
    ("momentum", 0.1, {"momentum": 0.9, "ema": True}),
    ("nesterov", 0.1, {"momentum": 0.9}),
    ("adagrad", 0.1, {"initial_accumulator_value": 0.5}),
    ("rmsprop", 0.01, {"alpha": 0.9}),
    ("rmsprop", 0.01, {"alpha": 0.9, "momentum": 0.5}),
    ("rmsprop", 0.01, {"alpha": 0.9, "centered": True}),
    ("rmsprop", 0.01, {"alpha": 0.9, "momentum": 0.5, "centered": True}),
    ("adam", 0.1, {"beta1": 0.8}),
    ("adamw", 0.1, {"weight_decay": 0.5}),
]
VARIANT_IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in h.items()) or 'default'}" for n, _, h in VARIANTS]


def run(name, lr, hyper, grads, w0=W0):
    """Feed ``grads`` one step at a time; return the values after each step."""
    ps = ParamSet.from_arrays({"w": np.array(w0, dtype=float)})
    opt = make_optimizer(name, ps, lr, hyper)
    out = []
    for g in grads:
        ps["w"].grad[...] = g
        opt.step()
        out.append(ps["w"].value.copy())
    return out


def check(got, expected, rtol=1e-12, atol=1e-14):
    for step, (g, e) in enumerate(zip(got, expected, strict=True), start=1):
        np.testing.assert_allclose(g, e, rtol=rtol, atol=atol, err_msg=f"after step {step}")


def test_registry_is_what_these_tests_cover():
    # A new optimizer must get hand-computed tests here (and a torch oracle) before it ships.
    assert list(OPTIMIZERS) == ALL_OPTIMIZERS


# -- hand-computed first steps ---------------------------------------------------------------------
def test_sgd_hand_computed():
    # θ ← θ − 0.1·g
    expected = [
        [1 - 0.1 * 0.5, -2 - 0.1 * -1.0],  # [0.95, -1.9]
        [0.95 - 0.1 * 1.0, -1.9 - 0.1 * 2.0],  # [0.85, -2.1]
        [0.85 - 0.1 * -0.5, -2.1 - 0.1 * 0.25],  # [0.9, -2.125]
    ]
    check(run("sgd", 0.1, {}, [G1, G2, G3]), expected)


def test_momentum_hand_computed():
    # v ← 0.9·v + g;  θ ← θ − 0.1·v
    v1 = [0.5, -1.0]
    v2 = [0.9 * 0.5 + 1.0, 0.9 * -1.0 + 2.0]  # [1.45, 1.1]
    v3 = [0.9 * 1.45 - 0.5, 0.9 * 1.1 + 0.25]  # [0.805, 1.24]
    w1 = [1 - 0.1 * v1[0], -2 - 0.1 * v1[1]]  # [0.95, -1.9]
    w2 = [w1[0] - 0.1 * v2[0], w1[1] - 0.1 * v2[1]]  # [0.805, -2.01]
    w3 = [w2[0] - 0.1 * v3[0], w2[1] - 0.1 * v3[1]]  # [0.7245, -2.134]
    check(run("momentum", 0.1, {"momentum": 0.9}, [G1, G2, G3]), [w1, w2, w3])
    np.testing.assert_allclose(w3, [0.7245, -2.134], rtol=1e-12)


def test_momentum_ema_hand_computed():
    # Ng's form: v ← 0.9·v + 0.1·g;  θ ← θ − 0.1·v
    v1 = [0.1 * 0.5, 0.1 * -1.0]  # [0.05, -0.1]
    v2 = [0.9 * v1[0] + 0.1 * 1.0, 0.9 * v1[1] + 0.1 * 2.0]  # [0.145, 0.11]
    w1 = [1 - 0.1 * v1[0], -2 - 0.1 * v1[1]]  # [0.995, -1.99]
    w2 = [w1[0] - 0.1 * v2[0], w1[1] - 0.1 * v2[1]]  # [0.9805, -2.001]
    check(run("momentum", 0.1, {"momentum": 0.9, "ema": True}, [G1, G2]), [w1, w2])


def test_nesterov_hand_computed():
    # v ← 0.9·v + g;  θ ← θ − 0.1·(g + 0.9·v)
    v1 = [0.5, -1.0]
    v2 = [1.45, 1.1]  # as in the momentum test
    v3 = [0.805, 1.24]
    w1 = [1 - 0.1 * (0.5 + 0.9 * v1[0]), -2 - 0.1 * (-1.0 + 0.9 * v1[1])]  # [0.905, -1.81]
    w2 = [w1[0] - 0.1 * (1.0 + 0.9 * v2[0]), w1[1] - 0.1 * (2.0 + 0.9 * v2[1])]  # [0.6745, -2.109]
    w3 = [w2[0] - 0.1 * (-0.5 + 0.9 * v3[0]), w2[1] - 0.1 * (0.25 + 0.9 * v3[1])]  # [0.65205, -2.2456]
    check(run("nesterov", 0.1, {"momentum": 0.9}, [G1, G2, G3]), [w1, w2, w3])
    np.testing.assert_allclose(w3, [0.65205, -2.2456], rtol=1e-12)


def test_adagrad_hand_computed():
    # h ← h + g²;  θ ← θ − 0.1·g/(√h + ε), ε = 0; gradients chosen so the roots are whole numbers
    grads = [[3.0, -4.0], [4.0, 3.0], [0.0, 12.0]]
    # h1 = [9, 16], h2 = [25, 25], h3 = [25, 169]
    w1 = [1 - 0.1 * 3 / 3, -2 - 0.1 * -4 / 4]  # [0.9, -1.9]
    w2 = [0.9 - 0.1 * 4 / 5, -1.9 - 0.1 * 3 / 5]  # [0.82, -1.96]
    w3 = [0.82 - 0.0, -1.96 - 0.1 * 12 / 13]
    check(run("adagrad", 0.1, {"eps": 0.0}, grads), [w1, w2, w3])


def test_adagrad_eps_outside_root_and_initial_accumulator():
    # ε = 1 is added to √h (outside the root, as PyTorch): 3/(√9 + 1), not 3/√(9 + 1)
    (w1,) = run("adagrad", 0.1, {"eps": 1.0}, [[3.0, -4.0]])
    np.testing.assert_allclose(w1, [1 - 0.1 * 3 / (3 + 1), -2 - 0.1 * -4 / (4 + 1)], rtol=1e-14)
    # the accumulator starts at 7: h1 = [7 + 9, 7 + 16] = [16, 23]
    (w1,) = run("adagrad", 0.1, {"eps": 0.0, "initial_accumulator_value": 7.0}, [[3.0, -4.0]])
    np.testing.assert_allclose(w1, [1 - 0.1 * 3 / 4, -2 - 0.1 * -4 / math.sqrt(23)], rtol=1e-14)


def test_rmsprop_hand_computed():
    # s ← 0.9·s + 0.1·g²;  θ ← θ − 0.01·g/(√s + ε), ε = 0
    s1 = [0.1 * 0.25, 0.1 * 1.0]  # [0.025, 0.1]
    s2 = [0.9 * 0.025 + 0.1 * 1.0, 0.9 * 0.1 + 0.1 * 4.0]  # [0.1225, 0.49] → roots [0.35, 0.7]
    w1 = [1 - 0.01 * 0.5 / math.sqrt(s1[0]), -2 - 0.01 * -1.0 / math.sqrt(s1[1])]
    w2 = [w1[0] - 0.01 * 1.0 / 0.35, w1[1] - 0.01 * 2.0 / 0.7]
    np.testing.assert_allclose(np.sqrt(s2), [0.35, 0.7], rtol=1e-14)
    check(run("rmsprop", 0.01, {"alpha": 0.9, "eps": 0.0}, [G1, G2]), [w1, w2])


def test_rmsprop_momentum_hand_computed():
    # b ← 0.5·b + g/√s;  θ ← θ − 0.01·b   (s as in the plain test)
    b1 = [0.5 / math.sqrt(0.025), -1.0 / math.sqrt(0.1)]
    b2 = [0.5 * b1[0] + 1.0 / 0.35, 0.5 * b1[1] + 2.0 / 0.7]
    w1 = [1 - 0.01 * b1[0], -2 - 0.01 * b1[1]]
    w2 = [w1[0] - 0.01 * b2[0], w1[1] - 0.01 * b2[1]]
    check(run("rmsprop", 0.01, {"alpha": 0.9, "eps": 0.0, "momentum": 0.5}, [G1, G2]), [w1, w2])


def test_rmsprop_centered_hand_computed():
    # ḡ ← 0.9·ḡ + 0.1·g;  θ ← θ − 0.01·g/√(s − ḡ²)
    gbar1 = [0.05, -0.1]
    root1 = [math.sqrt(0.025 - 0.05**2), math.sqrt(0.1 - 0.1**2)]  # √[0.0225, 0.09] = [0.15, 0.3]
    gbar2 = [0.9 * 0.05 + 0.1 * 1.0, 0.9 * -0.1 + 0.1 * 2.0]  # [0.145, 0.11]
    root2 = [math.sqrt(0.1225 - gbar2[0] ** 2), math.sqrt(0.49 - gbar2[1] ** 2)]
    w1 = [1 - 0.01 * 0.5 / 0.15, -2 - 0.01 * -1.0 / 0.3]
    w2 = [w1[0] - 0.01 * 1.0 / root2[0], w1[1] - 0.01 * 2.0 / root2[1]]
    np.testing.assert_allclose(root1, [0.15, 0.3], rtol=1e-14)
    assert gbar1 == [0.1 * 0.5, 0.1 * -1.0]
    check(run("rmsprop", 0.01, {"alpha": 0.9, "eps": 0.0, "centered": True}, [G1, G2]), [w1, w2])
    # centered and momentum together: b ← 0.5·b + g/√(s − ḡ²)
    b1 = [0.5 / 0.15, -1.0 / 0.3]
    b2 = [0.5 * b1[0] + 1.0 / root2[0], 0.5 * b1[1] + 2.0 / root2[1]]
    w1m = [1 - 0.01 * b1[0], -2 - 0.01 * b1[1]]
    w2m = [w1m[0] - 0.01 * b2[0], w1m[1] - 0.01 * b2[1]]
    hyper = {"alpha": 0.9, "eps": 0.0, "centered": True, "momentum": 0.5}
    check(run("rmsprop", 0.01, hyper, [G1, G2]), [w1m, w2m])


def test_adam_hand_computed():
    # m ← 0.9·m + 0.1·g;  v ← 0.999·v + 0.001·g²;  θ ← θ − 0.1·m̂/(√v̂ + ε), ε = 0
    # Step 1: m̂ = g and v̂ = g², so the step is 0.1·sign(g).
    w1 = [1 - 0.1, -2 + 0.1]
    # Step 2
    m2 = [0.9 * 0.1 * 0.5 + 0.1 * 1.0, 0.9 * 0.1 * -1.0 + 0.1 * 2.0]  # [0.145, 0.11]
    v2 = [0.999 * 0.001 * 0.25 + 0.001 * 1.0, 0.999 * 0.001 * 1.0 + 0.001 * 4.0]
    bc1, bc2 = 1 - 0.9**2, 1 - 0.999**2  # 0.19, 0.001999
    w2 = [w1[i] - 0.1 * (m2[i] / bc1) / math.sqrt(v2[i] / bc2) for i in range(2)]
    # Step 3
    m3 = [0.9 * m2[0] + 0.1 * -0.5, 0.9 * m2[1] + 0.1 * 0.25]
    v3 = [0.999 * v2[0] + 0.001 * 0.25, 0.999 * v2[1] + 0.001 * 0.0625]
    bc1, bc2 = 1 - 0.9**3, 1 - 0.999**3
    w3 = [w2[i] - 0.1 * (m3[i] / bc1) / math.sqrt(v3[i] / bc2) for i in range(2)]
    check(run("adam", 0.1, {"eps": 0.0}, [G1, G2, G3]), [w1, w2, w3])


def test_adam_eps_is_added_after_bias_correction():
    # Step 1 with ε = 0.5: m̂ = g, √v̂ = |g|, so θ ← θ − 0.1·g/(|g| + 0.5). Adding ε to √v before the
    # bias correction would give 0.1·g/(|g| + 0.5·√0.001) instead.
    (w1,) = run("adam", 0.1, {"eps": 0.5}, [G1])
    np.testing.assert_allclose(w1, [1 - 0.1 * 0.5 / (0.5 + 0.5), -2 - 0.1 * -1.0 / (1.0 + 0.5)], rtol=1e-12)


def test_adamw_hand_computed_decays_weights_only():
    # Specs list the bias first: the ParamSet still puts weights first (values[:n_decay]).
    ps = ParamSet([("b", (1,), "bias"), ("W", (2,), "weight"), ("g", (1,), "bn")])
    ps.set({"W": np.array(W0), "b": np.array([3.0]), "g": np.array([2.0])})
    assert ps.n_decay == 2
    opt = make_optimizer("adamw", ps, 0.1, {"eps": 0.0, "weight_decay": 0.5})
    # Step 1: θ ← θ·(1 − 0.1·0.5) for weights only, then the Adam step 0.1·sign(g).
    ps["W"].grad[...] = G1
    ps["b"].grad[...] = [2.0]
    ps["g"].grad[...] = [-1.0]
    opt.step()
    np.testing.assert_allclose(ps["W"].value, [1 * 0.95 - 0.1, -2 * 0.95 + 0.1], rtol=1e-14)
    np.testing.assert_allclose(ps["b"].value, [3.0 - 0.1], rtol=1e-14)
    np.testing.assert_allclose(ps["g"].value, [2.0 + 0.1], rtol=1e-14)
    # Step 2 with zero gradients: m = 0.9·m, v = 0.999·v; the weights decay again.
    ps.zero_grad()
    opt.step()
    bc1, bc2 = 1 - 0.9**2, 1 - 0.999**2
    # m = 0.9·0.1·g1 and v = 0.999·0.001·g1², so m̂/√v̂ = sign(g1)·(0.09/bc1)/√(0.000999/bc2)
    ratio = (0.09 / bc1) / math.sqrt(0.000999 / bc2)
    w1 = [0.95 - 0.1, -1.9 + 0.1]
    np.testing.assert_allclose(
        ps["W"].value, [w1[0] * 0.95 - 0.1 * ratio, w1[1] * 0.95 + 0.1 * ratio], rtol=1e-12
    )
    np.testing.assert_allclose(ps["b"].value, [2.9 - 0.1 * ratio], rtol=1e-12)
    np.testing.assert_allclose(ps["g"].value, [2.1 + 0.1 * ratio], rtol=1e-12)


def test_adamw_with_zero_decay_is_adam():
    grads = [G1, G2, G3]
    adam = run("adam", 0.1, {"beta1": 0.7}, grads)
    ps = ParamSet([("w", (2,), "weight")])  # decayable, but λ = 0
    ps.set({"w": np.array(W0)})
    opt = make_optimizer("adamw", ps, 0.1, {"weight_decay": 0.0, "beta1": 0.7})
    for g in grads:
        ps.grads[...] = g
        opt.step()
    np.testing.assert_array_equal(ps.values, adam[-1])


# -- claims in the docstrings ----------------------------------------------------------------------
def _random_grads(n, size=3, seed=0):
    return np.random.default_rng(seed).normal(size=(n, size))


def test_momentum_ema_equals_pytorch_form_with_scaled_lr():
    beta, lr = 0.8, 0.05
    grads = _random_grads(30)
    ema = run("momentum", lr, {"momentum": beta, "ema": True}, grads, w0=[0.3, -1.0, 2.0])
    plain = run("momentum", lr * (1 - beta), {"momentum": beta}, grads, w0=[0.3, -1.0, 2.0])
    check(ema, plain, rtol=1e-12, atol=1e-12)


def test_nesterov_ema_equals_pytorch_form_with_scaled_lr():
    beta, lr = 0.8, 0.05
    grads = _random_grads(30)
    ema = run("nesterov", lr, {"momentum": beta, "ema": True}, grads, w0=[0.3, -1.0, 2.0])
    plain = run("nesterov", lr * (1 - beta), {"momentum": beta}, grads, w0=[0.3, -1.0, 2.0])
    check(ema, plain, rtol=1e-12, atol=1e-12)


def test_momentum_first_step_is_plain_sgd():
    # PyTorch's first step sets v = g, so momentum's first step equals SGD's.
    (m1,) = run("momentum", 0.1, {"momentum": 0.9}, [G1])
    (s1,) = run("sgd", 0.1, {}, [G1])
    np.testing.assert_array_equal(m1, s1)


# -- state handling --------------------------------------------------------------------------------
def _two_param_set():
    ps = ParamSet([("W", (2, 3), "weight"), ("b", (3,), "bias")])
    rng = np.random.default_rng(7)
    ps.values[...] = rng.normal(size=ps.values.size)
    return ps


@pytest.mark.parametrize(("name", "lr", "hyper"), VARIANTS, ids=VARIANT_IDS)
def test_reset_clears_state(name, lr, hyper):
    grads = _random_grads(4, size=9, seed=1)
    ps = _two_param_set()
    opt = make_optimizer(name, ps, lr, hyper)
    for g in grads[:3]:
        ps.grads[...] = g
        opt.step()
    opt.reset()
    assert opt.t == 0
    for buf, arr in opt.state.items():
        start = hyper.get("initial_accumulator_value", 0.0) if buf == "sum" else 0.0
        np.testing.assert_array_equal(arr, np.full_like(arr, start), err_msg=buf)
    # After reset, a step is the first step of a fresh optimizer from the same point.
    fresh_ps = ParamSet([("W", (2, 3), "weight"), ("b", (3,), "bias")])
    fresh_ps.values[...] = ps.values
    fresh = make_optimizer(name, fresh_ps, lr, hyper)
    ps.grads[...] = fresh_ps.grads[...] = grads[3]
    opt.step()
    fresh.step()
    np.testing.assert_array_equal(ps.values, fresh_ps.values)


@pytest.mark.parametrize(("name", "lr", "hyper"), VARIANTS, ids=VARIANT_IDS)
def test_state_dict_round_trip(name, lr, hyper):
    grads = _random_grads(6, size=9, seed=2)
    ps = _two_param_set()
    opt = make_optimizer(name, ps, lr, hyper)
    for g in grads[:3]:
        ps.grads[...] = g
        opt.step()
    # Arrays in, plain lists back: the state survives a text format (load accepts both).
    saved = json.loads(json.dumps(opt.state_dict(), default=lambda a: a.tolist()))
    assert saved["name"] == name and saved["step"] == 3 and saved["lr"] == lr
    assert set(saved["state"]) == {"W", "b"}
    # A new optimizer with different settings, on a copy of the values, takes over the saved state.
    ps2 = ParamSet([("W", (2, 3), "weight"), ("b", (3,), "bias")])
    ps2.values[...] = ps.values
    opt2 = make_optimizer(name, ps2, lr * 3)
    opt2.load_state_dict(saved)
    assert opt2.lr == opt.lr and opt2.hyper == opt.hyper and opt2.t == opt.t
    for g in grads[3:]:
        ps.grads[...] = ps2.grads[...] = g
        opt.step()
        opt2.step()
        np.testing.assert_array_equal(ps2.values, ps.values)
    for buf in opt.state:
        np.testing.assert_array_equal(opt2.state[buf], opt.state[buf], err_msg=buf)


def test_state_dict_lays_out_state_by_parameter():
    ps = _two_param_set()
    opt = make_optimizer("momentum", ps, 0.1, {"momentum": 0.5})
    ps["W"].grad[...] = np.arange(6.0).reshape(2, 3)
    ps["b"].grad[...] = [7.0, 8.0, 9.0]
    opt.step()
    state = opt.state_dict()["state"]
    np.testing.assert_array_equal(state["W"]["momentum_buffer"], [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]])
    np.testing.assert_array_equal(state["b"]["momentum_buffer"], [7.0, 8.0, 9.0])


def test_load_state_dict_rejects_mismatches():
    ps = _two_param_set()
    adam = make_optimizer("adam", ps)
    good = json.loads(json.dumps(adam.state_dict(), default=lambda a: a.tolist()))
    with pytest.raises(ConfigError, match="adam"):
        make_optimizer("sgd", ps).load_state_dict(good)
    missing = json.loads(json.dumps(good))
    del missing["state"]["b"]
    with pytest.raises(ConfigError, match="'b'"):
        make_optimizer("adam", ps).load_state_dict(missing)
    bad_shape = json.loads(json.dumps(good))
    bad_shape["state"]["W"]["exp_avg"] = [[0.0, 0.0]]
    with pytest.raises(ConfigError, match="shape"):
        make_optimizer("adam", ps).load_state_dict(bad_shape)
    bad_hyper = json.loads(json.dumps(good))
    bad_hyper["hyper"]["beta1"] = 2.0
    with pytest.raises(ConfigError, match="beta1"):
        make_optimizer("adam", ps).load_state_dict(bad_hyper)


def test_set_hyper_keeps_state():
    ps = ParamSet.from_arrays({"w": np.array(W0)})
    opt = make_optimizer("momentum", ps, 0.1, {"momentum": 0.9})
    for g in (G1, G2):
        ps.grads[...] = g
        opt.step()
    opt.set_hyper(lr=0.05)
    assert opt.t == 2 and opt.hyper["momentum"] == 0.9
    np.testing.assert_allclose(opt.state["momentum_buffer"], [1.45, 1.1], rtol=1e-14)
    ps.grads[...] = G3
    opt.step()
    # v3 = 0.9·[1.45, 1.1] + g3 = [0.805, 1.24]; the step now uses α = 0.05
    np.testing.assert_allclose(ps.values, [0.805 - 0.05 * 0.805, -2.01 - 0.05 * 1.24], rtol=1e-12)
    # Changing the momentum keeps the buffer too: v4 = 0.5·v3 + g
    opt.set_hyper(momentum=0.5)
    assert opt.lr == 0.05
    before = ps.values.copy()
    ps.grads[...] = [1.0, 1.0]
    opt.step()
    np.testing.assert_allclose(ps.values, before - 0.05 * np.array([0.5 * 0.805 + 1, 0.5 * 1.24 + 1]))


def test_set_hyper_keeps_adam_step_count():
    ps = ParamSet.from_arrays({"w": np.array(W0)})
    opt = make_optimizer("adam", ps, 0.1, {"eps": 0.0})
    ps.grads[...] = G1
    opt.step()
    m, v = opt.state["exp_avg"].copy(), opt.state["exp_avg_sq"].copy()
    opt.set_hyper(lr=0.2)
    assert opt.t == 1
    np.testing.assert_array_equal(opt.state["exp_avg"], m)
    np.testing.assert_array_equal(opt.state["exp_avg_sq"], v)


def test_set_hyper_invalid_leaves_settings_unchanged():
    ps = ParamSet.from_arrays({"w": np.array(W0)})
    opt = make_optimizer("rmsprop", ps, 0.02, {"alpha": 0.9})
    with pytest.raises(ConfigError):
        opt.set_hyper(alpha=1.5)
    with pytest.raises(ConfigError):
        opt.set_hyper(beta1=0.9)  # not an RMSProp setting
    assert opt.lr == 0.02 and opt.hyper["alpha"] == 0.9


def test_zero_grad_clears_the_param_set_gradients():
    ps = _two_param_set()
    opt = make_optimizer("sgd", ps)
    ps.grads[...] = 1.0
    opt.zero_grad()
    assert not ps.grads.any()


def test_defaults_follow_pytorch():
    ps = ParamSet.from_arrays({"w": np.array(W0)})
    expect = {
        "sgd": (0.01, {}),
        "momentum": (0.01, {"momentum": 0.9, "ema": False}),
        "adagrad": (0.01, {"eps": 1e-10, "initial_accumulator_value": 0.0}),
        "rmsprop": (0.01, {"alpha": 0.99, "eps": 1e-8, "momentum": 0.0, "centered": False}),
        "adam": (0.001, {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
        "adamw": (0.001, {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01}),
    }
    for name, (lr, hyper) in expect.items():
        opt = make_optimizer(name, ps)
        assert (opt.lr, opt.hyper) == (lr, hyper), name


# -- validation ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "lr", "hyper"),
    [
        ("sgd", 0.0, {}),
        ("sgd", -0.1, {}),
        ("sgd", 1000.0, {}),
        ("sgd", float("nan"), {}),
        ("sgd", "fast", {}),
        ("sgd", 0.1, {"momentum": 0.9}),  # SGD has no momentum setting here
        ("momentum", 0.1, {"momentum": 1.0}),
        ("momentum", 0.1, {"momentum": -0.1}),
        ("nesterov", 0.1, {"ema": "yes"}),
        ("nesterov", 0.1, {"dampening": 0.1}),
        ("adagrad", 0.1, {"eps": -1e-8}),
        ("adagrad", 0.1, {"initial_accumulator_value": -1.0}),
        ("adagrad", 0.1, {"lr_decay": 0.1}),
        ("rmsprop", 0.1, {"alpha": 1.0}),
        ("rmsprop", 0.1, {"momentum": 1.0}),
        ("rmsprop", 0.1, {"centered": None}),
        ("adam", 0.1, {"beta1": 1.0}),
        ("adam", 0.1, {"beta2": 1.0}),
        ("adam", 0.1, {"beta1": -0.5}),
        ("adam", 0.1, {"eps": 2.0}),
        ("adam", 0.1, {"weight_decay": 0.1}),  # only AdamW has decoupled decay
        ("adamw", 0.1, {"weight_decay": -0.01}),
        ("adamw", 0.1, {"amsgrad": True}),
        ("lbfgs", 0.1, {}),
    ],
)
def test_invalid_hyperparameters_raise_config_error(name, lr, hyper):
    ps = ParamSet.from_arrays({"w": np.array(W0)})
    with pytest.raises(ConfigError):
        make_optimizer(name, ps, lr, hyper)


def test_config_error_names_the_setting():
    ps = ParamSet.from_arrays({"w": np.array(W0)})
    with pytest.raises(ConfigError, match="momentum"):
        make_optimizer("momentum", ps, 0.1, {"momentum": 1.5})
    with pytest.raises(ConfigError, match="sgd, momentum"):
        make_optimizer("newton", ps)


# -- optimizers descend an elongated bowl ---------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "lr", "hyper", "steps"),
    [
        ("sgd", 0.9, {}, 300),
        ("momentum", 0.05, {"momentum": 0.9}, 300),
        ("momentum", 0.5, {"momentum": 0.9, "ema": True}, 300),
        ("nesterov", 0.05, {"momentum": 0.9}, 300),
        ("adagrad", 2.0, {}, 300),
        ("rmsprop", 0.1, {"alpha": 0.9}, 300),
        ("rmsprop", 0.02, {"momentum": 0.9, "centered": True}, 300),
        ("adam", 0.3, {}, 300),
        ("adamw", 0.3, {"weight_decay": 0.01}, 300),
    ],
)
def test_optimizers_descend_the_bowl(name, lr, hyper, steps):
    # f(x, y) = x²/20 + y², minimum 0 at the origin; ∇f = (x/10, 2y). Start at (−7, 2): f = 6.45.
    def f(p):
        return p[0] ** 2 / 20 + p[1] ** 2

    ps = ParamSet.from_arrays({"xy": np.array([-7.0, 2.0])}, kind="weight")
    opt = make_optimizer(name, ps, lr, hyper)
    xy = ps["xy"]
    start = f(xy.value)
    for _ in range(steps):
        xy.grad[...] = [xy.value[0] / 10, 2 * xy.value[1]]
        opt.step()
    assert f(xy.value) < 1e-3 * start, f"{name} ended at {xy.value}, f = {f(xy.value):.3g}"
    assert np.linalg.norm(xy.value) < 0.2, f"{name} ended at {xy.value}"
