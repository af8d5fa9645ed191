"""The Playground page's frame, without a browser: a title, one sentence of orientation that is true
of the data on screen, the common controls on the page (not in the sidebar), the rest in the
sidebar's groups."""

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


def orientation(at: AppTest) -> str:
    return next(m.value for m in at.main.markdown if "Play" in m.value)


@pytest.mark.parametrize(
    "dataset, says",
    [
        ("circle", "orange points from the blue ones"),
        ("iris", "classes apart"),
        ("reg-gauss", "value at every point"),
    ],
)
def test_title_and_a_true_sentence_of_orientation(dataset, says):
    at = run({"dataset": dataset})
    assert any("Neural network playground" in m.value for m in at.main.markdown)
    assert says in orientation(at)


def test_the_sentence_follows_a_change_of_data_in_the_same_run():
    at = run()
    at.selectbox(key="c_dataset").set_value("reg-plane").run()
    assert "value at every point" in orientation(at)


def test_common_controls_are_on_the_page_and_the_rest_in_the_sidebar():
    at = run()
    main_keys = {w.key for kind in ("selectbox", "select_slider", "slider") for w in getattr(at.main, kind)}
    assert {"c_dataset", "c_activation", "c_optimizer", "c_lr", "c_noise", "c_points", "c_train"} <= main_keys
    assert at.main.button(key="btn_play") is not None
    side = {
        w.key
        for kind in ("selectbox", "number_input", "text_input", "multiselect")
        for w in getattr(at.sidebar, kind)
    }
    assert {"c_preset", "c_link", "c_layers", "c_init", "c_batch", "c_features", "c_seed"} <= side
    assert not side & {"c_dataset", "c_activation", "c_optimizer"}
    groups = [e.label for e in at.sidebar.expander]
    assert groups == ["Presets & links", "Data", "Network", "Training", "Live loop & views", "Downloads"]
