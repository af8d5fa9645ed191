"""Hostile and corrupt checkpoints (issue 13, item 7): every one is refused with CheckpointError —
never another exception, never an allocation bigger than the limits — and random damage either
fails the same way or restores a run that works."""

from __future__ import annotations

import copy
import io
import json
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest

from playground.experiment import Experiment, PlaygroundConfig
from playground.hosting import checkpoint as ck


@pytest.fixture(scope="module")
def good() -> bytes:
    exp = Experiment(PlaygroundConfig())
    exp.step(3)
    exp.trainer.run_steps(2)  # mid-epoch: the epoch's order is in the state
    return ck.encode(exp, {"playing": True})


def build(state):
    return Experiment.from_state_dict(state)


def pack(state, extra=None) -> bytes:
    holder = type("Holder", (), {"state_dict": lambda self: state})()
    return ck.encode(holder, extra or {})


def zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def npy(arr: np.ndarray, **kw) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, **kw)
    return buf.getvalue()


def meta_member(obj) -> bytes:
    return npy(np.frombuffer(zlib.compress(json.dumps(obj).encode()), dtype=np.uint8))


def test_the_good_checkpoint_restores(good):
    run, extra = ck.decode(good, build)
    assert run.epoch == 3 and extra == {"playing": True}


# -- damage to the bytes ------------------------------------------------------------------------------
def byte_damage(good: bytes) -> dict[str, bytes]:
    rng = np.random.default_rng(0)
    kinds = {"empty": b"", "not bytes of a zip": b"PK\x03\x04" + b"\x00" * 40}
    for i in range(4):
        kinds[f"random bytes {i}"] = rng.bytes(int(rng.integers(10, 5000)))
    for frac in (0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 0.999):
        kinds[f"truncated at {frac:.0%}"] = good[: int(len(good) * frac)]
    return kinds


def test_damaged_bytes_are_refused(good):
    kinds = byte_damage(good)
    for name, data in kinds.items():
        with pytest.raises(ck.CheckpointError):
            ck.decode(data, build)
        assert name  # every kind ran


def test_random_bit_flips_fail_cleanly_or_restore_a_working_run(good):
    rng = np.random.default_rng(1)
    outcomes = {"refused": 0, "restored": 0}
    for _ in range(40):
        data = bytearray(good)
        pos = int(rng.integers(len(data)))
        data[pos] ^= 1 << int(rng.integers(8))
        try:
            run, _ = ck.decode(bytes(data), build)
        except ck.CheckpointError:
            outcomes["refused"] += 1
            continue
        run.step(1)  # a run that restores must also train
        outcomes["restored"] += 1
    assert sum(outcomes.values()) == 40


