"""Lesson: word embeddings — word2vec (skip-gram / CBOW; softmax, hierarchical softmax, negative
sampling) and GloVe trained live on a map of words (thin page; logic in ``playground.lessons.wordvec``,
charts in ``playground.viz.wordvec``)."""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
import streamlit as st

from playground import limits
from playground.errors import PlaygroundError
from playground.hosting import streamlit_glue as hosting
from playground.i18n import _, error_text, fmt_number, language
from playground.lessons import wordvec as wv
from playground.ui.charts import live_chart
from playground.ui.lang import fragment
from playground.ui.page import route_through_app, show_error
from playground.viz import wordvec as charts

route_through_app()

log = logging.getLogger("playground.word_embeddings")
TICK_S = 0.35
MAX_EPOCHS = 200  # a run pauses itself here
LEARNING_RATES = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
SUBSAMPLING = (0.0, 1e-4, 1e-3, 1e-2)
DIMS = (2, 5, 10, 20, 30, 50, 100)
DEFAULT_WINDOW = {"glove": 10}  # GloVe counts over a wider window (the GloVe paper's 10); word2vec uses 4
QUERIES = {"en": "king - man + woman", "zh": "国王 - 男人 + 女人", "upload": ""}
PAIRS = {"en": ("king", "crown"), "zh": ("国王", "王冠")}
S = st.session_state


class _Skip(Exception):
    """A tab with nothing to show for these settings (its message is already on the page)."""


def friendly() -> str:
    return _("Something went wrong with these settings; the run so far is kept. Try other values.")


def fail(exc: Exception) -> None:
    if isinstance(exc, PlaygroundError):
        st.error(error_text(exc), icon=":material/warning:")
    else:
        show_error(exc, log, friendly())


def defaults() -> None:
    base = wv.Settings()
    corpus = "zh" if language() == "zh" else base.corpus  # the shipped corpus in the page's language
    for key, value in {
        "wv_corpus": corpus,
        "wv_model": base.model,
        "wv_objective": base.objective,
        "wv_dim": base.dim,
        "wv_window": base.window,
        "wv_k": base.k,
        "wv_alpha": base.alpha,
        "wv_sub": base.subsample,
        "wv_lr": base.lr,
        "wv_opt": base.optimizer,
        "wv_playing": False,
        "wv_matrix": "W",
        "wv_query": QUERIES[corpus],
    }.items():
        S.setdefault(key, value)


def settings() -> wv.Settings:
    return wv.Settings(
        corpus=S.wv_corpus,
        model=S.wv_model,
        objective=S.wv_objective,
        dim=int(S.wv_dim),
        window=int(S.wv_window),
        k=int(S.wv_k),
        alpha=float(S.wv_alpha),
        subsample=float(S.wv_sub),
        lr=float(S.wv_lr),
        optimizer=S.wv_opt,
    )


def current_lab() -> wv.Lab | None:
    """The session's run; a new one when a setting (or the uploaded text) changed."""
    want = settings()
    text = S.get("wv_upload_text") if want.corpus == "upload" else None
    lab = S.get("wv_lab")
    if lab is None or lab.settings != want or lab.text != text:
        try:
            S.wv_lab = wv.Lab(want, text=text)
            S.wv_error = None
        except Exception as exc:  # noqa: BLE001
            S.wv_lab = None
            S.wv_playing = False
            S.wv_error = exc
    return S.get("wv_lab")


# -- callbacks --------------------------------------------------------------------------------------
# Two idempotent buttons, not one toggle: Streamlit may replay a click's trigger in the fragment
# rerun that follows it, and a toggle would then flip twice (the Playground's lesson).
def on_play() -> None:
    S.wv_playing = True


def on_pause() -> None:
    S.wv_playing = False


def on_step() -> None:
    S.wv_playing = False
    lab = S.get("wv_lab")
    if lab is not None:
        lab.train(epochs=1)


def on_reset() -> None:
    S.wv_playing = False
    S.wv_lab = None


def on_objective() -> None:
    S.wv_window = DEFAULT_WINDOW.get(S.wv_objective, wv.Settings().window)
    S.wv_matrix = "W+W'" if S.wv_objective == "glove" else "W"  # GloVe's final vectors are W + W′


def on_corpus() -> None:
    S.wv_query = QUERIES.get(S.wv_corpus, "")


def on_measure() -> None:
    lab = S.get("wv_lab")
    if lab is not None:
        try:
            S.wv_costs = lab.measured_costs()
            S.wv_costs_error = None
        except Exception as exc:  # noqa: BLE001
            S.wv_costs_error = exc


