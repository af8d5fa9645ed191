"""Convolution and pooling on images (N, C, H, W), by im2col (Deep Learning from Scratch, ch. 7).

``im2col`` unrolls every k×k patch of every channel into one row, so a convolution becomes one
matrix product (patches × kernels) and its backward two more; ``col2im`` adds the rows' gradients
back onto the image (overlapping patches accumulate). Pooling uses the same unrolling per channel.

Conventions follow PyTorch so the oracle tests compare directly: kernels ``W`` are (F, C, kh, kw),
``out = (H + 2·pad − k)//stride + 1``, max pooling pads with −∞, average pooling counts the zero
padding (``count_include_pad=True``), adaptive pooling bins are ``[⌊i·H/n⌋, ⌈(i+1)·H/n⌉)``, batch
norm over channels is ``BatchNorm2d`` (statistics over N, H and W).

With a trials axis inputs are (T, N, C, H, W) (or a shared (N, C, H, W) batch) and kernels
(T, F, C, kh, kw); every trial's patches go through one batched matrix product.
"""

from __future__ import annotations

import math

import numpy as np

from playground.engine.layers import LAYERS, BatchNorm, Layer, Shape
from playground.engine.registry import N_, Param
from playground.errors import ConfigError


def out_size(size: int, k: int, stride: int, pad: int) -> int:
    """Output length of a window of ``k`` sliding by ``stride`` over ``size`` + 2·``pad``."""
    return (size + 2 * pad - k) // stride + 1


def im2col(x: np.ndarray, kh: int, kw: int, stride: int, pad: int, fill: float = 0.0) -> np.ndarray:
    """(N, C, H, W) → (N·OH·OW, C·kh·kw): one row per output position, its patch over all channels
    (channel-major, then kernel row, then kernel column: the order of ``W.reshape(F, -1)``)."""
    n, c, h, w = x.shape
    oh, ow = out_size(h, kh, stride, pad), out_size(w, kw, stride, pad)
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)], constant_values=fill) if pad else x
    col = np.empty((n, c, kh, kw, oh, ow))
    for i in range(kh):
        i_end = i + stride * oh
        for j in range(kw):
            j_end = j + stride * ow
            col[:, :, i, j, :, :] = img[:, :, i:i_end:stride, j:j_end:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, -1)


def col2im(
    col: np.ndarray, shape: tuple[int, int, int, int], kh: int, kw: int, stride: int, pad: int
) -> np.ndarray:
    """The adjoint of :func:`im2col`: add each row's entries back to the pixels they came from."""
    n, c, h, w = shape
    oh, ow = out_size(h, kh, stride, pad), out_size(w, kw, stride, pad)
    col = col.reshape(n, oh, ow, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1))
    for i in range(kh):
        i_end = i + stride * oh
        for j in range(kw):
            j_end = j + stride * ow
            img[:, :, i:i_end:stride, j:j_end:stride] += col[:, :, i, j, :, :]
    return img[:, :, pad : h + pad, pad : w + pad]


def _image_shape(in_shape: Shape, what: str) -> tuple[int, int, int]:
    if len(in_shape) != 3:
        raise ConfigError(
            "{what} takes images (channels, height, width), got inputs of shape {in_shape}.",
            what=what,
            in_shape=tuple(in_shape),
        )
    return tuple(int(s) for s in in_shape)


class _Spatial(Layer):
    """Shared by the image layers: the input's (C, H, W) and how many leading axes a batch has."""

    def _lead(self, x: np.ndarray) -> tuple[int, ...]:
        return x.shape[: x.ndim - 3]


