"""The configuration in a URL, and TensorFlow Playground links.

``to_query(config)`` gives flat, readable query parameters holding only what differs from the
defaults (``?dataset=spiral&layers=8,8,4&activation=relu``); ``from_query(params)`` reads them back
and never raises: an unknown parameter is ignored, a value that cannot be read falls back to the
default and a number out of range is clamped, each with a notice the page shows.

``parse_tf_link(text)`` reads a TensorFlow Playground link (its state lives in the URL *hash*, which
a browser never sends to a server, so the learner pastes the link). The names and formats follow its
``src/state.ts``: ``activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&learningRate=0.03
&regularizationRate=0&noise=0&networkShape=4,2&seed=0.80368&showTestData=false&discretize=false
&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&ySquared=false&cosX=false&sinX=false
&cosY=false&sinY=false&collectStats=false&problem=classification&initZero=false&hideText=false``.
"""

from __future__ import annotations

import dataclasses
import math
import zlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from playground import limits
from playground.data import FEATURES, TF_FEATURE_NAMES
from playground.errors import PlaygroundError
from playground.experiment import UPLOAD, PlaygroundConfig, all_datasets
from playground.experiment.schema import PARAMS, SETTINGS, Setting, params_of, setting
from playground.i18n import _, error_text

Field = Setting
"""A query parameter is a schema setting with a URL ``key`` (see ``playground.experiment.schema``)."""

FIELDS: tuple[Setting, ...] = tuple(s for s in SETTINGS if s.key)
FIELD_BY_KEY = {f.key: f for f in FIELDS}

# Hyperparameter dictionaries travel as prefixed keys: opt.beta1=0.95, sched.gamma=0.9, init.std=0.1,
# act.slope=0.1; each is read against the chosen entry's registry ``Param`` (range, type).
PREFIXES = {prefix: (s.section, s.owner, s.name, s.registry) for prefix, s in PARAMS.items()}
PAGE_KEYS = frozenset({"sid", "lang"})  # the run id (workshop mode), the language
"""Query keys the page itself adds that are not settings (the run id of
``playground.hosting.streamlit_glue``): never shared, and ignored in a pasted link."""
TRUE = {"1", "true", "yes", "on", "t", "y"}
FALSE = {"0", "false", "no", "off", "f", "n", ""}


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        # repr: the shortest text that reads back to the same double, so a link reproduces a run exactly
        return repr(value) if value != int(value) or abs(value) >= 1e6 else str(int(value))
    if isinstance(value, list | tuple):
        return ",".join(_fmt(v) for v in value)
    return str(value)


def to_query(config: PlaygroundConfig) -> dict[str, str]:
    """Query parameters for ``config``: only the values that differ from the defaults."""
    default = PlaygroundConfig()
    default.validate()
    out: dict[str, str] = {}
    for f in FIELDS:
        value = getattr(getattr(config, f.section), f.name)
        if value == getattr(getattr(default, f.section), f.name):
            continue
        if f.scale != 1.0:
            value = value * f.scale
        out[f.key] = _fmt(value)
    for prefix, (section, name_attr, params_attr, registry) in PREFIXES.items():
        sect = getattr(config, section)
        entry = registry[getattr(sect, name_attr)]
        for key, value in getattr(sect, params_attr).items():
            if key in PARAMS[prefix].skip or key not in entry.params or value == entry.params[key].default:
                continue
            out[prefix + key] = _fmt(value)
    return out


def share_link(config: PlaygroundConfig, page_url: str | None, lang: str | None = None) -> str:
    """The link a learner shares: ``page_url`` (the page's address, anything after ``?`` or ``#``
    dropped) with ``config``'s settings only: no run id, so it opens the setup with fresh weights;
    ``lang`` (if given) opens it in the same language."""
    parts = urlsplit(page_url or "/")
    query = urlencode({**to_query(config), **({"lang": lang} if lang else {})})
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


