"""Lesson: recurrent networks trained live — RNN, the notes' simplified and full GRU, LSTM, stacked;
gradients through time, gates and states per step, the cells side by side (thin page; logic in
``playground.lessons.rnn``, charts in ``playground.viz.rnn``)."""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from playground import limits
from playground.engine import OPTIMIZERS
from playground.errors import PlaygroundError
from playground.hosting import streamlit_glue as hosting
from playground.i18n import N_, _, error_text, fmt_number
from playground.lessons import rnn as lab
from playground.ui.lang import fragment
from playground.ui.page import Later, message_text, plain, route_through_app, show_error
from playground.viz import rnn as charts

route_through_app()

log = logging.getLogger("playground.recurrent")
TICK_S = 0.15
HIDDEN = (8, 16, 32, 64, 128, 192, 256)
LRS = (0.0003, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.3, 1.0)
CLIPS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
DECAYS = tuple(sorted({0, 1000, lab.TEXT_UPDATES, 5000, 10_000, 20_000}))
STRUCTURE = ("task", "cell", "layers", "hidden", "seq_len", "bptt", "recurrent_scale", "seed")
#: What the heatmap can show (language-free values; labels translated where shown).
VIEW_LABELS = {
    "h": N_("hidden state h⟨t⟩"),
    "c": N_("cell state c⟨t⟩"),
    "input": N_("input gate i"),
    "forget": N_("forget gate f"),
    "output": N_("output gate o"),
    "candidate": N_("candidate"),
    "update": N_("update gate Γu"),
    "relevance": N_("relevance gate Γr"),
}
CELL_VIEWS = {
    "rnn": [],
    "lstm": ["c", "input", "forget", "candidate", "output"],
    "gru_simple": ["update", "candidate"],
    "gru_full": ["update", "relevance", "candidate"],
}
S = st.session_state


def fail(exc: Exception) -> None:
    show_error(exc, log, _("Something went wrong with these settings. Try other values."))


def setup_from_widgets() -> lab.Setup:
    task = S.get("rnn_task", "memory")
    d = lab.default_setup(task)
    return replace(
        d,
        cell=S.get("rnn_cell", d.cell),
        layers=int(S.get("rnn_layers", d.layers)),
        hidden=int(S.get("rnn_hidden", d.hidden)),
        seq_len=int(S.get("rnn_seq_len", d.seq_len)),
        bptt=int(S.get("rnn_bptt", d.bptt)),
        recurrent_scale=float(S.get("rnn_scale", d.recurrent_scale)),
        optimizer=S.get("rnn_opt", d.optimizer),
        lr=float(S.get("rnn_lr", d.lr)),
        clip=float(S.get("rnn_clip", d.clip)),
        seed=int(S.get("rnn_seed", d.seed)),
        decay=int(S.get("rnn_decay", d.decay)),
    )


def corpus(task: str) -> lab.Corpus | None:
    """The uploaded text for the upload task (kept in this session's state only, never on disk)."""
    return S.get("rnn_upload") if task == "text_upload" else None


def use_task_defaults(task: str) -> None:
    """Entering a text task from a synthetic one (or back) sets the model and training controls to
    the task's defaults: a character model needs a larger model and another learning rate."""
    if (task in lab.TEXT_TASKS) == run().setup.is_text:
        return
    d = lab.default_setup(task)
    S.rnn_hidden, S.rnn_bptt, S.rnn_seq_len = d.hidden, d.bptt, d.seq_len
    S.rnn_lr, S.rnn_clip, S.rnn_opt, S.rnn_decay = d.lr, d.clip, d.optimizer, d.decay


def run() -> lab.Run:
    if "rnn_run" not in S:
        S.rnn_run = lab.Run(lab.Setup())
        S.rnn_playing = True  # the page moves as soon as it opens
    return S.rnn_run


def on_structure() -> None:
    """A change of task, cell, size or initial scale builds a new model (and says so). The upload
    task without a text yet keeps the current run going and asks for a file."""
    try:
        task = S.get("rnn_task", "memory")
        if task == "text_upload" and S.get("rnn_upload") is None:
            S.rnn_notice = Later(
                N_("Choose a UTF-8 text file below; until then the current model trains on.")
            )
            return
        use_task_defaults(task)
        S.rnn_run = lab.Run(setup_from_widgets(), corpus(task))
        S.rnn_error = None
        S.rnn_notice = Later(N_("A new model was built: the task, the cell or its shape changed."))
    except Exception as exc:  # noqa: BLE001
        S.rnn_error = exc


