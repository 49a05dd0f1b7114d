"""Checks of the Rasa engine extensions (nlu_ext), run with the engine's Python.

    .venvs/engine/bin/python tests/engine/engine_checks.py <check> [database-url]

The app's pytest runs each check in a subprocess (tests/unit/test_engine_ext.py), because Rasa
lives in its own virtual environment. A check prints what differed and exits non-zero.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

# Rasa's own methods, taken before nlu_ext replaces them.
from rasa.core.actions.action import RemoteAction  # noqa: E402
from rasa.core.processor import MessageProcessor  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402

ORIGINAL_APPLIED = DialogueStateTracker.applied_events
ORIGINAL_UNDO_LOOP = DialogueStateTracker.__dict__["_undo_till_previous_loop_execution"]
ORIGINAL_CALL_FORMAT = RemoteAction._action_call_format
ORIGINAL_PARSE = MessageProcessor._parse_message_with_graph

from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import (  # noqa: E402
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.utils.endpoints import EndpointConfig  # noqa: E402

import nlu_ext  # noqa: E402, F401  (installs the speed-ups)
from nlu_ext import engine_speedups  # noqa: E402
from nlu_ext.tracker_store import CachedSQLTrackerStore  # noqa: E402

DOMAIN = Domain.load(str(ROOT / "domain.yml"))
FORMS = sorted(DOMAIN.form_names)  # intake_form, opening_form


@contextlib.contextmanager
def rasa_originals() -> Iterator[None]:
    """Rasa's unpatched applied_events, for comparison."""
    DialogueStateTracker.applied_events = ORIGINAL_APPLIED  # type: ignore[method-assign]
    DialogueStateTracker._undo_till_previous_loop_execution = ORIGINAL_UNDO_LOOP  # type: ignore[method-assign]
    try:
        yield
    finally:
        engine_speedups.install()


def _user(rng: random.Random, text: str = "") -> list[Event]:
    intent = rng.choice(["inform", "greet", "faq_what", "deny"])
    return [
        ActionExecuted("action_listen"),
        UserUttered(text or f"tekst {rng.random():.3f}", {"name": intent, "confidence": 0.9}),
        DefinePrevUserUtteredFeaturization(False),
    ]


def random_conversation(rng: random.Random, length: int) -> list[Event]:
    """Event sequences of the shapes Rasa writes: form loops (happy and unhappy), FAQs inside a
    form, corrections (reverts), restarts, new sessions and a second form appearing later."""
    events: list[Event] = [SessionStarted(), ActionExecuted("action_listen")]
    active: str | None = None
    while len(events) < length:
        roll = rng.random()
        events += _user(rng)
        if active is None and roll < 0.25:
            active = rng.choice(FORMS)
            events += [ActionExecuted(active), ActiveLoop(active), SlotSet("requested_slot", "x")]
        elif active is not None and roll < 0.6:
            # Happy path: the form validates and asks again.
            events += [
                ActionExecuted(active),
                SlotSet("answer", None),
                SlotSet("question_key", f"q{rng.randint(1, 40)}"),
                BotUttered("spørgsmål"),
            ]
        elif active is not None and roll < 0.7:
            # Unhappy path: the form rejects, a FAQ answers, the form comes back.
            events += [
                ActionExecutionRejected(active),
                ActionExecuted("utter_faq"),
                BotUttered("svar"),
                ActionExecuted(active),
                BotUttered("spørgsmål"),
            ]
        elif active is not None and roll < 0.78:
            events += [ActionExecuted(active), ActiveLoop(None), SlotSet("requested_slot", None)]
            active = None
        elif roll < 0.83:
            events.append(UserUtteranceReverted())
        elif roll < 0.87:
            events += [ActionExecuted("action_back"), ActionReverted()]
        elif roll < 0.89:
            events += [ActionExecuted("action_restart"), Restarted()]
            active = None
        elif roll < 0.91:
            events += [SessionStarted(), SlotSet("role", "forælder")]
            active = None
        else:
            events += [ActionExecuted("action_resume"), SlotSet("route", "intake")]
    return events


def check_applied_events() -> list[str]:
    """After every appended event, the continued fold equals Rasa's full fold."""
    problems: list[str] = []
    rng = random.Random(20261125)
    for n in range(150):
        events = random_conversation(rng, rng.randint(20, 160))
        tracker = DialogueStateTracker("s", DOMAIN.slots)
        for i, event in enumerate(events):
            tracker.update(event)
            got = tracker.applied_events()
            with rasa_originals():
                expected = tracker.applied_events()
            if got != expected:
                problems.append(f"conversation {n}, after event {i} ({event}): differs")
                break
        # A tracker built in one go (as loading one does) also agrees.
        loaded = DialogueStateTracker.from_events("s", events, DOMAIN.slots)
        with rasa_originals():
            expected = loaded.applied_events()
            past_expected = loaded.past_states(DOMAIN)
        if loaded.applied_events() != expected or loaded.past_states(DOMAIN) != past_expected:
            problems.append(f"conversation {n}: loaded tracker differs")
    return problems


def check_action_payload() -> list[str]:
    """The action server gets the current turn's events, and the whole state otherwise."""
    problems: list[str] = []
    tracker = DialogueStateTracker("s", DOMAIN.slots)
    rng = random.Random(1)
    for event in [
        SessionStarted(),
        *_user(rng, "hej"),
        ActionExecuted("action_resume"),
        SlotSet("role", "forælder"),
        SlotSet("child_name", "Emma"),
        *_user(rng, "7. klasse"),
        ActionExecuted("intake_form"),
        SlotSet("answer", "7. klasse"),
    ]:
        tracker.update(event)
    action = RemoteAction("validate_intake_form", EndpointConfig("http://127.0.0.1:1/webhook"))
    body = action._action_call_format(tracker, DOMAIN)
    with rasa_originals():
        RemoteAction._action_call_format = ORIGINAL_CALL_FORMAT  # type: ignore[method-assign]
        full = action._action_call_format(tracker, DOMAIN)
    events = body["tracker"]["events"]
    if events[0].get("event") != "user" or events[0].get("text") != "7. klasse":
        problems.append(f"events do not start at the latest message: {events[:1]}")
    if [e for e in full["tracker"]["events"][-len(events) :]] != events:
        problems.append("the current turn's events differ from Rasa's own")
    if len(full["tracker"]["events"]) <= len(events):
        problems.append("nothing was left out")
    for key in ("slots", "latest_message", "active_loop", "latest_action_name", "sender_id"):
        if body["tracker"][key] != full["tracker"][key]:
            problems.append(f"{key} differs from Rasa's own")
    if body["tracker"]["slots"].get("child_name") != "Emma":
        problems.append("a slot set in an earlier turn is missing")
    if body.get("domain") != full.get("domain") or body["next_action"] != full["next_action"]:
        problems.append("domain or next_action differ")
    return problems


