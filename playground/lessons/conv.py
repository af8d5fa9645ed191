"""Convolution lab: a CNN the learner configures, trained on the 8×8 digits, and the experiments
that show what convolution and pooling do (no Streamlit, no charts; everything a test can run).

- :class:`CnnConfig` (conv blocks, pooling, head, optimizer) → an engine :class:`ModelSpec`; its
  parameter count next to the dense layers that would map the same inputs to the same outputs.
- :class:`ConvLab`: the network, its trainer and the views a page draws (feature maps of one input
  per layer, filters and their gradients, the confusion matrix) — advanced by a time budget.
- :func:`dot_product`, :func:`im2col_view`, :func:`receptive_field`: one output cell of the first
  conv layer computed by hand from the net's real numbers, and the whole map as a matrix product.
- :func:`shift_probe`: equivariance (a one-pixel shift moves the feature maps by one pixel) and the
  invariance pooling adds; :func:`pooling_duel`: max against mean pooling on textures.
- :func:`degradation`: plain against residual nets at several depths (seeds on the trials axis).
- :func:`budget_duel`: a CNN against a dense net with about as many parameters, over 5 seeds.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from playground.data.digits import cells_to_digit, digit_split, to_inputs
from playground.data.images import make_task, shift
from playground.engine import ACTIVATIONS, OPTIMIZERS, ModelSpec, Network, TrainConfig, TrainData, Trainer
from playground.engine.conv import Conv2D, im2col, out_size
from playground.errors import ConfigError

POOLS = ("max", "avg", "none")
HEADS = ("flatten", "global_avg", "spp")
#: Activations offered in a conv block (maxout changes the number of channels, so it is left out).
CONV_ACTIVATIONS = tuple(a for a in ACTIVATIONS if a != "maxout")
INPUT_SIZES = (8, 12, 16)
DIGIT_NAMES = tuple(str(d) for d in range(10))
MAX_BLOCKS = 4
MAX_FILTERS = 32


@dataclass
class ConvBlock:
    """conv (filters, k×k, stride, padding) → [BN] → activation → [pool k×k, stride]."""

    filters: int = 8
    kernel: int = 3
    stride: int = 1
    padding: int = 1
    activation: str = "relu"
    batch_norm: bool = False
    pool: str = "max"
    pool_size: int = 2
    pool_stride: int = 0  # 0: the window size (no overlap); 2 with a 3×3 window: overlapping pooling


def _default_blocks() -> list[ConvBlock]:
    return [ConvBlock(filters=8), ConvBlock(filters=16)]


@dataclass
class CnnConfig:
    """The whole lab's run: network shape, head and training settings (JSON-like, seeded)."""

    blocks: list[ConvBlock] = field(default_factory=_default_blocks)
    head: str = "flatten"  # flatten | global_avg | spp (spatial pyramid, levels 1, 2, 4)
    hidden: int = 0  # units of a dense layer before the output (0: none)
    input_size: int = 8  # digits padded with zeros to 12 or 16 pixels (spatial pyramid pooling)
    optimizer: str = "adam"
    learning_rate: float = 0.01
    batch_size: int = 32
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def validate(self) -> None:
        if not 1 <= len(self.blocks) <= MAX_BLOCKS:
            raise ConfigError("Use between 1 and {n} conv blocks.", n=MAX_BLOCKS)
        if self.head not in HEADS:
            raise ConfigError("Unknown head {head}.", head=self.head)
        if self.input_size not in INPUT_SIZES:
            raise ConfigError("The input size must be 8, 12 or 16 pixels, got {size}.", size=self.input_size)
        for i, b in enumerate(self.blocks, start=1):
            if b.activation not in CONV_ACTIVATIONS:
                raise ConfigError("Block {i}: unknown activation {name}.", i=i, name=b.activation)
            if b.pool not in POOLS:
                raise ConfigError("Block {i}: unknown pooling {name}.", i=i, name=b.pool)
            if not 1 <= b.filters <= MAX_FILTERS:
                raise ConfigError("Block {i}: use 1 to {n} filters.", i=i, n=MAX_FILTERS)
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError("Unknown optimizer {name}.", name=self.optimizer)
        if not 1 <= int(self.batch_size) <= 512:
            raise ConfigError("The batch size must be between 1 and 512, got {n}.", n=self.batch_size)
        self.geometry()  # every window must fit what reaches it

    def geometry(self) -> list[dict[str, Any]]:
        """Per block, the shapes that go in and out of its conv and its pool (C, H, W), checked."""
        c, h = 1, self.input_size
        out = []
        for i, b in enumerate(self.blocks, start=1):
            if b.kernel > h + 2 * b.padding:
                raise ConfigError(
                    "Block {i}: a {k}×{k} kernel does not fit the {h}×{h} maps that reach it "
                    "(padding {p}). Use a smaller kernel, more padding or fewer blocks.",
                    i=i,
                    k=b.kernel,
                    h=h,
                    p=b.padding,
                )
            if b.padding > b.kernel // 2:
                raise ConfigError(
                    "Block {i}: padding {p} is more than half the kernel ({k}×{k}); use at most {m}.",
                    i=i,
                    p=b.padding,
                    k=b.kernel,
                    m=b.kernel // 2,
                )
            oh = out_size(h, b.kernel, b.stride, b.padding)
            g = {"in": (c, h, h), "conv": (b.filters, oh, oh)}
            c, h = b.filters, oh
            if b.pool != "none":
                stride = b.pool_stride or b.pool_size
                if b.pool_size > h:
                    raise ConfigError(
                        "Block {i}: a {k}×{k} pooling window does not fit the {h}×{h} maps; "
                        "use a smaller window or fewer blocks.",
                        i=i,
                        k=b.pool_size,
                        h=h,
                    )
                h = out_size(h, b.pool_size, stride, 0)
            g["out"] = (c, h, h)
            out.append(g)
        if self.head == "spp" and h < 4:
            raise ConfigError(
                "The spatial pyramid pools into 4×4 cells, but the last maps are {h}×{h}: "
                "use a larger input, less pooling or fewer blocks.",
                h=h,
            )
        return out

    def layer_specs(self) -> list[dict[str, Any]]:
        specs: list[dict[str, Any]] = []
        for i, b in enumerate(self.blocks, start=1):
            name = f"c{i}"
            specs.append(
                {
                    "type": "conv2d",
                    "name": name,
                    "filters": b.filters,
                    "kernel": b.kernel,
                    "stride": b.stride,
                    "padding": b.padding,
                }
            )
            if b.batch_norm:
                specs.append({"type": "batch_norm2d", "name": name})
            specs.append({"type": "activation", "name": name, "activation": b.activation})
            if b.pool != "none":
                specs.append(
                    {
                        "type": "max_pool2d" if b.pool == "max" else "avg_pool2d",
                        "name": f"p{i}",
                        "kernel": b.pool_size,
                        "stride": b.pool_stride,
                    }
                )
        if self.head == "flatten":
            specs.append({"type": "flatten"})
        elif self.head == "global_avg":
            specs.append({"type": "global_avg_pool"})
        else:
            specs.append({"type": "spatial_pyramid_pool", "levels": [1, 2, 4], "mode": "max"})
        if self.hidden:
            specs.append({"type": "dense", "name": "h1", "units": int(self.hidden)})
            specs.append({"type": "activation", "name": "h1", "activation": "relu"})
        specs.append({"type": "dense", "name": "out", "units": 10, "init": "xavier_normal"})
        return specs

    def model_spec(self) -> ModelSpec:
        self.validate()
        return ModelSpec(
            [1, self.input_size, self.input_size], self.layer_specs(), "multiclass", 10, self.seed
        )

    def train_config(self) -> TrainConfig:
        return TrainConfig(
            optimizer=self.optimizer,
            learning_rate=float(self.learning_rate),
            batch_size=int(self.batch_size),
            seed=self.seed,
        )