def on_upload() -> None:
    """A chosen file becomes the upload task's text: checked, its vocabulary built, kept in the
    session only; a new model is built on it. A bad file leaves everything as it was (the current
    run trains on) and says why next to the uploader."""
    file = S.get("rnn_file")
    if file is None:  # the file was removed: the text and the run stay
        S.rnn_upload_error = None
        return
    try:
        text = lab.upload_corpus(file.getvalue(), file.name, limits.caps().max_upload_bytes)
    except PlaygroundError as exc:
        S.rnn_upload_error = exc
        return
    S.rnn_upload, S.rnn_upload_error = text, None
    use_task_defaults("text_upload")
    S.rnn_task = "text_upload"
    try:
        S.rnn_run = lab.Run(setup_from_widgets(), text)
        S.rnn_error = None
        S.rnn_notice = Later(
            N_("A new model was built on your text: {n} characters, {v} distinct ones."),
            {"n": fmt_number(len(text.ids)), "v": fmt_number(text.vocab.size)},
        )
    except Exception as exc:  # noqa: BLE001
        S.rnn_error = exc


def on_training() -> None:
    """Optimizer, learning rate, clipping, decay: applied on the fly, the weights kept."""
    try:
        decay = int(S.get("rnn_decay", run().setup.decay))
        run().retune(S.rnn_opt, float(S.rnn_lr), float(S.rnn_clip), decay)
        S.rnn_error = None
    except Exception as exc:  # noqa: BLE001
        S.rnn_error = exc


def on_play() -> None:
    S.rnn_playing = True


def on_pause() -> None:
    S.rnn_playing = False


def on_step() -> None:
    S.rnn_playing = False
    try:
        r = run()
        r.train(lab.Run.EVAL_EVERY)
        if r.history[-1]["update"] != r.updates:  # a text is scored less often: score it now
            r.evaluate()
    except Exception as exc:  # noqa: BLE001
        S.rnn_error = exc


def on_reset() -> None:
    try:
        S.rnn_run = lab.Run(replace(run().setup), run().corpus)
        S.rnn_error = None
    except Exception as exc:  # noqa: BLE001
        S.rnn_error = exc


# -- page -------------------------------------------------------------------------------------------
st.title(_("Recurrent networks"))
st.markdown(
    _(
        "A recurrent network reads a sequence one step at a time and carries a hidden state from step "
        "to step; backpropagation through time (BPTT) sends the gradient back along the same steps. "
        "Train a vanilla RNN, the notes' simplified and full GRU or an LSTM live, and watch the "
        "gradient of the last step's loss fade (or explode) with distance, the gates open and close, "
        "and which inputs the output depends on."
    )
)
tab_train, tab_race, tab_grad, tab_check = st.tabs(
    [_("Train a model"), _("Cells side by side"), _("Gradients through time"), _("Gradient check")]
)


