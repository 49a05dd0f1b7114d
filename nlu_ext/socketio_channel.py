"""Rasa 3.6's socket.io channel, with the two faults that stop it answering on our versions.

credentials.yml names this class instead of `socketio:`; it is Rasa's channel otherwise (same
name, settings, events and socket.io path), and naming it there also loads nlu_ext early enough
to patch sanic's WebSocket receive (nlu_ext/sanic_websocket.py) before any client connects.

1. Custom JSON messages. Rasa's `SocketIOOutput.send_custom_json` calls
   `sio.emit(bot_message_evt, **json_message)`: a message is taken as keyword arguments of
   `emit()`. Skolebro's `{"progress": …}` and `{"case": …}` raised
   `TypeError: emit() got an unexpected keyword argument 'progress'`, which aborted the rest of
   the response. Messages of Rasa's documented socket.io shape (`{"data": …}`, optionally with
   emit()'s other arguments) still go out exactly as Rasa sends them; any other message is now
   emitted whole as the event's data, to the conversation's room — what the REST channel
   delivers as `"custom"`. Rasa Pro's later socket.io channel makes the same distinction.
2. Session persistence. Rasa's `session_request` handler calls `sio.enter_room(...)` without
   awaiting it; since python-socketio 5.10 that is a coroutine, so the client never joined the
   room its replies are sent to and received nothing. The handler is registered again here with
   the call awaited (Rasa 3.7+ and Rasa Pro await it when it is a coroutine function); it is
   otherwise Rasa's.

tests/engine/engine_checks.py (`socketio_channel`) compares both with Rasa's own code.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

logger = logging.getLogger(__name__)

# The keyword arguments of python-socketio's AsyncServer.emit() besides the event name.
EMIT_ARGUMENTS = {"data", "to", "room", "skip_sid", "namespace", "callback", "ignore_queue"}

_rasa_send_custom_json = SocketIOOutput.send_custom_json


async def send_custom_json(
    self: SocketIOOutput, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
) -> None:
    """Rasa's behaviour for `{"data": …}` messages; any other message is the event's data."""
    if "data" in json_message and set(json_message) <= EMIT_ARGUMENTS:
        await _rasa_send_custom_json(self, recipient_id, json_message, **kwargs)
        return
    await self._send_message(recipient_id, json_message)


class SocketIOChannel(SocketIOInput):
    """Rasa's SocketIOInput whose `session_request` awaits `enter_room` (see the module)."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        sio = self.sio
        if sio is None:  # set by Rasa's blueprint()
            raise RuntimeError("Rasa's socket.io blueprint did not create its server")

        async def session_request(sid: str, data: dict | None) -> None:
            if data is None:
                data = {}
            if "session_id" not in data or data["session_id"] is None:
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                entered = sio.enter_room(sid, data["session_id"])
                if inspect.isawaitable(entered):
                    await entered
            await sio.emit("session_confirm", data["session_id"], room=sid)
            logger.debug(f"User {sid} connected to socketIO endpoint.")

        sio.on("session_request", namespace=self.namespace)(session_request)
        return webhook


def install() -> None:
    SocketIOOutput.send_custom_json = send_custom_json  # type: ignore[method-assign]
