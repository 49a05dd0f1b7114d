"""Items 2, 3, 9 and 13 where they live in the action server and the Rasa engine."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.safety import ActionSafety
from bot import intake
from bot.db.models import Signal

ROOT = Path(__file__).resolve().parents[2]
ENGINE_PYTHON = ROOT / ".venvs" / "engine" / "bin" / "python"
sys.path.insert(0, str(ROOT / "scripts"))

import stack as stack_mod  # noqa: E402


def _tracker(sender: str, text: str) -> Tracker:
    return Tracker(
        sender_id=sender,
        slots={"role": "forælder", "consent_given": True},
        latest_message={"text": text, "intent": {"name": "risk_sexual_abuse"}, "entities": []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def test_safety_action_stores_at_most_2000_characters(db: Session) -> None:
    intake.start_conversation("conv-long")
    intake.set_role("conv-long", "parent")
    intake.record_consent("conv-long", "parent", "opsummering", True)
    text = "han slår mig " + "x" * 5000
    asyncio.run(ActionSafety().run(CollectingDispatcher(), _tracker("conv-long", text), {}))
    stored = db.scalars(select(Signal)).all()
    assert stored and all(len(s.source_text or "") <= 2000 for s in stored)


def test_action_server_refuses_calls_without_the_shared_secret() -> None:
    import rasa_sdk_plugins as plugin

    check = plugin.secret_check("rigtig-hemmelighed")

    def request(path: str, secret: str | None) -> SimpleNamespace:
        headers = {plugin.ACTION_SECRET_HEADER: secret} if secret is not None else {}
        return SimpleNamespace(path=path, headers=headers)

    for secret in (None, "", "forkert"):
        refused = asyncio.run(check(request("/webhook", secret)))
        assert refused is not None and refused.status == 401
    assert asyncio.run(check(request("/actions", None))).status == 401
    assert asyncio.run(check(request("/webhook", "rigtig-hemmelighed"))) is None
    assert asyncio.run(check(request("/health", None))) is None


def test_endpoints_and_command_lines_hold_no_secret(tmp_path: Path) -> None:
    st = stack_mod.Stack(data_dir=tmp_path, rasa_port=1, action_port=2, api_port=3)
    st.build(ROOT / "models" / "skolebro.tar.gz")
    env = st.procs[0].env
    endpoints = (tmp_path / "endpoints.yml").read_text()
    assert "${SKOLEBRO_ACTION_SECRET}" in endpoints and env["SKOLEBRO_ACTION_SECRET"]
    assert env["SKOLEBRO_ACTION_SECRET"] not in endpoints
    assert env["SANIC_HOST"] == "127.0.0.1"
    for proc in st.procs:
        assert st.rasa_token not in " ".join(proc.cmd), proc.name
        assert env["SKOLEBRO_ACTION_SECRET"] not in " ".join(proc.cmd), proc.name


@pytest.mark.skipif(not ENGINE_PYTHON.exists(), reason="the engine venv is built by make setup")
def test_tracker_store_encrypts_and_drops_pre_consent_text() -> None:
    url = stack_mod.fresh_database(os.environ.get("DATABASE_URL", ""), "security_tracker")
    result = subprocess.run(
        [
            str(ENGINE_PYTHON),
            "-W",
            "ignore",
            str(ROOT / "tests/engine/engine_checks.py"),
            "tracker_privacy",
            url,
        ],
        cwd=ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