# == 1. train a model ===============================================================================
with tab_train:
    r = run()
    setup = r.setup
    b1, b2, b3, b4, c_task, c_cell = st.columns([0.8, 0.8, 0.8, 0.8, 3, 2.4])
    b1.button(
        _("Play"), key="rnn_play", on_click=on_play, type="primary", disabled=S.get("rnn_playing", False)
    )
    b2.button(_("Pause"), key="rnn_pause", on_click=on_pause, disabled=not S.get("rnn_playing", False))
    b3.button(
        _("Step"),
        key="rnn_step",
        on_click=on_step,
        help=_("Train {n} updates, then pause.", n=lab.Run.EVAL_EVERY),
    )
    b4.button(_("Reset"), key="rnn_reset", on_click=on_reset, help=_("New weights, same settings."))
    c_task.selectbox(
        _("Task"),
        list(lab.TASKS),
        index=list(lab.TASKS).index(setup.task),
        format_func=lambda v: _(lab.TASKS[v]),
        key="rnn_task",
        on_change=on_structure,
    )
    c_cell.selectbox(
        _("Cell"),
        list(lab.CELLS),
        index=list(lab.CELLS).index(setup.cell),
        format_func=lambda v: _(lab.CELLS[v]),
        key="rnn_cell",
        on_change=on_structure,
    )
    if S.get("rnn_task", setup.task) in lab.TEXT_TASKS:
        limit_kb = min(lab.UPLOAD_MAX_BYTES, limits.caps().max_upload_bytes) // 1024
        u1, u2 = st.columns([3, 2])
        u1.file_uploader(
            _(
                "Your own text: a UTF-8 .txt file of {min} characters to {kb} KB",
                min=fmt_number(lab.UPLOAD_MIN_CHARS),
                kb=fmt_number(limit_kb),
            ),
            type=["txt"],
            key="rnn_file",
            on_change=on_upload,
            max_upload_size=max(1, min(lab.UPLOAD_MAX_BYTES >> 20, int(limits.caps().max_upload_mb))),
            help=_(
                "The model learns your text's characters (at most {v} kinds; rarer ones share one "
                "symbol). The text stays in this session's memory only, never on disk; its last 5 % "
                "is held out to measure the bits per character.",
                v=fmt_number(lab.ZH_VOCAB),
            ),
        )
        if S.get("rnn_upload_error") is not None:
            u1.error(error_text(S.rnn_upload_error), icon=":material/warning:")
        mine = S.get("rnn_upload")
        if mine is not None:
            u2.caption(
                _(
                    "Your text: {name}, {n} characters, {v} distinct ones.",
                    name=plain(mine.name, 80),
                    n=fmt_number(len(mine.ids)),
                    v=fmt_number(mine.vocab.size),
                )
            )
    with st.expander(_("Model and training settings"), expanded=False):
        e1, e2, e3, e4 = st.columns(4)
        e1.slider(_("Layers (stacked)"), 1, 3, setup.layers, key="rnn_layers", on_change=on_structure)
        e1.select_slider(
            _("Hidden units"),
            HIDDEN,
            value=setup.hidden if setup.hidden in HIDDEN else 32,
            key="rnn_hidden",
            on_change=on_structure,
        )
        if setup.is_text:
            e2.slider(
                _("Truncation length (characters per BPTT chunk)"),
                8,
                96,
                setup.bptt,
                step=8,
                key="rnn_bptt",
                on_change=on_structure,
                help=_(
                    "The gradient flows back at most this many characters; the hidden state is carried "
                    "from one chunk to the next (truncated BPTT)."
                ),
            )
        else:
            e2.slider(
                _("Sequence length"),
                4,
                62,
                setup.seq_len,
                step=2,
                key="rnn_seq_len",
                on_change=on_structure,
                help=_("Steps per sequence (the memory task's distractors: the length − 2)."),
            )
        e2.number_input(_("Seed"), 0, 9999, setup.seed, key="rnn_seed", on_change=on_structure)
        e3.slider(
            _("Recurrent weights' initial scale"),
            0.0,
            3.0,
            setup.recurrent_scale,
            step=0.25,
            key="rnn_scale",
            on_change=on_structure,
            help=_(
                "Wh = scale × an orthogonal matrix: above 1 the gradient grows step by step, "
                "below 1 it fades."
            ),
        )
        e3.selectbox(
            _("Optimizer"),
            list(OPTIMIZERS),
            index=list(OPTIMIZERS).index(setup.optimizer),
            format_func=lambda v: OPTIMIZERS[v].label,
            key="rnn_opt",
            on_change=on_training,
        )
        e4.select_slider(
            _("Learning rate"),
            LRS,
            value=setup.lr if setup.lr in LRS else 0.005,
            key="rnn_lr",
            on_change=on_training,
        )
        e4.select_slider(
            _("Gradient clipping threshold (0: off)"),
            CLIPS,
            value=setup.clip if setup.clip in CLIPS else 1.0,
            key="rnn_clip",
            on_change=on_training,
            help=_("Before each step the whole gradient is rescaled to this norm if it is longer."),
        )
        if setup.is_text:
            e4.select_slider(
                _("Learning-rate decay (updates)"),
                DECAYS,
                value=setup.decay if setup.decay in DECAYS else 0,
                key="rnn_decay",
                on_change=on_training,
                format_func=fmt_number,
                help=_(
                    "The learning rate falls along a half cosine to a twentieth of its value over this "
                    "many updates, then stays there (0: constant). On the English text the settling is "
                    "worth about a tenth of a bit per character."
                ),
            )
    if S.get("rnn_notice"):
        st.caption(message_text(S.rnn_notice))
        S.rnn_notice = None
    if S.get("rnn_error") is not None:
        fail(S.rnn_error)

    caps = limits.caps()

    @fragment(run_every=max(TICK_S, caps.min_update_interval) if S.get("rnn_playing") else None)
    def live() -> None:
        r = run()
        try:
            if S.get("rnn_playing"):
                with hosting.live_turn(None, key="rnn"):  # in a workshop: served in turn
                    r.train(10_000, budget_s=caps.tick_train_budget_s)
                if r.diverged:
                    S.rnn_playing = False
            probe = r.probe()
        except Exception as exc:  # noqa: BLE001
            S.rnn_playing = False
            fail(exc)
            return
        metric, value = r.metric
        shown = (
            f"{value:.3f}"
            if metric == "bits_per_char"
            else (f"{value:.1%}" if metric == "accuracy" else f"{value:.4f}")
        )
        st.markdown(
            _(
                "**{updates}** updates · {metric}: **{value}**",
                updates=fmt_number(r.updates),
                metric=_(charts.METRICS[metric]),
                value=shown,
            )
            + (" · " + _("learning rate {lr}", lr=format(r.lr_now, ".2g")) if r.setup.decay else "")
            + ("" if not S.get("rnn_playing") else " · " + _("playing"))
        )
        if r.diverged:
            st.warning(
                _(
                    "Training diverged (the loss or a weight became infinite): lower the learning rate, "
                    "clip the gradient, or Reset."
                )
            )
        c1, c2 = st.columns(2)
        c1.altair_chart(charts.metric_chart(r.history, metric), width="stretch")
        c2.altair_chart(charts.grad_norm_chart(probe.grad_norms), width="stretch")
        S.rnn_last_probe = probe

    live()

    # The slower views (sample, connectivity, heatmap) refresh at the internals' pace, as the
    # Playground's histograms do: the counter and the two curves above stay several a second.
    @fragment(run_every=caps.internals_interval if S.get("rnn_playing") else None)
    def inside() -> None:
        r, probe = run(), S.get("rnn_last_probe")
        if probe is None:
            return
        if r.setup.is_text:
            t1, t2 = st.columns([3, 2])
            t1.slider(
                _("Temperature τ"),
                0.1,
                2.0,
                0.8,
                step=0.1,
                key="rnn_tau",
                help=_(
                    "Divides the logits before the softmax: low τ picks the likeliest character, "
                    "high τ flattens."
                ),
            )
            tau = float(S.get("rnn_tau", 0.8))
            text = r.sample(160, tau, seed=r.updates)
            t1.markdown(
                _("**Generated text** (τ = {tau}, after {n} updates):", tau=tau, n=fmt_number(r.updates))
            )
            t1.code(text, language=None, wrap_lines=True)
            context = "".join(probe.tokens)
            chars, probs = r.next_char(context, tau)
            t2.altair_chart(charts.softmax_chart(chars, probs), width="stretch")
            t2.caption(_("After the probe sequence shown below ({n} characters).", n=len(context)))
        st.altair_chart(charts.connectivity_chart(probe.connectivity, probe.tokens), width="stretch")
        v1, v2, _v3 = st.columns([2, 1, 2])
        v1.selectbox(
            _("Heatmap shows"),
            ["h", *CELL_VIEWS[r.setup.cell]],
            format_func=lambda v: _(VIEW_LABELS[v]),
            key="rnn_view",
        )
        v2.selectbox(_("Layer"), list(range(1, r.setup.layers + 1)), key="rnn_view_layer")
        layer = min(int(S.get("rnn_view_layer", 1)), len(probe.states)) - 1
        names = ["h"] + (["c"] if probe.cells[layer] is not None else []) + list(probe.gates[layer])
        what = S.get("rnn_view", "h")
        what = what if what in names else "h"
        if what == "h":
            values, signed, title = probe.states[layer], True, _("hidden state h⟨t⟩")
        elif what == "c":
            values, signed, title = np.tanh(probe.cells[layer]), True, _("tanh of the cell state c⟨t⟩")
        else:
            signed = what == "candidate"
            values, title = probe.gates[layer][what], _(VIEW_LABELS[what])
        st.altair_chart(charts.heatmap_chart(values, probe.tokens, title, signed), width="stretch")

    inside()

    # -- one time step's equations with the model's numbers ----------------------------------------
    probe = S.get("rnn_last_probe")
    with st.expander(_("One time step's equations, with this model's numbers"), expanded=False):
        if probe is None:
            st.caption(_("Train or step once to see the numbers."))
        else:
            T = len(probe.tokens)
            t = st.slider(_("Time step t"), 1, T, T, key="rnn_eq_t") - 1
            st.caption(
                _(
                    "Layer 1, the first {u} units, at step {t} (input “{tok}”) of the probe sequence "
                    "shown above. "
                    "The last line recomputes the state from the recorded gates.",
                    u=min(4, probe.states[0].shape[1]),
                    t=t + 1,
                    tok=charts._visible(probe.tokens[t]),
                )
            )
            rows = lab.step_equations(setup.cell, probe, t)
            for row in rows:
                st.latex(row["latex"])
                vals = ", ".join(f"{v:.3f}" for v in row["values"])
                line = f"= [{vals}]"
                if "plugged" in row:
                    line += "  ←  " + " ; ".join(row["plugged"])
                st.code(line, language=None)
        st.markdown(_("**The notes' GRU and torch's GRU.**"))
        st.markdown(
            _(
                "The notes' full GRU applies the relevance gate Γr to c⟨t−1⟩ *before* the matrix product, "
                "and its update gate Γu weighs the *new* candidate. torch.nn.GRU (the engine's `gru`) "
                "applies its reset gate r *after* the product (with a second bias), and its update gate z "
                "weighs the *old* state: z = 1 − Γu. With the same r and z the two forms differ only in "
                "where r acts, so they are different models, both trained here."
            )
        )
        st.latex(
            r"\text{notes: } \tilde c = \tanh(W_c[\Gamma_r \odot c^{\langle t-1\rangle},"
            r" x^{\langle t\rangle}] + b_c),"
            r"\quad c^{\langle t\rangle} = \Gamma_u \tilde c + (1-\Gamma_u)\, c^{\langle t-1\rangle}"
        )
        st.latex(
            r"\text{torch: } n = \tanh(W_{in} x + b_{in} + r \odot (W_{hn} h + b_{hn})),"
            r"\quad h' = (1-z)\, n + z\, h"
        )

