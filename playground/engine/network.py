"""A fully-connected network built from a plain, JSON-serializable :class:`NetworkConfig`.

Each hidden layer is ``Dense → [BN] → activation → [BN] → [dropout]`` (BN before or after the
activation, as chosen), optionally wrapped in a residual connection ``y = x + f(x)`` when its input
and output widths are equal. The output layer is a plain ``Dense`` giving one logit (binary), K
logits (multi-class) or values (regression); the loss turns them into probabilities.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from playground.engine.activations import ACTIVATIONS, Activation, make_activation
from playground.engine.initializers import INITIALIZERS, make_initializer
from playground.engine.layers import BatchNorm, Dense, Dropout, Layer, ResidualEnd, ResidualStart
from playground.engine.losses import TASK_LOSS, make_loss
from playground.engine.params import ParamSet
from playground.errors import ConfigError

TASKS = ("binary", "multiclass", "regression")
BN_MODES = ("off", "before", "after")


@dataclass
class NetworkConfig:
    """Everything that defines a network's shape and its initial weights.

    ``hidden`` lists the hidden layers' widths (empty: a linear/logistic model). ``seed`` seeds the
    weights and the training-time noise (dropout masks, RReLU slopes).
    """

    n_inputs: int = 2
    hidden: list[int] = field(default_factory=lambda: [4, 2])
    task: str = "binary"
    n_classes: int = 2
    activation: str = "tanh"
    activation_params: dict[str, Any] = field(default_factory=dict)
    init: str = "xavier_normal"
    init_params: dict[str, Any] = field(default_factory=dict)
    bias_init: float = 0.0
    batch_norm: str = "off"
    bn_momentum: float = 0.1
    bn_eps: float = 1e-5
    dropout: float = 0.0
    residual: bool = False
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> NetworkConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ConfigError(f"Unknown network setting(s): {unknown}.")
        cfg = cls(**d)
        cfg.validate()
        return cfg

    @property
    def n_outputs(self) -> int:
        return self.n_classes if self.task == "multiclass" else 1

    def validate(self) -> None:
        """Raise :class:`ConfigError` with a message a learner can act on."""
        if not isinstance(self.n_inputs, int) or self.n_inputs < 1:
            raise ConfigError(f"The network needs at least one input, got {self.n_inputs!r}.")
        if not isinstance(self.hidden, list | tuple) or any(
            not isinstance(w, int) or isinstance(w, bool) or w < 1 for w in self.hidden
        ):
            raise ConfigError(f"Hidden layer widths must be whole numbers ≥ 1, got {self.hidden!r}.")
        if self.task not in TASKS:
            raise ConfigError(f"Unknown task {self.task!r}; choose one of {', '.join(TASKS)}.")
        if self.task == "multiclass" and not (isinstance(self.n_classes, int) and self.n_classes >= 2):
            raise ConfigError(f"A multi-class problem needs at least 2 classes, got {self.n_classes!r}.")
        ACTIVATIONS[self.activation].resolve(self.activation_params)
        INITIALIZERS[self.init].resolve(self.init_params)
        if self.batch_norm not in BN_MODES:
            raise ConfigError(f"Batch norm must be one of {', '.join(BN_MODES)}, got {self.batch_norm!r}.")
        if not 0.0 <= float(self.dropout) < 1.0:
            raise ConfigError(f"Dropout rate must be in [0, 1), got {self.dropout!r}.")
        if not 0.0 < float(self.bn_momentum) <= 1.0:
            raise ConfigError(f"Batch-norm momentum must be in (0, 1], got {self.bn_momentum!r}.")
        if not isinstance(self.seed, int):
            raise ConfigError(f"The seed must be a whole number, got {self.seed!r}.")


@dataclass
class HiddenLayer:
    """The parts of hidden layer ``index`` (1-based), for instrumentation and the network view."""

    index: int
    dense: Dense
    activation: Activation
    batch_norm: BatchNorm | None
    residual: bool

    @property
    def name(self) -> str:
        return f"h{self.index}"


class Network:
    """A fully-connected network; parameters are named views into one flat buffer.

    >>> net = Network(NetworkConfig(hidden=[4, 2]))
    >>> probs = net.predict(np.zeros((3, 2)))       # class-1 probabilities, shape (3,)
    >>> sorted(net.params.names())[:2]
    ['h1.W', 'h1.b']
    """

    def __init__(self, config: NetworkConfig | dict):
        if isinstance(config, dict):
            config = NetworkConfig.from_dict(config)
        config.validate()
        self.config = config
        init_seq, noise_seq = np.random.SeedSequence(config.seed).spawn(2)
        init_rng = np.random.default_rng(init_seq)
        #: The generator behind dropout masks and RReLU slopes (part of the reproducible run).
        self.noise_rng = np.random.default_rng(noise_seq)
        self.loss = make_loss(TASK_LOSS[config.task])
        self.training = False

        init = make_initializer(config.init, config.init_params)
        layers: list[tuple[str, Layer]] = []
        self.hidden_layers: list[HiddenLayer] = []
        width_in = config.n_inputs
        for i, width in enumerate(config.hidden, start=1):
            act = make_activation(config.activation, width, self.noise_rng, config.activation_params)
            dense = Dense(width_in, width * act.pieces, init, config.bias_init)
            residual = config.residual and width_in == width
            bn = None
            block: list[tuple[str, Layer]] = [(f"h{i}.", dense)]
            if config.batch_norm == "before":
                bn = BatchNorm(width * act.pieces, config.bn_momentum, config.bn_eps)
                block.append((f"h{i}.", bn))
            block.append((f"h{i}.", act))
            if config.batch_norm == "after":
                bn = BatchNorm(width, config.bn_momentum, config.bn_eps)
                block.append((f"h{i}.", bn))
            if config.dropout > 0:
                block.append((f"h{i}.", Dropout(float(config.dropout), self.noise_rng)))
            if residual:
                start, end = ResidualStart(), ResidualEnd()
                start.end = end
                block = [("", start), *block, ("", end)]
            layers.extend(block)
            self.hidden_layers.append(HiddenLayer(i, dense, act, bn, residual))
            width_in = width
        self.output = Dense(width_in, config.n_outputs, init, config.bias_init)
        layers.append(("out.", self.output))

        specs = [
            (prefix + name, shape, kind)
            for prefix, layer in layers
            for name, shape, kind in layer.param_specs()
        ]
        self.params = ParamSet(specs)
        for prefix, layer in layers:
            layer.bind(self.params, prefix)
            layer.init_params(init_rng)
        self.layers = [layer for _, layer in layers]
        self._backward_layers = self.layers[::-1]

    # -- modes -------------------------------------------------------------------------------
    def train(self) -> Network:
        """Training mode: dropout, RReLU noise and batch statistics on (for ``training=None``)."""
        self.training = True
        return self

    def eval(self) -> Network:
        self.training = False
        return self

    # -- forward / backward ------------------------------------------------------------------
    def forward(self, X: np.ndarray, training: bool | None = None) -> np.ndarray:
        """Raw outputs (logits or values), shape (n, n_outputs)."""
        if training is None:
            training = self.training
        for layer in self.layers:
            X = layer.forward(X, training)
        return X

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Back-propagate d loss/d outputs; gradients accumulate into ``params`` (``+=``).

        Returns the gradient with respect to the network's input.
        """
        for layer in self._backward_layers:
            grad_out = layer.backward(grad_out)
        return grad_out

    def zero_grad(self) -> None:
        self.params.zero_grad()

    def loss_and_grad(self, X: np.ndarray, targets: np.ndarray, training: bool = True) -> float:
        """Zero the gradients, run forward and backward, return the data loss (no regularization)."""
        self.params.grads.fill(0.0)
        loss = self.loss.forward(self.forward(X, training), targets)
        self.backward(self.loss.backward())
        return loss

    def predict(self, X: np.ndarray, batch: int = 8192) -> np.ndarray:
        """Class-1 probabilities (binary, shape (n,)), class probabilities (multi-class, (n, K)) or
        values (regression, (n,)) in eval mode, in chunks so a large grid stays cheap in memory."""
        X = np.asarray(X, dtype=np.float64)
        if len(X) <= batch:
            return self.loss.predict(self.forward(X, False))
        return np.concatenate(
            [self.loss.predict(self.forward(X[i : i + batch], False)) for i in range(0, len(X), batch)]
        )

    def evaluate(self, X: np.ndarray, targets: np.ndarray) -> tuple[float, float | None]:
        """(mean data loss, accuracy or None) in eval mode; ``targets`` from ``loss.targets(y)``."""
        if len(X) == 0:
            return float("nan"), None
        out = self.forward(X, False)
        return self.loss.forward(out, targets), self.loss.accuracy(out, targets)

    # -- instrumentation -------------------------------------------------------------------------
    def probe(
        self,
        X: np.ndarray,
        *,
        training: bool = False,
        grad_out: np.ndarray | None = None,
        max_values: int | None = 4000,
        rng: np.random.Generator | None = None,
    ) -> list[dict[str, Any]]:
        """Run a forward pass recording every hidden layer's pre- and post-activation values.

        Returns, per hidden layer, ``pre`` and ``post`` (flattened samples of at most
        ``max_values`` values, None: all), their ``mean``/``std``, ``dead_fraction`` (share of
        units whose output is 0 for every input: ReLU-family only) and ``saturated_fraction``
        (share of outputs in the flat tails of sigmoid/tanh). With ``grad_out`` (d loss/d output),
        also backpropagates it and records ``grad``, the gradient at each layer's output; the
        parameters' gradients are left as they were. Not used by training: charts ask for it.
        """
        acts = {id(h.activation): h for h in self.hidden_layers}
        found: dict[int, dict[str, np.ndarray]] = {}
        pick = rng if rng is not None else np.random.default_rng(0)
        for layer in self.layers:
            h = acts.get(id(layer))
            y = layer.forward(X, training)
            if h is not None:
                found[h.index] = {"pre": X, "post": y}
            X = y
        if grad_out is not None:
            saved = self.params.grads.copy()
            self.params.grads.fill(0.0)
            g = grad_out
            for layer in self._backward_layers:
                h = acts.get(id(layer))
                if h is not None:
                    found[h.index]["grad"] = g
                g = layer.backward(g)
            self.params.grads[...] = saved

        def sample(a: np.ndarray) -> np.ndarray:
            flat = a.reshape(-1)
            if max_values is None or flat.size <= max_values:
                return flat.copy()
            return flat[pick.choice(flat.size, max_values, replace=False)]

        out = []
        for h in self.hidden_layers:
            rec = found[h.index]
            post = rec["post"]
            act = h.activation
            dead = (
                float(np.mean(np.all(post <= act.dead_below, axis=0))) if act.dead_below is not None else 0.0
            )
            if act.saturation is not None:
                lo, hi = act.saturation
                saturated = float(np.mean((post < lo) | (post > hi)))
            else:
                saturated = 0.0
            entry = {
                "layer": h.index,
                "name": f"layer {h.index}",
                "pre": sample(rec["pre"]),
                "post": sample(post),
                "mean": float(post.mean()),
                "std": float(post.std()),
                "dead_fraction": dead,
                "saturated_fraction": saturated,
            }
            if "grad" in rec:
                entry["grad"] = sample(rec["grad"])
                entry["grad_mean"] = float(rec["grad"].mean())
                entry["grad_std"] = float(rec["grad"].std())
            out.append(entry)
        return out

    # -- parameters and state ------------------------------------------------------------------
    def get_params(self) -> dict[str, np.ndarray]:
        """Copies of every parameter's value, by name (e.g. ``"h1.W"``, ``"h1.b"``, ``"out.W"``)."""
        return self.params.get()

    def gradients(self) -> dict[str, np.ndarray]:
        """Copies of every parameter's gradient from the last :meth:`backward`, by name."""
        return self.params.grads_by_name()

    def set_params(self, values: dict[str, np.ndarray]) -> None:
        self.params.set(values)

    def buffers(self) -> dict[str, np.ndarray]:
        """Non-trained state by name (batch norm's running statistics)."""
        return {
            f"h{h.index}.{key}": arr
            for h in self.hidden_layers
            if h.batch_norm is not None
            for key, arr in h.batch_norm.buffers().items()
        }

    def state(self) -> dict[str, np.ndarray]:
        """Copies of every parameter and buffer, by name: enough to restore the network exactly."""
        out = self.get_params()
        out.update({k: v.copy() for k, v in self.buffers().items()})
        return out

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        buffers = self.buffers()
        params = {k: v for k, v in state.items() if k not in buffers}
        missing = sorted(set(self.params.names()) - set(params))
        if missing:
            raise ConfigError(f"Saved weights do not fit this network: missing {missing}.")
        self.params.set(params)
        for k, arr in buffers.items():
            if k in state:
                value = np.asarray(state[k], dtype=np.float64)
                if value.shape != arr.shape:
                    raise ConfigError(f"Saved buffer {k!r} has shape {value.shape}, expected {arr.shape}.")
                arr[...] = value

    @property
    def n_params(self) -> int:
        return len(self.params)

    def layer_sizes(self) -> list[int]:
        """Units per layer, inputs and outputs included (e.g. [2, 4, 2, 1])."""
        return [self.config.n_inputs, *self.config.hidden, self.config.n_outputs]

    def unit_weights(self) -> list[np.ndarray]:
        """Per connection layer, the (fan_in, fan_out) matrix from units to units, for the network
        view. For Maxout, each unit's pieces are summarized by the piece with the largest |w|."""
        mats = []
        for h in self.hidden_layers:
            W = h.dense.W.value
            k = h.activation.pieces
            if k > 1:
                pieces = W.reshape(W.shape[0], -1, k)
                idx = np.abs(pieces).argmax(axis=2)
                W = np.take_along_axis(pieces, idx[:, :, None], axis=2)[:, :, 0]
            mats.append(W)
        mats.append(self.output.W.value)
        return mats
