"""The proxy config: rendering, `nginx -t`, the compose file, and the sticky routing for real (nginx in
front of small fake replicas on loopback: which replica served each request, /media/ that exists only
on the replica that made it, failover, a replica coming back, security headers, upload limit)."""

from __future__ import annotations

import http.client
import shutil
import signal
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from playground.hosting.proxyconf import main_conf, render

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (Debian package 'nginx')")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- rendering ---------------------------------------------------------------------------------------


def test_render_fills_every_slot_and_whitelists():
    text = render(["127.0.0.1:8601", "127.0.0.1:8602"], listen="127.0.0.1:9000")
    assert "{{" not in text
    assert '"r0" pg_r0;' in text and '"r1" pg_r1;' in text and "default pg_pool;" in text
    assert "least_conn;" in text and "proxy_set_header Host $http_host;" in text
    assert "proxy_pass http://$pg_backend;" in text  # only upstream names, never the raw cookie
    for header in ("X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options", "Content-Security-Policy"):
        assert header in text
    assert "client_max_body_size 6m;" in text and "proxy_read_timeout 3600s;" in text


@pytest.mark.parametrize(
    "replicas", [[], ["app1:8501"], ["127.0.0.1:8601", "127.0.0.1:8601"], ["127.0.0.1:99999"], ["1.2.3:80"]]
)
def test_render_rejects_bad_replicas(replicas):
    with pytest.raises(ValueError):
        render(replicas)


def _nginx_t(http_conf: str, tmp_path: Path) -> subprocess.CompletedProcess:
    (tmp_path / "w.conf").write_text(http_conf)
    (tmp_path / "nginx.conf").write_text(main_conf(tmp_path / "w.conf", tmp_path))
    return subprocess.run(
        [NGINX, "-t", "-q", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
    )


@needs_nginx
def test_nginx_accepts_script_and_compose_configs(tmp_path):
    r = _nginx_t(render([f"127.0.0.1:{8601 + i}" for i in range(4)], listen="127.0.0.1:8080"), tmp_path)
    assert r.returncode == 0, r.stderr
    compose = compose_services()
    cmd = compose["proxy-config"]["command"]
    replicas = [cmd[i + 1] for i, x in enumerate(cmd) if x == "--replica"]
    r = _nginx_t(render(replicas, listen=cmd[cmd.index("--listen") + 1]), tmp_path)
    assert r.returncode == 0, r.stderr


def compose_services() -> dict:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_compose_file_is_consistent():
    services = compose_services()
    apps = {k: v for k, v in services.items() if k.startswith("app")}
    ips = {v["networks"]["room"]["ipv4_address"] for v in apps.values()}
    cmd = services["proxy-config"]["command"]
    assert cmd[:3] == ["python", "-m", "playground.hosting.proxyconf"]  # the one template, the one renderer
    replicas = {cmd[i + 1] for i, x in enumerate(cmd) if x == "--replica"}
    assert replicas == {f"{ip}:8501" for ip in ips}
    for v in apps.values():
        assert "ports" not in v  # replicas are reachable through the proxy only
        env = v["environment"]
        assert env["OPENBLAS_NUM_THREADS"] == "1" and env["PLAYGROUND_STORE"].startswith("redis://")
    assert services["proxy"]["depends_on"]["proxy-config"]["condition"] == "service_completed_successfully"
    docker = (ROOT / "Dockerfile").read_text()
    assert "USER playground" in docker and "/_stcore/health" in docker and "slim" in docker


@pytest.mark.skipif(
    shutil.which("docker-compose") is None, reason="docker-compose (Debian package) not installed"
)
def test_compose_config_parses():
    r = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr


# -- live routing ------------------------------------------------------------------------------------


class Replica:
    """A fake replica: says who it is, serves /media/<id> only for ids it handed out, echoes headers."""

    def __init__(self, name: str, port: int):
        self.name, self.port = name, port
        self.media: set[str] = set()
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        rep = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                if self.path.startswith("/_stcore/stream?hold"):
                    time.sleep(2.0)  # a live connection that stays open for a while
                if self.path.startswith("/media/"):
                    ok = self.path[7:] in rep.media
                    self.send_response(200 if ok else 404)
                    body = b""
                else:
                    mid = f"{rep.name}-{len(rep.media)}"
                    rep.media.add(mid)
                    h = self.headers
                    seen = f"host={h.get('Host')} upgrade={h.get('Upgrade')} connection={h.get('Connection')}"
                    body = f"{rep.name} {mid} {seen}".encode()
                    self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                self.rfile.read(n)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_PUT = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), H)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


class Browser:
    def __init__(self, port: int):
        self.port = port
        self.cookie: str | None = None

    def get(
        self, path: str = "/", headers: dict | None = None, body: bytes | None = None, method: str = "GET"
    ):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        h = dict(headers or {})
        if self.cookie:
            h["Cookie"] = f"pgreplica={self.cookie}"
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read().decode(errors="replace")
        for k, v in r.getheaders():
            if k.lower() == "set-cookie" and v.startswith("pgreplica="):
                self.cookie = v.split(";")[0].split("=", 1)[1]
        c.close()
        return r, data


@pytest.fixture
def topology(tmp_path):
    if NGINX is None:
        pytest.skip("nginx is not installed (Debian package 'nginx')")
    replicas = [Replica(f"r{i}", free_port()) for i in range(3)]
    for r in replicas:
        r.start()
    port = free_port()
    conf = render([f"127.0.0.1:{r.port}" for r in replicas], listen=f"127.0.0.1:{port}", fail_timeout_s=2)
    (tmp_path / "w.conf").write_text(conf)
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub).chmod(0o777)
    (tmp_path / "nginx.conf").write_text(main_conf(tmp_path / "w.conf", tmp_path, 1))
    proc = subprocess.Popen(
        [NGINX, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-g", "daemon off;"]
    )
    for _ in range(50):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    yield port, replicas
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)
    for r in replicas:
        r.stop()


