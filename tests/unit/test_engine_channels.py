"""Rasa's socket.io channel delivers on our versions (nlu_ext/socketio_channel.py and
nlu_ext/sanic_websocket.py): custom JSON, the session's room and the WebSocket transport, each
compared with Rasa's and sanic's own code in the engine's environment."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINE_PYTHON = ROOT / ".venvs" / "engine" / "bin" / "python"

pytestmark = pytest.mark.skipif(
    not ENGINE_PYTHON.exists(), reason="the engine venv is built by `make setup`"
)


def test_socketio_channel_and_websocket_fixes_match_rasa_and_sanic() -> None:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    result = subprocess.run(
        [
            str(ENGINE_PYTHON),
            "-W",
            "ignore",
            str(ROOT / "tests/engine/engine_checks.py"),
            "socketio_channel",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