def _store(url: str, folder: Path, **kwargs: Any) -> CachedSQLTrackerStore:
    if not url:
        return CachedSQLTrackerStore(
            domain=DOMAIN, dialect="sqlite", db=str(folder / "t.db"), **kwargs
        )
    from urllib.parse import urlsplit

    u = urlsplit(url.replace("+psycopg", ""))
    return CachedSQLTrackerStore(
        domain=DOMAIN,
        dialect="postgresql",
        host=u.hostname,
        port=u.port or 5432,
        db=u.path.lstrip("/"),
        username=u.username,
        password=u.password,
        **kwargs,
    )


def _events(store: CachedSQLTrackerStore, sender: str) -> list[dict[str, Any]]:
    # What a plain reload from the database gives (no cache involved).
    fresh = _store(store._url, store._folder)  # type: ignore[attr-defined]
    tracker = asyncio.run(fresh.retrieve(sender))
    return [e.as_dict() for e in tracker.events] if tracker else []


def check_tracker_store(url: str) -> list[str]:
    """Two workers on one database: each sees the other's writes, a failed turn is not kept,
    a deleted transcript stays deleted, and what is saved is what Rasa's store would save."""
    problems: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="engine-checks-"))
    a = _store(url, folder, cache_size=2)
    b = _store(url, folder)
    for s in (a, b):
        s._url, s._folder = url, folder  # type: ignore[attr-defined]
    rng = random.Random(3)
    run = asyncio.run

    def turn(store: CachedSQLTrackerStore, sender: str, text: str) -> DialogueStateTracker:
        tracker = run(store.get_or_create_tracker(sender)) or DialogueStateTracker(
            sender, DOMAIN.slots
        )
        # Consented conversations are stored whole (see check_tracker_privacy for the rest).
        consent = [] if tracker.get_slot("consent_given") else [SlotSet("consent_given", True)]
        for event in [
            *consent,
            *_user(rng, text),
            ActionExecuted("utter_greet"),
            BotUttered(text),
        ]:
            tracker.update(event)
        run(store.save(tracker))
        return tracker

    def expect(cond: bool, what: str) -> None:
        if not cond:
            problems.append(what)

    t1 = turn(a, "s1", "hej")
    expect(run(a.retrieve("s1")) is t1, "the saved tracker is not served from the cache")
    expect(_events(a, "s1") == [e.as_dict() for e in t1.events], "stored events differ")

    # Worker b answers the next message of the same conversation.
    tb = turn(b, "s1", "fra b")
    got = run(a.retrieve("s1"))
    expect(got is not t1, "worker a served its stale tracker after worker b wrote")
    expect(
        got is not None and [e.as_dict() for e in got.events] == [e.as_dict() for e in tb.events],
        "worker a does not see worker b's events",
    )

    # A turn that fails before it is saved leaves nothing behind.
    t = run(a.retrieve("s1"))
    stored = [e.as_dict() for e in t.events]
    t.update(UserUttered("aldrig gemt"))
    again = run(a.retrieve("s1"))
    expect(
        again is not None and [e.as_dict() for e in again.events] == stored,
        "an unsaved change was served as stored",
    )

    # The cache is bounded and evicted conversations still load correctly.
    for sender in ("s2", "s3", "s4"):
        turn(a, sender, f"hej {sender}")
    expect(len(a._cache) <= 2, f"cache holds {len(a._cache)} trackers, bound is 2")
    s2 = run(a.retrieve("s2"))
    expect(s2 is not None and s2.latest_message.text == "hej s2", "evicted tracker lost")

    # A conversation not heard from for the time limit is dropped from memory (and reloads).
    idle = _store(url, folder, cache_ttl_seconds=0)
    idle._url, idle._folder = url, folder  # type: ignore[attr-defined]
    t5 = turn(idle, "s5", "hej s5")
    again = run(idle.retrieve("s5"))
    expect(again is not t5 and not idle._cache, "an idle conversation stayed in memory")
    expect(
        again is not None and [e.as_dict() for e in again.events] == _events(idle, "s5"),
        "an idle conversation did not reload as stored",
    )

    # Deleting the transcript (the API's delete and the retention job) is seen at once.
    import sqlalchemy as sa

    with a.session_scope() as session:
        session.execute(sa.delete(a.SQLEvent.__table__).where(a.SQLEvent.sender_id == "s1"))
        session.commit()
    expect(run(a.retrieve("s1")) is None, "a deleted transcript was served from the cache")

    # A first message as Rasa's processor handles it: the new tracker is saved empty, then again
    # with the turn's events; they are stored once, and the next turn is served from the cache.
    new = run(a.get_or_create_tracker("s7", append_action_listen=False))
    first = [SlotSet("consent_given", True), *_user(rng, "første"), ActionExecuted("utter_greet")]
    for event in [*first, BotUttered("hej")]:
        new.update(event)
    run(a.save(new))
    expect(
        _events(a, "s7") == [e.as_dict() for e in new.events],
        "a new conversation's first turn was stored wrongly",
    )
    expect(run(a.retrieve("s7")) is new, "a new conversation is not served from the cache")

    # Saving a tracker the cache never saw (another code path) writes only what is missing.
    t3 = run(a.retrieve("s3"))
    fresh = DialogueStateTracker.from_dict("s3", [e.as_dict() for e in t3.events], DOMAIN.slots)
    fresh.update(BotUttered("ekstra"))
    run(a.save(fresh))
    expect(
        _events(a, "s3") == [e.as_dict() for e in fresh.events],
        "saving an uncached tracker duplicated or lost events",
    )
    if a.engine.dialect.name == "postgresql":
        expect(*_newest_id_reads(a, "s-early"))
    return problems


def _newest_id_reads(store: CachedSQLTrackerStore, sender: str) -> tuple[bool, str]:
    """The newest-id lookup of every turn reads a handful of rows, however much other
    conversations wrote since the sender last spoke, once PostgreSQL has statistics."""
    import sqlalchemy as sa

    table = store.SQLEvent.__table__
    # The sender spoke first, as much as each of the 50 conversations that followed.
    senders = [sender] * 100 + [f"other-{i % 50}" for i in range(5000)]
    rows = [
        {"sender_id": s, "type_name": "user", "timestamp": float(i), "data": "{}"}
        for i, s in enumerate(senders)
    ]
    with store.engine.begin() as connection:
        connection.execute(sa.insert(table), rows)
        connection.execute(sa.text(f"ANALYZE {table.name}"))
    # The store's own statement, with the sender inlined as psycopg2 sends it (a custom plan).
    lookup = store._newest_id_query.params(sender_id=sender).compile(
        dialect=store.engine.dialect, compile_kwargs={"literal_binds": True}
    )
    with store.engine.connect() as connection:
        plan = connection.execute(sa.text(f"EXPLAIN (ANALYZE, FORMAT JSON) {lookup}")).scalar()
    plan = json.loads(plan) if isinstance(plan, str) else plan

    def read(node: dict[str, Any]) -> int:
        own = int(node.get("Actual Rows", 0)) + int(node.get("Rows Removed by Filter", 0))
        return own + sum(read(child) for child in node.get("Plans", []))

    count = read(plan[0]["Plan"])
    return count < 100, f"the newest-id lookup read {count} rows to find one sender's newest"