# == 2. the cells side by side ======================================================================
with tab_race:
    st.markdown(
        _(
            "The vanilla RNN, the full GRU and the LSTM learn the memory task together, on the same "
            "batches: a symbol (A–D) comes first, then {n} distractors, then a question mark; the answer "
            "is the first symbol (chance: 25 %).",
            n=lab.GAP_DISTRACTORS,
        )
    )
    if "rnn_race" not in S:
        S.rnn_race = None
        S.rnn_race_playing = False
    r1, r2, r3 = st.columns([1, 1, 4])

    def on_race() -> None:
        S.rnn_race = lab.Race()
        S.rnn_race_playing = True

    def on_race_pause() -> None:
        S.rnn_race_playing = not S.rnn_race_playing

    r1.button(_("Start the race"), key="rnn_race_start", on_click=on_race, type="primary")
    r2.button(
        _("Pause") if S.rnn_race_playing else _("Play"),
        key="rnn_race_pause",
        on_click=on_race_pause,
        disabled=S.rnn_race is None,
    )

    @fragment(run_every=0.5 if S.get("rnn_race_playing") else None)
    def race_view() -> None:
        race = S.get("rnn_race")
        if race is None:
            st.caption(_("Press Start: three models, one step each per batch."))
            return
        try:
            if S.get("rnn_race_playing"):
                with hosting.live_turn(None, key="rnn_race"):  # in a workshop: served in turn
                    race.train(1000, budget_s=caps.tick_train_budget_s * 3)
                if race.updates >= lab.RACE_UPDATES:
                    S.rnn_race_playing = False
        except Exception as exc:  # noqa: BLE001
            S.rnn_race_playing = False
            fail(exc)
            return
        st.altair_chart(charts.race_chart(race.curves()), width="stretch")
        accs = {cell: run.history[-1]["accuracy"] for cell, run in race.runs.items()}
        st.caption(
            _("After {n} updates: ", n=fmt_number(race.updates))
            + " · ".join(f"{_(charts.CELL_LABELS[c])} {a:.0%}" for c, a in accs.items())
        )
        if race.updates >= lab.RACE_UPDATES:
            st.info(
                _(
                    "**What to look for:** after {u} updates the LSTM and the full GRU answer (nearly) "
                    "every question, while the vanilla RNN stays near chance: its gradient from the "
                    "question fades over the {n} distractors before it reaches the symbol (see the next "
                    "tab). Tested for seeds 0, 1 and 2.",
                    u=fmt_number(lab.RACE_UPDATES),
                    n=lab.GAP_DISTRACTORS,
                ),
                icon=":material/search:",
            )

    race_view()

    st.markdown(_("**Accuracy against the distractor length**"))

    def on_sweep() -> None:
        S.rnn_sweep = lab.LengthSweep()

    st.button(
        _("Run the sweep (a minute or more)"),
        key="rnn_sweep_start",
        on_click=on_sweep,
        help=_("Each cell is trained {n} updates at 5, 10, 20 and 30 distractors.", n=fmt_number(1000)),
    )

    @fragment(run_every=0.5 if S.get("rnn_sweep") is not None and not S.rnn_sweep.done else None)
    def sweep_view() -> None:
        sweep = S.get("rnn_sweep")
        if sweep is None:
            return
        try:
            with hosting.live_turn(None, key="rnn_sweep"):  # in a workshop: served in turn
                sweep.advance(caps.tick_train_budget_s * 3)
        except Exception as exc:  # noqa: BLE001
            fail(exc)
            return
        st.progress(sweep.progress)
        if sweep.results:
            st.altair_chart(charts.sweep_chart(sweep.results), width="stretch")

    sweep_view()

