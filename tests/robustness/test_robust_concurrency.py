"""Two messages of one conversation at once, on two Rasa workers with the Redis lock store."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from intake_driver import Chat, Intake
from robust_helpers import assert_kept

from bot import intake as store


def test_two_messages_at_once_are_both_processed_in_order(stack) -> None:
    if stack.rasa_workers < 2:
        pytest.skip(
            "needs DATABASE_URL=postgresql://… and Redis: several Rasa workers must share the "
            "PostgreSQL tracker store and the Redis lock store (SQLite runs one worker)"
        )
    person = Intake(Chat(stack.rasa_url))
    sender = person.chat.sender
    turn = person.start("forælder")
    assert turn.progress["question"] == "child_name"
    replies: dict[int, list] = {}
    errors: list[BaseException] = []

    def send(i: int, text: str) -> None:
        # Straight to worker i: nginx would keep one conversation on one worker.
        worker = f"http://127.0.0.1:{stack.worker_ports[i - 1]}"
        try:
            replies[i] = Chat(worker, sender).say(text)
        except BaseException as exc:
            errors.append(exc)

    first = threading.Thread(target=send, args=(1, "Emma"))
    second = threading.Thread(target=send, args=(2, "4. klasse"))
    first.start()
    time.sleep(0.05)  # sent second, a moment later, to the other worker
    second.start()
    first.join(60)
    second.join(60)
    assert not errors, errors
    assert replies[1] and replies[2]

    answers = assert_kept(sender, {})
    assert answers["child_name"]["display"] == "Emma"
    assert answers["grade"]["value"] == 4
    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/{sender}/tracker?token={stack.rasa_token}", timeout=30
    ).json()
    said = [e.get("text") for e in tracker["events"] if e["event"] == "user"]
    assert said[-2:] == ["Emma", "4. klasse"], said
    assert store.get_answers(sender).keys() >= {"child_name", "grade"}
