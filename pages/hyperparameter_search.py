"""Lesson: hyperparameter search, many small nets trained at once (thin page; logic in
``playground.lessons.search``)."""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from playground.data.generators import DATASETS
from playground.engine import ACTIVATIONS as ACTIVATION_REGISTRY
from playground.engine import OPTIMIZERS as OPTIMIZER_REGISTRY
from playground.hosting import streamlit_glue as hosting
from playground.i18n import N_, _, fmt_number, ngettext
from playground.lessons.search import (
    ACTIVATIONS,
    DATASET_CHOICES,
    MAX_EPOCHS,
    MAX_TRIALS,
    OPTIMIZERS,
    TABLE_COLUMNS,
    WHAT_TO_LOOK_FOR,
    Search,
    SearchConfig,
    SearchSpace,
    grid_shape,
    make_split,
    scatter_rows,
    score_on_test,
    search_data,
    summary,
    table_rows,
)
from playground.ui.lang import fragment
from playground.ui.links import playground_url, trial_query
from playground.ui.page import route_through_app, show_error
from playground.viz.metrics import scatter_search_chart

route_through_app()

log = logging.getLogger("playground.search")
LR_OPTIONS = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
WD_OPTIONS = (1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1.0, 10.0)
TICK_S = 0.2
#: A trial's status as the table shows it.
STATUS_LABELS = {"done": N_("done"), "diverged": N_("diverged"), "training": N_("training")}


def is_default(search: Search) -> bool:
    """The default search: what the "what to look for" text is about."""
    return search.cfg == SearchConfig()


def table_config() -> dict:
    """The best-trials table sits in a narrow column: short headers and compact numbers, so no column
    is cut off ("wei…", ".0000211")."""
    return {
        "rank": st.column_config.NumberColumn("#", width=28),
        "trial": st.column_config.NumberColumn(_("trial"), width=40),
        "val_acc": st.column_config.NumberColumn(_("val acc"), format="%.3f", width=58),
        "val_loss": st.column_config.NumberColumn(_("val loss"), format="%.3f", width=58),
        "train_acc": st.column_config.NumberColumn(_("train acc"), format="%.3f", width=62),
        "lr": st.column_config.NumberColumn("α", format="%.2g", width=58, help=_("Learning rate")),
        "weight_decay": st.column_config.NumberColumn(
            "λ", format="%.2g", width=58, help=_("Weight decay (L2)")
        ),
        "depth": st.column_config.NumberColumn(_("depth"), width=44),
        "width": st.column_config.NumberColumn(_("width"), width=44),
        "batch_size": st.column_config.NumberColumn(_("batch"), width=44),
        "dropout": st.column_config.NumberColumn(_("dropout"), format="%.2f", width=54),
        "status": st.column_config.TextColumn(_("status")),
    }


def table_columns(table: pd.DataFrame) -> list[str]:
    """The scores and the two rates always; depth, width, batch size, dropout and status only when
    they differ between the trials shown (the rest is the same for all, and said above the table)."""
    always = ("rank", "val_acc", "train_acc", "lr", "weight_decay")
    return [c for c in table.columns if c in always or (c != "trial" and table[c].nunique() > 1)]


def fail(exc: Exception) -> None:
    show_error(
        exc, log, _("Something went wrong with these settings; finished trials are kept. Try other values.")
    )


def fmt(v: float) -> str:
    return f"{v:g}"


def config_from_widgets() -> SearchConfig:
    s = st.session_state
    drop = tuple(float(v) for v in s.hs_dropout) if s.hs_vary_dropout else (0.0, 0.0)
    space = SearchSpace(
        lr=tuple(float(v) for v in s.hs_lr),
        weight_decay=tuple(float(v) for v in s.hs_wd),
        depths=tuple(int(v) for v in s.hs_depths),
        widths=tuple(int(v) for v in s.hs_widths),
        batch_sizes=tuple(int(v) for v in s.hs_batches),
        dropout=drop,
    )
    return SearchConfig(
        dataset=s.hs_dataset,
        noise=float(s.hs_noise),
        n_samples=int(s.hs_points),
        val_fraction=float(s.hs_val) / 100.0,
        activation=s.hs_activation,
        optimizer=s.hs_optimizer,
        epochs=int(s.hs_epochs),
        n_trials=int(s.hs_trials),
        method=s.hs_method,
        seed=int(s.hs_seed),
        space=space,
    )


# -- callbacks --------------------------------------------------------------------------------------
def start(cfg: SearchConfig) -> None:
    s = st.session_state
    try:
        split = make_split(cfg)
        s.hs_split = split  # the test part stays here; the search gets search_data(split) only
        s.hs_search = Search(cfg, search_data(split))
        s.hs_error = None
    except Exception as exc:  # noqa: BLE001
        s.hs_error = exc


