"""Lesson: fastText text classification — word n-grams hashed into buckets, a mean of vectors, a
linear output (softmax, hierarchical softmax, one-vs-all), every prediction explained exactly; a
text CNN beside it. Thin page: the logic is in ``playground.lessons.fasttext`` / ``textcnn``."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import streamlit as st

from playground import limits
from playground.errors import PlaygroundError
from playground.hosting import streamlit_glue as hosting
from playground.i18n import N_, _, error_text, fmt_number, language, ngettext
from playground.lessons.fasttext import (
    BUCKETS,
    DATASETS,
    LOSSES,
    FastTextRun,
    LossComparison,
    Settings,
    Split,
    Sweep,
    explain,
    negated_lines,
    parse_upload,
    segment,
    shipped_lines,
    tree_layout,
)
from playground.lessons.textcnn import CNNRun, tokens_of
from playground.ui.lang import fragment
from playground.ui.page import plain, route_through_app
from playground.viz.fasttext import (
    confusion_chart,
    contributions_chart,
    curves_chart,
    filters_chart,
    sweep_chart,
    tree_chart,
)

route_through_app()

log = logging.getLogger("playground.fasttext")
FRIENDLY = N_("Something went wrong with these settings; try other values.")
TICK_S = 0.25
EXAMPLES = {"en": "the soup was not good", "zh": "汤不好吃", "upload": ""}  # i18n: not text (data)
DIMS = (2, 5, 10, 20, 50, 100)
RATES = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0)
KIND_NAMES = {"word": "word", "word_ngram": "word n-gram", "char_ngram": "character n-gram"}
ss = st.session_state


def fail(exc: Exception) -> None:
    if isinstance(exc, PlaygroundError):
        # "__label__" would be bold in Markdown: show it as written
        text = error_text(exc).replace("`__label__`", "__label__").replace("__label__", "\\_\\_label\\_\\_")
        st.error(text, icon=":material/warning:")
    else:
        log.exception("fastText page failed")
        st.error(_(FRIENDLY), icon=":material/warning:")


# -- state ------------------------------------------------------------------------------------------
def _init() -> None:
    if "ft_dataset" not in ss:
        ss.ft_dataset = "zh" if language() == "zh" else "en"
        ss.ft_ngrams, ss.ft_bucket, ss.ft_dim, ss.ft_loss = 2, 2_000_000, 10, "softmax"
        ss.ft_epochs, ss.ft_lr, ss.ft_min_count = 10, 0.5, 1
        ss.ft_sentence = EXAMPLES[ss.ft_dataset]
        ss.ft_playing = True  # the page opens training, so it moves at once


def settings() -> Settings:
    return Settings(
        word_ngrams=int(ss.ft_ngrams),
        bucket=int(ss.ft_bucket),
        dim=int(ss.ft_dim),
        loss=str(ss.ft_loss),
        epochs=int(ss.ft_epochs),
        lr=float(ss.ft_lr),
        min_count=int(ss.ft_min_count),
    )


def lines() -> list[str]:
    if ss.ft_dataset == "upload":
        if not ss.get("ft_upload_lines"):
            raise PlaygroundError("Choose a `__label__` file to upload, or pick a shipped data set.")
        return ss.ft_upload_lines
    return shipped_lines(ss.ft_dataset)


def rebuild() -> None:
    """A new run from the controls (the other experiments are cleared: they used the old data)."""
    for key in ("ft_run", "ft_compare", "ft_sweep", "ft_cnn"):
        ss.pop(key, None)
    ss.ft_error = None
    try:
        split = Split.make(lines(), seed=0)
        ss.ft_split = split
        ss.ft_run = FastTextRun(split, settings())
    except Exception as exc:  # noqa: BLE001
        ss.ft_error = exc


def run() -> FastTextRun | None:
    if "ft_run" not in ss and ss.get("ft_error") is None:
        rebuild()
    return ss.get("ft_run")


# -- callbacks --------------------------------------------------------------------------------------
def on_change() -> None:
    rebuild()
    ss.ft_playing = True


def on_dataset() -> None:
    ss.ft_sentence = EXAMPLES.get(ss.ft_dataset, "")
    on_change()


def on_upload() -> None:
    f = ss.get("ft_file")
    ss.ft_upload_lines = None
    if f is not None:
        try:
            ss.ft_upload_lines = parse_upload(f.getvalue(), limits.caps().max_upload_bytes)
        except Exception as exc:  # noqa: BLE001
            ss.pop("ft_run", None)
            ss.ft_error = exc
            return
    on_change()


def on_play() -> None:
    ss.ft_playing = True


def on_pause() -> None:
    ss.ft_playing = False


def on_step() -> None:
    """Train to the end of the epoch under way (one epoch)."""
    r = run()
    ss.ft_playing = False
    if r is not None:
        r.finish_epoch()


def on_reset() -> None:
    rebuild()
    ss.ft_playing = False


def on_compare() -> None:
    ss.ft_compare = LossComparison.make(ss.ft_split, settings())


def on_sweep() -> None:
    ss.ft_sweep = Sweep(ss.ft_split, settings())


def on_cnn() -> None:
    r = run()
    split = ss.ft_split
    ss.ft_cnn = CNNRun(split.train, split.test, r.dictionary.labels, epochs=int(ss.ft_epochs))


# -- page -------------------------------------------------------------------------------------------
_init()
st.title(_("fastText text classification"))
st.markdown(
    _(
        "fastText turns a text into a bag of **features** — its words and its word **n-grams**, the "
        "n-grams hashed into a fixed number of **buckets** — averages their vectors into one hidden "
        "vector (no non-linearity) and maps it linearly to the labels. Because the model is linear, every "
        "score below is exactly the sum of each feature's share."
    )
)

c = st.columns([1.7, 1.2, 1.6, 0.9, 1.4])
c[0].selectbox(
    _("Data"),
    list(DATASETS),
    key="ft_dataset",
    format_func=lambda k: _(DATASETS[k]),
    on_change=on_dataset,
    help=_("Short customer messages with six labels of skewed frequencies, written for this lesson."),
)
c[1].radio(
    _("wordNgrams"),
    [1, 2, 3],
    key="ft_ngrams",
    horizontal=True,
    on_change=on_change,
    help=_("Longest word n-gram used as a feature (fastText's -wordNgrams). 2 adds the bigrams."),
)
c[2].select_slider(
    _("Buckets"),
    BUCKETS,
    key="ft_bucket",
    format_func=lambda b: fmt_number(int(b)),
    on_change=on_change,
    help=_(
        "Rows the n-grams are hashed into (fastText's -bucket, log scale). Only the rows that occur "
        "are stored: 2,000,000 × 100 floats would be 1.6 GB."
    ),
)
c[3].select_slider(
    _("dim"), DIMS, key="ft_dim", on_change=on_change, help=_("Length of every vector (-dim).")
)
c[4].selectbox(
    _("Loss"),
    list(LOSSES),
    key="ft_loss",
    format_func=lambda k: _(LOSSES[k]),
    on_change=on_change,
    help=_("-loss softmax, hs (over the Huffman tree of the label counts) or ova."),
)
c = st.columns([1.2, 1.2, 0.9, 0.9, 0.9, 0.9])
c[0].slider(
    _("Epochs"), 1, 50, key="ft_epochs", on_change=on_change, help=_("Passes over the training lines.")
)
c[1].select_slider(
    _("Learning rate"),
    RATES,
    key="ft_lr",
    on_change=on_change,
    help=_("Start of fastText's learning rate, which falls linearly to 0 over the run."),
)
c[2].number_input(
    _("Min count"),
    1,
    20,
    key="ft_min_count",
    on_change=on_change,
    help=_("Words seen fewer times are dropped (-minCount)."),
)
c[3].markdown("&nbsp;")  # i18n: not text (aligns the buttons with the inputs)
c[4].markdown("&nbsp;")  # i18n: not text
c[5].markdown("&nbsp;")  # i18n: not text
if ss.get("ft_playing"):
    c[3].button(
        _("Pause"),
        key="ft_pause",
        icon=":material/pause:",
        on_click=on_pause,
        type="primary",
        width="stretch",
    )
else:
    c[3].button(
        _("Play"),
        key="ft_play",
        icon=":material/play_arrow:",
        on_click=on_play,
        type="primary",
        width="stretch",
    )
c[4].button(
    _("Step"),
    key="ft_step",
    icon=":material/skip_next:",
    on_click=on_step,
    help=_("One more epoch."),
    width="stretch",
)
c[5].button(_("Reset"), key="ft_reset", icon=":material/restart_alt:", on_click=on_reset, width="stretch")
if ss.ft_dataset == "upload":
    st.file_uploader(
        _("A `__label__` file (UTF-8 text, at most {mb} MB)", mb=fmt_number(limits.caps().max_upload_mb)),
        type=["txt"],
        key="ft_file",
        on_change=on_upload,
        max_upload_size=limits.caps().max_upload_mb,
        help=_("One text per line, each starting with its label: `__label__positive great film`"),
    )


if ss.get("ft_error") is not None:
    fail(ss.ft_error)


@fragment(run_every=TICK_S if ss.get("ft_playing") and run() is not None and not run().done else None)
def live() -> None:
    r = run()
    if r is None:
        return
    try:
        was_playing = ss.get("ft_playing") and not r.done
        if was_playing:
            with hosting.live_turn(None, key="ft"):  # in a workshop: served in turn
                r.advance(budget_s=limits.caps().tick_train_budget_s)
        epochs = r.settings.epochs
        text = _("epoch {e} of {n}", e=fmt_number(r.epoch), n=fmt_number(epochs))
        st.progress(r.progress, text=text + (" · " + _("training…") if was_playing and not r.done else ""))
        m = r.test_metrics()
        neg = negated_lines(r.split.test)
        k = st.columns(4)
        k[0].metric(_("Test accuracy"), f"{m['accuracy']:.1%}")
        if neg:
            k[1].metric(
                _("Negated test lines"),
                f"{r.accuracy_on(neg):.1%}",
                help=_("Held-out lines with “not” (不): {n} lines.", n=fmt_number(len(neg))),
            )
        k[2].metric(
            _("Stored rows"),
            fmt_number(int(r.model.table.size)),
            help=_("Rows of the input table in memory."),
        )
        k[3].metric(_("Labels"), fmt_number(len(r.labels)))
        left, right = st.columns(2)
        left.altair_chart(curves_chart(r.history, "acc"), width="stretch")
        right.altair_chart(curves_chart(r.history, "loss"), width="stretch")
        if neg and r.settings.word_ngrams > 1:
            st.info(
                _(
                    "**What to look for:** the negated test lines (“not good”, 不好吃) need the bigrams. "
                    "Set wordNgrams to 1 and their accuracy falls: a bag of single words sees “not” in "
                    "praise and in complaints alike."
                ),
                icon=":material/search:",
            )
        left, right = st.columns([1.2, 1])
        with left:
            st.markdown("**" + _("Confusion matrix (held-out lines)") + "**")
            st.altair_chart(confusion_chart(m["confusion"], r.labels), width="content")
        with right:
            st.markdown("**" + _("Precision and recall at k") + "**")
            rows = [{"k": kk, _("precision@k"): p, _("recall@k"): rec} for kk, (p, rec) in m["at_k"].items()]
            st.dataframe(pd.DataFrame(rows), hide_index=True)
            st.caption(
                _(
                    "As fastText's test command: a hit is the true label among the k most probable; "
                    "P@k = hits / (k · lines), R@k = hits / lines."
                )
            )
        if was_playing and r.done:
            ss.ft_playing = False
            st.rerun()
    except Exception as exc:  # noqa: BLE001
        fail(exc)


live()


# -- type a sentence ----------------------------------------------------------------------------------
st.header(_("Type a sentence"))
st.text_input(
    _("Sentence"),
    key="ft_sentence",
    help=_("Chinese is split into characters; other words at spaces."),
)


@fragment(run_every=1.0 if ss.get("ft_playing") else None)
def sentence_view() -> None:
    r = run()
    if r is None:
        return
    try:
        e = explain(r, ss.ft_sentence or "")
        st.markdown(
            _("Tokens: {tokens}", tokens=" · ".join(plain(t, 60) for t in e.tokens))  # i18n: not text
        )
        if e.unknown and any(t != "</s>" for t in e.unknown):
            st.caption(
                _(
                    "Not in the vocabulary (no row of their own; fastText drops them, their n-grams "
                    "stay): {words}",
                    words=", ".join(plain(t, 60) for t in e.unknown if t != "</s>"),
                )
            )
        if not e.features:
            st.info(_("This sentence has no features: the model cannot score it."))
            return
        table = pd.DataFrame(
            [
                {
                    _("feature"): f.text,
                    _("kind"): _(KIND_NAMES[f.kind]),
                    _("row"): str(f.row),
                    _("bucket"): "" if f.bucket is None else str(f.bucket),
                    _("shares its bucket with"): ", ".join(f.collides_with[:4])
                    + (" …" if len(f.collides_with) > 4 else ""),
                    _("trained"): f.trained,
                    _("vector (first 4)"): " ".join(f"{v:+.2f}" for v in f.vector[:4]),
                }
                for f in e.features
            ]
        )
        st.dataframe(table, hide_index=True, width="stretch")
        st.caption(
            _(
                "Hidden vector h = mean of the {n} feature vectors (first 4): {h}",
                n=fmt_number(len(e.features)),
                h=" ".join(f"{v:+.3f}" for v in e.hidden[:4]),
            )
        )
        with st.expander(_("Every feature's vector and their mean h")):
            vectors = pd.DataFrame(
                [f.vector for f in e.features] + [e.hidden],
                index=[plain(f.text, 60) for f in e.features] + ["h"],
                columns=[str(j + 1) for j in range(len(e.hidden))],
            )
            st.dataframe(vectors.style.format("{:+.3f}"), width="stretch")
        hs = r.model.tree is not None
        st.markdown(
            "**"
            + (
                _("Each feature's exact share of every inner node's score (sᵢ = uᵢ · h)")
                if hs
                else _("Each feature's exact share of every label's score (logit = u · h)")
            )
            + "**"
        )
        names = [f.text for f in e.features]
        st.altair_chart(
            contributions_chart(
                names, e.outputs, e.contributions, [bool(f.collides_with) for f in e.features]
            ),
            width="content",
        )
        st.caption(
            _(
                "Column sums are the scores: {scores}. ⚠ marks an n-gram whose bucket also holds another "
                "n-gram (a hash collision): both read and train the same row.",
                scores=", ".join(
                    f"{plain(o, 60)} {s:+.3f}" for o, s in zip(e.outputs, e.scores, strict=True)
                ),
            )
        )
        st.markdown(
            "**"
            + _("Prediction")
            + "**: "
            + " · ".join(f"{plain(name, 60)} {p:.1%}" for name, p in e.top)  # i18n: not text
        )
        if r.settings.loss == "one_vs_all":
            st.caption(_("One-vs-all: each label's σ is its own; they need not sum to 1."))
        ss.ft_last_explanation = e
    except Exception as exc:  # noqa: BLE001
        fail(exc)


sentence_view()


# -- the label tree -----------------------------------------------------------------------------------
st.header(_("The label tree (hierarchical softmax)"))


@fragment(run_every=1.0 if ss.get("ft_playing") else None)
def tree_view() -> None:
    r = run()
    if r is None:
        return
    try:
        layout = tree_layout(r)
        K = len(r.labels)
        if r.model.tree is None:
            st.caption(
                _(
                    "The Huffman tree of the label counts. Choose the loss “hierarchical softmax” to "
                    "train on it and see σ at each node for your sentence."
                )
            )
            st.altair_chart(tree_chart(layout), width="content")
            return
        e = explain(r, ss.ft_sentence or "")
        label = st.columns([1, 2])[0].selectbox(
            _("Path to"),
            list(range(K)),
            index=int(np.argmax(e.probabilities)),
            format_func=lambda i: r.labels[i],
            key="ft_tree_label",
        )
        steps = e.paths[label]
        lit = [K + s.node for s in steps] + [label]
        text = {K + s.node: f"σ={s.prob:.2f}" for s in steps}
        st.altair_chart(tree_chart(layout, lit, text), width="content")
        rows = [
            {
                _("node"): f"n{s.node}",
                _("score s"): s.score,
                _("branch"): "1: σ(s)" if s.code else "0: σ(−s)",  # i18n: not text
                _("probability"): s.prob,
            }
            for s in steps
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True)
        lengths = r.model.tree.code_lengths()
        st.info(
            ngettext(
                "P({label}) = product of the σ on its path = {p}: {n} node evaluated, where a softmax "
                "evaluates all {k} labels. Frequent labels sit near the root: “{common}” needs {a}, “{rare}” "
                "needs {b}. The probabilities of all labels sum to {total}.",
                "P({label}) = product of the σ on its path = {p}: {n} nodes evaluated, where a softmax "
                "evaluates all {k} labels. Frequent labels sit near the root: “{common}” needs {a}, “{rare}” "
                "needs {b}. The probabilities of all labels sum to {total}.",
                len(steps),
                label=r.labels[label],
                p=format(e.path_product(label), ".4f"),
                k=fmt_number(K),
                common=r.labels[int(np.argmin(lengths))],
                a=fmt_number(int(lengths.min())),
                rare=r.labels[int(np.argmax(lengths))],
                b=fmt_number(int(lengths.max())),
                total=format(e.probabilities.sum(), ".6f"),
            ),
            icon=":material/search:",
        )
    except Exception as exc:  # noqa: BLE001
        fail(exc)


tree_view()

st.subheader(_("Softmax against hierarchical softmax"))
st.button(
    _("Train both with these settings"),
    key="ft_compare_btn",
    on_click=on_compare,
    disabled=run() is None,
    help=_("Same data, settings and seed; only the output layer differs."),
)


@fragment(run_every=TICK_S if ss.get("ft_compare") is not None and not ss.ft_compare.done else None)
def compare_view() -> None:
    comp = ss.get("ft_compare")
    if comp is None:
        return
    try:
        was = not comp.done
        with hosting.live_turn(None, key="ft_compare"):  # in a workshop: served in turn
            comp.advance(limits.caps().tick_train_budget_s)
        st.progress((comp.softmax.progress + comp.hs.progress) / 2)
        s = comp.summary()
        k = st.columns(4)
        k[0].metric(_("softmax accuracy"), f"{s['softmax_acc']:.1%}")
        k[1].metric(_("hierarchical softmax accuracy"), f"{s['hs_acc']:.1%}")
        k[2].metric(_("nodes per prediction, softmax"), fmt_number(s["softmax_nodes"]))
        k[3].metric(
            _("nodes per prediction, hierarchical softmax"),
            fmt_number(s["hs_nodes_mean"], 2),
            help=_("Mean over the test lines' labels; log₂K = {v}.", v=fmt_number(s["log2_k"], 2)),
        )
        sentence = ss.ft_sentence or ""
        ea, eb = explain(comp.softmax, sentence), explain(comp.hs, sentence)
        df = pd.DataFrame(
            {
                _("label"): comp.softmax.labels,
                _("softmax"): ea.probabilities,
                _("hierarchical softmax"): eb.probabilities,
            }
        )
        st.dataframe(df, hide_index=True)
        if comp.done:
            gap = s["softmax_acc"] - s["hs_acc"]
            args = {"m": fmt_number(s["hs_nodes_mean"], 2), "k": fmt_number(s["softmax_nodes"])}
            if gap > 0:
                text = _(
                    "Hierarchical softmax scores a label with {m} σ on average instead of {k} exponentials, "
                    "but each inner node is a yes/no question shared by several labels: here its test "
                    "accuracy is {gap} points below the softmax's. Both give probabilities that sum to 1.",
                    gap=fmt_number(gap * 100, 1),
                    **args,
                )
            else:
                text = _(
                    "Hierarchical softmax scores a label with {m} σ on average instead of {k} exponentials; "
                    "here its test accuracy is not below the softmax's ({hs} against {sm}). Both give "
                    "probabilities that sum to 1.",
                    hs=format(s["hs_acc"], ".1%"),
                    sm=format(s["softmax_acc"], ".1%"),
                    **args,
                )
            st.info(text, icon=":material/search:")
        if was and comp.done:
            st.rerun()
    except Exception as exc:  # noqa: BLE001
        fail(exc)


compare_view()


# -- collisions ----------------------------------------------------------------------------------------
st.header(_("Hash collisions: accuracy against the bucket count"))
st.markdown(
    _(
        "Every n-gram goes to bucket hash mod B. With few buckets, unrelated n-grams share a row — "
        "“not good” may train the same vector as “was great”."
    )
)
st.button(
    _("Measure"),
    key="ft_sweep_btn",
    on_click=on_sweep,
    disabled=run() is None,
    help=_("Trains one model per bucket count (16 … 2,000,000), the other settings as above."),
)


@fragment(run_every=TICK_S if ss.get("ft_sweep") is not None and not ss.ft_sweep.done else None)
def sweep_view() -> None:
    sw = ss.get("ft_sweep")
    if sw is None:
        return
    try:
        was = not sw.done
        with hosting.live_turn(None, key="ft_sweep"):  # in a workshop: served in turn
            sw.advance(limits.caps().tick_train_budget_s)
        st.progress(len(sw.rows) / len(sw.buckets))
        if sw.rows:
            st.altair_chart(sweep_chart(sw.rows), width="stretch")
        if sw.done:
            lo, hi = sw.rows[0], sw.rows[-1]
            st.info(
                _(
                    "With {b1} buckets {c1} of the training n-grams share a bucket and the test accuracy is "
                    "{a1}; with {b2} buckets {c2} share one and it is {a2}.",
                    b1=fmt_number(lo["bucket"]),
                    c1=format(lo["collision_share"], ".0%"),
                    a1=format(lo["test_acc"], ".1%"),
                    b2=fmt_number(hi["bucket"]),
                    c2=format(hi["collision_share"], ".0%"),
                    a2=format(hi["test_acc"], ".1%"),
                ),
                icon=":material/search:",
            )
        if was and sw.done:
            st.rerun()
    except Exception as exc:  # noqa: BLE001
        fail(exc)


sweep_view()


# -- the text CNN ------------------------------------------------------------------------------------
st.header(_("Beside it: a CNN for text"))
st.markdown(
    _(
        "Kim (2014): two embedding channels — one pre-trained with word2vec on these training lines and "
        "frozen, one started from the same vectors and trained — filters of 2, 3 and 4 tokens over both, "
        "max-over-time pooling, a linear layer to the labels. A word the training lines never had gets the "
        "zero vector in both channels."
    )
)
st.button(
    _("Train the text CNN"),
    key="ft_cnn_btn",
    on_click=on_cnn,
    disabled=run() is None,
    help=_("Same training and test lines as fastText; Adam, batches of 32."),
)


@fragment(run_every=TICK_S if ss.get("ft_cnn") is not None and not ss.ft_cnn.done else None)
def cnn_view() -> None:
    cnn = ss.get("ft_cnn")
    r = run()
    if cnn is None or r is None:
        return
    try:
        was = not cnn.done
        if was:
            with hosting.live_turn(None, key="ft_cnn"):  # in a workshop: served in turn
                cnn.advance(limits.caps().tick_train_budget_s)
        st.progress(cnn.epoch / cnn.epochs, text=_("epoch {e} of {n}", e=cnn.epoch, n=cnn.epochs))
        last = cnn.history[-1] if cnn.history else {}
        ft_epochs = max(r.epoch, 1)
        table = pd.DataFrame(
            [
                {
                    _("model"): "fastText",
                    _("test accuracy"): r.test_metrics()["accuracy"],
                    _("epochs"): r.epoch,
                    _("s per epoch"): r.seconds / ft_epochs,
                },
                {
                    _("model"): _("text CNN"),
                    _("test accuracy"): last.get("test_acc", float("nan")),
                    _("epochs"): cnn.epoch,
                    _("s per epoch"): last.get("s_per_epoch", float("nan")),
                },
            ]
        )
        st.dataframe(table, hide_index=True)
        tokens = tokens_of(segment(ss.ft_sentence or ""))
        if tokens:
            ex = cnn.explain(tokens)
            rows = [
                {
                    "filter": f"w{f['width']}·{f['filter']}",  # i18n: not text
                    "width": f["width"],
                    "ngram": f["ngram"] if f["value"] > 0 else "—",
                    "value": f["value"],
                }
                for f in ex["filters"]
            ]
            st.markdown(
                "**"
                + _("Which n-gram each filter fired on")
                + "** — "
                + " · ".join(
                    f"{plain(name, 60)} {p:.1%}"
                    for name, p in sorted(
                        zip(r.labels, ex["probabilities"], strict=True), key=lambda t: -t[1]
                    )[:3]
                )
            )
            st.altair_chart(filters_chart(rows), width="stretch")
            st.caption(
                _("A filter whose every window is negative outputs 0 after ReLU and fired on nothing (—).")
            )
        if was and cnn.done:
            st.rerun()
    except Exception as exc:  # noqa: BLE001
        fail(exc)


cnn_view()