def _raw_rows(store: CachedSQLTrackerStore, sender: str) -> list[str]:
    import sqlalchemy as sa

    table = store.SQLEvent.__table__
    with store.session_scope() as session:
        return [
            row.data
            for row in session.execute(
                sa.select(table.c.data).where(table.c.sender_id == sender).order_by(table.c.id)
            )
        ]


def check_tracker_privacy(url: str) -> list[str]:
    """Transcripts at rest: every stored event is encrypted (no typed text in the table), what
    was typed before consent is not stored at all, rows from before encryption still load, and
    Rasa's full-transcript API decrypts too."""
    import json

    import sqlalchemy as sa

    problems: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="engine-privacy-"))
    store = _store(url, folder)
    run = asyncio.run

    def expect(cond: bool, what: str) -> None:
        if not cond:
            problems.append(what)

    secret = "min søn bliver mobbet hver dag af Jonas"
    early = "jeg hedder Emma og bor på Nordvej 12"
    tracker = DialogueStateTracker("p1", DOMAIN.slots)
    for event in [*_user(random.Random(1), early), BotUttered("Må vi gemme dine svar?")]:
        tracker.update(event)
    run(store.save(tracker))
    for event in [
        SlotSet("consent_given", True),
        *_user(random.Random(2), secret),
        BotUttered(f"Du skrev: {secret}"),
    ]:
        tracker.update(event)
    run(store.save(tracker))
    rows = _raw_rows(store, "p1")
    expect(len(rows) == len(tracker.events), f"{len(rows)} rows for {len(tracker.events)} events")
    for raw in rows:
        expect(raw.startswith("gAAAAA"), f"a stored event is not a Fernet token: {raw[:40]!r}")
        for word in ("mobbet", "Jonas", "Emma", "Nordvej", "consent_given"):
            expect(word not in raw, f"{word!r} readable in the events table")
    fresh = _store(url, folder)
    back = run(fresh.retrieve("p1"))
    texts = [e.text for e in back.events if isinstance(e, UserUttered)] if back else []
    expect(texts == ["", secret], f"reloaded user texts {texts}: pre-consent text kept or lost")
    expect(back is not None and back.get_slot("consent_given") is True, "slot lost on reload")
    full = run(fresh.retrieve_full_tracker("p1"))
    expect(
        full is not None
        and [e.as_dict() for e in full.events] == [e.as_dict() for e in back.events],
        "the full-transcript API does not decrypt",
    )
    # A conversation that never reaches consent keeps no typed text after its turn.
    lone = DialogueStateTracker("p2", DOMAIN.slots)
    for event in [*_user(random.Random(3), "jeg vil ikke mere"), BotUttered("Okay.")]:
        lone.update(event)
    run(store.save(lone))
    again = run(_store(url, folder).retrieve("p2"))
    kept = [e.text for e in again.events if isinstance(e, UserUttered)] if again else ["?"]
    expect(kept == [""], f"unconsented text stored: {kept}")
    # A row written in clear before this change still loads.
    table = store.SQLEvent.__table__
    legacy = UserUttered("gammel tekst", {"name": "greet", "confidence": 1.0})
    with store.session_scope() as session:
        session.execute(
            sa.insert(table).values(
                sender_id="p3",
                type_name=legacy.type_name,
                timestamp=legacy.timestamp,
                intent_name="greet",
                action_name=None,
                data=json.dumps(legacy.as_dict()),
            )
        )
        session.commit()
    old = run(_store(url, folder).retrieve("p3"))
    expect(old is not None and old.latest_message.text == "gammel tekst", "legacy row unreadable")
    # Another key cannot read the transcript.
    from cryptography.fernet import Fernet

    other = _store(url, folder, encryption_key=Fernet.generate_key().decode())
    try:
        run(other.retrieve("p1"))
        problems.append("a store with another key read the transcript")
    except RuntimeError:
        pass
    return problems


BUTTON_AND_TYPED = [
    "/affirm",
    "/deny",
    '/choose_role{"role": "forælder"}',
    '/choose_role{"role": "elev"}',
    '/svar{"svar":"ved ikke"}',
    '/svar{"svar":"Ja, flere gange om ugen"}',
    "/greet@0.7",
    "/choose_role{broken",
    "/no_such_intent",
    "/ hej",
    "/",
    "  /affirm  ",
    "hej",
    "ja tak",
    "jeg vil rette klassetrinnet",
    "han bliver drillet hver dag",
]


def check_button_parse() -> list[str]:
    """Parsing with the shortcut gives exactly what Rasa's whole NLU graph gives."""
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage

    model = ROOT / "models" / "skolebro.tar.gz"
    if not model.exists():
        return [f"no trained model at {model} (run `make train`)"]
    processor = Agent.load(str(model)).processor
    problems: list[str] = []
    for text in BUTTON_AND_TYPED:
        got = asyncio.run(processor.parse_message(UserMessage(text)))
        MessageProcessor._parse_message_with_graph = ORIGINAL_PARSE  # type: ignore[method-assign]
        try:
            expected = asyncio.run(processor.parse_message(UserMessage(text)))
        finally:
            engine_speedups.install()
        if got != expected:
            problems.append(f"{text!r}: {got} != {expected}")
    return problems


# --- socket.io channel and sanic's WebSocket receive (nlu_ext/socketio_channel.py,
# nlu_ext/sanic_websocket.py), compared with Rasa's and sanic's own code ---


def _recording_server() -> Any:
    """A python-socketio AsyncServer whose emit() records its arguments (same signature)."""
    import inspect

    from socketio import AsyncServer

    class Recorder(AsyncServer):
        async def emit(  # type: ignore[override]
            self,
            event,
            data=None,
            to=None,
            room=None,
            skip_sid=None,
            namespace=None,
            callback=None,
            ignore_queue=False,
        ):
            self.calls.append((event, data, to, room, skip_sid, namespace))

    if inspect.signature(Recorder.emit) != inspect.signature(AsyncServer.emit):
        raise AssertionError("python-socketio's AsyncServer.emit() signature changed")
    server = Recorder(async_mode="sanic")
    server.calls = []
    return server


def _custom_json_problems() -> list[str]:
    from rasa.core.channels.socketio import SocketIOOutput

    from nlu_ext import socketio_channel

    problems: list[str] = []
    rasa_send = socketio_channel._rasa_send_custom_json
    if SocketIOOutput.send_custom_json is not socketio_channel.send_custom_json:
        problems.append("the custom JSON fix is not installed")

    def run(send: Any, message: dict[str, Any]) -> list[Any]:
        server = _recording_server()
        out = SocketIOOutput(server, "bot_uttered")
        asyncio.run(send(out, "samtale-1", copy.deepcopy(message)))
        return server.calls

    # Rasa's documented socket.io shape goes out exactly as Rasa sends it.
    for message in ({"data": {"x": 1}}, {"data": [1, 2], "room": "other"}, {"data": None}):
        if run(SocketIOOutput.send_custom_json, message) != run(rasa_send, message):
            problems.append(f"{message}: differs from Rasa's own send_custom_json")
    # Skolebro's payloads: Rasa's raises; the fix emits them whole to the conversation's room.
    for message in (
        {"progress": {"current": 1, "total": 36, "question": "child_name", "type": "text"}},
        {"case": {"reference": "SB-2026-0001"}},
        {"data": {"x": 1}, "progress": {}},
    ):
        try:
            run(rasa_send, message)
            problems.append(f"{message}: Rasa's own send_custom_json no longer fails; drop the fix")
        except TypeError:
            pass
        expected = [("bot_uttered", message, None, "samtale-1", None, None)]
        if run(SocketIOOutput.send_custom_json, message) != expected:
            problems.append(f"{message}: not emitted whole to the conversation's room")
    return problems


