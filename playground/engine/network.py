"""A network built from a JSON-serializable list of layer specs.

:class:`ModelSpec` is the general description (input shape, a list of layer specs, the task); the
layer specs name entries of :data:`~playground.engine.layers.LAYERS` and nest through the
``sequential`` and ``residual`` containers. :class:`NetworkConfig` holds the Playground's MLP
settings and is one builder of such a list: each hidden layer is ``Dense → [BN] → activation →
[BN] → [dropout]`` (BN before or after the activation, as chosen), wrapped in a residual connection
``y = x + f(x)`` when its input and output widths are equal; the output layer is a ``Dense`` giving
one logit (binary), K logits (multi-class) or values (regression); the loss turns them into
probabilities. The same config gives the same parameter names (``h1.W``, ``out.b`` …) and draws
the same random numbers in the same order, so a saved file or shared link opens the same run.

``Network(config, seeds=[s1, …, sT])`` stacks T networks of that shape along a leading trials axis,
trial t initialized exactly as ``Network(config with seed s_t)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from playground.engine.activations import ACTIVATIONS, Activation, make_activation
from playground.engine.initializers import INITIALIZERS
from playground.engine.layers import BatchNorm, Dense, Layer, Residual, Sequential, build_layer
from playground.engine.losses import TASK_LOSS, make_loss
from playground.engine.params import Parameter, ParamSet
from playground.engine.registry import dataclass_from_dict
from playground.errors import ConfigError

TASKS = ("binary", "multiclass", "regression")
BN_MODES = ("off", "before", "after")


def _check_task(task: str, n_classes: Any) -> None:
    if task not in TASKS:
        raise ConfigError("Unknown task {task!r}; choose one of {tasks}.", task=task, tasks=", ".join(TASKS))
    if task == "multiclass" and not (isinstance(n_classes, int) and n_classes >= 2):
        raise ConfigError(
            "A multi-class problem needs at least 2 classes, got {n_classes!r}.", n_classes=n_classes
        )


@dataclass
class ModelSpec:
    """A network as data: one example's input shape, the layer specs in order, the task.

    The last layer must output what the task's loss expects (1 value for binary and regression, K
    logits for multi-class). ``seed`` seeds the weights and the training-time noise.
    """

    input_shape: list[int] = field(default_factory=lambda: [2])
    layers: list[dict[str, Any]] = field(default_factory=list)
    task: str = "binary"
    n_classes: int = 2
    seed: int = 0
    #: Settings of the task's loss (e.g. ``{"reduction": "sum_steps"}`` for a sequence loss).
    loss_params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelSpec:
        return dataclass_from_dict(cls, d, "model")

    @property
    def n_inputs(self) -> int:
        return int(np.prod(self.input_shape))

    @property
    def n_outputs(self) -> int:
        return self.n_classes if self.task == "multiclass" else 1

    def validate(self) -> None:
        if not isinstance(self.input_shape, list | tuple) or not all(
            isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in self.input_shape
        ):
            raise ConfigError(
                "The input shape must be whole numbers ≥ 1, got {input_shape!r}.",
                input_shape=self.input_shape,
            )
        if not isinstance(self.layers, list | tuple):
            raise ConfigError("The layers must be a list of layer specs, got {layers!r}.", layers=self.layers)
        _check_task(self.task, self.n_classes)
        if not isinstance(self.seed, int):
            raise ConfigError("The seed must be a whole number, got {seed!r}.", seed=self.seed)

    def spec(self) -> ModelSpec:
        return self


@dataclass
class NetworkConfig:
    """The Playground's fully-connected network: everything that defines its shape and initial weights.

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
        return dataclass_from_dict(cls, d, "network")

    @property
    def n_outputs(self) -> int:
        return self.n_classes if self.task == "multiclass" else 1

    def validate(self) -> None:
        """Raise :class:`ConfigError` with a message a learner can act on."""
        if not isinstance(self.n_inputs, int) or self.n_inputs < 1:
            raise ConfigError(
                "The network needs at least one input, got {n_inputs!r}.", n_inputs=self.n_inputs
            )
        if not isinstance(self.hidden, list | tuple) or any(
            not isinstance(w, int) or isinstance(w, bool) or w < 1 for w in self.hidden
        ):
            raise ConfigError(
                "Hidden layer widths must be whole numbers ≥ 1, got {hidden!r}.", hidden=self.hidden
            )
        _check_task(self.task, self.n_classes)
        ACTIVATIONS[self.activation].resolve(self.activation_params)
        INITIALIZERS[self.init].resolve(self.init_params)
        if self.batch_norm not in BN_MODES:
            raise ConfigError(
                "Batch norm must be one of {modes}, got {batch_norm!r}.",
                modes=", ".join(BN_MODES),
                batch_norm=self.batch_norm,
            )
        if not 0.0 <= float(self.dropout) < 1.0:
            raise ConfigError("Dropout rate must be in [0, 1), got {dropout!r}.", dropout=self.dropout)
        if not 0.0 < float(self.bn_momentum) <= 1.0:
            raise ConfigError(
                "Batch-norm momentum must be in (0, 1], got {bn_momentum!r}.", bn_momentum=self.bn_momentum
            )
        if not isinstance(self.seed, int):
            raise ConfigError("The seed must be a whole number, got {seed!r}.", seed=self.seed)

    def layer_specs(self, dropout: float | Sequence[float] | None = None) -> list[dict[str, Any]]:
        """The layer list this MLP is (``dropout``: override the rate, e.g. one per trial)."""
        rate = self.dropout if dropout is None else dropout
        has_dropout = bool(np.any(np.asarray(rate, dtype=np.float64) > 0))
        pieces = make_activation(self.activation, 1, None, self.activation_params).pieces
        init = {"init": self.init, "init_params": dict(self.init_params), "bias_init": self.bias_init}
        bn = {"type": "batch_norm", "momentum": self.bn_momentum, "eps": self.bn_eps}
        act = {"type": "activation", "activation": self.activation, "params": dict(self.activation_params)}
        specs: list[dict[str, Any]] = []
        width_in = self.n_inputs
        for i, width in enumerate(self.hidden, start=1):
            name = f"h{i}"
            block = [{"type": "dense", "name": name, "units": width * pieces, **init}]
            if self.batch_norm == "before":
                block.append({**bn, "name": name})
            block.append({**act, "name": name})
            if self.batch_norm == "after":
                block.append({**bn, "name": name})
            if has_dropout:
                block.append({"type": "dropout", "name": name, "rate": rate})
            if self.residual and width_in == width:
                specs.append({"type": "residual", "block": block})
            else:
                specs.extend(block)
            width_in = width
        specs.append({"type": "dense", "name": "out", "units": self.n_outputs, **init})
        return specs

    def spec(self, dropout: float | Sequence[float] | None = None) -> ModelSpec:
        """This network as a general :class:`ModelSpec`."""
        self.validate()
        return ModelSpec([self.n_inputs], self.layer_specs(dropout), self.task, self.n_classes, self.seed, {})