def _number(text: str) -> float | None:
    try:
        v = float(str(text).strip())
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _read(f: Field, raw: str, default: Any, notices: list[str]) -> Any:
    """One parameter's value, or ``default`` with a notice."""
    raw = str(raw).strip()
    if f.kind == "bool":
        low = raw.lower()
        if low in TRUE:
            return True
        if low in FALSE:
            return False
        notices.append(
            _(
                "“{key}={raw}” is not true or false; using the default ({default}).",
                key=f.key,
                raw=raw,
                default=_fmt(default),
            )
        )
        return default
    if f.kind == "choice":
        options = f.options()
        if raw in options:
            return raw
        lowered = {o.lower(): o for o in options}
        if raw.lower() in lowered:
            return lowered[raw.lower()]
        notices.append(
            _(
                "“{key}={raw}” is not one of {options}; using the default ({default}).",
                key=f.key,
                raw=raw,
                options=", ".join(options),
                default=default,
            )
        )
        return default
    if f.kind == "features":
        names = [n.strip() for n in raw.split(",") if n.strip()]
        bad = [n for n in names if n not in FEATURES]
        good = [n for n in FEATURES if n in names]
        if bad:
            notices.append(
                _(
                    "Unknown input feature(s) {bad} ignored; known: {known}.",
                    bad=", ".join(bad),
                    known=", ".join(FEATURES),
                )
            )
        if not good:
            notices.append(_("No valid input feature given; using the default (x1, x2)."))
            return default
        return good
    if f.kind == "ints":
        # one value, one notice: the whole list is read first, so a bad entry never leaves notices
        # about entries that were then thrown away with it
        parts = [p.strip() for p in raw.split(",") if p.strip()]
        numbers = [_number(p) for p in parts]
        if any(v is None or v != int(v) for v in numbers):
            notices.append(
                _(
                    "“{key}={raw}” is not a list of whole numbers; using the default ({default}).",
                    key=f.key,
                    raw=raw,
                    default=_fmt(default),
                )
            )
            return default
        most = limits.caps().max_hidden_layers
        fixes = []
        if len(numbers) > most:
            fixes.append(
                _(
                    "the most is {most} hidden layers, so the last {n} were dropped",
                    most=most,
                    n=len(numbers) - most,
                )
            )
            numbers = numbers[:most]
        low, high = f.bounds()
        widths = [int(min(max(v, low), high)) for v in numbers]
        moved = [f"{int(v)} → {w}" for v, w in zip(numbers, widths, strict=True) if w != v]
        if moved:
            fixes.append(
                _(
                    "a layer has {low} to {high} neurons ({moved})",
                    low=int(low),
                    high=int(high),
                    moved=", ".join(moved),
                )
            )
        if fixes:
            notices.append(
                _(
                    "“{key}={raw}”: {fixes}. Using {widths}.",
                    key=f.key,
                    raw=raw,
                    fixes=_("; ").join(fixes),
                    widths=_fmt(widths),
                )
            )
        return widths
    v = _number(raw)
    if v is None or (f.kind == "int" and v != int(v)):
        params = {"key": f.key, "raw": raw, "default": _fmt(default * f.scale)}
        if f.kind == "int":
            notices.append(_("“{key}={raw}” is not a whole number; using the default ({default}).", **params))
        else:
            notices.append(_("“{key}={raw}” is not a number; using the default ({default}).", **params))
        return default
    low, high = (None if b is None else round(b * f.scale, 12) for b in f.bounds())
    clamped = min(max(v, low), high) if low is not None else v
    if clamped != v:
        notices.append(
            _(
                "“{key}={raw}” is out of range ({low} to {high}); using {value}.",
                key=f.key,
                raw=raw,
                low=_fmt(low),
                high=_fmt(high),
                value=_fmt(clamped),
            )
        )
    value = clamped / f.scale
    return int(round(value)) if f.kind == "int" else float(value)


def _read_params(prefix: str, key: str, raw: str, cfg: PlaygroundConfig, notices: list[str]) -> None:
    section, name_attr, params_attr, registry = PREFIXES[prefix]
    sect = getattr(cfg, section)
    entry = registry[getattr(sect, name_attr)]
    name = key[len(prefix) :]
    if name not in entry.params or name in PARAMS[prefix].skip:
        notices.append(_("“{key}” is not a setting of {entry}; ignored.", key=key, entry=_(entry.label)))
        return
    p = entry.params[name]
    if isinstance(p.default, bool):
        low = str(raw).strip().lower()
        if low not in TRUE | FALSE:
            notices.append(_("“{key}={raw}” is not true or false; using the default.", key=key, raw=raw))
            return
        getattr(sect, params_attr)[name] = low in TRUE
        return
    if not isinstance(p.default, int | float):
        return
    v = _number(raw)
    if v is None or (isinstance(p.default, int) and v != int(v)):
        notices.append(
            _(
                "“{key}={raw}” is not a valid number; using the default ({default}).",
                key=key,
                raw=raw,
                default=_fmt(p.default),
            )
        )
        return
    lo = p.low if p.low is not None else -math.inf
    hi = p.high if p.high is not None else math.inf
    clamped = min(max(v, lo), hi)
    if clamped != v:
        notices.append(
            _(
                "“{key}={raw}” is out of range ({low} to {high}); using {value}.",
                key=key,
                raw=raw,
                low=_fmt(lo),
                high=_fmt(hi),
                value=_fmt(clamped),
            )
        )
    getattr(sect, params_attr)[name] = int(clamped) if isinstance(p.default, int) else float(clamped)


