#!/usr/bin/env bash
# `nginx -t` on the shipped configuration as an operator renders it: plain HTTP with the
# commented TLS placeholders, and with TLS (a throw-away self-signed certificate).
set -euo pipefail
cd "$(dirname "$0")/.."
NGINX=${NGINX:-/usr/sbin/nginx}
if [ ! -x "$NGINX" ]; then
  # CI installs it (.ci/run); a developer machine without nginx is told, not failed.
  echo "nginx -t: SKIPPED, $NGINX is missing (apt-get install nginx)" >&2
  [ "${CI:-}" = "true" ] && exit 1
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=skolebro.test \
  -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
for variant in plain tls; do
  args=(--workers 4 --server-name skolebro.test --entry-listen 127.0.0.1:5005 --listen 127.0.0.1:8080)
  [ "$variant" = tls ] && args+=(--tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem")
  python3 deploy/render_nginx.py "${args[@]}" > "$tmp/skolebro-$variant.conf"
  python3 -c 'import sys; sys.path.insert(0, "deploy"); import render_nginx as r; from pathlib import Path
p = Path(sys.argv[1]); print(r.main_config(Path(sys.argv[2]), p, error_log=p / "error.log", access_log=p / "access.log"))' \
    "$tmp" "$tmp/skolebro-$variant.conf" > "$tmp/nginx-$variant.conf"
  "$NGINX" -t -q -p "$tmp" -e "$tmp/error.log" -c "$tmp/nginx-$variant.conf"
  echo "nginx -t: deploy/nginx/skolebro.conf.in ($variant, 4 workers) ok"
done
