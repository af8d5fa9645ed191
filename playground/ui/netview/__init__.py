"""The Playground's network view, live and direct to manipulate, as in TF Playground.

An ``st.components.v2`` component (``netview.js`` and ``netview.css`` beside this file: HTML and SVG
drawn in the page, no iframe) mounted with a fixed key inside the live fragment, so every tick only
sends new data and the browser updates the drawing in place; hover and an open editor survive ticks.
The data is small: layer sizes, rounded weights and biases, and every neuron's map as 8 bits per cell
(``playground.viz.network.network_view_data``).

What the learner does in the view comes back as one trigger, ``action``, handled by :func:`on_action`
before the next run:

- ``toggle`` an input feature, ``layers`` ±1, ``neurons`` ±1 in a hidden layer: the run's config with
  that setting changed goes the way a sidebar change goes — the settings schema validates it,
  ``Experiment.apply`` rebuilds the network (under the run lock) and says why, the sidebar's widget keys
  and the URL are updated at once — and the page runs in full (:func:`needs_full_run`) so the buttons,
  the sidebar and the callout outside the live area follow;
- ``weight`` / ``bias`` with a value: set in the run at once, under the session's run lock (a tick may
  be training in another thread).
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from playground import limits
from playground.data import FEATURES, grid_axes
from playground.errors import PlaygroundError
from playground.experiment import Experiment, PlaygroundConfig
from playground.i18n import N_, _
from playground.ui import session
from playground.ui.controls import sync_widgets
from playground.ui.page import Later
from playground.viz import palette
from playground.viz.network import feature_label, network_view_data, shrink_maps

KEY = "netview"
# The component's key: fixed, so the browser keeps one instance and updates it in place.
FULL_RUN_FLAG = "_netview_full_run"
WEIGHT_LIMIT = 100.0
# A weight or bias typed into the view must lie within ±this (larger ones only blow the run up).

_HERE = Path(__file__).resolve().parent
# The drawing code and its style sheet go to the browser once per page run (the loader, mounted by the
# page outside the live fragment); the view itself is a stub that hands each tick's data to that code,
# so a tick carries its data and ~300 bytes of code instead of ~25 kB.
_LOADER_JS = "const NETVIEW_CSS = {css};\n{js}".format(  # i18n: not text
    css=json.dumps((_HERE / "netview.css").read_text(encoding="utf-8")),
    js=(_HERE / "netview.js").read_text(encoding="utf-8"),
)
_STUB_JS = """export default function (component) {  // i18n: not text
  const run = () => (window.__nnNetview ? window.__nnNetview(component) : setTimeout(run, 20));
  run();
}"""
TEXT = {
    "features": N_("Features"),
    "output": N_("Output"),
    "switch_on": N_("Switch on the input {label}"),
    "switch_off": N_("Switch off the input {label}"),
    "bias_click": N_("Bias: click to set it"),
    "add_layer": N_("Add a hidden layer"),
    "remove_layer": N_("Remove the last hidden layer"),
    "layers_1": N_("1 hidden layer"),
    "layers_n": N_("{n} hidden layers"),
    "add_neuron": N_("Add a neuron to hidden layer {i}"),
    "remove_neuron": N_("Remove a neuron from hidden layer {i}"),
    "neurons_1": N_("1 neuron"),
    "neurons_n": N_("{n} neurons"),
    "neurons_in": N_("{n} neurons in hidden layer {i}"),
    "inputs": N_("inputs"),
    "output_lc": N_("output"),
    "hidden_i": N_("hidden {i}"),
    "input_j": N_("input {j}"),
    "output_of": N_("output ({label})"),
    "unit": N_("hidden {i} · neuron {j}"),
    "input_on": N_("input (on): its value over the plane"),
    "input_off": N_("input (off): click to use it"),
    "bias_value": N_("bias {value}"),
    "bias_value_click": N_("bias {value} (click to set)"),
    "unit_map": N_("its output over the plane (orange −1 … blue +1)"),
    "weight_value": N_("weight {value}"),
    "click_to_set": N_("click to set it"),
    "edit_weight": N_("Weight {src} → {dst}"),
    "edit_bias": N_("Bias of {unit}"),
    "set": N_("Set"),
    "cancel": N_("Cancel"),
    "type_number": N_("Type a number"),
}
# Every word the view draws, by key (``netview.js`` fills the ``{fields}``); sent translated by the loader
# (:func:`install`), once per full page run, not with every tick.


def view_text() -> dict[str, str]:
    """:data:`TEXT` in the active language (templates: ``{fields}`` left for the browser to fill)."""
    return {key: _(msgid) for key, msgid in TEXT.items()}


_loader = st.components.v2.component("nn_playground.netview_code", js=_LOADER_JS)
_view = st.components.v2.component("nn_playground.netview", js=_STUB_JS)


# ------------------------------------------------------------------------------------------------
# data (pure functions of the experiment; tested without a browser)


@functools.lru_cache(maxsize=64)
def _feature_maps(x_range: tuple, y_range: tuple, g: int) -> dict[str, np.ndarray]:
    """Each 2-D feature over the plane, scaled to [-1, 1]: the picture of an input that is off."""
    _xs, _ys, pts = grid_axes(x_range, y_range, g)
    out = {}
    for name, feat in FEATURES.items():
        v = np.asarray(feat.fn(pts), dtype=np.float64).reshape(g, g)
        top = float(np.abs(v).max())
        out[name] = v / top if top > 0 else v
    return out


def _input_shrink(g: int) -> int:
    """Inputs are smooth functions of the plane: half the resolution draws them as well, in a quarter of
    the bytes."""
    return 2 if g % 2 == 0 and g >= 16 else 1


def view_data(exp: Experiment) -> dict[str, Any]:
    """The component's data for ``exp`` (see ``network_view_data``)."""
    net = exp.network
    caps = limits.caps()
    sizes = net.layer_sizes()
    weights = net.unit_weights()
    biases: list[np.ndarray] | None = []
    for h in net.hidden_layers:
        b = h.dense.b.value
        if b.size != h.activation.width:  # maxout: pieces per unit, no single bias to draw or set
            biases = None
            break
        biases.append(b)
    if biases is not None:
        biases.append(net.output.b.value)

    maps = exp.neuron_maps()
    g = exp.neuron_grid_n
    factor = _input_shrink(g)
    net_inputs = maps["inputs"]
    scale = np.abs(net_inputs).reshape(len(net_inputs), -1).max(axis=1)
    net_inputs = shrink_maps(net_inputs / np.where(scale > 0, scale, 1.0)[:, None, None], factor)
    off_maps = _feature_maps(tuple(exp.x_range), tuple(exp.y_range), g)

    view_names = exp.dataset.view_names
    chosen = set(exp.config.data.features)
    inputs, k = [], 0
    for name, feat in FEATURES.items():
        on = name in chosen
        if on:
            m = net_inputs[k]
            k += 1
        else:
            m = shrink_maps(off_maps[name][None], factor)[0]
        inputs.append(
            {"id": name, "label": feature_label(feat.label, view_names), "on": on, "toggle": True, "map": m}
        )
    for extra in exp.transform.extra_names:  # raw columns beyond the view: always inputs
        inputs.append(
            {"id": f"col:{extra}", "label": extra, "on": True, "toggle": False, "map": net_inputs[k]}
        )
        k += 1

    out = maps["output"]
    out = out[None] if out.ndim == 2 else out
    if exp.task == "regression":
        meaning = _("the predicted value over the plane (orange −1 … blue +1)")
        labels: tuple[str, ...] = ()
        colors: list[str] = []
    else:
        out = 2.0 * out - 1.0  # probability 0..1 -> -1..1
        labels = exp.class_names if exp.task == "multiclass" else ()
        colors = palette.class_colors(len(labels)) if labels else []
        meaning = (
            _("the probability of this class over the plane (blue: likely, orange: unlikely)")
            if exp.task == "multiclass"
            else _(
                "the probability of class {positive} (blue) against {negative} (orange)",
                positive=exp.class_names[1],
                negative=exp.class_names[0],
            )
        )
    data = network_view_data(
        sizes,
        weights,
        [*maps["hidden"], out],
        inputs,
        biases=biases,
        output_labels=labels,
        output_colors=colors,
        output_meaning=meaning,
        caps={
            "max_layers": caps.max_hidden_layers,
            "max_neurons": caps.max_neurons,
            "min_neurons": 1,
        },
    )
    data["editable"] = biases is not None
    return data


