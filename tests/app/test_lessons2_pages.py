"""AppTest on the overfitting and hyperparameter-search pages: defaults run clean, the main buttons work
end to end (train a comparison, search to completion), Stop keeps finished trials, errors are friendly."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from streamlit.testing.v1 import AppTest

# Import the package first: AppTest puts pages/ on sys.path, where pages/playground.py would
# otherwise shadow the ``playground`` package.
import playground.lessons.overfitting  # noqa: F401
import playground.lessons.search  # noqa: F401

PAGES = Path(__file__).resolve().parents[2] / "pages"


def load(name: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / name), default_timeout=60).run()
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [x.value for x in at.info]
    parts += [x.value for x in at.warning] + [m.value for m in at.metric]
    return "\n".join(str(p) for p in parts)


def until(at: AppTest, done, limit: int = 80) -> AppTest:
    """Rerun (one live-fragment tick each) until ``done(at)``."""
    for _ in range(limit):
        if done(at):
            return at.run()
        at.run()
        assert_clean(at)
    raise AssertionError("the page did not finish in time")


# -- overfitting ----------------------------------------------------------------------------------
def comparison(at):
    return at.session_state["of_comparison"]


def test_overfitting_page_opens_training_the_classic_comparison():
    at = load("overfitting.py")
    comp = comparison(at)
    assert [r.name for r in comp.runs] == ["no regularization", "L2 λ=0.03", "L1 λ=0.003", "dropout 0.2"]
    assert comp.training and 0 < comp.progress < 1, "the first tick trains a few epochs and draws them"
    assert "training… epoch" in at.get("progress")[0].proto.text
    assert len(at.get("vega_lite_chart")) == 2, "the curves are drawn from the first tick"
    assert at.button(key="of_presets") and at.button(key="of_add")
    at.button(key="of_clear").click().run()
    assert "No runs yet" in texts(at)


def test_overfitting_classic_comparison_trains_and_shows_everything():
    at = load("overfitting.py")
    until(at, lambda a: not comparison(a).training)
    assert_clean(at)
    comp = comparison(at)
    assert [r.name for r in comp.runs] == ["no regularization", "L2 λ=0.03", "L1 λ=0.003", "dropout 0.2"]
    table = at.dataframe[0].value
    assert list(table["run"]) == [r.name for r in comp.runs]
    plain, l2 = table.iloc[0], table.iloc[1]
    assert l2["test_acc"] > plain["test_acc"] and l2["gap"] < plain["gap"], "the lesson's claim, on the page"
    assert len(at.get("download_button")) == 2 + 4
    assert len(at.get("image")) >= 8  # four boundaries, four network views
    assert "pushes most weights" in texts(at)
    assert "What to look for" in texts(at)


def test_overfitting_named_run_remove_and_apply_setup():
    at = load("overfitting.py")
    at.button(key="of_clear").click().run()
    at.text_input(key="of_name").input("sparse")
    at.radio(key="of_penalty").set_value("l1").run()  # λ is greyed out until a penalty is chosen
    at.select_slider(key="of_lambda").set_value(0.003)
    at.button(key="of_add").click().run()
    at.radio(key="of_penalty").set_value("none")
    at.checkbox(key="of_small").check()
    at.button(key="of_add").click().run()
    assert [r.name for r in comparison(at).runs] == ["sparse", "small net"]
    assert comparison(at).runs[0].cures.regularization == "l1"
    until(at, lambda a: not comparison(a).training)
    at.button(key="of_rm_0").click().run()
    assert [r.name for r in comparison(at).runs] == ["small net"]
    at.slider(key="of_n_train").set_value(100)  # in a form: applied by its button
    at.button(key="of_apply").click().run()
    assert_clean(at)
    assert comparison(at).setup.n_train == 100 and comparison(at).runs == [], "applying clears the runs"


def test_overfitting_too_many_runs_is_a_friendly_error():
    at = load("overfitting.py")
    at.button(key="of_presets").click().run()  # four more than the page opened with
    assert len(comparison(at).runs) == 8
    at.button(key="of_add").click().run()
    assert not at.exception
    assert any("at most 8 runs" in e.value for e in at.error)


# -- hyperparameter search ------------------------------------------------------------------------
def search(at):
    return at.session_state["hs_search"]


def small(at: AppTest, trials: int = 12, epochs: int = 5) -> AppTest:
    """Stop the search the page opened with, and set a small one up."""
    at.button(key="hs_stop").click().run()
    at.number_input(key="hs_trials").set_value(trials)
    at.number_input(key="hs_epochs").set_value(epochs)
    return at


def test_search_page_opens_running_the_default_search():
    at = load("hyperparameter_search.py")
    s = search(at)
    assert not s.done and s.cfg == config_from_widgets(at), "the widgets' defaults are the search's"
    assert at.button(key="hs_start").disabled and not at.button(key="hs_stop").disabled
    # the first tick draws the first wave as trials in training (hollow points), before any trains
    assert s.results == [] and "0 of 100 trials · 25 training" in at.get("progress")[0].proto.text
    rows = at.get("vega_lite_chart")[0].proto.datasets[0].data.data
    assert len(pa.ipc.open_stream(rows).read_all()) == 25
    at.run()
    assert search(at).progress > 0


def config_from_widgets(at: AppTest):
    """The search config the page's widgets describe (what Start search would run)."""
    from playground.lessons.search import SearchConfig, SearchSpace

    ss = at.session_state
    return SearchConfig(
        dataset=ss["hs_dataset"],
        noise=float(ss["hs_noise"]),
        n_samples=int(ss["hs_points"]),
        val_fraction=float(ss["hs_val"]) / 100.0,
        activation=ss["hs_activation"],
        optimizer=ss["hs_optimizer"],
        epochs=int(ss["hs_epochs"]),
        n_trials=int(ss["hs_trials"]),
        method=ss["hs_method"],
        seed=int(ss["hs_seed"]),
        space=SearchSpace(
            lr=tuple(ss["hs_lr"]),
            weight_decay=tuple(ss["hs_wd"]),
            depths=tuple(ss["hs_depths"]),
            widths=tuple(ss["hs_widths"]),
            batch_sizes=tuple(ss["hs_batches"]),
            dropout=tuple(ss["hs_dropout"]) if ss["hs_vary_dropout"] else (0.0, 0.0),
        ),
    )


