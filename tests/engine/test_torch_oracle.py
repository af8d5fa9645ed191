"""Oracle tests: the engine against PyTorch (float64, CPU) on the same numbers.

Optimizers over 50 steps of random gradients, schedules against ``torch.optim.lr_scheduler``,
losses, batch norm against ``torch.nn.BatchNorm1d`` in train and eval mode, and whole networks
(loss, every gradient, then 20 Adam steps). Failures say ours vs. theirs and where.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from playground.engine.layers import BatchNorm
from playground.engine.losses import make_loss
from playground.engine.network import Network, NetworkConfig
from playground.engine.optimizers import OPTIMIZERS, make_optimizer
from playground.engine.params import ParamSet
from playground.engine.schedules import make_schedule

torch = pytest.importorskip(
    "torch", reason="PyTorch not installed: the oracle tests need `pip install torch==2.13.0`"
)

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)

pytestmark = pytest.mark.torch

ATOL = 1e-10


def t64(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


def assert_close(ours, theirs, where, atol=ATOL):
    """Compare ``ours`` (NumPy) with ``theirs`` (a tensor or array); say both and where."""
    if isinstance(theirs, torch.Tensor):
        theirs = theirs.detach().numpy()
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    assert ours.shape == theirs.shape, f"{where}: shape ours {ours.shape} vs theirs {theirs.shape}"
    err = np.abs(ours - theirs)
    if not np.all(err <= atol):
        i = np.unravel_index(np.argmax(err), err.shape)
        raise AssertionError(
            f"{where}: ours {ours[i]!r} vs theirs {theirs[i]!r} at index {tuple(int(k) for k in i)} "
            f"(max |diff| {err[i]:.3g} > {atol:g})\nours:\n{ours}\ntheirs:\n{theirs}"
        )


# -- optimizers --------------------------------------------------------------------------------
# (name, shape, kind): a 3×4 weight and its bias, a 4×2 weight and its bias.
SPECS = [("W1", (3, 4), "weight"), ("b1", (4,), "bias"), ("W2", (4, 2), "weight"), ("b2", (2,), "bias")]
WEIGHTS = [n for n, _, k in SPECS if k == "weight"]


def sgd_family(momentum=0.0, nesterov=False):
    def make(params, lr):
        return torch.optim.SGD(params, lr=lr, momentum=momentum, nesterov=nesterov)

    return make


def one_group(cls, **kw):
    return lambda params, lr: cls(params, lr=lr, **kw)


def adamw_two_groups(weight_decay, **kw):
    def make(named, lr):
        decay = [p for n, p in named if n in WEIGHTS]
        rest = [p for n, p in named if n not in WEIGHTS]
        groups = [{"params": decay, "weight_decay": weight_decay}, {"params": rest, "weight_decay": 0.0}]
        return torch.optim.AdamW(groups, lr=lr, **kw)

    make.named = True
    return make


# (id, ours, lr, ours' hyper, torch factory)
OPTIMIZER_CASES = [
    ("sgd", "sgd", 0.05, {}, sgd_family()),
    ("momentum", "momentum", 0.01, {}, sgd_family(0.9)),
    ("momentum-0.5", "momentum", 0.1, {"momentum": 0.5}, sgd_family(0.5)),
    ("nesterov", "nesterov", 0.01, {}, sgd_family(0.9, nesterov=True)),
    ("nesterov-0.7", "nesterov", 0.05, {"momentum": 0.7}, sgd_family(0.7, nesterov=True)),
    ("adagrad", "adagrad", 0.1, {}, one_group(torch.optim.Adagrad)),
    (
        "adagrad-eps-init",
        "adagrad",
        0.3,
        {"eps": 1e-3, "initial_accumulator_value": 0.5},
        one_group(torch.optim.Adagrad, eps=1e-3, initial_accumulator_value=0.5),
    ),
    ("rmsprop", "rmsprop", 0.01, {}, one_group(torch.optim.RMSprop)),
    (
        "rmsprop-alpha-eps",
        "rmsprop",
        0.003,
        {"alpha": 0.9, "eps": 1e-6},
        one_group(torch.optim.RMSprop, alpha=0.9, eps=1e-6),
    ),
    (
        "rmsprop-momentum",
        "rmsprop",
        0.01,
        {"momentum": 0.8},
        one_group(torch.optim.RMSprop, momentum=0.8),
    ),
    (
        "rmsprop-centered",
        "rmsprop",
        0.01,
        {"centered": True, "alpha": 0.95},
        one_group(torch.optim.RMSprop, centered=True, alpha=0.95),
    ),
    (
        "rmsprop-centered-momentum",
        "rmsprop",
        0.005,
        {"centered": True, "momentum": 0.6},
        one_group(torch.optim.RMSprop, centered=True, momentum=0.6),
    ),
    ("adam", "adam", 0.01, {}, one_group(torch.optim.Adam)),
    (
        "adam-betas-eps",
        "adam",
        0.05,
        {"beta1": 0.8, "beta2": 0.99, "eps": 1e-4},
        one_group(torch.optim.Adam, betas=(0.8, 0.99), eps=1e-4),
    ),
    ("adamw", "adamw", 0.01, {}, adamw_two_groups(0.01)),
    (
        "adamw-strong-decay",
        "adamw",
        0.05,
        {"weight_decay": 0.5, "beta1": 0.85, "beta2": 0.995, "eps": 1e-6},
        adamw_two_groups(0.5, betas=(0.85, 0.995), eps=1e-6),
    ),
]


def test_every_optimizer_has_an_oracle_case():
    assert {case[1] for case in OPTIMIZER_CASES} == set(OPTIMIZERS)


@pytest.mark.parametrize(
    ("ours_name", "lr", "hyper", "factory"),
    [case[1:] for case in OPTIMIZER_CASES],
    ids=[case[0] for case in OPTIMIZER_CASES],
)
def test_optimizer_matches_torch_over_50_steps(ours_name, lr, hyper, factory):
    rng = np.random.default_rng(123)
    ps = ParamSet(SPECS)
    ps.values[...] = rng.normal(size=len(ps))
    theirs = {name: torch.nn.Parameter(t64(ps[name].value)) for name, _, _ in SPECS}
    opt = make_optimizer(ours_name, ps, lr, hyper)
    if getattr(factory, "named", False):
        topt = factory(list(theirs.items()), lr)
    else:
        topt = factory(list(theirs.values()), lr)
    # Before any step the two start equal.
    for name in theirs:
        assert_close(ps[name].value, theirs[name], f"{ours_name} before step 1, parameter {name}")
    for step in range(1, 51):
        for name, p in theirs.items():
            g = rng.normal(scale=2.0, size=p.shape)
            ps[name].grad[...] = g
            p.grad = t64(g)
        opt.step()
        topt.step()
        for name, p in theirs.items():
            assert_close(ps[name].value, p, f"{ours_name} {hyper} after step {step}, parameter {name}")


def test_lr_change_mid_run_matches_torch_param_group_lr():
    # The trainer sets ``opt.lr`` from the schedule each epoch; PyTorch changes param_group["lr"].
    rng = np.random.default_rng(5)
    ps = ParamSet(SPECS)
    ps.values[...] = rng.normal(size=len(ps))
    theirs = [torch.nn.Parameter(t64(ps[name].value)) for name, _, _ in SPECS]
    opt = make_optimizer("adam", ps, 0.02, {"beta1": 0.8})
    topt = torch.optim.Adam(theirs, lr=0.02, betas=(0.8, 0.999))
    for step in range(1, 31):
        lr = 0.02 * 0.5 ** (step // 10)
        opt.lr = lr
        topt.param_groups[0]["lr"] = lr
        for (name, _, _), p in zip(SPECS, theirs, strict=True):
            g = rng.normal(size=p.shape)
            ps[name].grad[...] = g
            p.grad = t64(g)
        opt.step()
        topt.step()
        for (name, _, _), p in zip(SPECS, theirs, strict=True):
            assert_close(ps[name].value, p, f"adam with changing lr, step {step}, parameter {name}")


# -- schedules ------------------------------------------------------------------------------------
SCHEDULE_CASES = [
    ("step", {"step_size": 3, "gamma": 0.5}, lambda o: torch.optim.lr_scheduler.StepLR(o, 3, gamma=0.5), 20),
    ("step", {"step_size": 7, "gamma": 0.1}, lambda o: torch.optim.lr_scheduler.StepLR(o, 7, gamma=0.1), 30),
    ("exponential", {"gamma": 0.9}, lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9), 30),
    (
        "cosine",
        {"t_max": 20, "lr_min": 0.0},
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=20),
        20,
    ),
    (
        "cosine",
        {"t_max": 15, "lr_min": 0.01},
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=15, eta_min=0.01),
        15,
    ),
    ("constant", {}, lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda e: 1.0), 10),
    (
        "inverse_time",
        {"k": 0.3},
        lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda e: 1.0 / (1.0 + 0.3 * e)),
        20,
    ),
]


@pytest.mark.parametrize(
    ("name", "params", "make_sched", "epochs"),
    SCHEDULE_CASES,
    ids=[f"{c[0]}-{c[1]}" for c in SCHEDULE_CASES],
)
def test_schedule_matches_torch_lr_scheduler(name, params, make_sched, epochs):
    lr0 = 0.2
    ours = make_schedule(name, params)
    p = torch.nn.Parameter(torch.zeros(1))
    topt = torch.optim.SGD([p], lr=lr0)
    sched = make_sched(topt)
    for epoch in range(epochs + 1):
        theirs = topt.param_groups[0]["lr"]
        mine = ours(epoch, lr0)
        assert math.isclose(mine, theirs, rel_tol=1e-10, abs_tol=1e-14), (
            f"{name} {params} at epoch {epoch}: ours {mine!r} vs theirs {theirs!r}"
        )
        p.grad = torch.zeros(1)
        topt.step()
        sched.step()


# -- losses -----------------------------------------------------------------------------------------
def test_losses_match_torch():
    rng = np.random.default_rng(9)
    cases = [
        ("bce", rng.normal(scale=3, size=(7, 1)), rng.integers(0, 2, 7), torch.nn.BCEWithLogitsLoss()),
        ("softmax_ce", rng.normal(scale=3, size=(7, 4)), rng.integers(0, 4, 7), torch.nn.CrossEntropyLoss()),
        ("mse", rng.normal(size=(7, 1)), rng.normal(size=7), torch.nn.MSELoss()),
        ("bce", np.array([[1000.0], [-1000.0], [30.0]]), np.array([0, 0, 1]), torch.nn.BCEWithLogitsLoss()),
        (
            "softmax_ce",
            np.array([[1000.0, -1000.0], [-800.0, 900.0]]),
            np.array([1, 1]),
            torch.nn.CrossEntropyLoss(),
        ),
    ]
    for name, out, y, tloss in cases:
        loss = make_loss(name)
        t = loss.targets(y)
        value = loss.forward(out, t)
        grad = loss.backward()
        z = t64(out).requires_grad_(True)
        target = torch.tensor(t) if name == "softmax_ce" else t64(t)
        tv = tloss(z, target)
        tv.backward()
        assert_close(value, tv, f"{name} loss on logits {out.ravel()[:3]}...")
        assert_close(grad, z.grad, f"{name} d loss/d out on logits {out.ravel()[:3]}...")


# -- batch norm --------------------------------------------------------------------------------------
def make_bn(width, rng):
    bn = BatchNorm(width, momentum=0.1, eps=1e-5)
    ps = ParamSet(bn.param_specs())
    bn.bind(ps, "")
    bn.init_params(rng)
    ps["gamma"].value[...] = rng.uniform(0.5, 2.0, width)
    ps["beta"].value[...] = rng.normal(size=width)
    tbn = torch.nn.BatchNorm1d(width, eps=1e-5, momentum=0.1)
    with torch.no_grad():
        tbn.weight.copy_(t64(ps["gamma"].value))
        tbn.bias.copy_(t64(ps["beta"].value))
    return bn, ps, tbn


def bn_pass(bn, ps, tbn, x, upstream, training):
    """One forward/backward through both; returns (ours, theirs) dicts."""
    ps.zero_grad()
    x_copy = x.copy()
    y = bn.forward(x, training)
    dx = bn.backward(upstream)
    np.testing.assert_array_equal(x, x_copy, err_msg="batch norm mutated its input")
    tbn.train(training)
    tbn.zero_grad()
    xt = t64(x).requires_grad_(True)
    yt = tbn(xt)
    yt.backward(t64(upstream))
    ours = {"output": y, "dx": dx, "dgamma": ps["gamma"].grad, "dbeta": ps["beta"].grad}
    theirs = {"output": yt, "dx": xt.grad, "dgamma": tbn.weight.grad, "dbeta": tbn.bias.grad}
    return ours, theirs


def test_batchnorm_matches_torch_train_then_eval():
    rng = np.random.default_rng(42)
    width = 5
    bn, ps, tbn = make_bn(width, rng)
    scale, shift = rng.uniform(0.5, 3.0, width), rng.normal(scale=4.0, size=width)
    for i, n in enumerate([8, 3, 16, 2, 11], start=1):
        x = rng.normal(size=(n, width)) * scale + shift
        upstream = rng.normal(size=(n, width))  # random: an all-ones gradient hides dx bugs
        ours, theirs = bn_pass(bn, ps, tbn, x, upstream, training=True)
        for key in ours:
            assert_close(ours[key], theirs[key], f"BatchNorm train batch {i} (n={n}): {key}")
        assert_close(bn.running_mean, tbn.running_mean, f"BatchNorm after train batch {i}: running_mean")
        assert_close(bn.running_var, tbn.running_var, f"BatchNorm after train batch {i}: running_var")
    for i in range(1, 3):
        x = rng.normal(size=(6, width)) * scale + shift
        upstream = rng.normal(size=(6, width))
        ours, theirs = bn_pass(bn, ps, tbn, x, upstream, training=False)
        for key in ours:
            assert_close(ours[key], theirs[key], f"BatchNorm eval batch {i}: {key}")
        # eval mode leaves the running statistics alone
        assert_close(bn.running_mean, tbn.running_mean, f"BatchNorm after eval batch {i}: running_mean")
        assert_close(bn.running_var, tbn.running_var, f"BatchNorm after eval batch {i}: running_var")


def test_batchnorm_other_momentum_and_eps_match_torch():
    rng = np.random.default_rng(3)
    bn = BatchNorm(3, momentum=0.3, eps=1e-3)
    ps = ParamSet(bn.param_specs())
    bn.bind(ps, "")
    bn.init_params(rng)
    tbn = torch.nn.BatchNorm1d(3, eps=1e-3, momentum=0.3)
    for i in range(1, 4):
        # small variance, so ε matters
        x = rng.normal(scale=0.05, size=(4, 3))
        upstream = rng.normal(size=(4, 3))
        ours, theirs = bn_pass(bn, ps, tbn, x, upstream, training=True)
        for key in ours:
            assert_close(ours[key], theirs[key], f"BatchNorm(m=0.3, eps=1e-3) batch {i}: {key}")
        assert_close(bn.running_var, tbn.running_var, f"BatchNorm(m=0.3, eps=1e-3) batch {i}: running_var")


# -- whole networks ----------------------------------------------------------------------------------
NET_CASES = {
    "multiclass-tanh-bn-before": dict(
        n_inputs=3, hidden=[5, 4], task="multiclass", n_classes=2, activation="tanh", batch_norm="before"
    ),
    "multiclass3-relu-bn-after": dict(
        n_inputs=3, hidden=[6, 4], task="multiclass", n_classes=3, activation="relu", batch_norm="after"
    ),
    "binary-tanh-no-bn": dict(n_inputs=2, hidden=[4, 3], task="binary", activation="tanh"),
    "regression-sigmoid-bn-before": dict(
        n_inputs=2, hidden=[5], task="regression", activation="sigmoid", batch_norm="before"
    ),
}
TORCH_ACT = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid}


def build_pair(cfg_kwargs, seed=0):
    """Our network (with random biases and BN γ/β) and a torch Sequential holding the same numbers.

    Returns (net, seq, names): ``names`` maps each of our parameter names to (torch tensor, transpose?).
    """
    net = Network(NetworkConfig(seed=seed, **cfg_kwargs))
    rng = np.random.default_rng(seed + 100)
    for name in net.params.names():
        p = net.params[name]
        if name.endswith(".b") or name.endswith(".beta"):
            p.value[...] = rng.normal(scale=0.5, size=p.value.shape)
        elif name.endswith(".gamma"):
            p.value[...] = rng.uniform(0.5, 1.5, p.value.shape)
    mods, names = [], {}
    width_in = net.config.n_inputs
    for h in net.hidden_layers:
        width = h.dense.fan_out
        lin = torch.nn.Linear(width_in, width)
        mods.append(lin)
        names[f"h{h.index}.W"], names[f"h{h.index}.b"] = (lin.weight, True), (lin.bias, False)
        bn = None
        if net.config.batch_norm != "off":
            bn = torch.nn.BatchNorm1d(width, eps=net.config.bn_eps, momentum=net.config.bn_momentum)
            names[f"h{h.index}.gamma"], names[f"h{h.index}.beta"] = (bn.weight, False), (bn.bias, False)
        if net.config.batch_norm == "before":
            mods.append(bn)
        mods.append(TORCH_ACT[net.config.activation]())
        if net.config.batch_norm == "after":
            mods.append(bn)
        width_in = width
    out = torch.nn.Linear(width_in, net.config.n_outputs)
    mods.append(out)
    names["out.W"], names["out.b"] = (out.weight, True), (out.bias, False)
    seq = torch.nn.Sequential(*mods)
    assert set(names) == set(net.params.names())
    with torch.no_grad():
        for name, (tensor, transpose) in names.items():
            value = net.params[name].value
            tensor.copy_(t64(value.T if transpose else value))  # ours W is (fan_in, fan_out)
    return net, seq, names


def torch_loss(task):
    return {
        "binary": torch.nn.BCEWithLogitsLoss(),
        "multiclass": torch.nn.CrossEntropyLoss(),
        "regression": torch.nn.MSELoss(),
    }[task]


def make_batch(net, n, rng):
    X = rng.normal(size=(n, net.config.n_inputs))
    task = net.config.task
    if task == "multiclass":
        y = rng.integers(0, net.config.n_classes, n)
    elif task == "binary":
        y = rng.integers(0, 2, n).astype(float)
    else:
        y = rng.normal(size=n)
    t = net.loss.targets(y)
    tt = torch.tensor(t) if task == "multiclass" else t64(t)
    return X, t, tt


def compare_params(net, names, where, grads=False):
    for name, (tensor, transpose) in names.items():
        theirs = tensor.grad if grads else tensor
        theirs = theirs.detach().numpy()
        theirs = theirs.T if transpose else theirs
        ours = net.params[name].grad if grads else net.params[name].value
        assert_close(ours, theirs, f"{where}, {'gradient of' if grads else 'parameter'} {name}")


@pytest.mark.parametrize("case", list(NET_CASES))
def test_network_loss_and_gradients_match_torch(case):
    net, seq, names = build_pair(NET_CASES[case])
    rng = np.random.default_rng(1)
    X, t, tt = make_batch(net, 9, rng)
    tloss = torch_loss(net.config.task)
    # train mode (batch statistics)
    loss = net.loss_and_grad(X, t, training=True)
    seq.train()
    seq.zero_grad()
    tv = tloss(seq(t64(X)), tt)
    tv.backward()
    assert_close(loss, tv, f"{case} train-mode loss")
    compare_params(net, names, f"{case} train mode", grads=True)
    for h, mod in zip(
        net.hidden_layers, [m for m in seq if isinstance(m, torch.nn.BatchNorm1d)], strict=False
    ):
        assert_close(h.batch_norm.running_mean, mod.running_mean, f"{case} h{h.index} running_mean")
        assert_close(h.batch_norm.running_var, mod.running_var, f"{case} h{h.index} running_var")
    # eval mode (running statistics)
    loss = net.loss_and_grad(X, t, training=False)
    seq.eval()
    seq.zero_grad()
    tv = tloss(seq(t64(X)), tt)
    tv.backward()
    assert_close(loss, tv, f"{case} eval-mode loss")
    compare_params(net, names, f"{case} eval mode", grads=True)


@pytest.mark.parametrize(
    "case", ["multiclass-tanh-bn-before", "multiclass3-relu-bn-after", "binary-tanh-no-bn"]
)
def test_network_adam_training_matches_torch(case):
    net, seq, names = build_pair(NET_CASES[case], seed=4)
    rng = np.random.default_rng(2)
    batches = [make_batch(net, 8, rng) for _ in range(4)]
    tloss = torch_loss(net.config.task)
    # ε = 1e-6 rather than 1e-8: a Dense bias feeding batch norm has a true gradient of exactly 0,
    # so both sides see only rounding noise (~1e-17) there, which Adam turns into steps of about
    # α·noise/ε. With ε = 1e-8 that is ~2e-10 per step, above the 1e-10 tolerance, on both sides
    # alike; with 1e-6 it is 100 times smaller. (The optimizer oracle above covers the default ε.)
    opt = make_optimizer("adam", net.params, 0.02, {"eps": 1e-6})
    topt = torch.optim.Adam(seq.parameters(), lr=0.02, eps=1e-6)
    seq.train()
    for step in range(1, 21):
        X, t, tt = batches[(step - 1) % len(batches)]
        loss = net.loss_and_grad(X, t, training=True)
        opt.step()
        topt.zero_grad()
        tv = tloss(seq(t64(X)), tt)
        tv.backward()
        topt.step()
        assert_close(loss, tv, f"{case} Adam step {step}: loss")
        compare_params(net, names, f"{case} after Adam step {step}")
    # predictions in eval mode agree too
    X = rng.normal(size=(10, net.config.n_inputs))
    seq.eval()
    with torch.no_grad():
        logits = seq(t64(X))
    theirs = torch.softmax(logits, dim=1) if net.config.task == "multiclass" else torch.sigmoid(logits[:, 0])
    assert_close(net.predict(X), theirs, f"{case} predictions after training")
