"""The sidebar controls: widgets in, a ``PlaygroundConfig`` out.

Every widget is built from its setting in ``playground.experiment.schema`` (label, range, step,
help, session-state key ``c_...``), so a range or a cap is written once; ``sync_widgets`` writes a
config into the widget keys (on the first run from the URL, after a preset or a pasted link).
Choices come from the registries, so a new optimizer or activation shows up here by itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import streamlit as st

from playground import limits
from playground.engine import INITIALIZERS
from playground.experiment import PRESETS, UPLOAD, PlaygroundConfig, all_datasets
from playground.experiment.schema import SETTINGS, Setting, setting
from playground.i18n import LANGUAGES, N_, _, error_text, fmt_number, language, using
from playground.ui.page import join, plain

NUMBER_FORMAT = "%.4g"  # i18n: not text
# A float input's format: up to four significant digits, 0.5 not 5.00e-1 (printf's %g).


def _fmt_num(v: float) -> str:
    return f"{v:g}"


def _with(options: tuple[float, ...], value: float) -> list[float]:
    """``options`` plus ``value`` (sorted) so a URL value off the menu still shows."""
    return sorted({*options, float(value)})


CHANGED_KEY = "_changed_settings"
# Session-state key: the (section, name, widget key) of each setting the learner changed since the
# last run, in order (``note_change``); the page applies the on-the-fly ones first thing in its run.


def note_change(section: str, name: str, key: str) -> None:
    """A setting widget's ``on_change``: remember which setting the learner changed, so the page can
    apply it before it draws anything (``playground.ui.session.apply_changes``)."""
    st.session_state.setdefault(CHANGED_KEY, []).append((section, name, key))


def config_value(s: Setting, raw: Any) -> Any:
    """What the widget of setting ``s`` holds (``raw``), in config units."""
    if s.control == "checkbox":
        return bool(raw)
    if s.control in ("select", "radio"):
        return raw
    return s.from_widget(raw)


def widget(s: Setting, container=None, **over: Any) -> Any:
    """The widget of setting ``s`` (kind, label, range, step and help from the schema); returns the
    value in config units. ``over`` overrides Streamlit arguments (``disabled``, ``key``…). A change
    is noted (:func:`note_change`) unless ``over`` brings its own ``on_change``."""
    box = st if container is None else container
    key = over.pop("key", s.widget)
    args: dict[str, Any] = {"key": key, "help": _(s.help) if s.help else None, **over}
    if key == s.widget and s.kind not in ("params", "ints") and "on_change" not in args:
        args["on_change"], args["args"] = note_change, (s.section, s.name, key)
    label = over.pop("label", None) or s.widget_label
    args.pop("label", None)
    return config_value(s, _draw(s, box, label, args))


def _draw(s: Setting, box, label: str, args: dict[str, Any]) -> Any:
    """Draw the widget of setting ``s`` in ``box``; the value it holds, as the widget gives it."""
    key = args["key"]
    kind = s.control
    if kind == "checkbox":
        return box.checkbox(label, **args)
    if kind in ("select", "radio"):
        args.setdefault("format_func", s.choice_label)
        if kind == "radio":
            args.setdefault("horizontal", True)
            return box.radio(label, args.pop("options", s.options()), **args)
        return box.selectbox(label, args.pop("options", s.options()), **args)
    if kind == "multiselect":
        args.setdefault("format_func", s.choice_label)
        return box.multiselect(label, s.options(), **args)
    if kind == "select_slider":
        current = float(st.session_state.get(key, s.to_widget(s.default_value())))
        options = _with(s.menu, current)
        return box.select_slider(label, options=options, format_func=_fmt_num, **args)
    low, high = (None if b is None else b * s.scale for b in s.bounds())
    if s.kind == "int" or s.whole_steps:
        low, high = (None if b is None else int(round(b)) for b in (low, high))
        step = int(s.step or 1)
    else:
        step = s.step
    if kind == "slider":
        return box.slider(label, low, high, step=step, **args)
    if kind == "number":
        if s.fmt:
            args.setdefault("format", s.fmt)
        return box.number_input(label, low, high, step=step, **args)
    raise ValueError(f"setting {s.name!r} has no widget kind")


# ------------------------------------------------------------------------------------------------
# config -> widget keys


def sync_widgets(cfg: PlaygroundConfig, state=None) -> None:
    """Write ``cfg`` into the widgets' session-state keys (call before the widgets are drawn);
    ``state``: the session state (default ``st.session_state``)."""
    state = st.session_state if state is None else state
    for s in SETTINGS:
        if not s.widget:
            continue
        section = getattr(cfg, s.section)
        value = getattr(section, s.name)
        if s.kind == "params":  # the chosen entry's hyperparameters, one key each
            owner = getattr(section, s.owner)
            for name, v in value.items():
                state[f"{s.widget}_{owner}_{name}"] = v
        elif s.kind == "ints":  # hidden layers: a count and one width per layer
            state[s.widget] = len(value)
            for i in range(limits.caps().max_hidden_layers):
                state[f"c_w{i}"] = int(value[i]) if i < len(value) else 4
        else:
            state[s.widget] = s.to_widget(value)


CHOICE_CONTROLS = ("select", "radio", "multiselect")
_CHOICES_LANG = "_choices_lang"


def _choices(key: str) -> tuple[list, Callable[[Any], str]] | None:
    """The options of the choice widget ``key`` and what it shows for each (in the active language)."""
    if key == "c_preset":
        return list(PRESETS), lambda n: _(PRESETS[n].label)
    if key == "c_dataset":
        specs = all_datasets()
        return [
            *specs,
            UPLOAD,
        ], lambda n: _("Uploaded CSV") if n == UPLOAD else dataset_label(specs[n].label, specs[n].task)
    for s in SETTINGS:
        if s.widget == key and s.control in CHOICE_CONTROLS:
            return s.options(), s.choice_label
    return None


def _from_label(key: str, shown: Any) -> Any:
    """The option of widget ``key`` that some language shows as ``shown`` (None if none does)."""
    found = _choices(key)
    if found is None or not isinstance(shown, str):
        return None
    options, label = found
    if shown in options:
        return shown
    for lang in LANGUAGES:
        with using(lang):
            for option in options:
                if label(option) == shown:
                    return option
    return None


def keep_choices_across_languages(extra_keys: tuple[str, ...] = (), state=None) -> None:
    """Call before the widgets are drawn, on every run: a language switch keeps what every select
    box, radio and multiselect has chosen.

    Streamlit's browser side holds such a widget's value as its shown label (the ``format_func``
    text). In the run of a switch the value is still decoded with the previous run's labels; written
    back through the session state, it becomes the widget's value in this run, sent to the browser in
    the new language. A label of another language that still arrives later (Streamlit hands it back
    as a raw string) is turned back into its option here."""
    state = st.session_state if state is None else state
    keys = [*(s.widget for s in SETTINGS if s.widget and s.control in CHOICE_CONTROLS), *extra_keys]
    lang = language()
    if state.get(_CHOICES_LANG) != lang:
        switched = _CHOICES_LANG in state
        state[_CHOICES_LANG] = lang
        if switched:
            for key in keys:
                if key in state:
                    state[key] = state[key]
    for key in keys:
        value = state.get(key)
        if isinstance(value, str):
            option = _from_label(key, value)
            if option is not None and option != value:
                state[key] = option
        elif isinstance(value, list) and any(isinstance(v, str) for v in value):
            options = [_from_label(key, v) for v in value]
            if None not in options and options != value:
                state[key] = options


# ------------------------------------------------------------------------------------------------
# registry hyperparameters


def param_input(container, label: str, p, key: str, value: Any = None) -> Any:
    """One widget for a registry hyperparameter ``p`` (a :class:`~playground.engine.Param`): a checkbox,
    a whole number or a float (plain digits, e.g. 0.5 and 0.001; exponents only below 0.0001), with
    its range and help. ``label``: usually ``p.title(name)`` (β₁, initial accumulator).
    ``value`` is the starting value (default: ``p.default``) unless ``key`` already holds one."""
    if key not in st.session_state:
        st.session_state[key] = p.default if value is None else value
    if isinstance(p.default, bool):
        return container.checkbox(label, key=key, help=_(p.help) if p.help else None)
    if isinstance(p.default, int):
        return int(
            container.number_input(
                label,
                min_value=int(p.low) if p.low is not None else None,
                max_value=int(p.high) if p.high is not None else None,
                step=1,
                key=key,
                help=_(p.help) if p.help else None,
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
            format=NUMBER_FORMAT,
            key=key,
            help=_(p.help) if p.help else None,
        )
    )


def _param_widgets(s: Setting, name: str) -> dict[str, Any]:
    """One widget per hyperparameter of the registry entry ``name`` that the ``params`` setting ``s``
    holds (range and help from the entry's ``Param``)."""
    return {
        pname: param_input(st, _(p.title(pname)), p, f"{s.widget}_{name}_{pname}")
        for pname, p in s.registry[name].params.items()
        if pname not in s.skip
    }


def _section(section: str, *names: str) -> dict[str, Setting]:
    return {n: setting(section, n) for n in names}


# ------------------------------------------------------------------------------------------------
# the sidebar


_TASK_SUFFIX = {"multiclass": N_("{label} · multi-class"), "regression": N_("{label} · regression")}


def dataset_label(label: str, task: str) -> str:
    """The dataset menu's entry: the label (an English message id) translated, and its kind of problem
    unless the label says it already ("Spiral, 3 classes", not "Spiral, 3 classes · classes")."""
    said = {"multiclass": "class", "regression": "regression"}.get(task)
    if task not in _TASK_SUFFIX or (said and said in label.lower()):
        return _(label)
    return _(_TASK_SUFFIX[task], label=_(label))


def toolbar_controls(lr_box, activation_box, optimizer_box) -> dict[str, Any]:
    """The page's top bar (TF Playground's): learning rate, activation and optimizer, each drawn in the
    given container; returns ``{"learning_rate", "activation", "optimizer"}``."""
    return {
        "learning_rate": widget(setting("training", "learning_rate"), lr_box),
        "activation": widget(setting("model", "activation"), activation_box),
        "optimizer": widget(setting("training", "optimizer"), optimizer_box),
    }


def data_controls(
    upload_error: str | None, has_upload: bool, problems: tuple[str, ...], on_upload=None, more=None
) -> dict[str, Any]:
    """Data section; returns the data settings and the uploaded file (if a new one was chosen).

    The common ones (dataset, noise, points, training share) go where this is called; the rest into
    ``more`` (the sidebar's Data group) when given."""
    S = _section(
        "data", "dataset", "noise", "n_samples", "train_fraction", "val_fraction", "features", "standardize"
    )
    specs = all_datasets()
    names = list(specs) + ([UPLOAD] if has_upload else [])
    if st.session_state.get("c_dataset") not in names:
        st.session_state.c_dataset = names[0]

    def label(n: str) -> str:
        return _("Uploaded CSV") if n == UPLOAD else dataset_label(specs[n].label, specs[n].task)

    dataset = widget(S["dataset"], options=names, format_func=label)
    synthetic = dataset != UPLOAD and specs[dataset].synthetic
    if dataset != UPLOAD:
        st.caption(_(specs[dataset].description))
    out = {
        "dataset": dataset,
        "noise": widget(S["noise"], disabled=not synthetic),
        "n_samples": widget(S["n_samples"], disabled=not synthetic),
    }
    out["train_fraction"] = widget(S["train_fraction"])
    with more if more is not None else contextlib.nullcontext():
        _more_data(out, S, problems, upload_error, on_upload)
    return out


def upload_error_text(exc) -> str:
    """A CSV's defect for the learner, with the line and the column when the message lacks them."""
    if not isinstance(exc, BaseException):
        return str(exc)
    message = error_text(exc)
    english = str(exc).lower()
    where = []
    row, column = getattr(exc, "row", None), getattr(exc, "column", None)
    if row and f"line {row}" not in english:
        where.append(_("line {row}", row=row))
    if column and f"column {column}" not in english:
        where.append(_("column {column}", column=column))
    return message + (_(" ({where})", where=join(where)) if where else "")


def _more_data(out: dict, S: dict, problems, upload_error, on_upload) -> None:
    out["val_fraction"] = widget(S["val_fraction"])
    out["features"] = widget(S["features"])
    out["standardize"] = widget(S["standardize"])
    out["problem"] = "auto"
    if len(problems) > 1:
        if st.session_state.get("c_problem") not in problems:
            st.session_state.c_problem = "auto"
        out["problem"] = widget(setting("data", "problem"), options=list(problems))
    out["seed"] = widget(setting("data", "seed"))
    mb = limits.caps().max_upload_mb
    mb_text = fmt_number(mb) if isinstance(mb, int) else format(mb, "g")
    out["file"] = st.file_uploader(
        _("Upload a CSV (≤ {mb} MB)", mb=mb_text),
        type=["csv", "txt", "tsv"],
        key="c_upload",
        on_change=on_upload,
        max_upload_size=max(1, int(mb)),
        help=_("Columns of numbers; the last column is the label. It is trained on here and never stored."),
    )
    if upload_error:
        st.error(plain(upload_error_text(upload_error)), icon="⚠️")


def network_controls(n_inputs: int, activation: str) -> dict[str, Any]:
    """The network's settings but the activation (chosen in the top bar; its own settings are here)."""
    S = _section("model", "hidden", "activation", "activation_params", "init", "init_params", "batch_norm")
    caps = limits.caps()
    hidden_s = S["hidden"]
    n_layers = int(
        st.number_input(
            _(hidden_s.label),
            0,
            caps.max_hidden_layers,
            step=1,
            key=hidden_s.widget,
            help=_("{help} Up to {n}.", help=_(hidden_s.help), n=caps.max_hidden_layers),
        )
    )
    hidden = []
    if n_layers:
        cols = st.columns(min(n_layers, 2))
        for i in range(n_layers):
            hidden.append(
                int(
                    cols[i % len(cols)].number_input(
                        _("Layer {i}", i=i + 1),
                        int(hidden_s.bounds()[0]),
                        caps.max_neurons,
                        step=1,
                        key=f"c_w{i}",
                        help=_("Neurons in hidden layer {i} (1–{n}).", i=i + 1, n=caps.max_neurons),
                    )
                )
            )
    st.caption(_("Activation: {text}", text=_(S["activation"].registry[activation].description)))
    act_params = _param_widgets(S["activation_params"], activation)
    init = widget(S["init"])
    init_params = _param_widgets(S["init_params"], init)
    try:
        from playground.engine import init_std

        fan_out = hidden[0] if hidden else 1
        std = float(init_std(init, max(n_inputs, 1), fan_out, init_params))
        if std > 0:
            st.caption(
                _(
                    "{text} First layer: std = {std}.",
                    text=_(INITIALIZERS[init].description),
                    std=f"{std:.3g}",
                )
            )
        else:
            st.caption(_(INITIALIZERS[init].description))
    except Exception:  # the caption is a nicety; never let it break the page
        st.caption(_(INITIALIZERS[init].description))
    bn = widget(S["batch_norm"])
    return {
        "hidden": hidden,
        "activation": activation,
        "activation_params": act_params,
        "init": init,
        "init_params": init_params,
        "batch_norm": bn,
        "dropout": widget(setting("model", "dropout")),
        "residual": widget(setting("model", "residual")),
    }


def training_controls(val_share: float, optimizer: str) -> dict[str, Any]:
    """The training settings but the optimizer and the learning rate (in the top bar)."""
    S = _section(
        "training",
        "optimizer",
        "optimizer_params",
        "learning_rate",
        "schedule",
        "schedule_params",
        "batch_size",
        "regularization",
        "reg_rate",
        "early_stopping",
        "patience",
    )
    st.caption(_("Optimizer: {text}", text=_(S["optimizer"].registry[optimizer].description)))
    out: dict[str, Any] = {}
    out["optimizer_params"] = _param_widgets(S["optimizer_params"], optimizer)
    out["schedule"] = schedule = widget(S["schedule"])
    out["schedule_params"] = _param_widgets(S["schedule_params"], schedule)
    out["batch_size"] = widget(S["batch_size"])
    out["regularization"] = reg = widget(S["regularization"])
    out["reg_rate"] = widget(S["reg_rate"], disabled=reg == "none")
    if val_share <= 0 and st.session_state.get("c_early"):
        st.session_state.c_early = False
    out["early_stopping"] = early = widget(S["early_stopping"], disabled=val_share <= 0)
    out["patience"] = widget(S["patience"]) if early else S["patience"].default_value()
    return out


def loop_controls() -> dict[str, Any]:
    S = _section("loop", "update_interval", "epochs_per_update", "stop_epoch", "stop_loss")
    return {name: widget(S[name]) for name in S}  # one per line: side by side they wrap and cut


def view_controls() -> dict[str, Any]:
    """The view's switches, one per line (three side by side cut their labels short)."""
    return {s.name: widget(s) for s in SETTINGS if s.section == "view"}


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
