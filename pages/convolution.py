"""Lesson: convolutional networks on the 8×8 handwritten digits (thin page; the logic is in
``playground.lessons.conv``, the pictures in ``playground.viz.conv``)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import streamlit as st

from playground import limits
from playground.data.images import make_task
from playground.engine import ACTIVATIONS, OPTIMIZERS
from playground.errors import PlaygroundError
from playground.hosting import streamlit_glue as hosting
from playground.i18n import N_, _, error_text, fmt_number
from playground.lessons import conv as lesson
from playground.ui.charts import image, live_chart
from playground.ui.lang import fragment
from playground.ui.page import route_through_app
from playground.viz import conv as viz

route_through_app()

log = logging.getLogger("playground.convolution")
FRIENDLY = N_("Something went wrong with these settings; the network so far is kept. Try other values.")
# Training time per live update (seconds; on average: the epoch's evaluation is part of it, see
# ConvLab.advance). With the views and Streamlit's own work, an update costs about 30 ms of server CPU
# and the page shows ~10 updates a second on a quiet 2-core machine (20 ms gave 8.4-9.8 a second and
# up to 43 ms); the default net still shows 95 % test accuracy within ~7 s of Play (benchmarks/conv.py).
TRAIN_BUDGET_S = 0.015
DEGRADATION_TICK_S = 0.3
CURVES_WIDTH = 330  # px: with the axis titles, the curves and the confusion matrix fit 1280 px side by side

POOL_LABELS = {"max": N_("max pooling"), "avg": N_("mean pooling"), "none": N_("no pooling")}
HEAD_LABELS = {
    "flatten": N_("flatten → dense"),
    "global_avg": N_("global mean pool → dense"),
    "spp": N_("spatial pyramid pool (1, 2, 4) → dense"),
}
POOL_STRIDES = {0: N_("= window (no overlap)"), 1: "1", 2: "2"}
FILTER_CHOICES = (2, 4, 8, 16, 32)
LR_CHOICES = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3)
BATCH_CHOICES = (8, 16, 32, 64, 128, 256)
# Streamlit's wide layout keeps 6 rem above the title: the live charts should start within 720 px.
PAGE_CSS = """<style>  /* i18n: not text */
[data-testid="stMainBlockContainer"] { padding-top: 3rem; }
</style>"""
KIND_LABELS = {"plain": N_("plain"), "residual": N_("residual")}
PROBE_LABELS = {
    "digit": N_("the test digit"),
    "bar": N_("a bar"),
    "plus": N_("a plus"),
    "cross": N_("a cross"),
}
TASK_LABELS = {"spike": N_("spike"), "density": N_("density")}


def fail(exc: Exception) -> None:
    if isinstance(exc, PlaygroundError):
        st.error(error_text(exc), icon=":material/warning:")
    else:
        log.exception("convolution page failed")
        st.error(_(FRIENDLY), icon=":material/warning:")


ss = st.session_state


# -- state and callbacks ------------------------------------------------------------------------
def default_widgets() -> None:
    """Widget values for the default net, set once per session (the widgets are keyed)."""
    if "cv_blocks" in ss:
        keep_block_widgets()
        return
    cfg = lesson.CnnConfig()
    ss.cv_blocks = len(cfg.blocks)
    for i in range(lesson.MAX_BLOCKS):
        b = cfg.blocks[i] if i < len(cfg.blocks) else lesson.ConvBlock(filters=16)
        for name, key in block_keys(i).items():
            ss[key] = getattr(b, name)
    ss.cv_head, ss.cv_hidden, ss.cv_size, ss.cv_seed = cfg.head, cfg.hidden, cfg.input_size, cfg.seed
    ss.cv_opt, ss.cv_lr, ss.cv_batch = cfg.optimizer, cfg.learning_rate, cfg.batch_size
    ss.cv_index = 0


def block_keys(i: int) -> dict[str, str]:
    """The widget key of each setting of block ``i`` (0-based)."""
    names = (
        "filters",
        "kernel",
        "stride",
        "padding",
        "activation",
        "batch_norm",
        "pool",
        "pool_size",
        "pool_stride",
    )
    prefixes = ("cv_f", "cv_k", "cv_s", "cv_pad", "cv_act", "cv_bn", "cv_pool", "cv_pk", "cv_ps")
    return {n: f"{p}{i}" for n, p in zip(names, prefixes, strict=True)}


def keep_block_widgets() -> None:
    """Keep the settings of blocks whose widgets are not shown (fewer blocks chosen for a while):
    Streamlit forgets a widget's value in a run that does not draw it."""
    for i in range(lesson.MAX_BLOCKS):
        for key in block_keys(i).values():
            if key in ss:
                ss[key] = ss[key]


