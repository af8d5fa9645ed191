"""One simulated participant: what a browser tab of the playground does, over Streamlit's protocol.

Like the browser (``frontend/app/src/App.tsx`` of Streamlit): GET the page, ``/_stcore/health`` (the
XSRF cookie) and ``/_stcore/host-config``; open the ``/_stcore/stream`` websocket with the subprotocols
``streamlit, <xsrf token>[, <previous session id>]``; send a ``rerunScript`` BackMsg (query string,
widget states); press Play by sending a ``trigger_value`` widget state for the button's id (read from
the button's delta); on an ``auto_rerun`` ForwardMsg start a ``setInterval``-style timer that sends
``rerunScript`` with the ``fragment_id`` and ``is_auto_rerun``; fetch every ``/media/`` URL an image
delta references; on a dropped websocket, reconnect (health first, with the same URL) as the browser
does. Protobuf classes are Streamlit's own (``streamlit.proto``).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FRAGMENT_DONE = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_FRAGMENT_RUN_SUCCESSFULLY")
FULL_DONE = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")
COMPILE_ERROR = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_WITH_COMPILE_ERROR")
ROOM_FULL_MARK = "room is full"


def require_loopback(url: str) -> tuple[str, int]:
    """(host, port) of ``url``; raises ValueError unless every address it resolves to is loopback."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"Give an http:// URL, not {url!r}.")
    port = parts.port or 80
    infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    for info in infos:
        if not ipaddress.ip_address(info[4][0]).is_loopback:
            raise ValueError(
                f"{parts.hostname} is not a loopback address: load tests target 127.0.0.0/8 only."
            )
    return parts.hostname, port


