"""Migration 0003 on a database with data from before it: everything stays readable and the
sensitive columns are encrypted afterwards (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import select, text

from bot import crypto, intake
from bot.db.models import AuditEvent, Outbox, Signal
from bot.db.session import alembic_config, get_engine, get_sessionmaker


def test_upgrade_encrypts_existing_rows(db_env: str) -> None:
    engine = get_engine()
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    now = "2026-11-30 10:00:00+00:00"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO respondents (id, conversation_id, channel, created_at, last_seen_at) "
                "VALUES (1, 'old-conv', 'web', :n, :n)"
            ),
            {"n": now},
        )
        for i, kind in enumerate(("sexual_abuse", "violence", "sexual_abuse"), start=1):
            conn.execute(
                text(
                    "INSERT INTO signals (id, respondent_id, kind, weight, source_text, "
                    "source_hash, urgent, created_at) VALUES (:i, 1, :k, 3, :t, :h, true, :n)"
                ),
                # The third row repeats the first with another old-style hash: a duplicate.
                {"i": i, "k": kind, "t": crypto.encrypt("han slår"), "h": f"old{i % 2}", "n": now},
            )
        conn.execute(
            text(
                "INSERT INTO audit_events (actor, action, details, created_at) "
                "VALUES ('bot', 'case.marked_urgent', :d, :n)"
            ),
            {"d": json.dumps({"kind": "sexual_abuse"}), "n": now},
        )
        conn.execute(
            text(
                "INSERT INTO outbox (kind, event, payload, urgent, attempts, next_attempt_at, "
                "created_at) VALUES ('webhook', 'urgent_signal', :p, true, 0, :n, :n)"
            ),
            {"p": json.dumps({"school": "Nordskolen", "grade": 6}), "n": now},
        )
        conn.execute(
            text(
                "INSERT INTO resume_codes (respondent_id, code, created_at, expires_at) "
                "VALUES (1, 'ABC234', :n, '2099-01-01 00:00:00+00:00')"
            ),
            {"n": now},
        )
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with engine.connect() as conn:
        raw = " ".join(
            str(v)
            for q in (
                "SELECT kind FROM signals",
                "SELECT details FROM audit_events",
                "SELECT payload FROM outbox",
                "SELECT code FROM resume_codes",
            )
            for v in conn.execute(text(q)).scalars()
        )
    for clear in ("sexual_abuse", "violence", "Nordskolen", "ABC234"):
        assert clear not in raw, clear
    session = get_sessionmaker()()
    try:
        assert sorted(s.kind for s in session.scalars(select(Signal))) == [
            "sexual_abuse",
            "violence",
        ]
        assert session.scalars(select(AuditEvent)).one().details == {"kind": "sexual_abuse"}
        assert session.scalars(select(Outbox)).one().payload["school"] == "Nordskolen"
    finally:
        session.close()
    assert intake.resume("abc-234") == "old-conv"  # an old code still works, once
