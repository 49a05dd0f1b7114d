#!/usr/bin/env bash
# The production layout's entry point is Debian's nginx (make bench, the nginx e2e tests,
# `nginx -t` in make test). Install it from Debian's packages when it is missing.
set -euo pipefail
if [ ! -x /usr/sbin/nginx ]; then
  echo "installing Debian's nginx ..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi
