"""Rasa's REST and socket.io channels with the checks they lack (credentials.yml).

The same URL (/webhooks/rest/webhook) and the same request and answer as rasa.core.channels.
rest.RestInput (Rasa 3.6), whose receive() this follows, plus:

- a sender id is required and checked (8-100 characters of letters, digits and `-_.:@`):
  without one, Rasa put every such client into one shared conversation ("default");
- the message must be text and is cut to MAX_TEXT_CHARS + 1 characters before NLU runs (a 1 MB
  message cost a Rasa worker 19 s of CPU); the one extra character lets the dialogue still say
  "please write it shorter" exactly as it does at the limit;
- messages per sender and per client are limited per minute (429 with a Danish message), so a
  script cannot open urgent cases by the hundred;
- the client is passed on as a hashed id in the message metadata (`client`), so the action
  server can count resume-code guesses per client.

The client address is the socket's peer; behind a reverse proxy on the same machine (loopback),
the last X-Forwarded-For entry (the one the proxy appended). Loopback without that header is a
local tool or test harness and only gets the per-sender limit.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import os
import re
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from nlu_ext.socketio_channel import SocketIOChannel

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 2000  # bot/parsing.py's limit for free text
SENDER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{7,99}$")
WINDOW_SECONDS = 60.0
TOO_FAST = "Du skriver meget hurtigt. Vent et øjeblik, og skriv så igen."
BAD_REQUEST = "Beskeden kunne ikke læses. Genindlæs siden, og prøv igen."


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


class RateLimiter:
    """At most `limit` events per key within WINDOW_SECONDS (sliding window, bounded memory)."""

    def __init__(self, limit: int, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.max_keys = max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, key: str, now: float | None = None) -> bool:
        if self.limit <= 0 or not key:
            return True
        now = time.monotonic() if now is None else now
        hits = self._hits.pop(key, None) or deque()
        while hits and hits[0] <= now - WINDOW_SECONDS:
            hits.popleft()
        allowed = len(hits) < self.limit
        if allowed:
            hits.append(now)
        self._hits[key] = hits  # most recently used last
        while len(self._hits) > self.max_keys:
            self._hits.popitem(last=False)
        return allowed


def client_address(request: Request) -> str:
    """The client's IP, or "" for a local tool (loopback without a proxy header)."""
    peer = request.ip or ""
    try:
        loopback = ipaddress.ip_address(peer).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        return peer
    forwarded = request.headers.get("x-forwarded-for", "")
    return forwarded.split(",")[-1].strip() if forwarded else ""


def client_id(address: str) -> str:
    """A pseudonymous, stable id for an address (never the address itself in the tracker)."""
    if not address:
        return ""
    salt = os.environ.get("SKOLEBRO_TRACKER_KEY", "")
    return hashlib.sha256(f"{salt}\x00{address}".encode()).hexdigest()[:32]


def _reply(sender: str, text: str, status: int) -> HTTPResponse:
    return response.json([{"recipient_id": sender, "text": text}], status=status)


class SafeRestInput(RestInput):
    """RestInput with sender validation, a length cut before NLU and rate limits."""

    @classmethod
    def name(cls) -> str:
        return "rest"  # keeps the URL /webhooks/rest/webhook

    def __init__(self) -> None:
        super().__init__()
        self.per_sender = RateLimiter(_env_int("CHAT_MAX_PER_SENDER", 40))
        self.per_client = RateLimiter(_env_int("CHAT_MAX_PER_CLIENT", 200))

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SafeRestInput:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:  # malformed JSON: Sanic raises its own error type
                body = None
            if not isinstance(body, dict):
                return _reply("", BAD_REQUEST, 400)
            sender = body.get("sender")
            text = body.get("message")
            if not isinstance(sender, str) or not SENDER_RE.match(sender):
                return _reply("", BAD_REQUEST, 400)
            if not isinstance(text, str):
                return _reply(sender, BAD_REQUEST, 400)
            address = client_address(request)
            if not self.per_sender.allow(sender) or not self.per_client.allow(address):
                logger.warning("chat rate limit reached (sender or client)")
                return _reply(sender, TOO_FAST, 429)
            text = text[: MAX_TEXT_CHARS + 1]  # before NLU
            metadata = {"client": client_id(address)} if address else None
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        text, collector, sender, input_channel=self.name(), metadata=metadata
                    )
                )
            except Exception:
                # As Rasa's RestInput: log without the message text, answer what was collected.
                logger.exception("rest message handling failed")
            return response.json(collector.messages)

        return webhook


class SafeSocketIOInput(SocketIOChannel):
    """Rasa's socket.io channel with the same sender check, length cut and per-sender limit.

    socket.io hides the client's address from the message handler, so only the per-sender limit
    applies here (the proxy in front limits connections per address). Metadata a client sends
    cannot pose as the channel's own `client` id.
    """

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.per_sender = RateLimiter(_env_int("CHAT_MAX_PER_SENDER", 40))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def guarded(message: UserMessage) -> None:
            sender = message.sender_id or ""
            if not SENDER_RE.match(sender):
                await message.output_channel.send_text_message(sender, BAD_REQUEST)
                return
            if not self.per_sender.allow(sender):
                await message.output_channel.send_text_message(sender, TOO_FAST)
                return
            text = message.text if isinstance(message.text, str) else ""
            message.text = text[: MAX_TEXT_CHARS + 1]  # before NLU
            if isinstance(message.metadata, dict):
                message.metadata.pop("client", None)
            await on_new_message(message)

        # The session-room fix lives in SocketIOChannel (nlu_ext/socketio_channel.py).
        return super().blueprint(guarded)
