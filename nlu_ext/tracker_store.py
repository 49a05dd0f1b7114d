"""Rasa's SQL tracker store with a checked, in-process cache of recent trackers.

Profiling a whole intake showed that loading the tracker on every turn (one query returning
~450 rows, `json.loads` of each, then replaying every event into a new tracker) was ~19 % of
the Rasa process's CPU, growing with the conversation. Rasa only ever appends to a tracker, so a
worker can keep the tracker it saved last and hand it out again, *if* the database still ends
with the event it wrote last. That check is one indexed query (`max(id)` for the sender):

- another worker wrote since (several workers share PostgreSQL): the id differs, reload;
- a transcript was deleted (the API's delete and retention): the id differs or is gone, reload;
- this process changed the tracker and then failed before saving: the tracker holds more events
  than were saved, reload.

Otherwise the object is exactly what a reload would build. Message handling for one sender is
serialised by Rasa's lock store, so no two requests mutate one cached tracker at once. Saving
writes the events added since it was handed out in one statement (a multi-row INSERT ...
RETURNING on PostgreSQL, an executemany on SQLite), instead of Rasa's count query and one INSERT
per event.
Used via endpoints.yml `type: nlu_ext.tracker_store.CachedSQLTrackerStore`.

The database is reached from a small thread pool, never from the event loop: the SQL tracker
store is synchronous, so each commit (a WAL flush on PostgreSQL) and each round trip used to stop
the whole worker, and under load every other conversation queued behind them (600 people: p95
~1 s with the Rasa workers' CPU at 40 %). Only the I/O runs in the threads; the cache, the
events and their encryption stay on the loop.

Transcripts are children's words, so the `data` column (the whole event: what was typed, slots,
the bot's replies) is stored as a Fernet token under the tracker store's own key (environment
SKOLEBRO_TRACKER_KEY, derived per purpose by scripts/stack.py; see bot/crypto.py). Rows written
before encryption (plain JSON) are still read. What a person types before they consent is kept
only for the turn that handles it: the stored event has its text and entities blanked (the
safety rule has already acted on it in memory).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)

# Trackers kept per worker. A finished intake is ~450 events (roughly 0.3 MB); conversations
# beyond this many are simply reloaded from the database when they speak again.
DEFAULT_CACHE_SIZE = 1000
# A conversation not heard from for this long leaves the worker's memory: a transcript deleted
# from the database (by a worker, or by retention) is not kept in a process for longer.
DEFAULT_CACHE_TTL_SECONDS = 900.0
TRACKER_KEY_ENV = "SKOLEBRO_TRACKER_KEY"
# Threads that talk to the database for one worker (Rasa's pool for PostgreSQL holds 50).
DB_THREADS = 4
SENDER_ID_INDEX = "ix_events_sender_id_id"
# The slot that says the person has consented to their answers being stored (domain.yml).
CONSENT_SLOT = "consent_given"


def tracker_fernet(key: str | None = None) -> Fernet:
    key = key if key is not None else os.environ.get(TRACKER_KEY_ENV, "")
    if not key:
        raise RuntimeError(
            f"{TRACKER_KEY_ENV} is not set: scripts/stack.py derives it; transcripts are never "
            "stored in clear"
        )
    return Fernet(key.encode())


def encode_event(fernet: Fernet, data: dict[str, Any]) -> str:
    return fernet.encrypt(json.dumps(data).encode()).decode("ascii")


def decode_event(fernet: Fernet, raw: str) -> dict[str, Any]:
    if raw.startswith("{"):  # written before encryption
        return json.loads(raw)
    try:
        return json.loads(fernet.decrypt(raw.encode("ascii")))
    except InvalidToken as exc:
        raise RuntimeError("tracker event cannot be decrypted: wrong SKOLEBRO_TRACKER_KEY") from exc


def redact_unconsented(data: dict[str, Any]) -> dict[str, Any]:
    """A user event without what was typed (text, entity values): intent and time stay."""
    if data.get("event") != "user":
        return data
    data = dict(data)
    data["text"] = ""
    data.pop("metadata", None)
    parse = dict(data.get("parse_data") or {})
    if parse:
        parse["text"] = ""
        parse["entities"] = []
        data["parse_data"] = parse
    return data


@dataclass
class _Entry:
    tracker: DialogueStateTracker
    last_id: int | None  # id of the newest stored event of this sender (None: none stored)
    saved_len: int  # len(tracker.events) when stored
    used: float = field(default_factory=time.monotonic)


class CachedSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        *args: Any,
        cache_size: int = DEFAULT_CACHE_SIZE,
        cache_ttl_seconds: float = DEFAULT_CACHE_TTL_SECONDS,
        **kwargs: Any,
    ) -> None:
        key = kwargs.pop("encryption_key", None)
        super().__init__(*args, **kwargs)
        self._fernet = tracker_fernet(key)
        self._cache: OrderedDict[str, _Entry] = OrderedDict()  # least recently used first
        self._cache_size = int(cache_size)
        self._cache_ttl = float(cache_ttl_seconds)
        self._io = ThreadPoolExecutor(max_workers=DB_THREADS, thread_name_prefix="tracker-db")
        # The freshness check on every turn is one indexed read: no ORM session, no BEGIN /
        # ROLLBACK round trips around it (an autocommit connection from the same pool).
        self._reader = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._newest_id_query = sa.select(sa.func.max(self.SQLEvent.id)).where(
            self.SQLEvent.sender_id == sa.bindparam("sender_id")
        )
        self._ensure_sender_id_index()

    def _ensure_sender_id_index(self) -> None:
        """An index on (sender_id, id) for "the newest event of one sender".

        That question is asked on every turn (the freshness check above, Rasa's session-start
        lookup). With only Rasa's index on sender_id, PostgreSQL's planner, once autovacuum has
        analysed the table, answers max(id) by walking the primary key backwards and filtering:
        through every event written since that sender last spoke, thousands of rows a turn
        under load. PostgreSQL's CPU per turn doubled late in the bench's ramp (1.5 -> 3-4.7
        ms). With this index it is one probe. Created here because Rasa owns the table.
        """
        table = self.SQLEvent.__table__.name
        ddl = sa.text(f"CREATE INDEX IF NOT EXISTS {SENDER_ID_INDEX} ON {table} (sender_id, id)")
        try:
            with self.engine.begin() as connection:
                connection.execute(ddl)
        except sa.exc.DBAPIError:
            # Another worker starting at the same moment created it first (PostgreSQL's IF NOT
            # EXISTS does not cover a concurrent CREATE).
            names = {i["name"] for i in sa.inspect(self.engine).get_indexes(table)}
            if SENDER_ID_INDEX not in names:
                raise

    async def _in_thread(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._io, fn, *args)

    def _newest_id(self, sender_id: str) -> int | None:
        with self._reader.connect() as connection:
            return connection.execute(self._newest_id_query, {"sender_id": sender_id}).scalar()

    def _last_id(self, session: Any, sender_id: str) -> int | None:
        return session.execute(self._newest_id_query, {"sender_id": sender_id}).scalar()

    def _remember(self, sender_id: str, entry: _Entry) -> None:
        self._cache[sender_id] = entry
        self._cache.move_to_end(sender_id)
        self._evict()

    def _evict(self) -> None:
        cutoff = time.monotonic() - self._cache_ttl
        while self._cache and (
            len(self._cache) > self._cache_size or next(iter(self._cache.values())).used <= cutoff
        ):
            self._cache.popitem(last=False)

    async def _fresh(self, sender_id: str) -> _Entry | None:
        self._evict()
        entry = self._cache.get(sender_id)
        if entry is None:
            return None
        if len(entry.tracker.events) != entry.saved_len or (
            await self._in_thread(self._newest_id, sender_id) != entry.last_id
        ):
            self._cache.pop(sender_id, None)
            return None
        entry.used = time.monotonic()
        if sender_id in self._cache:
            self._cache.move_to_end(sender_id)
        return entry

    def _stored_rows(self, sender_id: str, all_sessions: bool = False) -> list[tuple[int, str]]:
        """(id, stored data) of the sender's events, oldest first."""
        with self.session_scope() as session:
            query = self._event_query(
                session, sender_id, fetch_events_from_all_sessions=all_sessions
            )
            return [(row.id, row.data) for row in query.all()]

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        entry = await self._fresh(sender_id)
        if entry is not None:
            return entry.tracker
        rows = await self._in_thread(self._stored_rows, sender_id)
        if not rows or not self.domain:
            return None
        tracker = DialogueStateTracker.from_dict(
            sender_id, [decode_event(self._fernet, data) for _, data in rows], self.domain.slots
        )
        # Rows are ordered by id and the newest event is always in the latest session.
        self._remember(sender_id, _Entry(tracker, rows[-1][0], len(tracker.events)))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        sender_id = tracker.sender_id
        entry = self._cache.pop(sender_id, None)
        stored_id: int | None = None
        if (
            entry is not None
            and entry.tracker is tracker
            and len(tracker.events) >= entry.saved_len
        ):
            # The tracker handed out by retrieve(), checked against the database then; the lock
            # store keeps other writers of this conversation out until it is saved (Rasa's own
            # save relies on the same). What it gained since is what is new.
            events = tracker.events
            new_events = [events[i] for i in range(entry.saved_len, len(events))]
            stored_id = entry.last_id
        else:
            # A tracker this process did not hand out: Rasa's new tracker for a first message
            # (saved empty, then again at the end of the turn), or one changed elsewhere. Nothing
            # stored for the sender (the one indexed read) means every event is new; otherwise
            # Rasa's own count of the stored events decides.
            stored_id = await self._in_thread(self._newest_id, sender_id)
            if stored_id is None:
                new_events = list(tracker.events)
            else:
                new_events = await self._in_thread(self._unsaved_events, tracker)
        if self.event_broker is not None:
            # Rasa's stream_events diffs against a reload, which would be this very object.
            await self._stream_new_events(self.event_broker, new_events, sender_id)
        consented = bool(tracker.get_slot(CONSENT_SLOT))
        rows = [self._row(sender_id, event, consented) for event in new_events]
        if not rows:
            # Nothing new (Rasa saves a new tracker empty): the newest stored id is known.
            self._remember(sender_id, _Entry(tracker, stored_id, len(tracker.events)))
            return
        last_id = await self._in_thread(self._write, sender_id, rows)
        if last_id is not None:
            self._remember(sender_id, _Entry(tracker, last_id, len(tracker.events)))

    def _unsaved_events(self, tracker: DialogueStateTracker) -> list[Any]:
        with self.session_scope() as session:
            return list(self._additional_events(session, tracker))

    def _write(self, sender_id: str, rows: list[dict[str, Any]]) -> int | None:
        """Insert the rows in one transaction; the id of the sender's newest stored event."""
        table = self.SQLEvent.__table__
        with self.session_scope() as session:
            if rows and self.engine.dialect.driver == "psycopg2":
                # One multi-row INSERT that also returns the new ids: no second round trip. Sent
                # with psycopg2's execute_values: SQLAlchemy 1.4 compiles a multi-row VALUES
                # statement anew for every save (~10 % of a worker's CPU under load).
                last_id: int | None = self._insert_returning_ids(session, table, rows)
            elif rows and self.engine.dialect.name == "postgresql":
                ids = session.execute(sa.insert(table).values(rows).returning(table.c.id))
                last_id = max(ids.scalars())
            else:
                if rows:
                    session.execute(sa.insert(table), rows)  # one executemany
                last_id = self._last_id(session, sender_id)
            session.commit()
        return last_id

    @staticmethod
    def _insert_returning_ids(session: Any, table: sa.Table, rows: list[dict[str, Any]]) -> int:
        from psycopg2 import sql
        from psycopg2.extras import execute_values

        columns = list(rows[0])
        statement = sql.SQL("INSERT INTO {} ({}) VALUES %s RETURNING id").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        cursor = session.connection().connection.cursor()  # the session's own transaction
        try:
            ids = execute_values(
                cursor, statement, [tuple(r[c] for c in columns) for r in rows], fetch=True
            )
        finally:
            cursor.close()
        return max(row[0] for row in ids)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        # Rasa's own, with decryption (retrieve_full_tracker: the /conversations API).
        rows = await self._in_thread(self._stored_rows, sender_id, fetch_events_from_all_sessions)
        events = [decode_event(self._fernet, data) for _, data in rows]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    def _row(self, sender_id: str, event: Any, consented: bool = True) -> dict[str, Any]:
        # The same columns as SQLTrackerStore.save; `data` encrypted.
        data = event.as_dict()
        if not consented:
            data = redact_unconsented(data)
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": encode_event(self._fernet, data),
        }