def on_start() -> None:
    try:
        cfg = config_from_widgets()
    except Exception as exc:  # noqa: BLE001
        st.session_state.hs_error = exc
        return
    start(cfg)


def on_stop() -> None:
    search = st.session_state.get("hs_search")
    if search is not None:
        search.stop()


def running() -> bool:
    search = st.session_state.get("hs_search")
    return search is not None and not search.done


# -- page -----------------------------------------------------------------------------------------
st.title(_("Hyperparameter search"))
st.markdown(
    _(
        "Which learning rate and weight decay work? Rather than guess, sample many pairs **on a log scale** "
        "(every decade equally likely, as Saito and Ng recommend), train a small net for each, and score it "
        "on the **validation** split. A search with the default ranges starts as the page opens."
    )
)
if "hs_search" not in st.session_state and not st.session_state.get("hs_started"):
    # The first visit starts the default search (the widgets' defaults are SearchConfig's, which a
    # test checks), so trials fill in at once.
    st.session_state.hs_started = True
    start(SearchConfig())

controls, results = st.columns([1, 2.1], gap="medium")
with controls:
    b1, b2 = st.columns(2)
    b1.button(
        _("Start search"),
        key="hs_start",
        on_click=on_start,
        type="primary",
        disabled=running(),
        width="stretch",
        help=_("Sample and train with the settings below."),
    )
    b2.button(
        _("Stop"),
        key="hs_stop",
        on_click=on_stop,
        disabled=not running(),
        width="stretch",
        help=_("Stop now; finished trials are kept."),
    )
    if st.session_state.get("hs_error") is not None:
        fail(st.session_state.hs_error)
    st.radio(
        _("Method"),
        ["random", "grid"],
        format_func=lambda k: _("Random search") if k == "random" else _("Grid search"),
        key="hs_method",
        horizontal=True,
        help=_("Random draws every trial independently; grid lays the two rates on a k × k log grid."),
    )
    st.number_input(_("Trials"), 1, MAX_TRIALS, 100, 10, key="hs_trials", help=_("How many models to train."))
    st.number_input(
        _("Epochs per trial"),
        1,
        MAX_EPOCHS,
        50,
        10,
        key="hs_epochs",
        help=_("Each trial trains this long, then is scored."),
    )
    st.select_slider(
        _("Learning rate range"),
        LR_OPTIONS,
        value=(1e-3, 3.0),
        format_func=fmt,
        key="hs_lr",
        help=_("Sampled log-uniformly between the two ends."),
    )
    st.select_slider(
        _("Weight decay (L2 λ) range"),
        WD_OPTIONS,
        value=(1e-6, 1.0),
        format_func=fmt,
        key="hs_wd",
        help=_("Sampled log-uniformly between the two ends; λ/2·‖W‖² is added to the loss."),
    )
    with st.expander(_("Depth, width, batch size, dropout, seed"), expanded=False):
        st.number_input(
            _("Sampler seed"), 0, 10_000, 0, 1, key="hs_seed", help=_("The same seed draws the same trials.")
        )
        st.multiselect(
            _("Depths"),
            [1, 2, 3, 4],
            default=[2],
            key="hs_depths",
            help=_("Hidden layers; several: each trial picks one."),
        )
        st.multiselect(
            _("Widths"),
            [2, 4, 8, 16, 32],
            default=[8],
            key="hs_widths",
            help=_("Units per hidden layer; several: each trial picks one."),
        )
        st.multiselect(
            _("Batch sizes"),
            [5, 10, 20, 50, 100],
            default=[10],
            key="hs_batches",
            help=_("Several: each trial picks one."),
        )
        vary_dropout = st.checkbox(
            _("Vary dropout"), key="hs_vary_dropout", help=_("Also sample a dropout rate per trial.")
        )
        st.slider(
            _("Dropout range"),
            0.0,
            0.8,
            (0.0, 0.3),
            0.05,
            key="hs_dropout",
            help=_("Sampled uniformly when varied."),
            disabled=not vary_dropout,
        )

    with st.expander(_("Data and network"), expanded=False):
        e1, e2 = st.columns(2)
        e1.selectbox(
            _("Data"),
            DATASET_CHOICES,
            format_func=lambda k: _(DATASETS[k].label),
            key="hs_dataset",
            help=_("A two-class problem in the plane."),
        )
        e2.slider(_("Noise %"), 0, 50, 25, 5, key="hs_noise", help=_("Label noise."))
        e1.select_slider(
            _("Points"), [200, 500, 1000, 2000], value=1000, key="hs_points", help=_("Before the split.")
        )
        e2.slider(
            _("Validation share %"),
            5,
            50,
            20,
            5,
            key="hs_val",
            help=_("Share of the training half set aside to score trials."),
        )
        e1.selectbox(
            _("Activation"),
            ACTIVATIONS,
            format_func=lambda k: _(ACTIVATION_REGISTRY[k].label),
            key="hs_activation",
            help=_("Same for every trial."),
        )
        e2.selectbox(
            _("Optimizer"),
            OPTIMIZERS,
            format_func=lambda k: _(OPTIMIZER_REGISTRY[k].label),
            key="hs_optimizer",
            help=_("Same for every trial; its learning rate is what the search varies."),
        )
        st.caption(
            _(
                "Half the points train (minus the validation share), half are the test split. Every trial "
                "starts from the same seed, so only the searched settings differ."
            )
        )