@LAYERS.register(
    "conv2d",
    description=N_("2-D convolution: F filters of k×k over all input channels, shared across positions."),
    filters=Param(8, 1, 1024, N_("Number of filters F (output channels).")),
    kernel=Param(3, 1, 15, N_("Kernel size k (k×k).")),
    stride=Param(1, 1, 8, N_("Step between neighbouring windows.")),
    padding=Param(0, 0, 7, N_("Zeros added on every border.")),
    init=Param("he_normal", help=N_("Weight initializer (fan-in = C·k·k).")),
    init_params=Param({}, help=N_("The initializer's settings.")),
    bias_init=Param(0.0, -100.0, 100.0, N_("Initial value of every bias.")),
)
class Conv2D(_Spatial):
    """``out[n, f] = b[f] + Σ_c W[f, c] ⋆ x[n, c]`` (cross-correlation, as every framework), by im2col.

    Backward: ``dW = colᵀ·g``, ``db = Σ g``, ``dx = col2im(g·Wᵀ)``. The kernels are weights (decayed);
    fan-in is C·kh·kw and fan-out F·kh·kw, as PyTorch computes them for its initializers.
    """

    def __init__(
        self,
        in_shape: Shape,
        filters: int = 8,
        kernel: int = 3,
        stride: int = 1,
        padding: int = 0,
        init="he_normal",
        init_params: dict | None = None,
        bias_init: float = 0.0,
    ):
        from playground.engine.initializers import make_initializer

        self.c, self.h, self.w = _image_shape(in_shape, "conv2d")
        self.f, self.k, self.stride, self.pad = int(filters), int(kernel), int(stride), int(padding)
        self.oh, self.ow = (
            out_size(self.h, self.k, self.stride, self.pad),
            out_size(self.w, self.k, self.stride, self.pad),
        )
        if self.oh < 1 or self.ow < 1:
            raise ConfigError(
                "A {k}×{k} kernel does not fit a {h}×{w} input with padding {pad}.",
                k=self.k,
                h=self.h,
                w=self.w,
                pad=self.pad,
            )
        self.init = make_initializer(init, init_params) if isinstance(init, str) else init
        self.bias_init = float(bias_init)

    def param_specs(self):
        return [("W", (self.f, self.c, self.k, self.k), "weight"), ("b", (self.f,), "bias")]

    def output_shape(self, in_shape):
        return (self.f, self.oh, self.ow)

    def init_params(self, rng):
        k2 = self.k * self.k
        shape = (self.f, self.c, self.k, self.k)
        self.p["W"].value[...] = self.init(rng, self.c * k2, self.f * k2, shape)
        self.p["b"].value[...] = self.bias_init

    def on_bind(self):
        self.W, self.b = self.p["W"], self.p["b"]

    def _wcol(self) -> np.ndarray:
        """Kernels as a (C·k·k, F) matrix ((T, C·k·k, F) with trials)."""
        W = self.W.value
        return np.swapaxes(W.reshape(*W.shape[:-4], self.f, -1), -1, -2)

    def forward(self, x, training):
        lead = self._lead(x)
        n = int(np.prod(lead))
        col = im2col(x.reshape(n, self.c, self.h, self.w), self.k, self.k, self.stride, self.pad)
        stacked = self.trials is not None and len(lead) == 2
        if stacked:
            col = col.reshape(lead[0], -1, col.shape[-1])
        self._x_shape, self._col, self._stacked = x.shape, col, stacked
        out = col @ self._wcol()
        out += self.row(self.b.value)
        batch = lead if stacked or self.trials is None else (self.trials, *lead)
        out = out.reshape(*batch, self.oh, self.ow, self.f)
        return np.moveaxis(out, -1, -3)

    def backward(self, grad):
        g = np.moveaxis(grad, -3, -1)
        if self.trials is None:
            g = g.reshape(-1, self.f)
            self.W.grad[...] += (self._col.T @ g).T.reshape(self.W.value.shape)
            self.b.grad[...] += g.sum(axis=0)
        else:
            g = g.reshape(self.trials, -1, self.f)
            dW = np.swapaxes(np.swapaxes(self._col, -1, -2) @ g, -1, -2)
            self.W.grad[...] += dW.reshape(self.W.value.shape)
            self.b.grad[...] += g.sum(axis=1)
        if self.skip_input_grad:
            return None
        dcol = g @ np.swapaxes(self._wcol(), -1, -2)
        lead = grad.shape[: grad.ndim - 3]
        n = int(np.prod(lead))
        dx = col2im(
            dcol.reshape(n * self.oh * self.ow, -1),
            (n, self.c, self.h, self.w),
            self.k,
            self.k,
            self.stride,
            self.pad,
        )
        return dx.reshape(*lead, self.c, self.h, self.w)


class _Pool(_Spatial):
    """k×k windows per channel, unrolled by im2col on (N·C, 1, H, W)."""

    fill = 0.0

    def __init__(self, in_shape: Shape, kernel: int = 2, stride: int | None = None, padding: int = 0):
        self.c, self.h, self.w = _image_shape(in_shape, self.kind)
        self.k = int(kernel)
        self.stride = self.k if stride in (None, 0) else int(stride)
        self.pad = int(padding)
        if self.pad > self.k // 2:
            raise ConfigError(
                "Padding must be at most half the kernel ({half}), got {pad}.", half=self.k // 2, pad=self.pad
            )
        self.oh, self.ow = (
            out_size(self.h, self.k, self.stride, self.pad),
            out_size(self.w, self.k, self.stride, self.pad),
        )
        if self.oh < 1 or self.ow < 1:
            raise ConfigError("A {k}×{k} window does not fit a {h}×{w} input.", k=self.k, h=self.h, w=self.w)

    def output_shape(self, in_shape):
        return (self.c, self.oh, self.ow)

    def _cols(self, x):
        lead = self._lead(x)
        m = int(np.prod(lead)) * self.c
        col = im2col(x.reshape(m, 1, self.h, self.w), self.k, self.k, self.stride, self.pad, self.fill)
        return lead, m, col

    def _back(self, dcol, lead, m):
        dx = col2im(dcol, (m, 1, self.h, self.w), self.k, self.k, self.stride, self.pad)
        return dx.reshape(*lead, self.c, self.h, self.w)