def _repair(cfg: PlaygroundConfig, notices: list[str]) -> PlaygroundConfig:
    """Make a config that fails a cross-field check valid, saying what changed; never raises.

    Also snaps what the page's widgets cannot show (so opening a link does not immediately rebuild
    the network): noise to whole percent, and the problem type of built-in data to "auto"."""
    if cfg.data.noise != round(cfg.data.noise):
        notices.append(_("Noise is set in whole percent: {noise} was rounded.", noise=_fmt(cfg.data.noise)))
        cfg.data.noise = float(round(cfg.data.noise))
    if cfg.data.dataset != UPLOAD and cfg.data.problem != "auto":
        notices.append(_("The problem type can only be chosen for uploaded data; the dataset's own is used."))
        cfg.data.problem = "auto"
    for _attempt in range(4):
        try:
            cfg.validate()
            return cfg
        except PlaygroundError as exc:
            msg = error_text(exc)
        if cfg.training.early_stopping and cfg.data.val_fraction <= 0:
            cfg.training.early_stopping = False
            notices.append(_("Early stopping needs a validation share above 0; it was switched off."))
        elif cfg.training.batch_size == 1 and cfg.model.batch_norm != "off":
            cfg.training.batch_size = 2
            notices.append(_("Batch norm needs batches of at least 2; the batch size was set to 2."))
        else:
            notices.append(_("{message} The default settings are used instead.", message=msg))
            cfg = PlaygroundConfig()
    cfg = PlaygroundConfig()
    cfg.validate()
    return cfg


def from_query(params: Mapping[str, Any]) -> tuple[PlaygroundConfig, list[str]]:
    """A config from query parameters (as ``st.query_params`` or ``parse_qsl`` gives them) and the
    notices to show; never raises."""
    cfg = PlaygroundConfig()
    cfg.validate()
    notices: list[str] = []
    items: dict[str, str] = {}
    for key, value in dict(params).items():
        if isinstance(value, list | tuple):  # repeated key: the last wins, as in st.query_params
            value = value[-1] if value else ""
        items[str(key)] = str(value)
    prefixed = {}
    for key, raw in items.items():
        if key in FIELD_BY_KEY:
            f = FIELD_BY_KEY[key]
            sect = getattr(cfg, f.section)
            default = getattr(sect, f.name)
            value = _read(f, raw, default, notices)
            setattr(sect, f.name, value)
            params = params_of(f)
            if params is not None and value != default:  # another entry: its own hyperparameters
                setattr(sect, params.name, {})
        elif any(key.startswith(p) for p in PREFIXES):
            prefixed[key] = raw
        elif key in PAGE_KEYS:  # read by the page (language) or by hosting (run id)
            continue
        else:
            notices.append(_("Unknown URL parameter “{key}” ignored.", key=key))
    for key, raw in prefixed.items():  # after the choices they belong to
        prefix = next(p for p in PREFIXES if key.startswith(p))
        _read_params(prefix, key, raw, cfg, notices)
    if cfg.data.dataset == UPLOAD:
        notices.append(
            _("A link cannot carry an uploaded file: showing the default dataset; upload the CSV again.")
        )
        cfg.data.dataset = PlaygroundConfig().data.dataset
    return _repair(cfg, notices), notices


# ------------------------------------------------------------------------------------------------
# TensorFlow Playground links