class _EngineIOSocket:
    """A bare Engine.IO 4 / Socket.IO 5 client over one WebSocket (no client library, so
    that what is tested is the server's handling of real frames)."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    @classmethod
    async def open(cls, port: int, path: str) -> _EngineIOSocket:
        import websockets

        ws = await websockets.connect(
            f"ws://127.0.0.1:{port}/{path}/?EIO=4&transport=websocket", open_timeout=5
        )
        sock = cls(ws)
        opening = await sock.packet()
        if not opening.startswith("0"):
            raise AssertionError(f"no Engine.IO open packet: {opening!r}")
        await ws.send("40")  # connect to the default namespace
        if not (await sock.packet()).startswith("40"):
            raise AssertionError("namespace connect refused")
        return sock

    async def packet(self, timeout: float = 5.0) -> str:
        while True:
            frame = await asyncio.wait_for(self.ws.recv(), timeout)
            if frame == "2":  # Engine.IO ping: answer, keep reading
                await self.ws.send("3")
                continue
            return frame

    async def emit(self, event: str, data: Any) -> None:
        await self.ws.send("42" + json.dumps([event, data]))

    async def events(self, count: int, timeout: float = 5.0) -> list[Any]:
        found: list[Any] = []
        while len(found) < count:
            frame = await self.packet(timeout)
            if frame.startswith("42"):
                found.append(json.loads(frame[2:]))
        return found


async def _on_new_message(message: Any) -> None:
    out = message.output_channel
    await out.send_text_with_buttons(
        message.sender_id, "Tak.\n\nHvem er du?", [{"title": "Forælder", "payload": "/p"}]
    )
    await out.send_custom_json(message.sender_id, {"progress": {"current": 1}})
    await out.send_custom_json(message.sender_id, {"data": {"rasa": "shape"}})


async def _conversation(port: int, path: str) -> list[Any]:
    """session_request, then one message; every event the client receives."""
    sock = await _EngineIOSocket.open(port, path)
    try:
        await sock.emit("session_request", {"session_id": "samtale-1"})
        confirm = await sock.events(1)
        await sock.emit("user_uttered", {"message": "hej", "session_id": "samtale-1"})
        try:
            replies = await sock.events(4, timeout=3)
        except TimeoutError:
            replies = []
        return confirm + replies
    finally:
        await sock.ws.close()


def check_socketio_channel() -> list[str]:
    """Custom JSON, the session's room and the WebSocket transport, against Rasa's and sanic's
    own code: the faults show with theirs and are gone with nlu_ext's."""
    import logging

    from rasa.core.channels.socketio import SocketIOInput
    from sanic import Sanic
    from sanic.server.websockets.impl import WebsocketImplProtocol

    from nlu_ext import sanic_websocket, socketio_channel

    problems = _custom_json_problems()
    for name, fn in sanic_websocket.ORIGINALS.items():
        if sanic_websocket.source_digest(fn) != sanic_websocket.PATCHED_SOURCES[name]:
            problems.append(f"sanic's {name} is not the 21.12.2 code the fix replaces")
        if getattr(WebsocketImplProtocol, name) is not sanic_websocket.REPLACEMENTS[name]:
            problems.append(f"the WebSocket fix for {name} is not installed")

    expected = [
        ["session_confirm", "samtale-1"],
        ["bot_uttered", {"text": "Tak.", "quick_replies": []}],
        [
            "bot_uttered",
            {
                "text": "Hvem er du?",
                "quick_replies": [{"content_type": "text", "title": "Forælder", "payload": "/p"}],
            },
        ],
        ["bot_uttered", {"progress": {"current": 1}}],
        ["bot_uttered", {"rasa": "shape"}],
    ]
    # One real sanic server (sanic 21.12 starts only one app per process) with the fixed
    # channel on /socket.io and Rasa's own on /rasa-socket.io.
    app = Sanic("engine_checks_socketio", configure_logging=False)
    logging.getLogger("sanic.root").setLevel(logging.WARNING)
    logging.getLogger("sanic.error").setLevel(logging.CRITICAL)
    fixed = socketio_channel.SocketIOChannel(session_persistence=True)
    rasa_own = SocketIOInput(session_persistence=True, socketio_path="/rasa-socket.io")
    app.blueprint(fixed.blueprint(_on_new_message))
    bp = rasa_own.blueprint(_on_new_message)
    bp.name = "rasa_socketio_webhook"
    app.blueprint(bp, url_prefix="/rasa")

    async def run() -> None:
        server = await app.create_server(
            host="127.0.0.1", port=0, return_asyncio_server=True, access_log=False
        )
        await server.startup()
        await server.before_start()
        port = server.server.sockets[0].getsockname()[1]
        try:
            got = await _conversation(port, "socket.io")
            if got != expected:
                problems.append(f"over a WebSocket: {got} != {expected}")
            # With Rasa's own session_request the client never joins its session's room.
            got = await _conversation(port, "rasa-socket.io")
            if got != expected[:1]:
                problems.append(f"Rasa's own channel now answers ({got}); recheck the fix")
            # With sanic's own recv the WebSocket breaks on Python 3.11 at the first frame.
            for name, fn in sanic_websocket.ORIGINALS.items():
                setattr(WebsocketImplProtocol, name, fn)
            try:
                got = await _conversation(port, "socket.io")
            except Exception:  # noqa: BLE001 (a broken connection has several error types)
                got = []
            if got == expected and sys.version_info >= (3, 11):
                problems.append("sanic's own recv works on this Python; recheck the fix")
        finally:
            sanic_websocket.install()
            server.close()
            await server.wait_closed()

    asyncio.run(run())
    return problems