# ------------------------------------------------------------------------------------------------
# events


def _set_value(exp: Experiment, action: dict) -> Later | None:
    """Set one weight or bias from the view; returns a message for the learner when refused."""
    try:
        value = float(action["value"])
        layer = int(action["layer"])
    except (KeyError, TypeError, ValueError):
        return Later(N_("That value was not a number."))
    if not math.isfinite(value) or abs(value) > WEIGHT_LIMIT:
        return Later(N_("Use a number from −{limit} to {limit}."), {"limit": f"{WEIGHT_LIMIT:g}"})
    names = exp.layer_names()
    if not 0 <= layer < len(names):
        return None  # a stale click on a network that has changed since: nothing to set
    W, b = exp.layer_weights(names[layer])
    if action["kind"] == "weight":
        src, dst = int(action["src"]), int(action["dst"])
        if not (0 <= src < W.shape[0] and 0 <= dst < W.shape[1]):
            return None
        W[src, dst] = value
    else:
        unit = int(action["unit"])
        if not 0 <= unit < b.size:
            return None
        b[unit] = value
    exp.set_layer_weights(names[layer], W, b)
    return None


def _restructure(state, exp: Experiment, section: str, name: str, value, sync) -> None:
    """Move the run to its config with one structural setting changed, as a sidebar change would: the
    settings schema validates it, ``Experiment.apply`` rebuilds and says why, the sidebar's widgets and
    the URL are brought in line."""
    d = exp.config.to_dict()
    d[section][name] = value
    try:
        cfg = PlaygroundConfig.from_dict(d)
        with session.run_lock(state):
            old = exp.config
            result = exp.apply(cfg)
    except PlaygroundError as exc:
        state["callout"] = ("error", exc)
        return
    sync_widgets(exp.config, state)
    if result.kind == "rebuilt":
        state["playing"] = False
        state["weights_version"] = state.get("weights_version", 0) + 1
        state["callout"] = ("info", session.rebuilt_text(result.reasons, old, exp.config))
    sync(exp.config)