def test_search_runs_to_completion_and_tests_the_best_once():
    at = small(load("hyperparameter_search.py"))
    at.button(key="hs_start").click().run()
    until(at, lambda a: search(a).done)
    assert_clean(at)
    s = search(at)
    assert s.status == "done" and len(s.results) == 12
    assert s.test_result is not None and s.test_result["trial"] == s.best()["trial"]
    metrics = {m.label: m.value for m in at.metric}
    assert set(metrics) >= {"Validation accuracy", "Test accuracy", "Learning rate", "Weight decay"}
    assert "biased upwards" in texts(at)
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == 10
    assert "12 of 12 trials" in at.get("progress")[0].proto.text


def test_search_stop_keeps_finished_trials():
    at = small(load("hyperparameter_search.py"), trials=200, epochs=400)
    at.button(key="hs_start").click().run()
    s = search(at)
    assert not s.done
    at.button(key="hs_stop").click().run()
    assert_clean(at)
    assert s.status == "stopped" and len(s.results) < 200
    assert all(r["epochs"] == 400 for r in s.results)
    assert "stopped" in at.get("progress")[0].proto.text


def test_grid_search_and_a_bad_space_is_a_friendly_error():
    at = small(load("hyperparameter_search.py"), trials=16)
    at.radio(key="hs_method").set_value("grid")
    at.button(key="hs_start").click().run()
    until(at, lambda a: search(a).done)
    assert "(a 4×4 grid)" in texts(at)
    at.multiselect(key="hs_depths").set_value([])
    at.button(key="hs_start").click().run()
    assert not at.exception
    assert any("depth" in e.value for e in at.error)