async def http_get(host: str, port: int, path: str, cookies: dict[str, str], timeout: float = 10.0):
    """(status, headers (lower-case, Set-Cookie as a list), body) of a GET, HTTP/1.1, Connection: close."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        req = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"
        req += "Accept-Encoding: identity\r\n"
        if cookie:
            req += f"Cookie: {cookie}\r\n"
        writer.write((req + "\r\n").encode("latin-1"))
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(-1), timeout)
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    headers: dict[str, object] = {"set-cookie": []}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        k, v = k.strip().lower(), v.strip()
        if k == "set-cookie":
            headers["set-cookie"].append(v)  # type: ignore[union-attr]
        else:
            headers[k] = v
    return status, headers, body


def absorb_cookies(jar: dict[str, str], set_cookies: list[str]) -> None:
    for sc in set_cookies:
        c = SimpleCookie()
        with contextlib.suppress(Exception):
            c.load(sc)
        for k, morsel in c.items():
            jar[k] = morsel.value
        if not c and "=" in sc:  # values SimpleCookie refuses (e.g. Streamlit's raw 2|…|… token)
            k, _, rest = sc.partition("=")
            jar[k.strip()] = rest.split(";", 1)[0]


@dataclass
class Stats:
    updates: list[float] = field(default_factory=list)  # completion times of live (fragment) updates
    epochs: list[tuple[float, int]] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    missing_images: int = 0
    media_fetched: int = 0
    data_images: int = 0
    app_errors: list[str] = field(default_factory=list)
    ws_errors: list[str] = field(default_factory=list)
    disconnects: list[float] = field(default_factory=list)
    reconnects: list[dict] = field(default_factory=list)
    replicas: list[tuple[float, str]] = field(default_factory=list)  # (time, cookie value) when it changed
    room_full: int = 0
    presses: int = 0
    started: float = 0.0
    playing_since: float | None = None


class Participant:
    """A browser tab: open, press Play, follow the live updates until ``stop`` is set."""

    def __init__(self, url: str, index: int, stop: asyncio.Event, press_play: bool = True, t0: float = 0.0):
        self.url = url
        self.host, self.port = require_loopback(url)
        parts = urlsplit(url)
        self.path = parts.path or "/"
        self.query = parts.query
        self.index = index
        self.stop = stop
        self.press_play = press_play
        self.cookies: dict[str, str] = {}
        self.stats = Stats()
        self.t0 = t0 or time.monotonic()
        self.session_id: str | None = None
        self.page_hash = ""
        self.play_id: str | None = None
        self.play_label = ""
        self.timers: dict[str, asyncio.Task] = {}
        self.ws = None
        self.run_has_image = False
        self.last_epoch: int | None = None
        self.playing = False

    def now(self) -> float:
        return time.monotonic() - self.t0

    @property
    def replica(self) -> str | None:
        return self.cookies.get("pgreplica")

    async def get(self, path: str, what: str) -> int:
        try:
            status, headers, _ = await http_get(self.host, self.port, path, self.cookies)
        except (TimeoutError, OSError) as exc:
            self.stats.http_errors.append(f"{what}: {type(exc).__name__}")
            return 0
        before = self.replica
        absorb_cookies(self.cookies, headers["set-cookie"])  # type: ignore[arg-type]
        if self.replica != before:
            self.stats.replicas.append((self.now(), self.replica or "?"))
        if status != 200:
            self.stats.http_errors.append(f"{what}: HTTP {status}")
        return status

    # -- protocol ----------------------------------------------------------------------------------
    def rerun_msg(self, fragment_id: str = "", trigger: str | None = None, auto: bool = False) -> bytes:
        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = self.query
        rs.page_script_hash = self.page_hash
        rs.fragment_id = fragment_id
        rs.is_auto_rerun = auto
        if trigger:
            w = rs.widget_states.widgets.add()
            w.id = trigger
            w.trigger_value = True
        return msg.SerializeToString()

    async def send(self, data: bytes) -> None:
        ws = self.ws
        if ws is None:
            return
        try:
            await ws.send(data)
        except Exception as exc:  # closed: the receive loop notices and reconnects
            self.stats.ws_errors.append(f"send: {type(exc).__name__}")

    async def timer(self, fragment_id: str, interval: float) -> None:
        """The browser's setInterval for an auto-rerunning fragment."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        while not self.stop.is_set():
            due += interval  # a fixed period, as setInterval: no drift from the sends
            await asyncio.sleep(max(0.0, due - loop.time()))
            await self.send(self.rerun_msg(fragment_id, auto=True))

    def clear_timers(self) -> None:
        for t in self.timers.values():
            t.cancel()
        self.timers.clear()

    async def handle(self, fm: ForwardMsg) -> None:
        kind = fm.WhichOneof("type")
        if kind == "new_session":
            self.page_hash = fm.new_session.page_script_hash
            if fm.new_session.initialize.session_id:
                self.session_id = fm.new_session.initialize.session_id
            self.run_has_image = False
        elif kind == "page_info_changed":
            self.query = fm.page_info_changed.query_string
        elif kind == "auto_rerun":
            fid, interval = fm.auto_rerun.fragment_id, fm.auto_rerun.interval
            old = self.timers.get(fid)
            if old is None or getattr(old, "interval", None) != interval:
                if old:
                    old.cancel()
                task = asyncio.create_task(self.timer(fid, interval))
                task.interval = interval  # type: ignore[attr-defined]
                self.timers[fid] = task
        elif kind == "stop_auto_rerun":
            for fid in fm.stop_auto_rerun.fragment_ids:
                t = self.timers.pop(fid, None)
                if t:
                    t.cancel()
        elif kind == "delta":
            await self.handle_delta(fm)
        elif kind == "script_finished":
            status = fm.script_finished
            # a run that drew the live image is an update, however it ended: a fragment run that
            # finishes while the other fragment's timer request waits reports FINISHED_EARLY_FOR_RERUN
            if status != COMPILE_ERROR and self.run_has_image:
                self.stats.updates.append(self.now())
                if self.last_epoch is not None:
                    self.stats.epochs.append((self.now(), self.last_epoch))
            can_press = self.press_play and not self.playing and self.play_id and not self.stop.is_set()
            if status == FULL_DONE and can_press and "Play" in self.play_label:
                self.stats.presses += 1
                await self.send(self.rerun_msg(trigger=self.play_id))
            self.run_has_image = False

    async def handle_delta(self, fm: ForwardMsg) -> None:
        d = fm.delta
        if d.WhichOneof("type") != "new_element":
            return
        el = d.new_element
        which = el.WhichOneof("type")
        if which == "button":
            bid = el.button.id
            if bid.endswith("btn_pause"):  # separate Play / Pause buttons: Pause shows while playing
                self.playing = True
            elif bid.endswith("btn_play"):  # one toggling button: its label tells
                self.play_id = bid
                self.play_label = el.button.label
                self.playing = "Pause" in el.button.label
        elif which == "imgs":
            self.run_has_image = True
            for img in el.imgs.imgs:
                if img.url.startswith("data:"):
                    self.stats.data_images += 1
                elif img.url:
                    self.stats.media_fetched += 1
                    status = await self.get(img.url if img.url.startswith("/") else "/" + img.url, "media")
                    if status != 200:
                        self.stats.missing_images += 1
                else:
                    self.stats.missing_images += 1
        elif which == "metric" and el.metric.label == "Epoch":
            with contextlib.suppress(ValueError):
                self.last_epoch = int(el.metric.body.replace(",", ""))
        elif which == "exception":
            self.stats.app_errors.append(f"exception: {el.exception.type}: {el.exception.message[:80]}")
        elif which == "alert":
            body = el.alert.body
            if ROOM_FULL_MARK in body.lower():
                self.stats.room_full += 1
            elif "went wrong" in body:
                self.stats.app_errors.append(f"alert: {body[:80]}")
        elif which == "markdown" and ROOM_FULL_MARK in el.markdown.body.lower():
            self.stats.room_full += 1

    async def connect(self) -> bool:
        from websockets.asyncio.client import connect

        xsrf = self.cookies.get("_streamlit_xsrf", "")
        protos = ["streamlit", xsrf or "x"] + ([self.session_id] if self.session_id else [])
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.ws = await asyncio.wait_for(
                connect(
                    f"ws://{self.host}:{self.port}/_stcore/stream",
                    subprotocols=protos,  # type: ignore[arg-type]
                    origin=f"http://{self.host}:{self.port}",  # type: ignore[arg-type]
                    additional_headers={"Cookie": cookie} if cookie else None,
                    max_size=None,
                    compression=None,
                    open_timeout=10,
                    ping_interval=None,
                ),
                15,
            )
        except Exception as exc:
            self.stats.ws_errors.append(f"connect: {type(exc).__name__}: {str(exc)[:80]}")
            return False
        return True

    async def open_page(self) -> bool:
        status = await self.get(self.path + (f"?{self.query}" if self.query else ""), "page")
        await self.get("/_stcore/health", "health")
        await self.get("/_stcore/host-config", "host-config")
        return status == 200

    async def run(self) -> Stats:
        self.stats.started = self.now()
        if not await self.open_page():
            return self.stats
        reconnecting_since: float | None = None
        epoch_before: int | None = None
        while not self.stop.is_set():
            if not await self.connect():
                if reconnecting_since is None:
                    return self.stats
                await asyncio.sleep(0.5)
                await self.get("/_stcore/health", "health")
                if self.now() - reconnecting_since > 60:
                    return self.stats
                continue
            await self.send(self.rerun_msg())
            updates_at_connect = len(self.stats.updates)
            stop_wait = asyncio.create_task(self.stop.wait())
            try:
                while True:
                    recv = asyncio.create_task(self.ws.recv())
                    done, _ = await asyncio.wait({recv, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
                    if stop_wait in done:
                        recv.cancel()
                        break
                    data = recv.result()
                    fm = ForwardMsg()
                    fm.ParseFromString(data)
                    await self.handle(fm)
                    if reconnecting_since is not None and len(self.stats.updates) > updates_at_connect:
                        self.stats.reconnects.append(
                            {
                                "down_at": reconnecting_since,
                                "back_after_s": self.now() - reconnecting_since,
                                "epoch_before": epoch_before,
                                "epoch_after": self.last_epoch,
                                "replica": self.replica,
                                "pressed_play_again": self.stats.presses > 1,
                            }
                        )
                        reconnecting_since = None
            except Exception as exc:  # the websocket closed (a replica died, the proxy restarted)
                if self.stop.is_set():
                    break
                self.clear_timers()
                self.stats.disconnects.append(self.now())
                self.stats.ws_errors.append(f"closed: {type(exc).__name__}")
                if reconnecting_since is None:
                    reconnecting_since = self.now()
                    epoch_before = self.last_epoch
                self.playing = False
                await asyncio.sleep(0.2)
                await self.get("/_stcore/health", "health")  # the browser pings health before reconnecting
                continue
            finally:
                stop_wait.cancel()
            break
        self.clear_timers()
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 2)
        return self.stats