def config_from_widgets() -> lesson.CnnConfig:
    fallback = lesson.ConvBlock(filters=16)
    blocks = []
    for i in range(int(ss.cv_blocks)):
        settings = {n: ss.get(key, getattr(fallback, n)) for n, key in block_keys(i).items()}
        blocks.append(lesson.ConvBlock(**settings))
    return lesson.CnnConfig(
        blocks=blocks,
        head=ss.cv_head,
        hidden=int(ss.cv_hidden),
        input_size=int(ss.cv_size),
        optimizer=ss.cv_opt,
        learning_rate=float(ss.cv_lr),
        batch_size=int(ss.cv_batch),
        seed=int(ss.cv_seed),
    )


def lab() -> lesson.ConvLab:
    if "cv_lab" not in ss:
        ss.cv_lab = lesson.ConvLab(lesson.CnnConfig())
        ss.cv_playing = False
    return ss.cv_lab


def on_rebuild() -> None:
    """A change of the network's shape: build it afresh (the old one stays if the new one is invalid)."""
    try:
        ss.cv_lab = lesson.ConvLab(config_from_widgets())
        ss.cv_error = None
    except Exception as exc:  # noqa: BLE001
        ss.cv_playing = False
        ss.cv_error = exc


def on_training() -> None:
    try:
        lab().set_training(ss.cv_opt, float(ss.cv_lr), int(ss.cv_batch))
        ss.cv_error = None
    except Exception as exc:  # noqa: BLE001
        ss.cv_error = exc


def on_play(play: bool) -> None:
    """Play or pause. The button passes what it shows (not a toggle): a click that reaches the server
    twice, as one can while the live fragment reruns, leaves the same state."""
    ss.cv_playing = play


def on_step() -> None:
    ss.cv_playing = False
    try:
        lab().train_epochs(1)
    except Exception as exc:  # noqa: BLE001
        ss.cv_error = exc


def on_reset() -> None:
    ss.cv_playing = False
    on_rebuild()


def show_flag(key: str) -> None:
    ss[key] = True


def on_degradation() -> None:
    ss.cv_degradation = lesson.DegradationRun()


def on_clear_cells() -> None:
    for r in range(8):
        for c in range(8):
            ss[f"cv_cell_{r}_{c}"] = False


def on_load_digit() -> None:
    x, _label = lab().test_image(int(ss.cv_index))
    n = x.shape[-1]
    lo = (n - 8) // 2
    digit = x[0, lo : lo + 8, lo : lo + 8]
    cells = digit >= 0.5  # a block at least half inked becomes a clicked cell
    for r in range(8):
        for c in range(8):
            ss[f"cv_cell_{r}_{c}"] = bool(cells[r, c])


@st.cache_data(show_spinner=False, max_entries=2)
def budget_results() -> dict:
    return lesson.budget_duel()


@st.cache_data(show_spinner=False, max_entries=2)
def pooling_results() -> dict:
    return lesson.pooling_duel()


# -- page ---------------------------------------------------------------------------------------
default_widgets()
caps = limits.caps()
st.html(PAGE_CSS)
st.title(_("Convolutional networks"))
st.markdown(
    _(
        "A small convolutional network learns the 8×8 handwritten digits while you watch: press **Play**, "
        "then look at what each layer computes, one tab at a time."
    )
)

b1, b2, b3, t1, t2, t3 = st.columns([1, 1, 1, 1.4, 1.4, 1.4], vertical_alignment="bottom")
playing = bool(ss.get("cv_playing", False))
b1.button(
    _("Pause") if playing else _("Play"),
    key="cv_play",
    on_click=on_play,
    args=(not playing,),
    type="primary",
    icon=":material/pause:" if playing else ":material/play_arrow:",
    help=_("Train continuously; the views below update several times a second."),
    width="stretch",
)
b2.button(
    _("Step"),
    key="cv_step",
    on_click=on_step,
    icon=":material/skip_next:",
    help=_("Train one epoch, then stop."),
    width="stretch",
)
b3.button(
    _("Reset"),
    key="cv_reset",
    on_click=on_reset,
    icon=":material/restart_alt:",
    help=_("New random weights for the same network."),
    width="stretch",
)

