"""AppTest of the convolution page through app.py, in English and in Chinese: it runs clean, Play and
Step train, each main control changes what is shown, the experiments' texts appear with their data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import playground.lessons.conv  # noqa: F401  (before AppTest puts pages/ on sys.path)
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
    at.switch_page("pages/convolution.py").run()
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def text(at: AppTest) -> str:
    parts = (
        [str(m.value) for m in at.markdown]
        + [str(c.value) for c in at.caption]
        + [str(i.value) for i in at.info]
        + [h.proto.body for h in at.get("html")]  # the live views: sentences, captions and images
    )
    return "\n".join(parts)


def images(at: AppTest) -> list[str]:
    pictures = [str(getattr(i, "proto", i)) for i in at.get("image")]
    return pictures + re.findall(
        r'src="(data:image/png[^"]+)"', " ".join(h.proto.body for h in at.get("html"))
    )


def leaves(node) -> list:
    children = getattr(node, "children", None)
    return [leaf for c in children.values() for leaf in leaves(c)] if children else [node]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_runs_clean_and_step_trains(lang):
    at = open_page(lang)
    lab = at.session_state["cv_lab"]
    assert lab.epoch == 0
    if lang == "zh":
        assert "卷积" in at.title[0].value
    else:
        assert at.title[0].value == "Convolutional networks"
    before = images(at)
    at.button(key="cv_step").click().run()
    assert_clean(at)
    assert at.session_state["cv_lab"].epoch == 1
    assert images(at) != before  # feature maps, filters and gradients changed


def image_count_and_sources(at: AppTest) -> list[str]:
    return images(at)


def test_a_live_tick_sends_three_elements():
    """The training tab's live fragment draws the status line, one chart (curves beside the confusion
    matrix) and one HTML block with every picture of the tick, one image per layer; the hint below it
    is drawn once, outside the fragment. Streamlit's cost per tick grows with the number of elements
    (it was ~25 ms of server CPU for ~16 elements and their columns)."""
    at = open_page()
    at.button(key="cv_play").click().run()
    assert_clean(at)
    kinds = [getattr(e, "type", type(e).__name__) for e in leaves(at.tabs[0])]
    assert kinds == ["markdown", "vega_lite_chart", "html", "info"], kinds
    html = at.tabs[0].get("html")[0].proto.body
    n_blocks = len(at.session_state["cv_lab"].cfg.blocks)
    assert html.count("<img") == 1 + 3 * n_blocks  # the input; per layer its maps, kernels, gradients
    assert "Epoch 0 ·" in at.tabs[0].markdown[0].value


def test_play_trains_in_the_live_fragment_and_pause_stops():
    at = open_page()
    assert at.session_state["cv_lab"].trainer.total_steps == 0
    at.button(key="cv_play").click().run()
    assert_clean(at)
    assert at.session_state["cv_playing"] is True
    assert at.session_state["cv_lab"].trainer.total_steps >= 1  # the fragment's first tick trained
    at.button(key="cv_play").click().run()
    assert at.session_state["cv_playing"] is False
    steps = at.session_state["cv_lab"].trainer.total_steps
    at.run()
    assert at.session_state["cv_lab"].trainer.total_steps == steps


@pytest.mark.parametrize(
    ("key", "value", "check"),
    [
        ("cv_f0", 4, lambda lab: lab.cfg.blocks[0].filters == 4),
        ("cv_k0", 5, lambda lab: lab.cfg.blocks[0].kernel == 5),
        ("cv_pool1", "avg", lambda lab: lab.cfg.blocks[1].pool == "avg"),
        ("cv_ps0", 1, lambda lab: lab.cfg.blocks[0].pool_stride == 1),
        ("cv_head", "global_avg", lambda lab: lab.cfg.head == "global_avg"),
        ("cv_act0", "tanh", lambda lab: lab.cfg.blocks[0].activation == "tanh"),
    ],
)
def test_each_network_control_rebuilds_the_net_and_changes_the_views(key, value, check):
    at = open_page()
    before_params = at.session_state["cv_lab"].net.n_params
    before = (images(at), text(at))
    at.selectbox(key=key).set_value(value).run()
    assert_clean(at)
    lab = at.session_state["cv_lab"]
    assert check(lab)
    assert (images(at), text(at)) != before  # maps, kernels or the prediction and its probability
    if key in ("cv_f0", "cv_k0", "cv_head"):
        assert lab.net.n_params != before_params
        assert f"{lab.net.n_params:,}" in at.expander[1].label or str(lab.net.n_params) in " ".join(
            e.label for e in at.expander
        )


def test_blocks_batch_norm_and_input_size_rebuild():
    at = open_page()
    at.number_input(key="cv_blocks").set_value(1).run()
    assert_clean(at)
    assert len(at.session_state["cv_lab"].cfg.blocks) == 1
    at.checkbox(key="cv_bn0").check().run()
    assert at.session_state["cv_lab"].cfg.blocks[0].batch_norm
    at.selectbox(key="cv_head").set_value("spp").run()
    at.selectbox(key="cv_size").set_value(16).run()
    assert_clean(at)
    lab = at.session_state["cv_lab"]
    assert lab.cfg.input_size == 16 and lab.cfg.head == "spp"
    assert lab.data.X_train.shape[-1] == 16


def test_a_network_that_does_not_fit_gets_a_message_and_the_old_net_stays():
    at = open_page()
    old = at.session_state["cv_lab"]
    at.number_input(key="cv_blocks").set_value(4).run()  # 8 → 4 → 2 → 1: the last 2×2 pool cannot fit
    assert not at.exception
    assert at.error and "does not fit" in at.error[0].value
    assert at.session_state["cv_lab"] is old


def test_training_controls_keep_the_weights():
    at = open_page()
    at.button(key="cv_step").click().run()
    lab = at.session_state["cv_lab"]
    at.select_slider(key="cv_lr").set_value(0.003).run()
    at.selectbox(key="cv_opt").set_value("momentum").run()
    at.select_slider(key="cv_batch").set_value(64).run()
    assert_clean(at)
    assert at.session_state["cv_lab"] is lab and lab.epoch == 1
    cfg = lab.trainer.config
    assert (cfg.learning_rate, cfg.optimizer, cfg.batch_size) == (0.003, "momentum", 64)


def test_test_image_and_receptive_field_controls_change_what_is_shown():
    at = open_page()
    before = images(at)
    at.number_input(key="cv_index").set_value(7).run()
    assert_clean(at)
    assert images(at) != before
    shown = text(at)
    at.slider(key="cv_rf_i").set_value(0).run()
    at.slider(key="cv_rf_j").set_value(0).run()
    assert_clean(at)
    assert "cell (0, 0)" in text(at) and text(at) != shown
    assert "the network computed" in text(at)
    at.selectbox(key="cv_rf_block").set_value(2).run()
    assert_clean(at)
    assert "Choose block 1" in text(at)


def test_drawing_gives_a_prediction():
    at = open_page()
    assert "Nothing drawn yet." in text(at)
    at.button(key="cv_copy").click().run()  # test digit 0 copied into the grid
    assert_clean(at)
    assert "The net says" in text(at)
    at.button(key="cv_clear").click().run()
    assert "Nothing drawn yet." in text(at)
    at.checkbox(key="cv_cell_3_3").check().run()
    assert "The net says" in text(at)


def test_pooling_and_budget_experiments_show_their_claims():
    at = open_page()
    at.button(key="cv_pool_run").click().run()
    assert_clean(at)
    assert "on the spike, the max keeps" in text(at)
    at.button(key="cv_budget_run").click().run()
    assert_clean(at)
    assert "averaged over 5 seeds the CNN reaches" in text(at)


def test_the_degradation_run_starts_and_advances():
    at = open_page()
    at.button(key="cv_deg_run").click().run()
    assert_clean(at)
    run = at.session_state["cv_degradation"]
    assert max(t.epoch for t in run.trainers.values()) >= 1
    assert "epoch" in " ".join(str(p.proto) for p in at.get("progress"))


def test_the_shift_probe_input_can_be_a_synthetic_shape():
    at = open_page()
    before = images(at)
    at.button_group(key="cv_probe").set_value("plus").run()
    assert_clean(at)
    assert images(at) != before
    assert "convolution is *equivariant*" in text(at)