# -- bombs and forbidden contents ----------------------------------------------------------------------
def huge_member_zip() -> bytes:
    """A member whose uncompressed size (64 MB of zeros) is far beyond the limits, 64 KB on disk."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("network/params/h1.W.npy", "w") as f:
        f.write(np.lib.format.magic(1, 0))
        chunk = bytes(1 << 20)
        for _ in range(64):
            f.write(chunk)
    return buf.getvalue()


def bombs_and_forbidden(good: bytes) -> dict[str, bytes]:
    meta_ok = {"format": ck.FORMAT, "extra": {}}
    with np.load(io.BytesIO(good)) as z:
        members = {f"{k}.npy": npy(z[k]) for k in z.files}
    deep = "[" * 100_000 + "]" * 100_000
    return {
        "a 64 MB member": huge_member_zip(),
        "a zlib bomb in the meta": zip_of(
            {"meta.npy": npy(np.frombuffer(zlib.compress(b" " * (200 << 20), 9), dtype=np.uint8))}
        ),
        "JSON nested 100 000 deep": zip_of(
            {"meta.npy": npy(np.frombuffer(zlib.compress(deep.encode()), dtype=np.uint8))}
        ),
        "a pickled object array": zip_of(
            {**members, "network/params/h1.W.npy": npy(np.array([{}], dtype=object), allow_pickle=True)}
        ),
        "complex numbers": zip_of({**members, "network/params/h1.W.npy": npy(np.zeros((2, 4), complex))}),
        "int8 data": zip_of({**members, "network/params/h1.W.npy": npy(np.zeros((2, 4), np.int8))}),
        "a Fortran-ordered array": zip_of(
            {**members, "network/params/h1.W.npy": npy(np.asfortranarray(np.zeros((2, 4))))}
        ),
        "a header claiming more than it holds": zip_of(
            {**members, "network/params/h1.W.npy": npy(np.zeros((2, 4)))[:-16]}
        ),
        "a member that is not an array": zip_of({**members, "readme.txt": b"hello"}),
        "5000 members": zip_of({f"x{i}.npy": npy(np.zeros(1)) for i in range(5000)}),
        "no meta": zip_of({k: v for k, v in members.items() if k != "meta.npy"}),
        "meta of floats": zip_of({**members, "meta.npy": npy(np.zeros(8))}),
        "meta not zlib": zip_of({**members, "meta.npy": npy(np.frombuffer(b"{}" * 8, dtype=np.uint8))}),
        "meta not JSON": zip_of(
            {**members, "meta.npy": npy(np.frombuffer(zlib.compress(b"{nope"), np.uint8))}
        ),
        "meta a list": zip_of({**members, "meta.npy": meta_member([1, 2])}),
        "another format": zip_of({**members, "meta.npy": meta_member({"format": "other/1"})}),
        "a path with an empty part": zip_of({"meta.npy": meta_member(meta_ok), "a//b.npy": npy(np.zeros(1))}),
        "an array under a number": zip_of(
            {
                "meta.npy": meta_member({**meta_ok, "trainer": {"epoch": 3}}),
                "trainer/epoch/x.npy": npy(np.zeros(1)),
            }
        ),
    }


def test_bombs_and_forbidden_contents_are_refused_within_bounded_memory(good):
    kinds = bombs_and_forbidden(good)
    for name, data in kinds.items():
        tracemalloc.start()
        try:
            with pytest.raises(ck.CheckpointError):
                ck.decode(data, build)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 48 << 20, f"{name}: {peak >> 20} MB allocated while refusing it"


# -- a well-formed file with a state that is not a run -------------------------------------------------
def state_damage(state: dict) -> dict[str, dict]:
    def edit(fn):
        s = copy.deepcopy(state)
        fn(s)
        return s

    t = "trainer"
    w = next(iter(state["network"]["params"]))
    return {
        "epoch −5": edit(lambda s: s[t].update(epoch=-5)),
        "epoch 10³⁰": edit(lambda s: s[t].update(epoch=1e30)),
        "epoch a string": edit(lambda s: s[t].update(epoch="3")),
        "status <script>": edit(lambda s: s[t].update(status="<script>alert(1)</script>")),
        "status missing": edit(lambda s: s[t].pop("status")),
        "history not a list": edit(lambda s: s[t].update(history={"a": 1})),
        "history empty": edit(lambda s: s[t].update(history=[])),
        "history record with text": edit(lambda s: s[t]["history"][0].update(train_loss="<b>0</b>")),
        "history record with an unknown field": edit(lambda s: s[t]["history"][0].update(html="x")),
        "history record not a dict": edit(lambda s: s[t]["history"].append(7)),
        "health layer name of 10 kB": edit(
            lambda s: s[t].update(health=[{"epoch": 1, "layer": "x" * 10000}])
        ),
        "health interval 3": edit(lambda s: s[t].update(health_every=3)),
        "shuffling generator malformed": edit(lambda s: s[t].update(rng={"bit_generator": "nope"})),
        "optimizer of another kind": edit(lambda s: s[t]["optimizer"].update(name="adam")),
        "optimizer state missing": edit(lambda s: s[t]["optimizer"].update(state={})),
        "optimizer step negative text": edit(lambda s: s[t]["optimizer"].update(step="x")),
        "config missing": edit(lambda s: s.pop("config")),
        "config of an unknown dataset": edit(lambda s: s["config"]["data"].update(dataset="nope")),
        "config of 10 000 layers": edit(lambda s: s["config"]["model"].update(hidden=[4] * 10000)),
        "a weight missing": edit(lambda s: s["network"]["params"].pop(w)),
        "a weight of the wrong shape": edit(lambda s: s["network"]["params"].update({w: np.zeros((7, 7))})),
        "noise generator malformed": edit(lambda s: s["network"].update(noise_rng=[1, 2])),
        "best weights that do not fit": edit(lambda s: s[t].update(best_state={"x": np.zeros(2)})),
        "an epoch order that is not a permutation": edit(lambda s: s[t].update(perm=np.zeros(5, np.int64))),
        "steps inside the epoch negative": edit(lambda s: s[t].update(step_in_epoch=-1)),
        "wait negative": edit(lambda s: s[t].update(wait=-3)),
        "total steps fractional": edit(lambda s: s[t].update(total_steps=2.5)),
        "stop kind unknown": edit(lambda s: s.update(stop_kind="exploded")),
        "edited flag a string": edit(lambda s: s.update(edited="yes")),
        "reset count negative": edit(lambda s: s.update(reset_count=-1)),
        "upload of floats": edit(
            lambda s: s.update(upload={"name": "a.csv", "problems": [], "data": np.zeros(3)})
        ),
        "upload name not text": edit(
            lambda s: s.update(upload={"name": 5, "problems": [], "data": np.zeros(3, np.uint8)})
        ),
        "network missing": edit(lambda s: s.pop("network")),
        "trainer a list": edit(lambda s: s.update(trainer=[1])),
    }


def test_states_that_are_not_a_run_are_refused(good):
    state, _ = ck.decode_state(good)
    kinds = state_damage(state)
    failures = []
    for name, bad in kinds.items():
        try:
            ck.decode(pack(bad), build)
        except ck.CheckpointError:
            continue
        except Exception as exc:  # noqa: BLE001 - the point of the test
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
            continue
        failures.append(f"{name}: accepted")
    assert not failures, failures


def test_at_least_fifty_kinds_of_corruption_are_covered(good):
    state, _ = ck.decode_state(good)
    n = len(byte_damage(good)) + len(bombs_and_forbidden(good)) + len(state_damage(state)) + 1  # + bit flips
    assert n >= 50, n


def test_a_run_id_with_a_trailing_newline_is_not_valid():
    from playground.hosting.store import valid_sid

    assert valid_sid("abcdefghijklmnop") and not valid_sid("abcdefghijklmnop\n")
