"""AppTest on the lesson pages: each runs without an exception or error message with its defaults,
and changing each main control changes what the page shows."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGES = Path(__file__).resolve().parents[2] / "pages"


def load(name: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / name), default_timeout=30).run()
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def table(at: AppTest, i: int = 0):
    return at.dataframe[i].value.to_csv()


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [x.value for x in at.info] + [x.value for x in at.success] + [x.value for x in at.warning]
    parts += [m.value for m in at.metric]
    return "\n".join(str(p) for p in parts)


# -- activations and initialization ---------------------------------------------------------------
def test_activations_page_defaults():
    at = load("activations_init.py")
    assert at.title[0].value == "Activations and initialization"
    assert "Sigmoid, std 1" in texts(at)
    df = at.dataframe[0].value
    assert len(df) == 5 and df["saturated"].iloc[-1] > 0.5


def each_changes(at: AppTest, controls, read) -> None:
    """Change the controls one after another; each change must change ``read(at)``."""
    for kind, key, value in controls:
        before = read(at)
        getattr(at, kind)(key=key).set_value(value).run()
        assert_clean(at)
        assert read(at) != before, f"changing {key} to {value!r} changed nothing"


def test_activations_controls_change_the_output():
    controls = [
        ("selectbox", "ai_preset", "relu_he"),
        ("selectbox", "ai_activation", "tanh"),
        ("selectbox", "ai_init", "xavier_normal"),
        ("selectbox", "ai_bn", "before"),
        ("slider", "ai_depth", 3),
        ("slider", "ai_width", 50),
        ("number_input", "ai_samples", 500),
        ("number_input", "ai_seed", 7),
    ]
    each_changes(load("activations_init.py"), controls, table)


def test_preset_sets_the_controls_and_custom_std_appears():
    at = load("activations_init.py")
    at.selectbox(key="ai_preset").set_value("sigmoid_std001").run()
    assert at.selectbox(key="ai_init").value == "std_0.01"
    assert "all units compute nearly the same thing" in texts(at)
    at.selectbox(key="ai_init").set_value("custom_std").run()
    before = table(at)
    at.number_input(key="ai_custom_std").set_value(0.5).run()
    assert_clean(at)
    assert table(at) != before


def test_deep_linear_controls_change_the_output():
    controls = [
        ("multiselect", "ai_lin_ws", [2.0]),
        ("slider", "ai_lin_depth", 10),
        ("slider", "ai_lin_width", 10),
        ("radio", "ai_lin_mode", "random"),
    ]
    each_changes(load("activations_init.py"), controls, lambda at: at.caption[-1].value)


# -- optimizers ----------------------------------------------------------------------------------
def test_optimizers_page_defaults_reproduce_the_book():
    at = load("optimizers.py")
    df = at.dataframe[0].value.set_index("optimizer")
    assert df.loc["SGD", "y sign changes"] >= 25 and df.loc["AdaGrad", "y sign changes"] == 0
    assert (df["status"] == "ok").all()
    assert len(at.dataframe[1].value) == 6  # every schedule


def test_optimizer_controls_change_the_output():
    controls = [
        ("number_input", "opt_hp_bowl_adam_lr", 0.05),
        ("number_input", "opt_hp_bowl_momentum_momentum", 0.5),
        ("number_input", "opt_x0_bowl", -5.0),
        ("number_input", "opt_y0_bowl", 1.0),
        ("number_input", "opt_steps_bowl", 10),
        ("number_input", "opt_noise_bowl", 1.0),
        ("selectbox", "opt_schedule", "exponential"),
        ("multiselect", "opt_chosen", ["sgd", "adam"]),
        ("selectbox", "opt_surface", "rosenbrock"),
        ("selectbox", "opt_surface", "saddle"),
        ("selectbox", "opt_surface", "beale"),
        ("selectbox", "opt_surface", "noisy_bowl"),
    ]
    each_changes(load("optimizers.py"), controls, table)


def test_too_high_a_learning_rate_is_a_warning_not_a_crash():
    at = load("optimizers.py")
    at.number_input(key="opt_hp_bowl_sgd_lr").set_value(5.0).run()
    assert_clean(at)
    assert any("SGD" in w.value and "diverged" in w.value for w in at.warning)
    assert "diverged" in table(at)


def step_text(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("Step **"))


def test_the_race_plays_on_opening_and_the_buttons_replay_it():
    at = load("optimizers.py")
    rep = at.session_state["opt_replay"]
    assert rep.playing and rep.upto == 1 and rep.steps == 30, "opening the page starts the race"
    assert step_text(at) == "Step **1** of 30 · playing"
    at.run()  # one live tick: one more step of every path (30 steps play in 30 ticks)
    assert at.session_state["opt_replay"].upto == 2
    at.button(key="opt_pause").click().run()
    assert not at.session_state["opt_replay"].playing and step_text(at) == "Step **2** of 30"
    at.button(key="opt_step").click().run()
    assert step_text(at) == "Step **3** of 30"
    at.button(key="opt_end").click().run()
    assert step_text(at) == "Step **30** of 30" and at.button(key="opt_step").disabled
    at.button(key="opt_play").click().run()  # Play at the end replays from the start
    assert at.session_state["opt_replay"].playing and at.session_state["opt_replay"].upto == 1
    at.button(key="opt_rewind").click().run()
    assert step_text(at) == "Step **0** of 30"
    at.radio(key="opt_layout").set_value("overlaid").run()
    assert_clean(at)
    assert step_text(at) == "Step **0** of 30", "the layout does not restart the race"
    at.number_input(key="opt_hp_bowl_sgd_lr").set_value(0.5).run()
    assert at.session_state["opt_replay"].playing and step_text(at).startswith("Step **1** of 30")


def test_the_race_charts_get_the_revealed_rows():
    at = load("optimizers.py")
    at.button(key="opt_pause").click().run()
    charts = at.get("vega_lite_chart")
    assert len(charts) == 3  # the race, f against step, the schedules
    spec = json.loads(charts[0].proto.spec)
    assert spec["facet"]["field"] == "optimizer" and "data" not in spec["spec"]
    at.button(key="opt_step").click().run()
    table = at.get("vega_lite_chart")[0].proto.data.data
    import pyarrow as pa

    rows = pa.ipc.open_stream(table).read_all().to_pylist()
    assert {r["step"] for r in rows} == {0, 1, 2}
    assert len(rows) == 7 * 3 and sum(r["head"] for r in rows) == 7


def test_schedule_controls_change_the_output():
    controls = [
        ("number_input", "sch_lr0", 0.5),
        ("slider", "sch_epochs", 50),
        ("number_input", "sch_inverse_time_k", 1.0),
        ("number_input", "sch_exponential_gamma", 0.8),
        ("number_input", "sch_inverse_sqrt_k", 2.0),
        ("number_input", "sch_step_step_size", 5),
        ("number_input", "sch_cosine_t_max", 20),
    ]
    each_changes(load("optimizers.py"), controls, lambda at: table(at, 1))


# -- backprop ---------------------------------------------------------------------------------------
def test_backprop_buttons_step_through_the_graph():
    at = load("backprop.py")
    at.button(key="bp_forward").click().run()
    assert "u = b·c = 3·2 = 6" in texts(at)
    at.button(key="bp_backward").click().run()
    assert "Backward step 1" in texts(at)
    at.button(key="bp_all").click().run()
    assert_clean(at)
    assert "∂J/∂c += ∂J/∂u · ∂u/∂c = 3 · 3 = 9" in texts(at)
    grads = at.dataframe[0].value.set_index("node")["∂J/∂node"].to_dict()
    assert grads == {"a": 3, "b": 6, "c": 9}
    at.button(key="bp_reset").click().run()
    assert "Press **Forward ▶**" in texts(at)


def test_backprop_inputs_and_examples_update_the_numbers():
    at = load("backprop.py")
    at.button(key="bp_all").click().run()
    at.number_input(key="bp_in_ng_a").set_value(1.0).run()
    assert "J = 3v = 3·7 = 21" in texts(at)
    at.selectbox(key="bp_example").set_value("km").run()
    at.button(key="bp_all").click().run()
    grads = at.dataframe[0].value.set_index("node")["∂z/∂node"].to_dict()
    assert grads == {"k": 51, "m": 271}
    at.selectbox(key="bp_example").set_value("net221").run()
    at.button(key="bp_all").click().run()
    assert_clean(at)
    assert "same gradients" in texts(at)
    at.selectbox(key="bp_example").set_value("logreg").run()
    at.button(key="bp_all").click().run()
    assert_clean(at)


def test_descent_controls_change_the_output():
    at = load("backprop.py")
    controls = [
        ("number_input", "gd_lr", 0.1),
        ("number_input", "gd_epochs", 20),
        ("number_input", "gd_w0", 0.0),
        ("radio", "gd_mode", "batch"),
    ]
    each_changes(at, controls, table)


def test_large_learning_rate_overshoots_then_diverges_with_a_message():
    at = load("backprop.py")
    at.number_input(key="gd_lr").set_value(0.1).run()
    assert any("overshoots" in w.value for w in at.warning)
    at.radio(key="gd_mode").set_value("batch").run()
    at.number_input(key="gd_lr").set_value(0.5).run()
    at.number_input(key="gd_epochs").set_value(200).run()
    assert not at.exception
    assert any("Diverged" in e.value for e in at.error)  # a message, not a traceback


def test_gradient_check_controls_change_the_output():
    controls = [
        ("selectbox", "gc_act", "sigmoid"),
        ("slider", "gc_hidden", 5),
        ("number_input", "gc_seed", 3),
        ("select_slider", "gc_h", 1e-2),
        ("selectbox", "gc_param", "out.W[0, 0]"),
    ]
    each_changes(load("backprop.py"), controls, lambda at: [m.value for m in at.metric])
