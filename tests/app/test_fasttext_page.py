"""AppTest of the fastText page through app.py, in English and in Chinese: it opens training (Play),
Pause stops and Step trains exactly one epoch, Reset starts over, every main control changes the run
and what is shown, a typed sentence changes the explanation, the label tree's path appears under
hierarchical softmax, the comparison / collision sweep / text CNN run to their end and print their
claims, and a missing upload is a clear message (never a traceback)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import playground.lessons.fasttext  # noqa: F401  (the package before pages/ lands on sys.path)
from playground import i18n, limits

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def generous_budget():
    """Ticks that train for 3 s, so a test needs few reruns to finish a run (not a timing claim)."""
    old = limits.install(dataclasses.replace(limits.caps(), tick_train_budget_s=3.0))
    yield
    limits.install(old)


@pytest.fixture(autouse=True)
def english_test_thread():
    """AppTest formats select-box values in the test's thread: keep it in the page's language (a
    test in Chinese activates it with ``i18n.using``)."""
    with i18n.using("en"):
        yield


def open_page(lang: str = "en") -> AppTest:
    i18n.activate(lang)  # this test's thread formats the widgets' values as the page does
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.switch_page("pages/fasttext.py").run()  # straight to the page (as the zh page tests do)
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [x.value for x in at.info]
    parts += [t.value for t in at.title] + [h.value for h in at.header] + [h.value for h in at.subheader]
    return "\n".join(str(p) for p in parts)


def ft_run(at):
    return at.session_state["ft_run"]


def until(at: AppTest, done, limit: int = 60) -> AppTest:
    for _i in range(limit):
        if done(at):
            return at
        at.run()
        assert_clean(at)
    raise AssertionError("the page did not get there in time")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_opens_playing_and_runs_clean(lang):
    at = open_page(lang)
    title = "fastText 文本分类" if lang == "zh" else "fastText text classification"
    assert title in texts(at)
    assert ft_run(at).epoch >= 0 and at.session_state["ft_playing"]
    assert at.button(key="ft_pause")
    before = ft_run(at).progress
    at.run()
    assert ft_run(at).progress > before  # each tick trains
    assert at.session_state["ft_dataset"] == lang  # the data set in the session's language
    assert len(at.get("vega_lite_chart")) >= 4  # curves ×2, confusion, contributions (and the tree)
    assert len(at.dataframe) >= 2 and not at.dataframe[0].value.empty


def test_pause_step_reset():
    at = open_page()
    at.button(key="ft_pause").click().run()
    assert not at.session_state["ft_playing"]
    e0 = ft_run(at).epoch
    at.run()
    assert ft_run(at).epoch == e0  # paused: nothing trains
    at.button(key="ft_step").click().run()
    assert ft_run(at).epoch == e0 + 1 and ft_run(at).model.position == 0
    at.button(key="ft_reset").click().run()
    assert ft_run(at).epoch == 0 and ft_run(at).history == []
    at.button(key="ft_play").click().run()
    assert at.session_state["ft_playing"]


def test_plays_to_the_end_and_stops(generous_budget):
    at = open_page()
    until(at, lambda a: ft_run(a).done)
    at.run()
    assert not at.session_state["ft_playing"] and at.button(key="ft_play")
    assert len(ft_run(at).history) == 10
    assert "What to look for" in texts(at)


@pytest.mark.parametrize(
    ("key", "value", "check"),
    [
        ("ft_ngrams", 1, lambda r: r.dictionary.word_ngrams == 1),
        ("ft_bucket", 16, lambda r: r.dictionary.bucket == 16),
        ("ft_dim", 5, lambda r: r.model.dim == 5),
        ("ft_loss", "one_vs_all", lambda r: r.model.loss_name == "one_vs_all"),
        ("ft_epochs", 3, lambda r: r.model.epochs == 3),
        ("ft_lr", 0.1, lambda r: r.model.lr == 0.1),
        ("ft_min_count", 10, lambda r: min(r.dictionary.word_counts) >= 10),
    ],
)
def test_each_control_rebuilds_the_run(key, value, check):
    at = open_page()
    old = ft_run(at)
    before = [d.value.to_dict() for d in at.dataframe]
    widget = at.selectbox(key=key) if key in ("ft_loss",) else None
    if widget is None:
        for finder in (at.radio, at.select_slider, at.slider, at.number_input):
            try:
                widget = finder(key=key)
                break
            except KeyError:
                continue
    widget.set_value(value).run()
    assert_clean(at)
    assert ft_run(at) is not old and check(ft_run(at))
    assert [d.value.to_dict() for d in at.dataframe] != before


def test_dataset_switch_to_chinese_and_upload_prompt():
    at = open_page()
    at.selectbox(key="ft_dataset").set_value("zh").run()
    assert_clean(at)
    assert "好评" in ft_run(at).labels and at.text_input(key="ft_sentence").value == "汤不好吃"
    at.selectbox(key="ft_dataset").set_value("upload").run()
    assert not at.exception
    assert any("label" in e.value and "upload" in e.value for e in at.error)  # clear, no traceback


def test_typed_sentence_changes_the_explanation():
    at = open_page()
    at.button(key="ft_pause").click().run()
    first = at.dataframe[1].value.copy()
    at.text_input(key="ft_sentence").set_value("do you open on sunday ?").run()
    assert_clean(at)
    second = at.dataframe[1].value
    assert list(second.iloc[:, 0]) != list(first.iloc[:, 0])
    assert "sunday" in list(second.iloc[:, 0]) and "open on" in list(second.iloc[:, 0])
    vectors = at.dataframe[2].value  # every feature's vector, then their mean h
    assert vectors.shape == (len(second) + 1, 10) and vectors.index[-1] == "h"
    np.testing.assert_allclose(vectors.iloc[:-1].to_numpy().mean(axis=0), vectors.iloc[-1].to_numpy())


def test_hierarchical_softmax_tree_path(generous_budget):
    at = open_page()
    at.selectbox(key="ft_loss").set_value("hierarchical_softmax").run()
    until(at, lambda a: ft_run(a).done)
    text = texts(at)
    assert "product of the σ on its path" in text and "sum to 1.000000" in text
    assert at.selectbox(key="ft_tree_label")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_comparison_sweep_and_cnn_finish(generous_budget, lang):
    at = open_page(lang)
    until(at, lambda a: ft_run(a).done)
    at.button(key="ft_compare_btn").click().run()
    until(at, lambda a: a.session_state["ft_compare"].done)
    at.button(key="ft_sweep_btn").click().run()
    until(at, lambda a: a.session_state["ft_sweep"].done)
    at.button(key="ft_cnn_btn").click().run()
    until(at, lambda a: a.session_state["ft_cnn"].done)
    at.run()
    assert_clean(at)
    text = texts(at)
    if lang == "en":
        assert "instead of 6 exponentials" in text and "With 16 buckets" in text
        assert "Which n-gram each filter fired on" in text
    else:
        assert "个指数" in text and "用 16 个桶时" in text and "每个滤波器在哪个 n-gram 上激活" in text
    cnn = at.session_state["ft_cnn"]
    assert cnn.epoch == cnn.epochs and cnn.history[-1]["test_acc"] > 0.8
