"""Item 1 (and 8, 13): demo vs production mode, per-purpose keys, seeded passwords."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from api.main import create_app, lifespan
from bot import crypto, startup
from bot.config import DEMO_SECRET_KEY, Settings, get_settings, production_problems
from bot.seed import seed_demo

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "secret_key": "k" * 8 + "Zq3!pL0vE-n0t-a-d3f4ult-s3cr3t-xyzw",
    "encryption_key": crypto.generate_key(),
}


def test_mode_follows_the_database_unless_set() -> None:
    assert Settings(database_url="", skolebro_mode="").mode == "demo"
    assert Settings(database_url="postgresql://db/x", skolebro_mode="").mode == "production"
    assert Settings(database_url="", skolebro_mode="production").mode == "production"


def test_production_refuses_defaults_and_names_each_problem() -> None:
    found = production_problems(
        Settings(skolebro_mode="production", secret_key=DEMO_SECRET_KEY, encryption_key="")
    )
    assert any("SECRET_KEY" in p for p in found) and any("ENCRYPTION_KEY" in p for p in found)
    assert all("\n" not in p for p in found)
    short = production_problems(Settings(secret_key="kort-men-ikke-standard", encryption_key=""))
    assert any("SECRET_KEY" in p for p in short)
    hooks = Settings(**GOOD, webhook_url="https://x.dk/hook", webhook_secret="")
    assert any("WEBHOOK_SECRET" in p for p in production_problems(hooks))
    assert production_problems(Settings(**GOOD)) == []
    assert any("demo-bruger" in p for p in production_problems(Settings(**GOOD), demo_users=4))


def test_keys_are_separate_per_purpose() -> None:
    s = Settings(secret_key=GOOD["secret_key"], encryption_key="")
    keys = {p: crypto.derive_key(s.secret_key, p) for p in crypto.PURPOSES}
    assert len(set(keys.values())) == len(keys)
    assert s.secret_key.encode() not in keys.values()
    fernet = crypto.fernet_key_for("encryption", "", s.secret_key)
    tracker = crypto.fernet_key_for("tracker-store", "", s.secret_key)
    texts = {s.rasa_api_token, s.action_server_secret, fernet.decode(), tracker.decode()}
    assert len(texts) == 4 and s.secret_key not in texts
    assert crypto.webhook_key(s) != s.secret_key.encode()
    assert crypto.webhook_key(Settings(webhook_secret="egen")) == b"egen"


def test_smtp_starttls_on_by_default() -> None:
    assert Settings().smtp_starttls is True


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ENCRYPTION_KEY")}
    env.update(
        SKOLEBRO_MODE="production",
        DATA_DIR=str(tmp_path),
        DATABASE_URL="",
        SECRET_KEY=DEMO_SECRET_KEY,
        ENCRYPTION_KEY="",
        **extra,
    )
    return env


def test_make_run_in_production_with_defaults_stops_with_clear_lines(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "scripts/stack.py", "run"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if "produktion kan ikke starte" in line]
    assert any("SECRET_KEY" in line for line in lines), result.stderr
    assert any("ENCRYPTION_KEY" in line for line in lines), result.stderr
    assert "Chat page" not in result.stdout


def test_api_and_action_server_refuse_production_defaults(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKOLEBRO_MODE", "production")
    get_settings.cache_clear()

    async def start_api() -> None:
        async with lifespan(create_app()):
            pass

    with pytest.raises(SystemExit):
        asyncio.run(start_api())
    import rasa_sdk_plugins

    with pytest.raises(SystemExit):
        rasa_sdk_plugins._expected_secret()


def test_production_refuses_seeded_demo_users(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_demo()  # demo mode: the four demo logins
    for name, value in GOOD.items():
        monkeypatch.setenv(name.upper(), value)
    monkeypatch.setenv("SKOLEBRO_MODE", "production")
    get_settings.cache_clear()
    found = startup.problems()
    assert len(found) == 1 and "demo-bruger" in found[0], found
    # And production never seeds them in the first place.
    assert seed_demo()["workers"] == 0


def test_demo_banner_says_demo() -> None:
    assert "DEMO" in startup.mode_line(Settings(skolebro_mode="demo"))
