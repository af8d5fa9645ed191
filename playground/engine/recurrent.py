"""Recurrent layers on sequences (N, T, D) → (N, T, H), trained by backpropagation through time.

Each cell runs forward over the T steps caching what its backward needs (Deep Learning from
Scratch 2, ch. 5–6), and the backward walks the steps in reverse, adding the gradient that reaches
h⟨t⟩ from the output at step t to the one coming back from step t+1. Cells:

* ``rnn``: h⟨t⟩ = tanh(x⟨t⟩·Wx + h⟨t−1⟩·Wh + b) (``torch.nn.RNN`` with one bias);
* ``lstm``: gates i, f, g, o = σ, σ, tanh, σ of x·Wx + h·Wh + b (torch's order),
  c⟨t⟩ = f·c⟨t−1⟩ + i·g, h⟨t⟩ = o·tanh(c⟨t⟩) (``torch.nn.LSTM`` with one bias);
* ``gru``: torch's form, r and z gates, n = tanh(x·Wxn + bxn + r·(h·Whn + bhn)),
  h⟨t⟩ = (1 − z)·n + z·h⟨t−1⟩ (``torch.nn.GRU``);
* ``gru_simple``: the study notes' simplified GRU (update gate only):
  c̃ = tanh(x·Wxc + c⟨t−1⟩·Whc + bc), Γu = σ(x·Wxu + c⟨t−1⟩·Whu + bu), c⟨t⟩ = Γu·c̃ + (1 − Γu)·c⟨t−1⟩;
* ``gru_full``: the notes' full GRU: Γr = σ(x·Wxr + c⟨t−1⟩·Whr + br) and
  c̃ = tanh(x·Wxc + (Γr·c⟨t−1⟩)·Whc + bc) — the relevance gate acts *before* the matrix product,
  and Γu weighs the new candidate (torch's z weighs the old state: z = 1 − Γu).

Weights are stored input-major (Wx: (D, k·H), Wh: (H, k·H)); torch's ``weight_ih_l0`` is Wxᵀ.
``stateful=True`` carries the last state from one batch to the next (truncated BPTT over contiguous,
unshuffled batches; the gradient stops at the batch border); :meth:`reset_state` forgets it, and the
trainer calls it at the start of every epoch. With a trials axis inputs are (Tr, N, T, D) (or a
shared (N, T, D)) and weights (Tr, D, k·H).

Instrumentation when asked (``record=True``): ``states`` (h⟨t⟩ per step, and c⟨t⟩ for the LSTM),
``gates`` (each gate's activations per step) and, after a backward, ``grad_norms``: ‖∂L/∂h⟨t⟩‖ for
every t (back-propagate only the last step's loss to see how it fades with distance), and
``input_grad_norms``: ‖∂L/∂x⟨t⟩‖ for every t (the connectivity of the output to each input).
``forget_bias`` (LSTM) sets the forget gate's initial bias (torch: 0; 1 is the usual choice), and
``update_bias`` (the notes' GRUs) the update gate's (−1 plays the same part: Γu starts small).
"""

from __future__ import annotations

import numpy as np

from playground.engine.activations import sigmoid
from playground.engine.layers import LAYERS, Layer, Shape
from playground.engine.registry import N_, Param
from playground.errors import ConfigError

_PARAMS = dict(
    hidden=Param(16, 1, 4096, N_("Units H of the hidden state.")),
    init=Param("xavier_uniform", help=N_("Initializer of the input weights Wx.")),
    recurrent_init=Param("orthogonal_scaled", help=N_("Initializer of the recurrent weights Wh.")),
    recurrent_scale=Param(1.0, 0.0, 10.0, N_("Scale of the recurrent weights (>1 explodes, <1 fades).")),
    stateful=Param(False, help=N_("Carry the last state to the next batch (truncated BPTT).")),
)


