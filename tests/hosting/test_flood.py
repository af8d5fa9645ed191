"""Rerun floods (issue 13 §2): the guard's policy, its hook in the installed Streamlit, and a real
server where one client floods while another plays."""

from __future__ import annotations

import asyncio
import time

import pytest

from playground.hosting.flood import FloodGuard, FloodLimits, install


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def test_a_real_page_rate_passes_and_a_flood_is_dropped_then_closed():
    clock = Clock()
    guard = FloodGuard(FloodLimits(rate=40, burst=80, close_after=200, window_s=5), clock)
    for _ in range(60 * 20):  # a minute of a live page at 20 reruns/s
        clock.t += 0.05
        assert guard.check("page") == "pass"
    verdicts = []
    for _ in range(400 * 5):  # 400 msgs/s
        clock.t += 1 / 400
        verdicts.append(guard.check("flood"))
        if verdicts[-1] == "close":
            break
    assert verdicts[:80] == ["pass"] * 80  # the burst
    assert "drop" in verdicts and verdicts[-1] == "close"
    assert len(verdicts) / 400 < 1.5  # closed within 1.5 s at 400 msgs/s (the issue asks 5 s)
    assert guard.check("page") == "pass"  # the others are untouched


def test_the_hook_is_in_front_of_the_installed_streamlit_runtime():
    from streamlit.runtime.runtime import Runtime

    guard = install()
    assert install() is guard  # once per process
    hooked = Runtime.handle_backmsg
    assert getattr(hooked, "__flood_guard__", None) is guard
    # the internal it wraps still has the signature the guard calls
    import inspect

    params = list(inspect.signature(hooked.__wrapped__).parameters)
    assert params[:3] == ["self", "session_id", "msg"]


def test_a_flooding_client_is_cut_off_while_another_learner_keeps_training():
    pytest.importorskip("websockets", reason="the flood client needs the websockets package")
    from tests.e2e.conftest import streamlit_server
    from tools.loadtest.client import Participant

    async def scenario(url: str) -> dict:
        stop = asyncio.Event()
        learner = Participant(url, 0, stop)
        learner_task = asyncio.create_task(learner.run())
        end = time.monotonic() + 60
        while learner.last_epoch is None or learner.last_epoch < 5:  # playing
            assert time.monotonic() < end, "the learner never started playing"
            await asyncio.sleep(0.2)
        flooder = Participant(url, 1, stop, press_play=False)
        assert await flooder.open_page() and await flooder.connect()
        received: list[float] = []

        async def listen():
            while True:
                try:
                    await flooder.ws.recv()
                except Exception:
                    return
                received.append(time.monotonic())

        listener = asyncio.create_task(listen())
        msg = flooder.rerun_msg()
        t0 = time.monotonic()
        epoch_at_start = learner.last_epoch
        while time.monotonic() - t0 < 8:  # 400 rerun requests a second for 8 s
            for _ in range(8):
                await flooder.ws.send(msg)
            await asyncio.sleep(0.02)
        t_end = time.monotonic()
        epoch_mid = learner.last_epoch
        await asyncio.sleep(3)
        epoch_after = learner.last_epoch
        stop.set()
        listener.cancel()
        await flooder.ws.close()
        await asyncio.wait({learner_task}, timeout=10)
        return {
            "flooder_last_reply_s": (max(received) - t0) if received else 0.0,
            "flood_s": t_end - t0,
            "epochs": (epoch_at_start, epoch_mid, epoch_after),
            "learner_errors": learner.stats.app_errors + learner.stats.ws_errors,
        }

    with streamlit_server() as url:
        r = asyncio.run(scenario(url))
    assert r["flooder_last_reply_s"] < 5.0, r  # cut off within 5 s: nothing comes back after that
    start, mid, after = r["epochs"]
    assert mid > start and after > mid, r  # the other learner kept training during and after the flood
    assert not r["learner_errors"], r


def test_a_session_holds_at_most_two_uploads_and_makes_at_most_twelve_a_minute():
    from starlette.exceptions import HTTPException
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.uploaded_file_manager import UploadedFileRec

    from playground.hosting.flood import install_upload_limits

    lim = install_upload_limits()
    mgr = MemoryUploadedFileManager("/_stcore/upload_file")
    for i in range(5):
        mgr.add_file("s1", UploadedFileRec(f"f{i}", "a.csv", "text/csv", b"x" * 1000))
    assert list(mgr.file_storage["s1"]) == ["f3", "f4"]  # older uploads released when replaced
    for i in range(5, lim.per_minute):
        mgr.add_file("s1", UploadedFileRec(f"f{i}", "a.csv", "text/csv", b"x"))
    with pytest.raises(HTTPException) as exc:
        mgr.add_file("s1", UploadedFileRec("one too many", "a.csv", "text/csv", b"x"))
    assert exc.value.status_code == 429
    mgr.add_file("s2", UploadedFileRec("g", "b.csv", "text/csv", b"x"))  # another session is not affected
    from playground.hosting.flood import forget_upload_counts

    forget_upload_counts()  # (for tests: AppTest runs every app as one session)
    mgr.add_file("s1", UploadedFileRec("after", "a.csv", "text/csv", b"x"))
