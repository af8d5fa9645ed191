"""The classic 2-D problems, seeded, and the ``DATASETS`` registry the UI builds its choices from.

The four classification and two regression problems of TensorFlow Playground use its formulas and
constants (``src/dataset.ts`` at tensorflow/playground@02469bd, Apache-2.0): points in the [-6, 6]²
plane, radius 5, the same point counts per class and the same noise scaling, so workshop material made
for it carries over. Noise is given in percent (0–50) as TF Playground's slider, which divides it by
100 before calling the generator; every formula below uses that fraction ``p = noise / 100``.

Labels: TF Playground labels classes −1 (drawn orange) and +1 (drawn blue); ours are class indices,
**class 0 = TF's −1 (orange), class 1 = TF's +1 (blue)**, and the class names say so ("−1", "+1").
TF draws a fresh random stream from ``Math.seedrandom``; we draw from ``numpy.random.default_rng(seed)``,
so the same seed gives the same data here, not the same points as in the browser.

Like TF Playground's ``generateData``, every generator shuffles its rows before returning them.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from playground.data.dataset import N_, Dataset, _check_seed
from playground.data.iris import IRIS_FEATURES, IRIS_SPECIES, load_iris
from playground.errors import DataError

N_SAMPLES_DEFAULT = 500
"""TF Playground's ``NUM_SAMPLES_CLASSIFY``."""
N_SAMPLES_REGRESS_TF = 1200
"""TF Playground's ``NUM_SAMPLES_REGRESS`` (offered as ``DatasetSpec.default_samples`` of regression)."""
N_SAMPLES_MIN = 10
N_SAMPLES_MAX = 5000
NOISE_MAX = 50.0
"""Noise in percent, 0–50, as TF Playground's slider."""
PLANE = (-6.0, 6.0)
"""TF Playground's ``xDomain``: the window of the 2-D view for generated data."""
RADIUS = 5.0
"""TF Playground's radius of the circle and spiral problems."""
VIEW_NAMES = ("x₁", "x₂")
TF_CLASS_NAMES = ("−1", "+1")


def check_generator_args(n_samples, noise, seed) -> tuple[int, float, np.random.Generator]:
    """Validate the three settings every generator takes; return (n, noise fraction p, rng)."""
    if isinstance(n_samples, bool) or not isinstance(n_samples, int | float | np.integer | np.floating):
        raise DataError(
            "The number of samples must be a whole number, got {n_samples!r}.", n_samples=n_samples
        )
    if not (N_SAMPLES_MIN <= n_samples <= N_SAMPLES_MAX) or n_samples != int(n_samples):
        raise DataError(
            "The number of samples must be a whole number from {low} to {high}, got {n_samples!r}.",
            low=N_SAMPLES_MIN,
            high=N_SAMPLES_MAX,
            n_samples=n_samples,
        )
    if isinstance(noise, bool) or not isinstance(noise, int | float | np.integer | np.floating):
        raise DataError(
            "Noise must be a number of percent from 0 to {high:g}, got {noise!r}.",
            high=NOISE_MAX,
            noise=noise,
        )
    if not (0.0 <= noise <= NOISE_MAX):  # also rejects NaN
        raise DataError(
            "Noise must be from 0 to {high:g} percent, got {noise!r}.", high=NOISE_MAX, noise=noise
        )
    return int(n_samples), float(noise) / 100.0, np.random.default_rng(_check_seed(seed))


def _halves(n: int) -> tuple[int, int]:
    """Rows of TF's first-drawn (+1) and second (−1) class: ``numSamples / 2`` each, the odd one to +1."""
    return n - n // 2, n // 2


def _finish(name: str, X: np.ndarray, y: np.ndarray, task: str, class_names: tuple[str, ...], rng) -> Dataset:
    order = rng.permutation(len(y))
    return Dataset(
        X=X[order],
        y=y[order],
        task=task,
        name=name,
        feature_names=VIEW_NAMES,
        class_names=class_names,
        label_name="class" if task != "regression" else "target",
        domain=(PLANE, PLANE),
    )


def _polar(r: np.ndarray, angle: np.ndarray) -> np.ndarray:
    """TF's convention: x = r·sin(angle), y = r·cos(angle)."""
    return np.column_stack([r * np.sin(angle), r * np.cos(angle)])


