"""The network view's data and actions, without a browser: real feature names, every input offered,
structure changes routed through the sidebar's widgets (so the schema, Experiment.apply and the URL
see them), weights and biases set under the session's run lock."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from playground.data import FEATURES
from playground.experiment import Experiment, PlaygroundConfig
from playground.ui import netview, session

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _exp(**data) -> Experiment:
    return Experiment(PlaygroundConfig.from_dict({"data": data}))


def test_iris_inputs_carry_the_measurements_names():
    data = netview.view_data(_exp(dataset="iris"))
    labels = [i["label"] for i in data["inputs"]]
    assert labels[:2] == ["petal length", "petal width"]
    assert labels[-2:] == ["sepal length", "sepal width"]
    assert not any(label.startswith("x") for label in labels)
    assert data["out_labels"] == ["setosa", "versicolor", "virginica"]
    assert data["sizes"][0] == 4  # two chosen 2-D features and the two other measurements


def test_every_feature_is_offered_and_the_chosen_ones_are_on():
    data = netview.view_data(_exp(dataset="circle", features=["x1", "x1*x2"]))
    offered = [i["id"] for i in data["inputs"]]
    assert offered == list(FEATURES)
    assert [i["id"] for i in data["inputs"] if i["on"]] == ["x1", "x1*x2"]
    assert data["sizes"][0] == 2 and all(i["toggle"] for i in data["inputs"])


def test_maps_show_what_the_network_computes():
    exp = _exp(dataset="circle")
    data = netview.view_data(exp)
    raw = np.frombuffer(__import__("base64").b64decode(data["maps"]), np.uint8)
    n_in, gi, g = len(data["inputs"]), data["input_g"], data["g"]
    first_hidden = raw[n_in * gi * gi :][: g * g].reshape(g, g)
    expected = exp.neuron_maps()["hidden"][0][0]
    assert np.abs((first_hidden / 127.5 - 1) - np.clip(expected, -1, 1)).max() < 0.01


def _state(exp: Experiment) -> dict:
    return {"exp": exp, "playing": True, "weights_version": 0}


def test_toggles_and_plus_minus_rebuild_through_the_schema_and_sync_widgets_and_url():
    exp = _exp(dataset="circle")
    state = _state(exp)
    urls = []
    act = lambda a: netview.apply_action(state, a, sync=urls.append)  # noqa: E731
    assert act({"kind": "toggle", "feature": "x1*x2"})
    assert exp.config.data.features == ["x1", "x2", "x1*x2"] and exp.network.layer_sizes()[0] == 3
    assert state["c_features"] == ["x1", "x2", "x1*x2"] and urls[-1].data.features == ["x1", "x2", "x1*x2"]
    assert state["playing"] is False and "input features" in state["callout"][1]
    assert act({"kind": "toggle", "feature": "x1"}) and exp.config.data.features == ["x2", "x1*x2"]
    assert act({"kind": "layers", "delta": 1}) and exp.config.model.hidden == [4, 2, 4]
    assert state["c_layers"] == 3 and state["c_w2"] == 4 and urls[-1].model.hidden == [4, 2, 4]
    assert act({"kind": "neurons", "layer": 1, "delta": -1}) and exp.config.model.hidden == [4, 1, 4]
    assert not act({"kind": "neurons", "layer": 1, "delta": -1})  # 1 is the least
    assert exp.config.model.hidden == [4, 1, 4] and state["c_w1"] == 1
    assert act({"kind": "layers", "delta": -1}) and exp.config.model.hidden == [4, 1]
    assert not act({"kind": "neurons", "layer": 5, "delta": 1})  # a stale click: no such layer
    # the last input cannot be switched off
    exp.apply(PlaygroundConfig.from_dict({"data": {"features": ["x2"]}}))
    assert act({"kind": "toggle", "feature": "x2"})
    assert exp.config.data.features == ["x2"] and "at least one" in state["callout"][1]
    assert not act({"kind": "toggle", "feature": "nope"})
    assert not act(None)


def test_a_refused_structure_shows_the_schemas_message():
    exp = _exp(dataset="circle")
    exp.apply(PlaygroundConfig.from_dict({"model": {"hidden": [4] * 8}}))
    state = _state(exp)
    assert not netview.apply_action(state, {"kind": "layers", "delta": 1}, sync=lambda c: None)  # at the cap
    exp.apply(PlaygroundConfig.from_dict({"model": {"hidden": [64]}}))
    assert not netview.apply_action(state, {"kind": "neurons", "layer": 0, "delta": 1}, sync=lambda c: None)
    assert exp.config.model.hidden == [64]


def test_a_weight_and_a_bias_are_set_under_the_run_lock():
    exp = _exp(dataset="circle")
    state = _state(exp)
    lock = session.run_lock(state)
    held = []
    original = exp.set_layer_weights

    def spy(*args):
        # the lock is held by this thread: another thread cannot take it
        t = threading.Thread(target=lambda: held.append(lock.acquire(blocking=False)))
        t.start()
        t.join()
        return original(*args)

    exp.set_layer_weights = spy
    assert not netview.apply_action(state, {"kind": "weight", "layer": 0, "src": 1, "dst": 2, "value": 0.5})
    assert exp.layer_weights("h1")[0][1, 2] == 0.5 and held == [False]
    netview.apply_action(state, {"kind": "bias", "layer": 2, "unit": 0, "value": -1.25})
    assert exp.layer_weights("out")[1][0] == -1.25
    assert state["weights_version"] == 2
    # refused: not finite, too large; ignored: a stale index
    before = exp.network.get_params()["h1.W"].copy()
    netview.apply_action(state, {"kind": "weight", "layer": 0, "src": 0, "dst": 0, "value": 1e9})
    assert "from −100 to 100" in state["callout"][1]
    netview.apply_action(state, {"kind": "weight", "layer": 0, "src": 9, "dst": 0, "value": 1.0})
    assert (exp.network.get_params()["h1.W"] == before).all()
    # paused: the page runs in full so the weight tables follow
    state["playing"] = False
    assert netview.apply_action(state, {"kind": "weight", "layer": 0, "src": 0, "dst": 0, "value": 0.1})


def test_a_toggle_in_the_view_reaches_the_sidebar_and_the_url():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    netview.apply_action(at.session_state, {"kind": "toggle", "feature": "sin_x1"}, sync=lambda c: None)
    netview.apply_action(at.session_state, {"kind": "layers", "delta": 1}, sync=lambda c: None)
    at.run()  # the full run the view asks for
    assert not at.exception
    cfg = at.session_state["exp"].config
    assert cfg.data.features == ["x1", "x2", "sin_x1"] and cfg.model.hidden == [4, 2, 4]
    assert at.number_input(key="c_layers").value == 3 and at.multiselect(key="c_features").value == [
        "x1",
        "x2",
        "sin_x1",
    ]
    assert at.session_state["exp"].network.layer_sizes()[0] == 3
    assert "rebuilt" in " ".join(str(e.value) for e in at.info)
    assert "sin_x1" in str(at.query_params["features"]) and "4,2,4" in str(at.query_params["layers"])


@pytest.mark.parametrize("dataset", ["reg-plane", "spiral3", "xor"])
def test_view_data_for_each_kind_of_problem(dataset):
    data = netview.view_data(_exp(dataset=dataset))
    assert data["sizes"][-1] == (3 if dataset == "spiral3" else 1)
    assert data["editable"] and data["b"] is not None
