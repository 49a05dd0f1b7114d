#!/usr/bin/env bash
# Create or update the two virtual environments. Idempotent: each env records the hash of the
# files it was built from and is only touched again when those files change.
#   .venvs/engine  Rasa 3.6.21 + rasa-sdk 3.6.2 and their pinned dependencies (engine/requirements.lock)
#   .venvs/app     Skolebro itself: action server (rasa-sdk 3.21), API, core, tests (pyproject.toml)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
"$PY" -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'

stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

ENGINE_STAMP="$(stamp_of engine/requirements.lock scripts/setup_env.sh)"
if [ "$(cat .venvs/engine/.stamp 2>/dev/null)" != "$ENGINE_STAMP" ]; then
  echo "setup: building the Rasa engine environment (.venvs/engine) ..."
  "$PY" -m venv .venvs/engine
  .venvs/engine/bin/pip install -q --disable-pip-version-check -r engine/requirements.lock
  # Rasa 3.6.21 declares Python <3.11 and matplotlib <3.6; both run fine here, so its own
  # metadata is bypassed and the lock file above provides every dependency.
  .venvs/engine/bin/pip install -q --disable-pip-version-check --no-deps \
    --ignore-requires-python rasa==3.6.21 rasa-sdk==3.6.2
  echo "$ENGINE_STAMP" > .venvs/engine/.stamp
fi

APP_STAMP="$(stamp_of pyproject.toml scripts/setup_env.sh)"
if [ "$(cat .venvs/app/.stamp 2>/dev/null)" != "$APP_STAMP" ]; then
  echo "setup: building the app environment (.venvs/app) ..."
  "$PY" -m venv .venvs/app
  .venvs/app/bin/pip install -q --disable-pip-version-check -e '.[dev]'
  echo "$APP_STAMP" > .venvs/app/.stamp
fi