def on_upload() -> None:
    f = S.get("wv_upload")
    if f is None:
        S.wv_upload_text = None
        return
    try:
        S.wv_upload_text = wv.read_upload(f.getvalue())
        S.wv_upload_error = None
        S.wv_corpus = "upload"
        S.wv_query = ""
    except Exception as exc:  # noqa: BLE001
        S.wv_upload_text = None
        S.wv_upload_error = exc


# -- page -------------------------------------------------------------------------------------------
defaults()
st.title(_("Word embeddings"))
st.markdown(
    _(
        "Each word gets a vector, a row of the embedding matrix E. word2vec learns E by predicting a word's "
        "neighbours (skip-gram) or a word from them (CBOW); GloVe fits log co-occurrence counts. Press "
        "**Play** and watch planted analogies such as king − man + woman ≈ queen appear on the map."
    )
)

b1, b2, b3, c1, c2, c3 = st.columns([0.8, 0.7, 0.7, 1.6, 1.3, 1.8])
if S.wv_playing:
    b1.button(
        _("Pause"),
        key="wv_pause",
        on_click=on_pause,
        type="primary",
        help=_("Stop training; the map and the curves stay as they are."),
    )
else:
    b1.button(
        _("Play"),
        key="wv_play",
        on_click=on_play,
        type="primary",
        help=_("Train continuously; the map and the curves update as it learns."),
    )
b2.button(_("Step"), key="wv_step", on_click=on_step, help=_("Train one epoch, then pause."))
b3.button(_("Reset"), key="wv_reset", on_click=on_reset, help=_("New random vectors, same settings."))
c1.selectbox(
    _("Corpus"),
    list(wv.CORPORA),
    key="wv_corpus",
    format_func=lambda v: _(wv.CORPORA[v]),
    on_change=on_corpus,
    help=_("The Chinese corpus says the same as the English one, segmented into words by spaces."),
)
c2.selectbox(
    _("Model"),
    list(wv.MODELS),
    key="wv_model",
    format_func=lambda v: _(wv.MODELS[v]),
    disabled=S.wv_objective == "glove",
    help=_(
        "Skip-gram predicts each context word from the centre word; CBOW the centre from its context's mean."
    ),
)
c3.selectbox(
    _("Objective"),
    list(wv.OBJECTIVES),
    key="wv_objective",
    format_func=lambda v: _(wv.OBJECTIVES[v]),
    on_change=on_objective,
    help=_(
        "Full softmax: V dot products per example. Hierarchical softmax: one per inner node on the "
        "word's path in a Huffman tree. Negative sampling: the context word and k noise words. GloVe: "
        "weighted least squares on log co-occurrence counts (choosing it sets the window to 10, as in "
        "the GloVe paper)."
    ),
)

with st.expander(
    _("More settings: dimension, window, negatives, noise exponent, subsampling, learning rate"),
    expanded=False,
):
    d1, d2, d3, d4 = st.columns(4)
    d1.select_slider(_("Dimension"), DIMS, key="wv_dim", help=_("Length of each word vector."))
    d2.slider(_("Window"), 1, 10, key="wv_window", help=_("Context words on each side of the centre word."))
    d3.slider(
        _("Negatives k"),
        1,
        20,
        key="wv_k",
        disabled=S.wv_objective != "negative_sampling",
        help=_("Noise words per example (5–20 on small data, 2–5 on large)."),
    )
    d4.select_slider(
        _("Noise exponent α"),
        wv.ALPHAS,
        key="wv_alpha",
        disabled=S.wv_objective != "negative_sampling",
        help=_(
            "Noise words are drawn with probability ∝ count^α: 0 uniform, 1 the raw frequencies, "
            "0.75 word2vec's."
        ),
    )
    e1, e2, e3, e4 = st.columns(4)
    e1.select_slider(
        _("Subsampling t"),
        SUBSAMPLING,
        key="wv_sub",
        format_func=lambda v: _("off") if v == 0 else f"{v:g}",
        disabled=S.wv_objective == "glove",
        help=_(
            "Each occurrence of a word of frequency f is kept with probability (√(f/t) + 1)·t/f "
            "(word2vec.c's formula)."
        ),
    )
    e2.select_slider(
        _("Learning rate"),
        LEARNING_RATES,
        key="wv_lr",
        disabled=S.wv_objective == "glove",
        help=_(
            "Per batch of 64 examples (the losses are batch means). GloVe uses AdaGrad with its own rate."
        ),
    )
    e3.selectbox(
        _("Optimizer"),
        list(wv.OPTIMIZER_LABELS),
        key="wv_opt",
        format_func=lambda v: _(wv.OPTIMIZER_LABELS[v]),
        disabled=S.wv_objective == "glove",
        help=_("SGD and AdaGrad update only the rows a batch used; Adam here is lazy (torch's SparseAdam)."),
    )
    e4.file_uploader(
        _("Your own text (UTF-8 .txt)"),
        type=["txt"],
        key="wv_upload",
        on_change=on_upload,
        help=_(
            "Read in memory, never stored; at most {kb} kB and {n} words are used.",
            kb=wv.MAX_UPLOAD_BYTES // 1000,
            n=fmt_number(wv.MAX_UPLOAD_TOKENS),
        ),
    )
    if S.get("wv_upload_error") is not None:
        fail(S.wv_upload_error)