def make_circle(n_samples: int = N_SAMPLES_DEFAULT, noise: float = 0.0, seed: int = 0) -> Dataset:
    """A disc of class 1 inside a ring of class 0 — TF Playground's ``classifyCircleData``.

    Class 1: n/2 points with r ~ U(0, 0.5·5), class 0: n/2 points with r ~ U(0.7·5, 5), angle ~ U(0, 2π),
    x = r·sin(angle), y = r·cos(angle). Noise does not move the points: each label is recomputed as
    ``|p + ε| < 2.5`` with ε ~ U(−5, 5)²·p, so near the gap noise flips labels.
    """
    n, p, rng = check_generator_args(n_samples, noise, seed)
    n_in, n_out = _halves(n)
    parts_X, parts_y = [], []
    for m, r_lo, r_hi in ((n_in, 0.0, RADIUS * 0.5), (n_out, RADIUS * 0.7, RADIUS)):
        r = rng.uniform(r_lo, r_hi, m)
        pts = _polar(r, rng.uniform(0.0, 2 * math.pi, m))
        jitter = rng.uniform(-RADIUS, RADIUS, (m, 2)) * p
        parts_X.append(pts)
        parts_y.append((np.hypot(*(pts + jitter).T) < RADIUS * 0.5).astype(np.int64))
    return _finish("circle", np.vstack(parts_X), np.concatenate(parts_y), "binary", TF_CLASS_NAMES, rng)