err = ss.get("cv_error")
if err is not None:
    fail(err)

with st.expander(_("Build the network"), expanded=False, icon=":material/construction:"):
    st.number_input(
        _("Conv blocks"),
        1,
        lesson.MAX_BLOCKS,
        key="cv_blocks",
        on_change=on_rebuild,
        help=_("Each block: convolution → [batch norm] → activation → [pooling]."),
    )
    cols = st.columns(int(ss.cv_blocks))
    for i, col in enumerate(cols):
        with col:
            st.markdown("**" + _("Block {i}", i=i + 1) + "**")
            st.selectbox(
                _("Filters"),
                FILTER_CHOICES,
                key=f"cv_f{i}",
                on_change=on_rebuild,
                help=_("Number of kernels: each gives one feature map."),
            )
            st.selectbox(
                _("Kernel"),
                (1, 3, 5),
                key=f"cv_k{i}",
                on_change=on_rebuild,
                format_func=lambda k: f"{k}×{k}",
                help=_("Size k of each k×k kernel."),
            )
            st.selectbox(
                _("Stride"),
                (1, 2),
                key=f"cv_s{i}",
                on_change=on_rebuild,
                help=_("Step between neighbouring windows: 2 halves the map."),
            )
            st.selectbox(
                _("Padding"),
                (0, 1, 2),
                key=f"cv_pad{i}",
                on_change=on_rebuild,
                help=_("Zeros added around the map; 1 keeps a 3×3 convolution's output the input's size."),
            )
            st.selectbox(
                _("Activation"),
                lesson.CONV_ACTIVATIONS,
                key=f"cv_act{i}",
                on_change=on_rebuild,
                format_func=lambda a: ACTIVATIONS[a].label,
                help=_("Applied to every value of every map."),
            )
            st.checkbox(
                _("Batch norm"),
                key=f"cv_bn{i}",
                on_change=on_rebuild,
                help=_("Normalize each channel over the batch and all positions (before the activation)."),
            )
            st.selectbox(
                _("Pooling"),
                lesson.POOLS,
                key=f"cv_pool{i}",
                on_change=on_rebuild,
                format_func=lambda p: _(POOL_LABELS[p]),
                help=_("Max or mean of each window, per channel."),
            )
            st.selectbox(
                _("Pool window"),
                (2, 3),
                key=f"cv_pk{i}",
                on_change=on_rebuild,
                format_func=lambda k: f"{k}×{k}",
                help=_("Size of each pooling window."),
            )
            st.selectbox(
                _("Pool stride"),
                tuple(POOL_STRIDES),
                key=f"cv_ps{i}",
                on_change=on_rebuild,
                format_func=lambda s: _(POOL_STRIDES[s]),
                help=_(
                    "A stride smaller than the window overlaps the windows (AlexNet: 3×3 windows, stride 2)."
                ),
            )
    h1, h2, h3, h4 = st.columns(4)
    h1.selectbox(
        _("Head"),
        tuple(HEAD_LABELS),
        key="cv_head",
        on_change=on_rebuild,
        format_func=lambda h: _(HEAD_LABELS[h]),
        help=_(
            "How the last maps become one vector; the spatial pyramid gives the same length for any input "
            "size."
        ),
    )
    h2.selectbox(
        _("Dense hidden units"),
        (0, 16, 32, 64),
        key="cv_hidden",
        on_change=on_rebuild,
        help=_("A ReLU dense layer before the 10 outputs (0: none)."),
    )
    h3.selectbox(
        _("Input size"),
        lesson.INPUT_SIZES,
        key="cv_size",
        on_change=on_rebuild,
        format_func=lambda s: f"{s}×{s}",
        help=_("The digits padded with zeros to a larger image."),
    )
    h4.number_input(
        _("Seed"),
        0,
        10_000,
        key="cv_seed",
        on_change=on_rebuild,
        help=_("Same seed: the same initial weights and the same order of mini-batches."),
    )
    st.caption(
        _("Changing the network starts training afresh; the training settings below keep the weights.")
    )

