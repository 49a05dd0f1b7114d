"""Shared fixtures.

`db` gives every test a fresh, migrated database:
- default: a SQLite file in the test's tmp dir;
- with DATABASE_URL=postgresql://... set: a private PostgreSQL schema (created, migrated and
  dropped per test) so parallel runs and other data in that database are never touched.
The schema is built by the real Alembic migration, so the migration is tested on both.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from bot.config import Settings, get_settings
from bot.db.session import dispose_engines, get_sessionmaker, init_db

PG_URL = os.environ.get("DATABASE_URL", "")
_RUN_ID = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"


def _pg_admin_url() -> str:
    url = PG_URL
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_postgres() -> bool:
    return PG_URL.startswith(("postgres://", "postgresql"))


@pytest.fixture
def db_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> str:
    """Point settings at a fresh database and neutral test settings; returns the schema/URL."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SECRET_KEY", "test-secret-key")
    monkeypatch.setenv("ENCRYPTION_KEY", "")
    monkeypatch.setenv("MUNICIPALITY_NAME", "Demo Kommune")
    monkeypatch.setenv("OUTBOX_IMMEDIATE", "false")
    # Demo mode with the seeded logins usable as they are (tests/security checks the rest).
    monkeypatch.setenv("SKOLEBRO_MODE", "demo")
    monkeypatch.setenv("SEED_PASSWORD_CHANGE", "false")
    monkeypatch.setenv("RETENTION_INTERVAL_SECONDS", "0")
    for name in ("WEBHOOK_URL", "WEBHOOK_SECRET", "SMTP_HOST", "SMTP_FROM", "NOTIFY_EMAIL"):
        monkeypatch.setenv(name, "")
    if is_postgres():
        schema = f"sbtest_{_RUN_ID}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(_pg_admin_url())
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        sep = "&" if "?" in PG_URL else "?"
        monkeypatch.setenv("DATABASE_URL", f"{PG_URL}{sep}options=-csearch_path%3D{schema}")

        def drop() -> None:
            dispose_engines()
            eng = create_engine(_pg_admin_url())
            with eng.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            eng.dispose()

        request.addfinalizer(drop)
        target = schema
    else:
        monkeypatch.setenv("DATABASE_URL", "")
        target = str(tmp_path / "var" / "skolebro.db")
    get_settings.cache_clear()
    dispose_engines()
    request.addfinalizer(get_settings.cache_clear)
    request.addfinalizer(dispose_engines)
    return target


@pytest.fixture
def settings(db_env: str) -> Settings:
    return get_settings()


@pytest.fixture
def db(db_env: str) -> Iterator[Session]:
    """A fresh migrated database; yields a session for direct inspection in tests."""
    init_db()
    session = get_sessionmaker()()
    try:
        yield session
    finally:
        session.close()
