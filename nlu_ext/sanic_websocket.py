"""sanic 21.12's WebSocket receive on Python 3.11: the fix sanic itself shipped in 22.3.

Rasa 3.6 pins sanic 21.12. Its `WebsocketImplProtocol.recv` and `recv_burst` hand a bare
coroutine (`self.assembler.get(...)`) to `asyncio.wait`, which Python 3.11 refuses
("TypeError: Passing coroutines is forbidden, use tasks explicitly"). Every socket.io client that
upgrades to the WebSocket transport (python-socketio, the browser's socket.io-client, the
rasa-webchat widget) then loses its connection on the first frame it sends, and the browser
reports "Invalid frame header".

sanic fixed it upstream (sanic-org/sanic#2383, released in 22.3) by wrapping the coroutine in a
task; sanic-org/sanic#2812 (23.9) also cancels that task when `recv` itself is cancelled. The
two methods below are sanic 21.12.2's, with exactly those two changes. They are installed only
when the installed methods are byte for byte the 21.12.2 ones this was written against
(`PATCHED_SOURCES`), so an upgraded sanic is left alone. tests/engine/engine_checks.py
(`sanic_websocket`) checks the guard and runs a real sanic WebSocket server with the patch.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import logging
from collections.abc import Sequence
from typing import Any

from sanic.exceptions import ServerError, WebsocketClosed
from sanic.server.websockets.impl import CLOSED, WebsocketImplProtocol

logger = logging.getLogger(__name__)

# sha256 of inspect.getsource() of sanic 21.12.2's methods that these replace.
PATCHED_SOURCES = {
    "recv": "7e24981d29951740e5e1e41532b9b2b0f73d0735967ef4e0bbd8a14fe08a0cac",
    "recv_burst": "e86bcebdbe2b6b2d8132d5e4eed08c6665077e0204f3cca43a8025d476d5902b",
}
ORIGINALS = {name: getattr(WebsocketImplProtocol, name) for name in PATCHED_SOURCES}


def source_digest(fn: Any) -> str:
    return hashlib.sha256(inspect.getsource(fn).encode()).hexdigest()


async def recv(self: WebsocketImplProtocol, timeout: float | None = None) -> Any:
    """sanic's recv (see WebsocketImplProtocol.recv), with the assembler's get() as a task."""
    if self.recv_lock.locked():
        raise ServerError(
            "cannot call recv while another task is already waiting for the next message"
        )
    await self.recv_lock.acquire()
    if self.connection.state is CLOSED:
        self.recv_lock.release()
        raise WebsocketClosed("Cannot receive from websocket interface after it is closed.")
    assembler_get: asyncio.Task | None = None
    try:
        self.recv_cancel = asyncio.Future()
        assembler_get = asyncio.ensure_future(self.assembler.get(timeout))
        done, pending = await asyncio.wait(
            (self.recv_cancel, assembler_get), return_when=asyncio.FIRST_COMPLETED
        )
        done_task = next(iter(done))
        if done_task is self.recv_cancel:
            # recv was cancelled
            for p in pending:
                p.cancel()
            raise asyncio.CancelledError()
        self.recv_cancel.cancel()
        return done_task.result()
    except asyncio.CancelledError:
        if assembler_get is not None:
            assembler_get.cancel()
        raise
    finally:
        self.recv_cancel = None
        self.recv_lock.release()


async def recv_burst(self: WebsocketImplProtocol, max_recv: int = 256) -> Sequence[Any]:
    """sanic's recv_burst, with the assembler's get() as a task."""
    if self.recv_lock.locked():
        raise ServerError(
            "cannot call recv_burst while another task is already waiting for the next message"
        )
    await self.recv_lock.acquire()
    if self.connection.state is CLOSED:
        self.recv_lock.release()
        raise WebsocketClosed("Cannot receive from websocket interface after it is closed.")
    messages: list[Any] = []
    assembler_get: asyncio.Task | None = None
    try:
        # Prevent pausing the transport when we're receiving a burst of messages
        self.can_pause = False
        self.recv_cancel = asyncio.Future()
        while True:
            assembler_get = asyncio.ensure_future(self.assembler.get(timeout=0))
            done, pending = await asyncio.wait(
                (self.recv_cancel, assembler_get), return_when=asyncio.FIRST_COMPLETED
            )
            done_task = next(iter(done))
            if done_task is self.recv_cancel:
                # recv_burst was cancelled
                for p in pending:
                    p.cancel()
                raise asyncio.CancelledError()
            m = done_task.result()
            if m is None:
                # None left in the burst. This is good!
                break
            messages.append(m)
            if len(messages) >= max_recv:
                # Too much data in the pipe. Hit our burst limit.
                break
            # Allow an eventloop iteration for the next message to pass into the Assembler
            await asyncio.sleep(0)
        self.recv_cancel.cancel()
    except asyncio.CancelledError:
        if assembler_get is not None:
            assembler_get.cancel()
        raise
    finally:
        self.recv_cancel = None
        self.can_pause = True
        self.recv_lock.release()
    return messages


REPLACEMENTS = {"recv": recv, "recv_burst": recv_burst}


def install() -> bool:
    """Replace the two methods if sanic's are the ones this fix was written for."""
    if WebsocketImplProtocol.recv is recv:
        return True
    changed = [n for n, fn in ORIGINALS.items() if source_digest(fn) != PATCHED_SOURCES[n]]
    if changed:
        logger.warning(
            "sanic's WebsocketImplProtocol.%s is not the 21.12.2 code the WebSocket fix was "
            "written for; leaving it alone (check the WebSocket transport on this sanic)",
            "/".join(changed),
        )
        return False
    for name, fn in REPLACEMENTS.items():
        setattr(WebsocketImplProtocol, name, fn)
    return True
