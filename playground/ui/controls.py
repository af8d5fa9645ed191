"""The sidebar controls: widgets in, a ``PlaygroundConfig`` out.

Every widget is keyed (``c_...``), starts from the config (``sync_widgets`` writes a config into the
widget keys: on the first run from the URL, after a preset or a pasted link) and has a one-line help.
Choices come from the registries, so a new optimizer or activation shows up here by itself.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from playground import limits
from playground.data import FEATURES, MAX_UPLOAD_MB
from playground.engine import ACTIVATIONS, BN_MODES, INITIALIZERS, OPTIMIZERS, REGULARIZERS, SCHEDULES
from playground.experiment import UPLOAD, PlaygroundConfig, all_datasets
from playground.ui.page import plain

LEARNING_RATES = (1e-5, 3e-5, 1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
"""TF Playground's menu (0.00001 … 10), filled to two steps a decade: a log slider."""
REG_RATES = (0.0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
INTERVALS = (0.05, 0.08, 0.1, 0.2, 0.5, 1.0, 2.0)
BN_LABELS = {"off": "Off", "before": "Before activation", "after": "After activation"}
PROBLEM_LABELS = {"auto": "As detected", "classification": "Classification", "regression": "Regression"}


def _fmt_num(v: float) -> str:
    return f"{v:g}"


def _with(options: tuple[float, ...], value: float) -> list[float]:
    """``options`` plus ``value`` (sorted) so a URL value off the menu still shows."""
    return sorted({*options, float(value)})


# ------------------------------------------------------------------------------------------------
# config -> widget keys


def sync_widgets(cfg: PlaygroundConfig) -> None:
    """Write ``cfg`` into the widgets' session-state keys (call before the widgets are drawn)."""
    s = st.session_state
    d, m, t, lp, v = cfg.data, cfg.model, cfg.training, cfg.loop, cfg.view
    s.c_dataset = d.dataset
    s.c_noise = int(round(d.noise))
    s.c_points = int(d.n_samples)
    s.c_train = int(round(d.train_fraction * 100))
    s.c_val = int(round(d.val_fraction * 100))
    s.c_features = list(d.features)
    s.c_standardize = bool(d.standardize)
    s.c_problem = d.problem
    s.c_seed = int(d.seed)
    s.c_layers = len(m.hidden)
    for i in range(limits.MAX_HIDDEN_LAYERS):
        s[f"c_w{i}"] = int(m.hidden[i]) if i < len(m.hidden) else 4
    s.c_activation = m.activation
    for name, value in m.activation_params.items():
        s[f"c_act_{m.activation}_{name}"] = value
    s.c_init = m.init
    for name, value in m.init_params.items():
        s[f"c_init_{m.init}_{name}"] = value
    s.c_bn = m.batch_norm
    s.c_dropout = float(m.dropout)
    s.c_residual = bool(m.residual)
    s.c_optimizer = t.optimizer
    for name, value in t.optimizer_params.items():
        s[f"c_opt_{t.optimizer}_{name}"] = value
    s.c_lr = float(t.learning_rate)
    s.c_schedule = t.schedule
    for name, value in t.schedule_params.items():
        s[f"c_sched_{t.schedule}_{name}"] = value
    s.c_batch = int(t.batch_size)
    s.c_reg = t.regularization
    s.c_reg_rate = float(t.reg_rate)
    s.c_early = bool(t.early_stopping)
    s.c_patience = int(t.patience)
    s.c_interval = float(lp.update_interval)
    s.c_epu = int(lp.epochs_per_update)
    s.c_stop_epoch = int(lp.stop_epoch)
    s.c_stop_loss = float(lp.stop_loss)
    s.c_show_test = bool(v.show_test)
    s.c_discretize = bool(v.discretize)
    s.c_log_scale = bool(v.log_scale)


# ------------------------------------------------------------------------------------------------
# registry hyperparameters


_PARAM_LABELS = {"beta1": "β₁", "beta2": "β₂", "eps": "ε", "alpha": "α (decay ρ)", "momentum": "momentum μ"}


def param_input(container, label: str, p, key: str, value: Any = None) -> Any:
    """One widget for a registry hyperparameter ``p`` (a :class:`~playground.engine.Param`): a checkbox,
    a whole number or a float (scientific format for log-scale ones), with its range and help.
    ``value`` is the starting value (default: ``p.default``) unless ``key`` already holds one."""
    if key not in st.session_state:
        st.session_state[key] = p.default if value is None else value
    if isinstance(p.default, bool):
        return container.checkbox(label, key=key, help=p.help)
    if isinstance(p.default, int):
        return int(
            container.number_input(
                label,
                min_value=int(p.low) if p.low is not None else None,
                max_value=int(p.high) if p.high is not None else None,
                step=1,
                key=key,
                help=p.help,
            )
        )
    if not isinstance(st.session_state[key], float):
        st.session_state[key] = float(st.session_state[key])
    return float(
        container.number_input(
            label,
            min_value=float(p.low) if p.low is not None else None,
            max_value=float(p.high) if p.high is not None else None,
            step=None if p.log else 0.01,
            format="%.2e" if p.log else "%.4g",
            key=key,
            help=p.help,
        )
    )


def _param_widgets(registry, name: str, prefix: str, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """One widget per hyperparameter of registry entry ``name`` (range and help from its ``Param``)."""
    return {
        pname: param_input(
            st, _PARAM_LABELS.get(pname, pname.replace("_", " ")), p, f"{prefix}_{name}_{pname}"
        )
        for pname, p in registry[name].params.items()
        if pname not in skip
    }


# ------------------------------------------------------------------------------------------------
# the sidebar


def data_controls(
    upload_error: str | None, has_upload: bool, problems: tuple[str, ...], on_upload=None
) -> dict[str, Any]:
    """Data section; returns the data settings and the uploaded file (if a new one was chosen)."""
    specs = all_datasets()
    names = list(specs) + ([UPLOAD] if has_upload else [])
    if st.session_state.get("c_dataset") not in names:
        st.session_state.c_dataset = names[0]

    def label(n: str) -> str:
        if n == UPLOAD:
            return "Uploaded CSV"
        kind = {"binary": "", "multiclass": " · classes", "regression": " · regression"}[specs[n].task]
        return specs[n].label + kind

    dataset = st.selectbox(
        "Dataset",
        names,
        format_func=label,
        key="c_dataset",
        help="The points to learn; TF Playground's four problems and two regressions come first.",
    )
    synthetic = dataset != UPLOAD and specs[dataset].synthetic
    if dataset != UPLOAD:
        st.caption(specs[dataset].description)
    noise = st.slider(
        "Noise (%)",
        0,
        int(limits.MAX_NOISE),
        key="c_noise",
        disabled=not synthetic,
        help="How much the generator blurs the classes (TF Playground's 0–50).",
    )
    points = st.slider(
        "Number of points",
        limits.MIN_POINTS,
        limits.MAX_POINTS,
        step=10,
        key="c_points",
        disabled=not synthetic,
        help="How many points the generator draws (TF Playground: 500).",
    )
    c1, c2 = st.columns(2)
    train = c1.slider(
        "Training data (%)",
        10,
        90,
        step=5,
        key="c_train",
        help="Share of points used for training; the rest test.",
    )
    val = c2.slider(
        "Validation (%)",
        0,
        50,
        step=5,
        key="c_val",
        help="Share of the training points held out to watch for overfitting (and for early stopping).",
    )
    features = st.multiselect(
        "Input features",
        list(FEATURES),
        format_func=lambda f: FEATURES[f].label,
        key="c_features",
        help="What the network sees of each point (TF Playground's seven inputs); at least one.",
    )
    standardize = st.checkbox(
        "Standardize inputs",
        key="c_standardize",
        help="Rescale each input to mean 0 and std 1 (training statistics).",
    )
    problem = "auto"
    if len(problems) > 1:
        if st.session_state.get("c_problem") not in problems:
            st.session_state.c_problem = "auto"
        problem = st.radio(
            "Problem type",
            problems,
            format_func=PROBLEM_LABELS.get,
            key="c_problem",
            horizontal=True,
            help="Whole-number labels can be read as classes or as values to regress.",
        )
    seed = st.number_input(
        "Seed",
        0,
        2**31 - 1,
        step=1,
        key="c_seed",
        help="Seeds the points, the split and the initial weights.",
    )
    file = st.file_uploader(
        f"Upload a CSV (≤ {MAX_UPLOAD_MB} MB)",
        type=["csv", "txt", "tsv"],
        key="c_upload",
        on_change=on_upload,
        help="Columns of numbers; the last column is the label. It is trained on here and never stored.",
    )
    if upload_error:
        st.error(plain(upload_error), icon="⚠️")
    return {
        "dataset": dataset,
        "noise": float(noise),
        "n_samples": int(points),
        "train_fraction": train / 100.0,
        "val_fraction": val / 100.0,
        "features": list(features),
        "standardize": bool(standardize),
        "problem": problem,
        "seed": int(seed),
        "file": file,
    }


def network_controls(n_inputs: int) -> dict[str, Any]:
    n_layers = int(
        st.number_input(
            "Hidden layers",
            0,
            limits.MAX_HIDDEN_LAYERS,
            step=1,
            key="c_layers",
            help=f"0 gives a linear (logistic) model; up to {limits.MAX_HIDDEN_LAYERS}.",
        )
    )
    hidden = []
    if n_layers:
        cols = st.columns(min(n_layers, 4))
        for i in range(n_layers):
            hidden.append(
                int(
                    cols[i % len(cols)].number_input(
                        f"Layer {i + 1}",
                        1,
                        limits.MAX_NEURONS,
                        step=1,
                        key=f"c_w{i}",
                        help=f"Neurons in hidden layer {i + 1} (1–{limits.MAX_NEURONS}).",
                    )
                )
            )
    activation = st.selectbox(
        "Activation",
        list(ACTIVATIONS),
        format_func=lambda n: ACTIVATIONS[n].label,
        key="c_activation",
        help="The non-linearity of every hidden unit.",
    )
    st.caption(ACTIVATIONS[activation].description)
    act_params = _param_widgets(ACTIVATIONS, activation, "c_act")
    init = st.selectbox(
        "Initialization",
        list(INITIALIZERS),
        format_func=lambda n: INITIALIZERS[n].label,
        key="c_init",
        help="How the initial weights are drawn (TF Playground: uniform ±0.5).",
    )
    init_params = _param_widgets(INITIALIZERS, init, "c_init")
    try:
        from playground.engine import init_std

        fan_out = hidden[0] if hidden else 1
        std = float(init_std(init, max(n_inputs, 1), fan_out, init_params))
        if std > 0:
            st.caption(f"{INITIALIZERS[init].description} First layer: std = {std:.3g}.")
        else:
            st.caption(INITIALIZERS[init].description)
    except Exception:  # the caption is a nicety; never let it break the page
        st.caption(INITIALIZERS[init].description)
    bn = st.radio(
        "Batch norm",
        list(BN_MODES),
        format_func=BN_LABELS.get,
        key="c_bn",
        horizontal=True,
        help="Normalize each layer's values per batch, before or after the activation.",
    )
    c1, c2 = st.columns([3, 2])
    dropout = c1.slider(
        "Dropout",
        0.0,
        limits.MAX_DROPOUT,
        step=0.05,
        key="c_dropout",
        help="Share of hidden units zeroed per step.",
    )
    residual = c2.checkbox(
        "Residual",
        key="c_residual",
        help="Add each layer's input to its output (y = x + f(x)) where widths match.",
    )
    return {
        "hidden": hidden,
        "activation": activation,
        "activation_params": act_params,
        "init": init,
        "init_params": init_params,
        "batch_norm": bn,
        "dropout": float(dropout),
        "residual": bool(residual),
    }


def training_controls(val_share: float) -> dict[str, Any]:
    optimizer = st.selectbox(
        "Optimizer",
        list(OPTIMIZERS),
        format_func=lambda n: OPTIMIZERS[n].label,
        key="c_optimizer",
        help="The update rule (TF Playground: plain SGD).",
    )
    st.caption(OPTIMIZERS[optimizer].description)
    lr_now = float(st.session_state.get("c_lr", 0.03))
    lr = st.select_slider(
        "Learning rate",
        options=_with(LEARNING_RATES, lr_now),
        format_func=_fmt_num,
        key="c_lr",
        help="Step size α, on a log scale; too high and the loss explodes.",
    )
    opt_params = _param_widgets(OPTIMIZERS, optimizer, "c_opt", skip=("lr",))
    schedule = st.selectbox(
        "Learning-rate schedule",
        list(SCHEDULES),
        format_func=lambda n: SCHEDULES[n].label,
        key="c_schedule",
        help="How the learning rate changes with the epoch.",
    )
    sched_params = _param_widgets(SCHEDULES, schedule, "c_sched")
    batch = int(
        st.number_input(
            "Batch size",
            1,
            limits.MAX_BATCH_SIZE,
            step=1,
            key="c_batch",
            help="Points per gradient step (TF Playground: 10).",
        )
    )
    c1, c2 = st.columns(2)
    reg = c1.selectbox(
        "Regularization",
        list(REGULARIZERS),
        format_func=lambda n: REGULARIZERS[n].label,
        key="c_reg",
        help="A penalty on large weights.",
    )
    reg_now = float(st.session_state.get("c_reg_rate", 0.0))
    reg_rate = c2.select_slider(
        "Rate λ",
        options=_with(REG_RATES, reg_now),
        format_func=_fmt_num,
        key="c_reg_rate",
        disabled=reg == "none",
        help="Strength of the penalty.",
    )
    if val_share <= 0 and st.session_state.get("c_early"):
        st.session_state.c_early = False
    early = st.checkbox(
        "Early stopping",
        key="c_early",
        disabled=val_share <= 0,
        help="Stop when the validation loss stops improving (needs a validation share).",
    )
    patience = 20
    if early:
        patience = int(
            st.number_input(
                "Patience (epochs)",
                1,
                10_000,
                step=1,
                key="c_patience",
                help="Epochs without improvement to wait.",
            )
        )
    return {
        "optimizer": optimizer,
        "optimizer_params": opt_params,
        "learning_rate": float(lr),
        "schedule": schedule,
        "schedule_params": sched_params,
        "batch_size": batch,
        "regularization": reg,
        "reg_rate": float(reg_rate),
        "early_stopping": bool(early),
        "patience": patience,
    }


def loop_controls() -> dict[str, Any]:
    c1, c2 = st.columns(2)
    interval = c1.select_slider(
        "Update every (s)",
        options=_with(INTERVALS, float(st.session_state.get("c_interval", limits.DEFAULT_UPDATE_INTERVAL))),
        format_func=_fmt_num,
        key="c_interval",
        help="Seconds between live updates; raise it on a busy shared server.",
    )
    epu = c2.slider(
        "Epochs per update",
        1,
        limits.MAX_EPOCHS_PER_UPDATE,
        key="c_epu",
        help="Epochs trained between two updates of the views.",
    )
    c1, c2 = st.columns(2)
    stop_epoch = c1.number_input(
        "Stop at epoch",
        0,
        limits.MAX_TOTAL_EPOCHS,
        step=100,
        key="c_stop_epoch",
        help="Pause here (0: never).",
    )
    stop_loss = c2.number_input(
        "Stop at loss",
        0.0,
        100.0,
        step=0.01,
        format="%.3f",
        key="c_stop_loss",
        help="Pause when the training loss falls to this (0: never).",
    )
    return {
        "update_interval": float(interval),
        "epochs_per_update": int(epu),
        "stop_epoch": int(stop_epoch),
        "stop_loss": float(stop_loss),
    }


def view_controls() -> dict[str, Any]:
    c1, c2, c3 = st.columns(3)
    show_test = c1.checkbox("Test points", key="c_show_test", help="Draw the test points (dark outline) too.")
    discretize = c2.checkbox("Discretize", key="c_discretize", help="Colour by the predicted class only.")
    log_scale = c3.checkbox("Log loss", key="c_log_scale", help="Loss curves on a log scale.")
    return {"show_test": bool(show_test), "discretize": bool(discretize), "log_scale": bool(log_scale)}


def build_config(
    current: PlaygroundConfig, data: dict, model: dict, training: dict, loop: dict, view: dict
) -> PlaygroundConfig:
    """The current config with the widget values laid over it (validated by the caller); settings
    that have no widget (e.g. bias init or clipping from a shared link) carry over."""
    data = {k: v for k, v in data.items() if k != "file"}
    base = current.to_dict()
    base["data"].update(data)
    base["model"].update(model)
    base["training"].update(training)
    base["loop"].update(loop)
    base["view"].update(view)
    cfg = PlaygroundConfig.from_dict(base)
    return cfg
