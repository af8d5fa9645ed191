"""Lesson: hyperparameter search, many small nets trained at once (thin page; logic in
``playground.lessons.search``)."""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from playground.engine import ACTIVATIONS as ACTIVATION_REGISTRY
from playground.engine import OPTIMIZERS as OPTIMIZER_REGISTRY
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
from playground.ui.links import playground_url, trial_query
from playground.ui.page import route_through_app, show_error
from playground.viz.metrics import scatter_search_chart

route_through_app()

log = logging.getLogger("playground.search")
FRIENDLY = "Something went wrong with these settings; finished trials are kept. Try other values."
LR_OPTIONS = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
WD_OPTIONS = (1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1.0, 10.0)
TICK_S = 0.2


def is_default(search: Search) -> bool:
    """The default search: what the "what to look for" text is about."""
    return search.cfg == SearchConfig()


#: The best-trials table sits in a narrow column: short headers and compact numbers, so no column
#: is cut off ("wei…", ".0000211").
TABLE_CONFIG = {
    "rank": st.column_config.NumberColumn("#", width=28),
    "trial": st.column_config.NumberColumn("trial", width=40),
    "val_acc": st.column_config.NumberColumn("val acc", format="%.3f", width=58),
    "val_loss": st.column_config.NumberColumn("val loss", format="%.3f", width=58),
    "train_acc": st.column_config.NumberColumn("train acc", format="%.3f", width=62),
    "lr": st.column_config.NumberColumn("α", format="%.2g", width=58, help="Learning rate"),
    "weight_decay": st.column_config.NumberColumn("λ", format="%.2g", width=58, help="Weight decay (L2)"),
    "depth": st.column_config.NumberColumn("depth", width=44),
    "width": st.column_config.NumberColumn("width", width=44),
    "batch_size": st.column_config.NumberColumn("batch", width=44),
    "dropout": st.column_config.NumberColumn("dropout", format="%.2f", width=54),
}


def table_columns(table: pd.DataFrame) -> list[str]:
    """The scores and the two rates always; depth, width, batch size, dropout and status only when
    they differ between the trials shown (the rest is the same for all, and said above the table)."""
    always = ("rank", "val_acc", "train_acc", "lr", "weight_decay")
    return [c for c in table.columns if c in always or (c != "trial" and table[c].nunique() > 1)]


def fail(exc: Exception) -> None:
    show_error(exc, log, FRIENDLY)


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
st.title("Hyperparameter search")
st.markdown(
    "Which learning rate and weight decay work? Rather than guess, sample many pairs **on a log scale** "
    "(every decade equally likely, as Saito and Ng recommend), train a small net for each, and score it "
    "on the **validation** split. A search with the default ranges starts as the page opens."
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
        "Start search",
        key="hs_start",
        on_click=on_start,
        type="primary",
        disabled=running(),
        width="stretch",
        help="Sample and train with the settings below.",
    )
    b2.button(
        "Stop",
        key="hs_stop",
        on_click=on_stop,
        disabled=not running(),
        width="stretch",
        help="Stop now; finished trials are kept.",
    )
    if st.session_state.get("hs_error") is not None:
        fail(st.session_state.hs_error)
    st.radio(
        "Method",
        ["random", "grid"],
        format_func=lambda k: {"random": "Random search", "grid": "Grid search"}[k],
        key="hs_method",
        horizontal=True,
        help="Random draws every trial independently; grid lays the two rates on a k × k log grid.",
    )
    st.number_input("Trials", 1, MAX_TRIALS, 100, 10, key="hs_trials", help="How many models to train.")
    st.number_input(
        "Epochs per trial",
        1,
        MAX_EPOCHS,
        50,
        10,
        key="hs_epochs",
        help="Each trial trains this long, then is scored.",
    )
    st.select_slider(
        "Learning rate range",
        LR_OPTIONS,
        value=(1e-3, 3.0),
        format_func=fmt,
        key="hs_lr",
        help="Sampled log-uniformly between the two ends.",
    )
    st.select_slider(
        "Weight decay (L2 λ) range",
        WD_OPTIONS,
        value=(1e-6, 1.0),
        format_func=fmt,
        key="hs_wd",
        help="Sampled log-uniformly between the two ends; λ/2·‖W‖² is added to the loss.",
    )
    with st.expander("Depth, width, batch size, dropout, seed", expanded=False):
        st.number_input(
            "Sampler seed", 0, 10_000, 0, 1, key="hs_seed", help="The same seed draws the same trials."
        )
        st.multiselect(
            "Depths",
            [1, 2, 3, 4],
            default=[2],
            key="hs_depths",
            help="Hidden layers; several: each trial picks one.",
        )
        st.multiselect(
            "Widths",
            [2, 4, 8, 16, 32],
            default=[8],
            key="hs_widths",
            help="Units per hidden layer; several: each trial picks one.",
        )
        st.multiselect(
            "Batch sizes",
            [5, 10, 20, 50, 100],
            default=[10],
            key="hs_batches",
            help="Several: each trial picks one.",
        )
        vary_dropout = st.checkbox(
            "Vary dropout", key="hs_vary_dropout", help="Also sample a dropout rate per trial."
        )
        st.slider(
            "Dropout range",
            0.0,
            0.8,
            (0.0, 0.3),
            0.05,
            key="hs_dropout",
            help="Sampled uniformly when varied.",
            disabled=not vary_dropout,
        )

    with st.expander("Data and network", expanded=False):
        e1, e2 = st.columns(2)
        e1.selectbox("Data", DATASET_CHOICES, key="hs_dataset", help="A two-class problem in the plane.")
        e2.slider("Noise %", 0, 50, 25, 5, key="hs_noise", help="Label noise.")
        e1.select_slider(
            "Points", [200, 500, 1000, 2000], value=1000, key="hs_points", help="Before the split."
        )
        e2.slider(
            "Validation share %",
            5,
            50,
            20,
            5,
            key="hs_val",
            help="Share of the training half set aside to score trials.",
        )
        e1.selectbox(
            "Activation",
            ACTIVATIONS,
            format_func=lambda k: ACTIVATION_REGISTRY[k].label,
            key="hs_activation",
            help="Same for every trial.",
        )
        e2.selectbox(
            "Optimizer",
            OPTIMIZERS,
            format_func=lambda k: OPTIMIZER_REGISTRY[k].label,
            key="hs_optimizer",
            help="Same for every trial; its learning rate is what the search varies.",
        )
        st.caption(
            "Half the points train (minus the validation share), half are the test split. Every trial starts "
            "from the same seed, so only the searched settings differ."
        )