def make_xor(n_samples: int = N_SAMPLES_DEFAULT, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Four quadrants, class 1 where x₁ and x₂ share a sign — TF Playground's ``classifyXORData``.

    x, y ~ U(−5, 5), each pushed 0.3 away from its axis (the "padding"); label = [(x+εx)(y+εy) ≥ 0] with
    ε ~ U(−5, 5)·p. Noise flips labels near the axes; the class balance is random, about half each.
    """
    n, p, rng = check_generator_args(n_samples, noise, seed)
    pts = rng.uniform(-5.0, 5.0, (n, 2))
    pts += np.where(pts > 0, 0.3, -0.3)
    jittered = pts + rng.uniform(-5.0, 5.0, (n, 2)) * p
    y = (jittered[:, 0] * jittered[:, 1] >= 0).astype(np.int64)
    return _finish("xor", pts, y, "binary", TF_CLASS_NAMES, rng)


def make_gauss(n_samples: int = N_SAMPLES_DEFAULT, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Two Gaussian blobs — TF Playground's ``classifyTwoGaussData``.

    Class 1 centred at (2, 2), class 0 at (−2, −2), n/2 points each; the variance of each coordinate
    grows linearly with noise, from 0.5 at p = 0 to 4 at p = 0.5: σ² = 0.5 + 7p.
    """
    n, p, rng = check_generator_args(n_samples, noise, seed)
    sd = math.sqrt(0.5 + (4.0 - 0.5) * p / 0.5)
    n_pos, n_neg = _halves(n)
    X = np.vstack([rng.normal(2.0, sd, (n_pos, 2)), rng.normal(-2.0, sd, (n_neg, 2))])
    y = np.concatenate([np.ones(n_pos, np.int64), np.zeros(n_neg, np.int64)])
    return _finish("gauss", X, y, "binary", TF_CLASS_NAMES, rng)


def make_spiral(n_samples: int = N_SAMPLES_DEFAULT, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Two interleaved spiral arms — TF Playground's ``classifySpiralData``.

    For arm k (class 1: Δ = 0, class 0: Δ = π) and i = 0..m−1: r = 5·i/m, t = 1.75·2π·i/m + Δ,
    x = r·sin t + U(−1, 1)·p, y = r·cos t + U(−1, 1)·p. Noise moves the points (at most ±0.5);
    without noise the points are fixed and the seed only shuffles their order.
    """
    n, p, rng = check_generator_args(n_samples, noise, seed)
    parts_X, parts_y = [], []
    for m, delta, label in zip(_halves(n), (0.0, math.pi), (1, 0), strict=True):
        i = np.arange(m)
        r = i / m * RADIUS
        t = 1.75 * i / m * 2 * math.pi + delta
        parts_X.append(_polar(r, t) + rng.uniform(-1.0, 1.0, (m, 2)) * p)
        parts_y.append(np.full(m, label, np.int64))
    return _finish("spiral", np.vstack(parts_X), np.concatenate(parts_y), "binary", TF_CLASS_NAMES, rng)


MOONS_SCALE = 3.0
MOONS_CENTER = (0.5, 0.25)


def make_moons(n_samples: int = N_SAMPLES_DEFAULT, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Two interleaving half circles — scikit-learn's ``sklearn.datasets.make_moons``, scaled to our plane.

    As scikit-learn: class 0 (upper moon) at (cos s, sin s), class 1 (lower moon) at (1 − cos s, 0.5 − sin s),
    s evenly spaced in [0, π], n//2 and n − n//2 points, plus Gaussian noise of standard deviation p (so
    20 % noise is ``make_moons(noise=0.2)``). Then centred at (0.5, 0.25) and scaled by 3 to fill
    [−4.5, 4.5] × [−2.25, 2.25] of TF's [−6, 6] plane.
    """
    n, p, rng = check_generator_args(n_samples, noise, seed)
    n_out = n // 2
    n_in = n - n_out
    s_out = np.linspace(0.0, math.pi, n_out)
    s_in = np.linspace(0.0, math.pi, n_in)
    X = np.vstack(
        [
            np.column_stack([np.cos(s_out), np.sin(s_out)]),
            np.column_stack([1.0 - np.cos(s_in), 1.0 - np.sin(s_in) - 0.5]),
        ]
    )
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    if p > 0:
        X = X + rng.normal(0.0, p, X.shape)
    X = (X - np.array(MOONS_CENTER)) * MOONS_SCALE
    return _finish("moons", X, y, "binary", ("upper moon", "lower moon"), rng)


def make_spiral3(n_samples: int = N_SAMPLES_DEFAULT, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Three spiral arms, a multi-class problem — the spiral of Stanford's CS231n notes ("Putting it together:
    minimal neural network case study"), radius scaled from 1 to TF's 5.

    For class j = 0, 1, 2 with m ≈ n/3 points: r = 5·linspace(0, 1, m),
    t = linspace(4j, 4(j+1), m) + N(0, p²), x = r·sin t, y = r·cos t.
    CS231n uses an angle noise of 0.2 rad, which is our 20 % noise.
    """
    n, p, rng = check_generator_args(n_samples, noise, seed)
    counts = [n // 3 + (1 if j < n % 3 else 0) for j in range(3)]
    parts_X, parts_y = [], []
    for j, m in enumerate(counts):
        r = np.linspace(0.0, 1.0, m) * RADIUS
        t = np.linspace(4.0 * j, 4.0 * (j + 1), m)
        if p > 0:
            t = t + rng.normal(0.0, p, m)
        parts_X.append(_polar(r, t))
        parts_y.append(np.full(m, j, np.int64))
    names = ("arm 1", "arm 2", "arm 3")
    return _finish("spiral3", np.vstack(parts_X), np.concatenate(parts_y), "multiclass", names, rng)


def make_reg_plane(n_samples: int = N_SAMPLES_DEFAULT, noise: float = 0.0, seed: int = 0) -> Dataset:
    """A tilted plane — TF Playground's ``regressPlane``.

    x, y ~ U(−6, 6); target = (x + εx + y + εy) / 10 with ε ~ U(−6, 6)·p (TF's linear scale from [−10, 10]
    to [−1, 1], not clamped), so the target lies in [−1.2, 1.2] without noise.
    """
    n, p, rng = check_generator_args(n_samples, noise, seed)
    radius = 6.0
    pts = rng.uniform(-radius, radius, (n, 2))
    jitter = rng.uniform(-radius, radius, (n, 2)) * p
    y = (pts + jitter).sum(axis=1) / 10.0
    return _finish("reg-plane", pts, y, "regression", (), rng)


REG_GAUSSIANS = (
    (-4.0, 2.5, 1.0),
    (0.0, 2.5, -1.0),
    (4.0, 2.5, 1.0),
    (-4.0, -2.5, -1.0),
    (0.0, -2.5, 1.0),
    (4.0, -2.5, -1.0),
)
"""TF Playground's (cx, cy, sign) of the six bumps of ``regressGaussian``."""


def make_reg_gauss(n_samples: int = N_SAMPLES_DEFAULT, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Six bumps of alternating sign — TF Playground's ``regressGaussian``.

    x, y ~ U(−6, 6); each bump contributes sign · max(0, 1 − d/2), d the distance from (x + εx, y + εy) to
    its centre, ε ~ U(−6, 6)·p; the target is the contribution largest in absolute value (the first one
    on ties, as TF), so it lies in [−1, 1] and is 0 away from every bump.
    """
    n, p, rng = check_generator_args(n_samples, noise, seed)
    radius = 6.0
    pts = rng.uniform(-radius, radius, (n, 2))
    q = pts + rng.uniform(-radius, radius, (n, 2)) * p
    bumps = np.array(REG_GAUSSIANS)
    d = np.hypot(q[:, :1] - bumps[:, 0], q[:, 1:] - bumps[:, 1])
    values = bumps[:, 2] * np.clip(1.0 - d / 2.0, 0.0, 1.0)
    y = values[np.arange(n), np.argmax(np.abs(values), axis=1)]
    return _finish("reg-gauss", pts, y, "regression", (), rng)


IRIS_DEFAULT_VIEW = (2, 3)


def make_iris(
    n_samples: int = N_SAMPLES_DEFAULT,
    noise: float = 0.0,
    seed: int = 0,
    view_columns: tuple[int, int] = IRIS_DEFAULT_VIEW,
) -> Dataset:
    """Fisher's Iris flowers: 150 rows, 4 measurements in cm, 3 species (file order, unshuffled).

    ``n_samples``, ``noise`` and ``seed`` are checked like every generator's but ignored: the data is
    real. ``view_columns`` picks any two of the four features for the 2-D view (default petal length
    and width, the view in which the species separate); the network can still train on all four.
    """
    check_generator_args(n_samples, noise, seed)
    try:
        view = tuple(int(c) for c in view_columns)
    except (TypeError, ValueError):
        view = ()
    if len(view) != 2 or view[0] == view[1] or not all(0 <= c < 4 for c in view):
        raise DataError(
            "Choose two different Iris features for the view (numbers 0–3: {features}), got "
            "{view_columns!r}.",
            features=", ".join(IRIS_FEATURES),
            view_columns=view_columns,
        )
    X, y = load_iris()
    return Dataset(
        X=X,
        y=y,
        task="multiclass",
        name="iris",
        feature_names=IRIS_FEATURES,
        class_names=IRIS_SPECIES,
        view_columns=view,
        label_name="species",
    )


def make_xor_table(n_samples: int = 200, noise: float = 0.0, seed: int = 0) -> Dataset:
    """The XOR truth table as four clusters at (0,0), (0,1), (1,0), (1,1); class 1 = x₁ XOR x₂.

    Each point is a corner plus uniform jitter of half-width 0.15 + p (p = noise/100). Unlike TF
    Playground's quadrant XOR, this is the data the textbook "XOR by two ReLUs" solves
    (h₁ = relu(x₁ + x₂ − 1), h₂ = relu(−x₁ − x₂ + 1)); the classes are balanced exactly.
    """
    n, p, rng = check_generator_args(n_samples, noise, seed)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    which = np.arange(n) % 4
    half = 0.15 + p
    X = corners[which] + rng.uniform(-half, half, (n, 2))
    y = (corners[which, 0] != corners[which, 1]).astype(np.int64)
    order = rng.permutation(n)
    return Dataset(
        X=X[order],
        y=y[order],
        task="binary",
        name="xor-table",
        feature_names=VIEW_NAMES,
        class_names=("0 (x₁ = x₂)", "1 (x₁ ≠ x₂)"),
        label_name="x₁ XOR x₂",
        domain=((-0.5, 1.5), (-0.5, 1.5)),
    )


@dataclass(frozen=True)
class DatasetSpec:
    """One entry of ``DATASETS``: what the UI shows and how to build the data (``label`` and
    ``description`` are message ids: a page shows them with ``_()``).

    ``make(n_samples=500, noise=0.0, seed=0, **options) -> Dataset``. ``synthetic`` is False for real data
    (the sample-count and noise controls do nothing); ``default_samples`` is TF Playground's point count
    for the problem; ``options`` names the extra keyword arguments ``make`` accepts.
    """

    name: str
    label: str
    task: str
    description: str
    source: str
    make: Callable[..., Dataset]
    default_samples: int = N_SAMPLES_DEFAULT
    synthetic: bool = True
    options: tuple[str, ...] = ()


_TF = "TensorFlow Playground, src/dataset.ts"
_SPECS = [
    DatasetSpec(
        "circle",
        N_("Circle"),
        "binary",
        N_("A blue disc inside an orange ring; noise flips labels near the gap between them."),
        f"{_TF} (classifyCircleData)",
        make_circle,
    ),
    DatasetSpec(
        "xor",
        N_("Exclusive or"),
        "binary",
        N_("Four quadrants: blue where x₁ and x₂ have the same sign, orange where they differ."),
        f"{_TF} (classifyXORData)",
        make_xor,
    ),
    DatasetSpec(
        "xor-table",
        N_("XOR truth table"),
        "binary",
        N_("The four inputs of x₁ XOR x₂ (0/1), each a small cluster: the XOR-by-two-ReLUs lesson's data."),
        "the boolean XOR function (Goodfellow et al., Deep Learning, §6.1)",
        make_xor_table,
        default_samples=200,
    ),
    DatasetSpec(
        "gauss",
        N_("Gaussian"),
        "binary",
        N_("Two Gaussian blobs; noise widens them until they overlap."),
        f"{_TF} (classifyTwoGaussData)",
        make_gauss,
    ),
    DatasetSpec(
        "spiral",
        N_("Spiral"),
        "binary",
        N_("Two interleaved spiral arms, the hardest of TF Playground's four problems."),
        f"{_TF} (classifySpiralData)",
        make_spiral,
    ),
    DatasetSpec(
        "moons",
        N_("Two moons"),
        "binary",
        N_("Two interleaving half circles; a curved boundary separates them."),
        "scikit-learn, sklearn.datasets.make_moons (scaled to the [-6, 6] plane)",
        make_moons,
    ),
    DatasetSpec(
        "spiral3",
        N_("Spiral, 3 classes"),
        "multiclass",
        N_("Three spiral arms: a multi-class problem for a softmax output."),
        "Stanford CS231n notes, 'Minimal neural network case study' (radius scaled to 5)",
        make_spiral3,
    ),
    DatasetSpec(
        "reg-plane",
        N_("Plane"),
        "regression",
        N_("Regression: the target is (x₁ + x₂)/10, a tilted plane."),
        f"{_TF} (regressPlane)",
        make_reg_plane,
        default_samples=N_SAMPLES_REGRESS_TF,
    ),
    DatasetSpec(
        "reg-gauss",
        N_("Multi Gaussian"),
        "regression",
        N_("Regression: six bumps of alternating sign on a flat plane."),
        f"{_TF} (regressGaussian)",
        make_reg_gauss,
        default_samples=N_SAMPLES_REGRESS_TF,
    ),
    DatasetSpec(
        "iris",
        N_("Iris flowers"),
        "multiclass",
        N_("150 flowers of 3 species, 4 measurements in cm; view any two, train on all four."),
        "Fisher (1936) via the UCI repository, as shipped with plotly (plotly.data.iris)",
        make_iris,
        default_samples=150,
        synthetic=False,
        options=("view_columns",),
    ),
]

DATASETS: Mapping[str, DatasetSpec] = types.MappingProxyType({spec.name: spec for spec in _SPECS})
"""All built-in datasets, in the order the UI lists them: name -> ``DatasetSpec``."""


def make_dataset(
    name: str, n_samples: int = N_SAMPLES_DEFAULT, noise: float = 0.0, seed: int = 0, **kw
) -> Dataset:
    """Build the registered dataset ``name``; every bad input raises ``DataError`` with a clear message.

    ``noise`` is in percent (0–50), ``n_samples`` is 10–5000; both are ignored by real data ("iris"),
    which accepts ``view_columns`` (any two of its four features) instead.
    """
    if not isinstance(name, str) or name not in DATASETS:
        raise DataError(
            "Unknown dataset {name!r}; choose one of: {choices}.", name=name, choices=", ".join(DATASETS)
        )
    spec = DATASETS[name]
    unknown = sorted(set(kw) - set(spec.options))
    if unknown:
        accepted = ", ".join(spec.options) or "none"
        raise DataError(
            "Dataset {name!r} has no option(s) {unknown}; it accepts: {accepted}.",
            name=name,
            unknown=", ".join(unknown),
            accepted=accepted,
        )
    return spec.make(n_samples=n_samples, noise=noise, seed=seed, **kw)
