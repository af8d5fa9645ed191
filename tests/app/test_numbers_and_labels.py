"""Numbers and small inconsistencies a learner met (issue 12, §7), each on the page or the data
behind it: plain-digit number inputs, hyperparameter labels from the registries (β₁, not beta1),
one history row per epoch after a preset or a weight edit, a divergence callout that names the
epoch the counter shows, one notice per bad ``layers`` value, λ and the dropout range greyed out
when they do nothing, and a dataset menu that does not say "classes" twice."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.engine import INITIALIZERS, OPTIMIZERS, SCHEDULES
from playground.experiment import Experiment, PlaygroundConfig, load_preset
from playground.urlconfig import from_query

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def run_app(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def run_page(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


# -- number inputs and labels ----------------------------------------------------------------------


def test_playground_number_inputs_use_plain_digits_and_registry_labels():
    at = run_app({"init": "uniform", "optimizer": "adagrad"})
    inputs = {n.label: n for n in at.number_input}
    assert "limit" in inputs and "initial accumulator" in inputs, list(inputs)
    assert "initial_accumulator_value" not in inputs and "initial accumulator value" not in inputs
    for n in at.number_input:
        assert "e" not in (n.proto.format or ""), (n.label, n.proto.format)  # never "5.00e-1"
    assert inputs["limit"].value == 0.5


def test_every_registry_parameter_has_a_readable_label():
    for registry in (OPTIMIZERS, SCHEDULES, INITIALIZERS):
        for entry in registry.values():
            for name, p in entry.params.items():
                title = p.title(name)
                assert "_" not in title and not any(c in "0123456789" for c in title), (entry.name, title)
    assert OPTIMIZERS["adam"].params["beta1"].title("beta1") == "β₁"
    assert OPTIMIZERS["adagrad"].params["initial_accumulator_value"].title("x") == "initial accumulator"


def test_optimizer_race_labels_come_from_the_registry():
    at = run_page("optimizers.py")
    labels = {n.label for n in at.number_input}
    assert "initial_accumulator_value" not in labels and "beta1" not in labels and "lr" not in labels
    assert "learning rate α" in labels
    for n in at.number_input:
        assert "e" not in (n.proto.format or ""), (n.label, n.proto.format)  # never "3.00e-1"


# -- the history: one row per epoch ---------------------------------------------------------------


def epochs_in_csv(exp: Experiment) -> list[int]:
    return [int(r["epoch"]) for r in csv.DictReader(io.StringIO(exp.history_csv()))]


def test_a_preset_starts_with_one_row_for_epoch_0():
    exp = load_preset("xor_two_relus")
    assert epochs_in_csv(exp) == [0]
    assert exp.history[-1]["train_acc"] == 1.0  # the row is the preset's weights, not the random ones
    exp.step(2)
    assert epochs_in_csv(exp) == [0, 1, 2]


def test_a_weight_edit_replaces_the_row_of_its_epoch():
    exp = Experiment()
    exp.step(3)
    W, b = exp.layer_weights("out")
    exp.set_layer_weights("out", W * 0, b * 0 + 3.0)
    assert epochs_in_csv(exp) == [0, 1, 2, 3]
    assert exp.history[-1]["edited"] and math.isclose(
        exp.history[-1]["train_loss"], exp.trainer.evaluate()["train_loss"]
    )
    exp.step(1)
    assert epochs_in_csv(exp) == [0, 1, 2, 3, 4]


def test_loading_a_preset_on_the_page_leaves_one_row_for_epoch_0():
    at = run_app()
    at.button(key="btn_step").click().run()
    at.selectbox(key="c_preset").set_value("xor_two_relus")
    at.button(key="btn_preset").click().run()
    assert epochs_in_csv(at.session_state["exp"]) == [0]


# -- the divergence callout ----------------------------------------------------------------------


def test_divergence_callout_names_the_epoch_the_counter_shows():
    at = run_app({"dataset": "reg-plane", "lr": "10"})
    at.button(key="btn_play").click().run()
    for _ in range(10):
        at.run()
        if at.session_state["exp"].status == "diverged":
            break
    exp = at.session_state["exp"]
    assert exp.status == "diverged"
    shown = at.metric[0].value
    assert shown == str(exp.epoch)
    callout = " ".join(str(e.value) for e in at.error)
    assert f"after epoch {shown}," in callout, callout  # the counter's number, not the next epoch's
    assert f"epoch {exp.trainer.divergence.epoch} " not in callout, callout


# -- URL notices -----------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["100,abc", "9,9,9,9,9,9,9,9,9,x", "0,-3", "9,9,9,9,9,9,9,9,9,100"])
def test_one_layers_value_gets_one_notice(raw):
    cfg, notices = from_query({"layers": raw})
    assert len(notices) == 1, notices
    (note,) = notices
    if "default" in note:  # thrown away: nothing else is claimed about it
        assert cfg.model.hidden == PlaygroundConfig().model.hidden and "→" not in note
    else:  # kept, clamped and cut: the notice says what is used, and that is what is used
        assert note.endswith(f"Using {','.join(map(str, cfg.model.hidden))}.")


def test_a_bad_layers_link_shows_one_notice_on_the_page():
    at = run_app({"layers": "100,abc"})
    assert at.session_state["url_notices"] == [
        "“layers=100,abc” is not a list of whole numbers; using the default (4,2)."
    ]


# -- controls that do nothing are greyed out ------------------------------------------------------


def test_overfitting_lambda_is_disabled_without_a_penalty():
    at = run_page("overfitting.py")
    assert at.radio(key="of_penalty").value == "none"
    assert at.select_slider(key="of_lambda").disabled
    at.radio(key="of_penalty").set_value("l2").run()
    assert not at.select_slider(key="of_lambda").disabled


def test_search_dropout_range_is_disabled_unless_dropout_varies():
    at = run_page("hyperparameter_search.py")
    assert not at.checkbox(key="hs_vary_dropout").value
    assert at.slider(key="hs_dropout").disabled
    at.checkbox(key="hs_vary_dropout").check().run()
    assert not at.slider(key="hs_dropout").disabled


# -- the dataset menu ------------------------------------------------------------------------------


def test_dataset_menu_names_each_kind_once():
    at = run_app()
    box = at.selectbox(key="c_dataset")  # on the page, in the data column
    shown = list(box.options)
    assert "Spiral, 3 classes" in shown, shown
    assert not any(s.count("class") > 1 for s in shown), shown
    assert any(s.startswith("Iris") and "multi-class" in s for s in shown), shown
    assert any("regression" in s for s in shown)


# -- the search's best-trials table ---------------------------------------------------------------


def test_search_table_shows_short_headers_and_only_columns_that_differ():
    at = run_page("hyperparameter_search.py")
    if "hs_search" not in at.session_state:  # the page may start the default search by itself
        at.button(key="hs_start").click().run()
    for _ in range(300):
        if "hs_search" in at.session_state and at.session_state["hs_search"].done:
            break
        at.run()
    at.run()
    table = next(d for d in at.dataframe if d.proto.column_order)
    shown = list(table.proto.column_order)
    config = json.loads(table.proto.columns)
    assert {"val_acc", "lr", "weight_decay"} <= set(shown) and "trial" not in shown, shown
    data = table.value
    for column in shown:  # a column the same for every trial is not shown (it was cut off: "wei…")
        assert column in ("rank", "val_acc", "train_acc", "lr", "weight_decay") or data[column].nunique() > 1
    labels = [config[c]["label"] for c in shown]
    assert max(len(label) for label in labels) <= 9, labels
    assert config["lr"]["label"] == "α" and config["weight_decay"]["label"] == "λ"
    assert "e" not in config["lr"]["type_config"]["format"]  # 0.00027, not 2.70e-04