def config_from_dict(d: dict[str, Any]) -> NetworkConfig | ModelSpec:
    """A saved network config: a :class:`ModelSpec` if it lists layers, else a :class:`NetworkConfig`."""
    return ModelSpec.from_dict(d) if "layers" in d else NetworkConfig.from_dict(d)


@dataclass
class HiddenLayer:
    """The parts of hidden layer ``index`` (1-based), for instrumentation and the network view."""

    index: int
    name: str
    dense: Dense | None
    activation: Activation
    batch_norm: BatchNorm | None
    residual: bool


class Network:
    """A network of composable layers; parameters are named views into one flat buffer.

    >>> net = Network(NetworkConfig(hidden=[4, 2]))
    >>> probs = net.predict(np.zeros((3, 2)))       # class-1 probabilities, shape (3,)
    >>> sorted(net.params.names())[:2]
    ['h1.W', 'h1.b']
    """

    def __init__(
        self,
        config: NetworkConfig | ModelSpec | dict,
        seeds: Sequence[int] | None = None,
        *,
        spec: ModelSpec | None = None,
    ):
        if isinstance(config, dict):
            config = config_from_dict(config)
        config.validate()
        self.config = config
        self.spec = spec = spec or config.spec()
        self.trials: int | None = None if seeds is None else len(seeds)
        if self.trials == 0:
            raise ConfigError("A stack of networks needs at least one trial.")
        seed_list = [spec.seed] if seeds is None else [int(s) for s in seeds]
        init_rngs, noise_rngs = [], []
        for s in seed_list:
            init_seq, noise_seq = np.random.SeedSequence(s).spawn(2)
            init_rngs.append(np.random.default_rng(init_seq))
            noise_rngs.append(np.random.default_rng(noise_seq))
        #: The generator behind dropout masks and RReLU slopes (one per trial with a trials axis).
        self.noise_rng = noise_rngs[0] if seeds is None else noise_rngs
        self.loss = make_loss(TASK_LOSS[spec.task], spec.loss_params)
        self.loss.trials = self.trials
        self.training = False

        layers, shape = [], tuple(spec.input_shape)
        for layer_spec in spec.layers:
            layer, shape = build_layer(layer_spec, shape)
            layers.append(layer)
        if shape[-1:] != (spec.n_outputs,):  # per example, or per step of a sequence (…, n_outputs)
            raise ConfigError(
                "The last layer outputs shape {shape}, but a {spec_task} task needs "
                "({spec_n_outputs},) per example (or per step).",
                shape=shape,
                spec_task=spec.task,
                spec_n_outputs=spec.n_outputs,
            )
        self.root = Sequential(layers)
        self.input_shape = tuple(spec.input_shape)
        self._leaves = list(self.root.leaves())
        #: The first layer in forward order: training sets its ``skip_input_grad`` (see :meth:`backward`).
        self.first_layer = self._leaves[0]

        self.params = ParamSet(
            [(leaf.name + n, shape, kind) for leaf in self._leaves for n, shape, kind in leaf.param_specs()],
            self.trials,
        )
        lead = () if self.trials is None else (self.trials,)
        self._buffers = {
            leaf.name + n: np.full((*lead, *shape), float(fill))
            for leaf in self._leaves
            for n, shape, fill in leaf.buffer_specs()
        }
        if self.trials is None:
            self._bind()
            for leaf in self._leaves:
                leaf.init_params(init_rngs[0])
        else:
            for t, rng in enumerate(init_rngs):  # each trial drawn as its own network would be
                view = {
                    name: Parameter(name, p.value[t], p.grad[t], p.kind, p.shape)
                    for name, p in self.params.params.items()
                }
                bufs = {name: b[t] for name, b in self._buffers.items()}
                for leaf in self._leaves:
                    leaf.bind(view, bufs)
                    leaf.init_params(rng)
            self._bind()
        self.hidden_layers = self._hidden_layers()
        dense = [leaf for leaf in self._leaves if isinstance(leaf, Dense)]
        self.output = dense[-1] if dense else None
        self.has_batch_norm = any(isinstance(leaf, BatchNorm) for leaf in self._leaves)

    def _bind(self) -> None:
        for leaf in self._leaves:
            leaf.bind(self.params, self._buffers)
            leaf.set_noise(self.noise_rng)

    def _hidden_layers(self) -> list[HiddenLayer]:
        in_residual: set[int] = set()

        def walk(layer: Layer, inside: bool) -> None:
            if inside:
                in_residual.add(id(layer))
            for child in layer.children():
                walk(child, inside or isinstance(layer, Residual))

        walk(self.root, False)
        out = []
        for leaf in self._leaves:
            if isinstance(leaf, Activation):
                group = [x for x in self._leaves if x.name == leaf.name] if leaf.name else [leaf]
                dense = next((x for x in group if isinstance(x, Dense)), None)
                bn = next((x for x in group if isinstance(x, BatchNorm)), None)
                index = len(out) + 1
                out.append(
                    HiddenLayer(
                        index, leaf.name.rstrip(".") or f"h{index}", dense, leaf, bn, id(leaf) in in_residual
                    )
                )
        return out

    def named_layers(self) -> list[tuple[str, Layer]]:
        """Every non-container layer in forward order, with its name (``"h1"``, ``"out"`` …)."""
        return [(leaf.name.rstrip("."), leaf) for leaf in self._leaves]

    # -- trials ------------------------------------------------------------------------------------
    def keep_trials(self, rows: np.ndarray) -> None:
        """Keep only the trials ``rows`` (indices or mask) of a stacked network; the rest are dropped."""
        if self.trials is None:
            raise ConfigError("keep_trials() needs a network with a trials axis.")
        idx = np.arange(self.trials)[rows]
        self.params.take(idx)
        self._buffers = {k: np.ascontiguousarray(v[idx]) for k, v in self._buffers.items()}
        self.noise_rng = [self.noise_rng[i] for i in idx]
        self.trials = self.loss.trials = len(idx)
        for leaf in self._leaves:
            leaf.keep_trials(idx)
        self._bind()

    def reset_state(self) -> None:
        """Forget state carried from one batch to the next (a stateful recurrent layer's hidden
        state); the trainer calls it at the start of every epoch."""
        for leaf in self._leaves:
            leaf.reset_state()

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
        """Raw outputs (logits or values): (n, n_outputs), or (T, n, n_outputs) with trials."""
        if training is None:
            training = self.training
        return self.root.forward(X, training)

    def backward(self, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """Back-propagate d loss/d outputs; gradients accumulate into ``params`` (``+=``).

        Returns the gradient with respect to the network's input (None with ``input_grad=False``:
        the first layer then skips that product, as training does).
        """
        self.first_layer.skip_input_grad = not input_grad
        return self.root.backward(grad_out)

    def zero_grad(self) -> None:
        self.params.zero_grad()

    def check_input(self, X: np.ndarray) -> np.ndarray:
        """``X`` as float64, or ConfigError saying which shape was expected."""
        X = np.asarray(X, dtype=np.float64)
        if (
            X.ndim < 1 + len(self.input_shape)
            or X.shape[X.ndim - len(self.input_shape) :] != self.input_shape
        ):
            raise ConfigError(
                "The network expects inputs of shape (n, {expected}), got {shape}.",
                expected=", ".join(map(str, self.input_shape)),
                shape=X.shape,
            )
        return X

    def loss_and_grad(self, X: np.ndarray, targets: np.ndarray, training: bool = True) -> float:
        """Zero the gradients, run forward and backward, return the data loss (no regularization)."""
        self.params.grads.fill(0.0)
        loss = self.loss.forward(self.forward(X, training), targets)
        self.backward(self.loss.backward())
        return loss

    def predict(self, X: np.ndarray, batch: int = 8192) -> np.ndarray:
        """In eval mode, per input row: binary → class-1 probabilities, shape (n,); multi-class →
        class probabilities (n, K); regression → values (n,). With trials a leading (T,) axis.
        Large inputs go in chunks so a decision-boundary grid stays cheap in memory."""
        X = self.check_input(X)
        if len(X) <= batch:
            return self.loss.predict(self.forward(X, False))
        axis = 0 if self.trials is None else 1
        return np.concatenate(
            [self.loss.predict(self.forward(X[i : i + batch], False)) for i in range(0, len(X), batch)],
            axis=axis,
        )

    def evaluate(self, X: np.ndarray, targets: np.ndarray) -> tuple[Any, Any]:
        """(mean data loss, accuracy or None) in eval mode; ``targets`` from ``loss.targets(y)``.
        With trials, (T,) arrays."""
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

        Returns, per hidden layer (activation), ``pre`` and ``post`` (flattened samples of at most
        ``max_values`` values, None: all), their ``mean``/``std``, ``dead_fraction`` (share of
        units whose output is 0 for every input: ReLU-family only) and ``saturated_fraction``
        (share of outputs in the flat tails of sigmoid/tanh). With ``grad_out`` (d loss/d output),
        also backpropagates it and records ``grad``, the gradient at each layer's output; the
        parameters' gradients are left as they were. Not used by training: charts ask for it.
        """
        found: dict[int, dict[str, np.ndarray]] = {h.index: {} for h in self.hidden_layers}
        pick = rng if rng is not None else np.random.default_rng(0)
        acts = [(h.index, h.activation) for h in self.hidden_layers]

        def wrap(index: int, act: Activation) -> None:
            cls_forward, cls_backward = type(act).forward, type(act).backward

            def forward(x, training):
                y = cls_forward(act, x, training)
                found[index]["pre"], found[index]["post"] = x, y
                return y

            def backward(g):
                found[index]["grad"] = g
                return cls_backward(act, g)

            act.forward, act.backward = forward, backward

        for index, act in acts:
            wrap(index, act)
        try:
            out = self.forward(X, training)
            if grad_out is not None:
                saved = self.params.grads.copy()
                self.params.grads.fill(0.0)
                self.backward(np.asarray(grad_out, dtype=np.float64).reshape(out.shape))
                self.params.grads[...] = saved
        finally:
            for _, act in acts:
                del act.forward, act.backward

        def sample(a: np.ndarray) -> np.ndarray:
            flat = a.reshape(-1)
            if max_values is None or flat.size <= max_values:
                return flat.copy()
            return flat[pick.choice(flat.size, max_values, replace=False)]

        records = []
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
            records.append(entry)
        return records

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
        """Non-trained state by name (batch norm's running statistics), live arrays."""
        return dict(self._buffers)

    def state(self) -> dict[str, np.ndarray]:
        """Copies of every parameter and buffer, by name: enough to restore the weights exactly."""
        out = self.get_params()
        out.update({k: v.copy() for k, v in self._buffers.items()})
        return out

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        params = {k: v for k, v in state.items() if k not in self._buffers}
        missing = sorted(set(self.params.names()) - set(params))
        if missing:
            raise ConfigError("Saved weights do not fit this network: missing {missing}.", missing=missing)
        self.params.set(params)
        for k, arr in self._buffers.items():
            if k in state:
                value = np.asarray(state[k], dtype=np.float64)
                if value.shape != arr.shape:
                    raise ConfigError(
                        "Saved buffer {k!r} has shape {value_shape}, expected {arr_shape}.",
                        k=k,
                        value_shape=value.shape,
                        arr_shape=arr.shape,
                    )
                arr[...] = value

    def state_dict(self) -> dict[str, Any]:
        """Everything that makes this network's run: parameters, buffers and the noise generator."""
        rng = self.noise_rng
        return {
            "params": self.get_params(),
            "buffers": {k: v.copy() for k, v in self._buffers.items()},
            "noise_rng": rng.bit_generator.state
            if self.trials is None
            else [r.bit_generator.state for r in rng],
        }

    def load_state_dict(self, d: dict[str, Any]) -> None:
        try:
            params, buffers = dict(d["params"]), dict(d.get("buffers", {}))
        except (KeyError, TypeError):
            raise ConfigError("A network state_dict needs 'params' (and 'buffers').") from None
        missing = sorted(set(self._buffers) - set(buffers))
        if missing:
            raise ConfigError(
                "Saved state does not fit this network: missing buffers {missing}.", missing=missing
            )
        self.load_state({**params, **buffers})
        rng_state = d.get("noise_rng")
        if rng_state is not None:
            try:
                if self.trials is None:
                    self.noise_rng.bit_generator.state = rng_state
                else:
                    for r, s in zip(self.noise_rng, rng_state, strict=True):
                        r.bit_generator.state = s
            except (TypeError, ValueError, KeyError) as e:
                raise ConfigError("Saved noise-generator state is malformed: {e}.", e=e) from None

    @property
    def n_params(self) -> int:
        return len(self.params)

    def layer_sizes(self) -> list[int]:
        """Units per layer, inputs and outputs included (e.g. [2, 4, 2, 1])."""
        return [self.spec.n_inputs, *(h.activation.width for h in self.hidden_layers), self.spec.n_outputs]

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
