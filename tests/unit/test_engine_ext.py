"""The Rasa engine extensions (nlu_ext) behave as Rasa's own code does, only faster.

Rasa lives in its own virtual environment, so each check runs there in a subprocess
(tests/engine/engine_checks.py) and reports what differed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINE_PYTHON = ROOT / ".venvs" / "engine" / "bin" / "python"
sys.path.insert(0, str(ROOT / "scripts"))

import stack  # noqa: E402

pytestmark = pytest.mark.skipif(
    not ENGINE_PYTHON.exists(), reason="the engine venv is built by `make setup`"
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    return subprocess.run(
        [str(ENGINE_PYTHON), "-W", "ignore", str(ROOT / "tests/engine/engine_checks.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


SPEEDUP_CHECKS = [
    "applied_events",
    "action_payload",
    "button_parse",
    "response_validation",
    "freeze_after_load",
    "token_argument",
    "intent_blend",
    "unsure_not_safe",
    "acute_outranks_kind",
    "long_commands",
    "rule_keys",
    "graph_runner",
    "state_history",
    "diet_inference",
]


@pytest.fixture(scope="module")
def speedup_results() -> dict[str, subprocess.CompletedProcess[str]]:
    """Each check in its own engine process (a check patches Rasa's classes), two at a time:
    most of a check's time is importing Rasa and TensorFlow, one core each."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(SPEEDUP_CHECKS, pool.map(_run, SPEEDUP_CHECKS), strict=True))


@pytest.mark.parametrize("check", SPEEDUP_CHECKS)
def test_engine_speedup_matches_rasa(
    check: str, speedup_results: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    result = speedup_results[check]
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]


def test_cached_tracker_store_never_serves_a_stale_conversation() -> None:
    # On the run's database: SQLite by default, PostgreSQL when DATABASE_URL names one.
    url = stack.fresh_database(os.environ.get("DATABASE_URL", ""), "engine_checks")
    result = _run("tracker_store", url)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]


def test_lock_store_keeps_one_message_of_a_conversation_at_a_time() -> None:
    # Several Rasa workers share the lock on the Redis the stack uses (the machine's own in CI).
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    if not stack.reachable(url, 6379, timeout=1):
        pytest.skip("no Redis at REDIS_URL")
    result = _run("lock_store", url)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