# == 3. gradients through time ======================================================================
with tab_grad:
    st.markdown(
        _(
            "A vanilla tanh RNN of 16 units over 20 steps; its recurrent weights are an orthogonal matrix "
            "times a scale, so each step back multiplies the gradient's length by about the scale × tanh′. "
            "Only the last step's loss is back-propagated."
        )
    )
    g1, g2 = st.columns([1, 3])
    regime = g1.radio(
        _("Inputs"),
        ["linear", "saturating"],
        format_func=lambda v: (
            _("small (tanh almost linear)") if v == "linear" else _("large (tanh saturates)")
        ),
        key="rnn_regime",
    )
    custom = g1.slider(_("Your scale"), 0.25, 3.0, 1.5, step=0.25, key="rnn_grad_scale")
    input_scale = 1e-3 if regime == "linear" else 3.0
    curves = {f"× {s:g}": lab.gradient_through_time(s, input_scale) for s in sorted({0.5, 1.0, 2.0, custom})}
    g2.altair_chart(charts.ratio_chart(curves), width="stretch")
    if regime == "linear":
        st.info(
            _(
                "**What to look for:** with small inputs tanh stays in its linear part. At ×2 the gradient "
                "reaching step 1 is more than 1,000 times the one at step 20 (exploding); at ×0.5 it is "
                "less than 1/10,000 of it (vanishing); at ×1 it keeps its size."
            ),
            icon=":material/search:",
        )
    else:
        st.info(
            _(
                "**What to look for:** with large inputs tanh saturates (tanh′ ≈ 0) and cuts the gradient "
                "at every saturated unit: even at ×2 it does not explode; the gradient at step 1 is "
                "smaller than at step 20, and at ×1 it vanishes."
            ),
            icon=":material/search:",
        )

