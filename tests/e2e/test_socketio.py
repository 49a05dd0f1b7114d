"""socket.io, as the Rasa webchat widgets speak it, answers over WebSocket and over polling.

A real python-socketio client connects to Rasa's socket.io endpoint, asks for a session
(`session_request`, the widget's first step), and walks the opening and the first questions by
following the buttons the bot offers (consent and role, in whichever order the bot asks), typing
what a parent would type. The custom payloads (`{"progress": …}`) must arrive too, and what the
bot says must be what the REST channel says for the same steps.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest
import socketio
from intake_driver import DEFAULT_TYPED, Chat
from sqlalchemy import select

from bot.db.models import Answer, Respondent
from bot.db.session import session_scope

QUESTIONS = 3  # questions answered after the opening


class SocketChat:
    """One person on Rasa's socket.io channel (the protocol of the Rasa webchat widgets)."""

    def __init__(self, rasa_url: str, transport: str) -> None:
        self.client = socketio.Client(reconnection=False)
        self.session_id = f"sio-{uuid.uuid4().hex[:12]}"
        self.received: list[dict[str, Any]] = []
        self.confirmed = threading.Event()
        self.lock = threading.Lock()
        self.client.on("bot_uttered", self._on_bot)
        self.client.on("session_confirm", lambda sid: self.confirmed.set())
        self.client.connect(
            rasa_url, transports=[transport], socketio_path="socket.io", wait_timeout=30
        )
        self.client.emit("session_request", {"session_id": self.session_id})
        assert self.confirmed.wait(30), "no session_confirm"

    def _on_bot(self, data: dict[str, Any]) -> None:
        with self.lock:
            self.received.append(data)

    def say(self, message: str, timeout: float = 60.0) -> list[dict[str, Any]]:
        """Send a message; return the bot's messages once it asks something (buttons or a
        question with progress) and nothing more arrives for a moment."""
        with self.lock:
            start = len(self.received)
        self.client.emit("user_uttered", {"message": message, "session_id": self.session_id})
        deadline = time.monotonic() + timeout
        seen, quiet_since = start, time.monotonic()
        while time.monotonic() < deadline:
            with self.lock:
                replies = self.received[start:]
            if len(replies) != seen - start:
                seen, quiet_since = start + len(replies), time.monotonic()
            asks = replies and (replies[-1].get("quick_replies") or "progress" in replies[-1])
            if asks and time.monotonic() - quiet_since > 0.4:
                return replies
            time.sleep(0.05)
        raise AssertionError(f"no complete answer to {message!r}; got {self.received[start:]}")

    def close(self) -> None:
        self.client.disconnect()


def _buttons(replies: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The live buttons: socket.io's quick_replies or REST's buttons on the last text."""
    texts = [r for r in replies if "text" in r]
    last = texts[-1] if texts else {}
    return list(last.get("quick_replies") or last.get("buttons") or [])


def _progress(replies: list[dict[str, Any]]) -> dict[str, Any] | None:
    for r in replies:
        payload = r.get("custom", r)  # REST nests custom JSON, socket.io sends it whole
        if isinstance(payload, dict) and "progress" in payload:
            return payload["progress"]
    return None


def _seen(replies: list[dict[str, Any]]) -> tuple[str, list[tuple[str, str]], Any]:
    """What a person sees and the page reads: the words, the buttons, the progress."""
    words = " ".join(" ".join(r["text"].split()) for r in replies if r.get("text"))
    return words, [(b["title"], b["payload"]) for b in _buttons(replies)], _progress(replies)


def _next_message(replies: list[dict[str, Any]], done: list[str]) -> str:
    """What a parent sends next: yes to consent, the parent role, then answers."""
    payloads = [b["payload"] for b in _buttons(replies)]
    if "/give_consent" in payloads:
        done.append("consent")
        return "/give_consent"
    for payload in payloads:
        if payload.startswith("/choose_role") and "forælder" in payload:
            done.append("role")
            return payload
    progress = _progress(replies)
    assert progress, f"the bot neither asked for consent, role nor a question: {replies}"
    done.append(progress["question"])
    if progress["question"] in DEFAULT_TYPED:
        return DEFAULT_TYPED[progress["question"]]
    assert payloads, f"no typed answer and no buttons for {progress}"
    return payloads[0]


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_socketio_client_walks_consent_role_and_first_questions(stack, transport: str) -> None:
    sio = SocketChat(stack.rasa_url, transport)
    rest = Chat(stack.rasa_url)
    try:
        assert sio.client.transport() == transport
        message, done = "hej", []
        progress_seen: list[dict[str, Any]] = []
        while len(done) < 2 + QUESTIONS:
            over_socket = sio.say(message)
            over_rest = rest.say(message)
            # Both channels deliver the same words, buttons and custom payloads.
            assert _seen(over_socket) == _seen(over_rest), message
            if _progress(over_socket):
                progress_seen.append(_progress(over_socket))
            message = _next_message(over_socket, done)
        sio.say(message)
    finally:
        sio.close()

    assert {"consent", "role"} <= set(done[:2]), done
    # The progress payload reached the socket.io client for each question, counting up.
    assert [p["current"] for p in progress_seen] == list(range(1, QUESTIONS + 1)), progress_seen
    # The conversation is the session's, with consent, role and the answers stored.
    with session_scope() as session:
        respondent = session.scalars(
            select(Respondent).where(Respondent.conversation_id == sio.session_id)
        ).one()
        assert respondent.consent_given and respondent.role == "parent"
        answered = set(
            session.scalars(
                select(Answer.question_key).where(Answer.respondent_id == respondent.id)
            )
        )
    assert set(done[2:]) <= answered, (done, answered)


def test_a_second_tab_of_the_same_session_gets_the_replies(stack) -> None:
    # The widget keeps its session id across reloads and tabs: replies go to the session's room,
    # so a client that joins the same session later hears the conversation too.
    first = SocketChat(stack.rasa_url, "websocket")
    second = SocketChat(stack.rasa_url, "polling")
    second.client.emit("session_request", {"session_id": first.session_id})
    time.sleep(0.5)
    try:
        replies = first.say("hej")
        assert _buttons(replies)
        deadline = time.monotonic() + 10
        while len(second.received) < len(replies) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert second.received == replies
    finally:
        first.close()
        second.close()