lab = current_lab()
if S.get("wv_error") is not None:
    fail(S.wv_error)
if lab is None:
    st.stop()


def matrix_choice(where) -> None:
    """Which matrix the map shows (only the ones that hold words for this objective)."""
    options = lab.matrices()
    if S.wv_matrix not in options:
        S.wv_matrix = lab.default_matrix() if lab.default_matrix() in options else options[0]
    where.radio(
        _("Matrix on the map"),
        options,
        key="wv_matrix",
        horizontal=True,
        format_func=lambda v: _(wv.MATRICES[v]),
        help=_(
            "W holds the input (centre) vectors, W′ the output (context) vectors. Under hierarchical "
            "softmax W′ holds the tree's inner nodes, not words, so only W is offered. GloVe's final "
            "vectors are W + W′."
        ),
    )


@fragment(run_every=TICK_S if S.get("wv_playing") else None)
def live() -> None:
    lab = S.get("wv_lab")
    if lab is None:
        return
    try:
        if S.get("wv_playing"):
            with hosting.live_turn(None, key="wv"):  # in a workshop: served in turn
                lab.train(budget_s=limits.caps().tick_train_budget_s * 2)
            if lab.epoch >= MAX_EPOCHS:
                S.wv_playing = False
                st.rerun()
        last = lab.history[-1]
        acc = last["analogy"]
        st.markdown(
            _(
                "**Epoch {e}** · {v} words, {t} tokens · analogies correct: **{a}** of {n}",
                e=f"{lab.progress():.1f}",
                v=fmt_number(len(lab.vocab)),
                t=fmt_number(lab.n_tokens),
                a=f"{acc:.0%}" if acc == acc else "—",
                n=fmt_number(len([r for r in lab.analogies if all(w in lab.vocab for w in r[1:])])),
            )
        )
        m1, m2 = st.columns([1.5, 1])
        matrix_choice(m2)
        pts = lab.map_points(S.wv_matrix)
        share = pts["share"]
        m1.markdown(
            _(
                "**PCA of {m}**: the two axes explain {p} of the variance",
                m=S.wv_matrix.replace("'", "′"),
                p=f"{share.sum():.0%}",
            )
        )
        # the specs are built once (per language and set of groups) and fed new rows each tick
        groups = lab.groups()
        args = (pts["x"], pts["y"], pts["word"], pts["count"], groups)
        with m1:
            live_chart(
                ("wv_map", tuple(sorted(set(groups)))),
                lambda: charts.map_chart(*args),
                charts.map_frame(*args),
            )
        with m2:
            st.markdown(_("**Loss**"))
            live_chart(
                "wv_loss",
                lambda: charts.curve_chart(lab.history, "loss"),
                charts.curve_frame(lab.history, "loss"),
            )
            if lab.analogies:
                st.markdown(_("**Planted analogies correct**"))
                live_chart(
                    "wv_acc",
                    lambda: charts.curve_chart(lab.history, "analogy"),
                    charts.curve_frame(lab.history, "analogy"),
                )
        if lab.epoch >= MAX_EPOCHS:
            st.caption(
                _("The run stopped at {n} epochs. Reset or change a setting to start again.", n=MAX_EPOCHS)
            )
    except Exception as exc:  # noqa: BLE001
        S.wv_playing = False
        fail(exc)


live()

