"""AppTest of the word-embedding page through app.py, in English and in Chinese: it runs clean, Play and
Step train, each main control changes what is shown, the probes answer, bad input gets a message."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

import playground.lessons.wordvec  # noqa: F401  (before AppTest puts pages/ on sys.path)
from playground import i18n

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.activate("en")


def open_page(lang: str = "en") -> AppTest:
    # AppTest formats select-box options in the test's thread: use the page's language there too
    i18n.activate(lang)
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/word_embeddings.py").run()
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def text(at: AppTest) -> str:
    parts = [str(m.value) for m in at.markdown] + [str(c.value) for c in at.caption]
    parts += [str(i.value) for i in at.info] + [t.value for t in at.title]
    return "\n".join(parts)


def map_rows(at: AppTest) -> list[dict]:
    """The rows of the word map (the chart whose data has a "label" and a "group" per word)."""
    for el in at.get("vega_lite_chart"):
        blobs = [ds.data.data for ds in el.proto.datasets] + (
            [el.proto.data.data] if el.proto.data.data else []
        )
        for blob in blobs:
            table = pa.ipc.open_stream(blob).read_all()
            if {"label", "group", "x"} <= set(table.column_names):
                return table.to_pylist()
    raise AssertionError("no word map on the page")


def lab(at):
    return at.session_state["wv_lab"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_runs_clean_step_and_play_train(lang):
    at = open_page(lang)
    assert lab(at).settings.corpus == lang and lab(at).epoch == 0  # the corpus in the page's language
    assert len(at.get("vega_lite_chart")) >= 8
    if lang == "zh":
        assert "词嵌入" in text(at) and "要看什么" in text(at)
        assert at.button(key="wv_play").label == "播放"
    else:
        assert "What to look for" in text(at)
    start = map_rows(at)
    at.button(key="wv_step").click().run()
    assert_clean(at)
    assert lab(at).epoch == 1 and len(lab(at).history) == 2
    assert map_rows(at) != start  # the map moved
    at.button(key="wv_play").click().run()
    assert at.session_state["wv_playing"]
    before = lab(at).progress()
    at.run()
    assert lab(at).progress() > before
    at.button(key="wv_pause").click().run()
    assert not at.session_state["wv_playing"]
    assert_clean(at)


def test_controls_change_the_run_and_the_views():
    at = open_page("en")
    first = lab(at)
    at.selectbox(key="wv_corpus").set_value("zh").run()
    assert_clean(at)
    assert "国王" in lab(at).vocab and at.text_input(key="wv_query").value == "国王 - 男人 + 女人"
    at.selectbox(key="wv_corpus").set_value("en").run()
    at.selectbox(key="wv_objective").set_value("glove").run()
    assert_clean(at)
    assert lab(at).glove and lab(at).settings.window == 10 and at.slider(key="wv_window").value == 10
    assert at.radio(key="wv_matrix").value == "W+W'"
    at.selectbox(key="wv_objective").set_value("hierarchical_softmax").run()
    assert_clean(at)
    assert at.radio(key="wv_matrix").options == ["W (input vectors)"]
    assert lab(at).settings.window == 4
    at.selectbox(key="wv_objective").set_value("negative_sampling").run()
    at.selectbox(key="wv_model").set_value("cbow").run()
    assert lab(at).settings.model == "cbow"
    at.select_slider(key="wv_dim").set_value(10).run()
    assert lab(at).vectors().shape[1] == 10
    at.select_slider(key="wv_alpha").set_value(0.0).run()
    assert_clean(at)
    assert lab(at) is not first and lab(at).settings.alpha == 0.0
    at.slider(key="wv_k").set_value(8).run()
    at.select_slider(key="wv_lr").set_value(0.5).run()
    at.select_slider(key="wv_sub").set_value(0.0).run()
    at.selectbox(key="wv_opt").set_value("adam").run()
    assert_clean(at)
    s = lab(at).settings
    assert (s.k, s.lr, s.subsample, s.optimizer) == (8, 0.5, 0.0, "adam")
    at.button(key="wv_step").click().run()
    assert_clean(at)
    before = map_rows(at)
    at.radio(key="wv_matrix").set_value("W'").run()
    assert_clean(at)
    assert "PCA of W′" in text(at)
    assert map_rows(at) != before


def test_probes_answer_and_bad_input_gets_a_message():
    at = open_page("en")
    at.button(key="wv_step").click().run()
    at.text_input(key="wv_query").input("paris - france + italy").run()
    assert_clean(at)
    df = at.table[0].value
    assert len(df) == 8 and "paris" not in set(df.iloc[:, 0])
    at.text_input(key="wv_query").input("paris - zzzz").run()
    assert not at.exception
    assert any("Not in the vocabulary: zzzz" in e.value for e in at.error)
    at.text_input(key="wv_query").input("king").run()
    assert_clean(at)
    at.selectbox(key="wv_leaf").set_value("queen").run()
    assert_clean(at)
    assert "“queen” has code" in text(at)
    at.selectbox(key="wv_centre").set_value("paris").run()
    at.selectbox(key="wv_context").set_value("france").run()
    assert_clean(at)
    assert "the one-hot vector of **paris**" in text(at)
    at.button(key="wv_measure").click().run()
    assert_clean(at)
    costs = at.session_state["wv_costs"]
    assert costs["softmax"]["ops_per_update"] == len(lab(at).vocab)


def test_microscope_under_glove_says_what_to_choose():
    at = open_page("zh")
    at.selectbox(key="wv_objective").set_value("glove").run()
    assert_clean(at)
    assert any("负采样" in i.value for i in at.info)  # the microscope needs word output vectors
