"""Helpers of the security suite: log in, make a case the way the chat does."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot import intake

STRONG = "grøn cykel under æbletræet"


def login(client: TestClient, username: str, password: str = "demo1234") -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def make_case(conv: str, school: str = "Nordskolen", urgent: bool = False) -> int:
    from bot.seed import seed_demo

    seed_demo()  # the municipality and its schools (idempotent)
    intake.start_conversation(conv)
    intake.record_consent(conv, "parent", "opsummering til skolekontaktperson", True)
    intake.save_answer(conv, "child_name", "answered", "Emma", "Emma")
    intake.save_answer(conv, "grade", "answered", 6, "6. klasse")
    intake.save_answer(conv, "school", "answered", school, school)
    intake.save_answer(conv, "friends", "answered", 1, "Ingen", free_text="Bliver drillet af Jonas")
    intake.record_signal(conv, "kammerater", "mobning", 3, "Bliver drillet af Jonas", False)
    if urgent:
        intake.record_signal(conv, None, "sexual_abuse", 3, "han rører ved mig", True)
    ref = intake.confirm_case(conv)
    return int(ref.rsplit("-", 1)[1])


def add_transcript(sender: str, text: str, timestamp: float | None = None) -> None:
    """Rows as Rasa's SQL tracker store writes them: the app's PostgreSQL, or var/rasa.db."""
    import sqlite3
    import time
    from contextlib import closing
    from pathlib import Path

    from sqlalchemy import text as sql

    from bot.config import get_settings
    from bot.db.session import session_scope

    ts = time.time() if timestamp is None else timestamp
    create = (
        "CREATE TABLE IF NOT EXISTS events (id {pk}, sender_id VARCHAR(255) NOT NULL, "
        "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
        "action_name VARCHAR(255), data TEXT)"
    )
    row = {"s": sender, "t": ts, "d": '{"event": "user", "text": "' + text + '"}'}
    settings = get_settings()
    if settings.database_url:
        with session_scope() as session:
            session.execute(sql(create.format(pk="SERIAL PRIMARY KEY")))
            session.execute(
                sql(
                    "INSERT INTO events (sender_id, type_name, timestamp, data) "
                    "VALUES (:s, 'user', :t, :d)"
                ),
                row,
            )
        return
    path = Path(settings.data_dir) / "rasa.db"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(create.format(pk="INTEGER PRIMARY KEY"))
        conn.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, ?)",
            (row["s"], row["t"], row["d"]),
        )


def transcript_rows(sender: str) -> int:
    import sqlite3
    from contextlib import closing
    from pathlib import Path

    from sqlalchemy import inspect
    from sqlalchemy import text as sql

    from bot.config import get_settings
    from bot.db.session import session_scope

    settings = get_settings()
    if settings.database_url:
        with session_scope() as session:
            if not inspect(session.connection()).has_table("events"):
                return 0
            q = sql("SELECT count(*) FROM events WHERE sender_id = :s")
            return int(session.execute(q, {"s": sender}).scalar() or 0)
    path = Path(settings.data_dir) / "rasa.db"
    if not path.exists():
        return 0
    with closing(sqlite3.connect(path)) as conn:
        q = "SELECT count(*) FROM events WHERE sender_id = ?"
        return int(conn.execute(q, (sender,)).fetchone()[0])
