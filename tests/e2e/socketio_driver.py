"""A person on Rasa's socket.io channel, as the Rasa webchat widgets speak it."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import socketio
from intake_driver import DEFAULT_TYPED


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


def walk_opening(sio: SocketChat, questions: int, rest: Any = None) -> tuple[list[str], list]:
    """Follow the bot's buttons through consent and role (in the bot's order), then answer
    `questions` questions. With `rest` (a REST Chat) every step is also sent over REST, and
    both channels must deliver the same. Returns the steps and the progress payloads seen."""
    message, done = "hej", []
    progress_seen: list[dict[str, Any]] = []
    while len(done) < 2 + questions:
        over_socket = sio.say(message)
        if rest is not None:
            # Both channels deliver the same words, buttons and custom payloads.
            assert seen(over_socket) == seen(rest.say(message)), message
        if progress(over_socket):
            progress_seen.append(progress(over_socket))
        message = next_message(over_socket, done)
    sio.say(message)
    return done, progress_seen


def buttons(replies: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The live buttons: socket.io's quick_replies or REST's buttons on the last text."""
    texts = [r for r in replies if "text" in r]
    last = texts[-1] if texts else {}
    return list(last.get("quick_replies") or last.get("buttons") or [])


def progress(replies: list[dict[str, Any]]) -> dict[str, Any] | None:
    for r in replies:
        payload = r.get("custom", r)  # REST nests custom JSON, socket.io sends it whole
        if isinstance(payload, dict) and "progress" in payload:
            return payload["progress"]
    return None


def seen(replies: list[dict[str, Any]]) -> tuple[str, list[tuple[str, str]], Any]:
    """What a person sees and the page reads: the words, the buttons, the progress."""
    words = " ".join(" ".join(r["text"].split()) for r in replies if r.get("text"))
    return words, [(b["title"], b["payload"]) for b in buttons(replies)], progress(replies)


def next_message(replies: list[dict[str, Any]], done: list[str]) -> str:
    """What a parent sends next: yes to consent, the parent role, then answers."""
    payloads = [b["payload"] for b in buttons(replies)]
    words = seen(replies)[0].lower()
    # The consent question: "ja" is /affirm, read by the bot in the context of the question.
    if "/affirm" in payloads and "gemme dine svar" in words:
        done.append("consent")
        return "/affirm"
    for payload in payloads:
        if payload.startswith("/choose_role") and "forælder" in payload:
            done.append("role")
            return payload
    asked = progress(replies)
    assert asked, f"the bot neither asked for consent, role nor a question: {replies}"
    done.append(asked["question"])
    if asked["question"] in DEFAULT_TYPED:
        return DEFAULT_TYPED[asked["question"]]
    assert payloads, f"no typed answer and no buttons for {asked}"
    return payloads[0]