t1.selectbox(
    _("Optimizer"),
    list(OPTIMIZERS),
    key="cv_opt",
    on_change=on_training,
    format_func=lambda o: OPTIMIZERS[o].label,
    help=_("The engine's optimizers; the weights are kept."),
)
t2.select_slider(
    _("Learning rate"),
    [v for v in LR_CHOICES if caps.min_learning_rate <= v <= caps.max_learning_rate],
    key="cv_lr",
    on_change=on_training,
    help=_("Step size of each update."),
)
t3.select_slider(
    _("Batch size"),
    [b for b in BATCH_CHOICES if b <= caps.max_batch_size],
    key="cv_batch",
    on_change=on_training,
    help=_("Images per update (1 199 training images)."),
)

net_lab = lab()

# Parameter sharing made concrete.
p_col, i_col = st.columns([2, 1], vertical_alignment="top")
try:
    rows = lesson.param_table(net_lab.cfg)
    table = pd.DataFrame(
        {
            _("layer"): [r["layer"] for r in rows],
            _("input (C×H×W)"): ["×".join(map(str, r["input"])) for r in rows],
            _("output (F×H×W)"): ["×".join(map(str, r["output"])) for r in rows],
            _("conv parameters"): [fmt_number(r["conv_params"]) for r in rows],
            _("dense layer, same input → output"): [fmt_number(r["dense_params"]) for r in rows],
        }
    )
    with p_col.expander(
        _("Parameters: {n} in this network", n=fmt_number(net_lab.net.n_params)), icon=":material/functions:"
    ):
        st.dataframe(table, hide_index=True, width="stretch")
        st.caption(
            _(
                "A convolution shares one small kernel across every position, so its count (F·C·k·k + F) "
                "does "
                "not depend on the image's size; a dense layer computing the same output from the same input "
                "needs a weight for every pair of input and output values."
            )
        )
except Exception as exc:  # noqa: BLE001
    fail(exc)

index = i_col.number_input(
    _("Test image shown"),
    0,
    len(net_lab.data.X_test) - 1,
    key="cv_index",
    help=_("Which test digit the feature maps, the receptive field and the shift probe use."),
)

tabs = st.tabs(
    [
        _("Training"),
        _("Receptive field & im2col"),
        _("Shift & pooling"),
        _("Plain vs residual"),
        _("Draw a digit"),
        _("CNN vs dense"),
    ]
)

interval = hosting.live_interval(caps.default_update_interval)


def status_line(current: lesson.ConvLab) -> str:
    rec = current.history[-1]
    return _(
        "Epoch {epoch} · {steps} updates · training loss {loss} · test accuracy {acc}",
        epoch=fmt_number(current.epoch),
        steps=fmt_number(current.trainer.total_steps),
        loss=fmt_number(rec["train_loss"], 3),
        acc=f"{rec['test_acc']:.1%}",
    )


with tabs[0]:

    @fragment(run_every=interval if playing else None)
    def live() -> None:
        current = lab()
        with hosting.live_turn(interval if ss.get("cv_playing") else None):
            try:
                if ss.get("cv_playing"):
                    current.advance(min(TRAIN_BUDGET_S, caps.tick_train_budget_s))
                    if current.status != "ready" or current.epoch >= caps.max_total_epochs:
                        ss.cv_playing = False
                        st.rerun()
                st.markdown(status_line(current))
                live_chart(
                    "cv_live",
                    lambda: None,
                    viz.live_rows(current.history, current.confusion()),
                    width=CURVES_WIDTH,
                    spec=viz.live_charts_spec(width=CURVES_WIDTH, height=110, size=220),
                )
                x, label = current.test_image(int(ss.cv_index))
                blocks, probs = current.maps_and_probs(x)
                maps = [m["maps"] for m in blocks]
                st.html(viz.live_panel(int(ss.cv_index), x, label, probs, maps, current.filters()))
            except Exception as exc:  # noqa: BLE001
                ss.cv_playing = False
                fail(exc)

    live()
    st.info(
        _(
            "**What to look for:** the test accuracy climbs within a few epochs (the default net "
            "passes 95 % within 15 epochs). Each image is scaled to its own largest value: the "
            "gradient tiles show which weights the last mini-batch pushed hardest, not how large "
            "the push was."
        ),
        icon=":material/search:",
    )


