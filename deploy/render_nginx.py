#!/usr/bin/env python3
"""Render Skolebro's nginx configuration (deploy/nginx/skolebro.conf.in) for N Rasa workers.

    python3 deploy/render_nginx.py --workers 4 --server-name skolebro.kommune.dk \\
        --tls-cert /etc/ssl/certs/skolebro.pem --tls-key /etc/ssl/private/skolebro.key \\
        > /etc/nginx/conf.d/skolebro.conf

Standard library only, so an operator can run it with the system's python3. The result goes in
nginx's http context. scripts/stack.py renders the same template for the production layout it
starts (RASA_WORKERS > 1) and wraps it in a small main configuration (`main_config`).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "skolebro.conf.in"

# Danish answers nginx gives itself (JSON, as the chat page and the API speak JSON).
ERRORS = {
    "too_large": (413, "Beskeden er for lang. Skriv den gerne lidt kortere."),
    "too_many": (429, "Der kommer for mange beskeder på kort tid. Vent et øjeblik, og prøv igen."),
    "unavailable": (503, "Skolebro svarer ikke lige nu. Prøv igen om lidt."),
}


def _lines(indent: int, *lines: str) -> str:
    pad = " " * indent
    return "\n".join(pad + line if line else "" for line in lines)


def _proxy_headers(connection: str) -> list[str]:
    # proxy_set_header in a location replaces every inherited one, so each location sets all.
    return [
        "proxy_set_header Host $http_host;",
        "proxy_set_header X-Real-IP $remote_addr;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        f"proxy_set_header Connection {connection};",
    ]


def _headers(tls: bool, chat: bool) -> str:
    """Security headers; add_header in a location replaces inherited ones, so each sets all."""
    lines = []
    if chat:
        # Chat replies are personal data: never cached, never framed, never sniffed.
        lines += [
            'add_header Cache-Control "no-store" always;',
            'add_header X-Content-Type-Options "nosniff" always;',
            'add_header X-Frame-Options "DENY" always;',
            'add_header Referrer-Policy "no-referrer" always;',
        ]
    if tls:
        lines.append('add_header Strict-Transport-Security "max-age=31536000" always;')
    else:
        lines.append(
            '# add_header Strict-Transport-Security "max-age=31536000" always;  # with TLS'
        )
    return _lines(8, *lines)


def _rest_proxy() -> str:
    return _lines(
        8,
        "# The body stays in one memory buffer, so $request_body (the sender) is readable.",
        "client_max_body_size 16k;",
        "client_body_buffer_size 16k;",
        "client_body_in_single_buffer on;",
        "proxy_read_timeout 120s;",
        *_proxy_headers('""'),
        "proxy_pass http://skolebro_rasa_rest;",
    )


def _socketio_proxy() -> str:
    return _lines(
        8,
        "client_max_body_size 64k;",
        "proxy_buffering off;  # long polling",
        "proxy_read_timeout 75s;  # Engine.IO pings every 25 s",
        "proxy_set_header Upgrade $http_upgrade;",
        *_proxy_headers("$skolebro_connection"),
        "proxy_pass http://skolebro_rasa_socketio;",
    )


def _error_locations(tls: bool) -> str:
    blocks = []
    for name, (status, text) in ERRORS.items():
        body = '{"error": "%s"}' % text  # noqa: UP031 (nginx's own braces)
        retry = ['add_header Retry-After "5" always;'] if status in (429, 503) else []
        blocks.append(
            _lines(
                4,
                f"location @skolebro_{name} {{",
                '    default_type "application/json; charset=utf-8";',
                *["    " + h for h in retry],
                *["    " + h.strip() for h in _headers(tls, chat=True).splitlines()],
                f"    return {status} '{body}';",
                "}",
            )
        )
    return "\n".join(blocks)


def _entry_server(listen: str, tls: bool, chat_burst: int) -> str:
    if not listen:
        return ""
    return "\n".join(
        [
            "# --- Entry point on the Rasa port: every Rasa route, for tools on this host ---",
            "# The chat channels as on the public site, plus Rasa's HTTP API (it answers only with",
            "# ?token=RASA_TOKEN). Keep this port closed to the outside.",
            "server {",
            f"    listen {listen};",
            "    server_tokens off;",
            "    proxy_http_version 1.1;",
            "    proxy_next_upstream error timeout;",
            "    limit_req_status 429;",
            "    error_page 413 = @skolebro_too_large;",
            "    error_page 429 = @skolebro_too_many;",
            "    error_page 502 503 504 = @skolebro_unavailable;",
            "",
            "    location /socket.io/ {",
            f"        limit_req zone=skolebro_chat burst={chat_burst} nodelay;",
            _socketio_proxy(),
            _headers(tls, chat=True),
            "    }",
            "",
            "    location / {",
            f"        limit_req zone=skolebro_chat burst={chat_burst} nodelay;",
            _rest_proxy(),
            _headers(tls, chat=True),
            "    }",
            "",
            _error_locations(tls),
            "}",
            "",
        ]
    )


def _tls(cert: str, key: str) -> tuple[str, str]:
    """(directives inside the site server, a port-80 redirect server before it)."""
    directives = [
        "listen 443 ssl;",
        "listen [::]:443 ssl;",
        f"ssl_certificate {cert or '/etc/ssl/certs/skolebro.pem'};",
        f"ssl_certificate_key {key or '/etc/ssl/private/skolebro.key'};",
        "ssl_protocols TLSv1.2 TLSv1.3;",
        "ssl_session_cache shared:skolebro_tls:10m;",
        "ssl_session_timeout 1d;",
    ]
    if cert and key:
        redirect = (
            "server {\n    listen 80;\n    listen [::]:80;\n    server_tokens off;\n"
            "    return 301 https://$host$request_uri;\n}\n\n"
        )
        return _lines(4, "# TLS", *directives), redirect
    commented = ["# TLS: render with --tls-cert and --tls-key, or uncomment and set the paths:"]
    commented += ["# " + d for d in directives]
    return _lines(4, *commented), ""


def render(
    workers: list[str],
    api: str,
    *,
    site_listen: str = "80",
    server_name: str = "_",
    entry_listen: str = "",
    tls_cert: str = "",
    tls_key: str = "",
    unlimited: list[str] | None = None,
    chat_rate: int = 20,
    chat_burst: int = 200,
    api_rate: int = 20,
    api_burst: int = 100,
) -> str:
    """The configuration for Rasa workers at `workers` (host:port) and the API at `api`."""
    if not workers:
        raise ValueError("at least one Rasa worker")
    tls_on = bool(tls_cert and tls_key)
    tls, redirect = _tls(tls_cert, tls_key)
    values = {
        "worker_count": str(len(workers)),
        "rasa_servers": _lines(4, *[f"server {w} max_fails=1 fail_timeout=5s;" for w in workers]),
        "api_server": api,
        "unlimited": _lines(4, *[f"{net} 1;" for net in unlimited or []]),
        "chat_rate": str(chat_rate),
        "api_rate": str(api_rate),
        "api_burst": str(api_burst),
        "entry_server": _entry_server(entry_listen, tls_on, chat_burst),
        "server_name": server_name,
        # With TLS, port 80 belongs to the redirect server.
        "site_listen": "" if tls_on else _lines(4, f"listen {site_listen};"),
        "tls": tls,
        "tls_redirect": redirect,
        "chat_limits": _lines(8, f"limit_req zone=skolebro_chat burst={chat_burst} nodelay;"),
        "rest_proxy": _rest_proxy(),
        "socketio_proxy": _socketio_proxy(),
        "chat_headers": _headers(tls_on, chat=True),
        "site_headers": _headers(tls_on, chat=False),
        "error_locations": _error_locations(tls_on),
    }
    template = TEMPLATE.read_text()
    missing = set(re.findall(r"{{(\w+)}}", template)) - set(values)
    if missing:
        raise KeyError(f"template placeholders without a value: {sorted(missing)}")
    return re.sub(r"{{(\w+)}}", lambda m: values[m.group(1)], template)


def main_config(site: Path, prefix: Path, *, error_log: Path, access_log: Path) -> str:
    """A whole nginx.conf around `site` for an nginx started by a user, not by the system:
    pid, temporary files and logs under `prefix` (scripts/stack.py, `make test`)."""
    user = "user root root;  # workers as the launching user (nginx ignores this unless root)\n"
    return (
        "# Written by Skolebro's launcher; production uses the system's nginx.conf.\n"
        + (user if os.geteuid() == 0 else "")
        + "worker_processes 1;\n"
        f"pid {prefix / 'nginx.pid'};\n"
        f"error_log {error_log} warn;\n"
        "events { worker_connections 4096; }\n"
        "http {\n"
        # Which worker answered which conversation (the id is a random pseudonym, no content).
        '    log_format skolebro \'$remote_addr [$time_local] "$request" $status '
        "$upstream_addr conversation=$skolebro_conversation $request_time';\n"
        f"    access_log {access_log} skolebro;\n"
        "    default_type application/octet-stream;\n"
        f"    client_body_temp_path {prefix / 'client_body'};\n"
        f"    proxy_temp_path {prefix / 'proxy'};\n"
        f"    fastcgi_temp_path {prefix / 'fastcgi'};\n"
        f"    uwsgi_temp_path {prefix / 'uwsgi'};\n"
        f"    scgi_temp_path {prefix / 'scgi'};\n"
        "    sendfile on;\n"
        "    tcp_nodelay on;\n"
        "    keepalive_timeout 65;\n"
        f"    include {site};\n"
        "}\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="Rasa workers (default 2)")
    parser.add_argument("--first-worker-port", type=int, default=5006)
    parser.add_argument("--worker", action="append", default=[], help="host:port (repeatable)")
    parser.add_argument("--api", default="127.0.0.1:8000", help="the API's host:port")
    parser.add_argument("--server-name", default="_", help="public host name")
    parser.add_argument("--listen", default="80", help="the public site's plain-HTTP listen")
    parser.add_argument("--entry-listen", default="", help="e.g. 127.0.0.1:5005 (Rasa's API)")
    parser.add_argument("--tls-cert", default="")
    parser.add_argument("--tls-key", default="")
    parser.add_argument("--unlimited", action="append", default=[], help="address/CIDR")
    parser.add_argument("--chat-rate", type=int, default=20, help="requests/s per address")
    parser.add_argument("--chat-burst", type=int, default=200)
    args = parser.parse_args(argv)
    workers = args.worker or [
        f"127.0.0.1:{args.first_worker_port + i}" for i in range(args.workers)
    ]
    sys.stdout.write(
        render(
            workers,
            args.api,
            site_listen=args.listen,
            server_name=args.server_name,
            entry_listen=args.entry_listen,
            tls_cert=args.tls_cert,
            tls_key=args.tls_key,
            unlimited=args.unlimited,
            chat_rate=args.chat_rate,
            chat_burst=args.chat_burst,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