_POOL_PARAMS = dict(
    kernel=Param(2, 1, 15, N_("Window size k (k×k).")),
    stride=Param(
        0, 0, 15, N_("Step between windows (0: the window size, no overlap; smaller: overlapping).")
    ),
    padding=Param(0, 0, 7, N_("Padding on every border (at most half the window).")),
)


@LAYERS.register(
    "max_pool2d",
    description=N_("Max pooling: the largest value of each k×k window, per channel."),
    **_POOL_PARAMS,
)
class MaxPool2D(_Pool):
    """The gradient flows to each window's maximum (the first one, as PyTorch, on ties)."""

    kind = "max_pool2d"
    fill = -np.inf

    def forward(self, x, training):
        lead, m, col = self._cols(x)
        self._arg = arg = col.argmax(axis=1)
        self._lead_m, self._n_rows = (lead, m), col.shape
        out = col[np.arange(col.shape[0]), arg]
        return out.reshape(*lead, self.c, self.oh, self.ow)

    def backward(self, grad):
        lead, m = self._lead_m
        dcol = np.zeros(self._n_rows)
        dcol[np.arange(self._n_rows[0]), self._arg] = grad.reshape(-1)
        return self._back(dcol, lead, m)


@LAYERS.register(
    "avg_pool2d",
    description=N_("Average (mean) pooling: the mean of each k×k window, per channel."),
    **_POOL_PARAMS,
)
class AvgPool2D(_Pool):
    """Every value of a window gets 1/k² of its output's gradient (padding counted, as PyTorch)."""

    kind = "avg_pool2d"

    def forward(self, x, training):
        lead, m, col = self._cols(x)
        self._lead_m, self._n_rows = (lead, m), col.shape
        return col.mean(axis=1).reshape(*lead, self.c, self.oh, self.ow)

    def backward(self, grad):
        lead, m = self._lead_m
        dcol = np.repeat(grad.reshape(-1, 1) / (self.k * self.k), self._n_rows[1], axis=1)
        return self._back(dcol, lead, m)


@LAYERS.register(
    "global_avg_pool", description=N_("The mean of each channel over all positions: (C, H, W) → (C,).")
)
class GlobalAvgPool(_Spatial):
    def __init__(self, in_shape: Shape):
        self.c, self.h, self.w = _image_shape(in_shape, "global_avg_pool")

    def output_shape(self, in_shape):
        return (self.c,)

    def forward(self, x, training):
        return x.mean(axis=(-2, -1))

    def backward(self, grad):
        return np.broadcast_to(
            grad[..., None, None] / (self.h * self.w), (*grad.shape, self.h, self.w)
        ).copy()