def check_response_validation() -> list[str]:
    """The action-response check accepts and refuses exactly what Rasa's jsonschema does."""
    from jsonschema import ValidationError, validate

    spec = RemoteAction.action_response_format_spec()
    action = RemoteAction("validate_intake_form", None)
    valid_events: list[dict[str, Any]] = [
        e.as_dict()
        for e in [
            SlotSet("answer", None),
            SlotSet("question_key", "grade"),
            BotUttered("Hej", {"buttons": [{"title": "Ja", "payload": "/affirm"}]}),
            ActiveLoop("intake_form"),
            ActionExecutionRejected("intake_form"),
            ActionExecuted("action_listen"),
            UserUttered("hej", {"name": "greet", "confidence": 0.9}, []),
            SessionStarted(),
            Restarted(),
        ]
    ]
    rng = random.Random(3)
    broken_values: list[Any] = [None, 1, "x", [], {}, {"a": 1}, 2.5, True]
    cases: list[Any] = [
        {"events": valid_events, "responses": [{"text": "Hej"}]},
        {"events": [], "responses": []},
        {},
        [],
        "x",
        {"events": {}},
        {"responses": [1]},
        {"events": [{"event": "nope"}]},
        {"events": [{"name": "answer", "value": 1}]},
        {"events": [{"event": "slot", "name": "answer"}]},
        {"events": [{"event": "slot", "name": 3, "value": 1}]},
        {"events": [{"event": "user", "parse_data": {"entities": [{"value": 1}]}}]},
        {"events": [{"event": "action", "name": 3}]},
        {"events": [{"event": 5}]},
        {"events": [{"event": "bot", "timestamp": "now"}]},
    ]
    for _ in range(400):
        events = copy.deepcopy(rng.sample(valid_events, rng.randint(1, len(valid_events))))
        event = rng.choice(events)
        key = rng.choice([*event.keys(), "event", "name", "value", "entities", "timestamp"])
        if rng.random() < 0.3:
            event.pop(key, None)
        else:
            event[key] = rng.choice(broken_values)
        cases.append({"events": events, "responses": [{"text": "x"}]})
    problems: list[str] = []
    for case in cases:
        try:
            validate(case, spec)
            rasa_ok = True
        except ValidationError:
            rasa_ok = False
        try:
            ours_ok = action._validate_action_result(case)
        except ValidationError:
            ours_ok = False
        if rasa_ok != ours_ok:
            problems.append(f"Rasa says {rasa_ok}, ours {ours_ok}: {json.dumps(case)[:300]}")
    if sum(1 for c in cases if isinstance(c, dict)) < 100:
        problems.append("too few cases")
    return problems[:10]


def check_freeze_after_load() -> list[str]:
    """`python -m nlu_ext.run_rasa` imports nlu_ext before any loop runs: the model's objects
    must still leave the garbage collector once the server has loaded the model."""
    import gc

    import rasa.core.run

    load = rasa.core.run.load_agent_on_start
    if not getattr(load, "_skolebro_freezes", False):
        return ["rasa.core.run.load_agent_on_start does not freeze after loading"]
    loaded: list[Any] = []

    class FakeAgent:
        """Parses once before the freeze: what the first parse creates is frozen too."""

        parsed: list[str] = []

        def is_ready(self) -> bool:
            return True

        async def parse_message(self, text: str) -> dict[str, Any]:
            self.parsed.append(text)
            loaded.append([object() for _ in range(500)])  # what a first trace creates
            return {}

    agent = FakeAgent()

    async def fake_load(*args: Any) -> FakeAgent:
        loaded.append([object() for _ in range(1000)])  # the "model"
        return agent

    gc.unfreeze()
    before = gc.get_freeze_count()
    result = asyncio.run(engine_speedups._freezing(fake_load)("model.tar.gz"))
    problems = [] if result is agent else [f"the wrapper returned {result!r}"]
    if agent.parsed != ["hej"]:
        problems.append(f"warm-up parses before serving: {agent.parsed}")
    if gc.get_freeze_count() < before + 1500:
        problems.append(f"froze {gc.get_freeze_count()} objects, had {before} before loading")
    gc.unfreeze()
    return problems


def check_token_argument() -> list[str]:
    """Rasa's own `rasa run` parser reads every token the launcher may make, also one that
    begins with "-" (secrets.token_urlsafe gives one in 64)."""
    import argparse

    from rasa.cli import run as rasa_run_cli

    from nlu_ext.run_rasa import with_token

    parser = argparse.ArgumentParser()
    rasa_run_cli.add_subparser(parser.add_subparsers(), parents=[])
    problems = []
    for token in ("-Ab3_x", "--x_Y7", "plain_Token-9", "-t"):
        argv = with_token(["rasa", "run", "--enable-api", "-m", "models"], token)
        try:
            args = parser.parse_args(argv[1:])
        except SystemExit:
            problems.append(f"{token!r}: rasa run refused the arguments")
            continue
        if args.auth_token != token:
            problems.append(f"{token!r}: rasa read {args.auth_token!r}")
    return problems


def check_intent_blend() -> list[str]:
    """nlu_ext.intent_blend scores a message as scikit-learn's LogisticRegression.predict_proba
    on the same tf-idf features does, after a save and load through Rasa's model storage, and
    blends it with DIET's ranking by its weight."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.shared.nlu.training_data.message import Message
    from scipy.sparse import hstack
    from sklearn.linear_model import LogisticRegression

    from nlu_ext.intent_blend import LinearIntentBlend, _analyzers

    data = TrainingDataImporter.load_from_dict(training_data_paths=["data/nlu.yml"]).get_nlu_data()
    examples = [m for m in data.intent_examples if not str(m.get("text")).startswith("/")]
    texts = [str(m.get("text")) for m in examples]
    intents = [str(m.get("intent")) for m in examples]
    config = {**LinearIntentBlend.get_default_config(), "weight": 0.6}
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        storage = LocalModelStorage(Path(tmp))
        resource = Resource("blend")
        context = ExecutionContext(GraphSchema({}), "blend")
        LinearIntentBlend.create(config, storage, resource, context).train(data)
        blend = LinearIntentBlend.load(config, storage, resource, context)
        vectorizers = _analyzers(config)
        features = hstack([v.fit_transform(texts) for v in vectorizers]).tocsr()
        reference = LogisticRegression(
            C=config["c"], class_weight="balanced", max_iter=3000, random_state=7
        ).fit(features, intents)
        probe = [
            "jeg vil gerne holde pause",
            "hvem læser det her",
            "nej tak",
            "hvad er 2+2",
            "han bliver drillet i frikvarteret",
            "kan i slette alt",
            "ok",
        ]
        expected = reference.predict_proba(
            hstack([v.transform(probe) for v in vectorizers]).tocsr()
        )
        for text, row in zip(probe, expected, strict=True):
            ours = blend.probabilities(text)
            for label, p in zip(reference.classes_, row, strict=True):
                if abs(ours[label] - p) > 1e-4:
                    problems.append(f"{text!r} {label}: ours {ours[label]:.5f}, sklearn {p:.5f}")
                    break
        message = Message(
            data={
                "text": "nej tak",
                "intent_ranking": [
                    {"name": "inform", "confidence": 0.9},
                    {"name": "deny", "confidence": 0.1},
                ],
            }
        )
        blend.process([message])
        linear = blend.probabilities("nej tak")
        want = 0.4 * 0.1 + 0.6 * linear["deny"]
        got = {r["name"]: r["confidence"] for r in message.get("intent_ranking")}
        if abs(got.get("deny", -1) - want) > 1e-9 or message.get("intent") != max(
            message.get("intent_ranking"), key=lambda r: r["confidence"]
        ):
            problems.append(f"blend of 'nej tak': {message.get('intent_ranking')[:3]}")
        payload = Message(data={"text": '/svar{"svar":"1"}', "intent": {"name": "svar"}})
        blend.process([payload])
        if payload.get("intent") != {"name": "svar"}:
            problems.append("a button payload's intent was changed")
    return problems


def _domain_conversation(rng: random.Random, length: int) -> list[Event]:
    """Events named from the real domain (its intents, actions, forms and slots), so that the
    trained rules match along the way and not only at the start."""
    intents = sorted(DOMAIN.intents)
    actions = [a for a in DOMAIN.action_names_or_texts if a.startswith(("action_", "utter_"))]
    events: list[Event] = [ActionExecuted("action_session_start"), SessionStarted()]
    active: str | None = None
    while len(events) < length:
        events += [
            ActionExecuted("action_listen"),
            UserUttered("x", {"name": rng.choice(intents), "confidence": 0.9}),
        ]
        for _ in range(rng.randint(0, 2)):
            roll = rng.random()
            if roll < 0.3:
                active = rng.choice(FORMS) if active is None else active
                events += [ActionExecuted(active), ActiveLoop(active)]
            elif roll < 0.4 and active is not None:
                events += [ActionExecuted(active), ActiveLoop(None)]
                active = None
            elif roll < 0.6:
                slot = rng.choice(["route", "phase", "consent_given", "role"])
                events.append(SlotSet(slot, rng.choice(["intake", "listen", "review", True, None])))
            else:
                events.append(ActionExecuted(rng.choice(actions)))
    return events


def _trained_rule_policy() -> Any:
    """The trained model's RulePolicy, or None without a model or without one in it."""
    from rasa.core.agent import Agent
    from rasa.core.policies.rule_policy import RulePolicy

    model = ROOT / "models" / "skolebro.tar.gz"
    if not model.exists():
        return None
    runner = Agent.load(str(model)).processor.graph_runner  # type: ignore[union-attr]
    for node in runner._instantiated_nodes.values():
        if isinstance(node._component, RulePolicy):
            return node._component
    return None