def _orthogonal(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """k orthogonal n×n blocks side by side: ‖h·Wh‖ = ‖h‖ for each gate at scale 1."""
    blocks = []
    for _ in range(k):
        q, r = np.linalg.qr(rng.normal(size=(n, n)))
        blocks.append(q * np.sign(np.diag(r)))
    return np.concatenate(blocks, axis=1)


class _Recurrent(Layer):
    """Shared machinery: parameters, initial state, the step loop; subclasses define one step."""

    gates_per_unit = 1  # k: Wx is (D, k·H)
    gate_names: tuple[str, ...] = ()
    has_cell = False
    two_biases = False

    def __init__(
        self,
        in_shape: Shape,
        hidden: int = 16,
        init="xavier_uniform",
        recurrent_init="orthogonal_scaled",
        recurrent_scale: float = 1.0,
        stateful: bool = False,
    ):
        from playground.engine.initializers import make_initializer

        if len(in_shape) != 2:
            raise ConfigError(
                "A recurrent layer takes sequences (steps, features), got {in_shape}.",
                in_shape=tuple(in_shape),
            )
        self.steps, self.d = int(in_shape[0]), int(in_shape[1])
        self.h = int(hidden)
        self.init = make_initializer(init, {}) if isinstance(init, str) else init
        if recurrent_init != "orthogonal_scaled":
            self.recurrent_init = make_initializer(recurrent_init, {})
        else:
            self.recurrent_init = None
        self.scale = float(recurrent_scale)
        self.stateful = bool(stateful)
        self.record = False
        self._carry = None

    def param_specs(self):
        kh = self.gates_per_unit * self.h
        specs = [("Wx", (self.d, kh), "weight"), ("Wh", (self.h, kh), "weight"), ("b", (kh,), "bias")]
        if self.two_biases:
            specs.append(("bh", (kh,), "bias"))
        return specs

    def output_shape(self, in_shape):
        return (self.steps, self.h)

    def init_params(self, rng):
        kh = self.gates_per_unit * self.h
        self.p["Wx"].value[...] = self.init(rng, self.d, kh, (self.d, kh))
        if self.recurrent_init is None:
            wh = _orthogonal(rng, self.h, self.gates_per_unit)
        else:
            wh = self.recurrent_init(rng, self.h, kh, (self.h, kh))
        self.p["Wh"].value[...] = self.scale * wh
        self.p["b"].value[...] = 0.0
        if self.two_biases:
            self.p["bh"].value[...] = 0.0

    def on_bind(self):
        self.Wx, self.Wh, self.b = self.p["Wx"], self.p["Wh"], self.p["b"]

    def reset_state(self):
        self._carry = None

    # -- helpers ----------------------------------------------------------------------------------
    def _lead(self, x):
        return x.shape[:-2]

    def _zeros(self, lead):
        return np.zeros((*lead, self.h))

    def _initial(self, lead):
        """(h0, c0): zeros, or the state carried from the previous batch when it fits."""
        if self.stateful and self._carry is not None and self._carry[0].shape == (*lead, self.h):
            return self._carry
        return self._zeros(lead), (self._zeros(lead) if self.has_cell else None)

    def _acc(self, name: str, x: np.ndarray, g: np.ndarray, shared: bool = False) -> None:
        """dW += xᵀ·g over every example (and per trial; ``shared``: x has no trials axis)."""
        p = self.p[name]
        if self.trials is None:
            p.grad[...] += x.reshape(-1, x.shape[-1]).T @ g.reshape(-1, g.shape[-1])
        else:
            gs = g.reshape(g.shape[0], -1, g.shape[-1])
            xs = x.reshape(1 if shared else x.shape[0], -1, x.shape[-1])
            p.grad[...] += np.swapaxes(xs, -1, -2) @ gs

    def _bsum(self, name: str, g: np.ndarray) -> None:
        p = self.p[name]
        if self.trials is None:
            p.grad[...] += g.reshape(-1, g.shape[-1]).sum(axis=0)
        else:
            p.grad[...] += g.reshape(g.shape[0], -1, g.shape[-1]).sum(axis=1)

    # -- forward / backward -------------------------------------------------------------------------
    #: True when the recurrent side of every gate sees h⟨t−1⟩ itself and gets the same gradient as
    #: the input side (RNN, LSTM, the simplified GRU): then dWh = Σₜ h⟨t−1⟩ᵀ·da⟨t⟩ is one product
    #: over all steps after the loop, instead of one per step.
    simple_recurrence = False

    def forward(self, x, training):
        lead = self._lead(x)
        if self.trials is not None and len(lead) == 1:  # a shared batch: every trial sees it
            lead = (self.trials, *lead)
        h, c = self._initial(lead)
        # xw: (…, T, k·H), the input's share of every gate for every step and the bias, in one go
        if self.trials is None:
            xw = x @ self.Wx.value
            xw += self.b.value
        else:
            xw = x @ self.Wx.value[:, None]
            xw += self.b.value[:, None, None]
        self._x, self._h0, self._caches = x, h, []
        outs = np.empty((*lead, self.steps, self.h))
        with np.errstate(over="ignore"):  # an exp overflowing to inf gives a gate's exact limit
            for t in range(self.steps):
                h, c, cache = self._step(xw[..., t, :], h, c)
                self._caches.append(cache)
                outs[..., t, :] = h
        self._outs = outs
        if self.stateful:
            self._carry = (h.copy(), None if c is None else c.copy())
        if self.record:
            self.states = outs.copy()
            self.gates = {
                name: np.stack([cache[name] for cache in self._caches], axis=-2) for name in self.gate_names
            }
            if self.has_cell:
                self.cells = np.stack([cache["c"] for cache in self._caches], axis=-2)
        return outs

    def backward(self, grad):
        dxw = np.empty((*grad.shape[:-1], self.gates_per_unit * self.h))
        dh_next = np.zeros(grad.shape[:-2] + (self.h,))
        dc_next = np.zeros_like(dh_next) if self.has_cell else None
        norms = [] if self.record else None
        for t in range(self.steps - 1, -1, -1):
            dh = grad[..., t, :] + dh_next
            if norms is not None:
                norms.append(np.sqrt(np.sum(dh * dh)))
            dgates, dh_next, dc_next = self._step_back(dh, dc_next, self._caches[t])
            dxw[..., t, :] = dgates
        if norms is not None:
            self.grad_norms = np.array(norms[::-1])
        self._acc("Wx", self._x, dxw, shared=self.trials is not None and self._x.ndim == 3)
        self._bsum("b", dxw)
        if self.simple_recurrence:  # h⟨t−1⟩ for every t: h⟨0⟩, then the outputs but the last
            h_prev = np.concatenate([self._h0[..., None, :], self._outs[..., :-1, :]], axis=-2)
            self._acc("Wh", h_prev, dxw)
        if self.skip_input_grad and not self.record:
            return None
        dx = (
            dxw @ np.swapaxes(self.Wx.value, -1, -2)[..., None, :, :]
            if self.trials is not None
            else dxw @ self.Wx.value.T
        )
        if self.record:  # connectivity: how much the input at step t moves the loss
            self.input_grad_norms = np.sqrt(np.sum(dx * dx, axis=tuple(range(dx.ndim - 2)) + (-1,)))
        return None if self.skip_input_grad else dx

    def _hw(self, h):
        """h·Wh for one step: (…, H) @ (H, k·H) (per trial: (Tr, N, H) @ (Tr, H, k·H))."""
        return h @ self.Wh.value

    def _dh_wh(self, dgates_h, h_prev):
        """dgates·Whᵀ, the gradient reaching h⟨t−1⟩; accumulates dWh from this step unless
        :attr:`simple_recurrence` (then the backward does it for all steps at once)."""
        if not self.simple_recurrence:
            self._acc("Wh", h_prev, dgates_h)
        return dgates_h @ np.swapaxes(self.Wh.value, -1, -2)


@LAYERS.register("rnn", description=N_("Vanilla RNN: h⟨t⟩ = tanh(x⟨t⟩·Wx + h⟨t−1⟩·Wh + b)."), **_PARAMS)
class RNN(_Recurrent):
    simple_recurrence = True

    def _step(self, xw, h, c):
        h_new = np.tanh(xw + self._hw(h))
        return h_new, None, {"h_prev": h, "h": h_new}

    def _step_back(self, dh, dc, cache):
        y = cache["h"]
        da = dh * (1.0 - y * y)
        return da, self._dh_wh(da, cache["h_prev"]), None


class _Gated(_Recurrent):
    """A cell with gates (their activations recorded per step when asked)."""


@LAYERS.register(
    "lstm",
    description=N_(
        "LSTM: input, forget and output gates around a cell state c (torch's gate order i, f, g, o)."
    ),
    **_PARAMS,
    forget_bias=Param(0.0, -10.0, 10.0, N_("Initial bias of the forget gate (1: keep the memory early on).")),
)
class LSTM(_Gated):
    """The four gates come from one product h⟨t−1⟩·Wh and one exponential over all of them:
    σ(a) = 1/(1 + e^−a) and tanh(a) = 2σ(2a) − 1, so a step's gates cost 7 NumPy calls (NumPy's
    float64 ``tanh`` is not vectorized on most CPUs and costs 2–3 times its ``exp``); tanh c⟨t⟩ is
    computed the same way. An e^−a that overflows to inf gives the limit, 0 (or −1): exact."""

    gates_per_unit = 4
    gate_names = ("input", "forget", "candidate", "output")
    has_cell = True
    simple_recurrence = True

    def __init__(self, in_shape: Shape, forget_bias: float = 0.0, **kwargs):
        super().__init__(in_shape, **kwargs)
        self.forget_bias = float(forget_bias)
        H = self.h
        g = slice(2 * H, 3 * H)  # the candidate's columns; i, f, o are σ gates
        self._neg = np.full(4 * H, -1.0)  # e^(−a), and e^(−2a) for g
        self._neg[g] = -2.0
        self._num = np.ones(4 * H)  # 1/(1 + e^−a), and 2/(1 + e^−2a) for g
        self._num[g] = 2.0
        self._off = np.zeros(4 * H)  # … − 1 for g
        self._off[g] = -1.0

    def init_params(self, rng):
        super().init_params(rng)
        self.p["b"].value[..., self.h : 2 * self.h] = self.forget_bias  # Gers et al. (2000)

    def _step(self, xw, h, c):
        H = self.h
        a = self._hw(h)
        a += xw
        a *= self._neg
        np.exp(a, out=a)
        a += 1.0
        np.divide(self._num, a, out=a)
        a += self._off  # a = [i, f, g, o]
        i, f, g, o = a[..., :H], a[..., H : 2 * H], a[..., 2 * H : 3 * H], a[..., 3 * H :]
        c_new = f * c
        c_new += i * g
        tc = np.multiply(c_new, -2.0)  # tanh c = 2/(1 + e^−2c) − 1
        np.exp(tc, out=tc)
        tc += 1.0
        np.divide(2.0, tc, out=tc)
        tc -= 1.0
        h_new = o * tc
        cache = {
            "h_prev": h,
            "c_prev": c,
            "acts": a,
            "input": i,
            "forget": f,
            "candidate": g,
            "output": o,
            "tc": tc,
            "c": c_new,
        }
        return h_new, c_new, cache

    def _step_back(self, dh, dc, cache):
        H = self.h
        a, tc = cache["acts"], cache["tc"]
        i, f, g, o = cache["input"], cache["forget"], cache["candidate"], cache["output"]
        dtc = tc * tc  # dc += dh·o·(1 − tanh²c)
        np.subtract(1.0, dtc, out=dtc)
        dtc *= o
        dtc *= dh
        dc = dc + dtc
        da = np.empty_like(a)  # d/d[i, f, g, o] …
        np.multiply(dc, g, out=da[..., :H])
        np.multiply(dc, cache["c_prev"], out=da[..., H : 2 * H])
        np.multiply(dc, i, out=da[..., 2 * H : 3 * H])
        np.multiply(dh, tc, out=da[..., 3 * H :])
        slope = 1.0 - a  # … times the gates' slopes: σ(1 − σ) and, for g, 1 − g²
        slope *= a
        np.multiply(g, g, out=slope[..., 2 * H : 3 * H])
        np.subtract(1.0, slope[..., 2 * H : 3 * H], out=slope[..., 2 * H : 3 * H])
        da *= slope
        return da, self._dh_wh(da, cache["h_prev"]), dc * f


@LAYERS.register(
    "gru",
    description=N_("GRU in torch's form: reset r and update z gates, h⟨t⟩ = (1 − z)·n + z·h⟨t−1⟩."),
    **_PARAMS,
)
class GRU(_Gated):
    """``torch.nn.GRU``: the reset gate multiplies ``h·Whn + bhn`` (after the product), so this
    form needs a second bias ``bh`` on the recurrent side, as torch has."""

    gates_per_unit = 3
    gate_names = ("reset", "update", "candidate")
    two_biases = True

    def _step(self, xw, h, c):
        H = self.h
        hw = self._hw(h) + self.row(self.p["bh"].value)
        r = sigmoid(xw[..., :H] + hw[..., :H])
        z = sigmoid(xw[..., H : 2 * H] + hw[..., H : 2 * H])
        n = np.tanh(xw[..., 2 * H :] + r * hw[..., 2 * H :])
        h_new = (1.0 - z) * n + z * h
        return h_new, None, {"h_prev": h, "reset": r, "update": z, "candidate": n, "hn": hw[..., 2 * H :]}

    def _step_back(self, dh, dc, cache):
        r, z, n, h_prev, hn = (
            cache["reset"],
            cache["update"],
            cache["candidate"],
            cache["h_prev"],
            cache["hn"],
        )
        dn = dh * (1.0 - z) * (1.0 - n * n)
        dz = dh * (h_prev - n) * z * (1.0 - z)
        dr = dn * hn * r * (1.0 - r)
        dxw = np.concatenate([dr, dz, dn], axis=-1)
        dhw = np.concatenate([dr, dz, dn * r], axis=-1)
        self._bsum("bh", dhw)
        return dxw, self._dh_wh(dhw, h_prev) + dh * z, None


class _NotesGRU(_Gated):
    """The notes' GRUs: Γu comes first in the gate order; ``update_bias`` sets its initial bias (a
    negative bias makes Γu small, so c⟨t⟩ ≈ c⟨t−1⟩ at the start: the memory is kept, as an LSTM's
    forget-gate bias of 1 does)."""

    def __init__(self, in_shape: Shape, update_bias: float = 0.0, **kwargs):
        super().__init__(in_shape, **kwargs)
        self.update_bias = float(update_bias)

    def init_params(self, rng):
        super().init_params(rng)
        self.p["b"].value[..., : self.h] = self.update_bias


@LAYERS.register(
    "gru_simple",
    description=N_(
        "The notes' simplified GRU: an update gate Γu mixes the candidate c̃ into the memory cell."
    ),
    **_PARAMS,
    update_bias=Param(
        0.0, -10.0, 10.0, N_("Initial bias of the update gate Γu (−1: keep the memory early on).")
    ),
)
class GRUSimple(_NotesGRU):
    gates_per_unit = 2
    gate_names = ("update", "candidate")
    simple_recurrence = True

    def _step(self, xw, h, c):
        H = self.h
        a = xw + self._hw(h)
        u, cand = sigmoid(a[..., :H]), np.tanh(a[..., H:])
        h_new = u * cand + (1.0 - u) * h
        return h_new, None, {"h_prev": h, "update": u, "candidate": cand}

    def _step_back(self, dh, dc, cache):
        u, cand, h_prev = cache["update"], cache["candidate"], cache["h_prev"]
        du = dh * (cand - h_prev) * u * (1.0 - u)
        dcand = dh * u * (1.0 - cand * cand)
        da = np.concatenate([du, dcand], axis=-1)
        return da, self._dh_wh(da, h_prev) + dh * (1.0 - u), None


@LAYERS.register(
    "gru_full",
    description=N_("The notes' full GRU: a relevance gate Γr scales c⟨t−1⟩ before the candidate's product."),
    **_PARAMS,
    update_bias=Param(
        0.0, -10.0, 10.0, N_("Initial bias of the update gate Γu (−1: keep the memory early on).")
    ),
)
class GRUFull(_NotesGRU):
    gates_per_unit = 3
    gate_names = ("update", "relevance", "candidate")

    def _step(self, xw, h, c):
        H = self.h
        Wh = self.Wh.value
        ur = xw[..., : 2 * H] + h @ Wh[..., :, : 2 * H]
        u, r = sigmoid(ur[..., :H]), sigmoid(ur[..., H:])
        rh = r * h
        cand = np.tanh(xw[..., 2 * H :] + rh @ Wh[..., :, 2 * H :])
        h_new = u * cand + (1.0 - u) * h
        return h_new, None, {"h_prev": h, "update": u, "relevance": r, "candidate": cand, "rh": rh}

    def _step_back(self, dh, dc, cache):
        H = self.h
        u, r, cand, h_prev, rh = (
            cache["update"],
            cache["relevance"],
            cache["candidate"],
            cache["h_prev"],
            cache["rh"],
        )
        Wh = self.Wh.value
        du = dh * (cand - h_prev) * u * (1.0 - u)
        dcand = dh * u * (1.0 - cand * cand)
        drh = dcand @ np.swapaxes(Wh[..., :, 2 * H :], -1, -2)
        dr = drh * h_prev * r * (1.0 - r)
        d_ur = np.concatenate([du, dr], axis=-1)
        # Wh's gradient: the u, r columns see h⟨t−1⟩, the candidate's columns see Γr·h⟨t−1⟩.
        gWh = self.p["Wh"].grad
        if self.trials is None:
            gWh[:, : 2 * H] += h_prev.reshape(-1, H).T @ d_ur.reshape(-1, 2 * H)
            gWh[:, 2 * H :] += rh.reshape(-1, H).T @ dcand.reshape(-1, H)
        else:
            T = d_ur.shape[0]
            gWh[..., :, : 2 * H] += np.swapaxes(h_prev.reshape(T, -1, H), -1, -2) @ d_ur.reshape(T, -1, 2 * H)
            gWh[..., :, 2 * H :] += np.swapaxes(rh.reshape(T, -1, H), -1, -2) @ dcand.reshape(T, -1, H)
        dh_prev = d_ur @ np.swapaxes(Wh[..., :, : 2 * H], -1, -2) + drh * r + dh * (1.0 - u)
        return np.concatenate([du, dr, dcand], axis=-1), dh_prev, None


@LAYERS.register("last_step", description=N_("The last time step of a sequence: (T, H) → (H,)."))
class LastStep(Layer):
    def __init__(self, in_shape: Shape):
        if len(in_shape) != 2:
            raise ConfigError(
                "last_step takes sequences (steps, features), got {in_shape}.", in_shape=tuple(in_shape)
            )
        self.steps, self.h = int(in_shape[0]), int(in_shape[1])

    def output_shape(self, in_shape):
        return (self.h,)

    def forward(self, x, training):
        self._shape = x.shape
        return x[..., -1, :]

    def backward(self, grad):
        dx = np.zeros(self._shape)
        dx[..., -1, :] = grad
        return dx
