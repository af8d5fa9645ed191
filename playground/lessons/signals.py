"""Signals through a deep net at initialization: the experiments of Saito's *Deep Learning from Scratch*
§6.2 (activation histograms per layer) and Ng's vanishing/exploding example (a deep linear net).

:func:`run_signals` builds an engine :class:`~playground.engine.Network` (``depth`` hidden layers of
``width`` units, chosen activation and initializer, optional batch norm), feeds it ``n_samples``
standard-normal inputs, backpropagates a standard-normal upstream gradient, and returns per layer the
histograms of activations and gradients with their statistics — the data behind the charts.

:func:`deep_linear` runs identity activations with weights ``w·I`` (or random with gain ``w``) and
returns the activation and gradient magnitudes per layer, which grow or decay like ``w^l``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from playground.engine import ACTIVATIONS, INITIALIZERS, Network, NetworkConfig
from playground.errors import ConfigError
from playground.i18n import N_

MAX_DEPTH = 10
MAX_WIDTH = 200
MAX_SAMPLES = 5000
BINS = 20  # 20 bins over (0, 1): edges fall on 0.05, 0.4, 0.6, 0.95, the thresholds the lesson names


@dataclass(frozen=True)
class InitChoice:
    """One entry of the lesson's initializer menu: an engine initializer with fixed parameters."""

    key: str
    label: str
    init: str
    params: dict[str, Any] = field(default_factory=dict)
    description: str = ""


CUSTOM_STD = "custom_std"


def init_choices() -> dict[str, InitChoice]:
    """The book's two fixed standard deviations, a custom one, then every other engine initializer."""
    normal = INITIALIZERS["normal"]
    out = {
        "std_1": InitChoice(
            "std_1", N_("N(0, 1): std 1"), "normal", {"std": 1.0}, N_("Too large: sigmoid saturates.")
        ),
        "std_0.01": InitChoice(
            "std_0.01", N_("N(0, 0.01²): std 0.01"), "normal", {"std": 0.01}, N_("Too small: signals vanish.")
        ),
        CUSTOM_STD: InitChoice(CUSTOM_STD, N_("N(0, σ²): custom std"), "normal", {}, normal.description),
    }
    for name, entry in INITIALIZERS.items():
        if name != "normal":
            out[name] = InitChoice(name, entry.label, name, {}, entry.description)
    return out


INIT_CHOICES = init_choices()


@dataclass
class SignalConfig:
    """One histogram experiment. ``init`` is a key of :data:`INIT_CHOICES`."""

    activation: str = "sigmoid"
    init: str = "std_1"
    custom_std: float = 0.05
    batch_norm: str = "off"
    depth: int = 5
    width: int = 100
    n_samples: int = 1000
    seed: int = 0

    def validate(self) -> None:
        if self.init not in INIT_CHOICES:
            raise ConfigError(
                "Unknown initialization {name}; choose one of {choices}.",
                name=repr(self.init),
                choices=", ".join(INIT_CHOICES),
            )
        if not 1 <= int(self.depth) <= MAX_DEPTH:
            raise ConfigError(
                "Depth must be between 1 and {n} layers, got {value}.", n=MAX_DEPTH, value=self.depth
            )
        if not 1 <= int(self.width) <= MAX_WIDTH:
            raise ConfigError(
                "Width must be between 1 and {n} units, got {value}.", n=MAX_WIDTH, value=self.width
            )
        if not 2 <= int(self.n_samples) <= MAX_SAMPLES:
            raise ConfigError(
                "Use between 2 and {n} inputs, got {value}.", n=MAX_SAMPLES, value=self.n_samples
            )
        self.network_config().validate()

    def init_params(self) -> dict[str, Any]:
        choice = INIT_CHOICES[self.init]
        return {"std": float(self.custom_std)} if self.init == CUSTOM_STD else dict(choice.params)

    def network_config(self) -> NetworkConfig:
        """The engine network: inputs as wide as the layers, ``depth`` hidden layers, and an output
        layer of ``width`` units through which the random upstream gradient enters."""
        return NetworkConfig(
            n_inputs=int(self.width),
            hidden=[int(self.width)] * int(self.depth),
            task="multiclass",
            n_classes=max(2, int(self.width)),
            activation=self.activation,
            init=INIT_CHOICES[self.init].init if self.init in INIT_CHOICES else self.init,
            init_params=self.init_params() if self.init in INIT_CHOICES else {},
            batch_norm=self.batch_norm,
            seed=int(self.seed),
        )