if S.wv_corpus in wv.GLOVE_CLAIM:
    share, epochs = wv.GLOVE_CLAIM[S.wv_corpus]
    st.info(
        _(
            "**What to look for:** with the defaults (skip-gram, negative sampling, k = 5, α = 0.75) the "
            "analogy curve rises from 0 to above 90 % within 20 epochs; the capitals gather in one corner "
            "of the map and each capital's nearest neighbour is another capital; king − man + woman "
            "gives queen. With GloVe (window 10) the analogies pass {p} within {n} epochs.",
            p=f"{share} %",
            n=epochs,
        ),
        icon=":material/search:",
    )

tabs = st.tabs(
    [
        _("Nearest neighbours"),
        _("One step under the microscope"),
        _("Noise distribution"),
        _("GloVe co-occurrences"),
        _("Huffman tree"),
        _("Cost"),
    ]
)

with tabs[0]:
    st.text_input(
        _("A word or an expression"),
        key="wv_query",
        help=_(
            "Words joined by + and −, e.g. paris - france + italy. The words of the expression are left out."
        ),
    )
    try:
        if S.wv_query.strip():
            near = lab.neighbours(S.wv_query, k=8, which=S.wv_matrix)
            table = pd.DataFrame(
                [(w, f"{c:.3f}") for w, c in near],
                columns=[_("word"), _("cosine similarity")],
                index=range(1, len(near) + 1),
            )
            st.table(table)
        acc, per, n = lab.accuracy(S.wv_matrix)
        if n:
            st.caption(
                _("Planted analogies correct on {m}, by group:", m=S.wv_matrix.replace("'", "′"))
                + " "
                + " · ".join(f"{_(wv.CATEGORIES[c])}: {v:.0%}" for c, v in per.items())
            )
    except Exception as exc:  # noqa: BLE001
        fail(exc)

with tabs[1]:
    st.markdown(
        _(
            "One skip-gram step with negative sampling for a (centre, context) pair, on a copy of the "
            "current vectors (the run is not changed; step size η = {lr}, larger than in training so the "
            "move shows).",
            lr=wv.MICROSCOPE_LR,
        )
    )
    try:
        if lab.glove or lab.settings.objective == "hierarchical_softmax":
            st.info(
                _(
                    "The microscope shows a step with word output vectors: "
                    "choose negative sampling or the full softmax."
                )
            )
            raise _Skip
        words = lab.vocab.words
        pair = PAIRS.get(S.wv_corpus, (words[0], words[1]))
        if S.get("wv_centre") not in words:
            S.wv_centre = pair[0] if pair[0] in words else words[0]
        if S.get("wv_context") not in words:
            S.wv_context = pair[1] if pair[1] in words else words[1]
        p1, p2 = st.columns(2)
        p1.selectbox(_("Centre word"), words, key="wv_centre")
        p2.selectbox(_("Context word"), words, key="wv_context")
        mic = lab.microscope(S.wv_centre, S.wv_context)
        r1, r2 = st.columns(2)
        top = min(12, len(words))
        shown = list(range(top)) if mic["j"] < top else [*range(top - 1), mic["j"]]
        r1.markdown(
            _(
                "o_j · E = e_j: the one-hot vector of **{w}** (a 1 at position j = {j}) selects row j of E.",
                w=mic["centre"],
                j=mic["j"],
            )
        )
        r1.altair_chart(
            charts.embedding_rows_chart(
                [words[i] for i in shown], lab.vectors("W")[shown], shown.index(mic["j"])
            ),
            key="wv_rows",
        )
        r2.markdown(
            _(
                "σ scores of the positive word and the {k} negatives drawn from the noise:",
                k=len(mic["words"]) - 1,
            )
        )
        r2.altair_chart(
            charts.score_chart(mic["words"], mic["is_positive"], mic["before"], mic["after"]), key="wv_scores"
        )
        r2.markdown(
            _(
                "This example's loss −log σ(s₊) − Σ log σ(−s₋): {a} before the step, {b} after.",
                a=f"{mic['loss_before']:.3f}",
                b=f"{mic['loss_after']:.3f}",
            )
        )
        r2.altair_chart(
            charts.step_map_chart(
                mic["from_xy"],
                mic["to_xy"],
                mic["targets_xy"],
                mic["words"],
                mic["is_positive"],
                mic["centre"],
            ),
            key="wv_move",
        )
        st.caption(
            _(
                "The update: e_j moves by −η·[(σ(s₊) − 1)·u₊ + Σ σ(s₋)·u₋] — towards the context "
                "word's output vector and away from the negatives'. Before training W′ is zero, so the "
                "first steps move only the output vectors and the arrow is a dot."
            )
        )
    except _Skip:
        pass
    except Exception as exc:  # noqa: BLE001
        fail(exc)