TF_ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid", "linear": "identity"}
TF_REGULARIZATIONS = {"none": "none", "L1": "l1", "L2": "l2"}
TF_DATASETS = ("circle", "xor", "gauss", "spiral")
TF_REG_DATASETS = ("reg-plane", "reg-gauss")
TF_IGNORED = {"collectStats", "tutorial", "hideText"}


def split_link(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """(query parameters, hash parameters) of a pasted link (or of a bare ``a=1&b=2`` string)."""
    text = (text or "").strip()
    if "://" not in text and "?" not in text and "#" not in text:
        return {}, dict(parse_qsl(text, keep_blank_values=True))
    try:
        parts = urlsplit(text if "://" in text else "http://x/" + text.lstrip("/"))
    except ValueError:  # e.g. "http://[::1": an unclosed IPv6 host
        return {}, {}
    return (
        dict(parse_qsl(parts.query, keep_blank_values=True)),
        dict(parse_qsl(parts.fragment, keep_blank_values=True)),
    )


def _tf_seed(text: str) -> int:
    """TF Playground's seed is a string such as "0.80368"; ours is a whole number. Numbers in [0, 1)
    keep their five decimals (0.80368 → 80368); anything else is hashed (stably)."""
    v = _number(text)
    if v is not None and 0 <= v < 1:
        return int(round(v * 100_000))
    if v is not None and v == int(v) and 0 <= v < 2**31:
        return int(v)
    return zlib.crc32(text.encode("utf-8")) & 0x7FFFFFFF


def parse_tf_hash(params: Mapping[str, str]) -> tuple[PlaygroundConfig, list[str]]:
    """A config from TensorFlow Playground's hash parameters (see the module docstring); never raises.

    Its network (uniform ±0.5 weights, bias 0.1, plain SGD on mini-batches) is our default, so its
    links open the same setup; the data is drawn from our generator with the seed, so the points are
    not the same as in the browser.
    """
    cfg = PlaygroundConfig()
    cfg.validate()
    caps = limits.caps()
    notices: list[str] = []
    p = {k: v for k, v in params.items()}

    def has(name: str) -> bool:
        return name in p and p[name] is not None and str(p[name]).strip() != ""

    def number(name: str, low: float, high: float) -> float | None:
        if not has(name):
            return None
        v = _number(p[name])
        if v is None:
            notices.append(
                _(
                    "TF Playground “{name}={value}” is not a number; using the default.",
                    name=name,
                    value=p[name],
                )
            )
            return None
        c = min(max(v, low), high)
        if c != v:
            notices.append(
                _(
                    "TF Playground “{name}={value}” is out of our range; using {used}.",
                    name=name,
                    value=p[name],
                    used=_fmt(c),
                )
            )
        return c

    if has("activation"):
        if p["activation"] in TF_ACTIVATIONS:
            cfg.model.activation = TF_ACTIVATIONS[p["activation"]]
        else:
            notices.append(
                _("Unknown TF Playground activation “{value}”; using tanh.", value=p["activation"])
            )
    if has("regularization"):
        if p["regularization"] in TF_REGULARIZATIONS:
            cfg.training.regularization = TF_REGULARIZATIONS[p["regularization"]]
        else:
            notices.append(
                _("Unknown TF Playground regularization “{value}”; using none.", value=p["regularization"])
            )
    regression = has("problem") and p["problem"] == "regression"
    if has("problem") and p["problem"] not in ("classification", "regression"):
        notices.append(
            _("Unknown TF Playground problem “{value}”; using classification.", value=p["problem"])
        )
    key, names = ("regDataset", TF_REG_DATASETS) if regression else ("dataset", TF_DATASETS)
    if has(key):
        if p[key] in names:
            cfg.data.dataset = p[key]
        else:
            notices.append(
                _(
                    "Unknown TF Playground {key} “{value}”; using {used}.",
                    key=key,
                    value=p[key],
                    used=names[0],
                )
            )
            cfg.data.dataset = names[0]
    elif regression:
        cfg.data.dataset = TF_REG_DATASETS[0]
    # TF Playground draws its own number of points per problem (1 200 for regression); its links
    # carry none, so a TF link opens with that count (our own links name theirs).
    n_points = all_datasets()[cfg.data.dataset].default_samples
    low, high = setting("data", "n_samples").bounds()
    cfg.data.n_samples = int(min(max(n_points, low), high))
    if cfg.data.n_samples != n_points:
        notices.append(
            _(
                "TF Playground uses {n} points for this problem; this server allows at most {high}, "
                "so {drawn} are drawn.",
                n=n_points,
                high=int(high),
                drawn=cfg.data.n_samples,
            )
        )
    if (v := number("learningRate", *setting("training", "learning_rate").bounds())) is not None:
        cfg.training.learning_rate = v
    if (v := number("regularizationRate", *setting("training", "reg_rate").bounds())) is not None:
        cfg.training.reg_rate = v
    if (v := number("batchSize", *setting("training", "batch_size").bounds())) is not None:
        cfg.training.batch_size = int(round(v))
    if (v := number("noise", *setting("data", "noise").bounds())) is not None:
        cfg.data.noise = v
    if (v := number("percTrainData", 10, 90)) is not None:
        cfg.data.train_fraction = v / 100.0
    if "networkShape" in p:
        raw = str(p["networkShape"]).strip()
        widths = []
        for part in [s for s in raw.split(",") if s.strip()] if raw else []:
            v = _number(part)
            if v is None or v != int(v) or v < 1:
                notices.append(
                    _("TF Playground “networkShape={raw}” is not a list of widths; using 4,2.", raw=raw)
                )
                widths = None
                break
            widths.append(int(min(v, caps.max_neurons)))
        if widths is not None:
            if len(widths) > caps.max_hidden_layers:
                notices.append(
                    _("Only {n} hidden layers are allowed; extra ones dropped.", n=caps.max_hidden_layers)
                )
            cfg.model.hidden = widths[: caps.max_hidden_layers]
    if has("seed"):
        cfg.data.seed = _tf_seed(str(p["seed"]))
    for name, attr in (("showTestData", "show_test"), ("discretize", "discretize")):
        if has(name):
            setattr(cfg.view, attr, p[name] != "false")
    features = list(cfg.data.features)
    for tf_name, ours in TF_FEATURE_NAMES.items():
        if has(tf_name):
            on = p[tf_name] != "false"
            if on and ours not in features:
                features.append(ours)
            if not on and ours in features:
                features.remove(ours)
    for tf_name in ("cosX", "cosY"):
        if has(tf_name) and p[tf_name] != "false":
            notices.append(
                _("TF Playground's {name} input is not offered here; it was left out.", name=tf_name)
            )
    if not features:
        notices.append(_("The link switches every input off; x₁ and x₂ are used."))
        features = ["x1", "x2"]
    cfg.data.features = [f for f in FEATURES if f in features]
    if has("initZero") and p["initZero"] != "false":
        cfg.model.init, cfg.model.init_params, cfg.model.bias_init = "zeros", {}, 0.0
    known = {
        "activation", "regularization", "batchSize", "dataset", "regDataset", "learningRate",
        "regularizationRate", "noise", "networkShape", "seed", "showTestData", "discretize",
        "percTrainData", "problem", "initZero", "cosX", "cosY", *TF_FEATURE_NAMES, *TF_IGNORED,
    }  # fmt: skip
    unknown = sorted(k for k in p if k not in known and not k.endswith("_hide"))
    if unknown:
        notices.append(_("Unknown TF Playground parameter(s) ignored: {names}.", names=", ".join(unknown)))
    return _repair(cfg, notices), notices


def parse_link(text: str) -> tuple[PlaygroundConfig, list[str]]:
    """A config from a pasted link: a TensorFlow Playground link (hash) or one of ours (query)."""
    query, fragment = split_link(text)
    query = {k: v for k, v in query.items() if k not in PAGE_KEYS}
    if fragment:
        return parse_tf_hash(fragment)
    if query:
        tf_keys = {"networkShape", "learningRate", "percTrainData", "batchSize", "regDataset"}
        if tf_keys & set(query):
            return parse_tf_hash(query)
        return from_query(query)
    cfg = PlaygroundConfig()
    cfg.validate()
    return cfg, [_("The link carries no settings; nothing to load.")]


def config_diff(a: PlaygroundConfig, b: PlaygroundConfig) -> list[str]:
    """Names of the settings that differ (for tests and notices)."""
    out = []
    for section in PlaygroundConfig.SECTIONS:
        da, db = dataclasses.asdict(getattr(a, section)), dataclasses.asdict(getattr(b, section))
        out += [f"{section}.{k}" for k in da if da[k] != db[k]]
    return out