def check_rule_keys() -> list[str]:
    """nlu_ext.policy_speedups finds the same rule keys (and so the same prediction) as
    Rasa's own RulePolicy, with the trained model's rules, at every turn of random
    conversations."""
    from nlu_ext import policy_speedups

    policy = _trained_rule_policy()
    if policy is None:
        return ["no RulePolicy in the trained model"]
    rule_only = policy._get_rule_only_data()
    lookups = {k: v for k, v in policy.lookup.items() if isinstance(v, dict) and v}
    problems: list[str] = []
    compared = differ_from_all = 0
    rng = random.Random(20261205)
    for n in range(120):
        make = random_conversation if n % 2 else _domain_conversation
        events = make(rng, rng.randint(10, 200))
        tracker = DialogueStateTracker("s", DOMAIN.slots)
        for i, event in enumerate(events):
            tracker.update(event)
            if not isinstance(event, UserUttered) and i != len(events) - 1:
                continue
            states = policy._prediction_states(tracker, DOMAIN, rule_only_data=rule_only)
            for name, lookup in lookups.items():
                ours = policy_speedups.get_possible_keys(policy, lookup, states)
                theirs = policy_speedups.ORIGINAL_GET_POSSIBLE_KEYS(policy, lookup, states)
                compared += 1
                differ_from_all += ours != set(lookup)
                if ours != theirs:
                    problems.append(f"conversation {n}, event {i}, {name}: {ours ^ theirs}")
    if compared < 1000 or differ_from_all < compared // 4:
        problems.append(f"too few real comparisons ({compared}, {differ_from_all} filtered)")
    return problems[:10]


def check_graph_runner() -> list[str]:
    """nlu_ext.graph_runner runs Rasa's graph without dask and gives dask's results: the same
    parse of every kind of message and the same policy prediction at every turn of random
    conversations, and a failing node fails the same way."""
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.runner.dask import DaskGraphRunner

    from nlu_ext import graph_runner

    agent = Agent.load(str(ROOT / "models" / "skolebro.tar.gz"))
    processor = agent.processor
    assert processor is not None
    patched = DaskGraphRunner.run
    if patched is not graph_runner.run:
        return ["nlu_ext did not install the dask-free graph run"]

    def both(call: Callable[[], Any]) -> tuple[Any, Any]:
        ours = call()
        DaskGraphRunner.run = graph_runner.ORIGINAL_RUN  # type: ignore[method-assign]
        try:
            theirs = call()
        finally:
            DaskGraphRunner.run = patched  # type: ignore[method-assign]
        return ours, theirs

    problems: list[str] = []
    loop = asyncio.new_event_loop()
    texts = [*BUTTON_AND_TYPED, "jeg vil ikke leve mere", "min søn er 12", "", "?" * 300]
    for text in texts:
        ours, theirs = both(
            lambda t=text: loop.run_until_complete(processor.parse_message(UserMessage(t)))
        )
        if ours != theirs:
            problems.append(f"parse of {text[:30]!r}: {ours} != {theirs}")
    rng = random.Random(20261206)
    predictions = 0
    for n in range(60):
        tracker = DialogueStateTracker("s", DOMAIN.slots)
        for event in _domain_conversation(rng, rng.randint(4, 150)):
            tracker.update(event)
            if isinstance(event, UserUttered) or rng.random() < 0.1:
                # A fresh copy for each: the processor consumes a tracker's follow-up action.
                ours, theirs = both(
                    lambda t=tracker: processor._predict_next_with_tracker(copy.deepcopy(t))
                )
                predictions += 1
                if ours != theirs:
                    differ = {
                        k: (v, vars(theirs).get(k))
                        for k, v in vars(ours).items()
                        if k != "diagnostic_data" and v != vars(theirs).get(k)
                    }
                    problems.append(f"conversation {n}, prediction {predictions}: {differ}")
    if predictions < 500:
        problems.append(f"only {predictions} predictions compared")

    class Boom(Exception):
        pass

    node = next(iter(processor.graph_runner._instantiated_nodes.values()))  # type: ignore[union-attr]
    original_call = type(node).__call__

    def failing(self: Any, *args: Any) -> Any:
        raise Boom("node failed")

    type(node).__call__ = failing  # type: ignore[method-assign]
    try:
        for run in (graph_runner.run, graph_runner.ORIGINAL_RUN):
            DaskGraphRunner.run = run  # type: ignore[method-assign]
            try:
                loop.run_until_complete(processor.parse_message(UserMessage("hej")))
                problems.append(f"{run.__module__}: a failing node did not fail the run")
            except Boom:
                pass
    finally:
        type(node).__call__ = original_call  # type: ignore[method-assign]
        DaskGraphRunner.run = patched  # type: ignore[method-assign]
    loop.close()
    return problems[:10]


