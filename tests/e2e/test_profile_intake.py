"""A pupil's intake through the real stack: declines are stored as declines, and only text
about problems becomes a concern signal (with the question it came from)."""

from __future__ import annotations

from intake_driver import Chat, Intake
from sqlalchemy import select

from bot import intake as store
from bot.db.models import Respondent, Signal
from bot.db.session import session_scope


def test_pupil_declines_a_question_and_strength_text_raises_no_signal(stack) -> None:
    person = Intake(Chat(stack.rasa_url))
    first = person.start("elev")
    pressed = []

    def decline(turn):
        progress = turn.progress
        if progress and progress["question"] == "kammerater_drillet" and not pressed:
            pressed.append(True)
            titles = [b["title"] for b in turn.buttons]
            assert "Ved ikke" in titles and "Vil ikke svare" in titles, titles
            return person.say(turn.button("Vil ikke svare"))
        return None

    typed = {
        "what_makes_school_hard": "Jeg bliver mobbet af nogle i klassen",
        "strengths_good_at": "Jeg er god til matematik og min lillebror",
        "strengths_network": "Mette fra klassen",
    }
    review = person.answer_until_review(first, typed=typed, on_question=decline)
    assert pressed
    person.say(review.button("Ja"))

    answers = store.get_answers(person.chat.sender)
    assert answers["kammerater_drillet"]["status"] == "refused"
    assert answers["kammerater_drillet"]["value"] is None
    with session_scope() as session:
        resp = session.scalar(
            select(Respondent).where(Respondent.conversation_id == person.chat.sender)
        )
        rows = session.scalars(select(Signal).where(Signal.respondent_id == resp.id)).all()
        found = {(s.question_key, s.kind) for s in rows if not s.urgent}
    assert ("what_makes_school_hard", "bullying") in found
    sources = {key for key, _ in found}
    assert not sources & {"strengths_good_at", "strengths_network", "strengths_helped"}, found
    assert "fritid_andet" not in sources