@st.fragment(run_every=TICK_S if running() else None)
def live() -> None:
    search: Search | None = st.session_state.get("hs_search")
    if search is None:
        st.info("Set the ranges and press **Start search**.")
        return
    try:
        was_running = not search.done
        if was_running and st.session_state.get("hs_drawn") == id(search):
            search.advance(budget_s=0.25)
        st.session_state.hs_drawn = id(search)  # a new search's first tick only draws its first wave
        info = summary(search)
        label = f"{info['finished']} of {info['planned']} trials"
        if info["training"]:
            label += f" · {info['training']} training"
        if search.status == "stopped":
            label += " (stopped: the finished trials are kept)"
        st.progress(search.progress, text=label)
        chart = scatter_search_chart(
            scatter_rows(search), x="lr", y="weight_decay", color="val_acc", height=300
        )
        st.altair_chart(chart, width="stretch", key="hs_scatter")
        st.caption(
            "Each point a trial, coloured by validation accuracy; hollow grey circles are training, grey "
            f"crosses diverged. Distinct learning rates tried: {info['distinct_lr']}, weight decays: "
            f"{info['distinct_weight_decay']}"
            + (
                f" (a {'×'.join(map(str, grid_shape(search.cfg.n_trials)))} grid)"
                if search.cfg.method == "grid"
                else ""
            )
            + f"; {info['diverged']} diverged; training time {info['seconds']:.1f} s."
        )
        if is_default(search):
            st.info(f"**What to look for:** {WHAT_TO_LOOK_FOR}", icon=":material/search:")
        rows = table_rows(search, top=10)
        if rows:
            st.markdown("**Best trials** (by validation accuracy, then loss)")
            table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
            st.dataframe(
                table,
                hide_index=True,
                key="hs_table",
                column_config=TABLE_CONFIG,
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
        st.warning("No trial finished with a score. Lower the learning-rate range and search again.")
    else:
        try:
            test = score_on_test(search, st.session_state.hs_split)
            st.subheader("The best trial")
            m1, m2, m3, m4 = st.columns(4)
            m1.metric("Validation accuracy", f"{best['val_acc']:.1%}", help="What the search maximized.")
            m2.metric(
                "Test accuracy",
                f"{test['test_acc']:.1%}",
                help=f"On {test['n_test']} test points, used once.",
            )
            m3.metric("Learning rate", f"{best['lr']:.3g}")
            m4.metric("Weight decay", f"{best['weight_decay']:.3g}")
            st.markdown(
                "**Why the test split is used only now, and only for this trial:** the best of "
                f"{len(search.results)} validation scores is biased upwards (some trials get lucky on "
                "those points), so it overstates how the chosen model does on new data. The test points "
                "played no part in the choice, so their score is an honest estimate; using them to pick "
                "among trials would make it just as optimistic."
            )
            query = trial_query(search, best)
            st.link_button(
                "Open the best configuration in the Playground ↗",
                playground_url(query, "/"),
                key="hs_open_best",
                help="Same data, split, net, optimizer, learning rate, weight decay and seed.",
            )
        except Exception as exc:  # noqa: BLE001
            fail(exc)
