"""Render ``deploy/nginx-workshop.conf.template`` for a list of replicas (the one proxy config source).

    python -m playground.hosting.proxyconf --listen 0.0.0.0:8080 \
        --replica 127.0.0.1:8601 --replica 127.0.0.1:8602 --out /tmp/pg/workshop.conf

The script (``scripts/serve-workshop``) and docker-compose (its ``proxy-config`` service) both call this.
"""

from __future__ import annotations

import argparse
import html
import ipaddress
import re
import sys
from pathlib import Path

from playground.i18n import LANGUAGES, N_, _, using

TEMPLATE = Path(__file__).resolve().parents[2] / "deploy" / "nginx-workshop.conf.template"
_ADDR = re.compile(r"^(?P<host>[0-9.]+|\[[0-9a-fA-F:]+\]):(?P<port>\d{1,5})$")


def check_address(addr: str) -> str:
    """``ip:port`` (nginx's $upstream_addr is always numeric, so the replicas are named by IP)."""
    m = _ADDR.match(addr)
    if not m:
        raise ValueError(f"A replica is an IP:port (numeric, as nginx reports it), not {addr!r}.")
    ipaddress.ip_address(m["host"].strip("[]"))
    if not 0 < int(m["port"]) < 65536:
        raise ValueError(f"Bad port in {addr!r}.")
    return addr


DOWN_TITLE = N_("The playground is restarting")
DOWN_TEXT = N_(
    "Every server of the room is busy or restarting. This page retries in 5 seconds; your settings are "
    "in the address bar and your run is saved."
)


def down_page() -> str:
    """The page nginx answers while no replica can (503, retried every 5 s): every language of the app
    on one page, since the proxy cannot know the learner's (an nginx single-quoted string: no ``'``)."""
    parts = []
    for lang in LANGUAGES:
        with using(lang):
            parts.append((lang, html.escape(_(DOWN_TITLE)), html.escape(_(DOWN_TEXT))))
    title = " · ".join(t for _lang, t, _text in parts)
    body = "".join(f'<div lang="{lang}"><h2>{t}</h2><p>{text}</p></div>' for lang, t, text in parts)
    page = (
        '<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">'
        f"<title>{title}</title></head>"
        f'<body style="font-family:sans-serif;max-width:36em;margin:4em auto">{body}</body></html>'
    )
    return page.replace("'", "&#39;").replace("\\", "&#92;")


def render(
    replicas: list[str],
    listen: str = "127.0.0.1:8080",
    max_body: str = "6m",
    fail_timeout_s: int = 3,
    template: Path = TEMPLATE,
    uploads_per_min: int = 12,
    ws_per_address: int = 10,
    weights: list[int] | None = None,
) -> str:
    """The nginx ``http``-block config for ``replicas`` (``ip:port`` each; cookie names r0, r1, …);
    ``weights`` are the new-visitor pool's weights (see :func:`balance_weights`)."""
    if not replicas:
        raise ValueError("At least one replica.")
    addrs = [check_address(a) for a in replicas]
    if len(set(addrs)) != len(addrs):
        raise ValueError("Replica addresses must differ.")
    if not re.fullmatch(r"(\[[0-9a-fA-F:]+\]:|[0-9.]+:)?\d{1,5}", listen):
        raise ValueError(f"listen is [ip:]port, not {listen!r}.")
    if not re.fullmatch(r"\d{1,4}[km]", max_body):
        raise ValueError(f"max_body is like 6m, not {max_body!r}.")
    names = [f"r{i}" for i in range(len(addrs))]
    cookie_map = "\n".join(f'    "{n}" pg_{n};' for n in names)
    addr_map = "\n".join(f'    "~(^|\\s){re.escape(a)}$" {n};' for n, a in zip(names, addrs, strict=True))
    weights = list(weights) if weights is not None else [1] * len(addrs)
    if len(weights) != len(addrs) or not all(isinstance(w, int) and 1 <= w <= 1000 for w in weights):
        raise ValueError(f"One weight (1–1000) per replica, not {weights!r}.")
    pool = "\n".join(
        f"    server {a} weight={w} max_fails=1 fail_timeout={int(fail_timeout_s)}s;"
        for a, w in zip(addrs, weights, strict=True)
    )
    ups = "\n\n".join(
        f"upstream pg_{n} {{\n    server {a} max_fails=0;\n}}" for n, a in zip(names, addrs, strict=True)
    )
    text = template.read_text()
    for key, value in {
        "COOKIE_MAP": cookie_map,
        "ADDR_MAP": addr_map,
        "POOL_SERVERS": pool,
        "REPLICA_UPSTREAMS": ups,
        "LISTEN": listen,
        "MAX_BODY": max_body,
        "UPLOADS_PER_MIN": str(int(uploads_per_min)),
        "WS_PER_ADDRESS": str(int(ws_per_address)),
        "DOWN_PAGE": down_page(),
    }.items():
        text = text.replace("{{" + key + "}}", value)
    left = re.findall(r"\{\{[A-Z_]+\}\}", text)
    if left:
        raise ValueError(f"Template slots left unfilled: {left}")
    return text


def balance_weights(connections: list[int], cap: int = 50) -> list[int]:
    """Pool weights that send new visitors to the replicas with fewer live connections.

    nginx's ``least_conn`` counts only the connections made through the pool, i.e. new visitors'
    first page loads, which last milliseconds: everyone else is pinned to a replica by the cookie and
    reaches it through its own upstream block, invisible to the pool. So the pool all but round-robins
    (after a replica restart, half of the new visitors still went to the loaded one). The supervisor
    counts each replica's established connections and sets the weights: the least loaded replica gets
    ``1 + (most − its count)`` (capped), so nginx's weighted choice among equally idle pool servers
    prefers it in proportion; equal loads give equal weights."""
    if not connections:
        return []
    top = max(connections)
    return [1 + min(cap - 1, top - c) for c in connections]


def main_conf(http_conf: Path, run_dir: Path, worker_processes: int | str = "auto") -> str:
    """A complete nginx.conf around the http-block config, for running nginx as a normal user in
    ``run_dir`` (pid, temp paths, logs there)."""
    r = run_dir
    return f"""worker_processes {worker_processes};
pid {r}/nginx.pid;
error_log {r}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log {r}/nginx-access.log;
    client_body_temp_path {r}/client_body;
    proxy_temp_path {r}/proxy;
    fastcgi_temp_path {r}/fastcgi;
    uwsgi_temp_path {r}/uwsgi;
    scgi_temp_path {r}/scgi;
    include {http_conf};
}}
"""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replica", action="append", required=True, help="ip:port of a replica (repeat)")
    p.add_argument("--listen", default="127.0.0.1:8080")
    p.add_argument("--max-body", default="6m")
    p.add_argument("--ws-per-address", type=int, default=10, help="live connections from one address")
    p.add_argument("--out", help="write here (default: stdout)")
    a = p.parse_args(argv)
    text = render(a.replica, a.listen, a.max_body, ws_per_address=a.ws_per_address)
    if a.out:
        Path(a.out).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
