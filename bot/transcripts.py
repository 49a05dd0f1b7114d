"""Rasa's copy of each conversation (the tracker store's `events` table), deleted with the answers.

The tracker store shares the app's PostgreSQL database, or with SQLite lives in its own file
(`rasa.db` beside the app's database). Every deletion path (a worker's delete, "Slet mine svar",
withdrawal of consent, retention) goes through here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import column, func, inspect, select, table
from sqlalchemy.orm import Session

from bot.config import get_settings

_events = table("events", column("sender_id"), column("timestamp"))


def _sqlite_path() -> Path | None:
    settings = get_settings()
    path = Path(settings.data_dir) / "rasa.db"
    if settings.database_url or not path.exists():
        return None
    return path


def _sqlite_has_events(conn: sqlite3.Connection) -> bool:
    return bool(
        conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='events'").fetchone()
    )


def delete(session: Session, conversation_ids: Iterable[str]) -> int:
    """Delete the transcripts of these conversations; returns the events removed."""
    ids = sorted({c for c in conversation_ids if c})
    if not ids:
        return 0
    removed = 0
    if inspect(session.connection()).has_table("events"):
        result = session.execute(sa.delete(_events).where(_events.c.sender_id.in_(ids)))
        removed += int(result.rowcount or 0)
    path = _sqlite_path()
    if path is not None:
        with closing(sqlite3.connect(path, timeout=10)) as conn, conn:
            if _sqlite_has_events(conn):
                marks = ",".join("?" for _ in ids)
                cur = conn.execute(
                    f"DELETE FROM events WHERE sender_id IN ({marks})",  # nosec B608 # only "?" placeholders are formatted in
                    ids,
                )
                removed += int(cur.rowcount or 0)
    return removed


def idle_conversations(session: Session, before: float) -> list[str]:
    """Senders whose newest event is older than `before` (a Unix time)."""
    found: set[str] = set()
    if inspect(session.connection()).has_table("events"):
        stmt = (
            select(_events.c.sender_id)
            .group_by(_events.c.sender_id)
            .having(func.max(_events.c.timestamp) < before)
        )
        found.update(session.scalars(stmt))
    path = _sqlite_path()
    if path is not None:
        with closing(sqlite3.connect(path, timeout=10)) as conn:
            if _sqlite_has_events(conn):
                rows = conn.execute(
                    "SELECT sender_id FROM events GROUP BY sender_id HAVING max(timestamp) < ?",
                    (before,),
                )
                found.update(r[0] for r in rows)
    return sorted(found)