@fragment(run_every=TICK_S if running() else None)
def live() -> None:
    search: Search | None = st.session_state.get("hs_search")
    if search is None:
        st.info(_("Set the ranges and press **Start search**."))
        return
    try:
        was_running = not search.done
        if was_running and st.session_state.get("hs_drawn") == id(search):
            with hosting.live_turn(None, key="hs"):  # in a workshop: in turn, within the tick budget
                search.advance(budget_s=hosting.lesson_budget(0.25))
        st.session_state.hs_drawn = id(search)  # a new search's first tick only draws its first wave
        info = summary(search)
        label = ngettext(
            "{finished} of {n} trial",
            "{finished} of {n} trials",
            info["planned"],
            finished=fmt_number(info["finished"]),
        )
        if info["training"]:
            label += " · " + _("{n} training", n=fmt_number(info["training"]))
        if search.status == "stopped":
            label += " " + _("(stopped: the finished trials are kept)")
        st.progress(search.progress, text=label)
        chart = scatter_search_chart(
            scatter_rows(search), x="lr", y="weight_decay", color="val_acc", height=300
        )
        st.altair_chart(chart, width="stretch", key="hs_scatter")
        counts = {
            "lrs": info["distinct_lr"],
            "wds": info["distinct_weight_decay"],
            "diverged": info["diverged"],
            "seconds": f"{info['seconds']:.1f}",
        }
        if search.cfg.method == "grid":
            text = _(
                "Each point a trial, coloured by validation accuracy; hollow grey circles are training, grey "
                "crosses diverged. Distinct learning rates tried: {lrs}, weight decays: {wds} (a {grid} "
                "grid); {diverged} diverged; training time {seconds} s.",
                grid="×".join(map(str, grid_shape(search.cfg.n_trials))),
                **counts,
            )
        else:
            text = _(
                "Each point a trial, coloured by validation accuracy; hollow grey circles are training, grey "
                "crosses diverged. Distinct learning rates tried: {lrs}, weight decays: {wds}; {diverged} "
                "diverged; training time {seconds} s.",
                **counts,
            )
        st.caption(text)
        if is_default(search):
            st.info(_("**What to look for:** {text}", text=_(WHAT_TO_LOOK_FOR)), icon=":material/search:")
        rows = table_rows(search, top=10)
        if rows:
            st.markdown(_("**Best trials** (by validation accuracy, then loss)"))
            table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
            table["status"] = table["status"].map(lambda v: _(STATUS_LABELS[v]) if v in STATUS_LABELS else v)
            st.dataframe(
                table,
                hide_index=True,
                key="hs_table",
                column_config=table_config(),
                column_order=table_columns(table),
            )
        if was_running and search.done:
            st.rerun()  # stop the timer and draw the final part of the page
    except Exception as exc:  # noqa: BLE001
        search.stop()
        fail(exc)


with results:
    live()

search = st.session_state.get("hs_search")
if search is not None and search.done:
    best = search.best()
    if best is None:
        st.warning(_("No trial finished with a score. Lower the learning-rate range and search again."))
    else:
        try:
            test = score_on_test(search, st.session_state.hs_split)
            st.subheader(_("The best trial"))
            m1, m2, m3, m4 = st.columns(4)
            m1.metric(
                _("Validation accuracy"), f"{best['val_acc']:.1%}", help=_("What the search maximized.")
            )
            m2.metric(
                _("Test accuracy"),
                f"{test['test_acc']:.1%}",
                help=_("On {n} test points, used once.", n=fmt_number(test["n_test"])),
            )
            m3.metric(_("Learning rate"), f"{best['lr']:.3g}")
            m4.metric(_("Weight decay"), f"{best['weight_decay']:.3g}")
            st.markdown(
                _(
                    "**Why the test split is used only now, and only for this trial:** the best of "
                    "{n} validation scores is biased upwards (some trials get lucky on "
                    "those points), so it overstates how the chosen model does on new data. The test points "
                    "played no part in the choice, so their score is an honest estimate; using them to pick "
                    "among trials would make it just as optimistic.",
                    n=fmt_number(len(search.results)),
                )
            )
            query = trial_query(search, best)
            st.link_button(
                _("Open the best configuration in the Playground ↗"),
                playground_url(query, "/"),
                key="hs_open_best",
                help=_("Same data, split, net, optimizer, learning rate, weight decay and seed."),
            )
        except Exception as exc:  # noqa: BLE001
            fail(exc)