def param_table(cfg: CnnConfig) -> list[dict[str, Any]]:
    """Per conv layer: its parameters (F·C·k·k + F) and those of a dense layer mapping the same input
    (C·H·W values) to the same output (F·OH·OW values): parameter sharing made concrete."""
    rows = []
    for i, (b, g) in enumerate(zip(cfg.blocks, cfg.geometry(), strict=True), start=1):
        c, h, w = g["in"]
        f, oh, ow = g["conv"]
        conv = f * c * b.kernel * b.kernel + f
        n_in, n_out = c * h * w, f * oh * ow
        rows.append(
            {
                "layer": f"c{i}",
                "input": g["in"],
                "output": g["conv"],
                "conv_params": conv,
                "dense_params": n_in * n_out + n_out,
                "ratio": (n_in * n_out + n_out) / conv,
            }
        )
    return rows


# ------------------------------------------------------------------------------------------------
# the live lab


def digits_data(size: int = 8) -> TrainData:
    return TrainData.from_split(digit_split(size))


def confusion(pred: np.ndarray, y: np.ndarray, k: int = 10) -> np.ndarray:
    """(K, K) counts, rows the actual class, columns the predicted one."""
    m = np.zeros((k, k), dtype=np.int64)
    np.add.at(m, (np.asarray(y), np.asarray(pred)), 1)
    return m


