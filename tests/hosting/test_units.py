"""Hosting building blocks without a server: settings, checkpoints, stores, admission, pacing."""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest

from playground import limits
from playground.errors import ConfigError
from playground.experiment import Experiment, PlaygroundConfig, Upload
from playground.hosting import checkpoint as ck
from playground.hosting.pacing import Admission, LoadMonitor, Pacer
from playground.hosting.settings import apply_caps, load_settings, workshop_caps
from playground.hosting.store import MemoryStore, open_store, run_key, valid_sid, xsrf_token
from playground.limits import Caps

SID = "A" * 16


class Clock:
    def __init__(self, t: float = 100.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_pure_python():
    # other tests import streamlit into this process: check a fresh one
    import subprocess

    code = "import sys, playground.hosting, playground.hosting.proxyconf; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# -- settings ---------------------------------------------------------------------------------------


def test_settings_defaults_and_env(tmp_path):
    s = load_settings({})
    assert not s.enabled and s.store == "memory" and s.interval == 0.5
    s = load_settings(
        {"PLAYGROUND_WORKSHOP": "1", "PLAYGROUND_MAX_SESSIONS": "25", "PLAYGROUND_INTERVAL": "0.75"}
    )
    assert s.enabled and s.max_sessions == 25 and s.interval == 0.75
    toml = tmp_path / "w.toml"
    toml.write_text("[workshop]\ninterval = 1.0\nmax_sessions = 10\n[workshop.caps]\nmax_points = 800\n")
    s = load_settings({"PLAYGROUND_WORKSHOP_CONFIG": str(toml), "PLAYGROUND_MAX_SESSIONS": "12"})
    assert s.enabled and s.interval == 1.0 and s.max_sessions == 12 and s.caps == {"MAX_POINTS": 800.0}


@pytest.mark.parametrize(
    "env",
    [
        {"PLAYGROUND_INTERVAL": "fast"},
        {"PLAYGROUND_INTERVAL": "0.001"},
        {"PLAYGROUND_MAX_SESSIONS": "2.5"},
        {"PLAYGROUND_STORE": "mysql://x"},
        {"PLAYGROUND_CAP_MAX_FOO": "3"},
        {"PLAYGROUND_WORKSHOP": "maybe"},
    ],
)
def test_settings_errors_name_the_setting(env):
    with pytest.raises(ConfigError, match="Workshop setting|workshop"):
        load_settings(env)


def test_caps_only_lower():
    base = Caps(max_points=2000, max_neurons=64, default_update_interval=0.1, default_epochs_per_update=8)
    s = load_settings(
        {"PLAYGROUND_WORKSHOP": "1", "PLAYGROUND_CAP_MAX_POINTS": "500", "PLAYGROUND_CAP_MAX_NEURONS": "99"}
    )
    lim = workshop_caps(s, base)
    assert lim.max_points == 500 and lim.max_neurons == 64
    assert (
        lim.min_update_interval == 0.5
        and lim.default_update_interval == 0.5
        and lim.default_epochs_per_update == 5
    )
    assert base.max_points == 2000  # frozen: a new object, the defaults untouched


def test_apply_caps_installs_one_object_read_where_used():
    s = load_settings({"PLAYGROUND_CAP_MAX_POINTS": "300", "PLAYGROUND_CAP_MAX_UPLOAD_MB": "1"})
    old = limits.caps()
    try:
        changed = apply_caps(s)
        assert changed == {"MAX_POINTS": 300, "MAX_UPLOAD_MB": 1}
        assert limits.caps().max_points == 300 and limits.MAX_POINTS == 300
        assert limits.caps().max_upload_bytes == 1024 * 1024
    finally:
        limits.install(old)
    assert limits.MAX_POINTS == 2000


# -- checkpoints ------------------------------------------------------------------------------------


def _trained(**over) -> Experiment:
    cfg = PlaygroundConfig.from_dict(
        {"training": {"optimizer": "adam", "learning_rate": 0.01}, "model": {"hidden": [6, 3]}, **over}
    )
    e = Experiment(cfg)
    e.step(12)
    return e


def test_checkpoint_round_trip_continues_bit_for_bit():
    a = _trained()
    b, extra = ck.decode(ck.encode(a, {"playing": True}), Experiment.from_state_dict)
    assert extra == {"playing": True}
    assert b.epoch == a.epoch == 12 and b.history == a.history and b.config.to_dict() == a.config.to_dict()
    a.step(5)
    b.step(5)
    assert np.array_equal(a.network.params.values, b.network.params.values)
    assert a.history[-1] == b.history[-1]


def test_checkpoint_keeps_bn_early_stopping_and_upload():
    csv = b"a,b,label\n" + b"".join(
        f"{i % 7},{(i * 3) % 5},{'x' if i % 2 else 'y'}\n".encode() for i in range(60)
    )
    cfg = PlaygroundConfig.from_dict(
        {
            "data": {"dataset": "csv", "val_fraction": 0.2},
            "model": {"hidden": [4], "batch_norm": "before"},
            "training": {"optimizer": "momentum", "early_stopping": True, "patience": 3},
        }
    )
    a = Experiment(cfg, upload=Upload.parse("d.csv", csv))
    a.step(8)
    b, _ = ck.decode(ck.encode(a), Experiment.from_state_dict)
    assert b.upload.data == csv and b.trainer.best_epoch == a.trainer.best_epoch
    a.step(3)
    b.step(3)
    assert np.array_equal(a.network.params.values, b.network.params.values)


def test_checkpoint_size_cap_and_thinning():
    a = _trained()
    a.trainer.history.extend(dict(a.history[-1], epoch=i) for i in range(20, 20 + 2 * ck.MAX_HISTORY))
    data = ck.encode(a)
    assert len(ck.peek(data)["trainer"]["history"]) <= ck.MAX_HISTORY
    with pytest.raises(ck.CheckpointError, match="cap"):
        ck.encode(a, max_bytes=1024)


def test_checkpoint_rejects_garbage_and_pickles():
    for bad in (b"", b"not a zip", b"PK\x03\x04garbage"):
        with pytest.raises(ck.CheckpointError):
            ck.decode(bad, Experiment.from_state_dict)
    buf = io.BytesIO()
    np.savez(buf, meta=np.array([{"format": ck.FORMAT}], dtype=object))  # an object array needs pickle
    with pytest.raises(ck.CheckpointError):
        ck.decode(buf.getvalue(), Experiment.from_state_dict)
    data = ck.encode(_trained())
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["network/params/h1.W"] = np.zeros((99, 99))
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    with pytest.raises(ck.CheckpointError, match="does not fit"):
        ck.decode(buf.getvalue(), Experiment.from_state_dict)


# -- stores ------------------------------------------------------------------------------------------


def test_memory_store_ttl_count_size():
    clock = Clock()
    s = MemoryStore(ttl_s=10, max_count=3, max_bytes=100, clock=clock)
    assert s.put(SID, b"x" * 100) and s.get(SID) == b"x" * 100
    assert not s.put("B" * 16, b"x" * 101) and s.get("B" * 16) is None
    assert not s.put("short", b"x") and not s.put("../../etc/passwd1", b"x")
    clock.t += 11
    assert s.get(SID) is None and len(s) == 0
    for i in range(5):
        s.put(f"{i}" * 16, b"v")
    assert len(s) == 3 and s.get("0" * 16) is None and s.get("4" * 16) == b"v"


def test_valid_sid():
    assert valid_sid("abcDEF_-0123456789") and not valid_sid("a b" * 8) and not valid_sid(None)


def test_xsrf_token_is_the_stable_token_inside_a_changing_cookie():
    from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string

    token = bytes(range(16))
    one, two = generate_xsrf_token_string(token), generate_xsrf_token_string(token)
    assert one != two  # a fresh mask on every response
    assert xsrf_token(one) == xsrf_token(two) == token.hex()
    assert xsrf_token(generate_xsrf_token_string(bytes(16))) != token.hex()
    for bad in (None, "", "abc", "2|zz|00|1", "1|00000000|00|1", "2|0000|" + "00" * 16 + "|1"):
        assert xsrf_token(bad) is None


def test_run_key_binds_the_run_id_to_the_browser():
    a, b = run_key("aa" * 16, "run_0123456789abcdef"), run_key("bb" * 16, "run_0123456789abcdef")
    assert a != b and valid_sid(a) and valid_sid(b)
    assert "run_0123456789abcdef" not in a and run_key("aa" * 16, "run_0123456789abcdef") == a


def test_open_store_memory():
    assert isinstance(open_store("memory", 60, 10, 1000), MemoryStore)


# -- admission and pacing ----------------------------------------------------------------------------


def test_admission_seats_queue_and_frees():
    clock = Clock()
    adm = Admission(2, clock=clock)
    assert adm.admit("a", ["a"]) and adm.admit("b", ["a", "b"])
    clock.t += 1
    assert not adm.admit("c", ["a", "b", "c"])
    clock.t += 1
    assert not adm.admit("d", ["a", "b", "c", "d"])
    assert adm.position("c") == 1 and adm.position("d") == 2
    # b leaves: c (first in the queue) gets the seat, d keeps waiting
    assert not adm.admit("d", ["a", "c", "d"])
    assert adm.admit("c", ["a", "c", "d"]) and adm.seated == 2 and adm.position("d") == 1
    # without a list of live sessions, seats expire after stale_s
    adm2 = Admission(1, stale_s=5, clock=clock)
    assert adm2.admit("x") and not adm2.admit("y")
    clock.t += 6
    assert adm2.admit("y")


def test_seats_held_by_idle_connections_go_to_the_next_in_line():
    """Issue 13 §3: 40 idle websockets from one client filled the room for good. A seat whose session
    has not run the page for idle_s goes to a waiting learner (the sessions are still connected)."""
    clock = Clock()
    adm = Admission(3, clock=clock, idle_s=600)
    hoarders = [f"idle{i}" for i in range(3)]
    for h in hoarders:
        assert adm.admit(h, hoarders)
    everyone = [*hoarders, "learner"]
    clock.t += 60
    assert not adm.admit("learner", everyone)  # they are recent: the learner waits
    clock.t += 600
    assert adm.admit("learner", everyone)  # idle for 11 minutes: one seat is freed for the learner
    assert adm.seated == 3
    clock.t += 1
    assert adm.admit("idle1", everyone) and adm.admit("idle2", everyone)  # those two are back at work
    assert not adm.admit("idle0", everyone)  # the freed one, back, queues like anyone else


def test_load_monitor_slows_down_with_load_and_caps():
    clock, cpu = Clock(), Clock(0.0)
    mon = LoadMonitor(0.5, 2.0, target_cpu=0.7, window_s=1.0, clock=clock, cpu_clock=cpu)

    state = {"acc": 0.0, "next": 0}

    def run(n_sessions: int, cost: float, seconds: int) -> None:
        for _ in range(seconds * 10):  # 0.1 s steps; each session updates every `interval`
            clock.t += 0.1
            state["acc"] += n_sessions * 0.1 / mon.interval
            while state["acc"] >= 1:
                state["acc"] -= 1
                cpu.t += cost
                mon.tick(f"s{state['next'] % n_sessions}")
                state["next"] += 1

    run(10, 0.012, 10)  # 10 × 2/s × 12 ms = 24 % of a core: base interval
    assert mon.interval == pytest.approx(0.5)
    run(60, 0.012, 20)  # 60 × 2/s × 12 ms = 144 %: slow down to ≈ 60·0.012/0.7 ≈ 1.03 s
    assert 0.85 <= mon.interval <= 1.2
    run(300, 0.012, 20)  # far beyond: capped
    assert mon.interval == pytest.approx(2.0)
    assert mon.playing() == 300


def test_pacer_token_bucket_and_update_gap():
    clock = Clock()
    p = Pacer(rate=2, burst=3, clock=clock)
    assert [p.rerun_wait() for _ in range(3)] == [0, 0, 0]
    assert p.rerun_wait() == pytest.approx(0.5)
    clock.t += 10
    assert p.rerun_wait() == 0
    assert p.update_wait(1.0) == 0
    clock.t += 0.3
    assert p.update_wait(1.0) == pytest.approx(0.6)


def test_turns_are_first_come_first_served_and_time_out():
    import threading
    import time

    from playground.hosting.pacing import Turns

    turns = Turns(1, timeout_s=2.0)
    order: list[int] = []
    assert turns.acquire()
    threads = []
    for i in range(5):
        t = threading.Thread(target=lambda i=i: (turns.acquire(), order.append(i), turns.release()))
        t.start()
        threads.append(t)
        while turns.waiting < i + 1:
            time.sleep(0.001)
    turns.release()
    for t in threads:
        t.join(5)
    assert order == [0, 1, 2, 3, 4]
    quick = Turns(1, timeout_s=0.05)
    assert quick.acquire() and not quick.acquire()  # the second goes ahead without a turn


def test_checkpoint_only_chooses_the_bytes_of_a_state_dict():
    """Any object with ``state_dict()`` round-trips: arrays to the npz under '/'-joined paths, the rest
    (NaN and inf included) to JSON; checkpoint.py never reads a run's attributes."""

    class Run:
        def state_dict(self):
            return {
                "a": {"b": np.arange(6.0).reshape(2, 3), "c": {}, "d": [1, None, "x"]},
                "bytes": np.frombuffer(b"hi", dtype=np.uint8),
                "f": float("nan"),
                "g": float("-inf"),
                "trainer": {"history": [{"epoch": i} for i in range(5)], "health": []},
            }

    data = ck.encode(Run(), {"playing": True})
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        assert set(z.files) == {"a/b", "bytes", "meta"}
    state, extra = ck.decode(data, lambda d: d)
    assert extra == {"playing": True}
    np.testing.assert_array_equal(state["a"]["b"], np.arange(6.0).reshape(2, 3))
    assert state["a"]["c"] == {} and state["a"]["d"] == [1, None, "x"] and state["bytes"].tobytes() == b"hi"
    assert np.isnan(state["f"]) and state["g"] == -np.inf and len(state["trainer"]["history"]) == 5

    class Bad:
        def state_dict(self):
            return {"a/b": 1}

    with pytest.raises(ck.CheckpointError):
        ck.encode(Bad())


def test_checkpoint_module_reads_no_private_attributes():
    import inspect

    src = inspect.getsource(ck)
    assert "._" not in src.replace("self._", "") and "import playground.experiment" not in src
    assert "from playground.experiment" not in src and "playground.engine" not in src


def test_pool_weights_prefer_the_emptier_replicas():
    from playground.hosting.proxyconf import balance_weights, render

    assert balance_weights([8, 0]) == [1, 9]
    assert balance_weights([3, 3, 3]) == [1, 1, 1]
    assert balance_weights([100, 0], cap=50) == [1, 50]
    conf = render(["127.0.0.1:8601", "127.0.0.1:8602"], weights=[1, 9])
    assert "server 127.0.0.1:8601 weight=1 " in conf and "server 127.0.0.1:8602 weight=9 " in conf
    with pytest.raises(ValueError):
        render(["127.0.0.1:8601"], weights=[0])
