"""The stack is real end to end: Rasa answers in Danish, the action server writes the database."""

from __future__ import annotations

import httpx
from intake_driver import Chat
from sqlalchemy import select

from bot.db.models import Respondent
from bot.db.session import session_scope


def test_greeting_is_danish_and_says_it_is_automated(chat) -> None:
    replies = chat.say("hej")
    text = chat.text(replies).lower()
    assert text, "the bot answered nothing"
    assert "skolebro" in text
    # EU AI Act art. 50: people are told they talk to an automated assistant.
    assert "automatisk assistent" in text or "robot" in text
    assert "ikke et menneske" in text


def test_nothing_is_stored_before_consent(chat) -> None:
    replies = chat.say("hej")
    replies += chat.say('/choose_role{"role": "elev"}')
    replies += chat.say("13")
    assert "gemme" in chat.text(replies)  # the consent question is asked
    with session_scope() as session:
        row = session.scalars(
            select(Respondent).where(Respondent.conversation_id == chat.sender)
        ).one_or_none()
        assert row is None, "the conversation was stored before consent"


def test_all_three_processes_are_healthy(stack) -> None:
    assert httpx.get(f"{stack.action_url}/health", timeout=5).status_code == 200
    assert httpx.get(f"{stack.api_url}/healthz", timeout=5).status_code == 200
    status = httpx.get(f"{stack.rasa_url}/status?token={stack.rasa_token}", timeout=5).json()
    assert status["model_file"].endswith("skolebro.tar.gz")


def test_rasa_http_api_needs_the_token(stack) -> None:
    # Browsers reach Rasa's chat channel directly; its HTTP API (transcripts, model, status)
    # must not answer them.
    chat = Chat(stack.rasa_url)
    assert chat.say("hej")
    for path in (f"/conversations/{chat.sender}/tracker", "/status", "/domain"):
        assert httpx.get(f"{stack.rasa_url}{path}", timeout=10).status_code == 401, path
        wrong = httpx.get(f"{stack.rasa_url}{path}?token=gaet", timeout=10)
        assert wrong.status_code == 401, path
    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/{chat.sender}/tracker?token={stack.rasa_token}",
        timeout=10,
    )
    assert tracker.status_code == 200 and tracker.json()["events"]