def adaptive_bins(size: int, n: int) -> list[tuple[int, int]]:
    """PyTorch's adaptive pooling bins: ``[⌊i·size/n⌋, ⌈(i+1)·size/n⌉)`` for i < n (they may overlap)."""
    return [(i * size // n, -(-(i + 1) * size // n)) for i in range(n)]


@LAYERS.register(
    "spatial_pyramid_pool",
    description=N_(
        "Spatial pyramid pooling (He et al. 2014): pool over 1×1, 2×2, 4×4 grids into one vector."
    ),
    levels=Param([1, 2, 4], help=N_("Grid sizes n of the pyramid (each gives C·n² values).")),
    mode=Param("max", choices=("max", "avg"), help=N_("Pool each bin by its maximum or its mean.")),
)
class SpatialPyramidPool(_Spatial):
    """(C, H, W) → (C·Σn²,) for every level n (each bin as ``adaptive_{max,avg}_pool2d`` to n×n,
    flattened channel-major and concatenated level by level). The input may be any size ≥ the
    largest level, so images of different sizes give vectors of one length."""

    def __init__(self, in_shape: Shape, levels=(1, 2, 4), mode: str = "max"):
        self.c, self.h, self.w = _image_shape(in_shape, "spatial_pyramid_pool")
        self.levels = [int(n) for n in levels]
        if not self.levels or any(n < 1 for n in self.levels):
            raise ConfigError("Pyramid levels must be whole numbers ≥ 1, got {levels!r}.", levels=levels)
        if max(self.levels) > min(self.h, self.w):
            raise ConfigError("A {n}×{n} grid needs inputs at least that large.", n=max(self.levels))
        self.mode = mode

    def output_shape(self, in_shape):
        return (self.c * sum(n * n for n in self.levels),)

    def forward(self, x, training):
        h, w = x.shape[-2:]
        outs, self._saved = [], []
        for n in self.levels:
            cells = []
            for hs, he in adaptive_bins(h, n):
                for ws, we in adaptive_bins(w, n):
                    region = x[..., hs:he, ws:we].reshape(*x.shape[:-2], -1)
                    if self.mode == "max":
                        arg = region.argmax(axis=-1)
                        cells.append(np.take_along_axis(region, arg[..., None], axis=-1)[..., 0])
                        self._saved.append((hs, he, ws, we, arg))
                    else:
                        cells.append(region.mean(axis=-1))
                        self._saved.append((hs, he, ws, we, None))
            outs.append(np.stack(cells, axis=-1).reshape(*x.shape[:-2][:-1], -1))  # channel-major
        self._x_shape = x.shape
        return np.concatenate(outs, axis=-1)

    def backward(self, grad):
        shape = self._x_shape
        dx = np.zeros(shape)
        lead_c = shape[:-2]
        offset = 0
        k = 0
        for n in self.levels:
            g = grad[..., offset : offset + self.c * n * n].reshape(*lead_c, n * n)
            offset += self.c * n * n
            for cell in range(n * n):
                hs, he, ws, we, arg = self._saved[k]
                k += 1
                region = dx[..., hs:he, ws:we]
                if arg is None:
                    region += g[..., cell][..., None, None] / ((he - hs) * (we - ws))
                else:
                    bw = we - ws
                    flat = np.zeros((*lead_c, (he - hs) * bw))
                    np.put_along_axis(flat, arg[..., None], g[..., cell][..., None], axis=-1)
                    region += flat.reshape(region.shape)
        return dx


@LAYERS.register(
    "flatten", description=N_("(C, H, W) → (C·H·W,): feature maps to one vector for a dense layer.")
)
class Flatten(Layer):
    def __init__(self, in_shape: Shape):
        self.in_shape = tuple(int(s) for s in in_shape)
        self.size = math.prod(self.in_shape)

    def output_shape(self, in_shape):
        return (self.size,)

    def forward(self, x, training):
        self._shape = x.shape
        return x.reshape(*x.shape[: x.ndim - len(self.in_shape)], self.size)

    def backward(self, grad):
        # Leading axes from the gradient: with a trials axis and a shared batch the input was
        # (N, C, H, W) but the gradient is per trial, (T, N, C·H·W).
        return grad.reshape(*grad.shape[:-1], *self.in_shape)


@LAYERS.register(
    "batch_norm2d",
    description=N_("Batch normalization per channel over batch, height and width (torch.nn.BatchNorm2d)."),
    momentum=Param(0.1, 0.0, 1.0, N_("Running-statistics momentum m: r ← (1−m)·r + m·batch.")),
    eps=Param(1e-5, 0.0, 1.0, N_("ε added to the variance.")),
)
class BatchNorm2D(BatchNorm):
    """BatchNorm2d: the channel axis is the feature axis and every (n, h, w) is one sample, so it
    is :class:`~playground.engine.layers.BatchNorm` on the channels-last view (N·H·W, C)."""

    def __init__(self, in_shape: Shape, momentum: float = 0.1, eps: float = 1e-5):
        self.c, self.h, self.w = _image_shape(in_shape, "batch_norm2d")
        super().__init__((self.c,), momentum, eps)

    def output_shape(self, in_shape):
        return tuple(in_shape)

    def _flat(self, x):
        moved = np.moveaxis(x, -3, -1)  # (…, N, H, W, C)
        if self.trials is None:
            return moved.reshape(-1, self.c)
        return moved.reshape(x.shape[0], -1, self.c)

    def _unflat(self, y, shape):
        lead = shape[: len(shape) - 3]
        return np.moveaxis(y.reshape(*lead, shape[-2], shape[-1], self.c), -1, -3)

    def forward(self, x, training):
        self._shape = x.shape
        return self._unflat(super().forward(self._flat(x), training), x.shape)

    def backward(self, grad):
        return self._unflat(super().backward(self._flat(grad)), self._shape)