def check_state_history() -> list[str]:
    """nlu_ext.state_history gives Rasa's dialogue states after every event of random
    conversations (reverts, undone loop executions, restarts and new sessions included), with
    and without rule-only turns and unset slots, reusing what it kept on the same tracker; and
    what Rasa's featurizer changes in the newest state does not change the next call's."""

    from nlu_ext import state_history

    if Domain.states_for_tracker_history is not state_history.states_for_tracker_history:
        return ["nlu_ext did not install the kept dialogue states"]
    policy = _trained_rule_policy()
    rule_only = (
        policy._get_rule_only_data()
        if policy is not None
        else {"slots": ["route", "phase"], "loops": ["opening_form"]}
    )
    variants = [(False, False, None), (True, False, None), (False, True, rule_only)]
    problems: list[str] = []
    rng = random.Random(20261206)
    compared = reused = 0
    for n in range(120):
        make = random_conversation if n % 2 else _domain_conversation
        tracker = DialogueStateTracker("s", DOMAIN.slots)
        # Every event, or now and then as predictions come (several events apart: a loop's
        # undone turn and what follows it fall between two calls).
        every = n < 80
        for i, event in enumerate(make(rng, rng.randint(10, 220))):
            tracker.update(event)
            if not every and rng.random() < 0.7:
                continue
            for omit, ignore, data in variants:
                ours = DOMAIN.states_for_tracker_history(tracker, omit, ignore, data)
                theirs = state_history.ORIGINAL_STATES_FOR_TRACKER_HISTORY(
                    DOMAIN, tracker, omit, ignore, data
                )
                compared += 1
                if ours != theirs:
                    diff = next(
                        (k for k in range(len(ours)) if ours[k : k + 1] != theirs[k : k + 1]),
                        len(ours),
                    )
                    problems.append(
                        f"conversation {n}, event {i}, {omit, ignore}: state {diff} of "
                        f"{len(ours)}/{len(theirs)}: {ours[diff:][:1]} != {theirs[diff:][:1]}"
                    )
                newest = ours[-1] if ours else {}
                if newest.get("prev_action", {}).get("action_name") == "action_listen":
                    # What Rasa's featurizer does to the newest state after the user spoke
                    # (_choose_last_user_input) must not reach the next call's states.
                    newest.get("user", {}).pop("intent", None)
                    newest.get("user", {}).pop("text", None)
        kept = tracker.__dict__.get("_skolebro_states", {})
        reused += sum(len(k.states) for k in kept.values())
    if compared < 5000 or reused < 1000:
        problems.append(f"too few comparisons ({compared}) or kept states ({reused})")
    return problems[:10]


# --- Rasa's ticket lock on Redis without blocking the loop (nlu_ext/lock_store.py) ---


def check_lock_store(redis_url: str) -> list[str]:
    """Two workers' lock stores on one Redis: one message of a conversation at a time, served in
    the order they came, other conversations never wait, a crashed holder blocks only until its
    ticket expires, a waiter whose ticket expired gets Rasa's LockError, nothing is left behind;
    and Rasa's own RedisLockStore serves the same schedule in the same order."""
    from urllib.parse import urlsplit

    from rasa.core.lock_store import LockError, RedisLockStore

    from nlu_ext.lock_store import TicketRedisLockStore

    url = urlsplit(redis_url)
    prefix = f"check{random.randrange(10**9)}"
    config = EndpointConfig(
        url=url.hostname, port=url.port or 6379, db=url.path.lstrip("/") or "0", key_prefix=prefix
    )
    workers = [TicketRedisLockStore(config), TicketRedisLockStore(config)]
    rasas = RedisLockStore(
        host=url.hostname or "localhost",
        port=url.port or 6379,
        db=int(url.path.lstrip("/") or 0),
        key_prefix=prefix + "rasa",
    )
    problems: list[str] = []

    async def schedule(stores: list[Any], wait: float) -> tuple[list[str], int]:
        """Five messages of conversation a (from both workers, 10 ms apart) and one of b; each
        holds the lock 60 ms. Returns the log of starts and ends and the most holders of a."""
        log: list[str] = []
        holding = {"a": 0, "most": 0}

        async def message(store: Any, conversation: str, n: int, delay: float) -> None:
            await asyncio.sleep(delay)
            async with store.lock(conversation, wait_time_in_seconds=wait):
                if conversation == "a":
                    holding["a"] += 1
                    holding["most"] = max(holding["most"], holding["a"])
                log.append(f"start {conversation}{n}")
                await asyncio.sleep(0.06)
                log.append(f"end {conversation}{n}")
                if conversation == "a":
                    holding["a"] -= 1

        tasks = [message(stores[n % len(stores)], "a", n, 0.01 * n) for n in range(5)]
        tasks.append(message(stores[0], "b", 0, 0.015))
        await asyncio.gather(*tasks)
        return log, holding["most"]

    async def run_all() -> None:
        log, most = await schedule(workers, 1.0)
        starts = [e for e in log if e.startswith("start a")]
        if starts != [f"start a{n}" for n in range(5)]:
            problems.append(f"conversation a served out of order: {starts}")
        if most != 1:
            problems.append(f"{most} messages of one conversation held the lock at once")
        if log.index("start b0") > log.index("end a0"):
            problems.append(f"conversation b waited for conversation a: {log}")
        rasa_log, rasa_most = await schedule([rasas], 0.02)
        if [e for e in rasa_log if e.startswith("start a")] != starts or rasa_most != 1:
            problems.append(f"Rasa's RedisLockStore served another order: {rasa_log}")
        # A holder that never gives its ticket back (a killed worker) blocks until it expires.
        crashed = workers[0]._keys("c")
        await workers[0]._issue(keys=crashed, args=[300])
        started = time.monotonic()
        async with workers[1].lock("c", lock_lifetime=5):
            waited = time.monotonic() - started
        if not 0.2 <= waited <= 1.5:
            problems.append(f"after a crashed holder the next message waited {waited:.2f} s")
        # A waiter whose own ticket expires gets Rasa's LockError.
        await workers[0]._issue(keys=workers[0]._keys("d"), args=[2000])
        try:
            async with workers[1].lock("d", lock_lifetime=0.2):
                problems.append("a waiter with an expired ticket got the lock")
        except LockError:
            pass
        await asyncio.sleep(2.1)
        left = [k async for k in workers[0].red.scan_iter(f"{prefix}:*")]
        if left:
            problems.append(f"keys left in Redis: {left}")
        for store in workers:
            await store.red.aclose() if hasattr(store.red, "aclose") else await store.red.close()

    asyncio.run(run_all())
    return problems


# --- DIET's intent scores without TensorFlow (nlu_ext/diet_inference.py) ---