def apply_action(state, action: dict | None, sync=session.sync_url) -> bool:
    """Carry out one action of the view on the session ``state``; True when the whole page must run
    again (a new structure: buttons, sidebar and callout outside the live area; a paused weight edit:
    the weight tables). ``sync`` puts a config in the URL."""
    if not isinstance(action, dict):
        return False
    exp: Experiment = state["exp"]
    kind = action.get("kind")
    caps = limits.caps()
    step = 1 if (action.get("delta") or 0) > 0 else -1
    if kind == "toggle":
        feature = action.get("feature")
        if feature not in FEATURES:
            return False
        chosen = list(exp.config.data.features)
        chosen = [f for f in chosen if f != feature] if feature in chosen else [*chosen, feature]
        if not chosen:
            state["callout"] = ("info", Later(N_("Keep at least one input feature switched on.")))
            return True
        _restructure(state, exp, "data", "features", [f for f in FEATURES if f in chosen], sync)
        return True
    if kind == "layers":
        hidden = list(exp.config.model.hidden)
        if step > 0 and len(hidden) < caps.max_hidden_layers:
            hidden.append(int(state.get(f"c_w{len(hidden)}", 4) or 4))
        elif step < 0 and hidden:
            hidden.pop()
        else:
            return False
        _restructure(state, exp, "model", "hidden", hidden, sync)
        return True
    if kind == "neurons":
        hidden = list(exp.config.model.hidden)
        i = int(action.get("layer", -1))
        if not 0 <= i < len(hidden):
            return False
        width = min(max(hidden[i] + step, 1), caps.max_neurons)
        if width == hidden[i]:
            return False
        hidden[i] = width
        _restructure(state, exp, "model", "hidden", hidden, sync)
        return True
    if kind in ("weight", "bias"):
        with session.run_lock(state):
            message = _set_value(exp, action)
        if message:
            state["callout"] = ("warning", message)
        state["weights_version"] = state.get("weights_version", 0) + 1
        return not state.get("playing")  # paused: the weight tables outside the live area follow
    return False


@session.callback
def on_action() -> None:
    s = st.session_state
    result = s.get(KEY) or {}
    action = result.get("action") if hasattr(result, "get") else None
    if apply_action(s, action):
        s[FULL_RUN_FLAG] = True


def needs_full_run() -> bool:
    """True (once) after an action of the view that the whole page must see: call at the start of the
    live fragment and ``st.rerun(scope="app")`` then."""
    return bool(st.session_state.pop(FULL_RUN_FLAG, False))


def install() -> None:
    """Send the view's code to the browser: call once per full page run, outside the live fragment
    (it draws nothing)."""
    _loader(key="netview_code", data={"text": view_text()}, width="stretch", height=1)


def render(exp: Experiment) -> None:
    """Mount (or update in place) the network view of ``exp`` (the page calls :func:`install` too)."""
    _view(data=view_data(exp), key=KEY, on_action_change=on_action, width="stretch", height="content")
