"""Bad input into the chat and the API: Danish answers, earlier answers kept, clear 4xx."""

from __future__ import annotations

import httpx
import pytest
from intake_driver import DEFAULT_TYPED, Chat, Intake, Turn, worker_token
from robust_helpers import assert_kept, looks_danish

from bot import intake as store

BAD_CHAT = {
    "empty": "",
    "100 KB": ("jeg ved det ikke " * 6000)[:100_000],
    "binary": bytes(range(256)).decode("latin-1") + "\x00\ufffd\x1b[2J",
    "emoji only": "😀😭🙈🔥💩",
}
# Free text that must be stored as given and never interpreted.
HOSTILE_TEXT = {
    "html": "<script>alert('x')</script><img src=x onerror=alert(1)> drillet",
    "sql": "'; DROP TABLE answers; -- drillet",
}


def _advance(person: Intake, turn, until_type: str | None = None, limit: int = 40):
    """Answer normally until the asked question has type `until_type` (or once)."""
    for _ in range(limit):
        progress = turn.progress
        assert progress, turn.text
        if until_type is None or progress["type"] == until_type:
            return turn
        turn = person.answer(turn)
    raise AssertionError(f"no {until_type} question reached")


def _send(person: Intake, message: str) -> Turn | None:
    """The bot's turn, or None when the entry point refused the message (checked here)."""
    resp = person.chat.client.post(
        person.chat.url, json={"sender": person.chat.sender, "message": message}
    )
    if resp.status_code == 413:
        assert looks_danish(resp.json()["error"]), resp.text
        return None
    resp.raise_for_status()
    turn = Turn(message, resp.json())
    person.turns.append(turn)
    return turn


def test_bad_chat_input_keeps_earlier_answers(stack) -> None:
    person = Intake(Chat(stack.rasa_url))
    sender = person.chat.sender
    turn = person.start("forælder")
    turn = person.say(DEFAULT_TYPED["child_name"])
    turn = person.say(DEFAULT_TYPED["grade"])
    kept = store.get_answers(sender)
    for name, message in BAD_CHAT.items():
        asked = turn.progress
        turn = _send(person, message)
        if turn is None:
            # nginx (the production layout) refused an oversized body before Rasa with a clear
            # Danish error; the conversation goes on from where it was.
            turn = person.say("fortsæt")
        assert looks_danish(turn.text), f"{name}: {turn.text[:300]!r}"
        kept = assert_kept(sender, kept)
        if turn.progress is None:  # e.g. a help text: the question comes back on the next turn
            turn = person.say("fortsæt")
        assert turn.progress, f"{name}: {turn.text[:300]!r}"
        assert asked

    for name, text in HOSTILE_TEXT.items():
        turn = _advance(person, turn, until_type="text")
        key = turn.progress["question"]
        turn = person.say(text)
        assert looks_danish(turn.text), f"{name}: {turn.text[:300]!r}"
        kept = assert_kept(sender, kept)
        assert kept[key]["free_text"] == text, name
    assert kept["child_name"]["display"] == DEFAULT_TYPED["child_name"]


@pytest.fixture(scope="module")
def token(stack) -> str:
    return worker_token(stack.api_url)


def test_api_rejects_bad_input_with_4xx(stack, token) -> None:
    api = f"{stack.api_url}/api/v1"
    auth = {"Authorization": f"Bearer {token}"}
    huge = "x" * 100_000
    garbage = bytes(range(256)) * 4
    calls = [
        ("POST", "/auth/token", {}),
        ("POST", "/auth/token", {"data": {"username": huge, "password": huge}}),
        ("POST", "/auth/token", {"data": {"username": "kontakt1", "password": "forkert"}}),
        ("POST", "/auth/token", {"content": garbage, "headers": {"Content-Type": "text/plain"}}),
        ("POST", "/auth/token", {"data": {"username": "' OR 1=1 --", "password": "x"}}),
        ("GET", "/cases", {}),
        ("GET", "/cases", {"headers": {"Authorization": "Bearer 😀.garbage".encode()}}),
        ("GET", "/cases", {"headers": {"Authorization": f"Bearer {huge[:8000]}"}}),
        ("GET", "/cases/1%20OR%201=1", {"headers": auth}),
        ("GET", "/cases/999999999", {"headers": auth}),
        ("GET", "/cases/-1", {"headers": auth}),
        ("PATCH", "/cases/999999999", {"headers": auth, "json": {"status": "<script>"}}),
        (
            "PATCH",
            "/cases/1",
            {"headers": {**auth, "Content-Type": "application/json"}, "content": b"{not json"},
        ),
        ("PATCH", "/cases/1", {"headers": auth, "content": garbage}),
        ("POST", "/schools", {"headers": auth, "json": {"name": huge}}),
        ("GET", "/schools", {"headers": auth}),  # a worker is not an admin
    ]
    with httpx.Client(timeout=30) as client:
        for method, path, kwargs in calls:
            resp = client.request(method, api + path, **kwargs)
            assert 400 <= resp.status_code < 500, (method, path, resp.status_code, resp.text[:200])
            assert "detail" in resp.json(), (method, path, resp.text[:200])
        assert client.get(f"{stack.api_url}/healthz").status_code == 200
