"""The database is away for a while: a clear Danish message, no crash, answers stored after."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

from intake_driver import DEFAULT_TYPED, Chat, Intake
from robust_helpers import assert_kept

from bot import intake as store

UNREACHABLE = "postgresql://postgres@127.0.0.1:1/skolebro_gone"


@contextlib.contextmanager
def database_down(stack) -> Iterator[None]:
    if not stack.database_url:
        # SQLite: another process holds the write lock longer than the app's busy timeout.
        conn = sqlite3.connect(stack.data_dir / "skolebro.db", timeout=1, isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    # PostgreSQL is shared with other runs and cannot be stopped: the action server is
    # restarted with a database address where nothing answers, then with the real one.
    actions = next(p for p in stack.procs if p.name == "actions")
    real = actions.env
    actions.env = {**real, "DATABASE_URL": UNREACHABLE}
    stack.restart("actions")
    try:
        yield
    finally:
        actions.env = real
        stack.restart("actions")


def test_database_unavailable_then_back(stack) -> None:
    person = Intake(Chat(stack.rasa_url))
    sender = person.chat.sender
    person.start("forælder")
    person.say(DEFAULT_TYPED["child_name"])
    before = store.get_answers(sender)
    assert "child_name" in before

    with database_down(stack):
        turn = person.say("4. klasse")
        assert "kan ikke gemme lige nu" in turn.text.lower(), turn.text
        assert all(p.alive() for p in stack.procs)

    assert "grade" not in store.get_answers(sender)
    # The person tries again once it is back: the answer is stored and the intake goes on.
    turn = person.say("4. klasse")
    after = assert_kept(sender, before)
    assert after["grade"]["value"] == 4
    assert turn.progress and turn.progress["question"] not in ("child_name", "grade"), turn.text
    assert all(p.alive() for p in stack.procs)