def served_by(data: str) -> str:
    return data.split()[0]


def test_sticky_every_request_of_a_session_reaches_one_replica(topology):
    port, _ = topology
    b = Browser(port)
    r, data = b.get("/")
    assert r.status == 200 and b.cookie == served_by(data)
    for _ in range(20):
        r, data = b.get("/?x=1")
        assert served_by(data) == b.cookie
        mid = data.split()[1]
        r, _ = b.get(f"/media/{mid}")
        assert r.status == 200  # the image lives on the replica that made it, and we reach that one
    # the websocket upgrade headers and the browser's Host reach the replica
    r, data = b.get("/_stcore/stream", headers={"Upgrade": "websocket", "Connection": "Upgrade"})
    assert f"host=127.0.0.1:{port}" in data and "upgrade=websocket" in data and "connection=upgrade" in data


def test_new_visitors_behind_one_nat_are_spread(topology):
    port, _ = topology
    names = {served_by(Browser(port).get("/")[1]) for _ in range(9)}
    assert len(names) >= 2  # ip_hash would put them all on one replica


def test_unknown_cookie_values_never_reach_proxy_pass(topology):
    port, _ = topology
    for value in ("r9", "127.0.0.1:22", "pg_pool", "$host"):
        b = Browser(port)
        b.cookie = value
        r, data = b.get("/")
        assert r.status == 200 and served_by(data) in {"r0", "r1", "r2"} and b.cookie in {"r0", "r1", "r2"}


def test_failover_repoints_the_cookie_and_a_returning_replica_moves_nobody(topology):
    port, replicas = topology
    browsers = [Browser(port) for _ in range(9)]
    for b in browsers:
        b.get("/")
    victim = next(r for r in replicas if any(b.cookie == r.name for b in browsers))
    moved = [b for b in browsers if b.cookie == victim.name]
    stayed = {id(b): b.cookie for b in browsers if b.cookie != victim.name}
    victim.stop()
    for b in moved:
        r, data = b.get("/")
        assert r.status == 200 and served_by(data) != victim.name and b.cookie == served_by(data)
        mid = data.split()[1]
        assert b.get(f"/media/{mid}")[0].status == 200
    victim.start()
    time.sleep(3.5)  # past the pool's fail_timeout (2 s in this test)
    for b in browsers:
        r, data = b.get("/")
        assert served_by(data) != victim.name  # nobody is moved back
        if id(b) in stayed:
            assert b.cookie == stayed[id(b)]
    fresh = {served_by(Browser(port).get("/")[1]) for _ in range(12)}
    assert victim.name in fresh  # new visitors reach the returning replica


def test_all_replicas_down_gives_a_friendly_retrying_page(topology):
    port, replicas = topology
    for r in replicas:
        r.stop()
    r, data = Browser(port).get("/")
    assert r.status == 503 and "restarting" in data and 'http-equiv="refresh"' in data
    assert "游乐场正在重启" in data and '<div lang="zh">' in data  # in every language of the app
    assert r.getheader("Retry-After") == "5"


def test_security_headers_and_upload_limit(topology):
    port, _ = topology
    b = Browser(port)
    r, _ = b.get("/")
    assert r.getheader("X-Content-Type-Options") == "nosniff"
    assert r.getheader("Referrer-Policy") == "no-referrer"  # the URL holds the run's id: never leak it
    assert r.getheader("Server") == "nginx"  # no version
    set_cookie = [v for k, v in r.getheaders() if k.lower() == "set-cookie"][0]
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    r, _ = b.get(
        "/_stcore/upload_file/x", method="POST", body=b"0" * (7 << 20), headers={"Content-Type": "text/csv"}
    )
    assert r.status == 413
    r, _ = b.get(
        "/_stcore/upload_file/x", method="POST", body=b"0" * (4 << 20), headers={"Content-Type": "text/csv"}
    )
    assert r.status == 200


def test_uploads_from_one_address_are_rate_limited(topology):
    """Issue 13 §5: 40 uploads in a second from one address used to reach the replica; the proxy
    answers 429 beyond a burst of 5 (12 a minute), and other requests are not affected."""
    port, _ = topology
    b = Browser(port)
    codes = [
        b.get(f"/_stcore/upload_file/sess/{i}", body=b"x" * 1000, method="PUT")[0].status for i in range(25)
    ]
    assert codes.count(200) >= 5 and codes.count(429) >= 15, codes
    assert b.get("/")[0].status == 200


def test_one_address_cannot_open_every_live_connection(topology):
    """Issue 13 §3: at most ws_per_address (10) live connections from one address at once; another
    address still gets in while they are held."""
    port, _ = topology
    results: list[int] = []

    def hold(source: str) -> None:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
        c.request("GET", "/_stcore/stream?hold", headers={"Upgrade": "websocket", "Connection": "Upgrade"})
        results.append(c.getresponse().status)
        c.close()

    threads = [threading.Thread(target=hold, args=("127.0.0.1",)) for _ in range(14)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    other = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=("127.0.0.2", 0))
    other.request("GET", "/_stcore/stream", headers={"Upgrade": "websocket", "Connection": "Upgrade"})
    assert other.getresponse().status == 200  # another learner's address is not affected
    for t in threads:
        t.join()
    assert results.count(200) == 10 and results.count(429) == 4, results