@dataclass(frozen=True)
class Preset:
    """A textbook experiment: the settings and what the learner should see."""

    key: str
    label: str
    config: SignalConfig
    expect: str


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset(
            "sigmoid_std1",
            N_("Sigmoid, std 1"),
            SignalConfig("sigmoid", "std_1"),
            N_(
                "Activations pile up at 0 and 1: most units saturate. The gradient's spread, though, stays "
                "about the same in every layer: σ′ is small in the tails, but weights of std 1 on 100 inputs "
                "multiply the gradient by about 10 per layer and make up for it."
            ),
        ),
        Preset(
            "sigmoid_std001",
            N_("Sigmoid, std 0.01"),
            SignalConfig("sigmoid", "std_0.01"),
            N_(
                "Everything collapses near 0.5: all units compute nearly the same thing (lost "
                "expressiveness). Going back, the gradient shrinks about 40× per layer: σ′ ≤ ¼ times weights "
                "that scale it by 0.1."
            ),
        ),
        Preset(
            "sigmoid_xavier",
            N_("Sigmoid, Xavier"),
            SignalConfig("sigmoid", "xavier_normal"),
            N_(
                "A spread of values in every layer (Xavier scales the weights by 1/√n), but the gradient "
                "still shrinks about 4× per layer on the way back: σ′ is at most ¼ and Xavier's weights do "
                "not make up for it. Deep sigmoid nets learn slowly in their first layers; compare tanh."
            ),
        ),
        Preset(
            "tanh_xavier",
            N_("Tanh, Xavier"),
            SignalConfig("tanh", "xavier_normal"),
            N_(
                "Zero-centred bell shapes in every layer, narrowing slowly, and a gradient that shrinks less "
                "than 2× over the five layers (tanh′(0) = 1): the pairing the book recommends for S-shaped "
                "units."
            ),
        ),
        Preset(
            "relu_std001",
            N_("ReLU, std 0.01"),
            SignalConfig("relu", "std_0.01"),
            N_(
                "The activations shrink more than fivefold per layer: deep layers carry almost nothing, "
                "and the gradient shrinks as fast on its way back."
            ),
        ),
        Preset(
            "relu_he",
            N_("ReLU, He"),
            SignalConfig("relu", "he_normal"),
            N_(
                "He's √(2/n) makes up for the half ReLU zeroes: the same spread in every layer, for the "
                "activations and for the gradients."
            ),
        ),
        Preset(
            "sigmoid_std1_bn",
            N_("Sigmoid, std 1 + batch norm"),
            SignalConfig("sigmoid", "std_1", batch_norm="before"),
            N_(
                "Batch norm re-centres and re-scales each layer's input: the same spread in every layer and "
                "under 1 % saturated units, despite the bad init."
            ),
        ),
        Preset(
            "relu_std001_bn",
            N_("ReLU, std 0.01 + batch norm"),
            SignalConfig("relu", "std_0.01", batch_norm="before"),
            N_(
                "With batch norm the tiny weights no longer matter: the activations' spread stays the same "
                "layer after layer."
            ),
        ),
    )
}
DEFAULT_PRESET = "sigmoid_std1"


@dataclass
class Histogram:
    """Counts as shares of all values in a layer (so bars of different layers compare)."""

    edges: np.ndarray  # (bins + 1,)
    share: np.ndarray  # (bins,)

    def share_between(self, lo: float, hi: float) -> float:
        """Share of values in the bins that lie within [lo, hi] (bin edges, up to rounding)."""
        tol = 1e-9
        inside = (self.edges[:-1] >= lo - tol) & (self.edges[1:] <= hi + tol)
        return float(self.share[inside].sum())


@dataclass
class LayerSignal:
    layer: int
    activations: Histogram
    gradients: Histogram
    mean: float
    std: float
    grad_mean: float
    grad_std: float
    saturated: float  # share of outputs in sigmoid/tanh's flat tails
    dead: float  # share of ReLU units that output 0 for every input
    zero_share: float  # share of outputs exactly 0 (not drawn in ReLU histograms)
    minimum: float
    maximum: float
    rms: float
    grad_rms: float


