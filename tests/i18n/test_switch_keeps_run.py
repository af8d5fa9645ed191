"""Switching the language in the sidebar keeps the run: same experiment, same epoch, same weights; the
page (buttons, metrics, title, callout, the network view's words) is then in the other language."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from playground import i18n
from playground.ui import netview
from playground.ui.lang import widget_key

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _run(lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def _arrays(exp) -> dict[str, np.ndarray]:
    """Every array of the run's state (the network's parameters, the optimizer's slots…), copied."""
    out: dict[str, np.ndarray] = {}

    def walk(node, path: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}/{k}")
        elif isinstance(node, list | tuple):
            for i, v in enumerate(node):
                walk(v, f"{path}/{i}")
        elif isinstance(node, np.ndarray):
            out[path] = node.copy()

    walk(exp.state_dict(), "")
    return out


def _page_text(at: AppTest) -> str:
    parts = [str(m.value) for m in at.markdown] + [str(c.value) for c in at.caption]
    parts += [b.label for b in at.button] + [m.label for m in at.metric]
    return "\n".join(parts)


CHOICES = {
    "c_dataset": "xor",
    "c_init": "he_normal",
    "c_bn": "after",
    "c_reg": "l2",
    "c_schedule": "exponential",
}
"""Select boxes and radios set away from their first option (Streamlit's browser side keeps such a
value as its shown label, which a language switch changes)."""


def test_switching_to_chinese_keeps_the_epoch_and_the_weights():
    at = _run("en")
    for key, value in CHOICES.items():
        widget = at.selectbox(key=key) if key != "c_bn" else at.radio(key=key)
        widget.set_value(value).run()
        assert not at.exception, at.exception
    cfg = at.session_state["exp"].config.to_dict()
    assert (cfg["data"]["dataset"], cfg["model"]["init"], cfg["model"]["batch_norm"]) == (
        "xor",
        "he_normal",
        "after",
    )
    at.button(key="btn_step").click().run()
    at.button(key="btn_step").click().run()
    at.button(key="btn_play").click().run()  # playing: this run's live update trains
    assert at.session_state["playing"]
    at.button(key="btn_pause").click().run()
    assert not at.exception, at.exception
    exp = at.session_state["exp"]
    epoch = exp.epoch
    assert epoch >= 3
    before = _arrays(exp)
    assert any(k.endswith("h1.W") for k in before)
    assert at.button(key="btn_play").label == "Play" and at.metric[0].label == "Epoch"

    # the switch's run gets the choices as the browser holds them: their English labels
    at.radio(key=widget_key("en")).set_value("zh").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]  # no choice came back as an unknown value

    after_exp = at.session_state["exp"]
    assert after_exp is exp, "the run was replaced"
    assert after_exp.epoch == epoch
    after = _arrays(after_exp)
    assert after.keys() == before.keys()
    for k, v in before.items():
        np.testing.assert_array_equal(after[k], v, err_msg=k)
    assert at.metric[0].value == str(epoch)
    # the page is Chinese now
    assert at.query_params["lang"] == ["zh"] or at.query_params["lang"] == "zh"
    assert at.button(key="btn_play").label == "播放"
    assert at.button(key="btn_step").label == "单步"
    assert at.button(key="btn_reset").label == "重置"
    assert [m.label for m in at.metric[:2]] == ["轮数", "训练损失"]
    text = _page_text(at)
    assert "神经网络游乐场" in text and "Neural network playground" not in text
    assert "Pick the data on the left" not in text
    assert not any("重建" in str(i.value) for i in at.info)  # nothing was rebuilt

    # the next action, from the page in Chinese, trains on: same settings, no rebuild
    with i18n.using("zh"):  # AppTest formats the choices it sends in the test's own language
        at.button(key="btn_step").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.session_state["exp"] is exp and exp.epoch == epoch + 1
    assert exp.config.to_dict() == after_exp.config.to_dict()
    now = exp.config.to_dict()
    assert (now["data"]["dataset"], now["model"]["init"], now["model"]["batch_norm"]) == (
        "xor",
        "he_normal",
        "after",
    )
    assert (now["training"]["regularization"], now["training"]["schedule"]) == ("l2", "exponential")
    assert not any("重建" in str(i.value) for i in at.info)
    for key, value in CHOICES.items():
        widget = at.selectbox(key=key) if key != "c_bn" else at.radio(key=key)
        with i18n.using("zh"):
            assert widget.value == value, key


