"""Rasa's per-conversation ticket lock in Redis, in two asynchronous round trips.

Several Rasa workers must not handle two messages of one conversation at once, and a
conversation's messages are handled in the order they came (Rasa's `TicketLock`). Rasa's
`RedisLockStore` does this with the synchronous redis client on the event loop: seven round
trips a message (get, set; get; get, set; get; delete), each JSON-decoding the whole lock, and
while each one waits the worker's loop serves nobody (py-spy at 600 people: ~7 % of a Rasa
worker's samples). Here the same tickets live in a sorted set (score: the ticket number,
member: "number:expiry in ms"), and three Lua scripts keep each step atomic across workers:
taking a ticket (and learning whether it is served at once), asking again while waiting, and
giving it back (the keys go when no ticket is left). Expiry is read from Redis's own clock, so
workers on different hosts agree. Semantics kept from Rasa: first come first served, a ticket
expires after the lock lifetime (a crashed worker blocks nobody for longer), and a waiter whose
ticket expired gets a LockError. A waiter asks again every 50 ms instead of Rasa's 1 s; waiting
only happens when one conversation sends two messages at once.

Configured in endpoints.yml as `type: nlu_ext.lock_store.TicketRedisLockStore` with `url`,
`port`, `db`, `password` and `key_prefix` as Rasa's redis lock store takes them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as aioredis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import (
    DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX,
    DEFAULT_SOCKET_TIMEOUT_IN_SECONDS,
    LOCK_LIFETIME,
    LockError,
    LockStore,
)
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import RedisError

POLL_SECONDS = 0.05

# Drops the expired tickets of KEYS[1]; `now` in ms from Redis's clock.
_EXPIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if tonumber(string.match(m, ':(%d+)$')) <= now then redis.call('ZREM', KEYS[1], m) end
end
"""
# KEYS: tickets, counter; ARGV: lifetime in ms. Returns {ticket, 1 if served now else 0}.
ISSUE = (
    _EXPIRE
    + """
local lifetime = tonumber(ARGV[1])
local ticket = redis.call('INCR', KEYS[2])
local member = string.format('%d:%d', ticket, now + lifetime)
redis.call('ZADD', KEYS[1], ticket, member)
redis.call('PEXPIRE', KEYS[1], lifetime)
redis.call('PEXPIRE', KEYS[2], lifetime)
local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
if head == member then return {ticket, 1} end
return {ticket, 0}
"""
)
# KEYS: tickets; ARGV: ticket. Returns 1 if served now, 0 if still waiting, -1 if expired.
POLL = (
    _EXPIRE
    + """
local mine = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])
if #mine == 0 then return -1 end
if redis.call('ZRANGE', KEYS[1], 0, 0)[1] == mine[1] then return 1 end
return 0
"""
)
# KEYS: tickets, counter; ARGV: ticket.
RELEASE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
return 1
"""


class TicketRedisLockStore(LockStore):
    """Rasa's ticket lock semantics on Redis, without blocking the event loop."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        kwargs: dict[str, Any] = dict(endpoint_config.kwargs)
        self.red = aioredis.Redis(
            host=endpoint_config.url or "localhost",
            port=int(kwargs.get("port", 6379)),
            db=int(kwargs.get("db", 1)),
            username=kwargs.get("username"),
            password=kwargs.get("password"),
            ssl=bool(kwargs.get("use_ssl", False)),
            socket_timeout=float(kwargs.get("socket_timeout", DEFAULT_SOCKET_TIMEOUT_IN_SECONDS)),
        )
        prefix = kwargs.get("key_prefix")
        self.key_prefix = DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX
        if isinstance(prefix, str) and prefix.isalnum():
            self.key_prefix = f"{prefix}:{DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX}"
        self._issue = self.red.register_script(ISSUE)
        self._poll = self.red.register_script(POLL)
        self._release = self.red.register_script(RELEASE)
        super().__init__()

    def _keys(self, conversation_id: str) -> list[str]:
        tickets = f"{self.key_prefix}{conversation_id}"
        return [tickets, f"{tickets}:next"]

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        keys = self._keys(conversation_id)
        try:
            ticket, served = await self._issue(keys=keys, args=[int(lock_lifetime * 1000)])
        except RedisError as e:
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e
        try:
            poll = min(POLL_SECONDS, wait_time_in_seconds)
            while not served:
                await asyncio.sleep(poll)
                state = await self._poll(keys=keys[:1], args=[ticket])
                if state < 0:
                    raise LockError(
                        f"Could not acquire lock for conversation_id '{conversation_id}'."
                    )
                served = state == 1
            yield TicketLock(conversation_id)
        finally:
            await self._release(keys=keys, args=[ticket])

    # Rasa reaches a lock store only through `lock`; the synchronous steps of its base class
    # would block the loop, so they are not offered.
    def get_lock(self, conversation_id: str) -> TicketLock | None:
        raise NotImplementedError("TicketRedisLockStore is used through lock() only")

    def delete_lock(self, conversation_id: str) -> None:
        raise NotImplementedError("TicketRedisLockStore is used through lock() only")

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError("TicketRedisLockStore is used through lock() only")
