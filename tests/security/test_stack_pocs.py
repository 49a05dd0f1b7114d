"""The review's proofs of concept, tried again against a running stack (Rasa, actions, API).

Runs on SQLite, or on PostgreSQL when DATABASE_URL is set (a database of its own), with the chat
rate limits on (the other e2e stacks turn them off for their fast drivers).
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

import stack as stack_mod  # noqa: E402
from intake_driver import Chat, Intake  # noqa: E402

pytestmark = pytest.mark.e2e
PER_SENDER, PER_CLIENT = 15, 20


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[stack_mod.Stack]:
    model = stack_mod.ensure_model()
    data_dir = tmp_path_factory.mktemp("skolebro-security")
    database_url = stack_mod.fresh_database(os.environ.get("DATABASE_URL", ""), "security")
    st = stack_mod.Stack(
        data_dir=data_dir,
        rasa_port=stack_mod.free_port(),
        action_port=stack_mod.free_port(),
        api_port=stack_mod.free_port(),
        database_url=database_url,
        log_dir=data_dir / "logs",
        chat_limits=True,
        extra_env={
            "CHAT_MAX_PER_SENDER": str(PER_SENDER),
            "CHAT_MAX_PER_CLIENT": str(PER_CLIENT),
            "OUTBOX_INTERVAL_SECONDS": "0",
        },
    )
    old = {k: os.environ.get(k) for k in ("DATA_DIR", "DATABASE_URL")}
    os.environ["DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = database_url
    from bot.config import get_settings

    get_settings.cache_clear()
    st.start_or_show_logs(model, timeout=180)
    yield st
    st.stop()
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    get_settings.cache_clear()


def _raw_events(st: stack_mod.Stack, sender: str) -> list[str]:
    if st.database_url:
        import psycopg

        with psycopg.connect(st.database_url) as conn:
            rows = conn.execute(
                "SELECT data FROM events WHERE sender_id = %s ORDER BY id", (sender,)
            ).fetchall()
    else:
        with closing(sqlite3.connect(st.data_dir / "rasa.db")) as conn:
            rows = conn.execute(
                "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)
            ).fetchall()
    return [r[0] for r in rows]


def _own_address() -> str | None:
    """This machine's address on a non-loopback interface, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent for UDP connect
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_forged_action_calls_are_refused(stack: stack_mod.Stack) -> None:
    forged = {
        "next_action": "action_review",
        "sender_id": "angriber",
        "tracker": {"sender_id": "angriber", "slots": {"respondent": "offerets-samtale"}},
        "domain": {},
        "version": "3.6.21",
    }
    url = f"{stack.action_url}/webhook"
    assert httpx.post(url, json=forged, timeout=10).status_code == 401
    wrong = {"X-Skolebro-Action-Secret": "gaet"}
    assert httpx.post(url, json=forged, headers=wrong, timeout=10).status_code == 401
    assert httpx.get(f"{stack.action_url}/actions", timeout=10).status_code == 401
    assert httpx.get(f"{stack.action_url}/health", timeout=10).status_code == 200
    # Rasa itself gets through: a conversation runs actions.
    replies = Chat(stack.rasa_url).say("hej")
    assert any("Skolebro" in r.get("text", "") for r in replies)
    address = _own_address()
    if address:
        with pytest.raises(OSError), socket.create_connection((address, stack.action_port), 2):
            pass


def test_tracker_rows_hold_no_typed_text(stack: stack_mod.Stack) -> None:
    person = Intake(Chat(stack.rasa_url))
    opening = person.say("hej jeg hedder Sofie Hansen og min søn Oliver vil ikke i skole")
    person.consent(person.say(opening.button("Jeg er forælder")))
    person.say("Viktoria")
    rows = _raw_events(stack, person.chat.sender)
    assert rows
    for raw in rows:
        assert raw.startswith("gAAAAA"), raw[:60]
        for word in ("Sofie", "Oliver", "Viktoria", "consent_given"):
            assert word not in raw
    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/{person.chat.sender}/tracker",
        params={"token": stack.rasa_token},
        timeout=30,
    ).json()
    texts = [e.get("text") for e in tracker["events"] if e.get("event") == "user"]
    assert "Viktoria" in texts  # kept (encrypted) once consent is given
    assert not any("Sofie" in (t or "") for t in texts)  # typed before consent: gone


def _code_from(text: str) -> str:
    return next(
        w.strip(".,")
        for w in text.split()
        if w.strip(".,").isupper() and len(w.strip(".,").replace("-", "")) >= 13
    )


