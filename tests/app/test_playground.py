"""AppTest on the Playground page: it runs, every kind of control reaches the config, Step trains,
garbage URLs open with defaults and a notice, a NaN-inducing learning rate pauses with a callout."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def run(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def exp(at: AppTest):
    return at.session_state["exp"]


def texts(elements) -> str:
    return " ".join(str(e.value) for e in elements)


@pytest.fixture(scope="module")
def base() -> AppTest:
    return run()


def test_runs_with_defaults(base):
    assert not base.error
    e = exp(base)
    assert e.epoch == 0 and e.config.model.hidden == [4, 2]
    labels = [m.label for m in base.metric]
    assert labels[:2] == ["Epoch", "Training loss"]
    assert base.button(key="btn_play").label == "Play"


def test_step_advances_the_epoch_and_changes_the_loss():
    at = run()
    loss0 = exp(at).history[-1]["train_loss"]
    at.button(key="btn_step").click().run()
    assert exp(at).epoch == 1 and exp(at).history[-1]["train_loss"] != loss0
    assert at.metric[0].value == "1"


@pytest.mark.parametrize(
    "kind, key, value, check",
    [
        ("selectbox", "c_dataset", "spiral", lambda c: c.data.dataset == "spiral"),
        ("slider", "c_noise", 20, lambda c: c.data.noise == 20),
        ("slider", "c_train", 70, lambda c: c.data.train_fraction == 0.7),
        (
            "multiselect",
            "c_features",
            ["x1", "x2", "x1*x2"],
            lambda c: c.data.features == ["x1", "x2", "x1*x2"],
        ),
        ("number_input", "c_layers", 3, lambda c: len(c.model.hidden) == 3),
        ("number_input", "c_w0", 7, lambda c: c.model.hidden[0] == 7),
        ("selectbox", "c_activation", "relu", lambda c: c.model.activation == "relu"),
        ("selectbox", "c_init", "he_normal", lambda c: c.model.init == "he_normal"),
        ("radio", "c_bn", "after", lambda c: c.model.batch_norm == "after"),
        ("slider", "c_dropout", 0.2, lambda c: c.model.dropout == 0.2),
        ("checkbox", "c_residual", True, lambda c: c.model.residual),
        ("selectbox", "c_optimizer", "adam", lambda c: c.training.optimizer == "adam"),
        ("select_slider", "c_lr", 0.1, lambda c: c.training.learning_rate == 0.1),
        ("number_input", "c_batch", 25, lambda c: c.training.batch_size == 25),
        ("selectbox", "c_reg", "l2", lambda c: c.training.regularization == "l2"),
        ("selectbox", "c_schedule", "exponential", lambda c: c.training.schedule == "exponential"),
        ("checkbox", "c_show_test", True, lambda c: c.view.show_test),
        ("number_input", "c_stop_epoch", 200, lambda c: c.loop.stop_epoch == 200),
    ],
)
def test_each_control_changes_the_config(kind, key, value, check):
    at = run()
    getattr(at, kind)(key=key).set_value(value).run()
    assert not at.exception, at.exception
    assert check(exp(at).config), exp(at).config
    assert not at.error, texts(at.error)


def test_structure_change_rebuilds_and_says_so():
    at = run()
    at.button(key="btn_step").click().run()
    at.selectbox(key="c_activation").set_value("relu").run()
    assert exp(at).epoch == 0 and exp(at).config.model.activation == "relu"
    assert "rebuilt" in texts(at.info) and "activation" in texts(at.info)
    assert at.query_params["activation"] in ("relu", ["relu"])


def test_learning_rate_applies_on_the_fly():
    at = run()
    at.button(key="btn_step").click().run()
    w = exp(at).network.get_params()["h1.W"].copy()
    at.select_slider(key="c_lr").set_value(0.1).run()
    assert exp(at).epoch == 1 and (exp(at).network.get_params()["h1.W"] == w).all()
    assert exp(at).trainer.config.learning_rate == 0.1


def test_garbage_url_opens_with_defaults_and_a_notice():
    at = run({"lr": "banana", "layers": "999,abc", "activation": "nope", "zzz": "1"})
    e = exp(at)
    assert e.config.training.learning_rate == 0.03 and e.config.model.activation == "tanh"
    assert e.config.model.hidden == [4, 2]
    notice = texts(at.warning)
    assert "banana" in notice and "nope" in notice and "zzz" in notice
    at.button(key="btn_dismiss").click().run()
    assert not at.warning


def test_url_opens_the_setup():
    at = run({"dataset": "xor", "layers": "8,3", "activation": "relu", "lr": "0.1"})
    c = exp(at).config
    assert c.data.dataset == "xor" and c.model.hidden == [8, 3] and c.training.learning_rate == 0.1
    assert at.selectbox(key="c_activation").value == "relu" and at.number_input(key="c_layers").value == 2
    assert not at.warning


def test_nan_learning_rate_pauses_with_a_callout_and_reset_recovers():
    at = run({"dataset": "reg-plane", "lr": "10"})
    at.button(key="btn_play").click().run()
    for _ in range(10):
        at.run()  # playing: the fragment trains a tick in every run
        if exp(at).status == "diverged":
            break
    assert exp(at).status == "diverged"
    assert at.session_state["playing"] is False
    callout = texts(at.error)
    assert "epoch" in callout and "learning rate" in callout and "lower" in callout
    assert at.button(key="btn_play").disabled
    at.button(key="btn_reset").click().run()
    assert exp(at).status == "ready" and not at.error


def test_play_trains_and_pause_stops():
    at = run()
    at.button(key="btn_play").click().run()
    assert at.session_state["playing"] is True and exp(at).epoch > 0
    assert at.button(key="btn_pause").label == "Pause"
    at.button(key="btn_pause").click().run()
    assert at.session_state["playing"] is False
    assert at.button(key="btn_play").label == "Play"


def test_preset_loads_hand_set_weights():
    at = run()
    at.selectbox(key="c_preset").set_value("xor_two_relus")
    at.button(key="btn_preset").click().run()
    e = exp(at)
    assert e.config.data.dataset == "xor-table" and e.config.model.hidden == [2]
    assert e.metrics()["test"]["accuracy"] == 1.0
    assert at.selectbox(key="c_activation").value == "relu"
    assert "XOR" in texts(at.success)


def test_pasted_tf_link():
    at = run()
    at.text_input(key="c_link").set_value(
        "https://playground.tensorflow.org/#activation=sigmoid&networkShape=5&dataset=gauss&learningRate=0.3"
    )
    at.button(key="btn_link").click().run()
    c = exp(at).config
    assert c.model.activation == "sigmoid" and c.model.hidden == [5] and c.data.dataset == "gauss"
    assert c.training.learning_rate == 0.3 and at.selectbox(key="c_activation").value == "sigmoid"


def test_regression_and_multiclass_pages_run():
    for q in ({"dataset": "reg-gauss"}, {"dataset": "spiral3"}, {"dataset": "iris"}, {"layers": ""}):
        at = run(q)
        assert not at.error, (q, texts(at.error))


def test_batch_norm_with_batch_one_shows_the_error_next_to_the_controls():
    at = run()
    at.radio(key="c_bn").set_value("after").run()
    at.number_input(key="c_batch").set_value(1).run()
    assert "Batch norm" in texts(at.sidebar.error)
    assert exp(at).config.training.batch_size == 10  # the run kept its last valid config


def test_weight_table_is_offered_when_paused():
    at = run()
    at.selectbox(key="c_preset").set_value("xor_two_relus")
    at.button(key="btn_preset").click().run()
    tables = [df.value for df in at.dataframe]
    assert any(list(t.index) == ["x₁", "x₂", "bias"] and t.shape == (3, 2) for t in tables)
    assert any((t.to_numpy() == [[1, -1], [1, -1], [-1, 1]]).all() for t in tables if t.shape == (3, 2))


# -- review fixes: malformed links, injected Markdown, settings without widgets, CSV upload wiring -----
def test_a_malformed_pasted_link_shows_a_notice_not_a_traceback():
    at = run()
    at.text_input(key="c_link").input("http://[::1").run()
    at.button(key="btn_link").click().run()
    assert not at.exception
    assert exp(at).config.model.hidden == [4, 2]


def test_url_notices_cannot_inject_markdown_links_or_images():
    at = run({"**bold** [sign in](https://evil.example/login) ![](https://evil.example/p.png)": "1"})
    warning = texts(at.warning)
    assert "Unknown URL parameter" in warning
    assert "](" not in warning.replace("\\](", "").replace("\\]\\(", "")
    assert "\\[sign in\\]\\(https:" in warning and "\\*\\*bold\\*\\*" in warning


def test_settings_without_a_widget_survive_the_first_rerun():
    at = run({"bias_init": "0", "clip": "2.5", "noise": "2.5"})
    c = exp(at).config
    assert c.model.bias_init == 0.0 and c.training.clip_norm == 2.5 and c.data.noise == 2.0
    assert "rebuilt" not in texts(at.info)
    at.run()
    assert exp(at).config.model.bias_init == 0.0


def test_uploading_a_csv_selects_it_and_a_bad_file_gets_a_clear_message():
    rows = "\n".join(
        f"{x:.2f},{y:.2f},{'a' if x * y > 0 else 'b'}" for x in range(-5, 6) for y in (-2.5, 1.5)
    )
    at = run()
    at.file_uploader(key="c_upload").upload("points.csv", b"x,y,label\n" + rows.encode(), "text/csv").run()
    assert not at.exception
    e = exp(at)
    assert e.config.data.dataset == "csv" and e.dataset.n_samples == 22
    assert e.dataset.class_names == ("a", "b")
    bad = rows.replace("-3.00,1.50", "-3.00,oops", 1)
    at.file_uploader(key="c_upload").set_value(("bad.csv", b"x,y,label\n" + bad.encode(), "text/csv")).run()
    assert not at.exception
    message = texts(at.error)
    assert "oops" in message and message.count("7") == 1 and "column 2" in message


# -- workshop caps (issue 11): any cap gives a working page --------------------------------------------
@pytest.fixture
def workshop_cap(monkeypatch):
    """Run the app as a replica started with ``PLAYGROUND_CAP_<NAME>=<value>`` (caps installed by
    app.py's ``configure()``); the defaults are put back afterwards."""
    from playground import limits
    from playground.hosting import streamlit_glue as glue

    def start(**caps: str) -> None:
        for key in list(__import__("os").environ):
            if key.startswith("PLAYGROUND_"):
                monkeypatch.delenv(key)
        for name, value in caps.items():
            monkeypatch.setenv(f"PLAYGROUND_CAP_{name}", value)
        monkeypatch.setattr(glue, "_replica", None)

    yield start
    monkeypatch.setattr(glue, "_replica", None)
    limits.install(limits.DEFAULT)


def test_page_opens_clean_with_fewer_points_than_the_default(workshop_cap):
    workshop_cap(MAX_POINTS="300")
    at = run()
    assert not at.error and not at.exception, texts(at.error)
    assert exp(at).config.data.n_samples == 300 and exp(at).dataset.n_samples == 300
    assert at.slider(key="c_points").max == 300 and at.slider(key="c_points").value == 300
    assert "points" not in at.query_params  # the clamped default is the default: no parameter
    at.button(key="btn_step").click().run()
    assert exp(at).epoch == 1 and not at.error


def test_upload_cap_reaches_the_uploader_and_the_parser(workshop_cap):
    workshop_cap(MAX_UPLOAD_MB="1")
    at = run()
    assert not at.error and not at.exception, texts(at.error)
    uploader = at.file_uploader(key="c_upload")
    assert "1 MB" in uploader.label and uploader.proto.max_upload_size_mb == 1
    row = "0.25,0.75,a\n0.5,-0.25,b\n"
    big = ("x,y,label\n" + row * (2 * 1024 * 1024 // len(row) + 1)).encode()
    assert len(big) > 2 * 1024 * 1024
    uploader.upload("big.csv", big, "text/csv").run()
    assert not at.exception
    message = texts(at.error)
    assert "limit is 1.0 MB" in message and "2.0 MB" in message, message
    assert exp(at).config.data.dataset == "circle"
