"""Counting failed attempts (logins, resume-code guesses) with back-off, in the database.

A key ("login-user:<hash>", "login-client:<hash>", "code-conv:<hash>", ...) may fail
`max_failures` times within `window`; after that it is blocked, for twice as long on each
further failure (capped), until the window has passed without failures. Keys are keyed hashes,
so the table holds no user names, addresses or conversation ids.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.crypto import keyed_hash
from bot.db.base import utcnow
from bot.db.models import Throttle

MAX_BLOCK = timedelta(hours=1)


def key(kind: str, value: str) -> str:
    return f"{kind}:{keyed_hash(value.strip().lower())[:40]}"


def blocked_for(session: Session, k: str, now: datetime | None = None) -> float:
    """Seconds this key must still wait (0 when it may try)."""
    now = now or utcnow()
    row = session.scalar(select(Throttle).where(Throttle.key == k))
    if row is None or row.blocked_until is None or row.blocked_until <= now:
        return 0.0
    return (row.blocked_until - now).total_seconds()


def fail(
    session: Session, k: str, max_failures: int, window: timedelta, now: datetime | None = None
) -> int:
    """Count one failure; returns the failures in the current window."""
    now = now or utcnow()
    row = session.scalar(select(Throttle).where(Throttle.key == k))
    if row is None:
        row = Throttle(key=k, failures=0, window_start=now)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # another process counted the first failure at the same time
            found = session.scalar(select(Throttle).where(Throttle.key == k))
            if found is None:
                raise
            row = found
    if row.window_start + window <= now and (row.blocked_until is None or row.blocked_until <= now):
        row.failures, row.window_start = 0, now
    row.failures += 1
    over = row.failures - max_failures
    if over >= 0:  # blocked for the window, doubling with each further failure
        row.blocked_until = now + min(window * (2 ** min(over, 10)), MAX_BLOCK)
    return row.failures


def clear(session: Session, k: str) -> None:
    session.execute(delete(Throttle).where(Throttle.key == k))


def purge_stale(session: Session, now: datetime | None = None) -> int:
    """Drop counters with no block left and an expired window (retention)."""
    now = now or utcnow()
    cutoff = now - MAX_BLOCK * 2
    result = session.execute(
        delete(Throttle).where(
            Throttle.window_start < cutoff,
            (Throttle.blocked_until.is_(None)) | (Throttle.blocked_until < now),
        )
    )
    return int(result.rowcount or 0)