def test_a_choice_sent_as_a_label_of_the_other_language_is_taken_back():
    """Streamlit's browser side keeps a select box's value as its shown label: after a switch it may
    send the English label to the Chinese page (which Streamlit hands over as a raw string)."""
    from playground.experiment import PRESETS
    from playground.experiment.schema import setting
    from playground.ui import controls

    with i18n.using("en"):
        init = setting("model", "init").choice_label("he_normal")
        bn = setting("model", "batch_norm").choice_label("after")
        data = controls.dataset_label("Exclusive or", "binary")
        preset = PRESETS[next(iter(PRESETS))].label
    assert (init, bn) == ("He/Kaiming normal", "After activation")
    state = {"_choices_lang": "zh", "c_init": init, "c_bn": bn, "c_dataset": data, "c_preset": preset}
    state["c_features"] = ["x1", "x2"]
    with i18n.using("zh"):
        controls.keep_choices_across_languages(("c_preset",), state)
    assert state["c_init"] == "he_normal" and state["c_bn"] == "after" and state["c_dataset"] == "xor"
    assert state["c_preset"] == next(iter(PRESETS)) and state["c_features"] == ["x1", "x2"]


def test_switching_back_to_english_and_the_callout_follows():
    at = _run("en")
    at.button(key="btn_step").click().run()
    at.slider(key="c_noise").set_value(20).run()  # a rebuild: the callout says why
    assert any("rebuilt" in str(i.value) for i in at.info)
    exp = at.session_state["exp"]
    before, epoch = _arrays(exp), exp.epoch

    at.radio(key=widget_key("en")).set_value("zh").run()
    assert not at.exception, at.exception
    assert any("网络已用新权重重建" in str(i.value) for i in at.info), [i.value for i in at.info]
    assert not any("rebuilt" in str(i.value) for i in at.info)

    # AppTest formats the select boxes' values in the test's own thread: in the page's language
    with i18n.using("zh"):
        at.radio(key=widget_key("zh")).set_value("en").run()
    assert not at.exception, at.exception
    assert at.session_state["exp"] is exp and exp.epoch == epoch
    for k, v in before.items():
        np.testing.assert_array_equal(_arrays(exp)[k], v, err_msg=k)
    assert at.button(key="btn_play").label == "Play"
    assert any("rebuilt" in str(i.value) for i in at.info)


def test_the_network_views_words_come_from_python_in_the_language():
    """The browser component draws no words of its own: the loader sends them translated."""
    with i18n.using("en"):
        en = netview.view_text()
    with i18n.using("zh"):
        zh = netview.view_text()
    assert en.keys() == zh.keys() and en["add_layer"] == "Add a hidden layer"
    assert zh["add_layer"] == "添加一个隐藏层" and zh["features"] == "特征"
    assert all(zh[k] != en[k] for k in en if any(c.isalpha() for c in en[k]))
    js = (Path(netview.__file__).parent / "netview.js").read_text(encoding="utf-8")
    for words in en.values():  # no English sentence of the view is written in the JavaScript
        fixed = words.split("{")[0].strip()
        if " " in fixed:  # a phrase (single words such as "inputs" are also the keys)
            assert f'"{fixed}' not in js and f"`{fixed}" not in js, fixed


def test_the_switch_is_drawn_showing_the_sessions_language():
    """A session that starts in Chinese (Accept-Language or lang=zh) sends the switch with Chinese as
    its *default*: the browser may mount the widget from any run's message, and a default of English
    came back as a change to English now and then (1 page in 8 opened in Chromium after a quick click
    in the sidebar was English under a Chinese menu)."""
    at = _run("zh")
    box = at.sidebar.radio[0]
    assert box.key == widget_key("zh")
    assert box.options[box.proto.default] == "简体中文", box.proto.default
    assert at.session_state["lang"] == "zh"
    with i18n.using("zh"):  # AppTest formats the select boxes' values in the test's thread
        at.run()  # a rerun with the browser's value changes nothing
    assert at.session_state["lang"] == "zh" and at.sidebar.radio[0].key == widget_key("zh")