def test_resume_codes_cannot_be_guessed_or_reused(stack: stack_mod.Stack) -> None:
    person = Intake(Chat(stack.rasa_url))
    person.start("forælder")
    person.say("Sofie")
    code = _code_from(person.say("pause").text)
    guesser = Intake(Chat(stack.rasa_url))
    for i in range(5):
        guesser.say("fortsæt")
        assert not guesser.say(f"ABCD-EFGH-JKMN{i + 2}").progress
    guesser.say("fortsæt")
    assert not guesser.say(code).progress, "the right code opened after 5 wrong guesses"
    owner = Intake(Chat(stack.rasa_url))
    owner.say("fortsæt")
    resumed = owner.say(code)
    assert resumed.progress, resumed.text  # the person themself continues
    again = Intake(Chat(stack.rasa_url))
    again.say("fortsæt")
    assert not again.say(code).progress, "a used code opened again"


def test_rest_channel_requires_a_sender_and_cuts_long_messages(stack: stack_mod.Stack) -> None:
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    for body in ({"message": "hej"}, {"sender": "x", "message": "hej"}, {"sender": "a b" * 50}):
        assert httpx.post(url, json=body, timeout=10).status_code == 400, body
    assert httpx.post(url, content=b"{not json", timeout=10).status_code == 400
    started = time.monotonic()
    big = httpx.post(
        url, json={"sender": f"big-{uuid.uuid4().hex}", "message": "ord " * 250_000}, timeout=60
    )
    assert big.status_code == 200 and time.monotonic() - started < 10
    assert "kort" in json.dumps(big.json(), ensure_ascii=False).lower() or big.json()


def test_chat_flooding_is_limited_per_sender_and_per_client(stack: stack_mod.Stack) -> None:
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    sender = f"flood-{uuid.uuid4().hex}"
    with httpx.Client(timeout=30) as client:
        codes = [
            client.post(url, json={"sender": sender, "message": "hej"}).status_code
            for _ in range(PER_SENDER + 1)
        ]
        assert codes[:PER_SENDER] == [200] * PER_SENDER and codes[-1] == 429
        assert "hurtigt" in client.post(url, json={"sender": sender, "message": "x"}).text
        # One client behind the municipality's proxy, a new sender id for every message.
        proxy = {"X-Forwarded-For": "203.0.113.7"}
        codes = [
            client.post(
                url, headers=proxy, json={"sender": f"c-{uuid.uuid4().hex}", "message": "hej"}
            ).status_code
            for _ in range(PER_CLIENT + 1)
        ]
        assert codes[-1] == 429 and codes.count(200) == PER_CLIENT
        other = {"X-Forwarded-For": "203.0.113.8"}
        ok = client.post(
            url, headers=other, json={"sender": f"c-{uuid.uuid4().hex}", "message": "hej"}
        )
        assert ok.status_code == 200


def test_login_flooding_is_throttled(stack: stack_mod.Stack) -> None:
    url = f"{stack.api_url}/api/v1/auth/token"
    with httpx.Client(timeout=30) as client:
        codes = [
            client.post(url, data={"username": "kontakt2", "password": f"gæt{i}"}).status_code
            for i in range(6)
        ]
        assert codes == [401] * 5 + [429]
        right = client.post(url, data={"username": "kontakt2", "password": "demo1234"})
        assert right.status_code == 429 and right.headers.get("Retry-After")


def test_socketio_channel_checks_sender_and_limits(stack: stack_mod.Stack) -> None:
    import socketio

    def exchange(session_id: str, messages: list[str]) -> list[str]:
        """Texts of every bot message until the bot falls silent."""
        with socketio.SimpleClient() as sio:
            sio.connect(stack.rasa_url, transports=["polling"])
            sio.emit("session_request", {"session_id": session_id})
            texts: list[str] = []
            for message in messages:
                sio.emit("user_uttered", {"message": message, "session_id": session_id})
                time.sleep(0.1)  # engine.io refuses a polling payload of over 16 packets
            while True:
                try:
                    event, data = sio.receive(timeout=5)
                except socketio.exceptions.TimeoutError:
                    return texts
                if event == "bot_uttered":
                    texts.append(data.get("text") or "")

    assert any("Genindlæs" in t for t in exchange("x", ["hej"]))
    answered = exchange(f"sio-{uuid.uuid4().hex}", ["hej"])
    assert answered and not any("hurtigt" in t for t in answered)
    flood = exchange(f"sio-{uuid.uuid4().hex}", ["hej"] * (PER_SENDER + 1))
    assert sum("hurtigt" in t for t in flood) == 1