class ConvLab:
    """One CNN training on the digits, with the views of the page."""

    MAX_OWED_BUDGETS = 4  # advance: the most training time carried over, in budgets

    def __init__(self, cfg: CnnConfig | None = None):
        self.cfg = cfg = cfg or CnnConfig()
        self.spec = cfg.model_spec()
        self.data = digits_data(cfg.input_size)
        self.net = Network(self.spec)
        self.trainer = Trainer(self.net, self.data, cfg.train_config())
        self._owed = 0.0  # seconds of training run over earlier budgets (see advance)
        self._record_confusion()

    # -- training ----------------------------------------------------------------------------------
    @property
    def epoch(self) -> int:
        return self.trainer.epoch

    @property
    def history(self) -> list[dict[str, Any]]:
        return self.trainer.history

    @property
    def status(self) -> str:
        return str(self.trainer.status)

    def set_training(self, optimizer: str, learning_rate: float, batch_size: int) -> None:
        """Change optimizer, learning rate or batch size on the fly (the weights are kept)."""
        self.cfg = dataclasses.replace(
            self.cfg, optimizer=optimizer, learning_rate=float(learning_rate), batch_size=int(batch_size)
        )
        self.trainer.set_config(self.cfg.train_config())

    def advance(self, budget_s: float, max_steps: int = 400) -> int:
        """Train mini-batches for about ``budget_s`` seconds (at least one step); returns the number
        of steps taken. Finished epochs add a record to :attr:`history`.

        The step that ends an epoch also evaluates every split and records the confusion matrix
        (about 60 ms for the default net, more than a live tick's budget). Time a call runs over
        its budget is owed and taken from the next calls, so a live loop trains ``budget_s`` per
        call on average, not that plus a share of the evaluations (at most
        ``MAX_OWED_BUDGETS`` budgets are owed)."""
        start = time.perf_counter()
        allowed = budget_s - self._owed
        taken = 0
        while taken < max_steps:
            before = self.trainer.total_steps
            record = self.trainer.run_steps(1)
            if self.trainer.total_steps == before:
                break  # diverged
            taken += 1
            if record is not None:
                self._record_confusion()
            if time.perf_counter() - start >= allowed:
                break
        over = self._owed + (time.perf_counter() - start) - budget_s
        self._owed = min(max(over, 0.0), self.MAX_OWED_BUDGETS * budget_s)
        return taken

    def train_epochs(self, n: int) -> list[dict[str, Any]]:
        records = self.trainer.run_epochs(n)
        self._record_confusion()
        return records

    # -- views -------------------------------------------------------------------------------------
    def forward_trace(self, x: np.ndarray) -> list[tuple[str, Any, np.ndarray]]:
        """(name, layer, output) of every top-level layer for inputs ``x`` (N, 1, H, W), eval mode."""
        out = []
        h = np.asarray(x, dtype=np.float64)
        for layer in self.net.root.layers:
            h = layer.forward(h, False)
            out.append((layer.name.rstrip("."), layer, h))
        return out

    def block_maps(self, x: np.ndarray) -> list[dict[str, np.ndarray]]:
        """Per conv block, for one input (1, H, W): the conv's output before the activation
        (``pre``), after the activation (``maps``, the feature maps) and after pooling (``pooled``)."""
        return self._blocks(self.forward_trace(np.asarray(x)[None]))

    def maps_and_probs(self, x: np.ndarray) -> tuple[list[dict[str, np.ndarray]], np.ndarray]:
        """:meth:`block_maps` of one input and its class probabilities (10,), from one forward pass
        (a live tick shows both)."""
        trace = self.forward_trace(np.asarray(x)[None])
        return self._blocks(trace), self.net.loss.predict(trace[-1][2])[0]

    @staticmethod
    def _blocks(trace: list[tuple[str, Any, np.ndarray]]) -> list[dict[str, np.ndarray]]:
        blocks: list[dict[str, np.ndarray]] = []
        for name, layer, h in trace:
            if isinstance(layer, Conv2D):
                blocks.append({"pre": h[0]})
            elif blocks and name == f"c{len(blocks)}" and "maps" not in blocks[-1]:
                if type(layer).__name__ != "BatchNorm2D":
                    blocks[-1]["maps"] = h[0]
            elif blocks and name.startswith("p"):
                blocks[-1]["pooled"] = h[0]
        for b in blocks:
            b.setdefault("maps", b["pre"])
            b.setdefault("pooled", b["maps"])
        return blocks

    def filters(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per conv layer, its kernels (F, C, k, k) and their gradients from the last training step."""
        p = self.net.params
        return [(p[f"c{i}.W"].value, p[f"c{i}.W"].grad) for i in range(1, len(self.cfg.blocks) + 1)]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities (N, 10)."""
        return self.net.predict(np.asarray(x, dtype=np.float64))

    def confusion(self, split: str = "test") -> np.ndarray:
        """The confusion matrix of ``split``; the test split's is the one recorded at the end of the
        last epoch (once per epoch, so a live tick inside an epoch does not predict it again)."""
        if split == "test":
            return self._test_confusion
        X, y = getattr(self.data, f"X_{split}"), getattr(self.data, f"y_{split}")
        return confusion(self.predict(X).argmax(axis=1), y)

    def _record_confusion(self) -> None:
        self._test_confusion = confusion(self.predict(self.data.X_test).argmax(axis=1), self.data.y_test)

    def test_image(self, index: int) -> tuple[np.ndarray, int]:
        X, y = self.data.X_test, self.data.y_test
        i = int(index) % len(X)
        return X[i], int(y[i])

    def drawing_input(self, cells: np.ndarray) -> np.ndarray:
        """An 8×8 grid of clicked cells as one network input (1, size, size), preprocessed like the data."""
        return to_inputs(cells_to_digit(cells)[None], self.cfg.input_size)[0]


# ------------------------------------------------------------------------------------------------
# one output cell by hand; the im2col view; receptive fields


def receptive_field(cfg: CnnConfig, block: int, i: int, j: int) -> tuple[int, int, int, int]:
    """Rows [r0, r1) and columns [c0, c1) of the input (clipped to it) that output cell (i, j) of
    block ``block``'s conv (1-based) sees, through every conv and pooling window below it."""
    windows: list[tuple[int, int, int]] = []
    for b in cfg.blocks[: block - 1]:
        windows.append((b.kernel, b.stride, b.padding))
        if b.pool != "none":
            windows.append((b.pool_size, b.pool_stride or b.pool_size, 0))
    b = cfg.blocks[block - 1]
    windows.append((b.kernel, b.stride, b.padding))
    r0, r1, c0, c1 = i, i, j, j  # inclusive index ranges
    for k, s, p in reversed(windows):
        r0, r1 = r0 * s - p, r1 * s - p + k - 1
        c0, c1 = c0 * s - p, c1 * s - p + k - 1
    n = cfg.input_size
    return max(r0, 0), min(r1, n - 1) + 1, max(c0, 0), min(c1, n - 1) + 1


def dot_product(lab: ConvLab, x: np.ndarray, f: int, i: int, j: int) -> dict[str, Any]:
    """Output cell (i, j) of filter ``f`` of the first conv layer for input ``x`` (1, H, W), by hand:
    the k×k patch (with padding), the kernel, their products, the bias and the sum — and the value
    the network computed, which equals the sum."""
    b = lab.cfg.blocks[0]
    k, s, p = b.kernel, b.stride, b.padding
    xpad = np.pad(np.asarray(x, dtype=np.float64)[0], p)
    patch = xpad[i * s : i * s + k, j * s : j * s + k]
    W = lab.net.params["c1.W"].value[f, 0]
    bias = float(lab.net.params["c1.b"].value[f])
    products = patch * W
    net_value = float(lab.block_maps(x)[0]["pre"][f, i, j])
    return {
        "patch": patch,
        "kernel": W,
        "products": products,
        "bias": bias,
        "sum": float(products.sum() + bias),
        "net_value": net_value,
        "rows": (i * s - p, i * s - p + k),
        "cols": (j * s - p, j * s - p + k),
    }


def im2col_view(lab: ConvLab, x: np.ndarray) -> dict[str, np.ndarray]:
    """The first conv layer as one matrix product: ``patches`` (OH·OW, C·k·k), one row per output
    cell; ``kernels`` (C·k·k, F), one column per filter; ``maps`` = patches·kernels + b reshaped to
    (F, OH, OW) — equal to the network's own conv output (``net_maps``)."""
    b = lab.cfg.blocks[0]
    col = im2col(np.asarray(x, dtype=np.float64)[None], b.kernel, b.kernel, b.stride, b.padding)
    W = lab.net.params["c1.W"].value
    kernels = W.reshape(W.shape[0], -1).T
    bias = lab.net.params["c1.b"].value
    out = col @ kernels + bias
    oh = out_size(lab.cfg.input_size, b.kernel, b.stride, b.padding)
    maps = out.T.reshape(W.shape[0], oh, oh)
    return {
        "patches": col,
        "kernels": kernels,
        "product": out,
        "maps": maps,
        "net_maps": lab.block_maps(x)[0]["pre"],
    }


# ------------------------------------------------------------------------------------------------
# equivariance and pooling


def _border_free_columns(width: int, k: int, p: int, dx: int) -> np.ndarray:
    """Output columns c (stride 1) whose window in the shifted input equals the window at c − dx in
    the original: neither window reaches past the image's edges, where zeros come in or pixels fall off."""
    cols = np.arange(out_size(width, k, 1, p))
    lo, hi = cols - p, cols - p + k - 1  # input columns the shifted window reads
    return cols[(lo - dx >= 0) & (hi <= width - 1) & (cols - dx >= 0)]


def shift_probe(lab: ConvLab, x: np.ndarray, dx: int = 1) -> dict[str, Any]:
    """Shift input ``x`` (1, H, W) right by ``dx`` pixels and compare what the first block computes.

    ``map_error``: the largest difference between the shifted input's feature maps and the original
    maps moved by ``dx``, on the columns away from the border (0 up to rounding for a stride-1 conv:
    equivariance). ``change``: the relative change ‖a' − a‖/‖a‖ of the flattened feature maps, of
    the block's pooled output, and of a global max and a global mean over each map.
    """
    b = lab.cfg.blocks[0]
    xs = shift(x, 0, dx)
    m0, m1 = lab.block_maps(x)[0], lab.block_maps(xs)[0]
    out: dict[str, Any] = {"shifted": xs, "before": m0, "after": m1}
    if b.stride == 1:
        cols = _border_free_columns(x.shape[-1], b.kernel, b.padding, dx)
        diff = m1["pre"][:, :, cols] - m0["pre"][:, :, cols - dx]
        out["map_error"] = float(np.abs(diff).max()) if cols.size else math.nan
        out["columns"] = cols
    else:
        out["map_error"], out["columns"] = math.nan, np.zeros(0, dtype=int)

    def rel(a, c):
        a, c = np.ravel(a), np.ravel(c)
        return float(np.linalg.norm(c - a) / max(np.linalg.norm(a), 1e-12))

    out["change"] = {
        "maps": rel(m0["maps"], m1["maps"]),
        "pooled": rel(m0["pooled"], m1["pooled"]),
        "global_max": rel(m0["maps"].max(axis=(1, 2)), m1["maps"].max(axis=(1, 2))),
        "global_mean": rel(m0["maps"].mean(axis=(1, 2)), m1["maps"].mean(axis=(1, 2))),
    }
    return out


def probe_input(lab: ConvLab, source: str, index: int) -> np.ndarray:
    """The shift probe's input (1, size, size): the test digit ``index``, a bar of the ``bars`` task,
    or a plus or a cross (the ``shapes`` task's patterns) at a place drawn from ``index``, left of
    the right border so that a move to the right keeps it whole."""
    if source == "digit":
        return lab.test_image(index)[0]
    n = lab.cfg.input_size
    if source == "bar":  # the 'bars' task: a horizontal or vertical bar anywhere, faint noise around
        X, _y = make_task("bars", n=2, size=n, seed=index)
        return X[index % 2]
    if source not in ("plus", "cross"):
        raise ConfigError("Unknown probe input {name}.", name=source)
    from playground.data.images import CROSS, PLUS, place

    rng = np.random.default_rng(index)
    r, c = int(rng.integers(0, n - 2)), int(rng.integers(0, n - 3))
    return place(PLUS if source == "plus" else CROSS, n, r, c)[None]


def shift_summary(lab: ConvLab, X: np.ndarray, dx: int = 1) -> dict[str, float]:
    """:func:`shift_probe`'s relative changes averaged over many inputs, and its largest map error."""
    probes = [shift_probe(lab, x, dx) for x in X]
    keys = probes[0]["change"].keys()
    out = {k: float(np.mean([p["change"][k] for p in probes])) for k in keys}
    out["map_error"] = float(np.nanmax([p["map_error"] for p in probes]))
    return out


def pool_net(pool: str, size: int = 8, filters: int = 4, seed: int = 0) -> ModelSpec:
    """conv 3×3 → ReLU → a global max or mean over each map (spatial pyramid of one level) → 2 logits."""
    return ModelSpec(
        [1, size, size],
        [
            {"type": "conv2d", "name": "c1", "filters": filters, "kernel": 3, "padding": 1},
            {"type": "activation", "name": "c1", "activation": "relu"},
            {"type": "spatial_pyramid_pool", "levels": [1], "mode": pool},
            {"type": "dense", "name": "out", "units": 2, "init": "xavier_normal"},
        ],
        "multiclass",
        2,
        seed,
    )


def pooling_duel(
    tasks: tuple[str, ...] = ("spike", "density"), seeds: tuple[int, ...] = (0, 1, 2), epochs: int = 30
) -> dict[str, dict[str, np.ndarray]]:
    """Test accuracy of the global max and the global mean net on each texture task, one per seed
    (seeds on the trials axis): ``{task: {"max": (S,), "avg": (S,)}}``."""
    out: dict[str, dict[str, np.ndarray]] = {}
    for task in tasks:
        X, y = make_task(task, n=600, seed=100)
        Xt, yt = make_task(task, n=400, seed=101)
        data = TrainData(X, y, None, None, Xt, yt)
        out[task] = {}
        for pool in ("max", "avg"):
            net = Network(pool_net(pool), seeds=list(seeds))
            tr = Trainer(net, data, TrainConfig(optimizer="adam", learning_rate=0.03, batch_size=32))
            tr.run_epochs(epochs, evaluate="last")
            out[task][pool] = np.asarray(tr.history[-1]["test_acc"], dtype=np.float64)
    return out


# ------------------------------------------------------------------------------------------------
# degradation: plain against residual


DEPTHS = (2, 6, 12)


def deep_spec(depth: int, residual: bool, width: int = 8, seed: int = 0) -> ModelSpec:
    """A stem (3×3 conv → BN → ReLU → 2×2 max pool: 8×8 digits to 4×4 maps), then ``depth`` − 1
    more 3×3 convs of ``width`` filters (each conv → BN → ReLU, as ResNet's layers), flattened into
    10 logits. Residual: every conv after the stem is wrapped as ``y = x + relu(bn(conv x))`` — the
    same layers and parameters as the plain net, plus identity shortcuts."""

    def unit(name: str) -> list[dict[str, Any]]:
        return [
            {"type": "conv2d", "name": name, "filters": width, "kernel": 3, "padding": 1},
            {"type": "batch_norm2d", "name": name},
            {"type": "activation", "name": name, "activation": "relu"},
        ]

    layers: list[dict[str, Any]] = [*unit("c1"), {"type": "max_pool2d", "name": "p1", "kernel": 2}]
    for d in range(2, depth + 1):
        block = unit(f"c{d}")
        layers += [{"type": "residual", "block": block}] if residual else block
    layers += [{"type": "flatten"}, {"type": "dense", "name": "out", "units": 10, "init": "xavier_normal"}]
    return ModelSpec([1, 8, 8], layers, "multiclass", 10, seed)


@dataclass
class DegradationRun:
    """Plain and residual nets at several depths, each a stack of seeds, trained epoch by epoch."""

    depths: tuple[int, ...] = DEPTHS
    seeds: tuple[int, ...] = (0, 1, 2)
    n_train: int = 300
    learning_rate: float = 0.01
    epochs: int = 8
    trainers: dict[tuple[str, int], Trainer] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        split = digit_split(8)
        data = TrainData(split.X_train[: self.n_train], split.y_train[: self.n_train])
        for depth in self.depths:
            for kind in ("plain", "residual"):
                net = Network(deep_spec(depth, kind == "residual"), seeds=list(self.seeds))
                cfg = TrainConfig(optimizer="adam", learning_rate=self.learning_rate, batch_size=32)
                self.trainers[(kind, depth)] = Trainer(net, data, cfg)

    @property
    def epoch(self) -> int:
        return min(t.epoch for t in self.trainers.values())

    @property
    def done(self) -> bool:
        return self.epoch >= self.epochs

    def step(self) -> None:
        """One more epoch for the run that is furthest behind (so each tick stays short)."""
        if self.done:
            return
        key = min(self.trainers, key=lambda k: (self.trainers[k].epoch, k[1]))
        self.trainers[key].run_epochs(1)

    def advance(self, budget_s: float) -> None:
        start = time.perf_counter()
        while not self.done:
            self.step()
            if time.perf_counter() - start >= budget_s:
                break

    def curves(self) -> list[dict[str, Any]]:
        """Long rows (kind, depth, seed, epoch, train_loss) of every trial's training loss."""
        rows = []
        for (kind, depth), tr in self.trainers.items():
            for rec in tr.history:
                losses = np.atleast_1d(rec["train_loss"])
                for s, v in zip(self.seeds, losses, strict=False):
                    rows.append(
                        {
                            "kind": kind,
                            "depth": depth,
                            "seed": s,
                            "epoch": rec["epoch"],
                            "train_loss": float(v),
                        }
                    )
        return rows

    def final_losses(self) -> dict[tuple[str, int], np.ndarray]:
        """Training loss of every seed at the last epoch all runs have reached."""
        e = self.epoch
        return {
            k: np.atleast_1d(np.asarray(t.history[e]["train_loss"], dtype=np.float64))
            for k, t in self.trainers.items()
        }


# ------------------------------------------------------------------------------------------------
# a CNN against a dense net of the same budget


def small_cnn_spec(seed: int = 0) -> ModelSpec:
    """2 filters of 3×3 (ReLU), 2×2 max pooling, then 10 logits: 350 parameters."""
    return ModelSpec(
        [1, 8, 8],
        [
            {"type": "conv2d", "name": "c1", "filters": 2, "kernel": 3, "padding": 1},
            {"type": "activation", "name": "c1", "activation": "relu"},
            {"type": "max_pool2d", "name": "p1", "kernel": 2},
            {"type": "flatten"},
            {"type": "dense", "name": "out", "units": 10, "init": "xavier_normal"},
        ],
        "multiclass",
        10,
        seed,
    )


def small_dense_spec(hidden: int = 5, seed: int = 0) -> ModelSpec:
    """64 pixels → ``hidden`` ReLU units → 10 logits (5 units: 385 parameters, more than the CNN)."""
    return ModelSpec(
        [1, 8, 8],
        [
            {"type": "flatten"},
            {"type": "dense", "name": "h1", "units": hidden},
            {"type": "activation", "name": "h1", "activation": "relu"},
            {"type": "dense", "name": "out", "units": 10, "init": "xavier_normal"},
        ],
        "multiclass",
        10,
        seed,
    )


def budget_duel(seeds: tuple[int, ...] = (0, 1, 2, 3, 4), epochs: int = 20) -> dict[str, Any]:
    """Test accuracy per seed of the small CNN and the dense net of about its size (seeds on the
    trials axis), with each net's parameter count."""
    data = digits_data(8)
    out: dict[str, Any] = {}
    for name, spec in (("cnn", small_cnn_spec()), ("dense", small_dense_spec())):
        net = Network(spec, seeds=list(seeds))
        tr = Trainer(net, data, TrainConfig(optimizer="adam", learning_rate=0.01, batch_size=32))
        tr.run_epochs(epochs, evaluate="last")
        out[name] = {
            "params": int(Network(spec).n_params),
            "test_acc": np.asarray(tr.history[-1]["test_acc"], dtype=np.float64),
        }
    return out


def pyramid_vectors(lab: ConvLab, x: np.ndarray, sizes: tuple[int, ...] = INPUT_SIZES) -> dict[int, dict]:
    """The first conv layer (the net's trained kernels) and ReLU on the digit ``x`` padded to each
    size, then a spatial pyramid max pool over 1×1, 2×2 and 4×4 grids: maps of different sizes, one
    vector length (F·21). ``{size: {"input", "maps", "vector"}}``."""
    from playground.engine.conv import SpatialPyramidPool
    from playground.engine.params import Parameter

    b = lab.cfg.blocks[0]
    p = lab.net.params
    digit = np.asarray(x, dtype=np.float64)[0]
    n = digit.shape[-1]
    lo = (n - 8) // 2
    digit = digit[lo : lo + 8, lo : lo + 8]  # back to the 8×8 digit, whatever the net's input size
    out = {}
    for size in sizes:
        inp = to_inputs(digit[None] * 16.0, size)
        conv = Conv2D((1, size, size), filters=b.filters, kernel=b.kernel, stride=b.stride, padding=b.padding)
        conv.bind(
            {
                "W": Parameter(
                    "W", p["c1.W"].value, np.zeros_like(p["c1.W"].value), "weight", p["c1.W"].value.shape
                ),
                "b": Parameter(
                    "b", p["c1.b"].value, np.zeros_like(p["c1.b"].value), "bias", p["c1.b"].value.shape
                ),
            }
        )
        maps = np.maximum(conv.forward(inp, False), 0.0)
        spp = SpatialPyramidPool(maps.shape[1:], levels=(1, 2, 4), mode="max")
        out[size] = {"input": inp[0, 0], "maps": maps[0], "vector": spp.forward(maps, False)[0]}
    return out


# ------------------------------------------------------------------------------------------------
# what the page may say: each "what to look for" sentence is shown only when its data bear it out


def pooling_claims(res: dict[str, dict[str, np.ndarray]]) -> bool:
    """Max pooling wins on the spike and mean pooling on the density (means over the seeds)."""
    return bool(
        res["spike"]["max"].mean() > res["spike"]["avg"].mean()
        and res["density"]["avg"].mean() > res["density"]["max"].mean()
    )


def budget_claims(res: dict[str, Any]) -> bool:
    """The CNN's mean test accuracy is above the dense net's, with fewer parameters."""
    return bool(
        res["cnn"]["test_acc"].mean() > res["dense"]["test_acc"].mean()
        and res["cnn"]["params"] < res["dense"]["params"]
    )


def degradation_claims(final: dict[tuple[str, int], np.ndarray]) -> bool:
    """The 12-layer plain net ends above the 6-layer plain net (mean over seeds), and the 12-layer
    residual net ends below the 12-layer plain net for every seed."""
    return bool(
        final[("plain", 12)].mean() > final[("plain", 6)].mean()
        and np.all(final[("residual", 12)] < final[("plain", 12)])
    )


def shift_claims(probe: dict[str, Any]) -> bool:
    """Equivariance (the maps moved by one pixel, to rounding) and a global max that changes less
    than the flattened maps."""
    c = probe["change"]
    return bool(probe["map_error"] < 1e-9 and c["global_max"] < c["maps"])