@dataclass
class SignalResult:
    config: SignalConfig
    layers: list[LayerSignal]
    activation_range: tuple[float, float]
    gradient_range: tuple[float, float]
    bounded: bool  # the activation's outputs lie in a fixed interval (sigmoid, tanh)
    drops_zeros: bool  # exact zeros left out of the histograms (ReLU)

    def gradient_factor(self) -> float:
        """How much the gradient's std changes per layer on its way back (geometric mean of
        std(layer l) / std(layer l + 1)); below 1 it shrinks, above 1 it grows. NaN for one layer."""
        stds = [s.grad_std for s in self.layers]
        if len(stds) < 2 or min(stds) <= 0 or not all(np.isfinite(stds)):
            return float("nan")
        return float((stds[0] / stds[-1]) ** (1.0 / (len(stds) - 1)))

    def table(self) -> list[dict[str, Any]]:
        """One row per layer, for the statistics table."""
        return [
            {
                "layer": s.layer,
                "act. mean": s.mean,
                "act. std": s.std,
                "saturated": s.saturated,
                "zero outputs": s.zero_share,
                "dead units": s.dead,
                "grad. std": s.grad_std,
            }
            for s in self.layers
        ]


def output_bounds(activation: str) -> tuple[float, float] | None:
    """(low, high) if the activation's outputs stay in a fixed interval within [−1, 1], else None."""
    act = ACTIVATIONS[activation].obj(1, np.random.default_rng(0))
    x = np.array([[-1e3] * act.pieces, [1e3] * act.pieces])  # Maxout takes k pieces per unit
    lo, hi = (float(v) for v in act.f(x).ravel())
    if np.isfinite(lo) and np.isfinite(hi) and lo >= -1.0 - 1e-9 and hi <= 1.0 + 1e-9:
        return round(lo, 6), round(hi, 6)
    return None


def _hist(values: np.ndarray, lo: float, hi: float, total: int, bins: int) -> Histogram:
    clipped = np.clip(values, lo, hi)
    counts, edges = np.histogram(clipped, bins=bins, range=(lo, hi))
    return Histogram(edges, counts / max(total, 1))


def run_signals(config: SignalConfig, bins: int = BINS) -> SignalResult:
    """Forward ``n_samples`` standard-normal inputs and backward a standard-normal upstream gradient
    through the engine network of ``config``; histogram every hidden layer's outputs and gradients.

    The pass runs in training mode, so batch norm uses the batch's statistics (as it would while
    learning); nothing is trained. Gradients are d(upstream · output)/d(layer output).
    """
    config.validate()
    net = Network(config.network_config())
    rng = np.random.default_rng(np.random.SeedSequence([int(config.seed), 1]))
    X = rng.standard_normal((int(config.n_samples), int(config.width)))
    G = rng.standard_normal((int(config.n_samples), net.config.n_outputs))
    with np.errstate(all="ignore"):
        probe = net.probe(X, training=True, grad_out=G, max_values=None)
    act = net.hidden_layers[0].activation
    drops_zeros = act.dead_below is not None
    bounds = output_bounds(config.activation)

    posts = [rec["post"] for rec in probe]
    grads = [rec["grad"] for rec in probe]
    if bounds is not None:
        a_lo, a_hi = bounds
    else:
        pooled = np.concatenate([p[p != 0.0] if drops_zeros else p for p in posts])
        pooled = pooled[np.isfinite(pooled)]
        if pooled.size == 0:
            a_lo, a_hi = 0.0, 1.0
        else:
            a_lo = min(0.0, float(np.percentile(pooled, 0.1)))
            a_hi = max(float(np.percentile(pooled, 99.9)), a_lo + 1e-12)
    g_all = np.abs(np.concatenate(grads))
    g_all = g_all[np.isfinite(g_all)]
    g_hi = float(np.percentile(g_all, 99.9)) if g_all.size else 1.0
    g_hi = g_hi if g_hi > 0 else 1.0

    layers = []
    for rec, post, grad in zip(probe, posts, grads, strict=True):
        zeros = float(np.mean(post == 0.0))
        drawn = post[post != 0.0] if drops_zeros else post
        layers.append(
            LayerSignal(
                layer=rec["layer"],
                activations=_hist(drawn, a_lo, a_hi, post.size, bins),
                gradients=_hist(grad, -g_hi, g_hi, grad.size, bins),
                mean=rec["mean"],
                std=rec["std"],
                grad_mean=rec["grad_mean"],
                grad_std=rec["grad_std"],
                saturated=rec["saturated_fraction"],
                dead=rec["dead_fraction"],
                zero_share=zeros,
                minimum=float(post.min()),
                maximum=float(post.max()),
                rms=float(np.sqrt(np.mean(post * post))),
                grad_rms=float(np.sqrt(np.mean(grad * grad))),
            )
        )
    return SignalResult(config, layers, (a_lo, a_hi), (-g_hi, g_hi), bounds is not None, drops_zeros)


