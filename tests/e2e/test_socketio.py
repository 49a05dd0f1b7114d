"""socket.io, as the Rasa webchat widgets speak it, answers over WebSocket and over polling.

A real python-socketio client connects to Rasa's socket.io endpoint, asks for a session
(`session_request`, the widget's first step), and walks the opening and the first questions by
following the buttons the bot offers (consent and role, in whichever order the bot asks), typing
what a parent would type. The custom payloads (`{"progress": …}`) must arrive too, and what the
bot says must be what the REST channel says for the same steps.
"""

from __future__ import annotations

import time

import pytest
from intake_driver import Chat
from socketio_driver import SocketChat, buttons, walk_opening
from sqlalchemy import select

from bot.db.models import Answer, Respondent
from bot.db.session import session_scope

QUESTIONS = 3  # questions answered after the opening


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_socketio_client_walks_consent_role_and_first_questions(stack, transport: str) -> None:
    sio = SocketChat(stack.rasa_url, transport)
    try:
        assert sio.client.transport() == transport
        done, progress_seen = walk_opening(sio, QUESTIONS, rest=Chat(stack.rasa_url))
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
        assert buttons(replies)
        deadline = time.monotonic() + 10
        while len(second.received) < len(replies) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert second.received == replies
    finally:
        first.close()
        second.close()
