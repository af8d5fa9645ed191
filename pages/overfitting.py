"""Lesson: overfitting and its cures, runs compared side by side (thin page; logic in
``playground.lessons.overfitting``)."""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from playground.data.generators import DATASETS
from playground.hosting import streamlit_glue as hosting
from playground.i18n import N_, _
from playground.lessons.overfitting import (
    CLASSIC,
    DATASET_CHOICES,
    MAX_RUNS,
    MORE_DATA,
    N_TEST,
    PRESETS,
    WHAT_TO_LOOK_FOR,
    Comparison,
    Cures,
    Setup,
    classic_comparison,
)
from playground.ui.lang import fragment
from playground.ui.page import route_through_app, show_error
from playground.viz.boundary import boundary_image
from playground.viz.curves import compare_chart
from playground.viz.lessons import weight_histogram_chart
from playground.viz.network import network_svg

route_through_app()

log = logging.getLogger("playground.overfitting")
LAMBDAS = (0.0, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
HIDDEN = {"16-16": [16, 16], "32-32": [32, 32], "8-8": [8, 8], "16-16-16": [16, 16, 16]}
TICK_S = 0.25
#: The curve pairs the page offers: (label, left history key, right history key, log scale).
CURVES = {
    "acc": (N_("Accuracy"), "train_acc", "test_acc", False),
    "loss": (N_("Loss"), "train_loss", "test_loss", True),
    "gap": (N_("Gap (train − test)"), "gap_acc", "gap_loss", False),
}
PENALTIES = {"none": N_("none"), "l2": "L2", "l1": "L1"}
#: A run's status as the page shows it.
STATUS_LABELS = {
    "queued": N_("queued"),
    "training": N_("training"),
    "done": N_("done"),
    "early_stopped": N_("early stopped"),
    "diverged": N_("diverged"),
}


#: The table's number columns and their headers.
TABLE_NUMBERS = {
    "train_acc": N_("train acc"),
    "test_acc": N_("test acc"),
    "gap": N_("gap"),
    "train_loss": N_("train loss"),
    "test_loss": N_("test loss"),
    "near_zero_weights": N_("near-zero weights"),
}


def run_label(name: str) -> str:
    """A run's name as shown: the classic runs' names are message ids (translated); a learner's own
    name, or one made of its cures when it was added, is shown as it is."""
    return _(name)


def status_label(status: str) -> str:
    return _(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def fail(exc: Exception) -> None:
    show_error(
        exc, log, _("Something went wrong with these settings; the runs so far are kept. Try other values.")
    )


def is_classic(comp: Comparison) -> bool:
    """The default setup with exactly the classic four runs: what the "what to look for" text is about."""
    return comp.setup == Setup() and [r.name for r in comp.runs] == list(CLASSIC)


def comparison() -> Comparison:
    """The session's comparison; on the first visit it starts training the classic four runs, so the
    page moves as soon as it opens."""
    s = st.session_state
    if "of_comparison" not in s:
        s.of_comparison = classic_comparison()
    return s.of_comparison


# -- callbacks --------------------------------------------------------------------------------------
def on_apply_setup() -> None:
    s = st.session_state
    try:
        setup = Setup(
            dataset=s.of_dataset,
            noise=float(s.of_noise),
            n_train=int(s.of_n_train),
            seed=int(s.of_seed),
            hidden=list(HIDDEN[s.of_hidden]),
            epochs=int(s.of_epochs),
        )
        s.of_comparison = Comparison(setup)
        s.of_error = None
    except Exception as exc:  # noqa: BLE001
        s.of_error = exc


def on_add_run() -> None:
    s = st.session_state
    try:
        cures = Cures(
            regularization=s.of_penalty,
            reg_rate=float(s.of_lambda) if s.of_penalty != "none" else 0.0,
            dropout=float(s.of_dropout),
            early_stopping=bool(s.of_es),
            patience=int(s.of_patience),
            more_data=int(s.of_more),
            batch_norm=bool(s.of_bn),
            smaller_net=bool(s.of_small),
        )
        comparison().add(cures, s.of_name or None)
        s.of_name = ""
        s.of_error = None
    except Exception as exc:  # noqa: BLE001
        s.of_error = exc


def on_presets() -> None:
    s = st.session_state
    try:
        comp = comparison()
        for name in CLASSIC:
            if len(comp.runs) < MAX_RUNS:
                comp.add(PRESETS[name], name)
        s.of_error = None
    except Exception as exc:  # noqa: BLE001
        s.of_error = exc


def on_remove(name: str) -> None:
    comparison().remove(name)


def on_clear() -> None:
    comparison().clear()


# -- page -----------------------------------------------------------------------------------------
st.title(_("Overfitting and regularization"))
st.markdown(
    _(
        "A net far too large for its data (by default 16-16 tanh units for **60 noisy points**) learns the "
        "noise. The page opens training the plain net and three cures on the same data and seed: watch the "
        "**gap** between training and test accuracy."
    )
)

b1, b2, _rest = st.columns([1.4, 1, 3])
b1.button(
    _("Train the classic comparison"),
    key="of_presets",
    on_click=on_presets,
    type="primary",
    help=_("Adds four runs: no regularization, L2 λ = 0.03, L1 λ = 0.003 and dropout 0.2."),
)
b2.button(_("Remove all runs"), key="of_clear", on_click=on_clear, help=_("Start the comparison afresh."))

err = st.session_state.get("of_error")
if err is not None:
    fail(err)


@fragment(run_every=TICK_S if comparison().training else None)
def live() -> None:
    comp = comparison()
    try:
        if comp.training:
            # The first tick draws at once (a few epochs); later ticks train for most of the interval.
            started = any(r.history for r in comp.runs)
            with hosting.live_turn(None, key="of"):  # in a workshop: in turn, within the tick budget
                comp.advance(
                    budget_s=hosting.lesson_budget(0.2 if started else 0.02), chunk=10 if started else 2
                )
        if not comp.runs:
            st.info(
                _("No runs yet: press **Train the classic comparison**, or open **Add your own run** below.")
            )
            return
        epochs = max((r.final().get("epoch", 0) for r in comp.runs), default=0)
        st.progress(
            comp.progress,
            text=_("training… epoch {epoch} of {epochs}", epoch=epochs, epochs=comp.setup.epochs)
            if comp.training
            else _("all runs finished"),
        )
        histories = {run_label(name): h for name, h in comp.histories().items()}
        view = st.segmented_control(
            _("Curves"),
            list(CURVES),
            default="acc",
            format_func=lambda k: _(CURVES[k][0]),
            key="of_curves",
            help=_("Which pair of curves to show, for every run."),
        )
        label, left_key, right_key, log_scale = CURVES[view or "acc"]
        c1, c2 = st.columns(2)
        c1.altair_chart(compare_chart(histories, left_key, height=220, log_scale=log_scale), width="stretch")
        c2.altair_chart(compare_chart(histories, right_key, height=220, log_scale=log_scale), width="stretch")
        if view == "gap":
            st.caption(
                _(
                    "Accuracy gap: train − test accuracy. Loss gap: test − train loss. Both grow as a net "
                    "overfits."
                )
            )
        if is_classic(comp):
            st.info(_("**What to look for:** {text}", text=_(WHAT_TO_LOOK_FOR)), icon=":material/search:")

        st.markdown(_("**Decision boundaries** (training points drawn; white outline)"))
        per_row = 4
        for i in range(0, len(comp.runs), per_row):
            cols = st.columns(per_row)
            for col, run in zip(cols, comp.runs[i : i + per_row], strict=False):
                grid = comp.grid_values(run, n=64)
                if grid is None:
                    col.caption(_("{run}: queued", run=run_label(run.name)))
                    continue
                (x0, x1), (y0, y1) = comp.data.domain
                img = boundary_image(
                    grid, "binary", x_range=(x0, x1), y_range=(y0, y1), train=comp.train_points(run), scale=3
                )
                last = run.final()
                caption = _(
                    "{run} · test {acc}", run=run_label(run.name), acc=f"{last.get('test_acc', 0):.1%}"
                )
                col.image(img, caption=caption, width="stretch")

        table = pd.DataFrame(comp.table())
        table["run"] = table["run"].map(run_label)
        table["status"] = table["status"].map(status_label)
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={
                "run": st.column_config.TextColumn(_("run")),
                "status": st.column_config.TextColumn(_("status")),
                "epochs": st.column_config.NumberColumn(_("epochs")),
                **{
                    k: st.column_config.NumberColumn(_(label), format="%.3f")
                    for k, label in TABLE_NUMBERS.items()
                },
            },
        )
        if not comp.training and st.session_state.get("of_was_training"):
            st.session_state.of_was_training = False
            st.rerun()  # redraw the parts outside the fragment (downloads, weights) once training ends
        st.session_state.of_was_training = comp.training
    except Exception as exc:  # noqa: BLE001
        fail(exc)


live()

with st.expander(_("Add your own run: choose its cures"), expanded=False):
    r1, r2, r3, r4 = st.columns([1.3, 1, 1.2, 1])
    r1.text_input(
        _("Run name"),
        key="of_name",
        placeholder=_("(named after its cures)"),
        help=_("Name the run as you like."),
    )
    penalty = r2.radio(
        _("Penalty"),
        list(PENALTIES),
        format_func=lambda k: _(PENALTIES[k]),
        key="of_penalty",
        horizontal=True,
        help=_("L2 adds λ/2·‖W‖² to the loss; L1 adds λ·‖W‖₁."),
    )
    r3.select_slider(
        "λ",
        LAMBDAS,
        value=0.03,
        key="of_lambda",
        help=_("The penalty's strength (weights only, not biases); choose L2 or L1 to use it."),
        disabled=penalty == "none",
    )
    r4.slider(
        "Dropout",
        0.0,
        0.6,
        0.0,
        0.05,
        key="of_dropout",
        help=_("Share of hidden units switched off each step."),
    )
    r5, r6, r7, r8, r9 = st.columns([1, 1, 1, 1, 1])
    r5.checkbox(
        _("Early stopping"),
        key="of_es",
        help=_("Stop when the validation loss stops improving; keep the best weights."),
    )
    r6.number_input(
        _("Patience"), 1, 500, 30, 5, key="of_patience", help=_("Epochs without improvement before stopping.")
    )
    r7.selectbox(
        _("More data"),
        MORE_DATA,
        format_func=lambda k: f"×{k}",
        key="of_more",
        help=_("Train on 2× or 4× as many points of the same problem."),
    )
    r8.checkbox(_("Batch norm"), key="of_bn", help=_("Batch normalization before each activation."))
    r9.checkbox(
        _("Smaller net"), key="of_small", help=_("One hidden layer of 4 units instead of the large net.")
    )
    st.button(
        _("Add run"),
        key="of_add",
        on_click=on_add_run,
        help=_("Train this configuration next to the others."),
    )


setup = comparison().setup
with st.expander(_("The setup (data, network, epochs)"), expanded=False):
    with st.form("of_setup_form", border=False):
        c1, c2, c3, c4, c5, c6 = st.columns(6)
        c1.selectbox(
            _("Data"),
            DATASET_CHOICES,
            index=DATASET_CHOICES.index(setup.dataset),
            format_func=lambda k: _(DATASETS[k].label),
            key="of_dataset",
            help=_("The 2-D problem; its points are drawn once, then split into train, validation and test."),
        )
        c2.slider(
            _("Noise %"),
            0,
            50,
            int(setup.noise),
            5,
            key="of_noise",
            help=_("Label noise: what a net should not learn."),
        )
        c3.slider(
            _("Training points"),
            20,
            300,
            int(setup.n_train),
            10,
            key="of_n_train",
            help=_("Few points make overfitting easy; 'more data' runs use 2× or 4× as many."),
        )
        c4.selectbox(
            _("Hidden layers"),
            list(HIDDEN),
            index=list(HIDDEN.values()).index(setup.hidden) if setup.hidden in HIDDEN.values() else 0,
            key="of_hidden",
            help=_("Widths of the hidden layers (tanh): far more weights than points."),
        )
        c5.number_input(
            _("Epochs"),
            10,
            2000,
            int(setup.epochs),
            50,
            key="of_epochs",
            help=_(
                "Adam, learning rate {lr}, batch {batch}.", lr=setup.learning_rate, batch=setup.batch_size
            ),
        )
        c6.number_input(
            _("Seed"),
            0,
            10_000,
            int(setup.seed),
            1,
            key="of_seed",
            help=_("Same seed: same data, same initial weights."),
        )
        st.form_submit_button(
            _("Apply (clears the runs)"),
            on_click=on_apply_setup,
            key="of_apply",
            help=_("Every run uses the same data and seed."),
        )
    st.caption(
        _(
            "Test set: {n_test} points; validation set (watched by early stopping): {n_val} points; "
            "optimizer Adam, learning rate {lr}, batch {batch}.",
            n_test=N_TEST,
            n_val=setup.n_val,
            lr=setup.learning_rate,
            batch=setup.batch_size,
        )
    )


comp = comparison()
if comp.runs and not comp.training:
    st.subheader(_("Runs"))
    d1, d2, _rest = st.columns([1, 1, 3])
    d1.download_button(
        _("All runs (JSON)"),
        comp.to_json(),
        "runs.json",
        "application/json",
        key="of_dl_json",
        help=_("Setup, cures, configs and per-epoch history of every run."),
    )
    d2.download_button(
        _("All histories (CSV)"),
        comp.history_csv(),
        "runs.csv",
        "text/csv",
        key="of_dl_csv",
        help=_("One row per run and epoch."),
    )
    for k, run in enumerate(comp.runs):
        c1, c2, c3 = st.columns([3, 1, 1])
        c1.markdown(
            f"**{run_label(run.name)}** — {status_label(run.status)}" + (f" · {run.note}" if run.note else "")
        )
        c2.download_button(
            "JSON",
            comp.to_json([run.name]),
            f"run-{k + 1}.json",
            "application/json",
            key=f"of_dl_{k}",
            help=_("This run's config and history."),
        )
        c3.button(
            _("Remove"), key=f"of_rm_{k}", on_click=on_remove, args=(run.name,), help=_("Drop this run.")
        )

    with st.expander(_("Weights: L1 against L2"), expanded=True):
        st.markdown(
            _(
                "Histograms of every weight. **L1** pushes most weights to (nearly) zero and keeps a few "
                "large ones: a sparse net. **L2** shrinks all weights towards zero but rarely to it. In the "
                "network views, a thin faint line is a weight near zero."
            )
        )
        try:
            st.altair_chart(weight_histogram_chart({run_label(r.name): r.weights() for r in comp.runs}))
            cols = st.columns(min(4, len(comp.runs)))
            for col, run in zip(cols, comp.runs, strict=False):
                net = run.net()
                if net is None:
                    continue
                svg = network_svg(net.layer_sizes(), net.unit_weights(), input_names=["x₁", "x₂"], cell=12)
                if svg is not None:
                    col.image(svg, caption=run_label(run.name), width="stretch")
        except Exception as exc:  # noqa: BLE001
            fail(exc)
