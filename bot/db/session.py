"""Engine and session factory from settings; schema creation through Alembic.

The action server calls the intake facade synchronously, so every facade call opens one short
session_scope() transaction. Engines are cached per URL so tests can point at a fresh database
by changing settings and calling dispose_engines().
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import PROJECT_ROOT, get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

_lock = threading.Lock()
_engines: dict[str, Engine] = {}
_makers: dict[str, sessionmaker[Session]] = {}


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # SQLite ignores foreign keys unless asked per connection; WAL lets the API read while
    # the action server writes; busy_timeout turns brief lock waits into waits, not errors.
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


# A pooled connection idle for longer than this is checked with a ping before it is used (the
# server may have restarted or a firewall dropped it). One in steady use is not: SQLAlchemy's
# pool_pre_ping pinged on every checkout, a round trip per transaction (~6 % of the action
# server's CPU at 600 people). A connection that breaks anyway fails that one call (the person
# is told and the answer is kept by the dialogue) and SQLAlchemy replaces the pool.
IDLE_PING_SECONDS = 20.0


def _mark_checkin(_dbapi_conn: Any, record: Any) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
    last = record.info.get("checked_in_at")
    if last is not None and time.monotonic() - last < IDLE_PING_SECONDS:
        return
    try:
        cursor = dbapi_conn.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_conn.rollback()
    except Exception as exc:  # noqa: BLE001 - any failure means: not usable
        # The pool discards this connection and checks out (or opens) another.
        raise DisconnectionError(str(exc)) from exc


def current_url() -> str:
    return get_settings().sqlalchemy_url


def get_engine(url: str | None = None) -> Engine:
    url = url or current_url()
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            parsed = make_url(url)
            kwargs: dict[str, Any] = {"future": True}
            if parsed.get_backend_name() == "sqlite":
                if parsed.database and parsed.database != ":memory:":
                    Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                kwargs["connect_args"] = {"check_same_thread": False}
            engine = create_engine(url, **kwargs)
            if parsed.get_backend_name() == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
            else:
                event.listen(engine.pool, "checkout", _ping_if_idle)
                event.listen(engine.pool, "checkin", _mark_checkin)
            _engines[url] = engine
        return engine


def get_sessionmaker(url: str | None = None) -> sessionmaker[Session]:
    url = url or current_url()
    maker = _makers.get(url)
    if maker is None:
        maker = sessionmaker(bind=get_engine(url), expire_on_commit=False)
        _makers[url] = maker
    return maker


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    session = get_sessionmaker(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str | None = None) -> Any:
    from alembic.config import Config

    ini = PROJECT_ROOT / "alembic.ini"
    cfg = Config(str(ini)) if ini.exists() else Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would choke on '%' in passwords/options.
    cfg.set_main_option("sqlalchemy.url", (url or current_url()).replace("%", "%%"))
    return cfg


def init_db(url: str | None = None) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    from alembic import command

    engine = get_engine(url)
    cfg = alembic_config(url)
    with engine.begin() as connection:
        # env.py reuses this connection, so SQLite pragmas and PG search_path apply.
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def dispose_engines() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _makers.clear()