def check_diet_inference() -> list[str]:
    """On every training example and on odd input, the folded linear path gives Rasa's
    TensorFlow scores (same ranking, float32 rounding apart), and it is the path taken."""
    from rasa.core.agent import Agent
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier
    from rasa.shared.importers.importer import TrainingDataImporter

    from nlu_ext import diet_inference

    model = ROOT / "models" / "skolebro.tar.gz"
    if not model.exists():
        return [f"no trained model at {model} (run `make train`)"]
    problems: list[str] = []
    seen = {"compared": 0, "rasa_only": 0}

    def both(self: DIETClassifier, message: Any) -> Any:
        expected = diet_inference.ORIGINAL_PREDICT(self, message)
        got = diet_inference._predict(self, message)
        text = message.get("text")
        if expected is None or got is None:
            if (expected is None) != (got is None):
                problems.append(f"{text!r}: Rasa {expected is not None}, ours {got is not None}")
            return expected
        if got is expected or "i_scores" not in got or len(got) != 1:
            seen["rasa_only"] += 1  # fell back to Rasa's own path
            return expected
        seen["compared"] += 1
        a, b = expected["i_scores"].reshape(-1), got["i_scores"].reshape(-1)
        if a.shape != b.shape or float(abs(a - b).max()) > 1e-5:
            problems.append(f"{text!r}: scores differ by {float(abs(a - b).max()):.2e}")
        else:
            # The top three in the same order, except intents whose scores tie within the
            # tolerance above (either may come first: "Ida" had two at 1e-6 apart).
            top = a.argsort()[::-1][:3]
            if any(a[x] - a[y] > 2e-5 and b[x] < b[y] for x in top for y in top):
                problems.append(f"{text!r}: ranking differs")
        return expected

    data = TrainingDataImporter.load_from_dict(training_data_paths=["data/nlu.yml"]).get_nlu_data()
    odd = ["?", "😀", "a" * 600, "ved ikke " * 80, "12", "Æ Ø Å æøå", "hej\nmed\tdig", "ok!!!"]
    # Button payloads ("/affirm") never reach DIET (the parse shortcut unpacks them).
    typed = [str(m.get("text")) for m in data.intent_examples]
    texts = [t for t in typed if not t.startswith("/")] + odd
    agent = Agent.load(str(model))
    DIETClassifier._predict = both  # type: ignore[method-assign]
    try:
        for text in texts:
            asyncio.run(agent.parse_message(text))
    finally:
        diet_inference.install()
    if seen["rasa_only"]:
        problems.append(f"{seen['rasa_only']} messages took Rasa's path: the fold is not in use")
    if seen["compared"] < len(texts):
        problems.append(f"only {seen['compared']} of {len(texts)} messages were compared")
    # Configurations whose layers are not plain linear keep Rasa's path.
    base = {
        "number_of_transformer_layers": 0,
        "hidden_layers_sizes": {"text": [], "label": []},
        "intent_classification": True,
        "entity_recognition": False,
        "model_confidence": "softmax",
        "similarity_type": "inner",
    }
    if not diet_inference._text_layers_are_linear(base):
        problems.append("Skolebro's configuration is not recognised as linear")
    for change in (
        {"number_of_transformer_layers": 2},
        {"number_of_transformer_layers": {"text": 1, "label": 0}},
        {"hidden_layers_sizes": {"text": [64], "label": []}},
        {"entity_recognition": True},
        {"similarity_type": "cosine"},
        {"model_confidence": "linear_norm"},
    ):
        if diet_inference._text_layers_are_linear({**base, **change}):
            problems.append(f"{change} was taken for a linear model")
    return problems


def _override(text: str, ranking: list[tuple[str, float]]) -> str:
    """The intent nlu_ext.risk_override leaves for `text` after the classifier's `ranking`."""
    from rasa.shared.nlu.training_data.message import Message

    from nlu_ext.risk_override import RiskIntentOverride

    entries = [{"name": n, "confidence": c} for n, c in ranking]
    message = Message(data={"text": text, "intent": entries[0], "intent_ranking": entries})
    RiskIntentOverride().process([message])
    return str(message.get("intent")["name"])


def check_unsure_not_safe() -> list[str]:
    """nlu_ext.risk_override: a message the FallbackClassifier could not decide gets `not_safe`
    (the not-safe help, not "Det forstod jeg ikke") when `not_safe` is its leading reading, and
    only then; the detector is silent on these words."""
    cases = [
        ([("nlu_fallback", 0.45), ("not_safe", 0.38), ("inform", 0.30)], "not_safe"),
        ([("nlu_fallback", 0.45), ("inform", 0.38), ("not_safe", 0.30)], "nlu_fallback"),
        # DIET's weak risk kinds are idioms more often: no help from them alone.
        ([("nlu_fallback", 0.45), ("risk_violence", 0.40), ("not_safe", 0.3)], "nlu_fallback"),
        ([("pause", 0.80), ("not_safe", 0.10)], "pause"),
    ]
    return [
        f"{ranking}: {got}, wanted {want}"
        for ranking, want in cases
        if (got := _override("tja", ranking)) != want
    ]


def check_acute_outranks_kind() -> list[str]:
    """nlu_ext.risk_override: when the detector names a harm (violence here), a message read as
    `not_safe` keeps the acute help; any other reading becomes the harm's risk intent."""
    text = "min far slår mig"
    cases = [
        ([("not_safe", 0.70), ("inform", 0.20)], "not_safe"),
        ([("inform", 0.70), ("not_safe", 0.20)], "risk_violence"),
        ([("pause", 0.95)], "risk_violence"),
    ]
    return [
        f"{text!r} {ranking}: {got}, wanted {want}"
        for ranking, want in cases
        if (got := _override(text, ranking)) != want
    ]


def check_long_commands() -> list[str]:
    """nlu_ext.risk_override: a long message read only weakly as a command is an answer (the
    form keeps it); read as a command with some confidence it stays one ("skal hente min
    lillebror nu, fortsætter i aften" is a pause), and a short command always does."""
    from nlu_ext.risk_override import COMMAND_MIN_CONFIDENCE

    long_text = "han stopper op ved porten og kan ikke gå ind"
    weak, sure = COMMAND_MIN_CONFIDENCE - 0.05, COMMAND_MIN_CONFIDENCE + 0.05
    cases = [
        (long_text, [("pause", weak), ("inform", 0.3)], "inform"),
        (long_text, [("pause", sure), ("inform", 0.2)], "pause"),
        ("pause nu", [("pause", weak), ("inform", 0.3)], "pause"),
        (long_text, [("faq_storage", weak), ("inform", 0.3)], "faq_storage"),
    ]
    return [
        f"{text!r} {ranking}: {got}, wanted {want}"
        for text, ranking, want in cases
        if (got := _override(text, ranking)) != want
    ]


CHECKS: dict[str, Callable[..., list[str]]] = {
    "rule_keys": check_rule_keys,
    "graph_runner": check_graph_runner,
    "state_history": check_state_history,
    "lock_store": check_lock_store,
    "diet_inference": check_diet_inference,
    "intent_blend": check_intent_blend,
    "unsure_not_safe": check_unsure_not_safe,
    "acute_outranks_kind": check_acute_outranks_kind,
    "long_commands": check_long_commands,
    "token_argument": check_token_argument,
    "freeze_after_load": check_freeze_after_load,
    "response_validation": check_response_validation,
    "button_parse": check_button_parse,
    "applied_events": check_applied_events,
    "action_payload": check_action_payload,
    "tracker_store": check_tracker_store,
    "tracker_privacy": check_tracker_privacy,
    "socketio_channel": check_socketio_channel,
}

if __name__ == "__main__":
    import os

    from cryptography.fernet import Fernet

    # The launcher derives the real key; a check uses a fresh one.
    os.environ.setdefault("SKOLEBRO_TRACKER_KEY", Fernet.generate_key().decode())
    name = sys.argv[1]
    with_url = name in ("tracker_store", "tracker_privacy", "lock_store")
    args = sys.argv[2:3] if with_url else []
    if with_url and not args:
        args = ["redis://127.0.0.1:6379/0" if name == "lock_store" else ""]
    found = CHECKS[name](*args)
    for line in found:
        print(line)
    print(f"{name}: {'ok' if not found else f'{len(found)} problem(s)'}")
    sys.exit(1 if found else 0)
