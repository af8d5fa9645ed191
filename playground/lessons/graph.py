"""A small reverse-mode autodiff over a list of scalar nodes, for stepping through backpropagation.

A :class:`Graph` is data: leaf nodes (inputs, parameters, constants) and operation nodes, each
naming its inputs. :meth:`Graph.trace` computes the values forward node by node and the gradients
backward edge by edge, recording for every step the local derivative and the chain-rule product, so a
page can reveal them one at a time. Each op defines its forward and its local derivatives side by
side (as in micrograd), so the chain rule is visible:

    ∂out/∂input  +=  ∂out/∂node · ∂node/∂input        (for each edge input → node, in reverse order)

The built-in examples (:data:`EXAMPLES`) are Ng's J = 3(a + bc), the x = 3k + 8m, y = 5m + 2, z = xy
exercise, a logistic-regression neuron, and a 2-2-1 network whose gradients match the engine's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from playground.errors import ConfigError
from playground.i18n import N_


def _sigmoid(z: float) -> float:
    return 0.5 * (1.0 + math.tanh(0.5 * z))


def _fmt(v: float) -> str:
    """A number as a learner would write it: 6, 0.5, −0.2689, 1.2e-05."""
    if v != v:
        return "nan"
    if abs(v) < 1e-12:  # rounding residue such as 0.5 − 0.6 + 0.1
        return "0"
    if v == int(v) and abs(v) < 1e9:
        return str(int(v)).replace("-", "−")
    s = f"{v:.4g}"
    return s.replace("-", "−") if "e" not in s else s


def _num(v: float, paren: bool = True) -> str:
    """A number to substitute into a formula: negative ones in parentheses."""
    s = _fmt(v)
    return f"({s})" if paren and s.startswith("−") else s


@dataclass(frozen=True)
class Op:
    """An operation: its value from its inputs' values, and ∂value/∂input for each input.

    ``expr(names, params)`` writes the formula (``b·c``); ``dexpr(names, i, params)`` writes the local
    derivative with respect to input ``i`` symbolically (``c``).
    """

    name: str
    forward: Callable[[Sequence[float], dict], float]
    local: Callable[[Sequence[float], float, dict], list[float]]
    expr: Callable[[Sequence[str], dict], str]
    dexpr: Callable[[Sequence[str], int, dict], str]
    arity: int | None = None  # None: any number of inputs (≥ 1)
    paren: bool = True  # wrap negative numbers in parentheses when substituted (not inside f(…))


def _prod(vals):
    out = 1.0
    for v in vals:
        out *= v
    return out


def _affine_forward(v, p):
    # inputs: w1, x1, w2, x2, ..., b  (pairs, then a bias)
    return sum(v[i] * v[i + 1] for i in range(0, len(v) - 1, 2)) + v[-1]


def _affine_local(v, out, p):
    d = []
    for i in range(0, len(v) - 1, 2):
        d += [v[i + 1], v[i]]
    return [*d, 1.0]


def _affine_expr(n, p):
    terms = [f"{n[i]}·{n[i + 1]}" for i in range(0, len(n) - 1, 2)]
    return " + ".join([*terms, n[-1]])


def _affine_dexpr(n, i, p):
    if i == len(n) - 1:
        return "1"
    return n[i + 1] if i % 2 == 0 else n[i - 1]


def _lin_forward(v, p):
    return sum(c * x for c, x in zip(p["coeffs"], v, strict=True)) + p.get("bias", 0.0)


def _times(k: float, x: str) -> str:
    """``3m`` for a name, ``3·2`` for a number."""
    return f"{_fmt(k)}{'·' if x[:1] in '0123456789(−-.' else ''}{x}"


def _lin_expr(n, p):
    terms = [_times(c, x) for c, x in zip(p["coeffs"], n, strict=True)]
    if p.get("bias", 0.0):
        terms.append(_fmt(p["bias"]))
    return " + ".join(terms)


def _bce_forward(v, p):
    a, y = v
    a = min(max(a, 1e-300), 1.0 - 1e-16)
    return -(y * math.log(a) + (1.0 - y) * math.log(1.0 - a))


def _bce_local(v, out, p):
    a, y = v
    a = min(max(a, 1e-300), 1.0 - 1e-16)
    return [-y / a + (1.0 - y) / (1.0 - a), -math.log(a) + math.log(1.0 - a)]


OPS: dict[str, Op] = {
    op.name: op
    for op in (
        Op(
            "add",
            lambda v, p: float(sum(v)),
            lambda v, out, p: [1.0] * len(v),
            lambda n, p: " + ".join(n),
            lambda n, i, p: "1",
        ),
        Op(
            "mul",
            lambda v, p: _prod(v),
            lambda v, out, p: [_prod(v[:i] + v[i + 1 :]) for i in range(len(v))],
            lambda n, p: "·".join(n),
            lambda n, i, p: "·".join(n[:i] + n[i + 1 :]),
        ),
        Op(
            "scale",
            lambda v, p: p["k"] * v[0],
            lambda v, out, p: [float(p["k"])],
            lambda n, p: _times(p["k"], n[0]),
            lambda n, i, p: _fmt(p["k"]),
            1,
        ),
        Op(
            "lin",
            _lin_forward,
            lambda v, out, p: [float(c) for c in p["coeffs"]],
            _lin_expr,
            lambda n, i, p: _fmt(p["coeffs"][i]),
        ),
        Op("affine", _affine_forward, _affine_local, _affine_expr, _affine_dexpr),
        Op(
            "sigmoid",
            lambda v, p: _sigmoid(v[0]),
            lambda v, out, p: [out * (1.0 - out)],
            lambda n, p: f"σ({n[0]})",
            lambda n, i, p: "σ(1 − σ)",
            1,
            False,
        ),
        Op(
            "tanh",
            lambda v, p: math.tanh(v[0]),
            lambda v, out, p: [1.0 - out * out],
            lambda n, p: f"tanh({n[0]})",
            lambda n, i, p: "1 − tanh²",
            1,
            False,
        ),
        Op(
            "relu",
            lambda v, p: max(v[0], 0.0),
            lambda v, out, p: [1.0 if v[0] > 0 else 0.0],
            lambda n, p: f"max(0, {n[0]})",
            lambda n, i, p: f"[{n[0]} > 0]",
            1,
            False,
        ),
        Op(
            "square",
            lambda v, p: v[0] * v[0],
            lambda v, out, p: [2.0 * v[0]],
            lambda n, p: f"{n[0]}²",
            lambda n, i, p: f"2{n[0]}",
            1,
        ),
        Op(
            "sub",
            lambda v, p: v[0] - v[1],
            lambda v, out, p: [1.0, -1.0],
            lambda n, p: f"{n[0]} − {n[1]}",
            lambda n, i, p: "1" if i == 0 else "−1",
            2,
        ),
        Op(
            "bce",
            _bce_forward,
            _bce_local,
            lambda n, p: f"−[{n[1]}·log {n[0]} + (1 − {n[1]})·log(1 − {n[0]})]",
            lambda n, i, p: (
                f"−{n[1]}/{n[0]} + (1 − {n[1]})/(1 − {n[0]})" if i == 0 else f"log(1 − {n[0]}) − log {n[0]}"
            ),
            2,
        ),
    )
}

#: Roles of leaf nodes: inputs (data), parameters (learned), constants (fixed, not editable).
LEAF_ROLES = ("input", "param", "const")


@dataclass(frozen=True)
class Node:
    """A leaf (``op`` is one of :data:`LEAF_ROLES`, with a default ``value``) or an operation."""

    name: str
    op: str
    inputs: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    value: float | None = None
    label: str | None = None  # how the node is written in the graph (default: its name)

    @property
    def is_leaf(self) -> bool:
        return self.op in LEAF_ROLES

    @property
    def title(self) -> str:
        return self.label or self.name


@dataclass(frozen=True)
class ForwardStep:
    node: str
    value: float
    text: str  # "u = b·c = 3·2 = 6"


@dataclass(frozen=True)
class BackwardStep:
    """The chain rule along one edge ``source → target``."""

    source: str
    target: str
    upstream: float  # ∂out/∂target
    local: float  # ∂target/∂source
    product: float  # upstream · local
    total: float  # ∂out/∂source after adding this edge's product
    text: str


@dataclass
class Trace:
    values: dict[str, float]
    grads: dict[str, float]
    forward_steps: list[ForwardStep]
    backward_steps: list[BackwardStep]


@dataclass(frozen=True)
class Graph:
    key: str
    title: str
    description: str
    nodes: tuple[Node, ...]
    output: str

    def __post_init__(self):
        seen: set[str] = set()
        for node in self.nodes:
            if node.name in seen:
                raise ConfigError("Node {name} is defined twice.", name=repr(node.name))
            if not node.is_leaf:
                if node.op not in OPS:
                    raise ConfigError(
                        "Node {name}: unknown operation {op}.", name=repr(node.name), op=repr(node.op)
                    )
                arity = OPS[node.op].arity
                if not node.inputs or (arity is not None and len(node.inputs) != arity):
                    raise ConfigError(
                        "Node {name}: wrong number of inputs for {op}.",
                        name=repr(node.name),
                        op=repr(node.op),
                    )
                missing = [i for i in node.inputs if i not in seen]
                if missing:
                    raise ConfigError(
                        "Node {name} uses {missing} before they are defined.",
                        name=repr(node.name),
                        missing=missing,
                    )
            elif node.value is None:
                raise ConfigError("Leaf {name} needs a value.", name=repr(node.name))
            seen.add(node.name)
        if self.output not in seen:
            raise ConfigError("The output {name} is not a node.", name=repr(self.output))

    @property
    def node_map(self) -> dict[str, Node]:
        return {n.name: n for n in self.nodes}

    def leaves(self, *roles: str) -> list[Node]:
        roles = roles or LEAF_ROLES
        return [n for n in self.nodes if n.op in roles]

    def edges(self) -> list[tuple[str, str]]:
        return [(i, n.name) for n in self.nodes if not n.is_leaf for i in n.inputs]

    def defaults(self) -> dict[str, float]:
        return {n.name: float(n.value) for n in self.nodes if n.is_leaf}

    def trace(self, values: dict[str, float] | None = None) -> Trace:
        """Values forward (node by node), then gradients of the output backward (edge by edge).

        ``values`` overrides leaf values (constants cannot be overridden).
        """
        nodes = self.node_map
        given = dict(values or {})
        for name in given:
            if name not in nodes or not nodes[name].is_leaf:
                raise ConfigError("{name} is not an input of this graph.", name=repr(name))
            if nodes[name].op == "const" and float(given[name]) != float(nodes[name].value):
                raise ConfigError("{name} is a constant.", name=repr(name))
        val: dict[str, float] = {}
        fsteps = []
        for node in self.nodes:
            if node.is_leaf:
                val[node.name] = float(given.get(node.name, node.value))
                if not math.isfinite(val[node.name]):
                    raise ConfigError("{name} must be a finite number.", name=node.title)
                continue
            op = OPS[node.op]
            ins = [val[i] for i in node.inputs]
            out = float(op.forward(ins, node.params))
            val[node.name] = out
            names = [nodes[i].title for i in node.inputs]
            with_numbers = op.expr([_num(v, op.paren) for v in ins], node.params)
            text = f"{node.title} = {op.expr(names, node.params)} = {with_numbers} = {_fmt(out)}"
            fsteps.append(ForwardStep(node.name, out, text))

        out_title = nodes[self.output].title
        grad = {name: 0.0 for name in nodes}
        grad[self.output] = 1.0
        bsteps = []
        for node in reversed(self.nodes):
            if node.is_leaf:
                continue
            op = OPS[node.op]
            ins = [val[i] for i in node.inputs]
            local = op.local(ins, val[node.name], node.params)
            names = [nodes[i].title for i in node.inputs]
            for i, src in enumerate(node.inputs):
                product = grad[node.name] * local[i]
                grad[src] += product
                s, t = nodes[src].title, node.title
                text = (
                    f"∂{out_title}/∂{s} += ∂{out_title}/∂{t} · ∂{t}/∂{s} = {_fmt(grad[node.name])} · "
                    f"{_num(local[i])} = {_fmt(product)}   (∂{t}/∂{s} = {op.dexpr(names, i, node.params)})"
                )
                bsteps.append(
                    BackwardStep(src, node.name, grad[node.name], local[i], product, grad[src], text)
                )
        return Trace(val, grad, fsteps, bsteps)


# -- what the page shows after some steps ------------------------------------------------------------
@dataclass(frozen=True)
class NodeView:
    """One node as the page shows it after some steps: ``label`` is its formula, its value once the
    forward pass reached it (``?`` before) and ∂out/∂node once the backward pass did."""

    name: str
    role: str  # "input", "param" or "const" for leaves, "op" for operations
    label: str
    known: bool  # its value has been computed (leaves always)
    current: bool  # the step just taken is at this node


@dataclass(frozen=True)
class EdgeView:
    """One edge ``source → target``; ``label`` (``×local → product``) once the backward pass crossed it."""

    source: str
    target: str
    label: str | None
    current: bool


@dataclass(frozen=True)
class GraphView:
    """Plain data for the chart builder (``playground.viz.lessons.graph_dot``): nodes and edges."""

    nodes: tuple[NodeView, ...]
    edges: tuple[EdgeView, ...]


def graph_view(graph: Graph, trace: Trace, n_forward: int = 0, n_backward: int = 0) -> GraphView:
    """The graph after ``n_forward`` forward steps (values filled in node by node) and ``n_backward``
    backward steps (gradients filled in edge by edge); the step just taken is marked ``current``."""
    nodes = graph.node_map
    known = {n.name for n in graph.nodes if n.is_leaf}
    known |= {s.node for s in trace.forward_steps[:n_forward]}
    grads: dict[str, float] = {graph.output: 1.0} if n_backward > 0 else {}
    done_edges: dict[tuple[str, str], BackwardStep] = {}
    for step in trace.backward_steps[:n_backward]:
        grads[step.source] = step.total
        done_edges[(step.source, step.target)] = step
    current_node = trace.forward_steps[n_forward - 1].node if n_forward > 0 and n_backward == 0 else None
    current_edge = None
    if n_backward > 0:
        s = trace.backward_steps[n_backward - 1]
        current_edge = (s.source, s.target)
        current_node = s.source
    out_title = nodes[graph.output].title

    node_views = []
    for node in graph.nodes:
        value = _fmt(trace.values[node.name]) if node.name in known else "?"
        if node.is_leaf:
            label = f"{node.title} = {value}"
        else:
            expr = OPS[node.op].expr([nodes[i].title for i in node.inputs], node.params)
            label = f"{node.title} = {expr}\n= {value}"
        if node.name in grads:
            label += f"\n∂{out_title}/∂{node.title} = {_fmt(grads[node.name])}"
        role = node.op if node.is_leaf else "op"
        node_views.append(NodeView(node.name, role, label, node.name in known, node.name == current_node))
    edge_views = []
    for src, dst in graph.edges():
        step = done_edges.get((src, dst))
        label = f"×{_fmt(step.local)} → {_fmt(step.product)}" if step is not None else None
        edge_views.append(EdgeView(src, dst, label, (src, dst) == current_edge))
    return GraphView(tuple(node_views), tuple(edge_views))


# -- the built-in examples --------------------------------------------------------------------------
def _leaf(name, value, role="input", label=None):
    return Node(name, role, value=float(value), label=label)


NG = Graph(
    "ng",
    "J = 3(a + b·c)  (Ng)",
    N_(
        "Andrew Ng's first computational graph: u = bc, v = a + u, J = 3v. Backward, each edge multiplies "
        "the gradient arriving from above by its local derivative."
    ),
    (
        _leaf("a", 5),
        _leaf("b", 3),
        _leaf("c", 2),
        Node("u", "mul", ("b", "c")),
        Node("v", "add", ("a", "u")),
        Node("J", "scale", ("v",), {"k": 3.0}),
    ),
    "J",
)

KM = Graph(
    "km",
    "z = x·y, x = 3k + 8m, y = 5m + 2",
    N_(
        "m reaches z along two paths (through x and through y): backprop adds the two products, ∂z/∂m = "
        "y·8 + x·5."
    ),
    (
        _leaf("k", 1),
        _leaf("m", 3),
        Node("x", "lin", ("k", "m"), {"coeffs": (3.0, 8.0)}),
        Node("y", "lin", ("m",), {"coeffs": (5.0,), "bias": 2.0}),
        Node("z", "mul", ("x", "y")),
    ),
    "z",
)

LOGREG = Graph(
    "logreg",
    N_("Logistic regression: one sigmoid neuron, cross-entropy loss"),
    N_(
        "z = w₁x₁ + w₂x₂ + b, a = σ(z), L = −[y·log a + (1 − y)·log(1 − a)]. The two local derivatives "
        "σ(1 − σ) and −y/a + (1 − y)/(1 − a) multiply to the famous ∂L/∂z = a − y."
    ),
    (
        _leaf("x1", 1.0, label="x₁"),
        _leaf("x2", 2.0, label="x₂"),
        _leaf("w1", 0.5, "param", "w₁"),
        _leaf("w2", -0.25, "param", "w₂"),
        _leaf("b", 0.1, "param"),
        _leaf("y", 1.0, label="y"),
        Node("p1", "mul", ("w1", "x1"), label="w₁x₁"),
        Node("p2", "mul", ("w2", "x2"), label="w₂x₂"),
        Node("z", "add", ("p1", "p2", "b")),
        Node("a", "sigmoid", ("z",)),
        Node("L", "bce", ("a", "y")),
    ),
    "L",
)

#: The 2-2-1 net's leaves and the engine parameter entries they are (``h1.W[i, j]``: input i → unit j).
NET221_PARAMS: dict[str, tuple[str, tuple[int, ...]]] = {
    "w11": ("h1.W", (0, 0)),
    "w21": ("h1.W", (1, 0)),
    "b1": ("h1.b", (0,)),
    "w12": ("h1.W", (0, 1)),
    "w22": ("h1.W", (1, 1)),
    "b2": ("h1.b", (1,)),
    "v1": ("out.W", (0, 0)),
    "v2": ("out.W", (1, 0)),
    "c": ("out.b", (0,)),
}

NET221 = Graph(
    "net221",
    N_("A 2-2-1 network (sigmoid hidden units, cross-entropy)"),
    N_(
        "Two inputs, two sigmoid hidden units, one sigmoid output and the cross-entropy loss: the engine's "
        "binary network with hidden=[2]. Every gradient here equals the engine's backprop (checked below)."
    ),
    (
        _leaf("x1", 1.0, label="x₁"),
        _leaf("x2", -1.0, label="x₂"),
        _leaf("y", 1.0),
        _leaf("w11", 0.5, "param", "w₁₁"),
        _leaf("w21", -0.4, "param", "w₂₁"),
        _leaf("b1", 0.1, "param", "b₁"),
        _leaf("w12", 0.3, "param", "w₁₂"),
        _leaf("w22", 0.8, "param", "w₂₂"),
        _leaf("b2", -0.2, "param", "b₂"),
        _leaf("v1", 1.2, "param", "v₁"),
        _leaf("v2", -0.7, "param", "v₂"),
        _leaf("c", 0.05, "param"),
        Node("z1", "affine", ("w11", "x1", "w21", "x2", "b1"), label="z₁"),
        Node("h1", "sigmoid", ("z1",), label="h₁"),
        Node("z2", "affine", ("w12", "x1", "w22", "x2", "b2"), label="z₂"),
        Node("h2", "sigmoid", ("z2",), label="h₂"),
        Node("o", "affine", ("v1", "h1", "v2", "h2", "c")),
        Node("a", "sigmoid", ("o",), label="ŷ"),
        Node("L", "bce", ("a", "y")),
    ),
    "L",
)

EXAMPLES: dict[str, Graph] = {g.key: g for g in (NG, KM, LOGREG, NET221)}


def net221_engine_gradients(values: dict[str, float] | None = None) -> dict[str, float]:
    """The engine's backprop gradients for the 2-2-1 example's parameters (same names as the graph).

    Builds ``Network(hidden=[2], activation="sigmoid", task="binary")``, sets its weights from the
    graph's values and runs ``loss_and_grad`` on the single example (x₁, x₂) with label y.
    """
    from playground.engine import Network, NetworkConfig

    vals = {**NET221.defaults(), **(values or {})}
    net = Network(NetworkConfig(n_inputs=2, hidden=[2], activation="sigmoid", task="binary"))
    arrays = {name: np.zeros(p.value.shape) for name, p in net.params.params.items()}
    for leaf, (pname, idx) in NET221_PARAMS.items():
        arrays[pname][idx] = vals[leaf]
    net.set_params(arrays)
    X = np.array([[vals["x1"], vals["x2"]]])
    net.loss_and_grad(X, net.loss.targets(np.array([vals["y"]])))
    grads = net.params.grads_by_name()
    return {leaf: float(grads[pname][idx]) for leaf, (pname, idx) in NET221_PARAMS.items()}