with tabs[2]:
    try:
        alpha = S.wv_alpha
        nz = lab.noise(alpha)
        st.altair_chart(charts.noise_chart(lab.vocab.words, nz["freq"], nz["noise"], alpha), key="wv_noise")
        st.caption(
            _(
                "The most frequent word, “{w}”, is {f} of the text but {p} of the noise draws at α = {a}; "
                "α = 0 would draw every word equally ({u} each).",
                w=lab.vocab.words[0],
                f=f"{nz['freq'][0]:.1%}",
                p=f"{nz['noise'][0]:.1%}",
                a=alpha,
                u=f"{1 / len(lab.vocab):.2%}",
            )
        )
    except Exception as exc:  # noqa: BLE001
        fail(exc)

with tabs[3]:
    try:
        g1, g2 = st.columns([1.2, 1])
        names, M = lab.cooc_matrix(20)
        g1.altair_chart(charts.cooc_heatmap(names, M), key="wv_cooc")
        x_max = lab.settings.x_max
        counts = lab.cooc_values()
        g2.markdown(
            _(
                "**f(X_ij)**: {p} of the non-zero counts are below x_max = {m}",
                p=f"{float(np.mean(counts < x_max)):.0%}",
                m=f"{x_max:g}",
            )
        )
        g2.altair_chart(charts.glove_weight_chart(x_max, 0.75, counts), key="wv_fx")
        g2.caption(
            _(
                "X_ij adds 1/d for each time word j is d ≤ {w} words from word i in a paragraph. GloVe "
                "fits w_i·w̃_j + b_i + b̃_j ≈ log X_ij, each pair weighted by "
                "f(X_ij) = min((X_ij/x_max)^0.75, 1): rare pairs count less, frequent pairs are capped. "
                "W and W̃ play the same role, so the final vectors are W + W̃.",
                w=lab.settings.window,
            )
        )
    except Exception as exc:  # noqa: BLE001
        fail(exc)

with tabs[4]:
    try:
        tree = lab.tree()
        words = lab.vocab.words
        if S.get("wv_leaf") not in words:
            S.wv_leaf = (
                PAIRS.get(S.wv_corpus, (words[0],))[0]
                if PAIRS.get(S.wv_corpus, (words[0],))[0] in words
                else words[0]
            )
        st.selectbox(_("Word"), words, key="wv_leaf")
        leaf = lab.vocab.index[S.wv_leaf]
        h1, h2 = st.columns([1.8, 1])
        h1.altair_chart(charts.huffman_chart(tree.left, tree.right, tree.parent, words, leaf), key="wv_tree")
        h2.altair_chart(charts.cost_scaling_chart(len(words), tree.expected_code_length()), key="wv_log2")
        h1.caption(
            _(
                "“{w}” has code {c}: {n} inner nodes evaluated instead of V = {v} dot products. Frequent "
                "words sit near the root: the mean path over the text is {m} nodes (log₂V = {l}).",
                w=S.wv_leaf,
                c=tree.code_string(leaf),
                n=len(tree.paths[leaf]),
                v=len(words),
                m=f"{tree.expected_code_length():.2f}",
                l=f"{math.log2(len(words)):.2f}",
            )
        )
    except Exception as exc:  # noqa: BLE001
        fail(exc)

with tabs[5]:
    st.markdown(
        _(
            "Seconds per epoch of skip-gram on this vocabulary, measured now on a few batches, and the dot "
            "products each update needs: V for the full softmax, the path length for hierarchical softmax, "
            "k + 1 for negative sampling."
        )
    )
    st.button(_("Measure"), key="wv_measure", on_click=on_measure)
    if S.get("wv_costs_error") is not None:
        fail(S.wv_costs_error)
    if S.get("wv_costs"):
        st.altair_chart(charts.cost_chart(S.wv_costs, wv.OBJECTIVES), key="wv_cost")
        st.caption(
            _(
                "The seconds are measured now, on this server, and change with its load; with V = {v} "
                "words the full softmax's dot products are one small matrix product per batch. The dot "
                "products are what grows with the vocabulary: at V = 100,000 the full softmax needs "
                "100,000 per example, negative sampling still k + 1 = {k}.",
                v=len(lab.vocab),
                k=lab.settings.k + 1,
            )
        )
