"""AppTest of the recurrent-networks page through app.py, in English and in Chinese: it opens
training (Play), Pause stops and Step trains a fixed number of updates, Reset starts over, every
main control changes the run or what is shown, the race and the gradient tabs print their claims,
the gradient check fills its table, and a bad setting is a message (never a traceback)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import playground.lessons.rnn as lab
from playground import i18n, limits
from playground.i18n import fmt_number

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(autouse=True)
def english_test_thread():
    with i18n.using("en"):
        yield


def open_page(lang: str = "en") -> AppTest:
    i18n.activate(lang)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.switch_page("pages/recurrent.py").run()
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [x.value for x in at.info]
    parts += [t.value for t in at.title] + [c.value for c in at.code]
    return "\n".join(str(p) for p in parts)


def charts(at: AppTest) -> list[str]:
    return [str(c.proto.spec) for c in at.get("vega_lite_chart")]


def run_of(at: AppTest) -> lab.Run:
    return at.session_state["rnn_run"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_opens_playing_and_each_tick_trains(lang):
    at = open_page(lang)
    title = "循环神经网络" if lang == "zh" else "Recurrent networks"
    assert title in texts(at)
    if lang == "zh":
        assert "看点" in texts(at) and "随时间传播的梯度" in str(at.tabs[2].label)
    assert at.session_state["rnn_playing"]
    before = run_of(at).updates
    at.run()
    assert_clean(at)
    assert run_of(at).updates > before
    assert len(charts(at)) >= 4  # metric, gradient by step, connectivity, heatmap (+ the gradient tab)


def test_pause_step_and_reset():
    at = open_page()
    at.button(key="rnn_pause").click().run()
    assert not at.session_state["rnn_playing"]
    n = run_of(at).updates
    at.run()
    assert run_of(at).updates == n  # paused: nothing trains
    at.button(key="rnn_step").click().run()
    assert run_of(at).updates == n + lab.Run.EVAL_EVERY
    at.button(key="rnn_reset").click().run()
    assert run_of(at).updates == 0
    at.button(key="rnn_play").click().run()
    assert at.session_state["rnn_playing"]


def test_each_main_control_changes_the_run():
    at = open_page()
    at.button(key="rnn_pause").click().run()
    controls = [
        ("selectbox", "rnn_cell", "gru_full", lambda r: r.setup.cell),
        ("slider", "rnn_layers", 2, lambda r: len(lab.recurrent_layers(r.net))),
        ("select_slider", "rnn_hidden", 16, lambda r: r.setup.hidden),
        ("slider", "rnn_seq_len", 12, lambda r: r.net.input_shape),
        ("slider", "rnn_scale", 2.0, lambda r: float(abs(r.net.params.params["r1.Wh"].value).max())),
        ("selectbox", "rnn_opt", "sgd", lambda r: r.trainer.optimizer.name),
        ("select_slider", "rnn_lr", 0.02, lambda r: r.trainer.optimizer.lr),
        ("select_slider", "rnn_clip", 5.0, lambda r: r.trainer.config.clip_norm),
        ("selectbox", "rnn_task", "adding", lambda r: r.setup.task),
    ]
    for kind, key, value, read in controls:
        before = read(run_of(at))
        getattr(at, kind)(key=key).set_value(value).run()
        assert_clean(at)
        assert read(run_of(at)) != before, key


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_text_task_shows_a_sample_and_the_temperature_reshapes_the_bars(lang):
    at = open_page(lang)
    at.button(key="rnn_pause").click().run()
    at.selectbox(key="rnn_task").set_value("text_zh" if lang == "zh" else "text_en").run()
    assert_clean(at)
    at.button(key="rnn_step").click().run()
    assert_clean(at)
    assert at.code and len(at.code[0].value) >= 100  # the generated text
    bars = [s for s in charts(at) if "softmax" in s]
    assert bars
    at.slider(key="rnn_tau").set_value(0.2).run()
    assert_clean(at)
    assert [s for s in charts(at) if "softmax" in s] != bars
    assert "bits" in texts(at) or "比特" in texts(at)


def test_heatmap_choice_and_equations():
    at = open_page()
    at.button(key="rnn_pause").click().run()
    before = charts(at)
    at.selectbox(key="rnn_view").set_value("forget").run()
    assert_clean(at)
    assert charts(at) != before
    at.slider(key="rnn_eq_t").set_value(1).run()
    assert_clean(at)
    assert any("c^{\\langle t\\rangle} = f" in x.value for x in at.get("latex"))


def test_gradient_tab_claims_and_gradient_check():
    at = open_page()
    at.button(key="rnn_pause").click().run()
    assert "more than 1,000 times" in texts(at)
    at.radio(key="rnn_regime").set_value("saturating").run()
    assert "does not explode" in texts(at)
    at.selectbox(key="rnn_check_cell").set_value("gru_simple").run()
    at.button(key="rnn_check_btn").click().run()
    assert_clean(at)
    df = at.dataframe[0].value
    assert len(df) >= 5 and df.iloc[:, 2].astype(float).max() < 1e-6


def test_race_runs_on_the_same_batches(monkeypatch):
    old = limits.install(dataclasses.replace(limits.caps(), tick_train_budget_s=1.0))
    try:
        at = open_page()
        at.button(key="rnn_pause").click().run()
        at.button(key="rnn_race_start").click().run()
        assert_clean(at)
        race = at.session_state["rnn_race"]
        n = race.updates
        at.run()
        assert race.updates > n
        updates = {cell: run.updates for cell, run in race.runs.items()}
        assert len(set(updates.values())) <= 2  # lockstep (at most one step apart mid-tick)
    finally:
        limits.install(old)


def test_the_length_sweep_starts_and_advances():
    at = open_page()
    at.button(key="rnn_pause").click().run()
    at.button(key="rnn_sweep_start").click().run()
    assert_clean(at)
    sweep = at.session_state["rnn_sweep"]
    before = sweep.progress
    at.run()
    assert_clean(at)
    assert sweep.progress > before


# -- a learner's own text ---------------------------------------------------------------------------
def own_text(n_chars: int = 24_000) -> bytes:
    line = "Shall I compare thee to a summer's day? 春眠不觉晓，处处闻啼鸟。\n"
    return (line * (n_chars // len(line) + 1))[:n_chars].encode("utf-8")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_uploading_a_text_trains_a_model_on_it(lang):
    at = open_page(lang)
    at.button(key="rnn_pause").click().run()
    at.selectbox(key="rnn_task").set_value("text_upload").run()
    assert_clean(at)
    assert run_of(at).setup.task == "memory"  # no text yet: the current run goes on
    assert "UTF-8" in texts(at)
    uploader = at.file_uploader(key="rnn_file")
    # the label's limit and the uploader's own "… MB per file" line say the same
    assert uploader.proto.max_upload_size_mb == lab.UPLOAD_MAX_BYTES >> 20 == 1
    assert fmt_number(lab.UPLOAD_MAX_BYTES // 1024) in uploader.proto.label
    uploader.upload("sonnet.txt", own_text(), "text/plain").run()
    assert_clean(at)
    r = run_of(at)
    assert r.setup.task == "text_upload" and r.setup == lab.default_setup("text_upload")
    assert r.vocab.size == len(set(own_text().decode())) and "sonnet.txt" in texts(at)
    assert at.session_state["rnn_upload"] is r.corpus  # in the session's memory only
    at.button(key="rnn_step").click().run()
    assert_clean(at)
    assert run_of(at).updates == lab.Run.EVAL_EVERY and np.isfinite(run_of(at).metric[1])
    assert at.code and set(at.code[0].value) <= set(own_text().decode())  # generated from its characters
    at.button(key="rnn_reset").click().run()
    assert run_of(at).corpus is r.corpus and run_of(at).updates == 0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_bad_upload_is_a_message_and_the_run_goes_on(lang):
    at = open_page(lang)
    before = run_of(at)
    at.selectbox(key="rnn_task").set_value("text_en").run()
    r = run_of(at)
    assert r is not before and r.setup == lab.default_setup("text_en")  # the text defaults
    n = r.updates
    png = b"\x89PNG\r\n\x1a\n\xff\xd8" * 4000
    at.file_uploader(key="rnn_file").upload("photo.txt", png, "text/plain").run()
    assert not at.exception
    message = "\n".join(e.value for e in at.error)
    assert "UTF-8" in message and ("not UTF-8" if lang == "en" else "不是") in message, message
    assert run_of(at) is r and run_of(at).updates > n  # still training the English model
    at.file_uploader(key="rnn_file").upload("tiny.txt", b"To be, or not to be", "text/plain").run()
    assert not at.exception and run_of(at) is r
    assert "20000" in "\n".join(e.value for e in at.error)
