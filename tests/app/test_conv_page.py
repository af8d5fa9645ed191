"""AppTest of the convolution page through app.py, in English and in Chinese: it runs clean, Play and
Step train, each main control changes what is shown, the experiments' texts appear with their data."""

from __future__ import annotations

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
    )
    return "\n".join(parts)


def images(at: AppTest) -> list[str]:
    return [str(getattr(i, "proto", i)) for i in at.get("image")]


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