def preset_config(key: str, **changes: Any) -> SignalConfig:
    """A copy of a preset's config, with changes."""
    return replace(PRESETS[key].config, **changes)


# -- the deep linear net ------------------------------------------------------------------------
LINEAR_MODES = {
    "diagonal": N_("W = w·I (Ng's example): every signal is multiplied by exactly w per layer"),
    "random": N_("random W with entries N(0, w²/n): multiplies the signal's size by about w per layer"),
}


@dataclass
class LinearCurve:
    w: float
    layers: np.ndarray  # 1..L
    activation_rms: np.ndarray
    gradient_rms: np.ndarray
    theory_activation: np.ndarray  # w^l · rms(x)
    theory_gradient: np.ndarray  # w^(L−l) · rms(upstream)


def deep_linear(
    ws: list[float],
    depth: int = 20,
    width: int = 2,
    mode: str = "diagonal",
    n_samples: int = 200,
    seed: int = 0,
) -> list[LinearCurve]:
    """Per layer, the root-mean-square activation and gradient of a deep *linear* engine network
    (identity activations, zero biases) whose hidden weights all have gain ``w``.

    The output layer is the identity, so the upstream gradient enters the last hidden layer as is:
    forward, layer l holds w^l·x; backward, layer l receives w^(L−l)·g. Depth up to 100.
    """
    if mode not in LINEAR_MODES:
        raise ConfigError(
            "Unknown mode {mode}; choose one of {choices}.", mode=repr(mode), choices=", ".join(LINEAR_MODES)
        )
    if not 1 <= int(depth) <= 100:
        raise ConfigError("Depth must be between 1 and {n} layers, got {value}.", n=100, value=depth)
    if not 2 <= int(width) <= MAX_WIDTH:
        raise ConfigError("Width must be between 2 and {n} units, got {value}.", n=MAX_WIDTH, value=width)
    depth, width = int(depth), int(width)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, width))
    G = rng.standard_normal((n_samples, width))
    x_rms, g_rms = float(np.sqrt(np.mean(X * X))), float(np.sqrt(np.mean(G * G)))
    cfg = NetworkConfig(
        n_inputs=width,
        hidden=[width] * depth,
        task="multiclass",
        n_classes=width,
        activation="identity",
        init="zeros",
        seed=seed,
    )
    curves = []
    layers = np.arange(1, depth + 1)
    for w in ws:
        w = float(w)
        if not np.isfinite(w) or w <= 0:
            raise ConfigError("The weight factor w must be a positive number, got {w}.", w=w)
        net = Network(cfg)
        wrng = np.random.default_rng(seed + 1)
        values = {}
        for i in range(1, depth + 1):
            if mode == "diagonal":
                values[f"h{i}.W"] = w * np.eye(width)
            else:
                values[f"h{i}.W"] = wrng.normal(0.0, w / np.sqrt(width), size=(width, width))
        values["out.W"] = np.eye(width)
        net.set_params(values)
        with np.errstate(all="ignore"):
            probe = net.probe(X, grad_out=G, max_values=None)
        curves.append(
            LinearCurve(
                w=w,
                layers=layers,
                activation_rms=np.array([np.sqrt(np.mean(r["post"] ** 2)) for r in probe]),
                gradient_rms=np.array([np.sqrt(np.mean(r["grad"] ** 2)) for r in probe]),
                theory_activation=x_rms * w**layers,
                theory_gradient=g_rms * w ** (depth - layers),
            )
        )
    return curves