# == 4. gradient check ==============================================================================
with tab_check:
    st.markdown(
        _(
            "Backprop's gradients against central differences, (f(w + h) − f(w − h)) / 2h with h = 10⁻⁶, "
            "for every parameter group of a small copy of the cell (4 units, 6 steps, 3 sequences)."
        )
    )
    k1, k2, k3 = st.columns([2, 1, 1])
    k1.selectbox(_("Cell"), list(lab.CELLS), format_func=lambda v: _(lab.CELLS[v]), key="rnn_check_cell")
    k2.slider(_("Layers"), 1, 3, 1, key="rnn_check_layers")

    def on_check() -> None:
        try:
            S.rnn_check = lab.gradient_check(S.rnn_check_cell, int(S.rnn_check_layers))
            S.rnn_error = None
        except Exception as exc:  # noqa: BLE001
            S.rnn_error = exc

    k3.button(_("Run the gradient check"), key="rnn_check_btn", on_click=on_check, type="primary")
    rows = S.get("rnn_check")
    if rows:
        df = pd.DataFrame(
            {
                _("parameter"): [r["param"] for r in rows],
                _("shape"): ["×".join(map(str, r["shape"])) for r in rows],
                _("relative error"): [f"{r['rel_error']:.2e}" for r in rows],
            }
        )
        st.dataframe(df, hide_index=True)
        worst = max(r["rel_error"] for r in rows)
        st.caption(_("Largest relative error: {e} (below 10⁻⁶: the gradients agree).", e=f"{worst:.1e}"))
