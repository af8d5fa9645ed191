"""The computational-graph autodiff: the known numbers and agreement with the engine."""

import math

import pytest

from playground.errors import ConfigError
from playground.lessons.graph import EXAMPLES, KM, LOGREG, NET221, NG, Graph, Node, net221_engine_gradients


def test_ng_j_equals_3_a_plus_bc():
    t = NG.trace()
    assert t.values["J"] == 33
    assert (t.grads["a"], t.grads["b"], t.grads["c"]) == (3, 6, 9)
    assert len(t.forward_steps) == 3 and len(t.backward_steps) == 5
    assert t.backward_steps[-1].text.startswith("∂J/∂c += ∂J/∂u · ∂u/∂c = 3 · 3 = 9")


def test_km_example_adds_the_two_paths():
    t = KM.trace()
    assert t.values["x"] == 27 and t.values["y"] == 17 and t.values["z"] == 459
    assert t.grads["k"] == 51 and t.grads["m"] == 271
    m_steps = [s for s in t.backward_steps if s.source == "m"]
    assert [s.product for s in m_steps] == [135, 136] and m_steps[-1].total == 271


def test_editing_inputs_updates_every_number():
    t = NG.trace({"a": 1, "b": 2, "c": 4})
    assert t.values["J"] == 27 and t.grads["b"] == 12 and t.grads["c"] == 6
    with pytest.raises(ConfigError):
        NG.trace({"u": 1})


def test_logistic_regression_dl_dz_is_a_minus_y():
    vals = {"x1": 1.5, "x2": -2.0, "w1": 0.3, "w2": 0.7, "b": -0.1, "y": 0.0}
    t = LOGREG.trace(vals)
    z = 0.3 * 1.5 + 0.7 * -2.0 - 0.1
    a = 1 / (1 + math.exp(-z))
    assert t.values["L"] == pytest.approx(-math.log(1 - a))
    assert t.grads["z"] == pytest.approx(a - 0.0)
    assert t.grads["w1"] == pytest.approx((a - 0.0) * 1.5)
    assert t.grads["b"] == pytest.approx(a)


@pytest.mark.parametrize(
    "values",
    [{}, {"x1": 0.3, "x2": 2.0, "y": 0.0, "w11": -1.2, "v2": 2.5, "c": -0.7}],
)
def test_221_net_matches_the_engine(values):
    t = NET221.trace(values)
    engine = net221_engine_gradients(values)
    for name, g in engine.items():
        assert t.grads[name] == pytest.approx(g, rel=1e-10, abs=1e-14), name


def test_every_example_matches_central_differences():
    h = 1e-6
    for g in EXAMPLES.values():
        base = g.defaults()
        t = g.trace()
        for name in base:
            if g.node_map[name].op == "const":
                continue
            plus = g.trace({**base, name: base[name] + h}).values[g.output]
            minus = g.trace({**base, name: base[name] - h}).values[g.output]
            assert t.grads[name] == pytest.approx((plus - minus) / (2 * h), rel=1e-5, abs=1e-7), (g.key, name)


def test_graphs_are_validated():
    with pytest.raises(ConfigError):
        Graph("bad", "", "", (Node("u", "mul", ("a", "b")),), "u")
    with pytest.raises(ConfigError):
        Graph("bad", "", "", (Node("a", "input", value=1.0), Node("u", "nope", ("a",))), "u")
    with pytest.raises(ConfigError):
        Graph("bad", "", "", (Node("a", "input"),), "a")
    with pytest.raises(ConfigError):
        NG.trace({"a": float("nan")})