def index_slider(col, label: str, top: int, key: str) -> int:
    """A 0…top slider (a single choice is shown as text: a slider needs two values)."""
    if top < 1:
        col.caption(f"{label}: 0")
        return 0
    return int(col.slider(label, 0, top, key=key))


with tabs[1]:
    try:
        cfg = net_lab.cfg
        x, _label = net_lab.test_image(int(ss.cv_index))
        geo = cfg.geometry()
        r1, r2, r3, r4 = st.columns(4)
        block = r1.selectbox(
            _("Conv block"),
            list(range(1, len(cfg.blocks) + 1)),
            key="cv_rf_block",
            help=_("Whose output cell to trace back to the input."),
        )
        _f, oh, ow = geo[block - 1]["conv"]
        n_filters = cfg.blocks[block - 1].filters
        for key, top, start in (
            ("cv_rf_i", oh - 1, oh // 2),
            ("cv_rf_j", ow - 1, ow // 2),
            ("cv_rf_f", n_filters - 1, 0),
        ):
            ss[key] = min(int(ss.get(key, start)), top)  # a smaller network: keep the choice in range
        i = index_slider(r2, _("Output row"), oh - 1, "cv_rf_i")
        j = index_slider(r3, _("Output column"), ow - 1, "cv_rf_j")
        f = index_slider(r4, _("Filter"), n_filters - 1, "cv_rf_f")
        box = lesson.receptive_field(cfg, block, i, j)
        maps = net_lab.block_maps(x)
        c1, c2 = st.columns(2)
        with c1:
            image(
                viz.digit_image(x[0], scale=max(8, 192 // x.shape[-1]), box=box),
                caption=_(
                    "input: the receptive field of cell ({i}, {j}) is {h}×{w} pixels",
                    i=i,
                    j=j,
                    h=box[1] - box[0],
                    w=box[3] - box[2],
                ),
            )
        with c2:
            m = maps[block - 1]["pre"][f]
            image(
                viz.map_with_cell(m, (i, j), scale=max(8, 192 // m.shape[-1])),
                caption=_("block {k}, filter {f}: the conv's output (before the activation)", k=block, f=f),
            )
        if block == 1:
            d = lesson.dot_product(net_lab, x, f, i, j)
            st.markdown(
                _(
                    "**The dot product, with this network's numbers.** The {k}×{k} patch of the input under "
                    "the window (padding zeros included), times the kernel, element by element, summed, plus "
                    "the bias:",
                    k=cfg.blocks[0].kernel,
                )
            )
            fmt = np.vectorize(lambda v: f"{v:.2f}")
            p1, p2, p3 = st.columns(3)
            p1.caption(_("input patch"))
            p1.dataframe(pd.DataFrame(fmt(d["patch"])), hide_index=True)
            p2.caption(_("kernel"))
            p2.dataframe(pd.DataFrame(fmt(d["kernel"])), hide_index=True)
            p3.caption(_("products"))
            p3.dataframe(pd.DataFrame(fmt(d["products"])), hide_index=True)
            st.markdown(
                _(
                    "Σ products = {s}, + bias {b} = **{total}**; the network computed **{net}**.",
                    s=f"{d['products'].sum():.4f}",
                    b=f"{d['bias']:.4f}",
                    total=f"{d['sum']:.4f}",
                    net=f"{d['net_value']:.4f}",
                )
            )
            v = lesson.im2col_view(net_lab, x)
            row = i * ow + j
            st.markdown(
                _(
                    "**im2col:** every window becomes one row of a patch matrix ({r} rows × {c} columns); "
                    "one matrix product with the kernels ({c} × {fn}) gives every output at once. Row {row} "
                    "(outlined) is cell ({i}, {j}).",
                    r=v["patches"].shape[0],
                    c=v["patches"].shape[1],
                    fn=v["kernels"].shape[1],
                    row=row,
                    i=i,
                    j=j,
                )
            )
            m1, m2, m3 = st.columns([1, 1, 1])
            with m1:
                image(viz.matrix_image(v["patches"], scale=6, row=row), caption=_("patches"))
            with m2:
                image(viz.matrix_image(v["kernels"], scale=6), caption=_("kernels, one column per filter"))
            with m3:
                image(viz.matrix_image(v["product"], scale=6, row=row), caption=_("patches · kernels + b"))
            st.caption(
                _(
                    "Largest difference between patches · kernels + b and the network's own conv output: "
                    "{d}.",
                    d=f"{np.abs(v['maps'] - v['net_maps']).max():.1e}",
                )
            )
        else:
            st.caption(
                _(
                    "Choose block 1 for the dot product with real numbers; a deeper block sums such products "
                    "over all the channels of the maps below it, so it sees the larger field outlined."
                )
            )
    except Exception as exc:  # noqa: BLE001
        fail(exc)

with tabs[2]:
    try:
        source = st.segmented_control(
            _("Input to move"),
            tuple(PROBE_LABELS),
            default="digit",
            key="cv_probe",
            format_func=lambda k: _(PROBE_LABELS[k]),
            help=_(
                "The chosen test digit, or a synthetic bar or shape at a place drawn from the test image "
                "number."
            ),
        )
        x = lesson.probe_input(net_lab, source or "digit", int(ss.cv_index))
        probe = lesson.shift_probe(net_lab, x)
        c = probe["change"]
        s1, s2 = st.columns([1, 2])
        with s1:
            image(viz.digit_image(x[0], scale=max(4, 96 // x.shape[-1])), caption=_("the input"))
            image(
                viz.digit_image(probe["shifted"][0], scale=max(4, 96 // x.shape[-1])),
                caption=_("moved right by one pixel"),
            )
        with s2:
            f = probe["before"]["maps"].shape[0]
            per = max(2, 96 // probe["before"]["maps"].shape[-1])
            limit = float(max(np.abs(probe["before"]["maps"]).max(), np.abs(probe["after"]["maps"]).max()))
            image(
                viz.tile(probe["before"]["maps"], cols=min(f, 8), scale=per, limit=limit),
                caption=_("block 1 feature maps"),
            )
            image(
                viz.tile(probe["after"]["maps"], cols=min(f, 8), scale=per, limit=limit),
                caption=_("the same maps for the moved digit"),
            )
        changes = pd.DataFrame(
            {
                _("output of block 1"): [
                    _("feature maps, flattened"),
                    _("after the block's pooling"),
                    _("global max of each map"),
                    _("global mean of each map"),
                ],
                _("relative change ‖a′ − a‖ / ‖a‖"): [
                    f"{c['maps']:.1%}",
                    f"{c['pooled']:.1%}",
                    f"{c['global_max']:.1%}",
                    f"{c['global_mean']:.1%}",
                ],
            }
        )
        st.dataframe(changes, hide_index=True)
        if lesson.shift_claims(probe):
            st.info(
                _(
                    "**What to look for:** away from the border the moved digit's maps are the old maps "
                    "moved "
                    "by one pixel (largest difference {e}): convolution is *equivariant*. The flattened maps "
                    "still change by {m}, while the global max of each map changes by {g}: pooling over "
                    "positions adds *invariance*.",
                    e=f"{probe['map_error']:.1e}",
                    m=f"{c['maps']:.0%}",
                    g=f"{c['global_max']:.0%}",
                ),
                icon=":material/search:",
            )
        elif np.isfinite(probe["map_error"]):
            st.caption(
                _(
                    "Largest difference between the moved maps and the old maps moved by one pixel, away "
                    "from the border: {e}.",
                    e=f"{probe['map_error']:.1e}",
                )
            )
        else:
            st.caption(
                _("With a stride of 2 in block 1, a one-pixel shift does not move the maps by a whole cell.")
            )

        st.markdown("#### " + _("Max or mean pooling?"))
        st.markdown(
            _(
                "Two texture tasks, a net each with one conv layer, a *global* max or mean over each map, "
                "then "
                "two outputs (3 seeds). **Spike:** one bright pixel somewhere, or none (both classes have "
                "the "
                "same mean brightness). **Density:** sparse or dense dots of one brightness (the same "
                "maximum)."
            )
        )
        e1, e2, e3, e4 = st.columns(4)
        for col, task in ((e1, "spike"), (e2, "density")):
            X, y = make_task(task, n=4, seed=7)
            with col:
                image(
                    viz.tile(X[[1, 0], 0], cols=2, scale=10, limit=1.0),
                    caption=_("{t}: class 1, class 0", t=_(TASK_LABELS[task])),
                )
        e3.button(
            _("Train max and mean nets"),
            key="cv_pool_run",
            on_click=show_flag,
            args=("cv_pool_shown",),
            help=_("About 10 seconds, once per server."),
        )
        if ss.get("cv_pool_shown"):
            with st.spinner(_("Training…")):
                res = pooling_results()
            rows = [
                {"net": f"{_(TASK_LABELS[t])} · {_(POOL_LABELS[p])}", "seed": s, "acc": float(a)}
                for t in res
                for p in ("max", "avg")
                for s, a in enumerate(res[t][p])
            ]
            st.altair_chart(viz.seeds_chart(rows, height=180), width="stretch")
            if lesson.pooling_claims(res):
                st.info(
                    _(
                        "**What to look for:** on the spike, the max keeps the one pixel that matters (mean "
                        "accuracy "
                        "{a} against {b} for the mean); on the density, every image has the same maximum and "
                        "only "
                        "the mean counts the dots ({c} against {d} for the max).",
                        a=f"{res['spike']['max'].mean():.0%}",
                        b=f"{res['spike']['avg'].mean():.0%}",
                        c=f"{res['density']['avg'].mean():.0%}",
                        d=f"{res['density']['max'].mean():.0%}",
                    ),
                    icon=":material/search:",
                )

        st.markdown("#### " + _("Spatial pyramid pooling: one length for any size"))
        try:
            pyr = lesson.pyramid_vectors(net_lab, x)
            pcols = st.columns(len(pyr))
            for col, (size, p) in zip(pcols, pyr.items(), strict=True):
                with col:
                    image(viz.digit_image(p["input"], scale=max(4, 96 // size)), caption=f"{size}×{size}")
                    f = p["maps"].shape[0]
                    image(
                        viz.tile(p["maps"], cols=min(f, 8), scale=max(2, 48 // p["maps"].shape[-1])),
                        caption=_(
                            "maps {h}×{w} → a vector of {n}",
                            h=p["maps"].shape[-2],
                            w=p["maps"].shape[-1],
                            n=p["vector"].size,
                        ),
                    )
            st.caption(
                _(
                    "Block 1's kernels on the digit padded to three sizes: the maps grow with the image, but "
                    "pooling each map over a 1×1, a 2×2 and a 4×4 grid always gives F·(1 + 4 + 16) numbers, "
                    "so "
                    "one dense layer can follow inputs of any size."
                )
            )
        except PlaygroundError as exc:
            fail(exc)
    except Exception as exc:  # noqa: BLE001
        fail(exc)

with tabs[3]:
    st.markdown(
        _(
            "Deeper is not always better: nets of 2, 6 and 12 conv layers (8 filters each, batch norm, "
            "ReLU), "
            "plain and with identity shortcuts around every layer after the first, trained side by side on "
            "the same 300 digits with Adam (3 seeds each, stacked on the engine's trials axis). Solid lines: "
            "plain; dashed: residual."
        )
    )
    run = ss.get("cv_degradation")
    st.button(
        _("Train plain and residual nets") if run is None else _("Train them again"),
        key="cv_deg_run",
        on_click=on_degradation,
        help=_("8 epochs each; the curves grow while they train (about a minute)."),
    )
    running = run is not None and not run.done

    @fragment(run_every=DEGRADATION_TICK_S if running else None)
    def degradation_view() -> None:
        current = ss.get("cv_degradation")
        if current is None:
            return
        with hosting.live_turn(DEGRADATION_TICK_S if not current.done else None, key="cv_deg"):
            try:
                was_done = current.done
                current.advance(0.2)
                st.progress(
                    current.epoch / current.epochs,
                    text=_("epoch {e} of {n}", e=current.epoch, n=current.epochs),
                )
                rows = [{**r, "kind": _(KIND_LABELS[r["kind"]])} for r in current.curves()]
                st.altair_chart(viz.degradation_chart(rows), width="stretch")
                if current.done:
                    fin = current.final_losses()
                    if lesson.degradation_claims(fin):
                        st.info(
                            _(
                                "**What to look for:** the 12-layer plain net ends with a higher training "
                                "loss "
                                "(mean {p12}) than the 6-layer one ({p6}) — more layers, worse fit of the "
                                "*training* "
                                "data: degradation, not overfitting. With shortcuts the 12-layer net ends at "
                                "{r12}, "
                                "below the plain one for every seed.",
                                p12=fmt_number(fin[("plain", 12)].mean(), 3),
                                p6=fmt_number(fin[("plain", 6)].mean(), 3),
                                r12=fmt_number(fin[("residual", 12)].mean(), 3),
                            ),
                            icon=":material/search:",
                        )
                    if not was_done:
                        st.rerun()  # stop the timer
            except Exception as exc:  # noqa: BLE001
                fail(exc)

    degradation_view()

with tabs[4]:

    @fragment()
    def drawing() -> None:
        try:
            current = lab()
            st.markdown(
                _(
                    "Click cells to draw a digit. A clicked cell is a fully inked 4×4 block of the data "
                    "set's 32×32 drawings (grey level 16), so it reaches the net preprocessed as the "
                    "training "
                    "digits were. The data set's digits fill most of the grid with strokes one to two cells "
                    "wide: draw yours that way."
                )
            )
            d1, d2 = st.columns([1, 1.3])
            with d1:
                for r in range(8):
                    row = st.columns(8, gap=None)
                    for c in range(8):
                        row[c].checkbox(
                            _("row {r}, column {c}", r=r + 1, c=c + 1),
                            key=f"cv_cell_{r}_{c}",
                            label_visibility="collapsed",
                        )
                cells = np.array([[bool(ss.get(f"cv_cell_{r}_{c}")) for c in range(8)] for r in range(8)])
                e1, e2 = st.columns(2)
                e1.button(_("Clear"), key="cv_clear", on_click=on_clear_cells, width="stretch")
                e2.button(
                    _("Copy test digit"),
                    key="cv_copy",
                    on_click=on_load_digit,
                    width="stretch",
                    help=_("Start from the test image chosen above (cells at least half inked)."),
                )
            with d2:
                if not cells.any():
                    st.caption(_("Nothing drawn yet."))
                    return
                x = current.drawing_input(cells)
                probs = current.predict(x[None])[0]
                st.markdown(
                    "### " + _("The net says {d} ({p})", d=int(probs.argmax()), p=f"{probs.max():.0%}")
                )
                st.altair_chart(viz.probability_chart(probs), width="stretch")
                maps = current.block_maps(x)
                mcols = st.columns(len(maps))
                for k, (col, m) in enumerate(zip(mcols, maps, strict=True), start=1):
                    with col:
                        f = m["maps"].shape[0]
                        image(
                            viz.tile(m["maps"], cols=min(f, 4), scale=max(2, 64 // m["maps"].shape[-1])),
                            caption=_("block {k}: {f} maps", k=k, f=f),
                        )
        except Exception as exc:  # noqa: BLE001
            fail(exc)

    drawing()

with tabs[5]:
    st.markdown(
        _(
            "At a small budget, sharing pays. A CNN with 2 filters of 3×3, 2×2 max pooling and 10 outputs "
            "(350 parameters) against a dense net 64 → 5 → 10 (385 parameters), each trained 20 epochs "
            "with Adam on the same digits, 5 seeds each."
        )
    )
    st.button(
        _("Train both (5 seeds)"),
        key="cv_budget_run",
        on_click=show_flag,
        args=("cv_budget_shown",),
        help=_("About 5 seconds, once per server."),
    )
    if ss.get("cv_budget_shown"):
        try:
            with st.spinner(_("Training…")):
                res = budget_results()
            names = {
                "cnn": _("CNN ({n} parameters)", n=res["cnn"]["params"]),
                "dense": _("dense ({n} parameters)", n=res["dense"]["params"]),
            }
            rows = [
                {"net": names[k], "seed": s, "acc": float(a)}
                for k in ("cnn", "dense")
                for s, a in enumerate(res[k]["test_acc"])
            ]
            st.altair_chart(viz.seeds_chart(rows), width="stretch")
            if lesson.budget_claims(res):
                st.info(
                    _(
                        "**What to look for:** averaged over 5 seeds the CNN reaches {c} test accuracy and "
                        "the "
                        "dense net, with more parameters, {d}. The CNN's 3×3 kernels are reused at all 64 "
                        "positions; the dense net spends a weight per pixel and hidden unit.",
                        c=f"{res['cnn']['test_acc'].mean():.1%}",
                        d=f"{res['dense']['test_acc'].mean():.1%}",
                    ),
                    icon=":material/search:",
                )
        except Exception as exc:  # noqa: BLE001
            fail(exc)
