"""One turn of the intake form in one transaction: where the person is, the answer parsed and
saved, concern signals in free text, and the question that comes next.

The position is derived from the stored answers, never from the chat's memory alone, so every
answer is saved before the next question is asked and nothing is lost when a tab closes or a
process restarts. Doing all of it in one transaction (instead of a read, a write and one write
per signal) is one database round trip set per answer, which matters when a whole school
answers at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot import intake, outbox
from bot.db.session import session_scope
from bot.flow import Position, next_position
from bot.parsing import AnswerError, ParsedAnswer
from bot.questionnaire import OWN_WORDS_TYPES, Question, load_questionnaire
from bot.text_areas import AreaHit, classify_areas, signals_from_text


@dataclass
class FormTurn:
    """What one answer did. `question` is the question that was open (None: all answered)."""

    question: Question | None
    answered: set[str]  # the answered questions after this turn
    redo: list[str] = field(default_factory=list)  # corrections still pending
    error: AnswerError | None = None  # the text could not be used; nothing was saved
    off_topic: bool = False  # not an answer to a closed question; nothing was saved
    parsed: ParsedAnswer | None = None  # saved
    hits: list[AreaHit] | None = None  # the open question's areas: they order what follows
    next: Position | None = None  # the question to ask now (None: nothing was saved)


def answer(
    conversation_id: str,
    role: str,
    text: str,
    *,
    area_order: Sequence[str] | None,
    redo: Sequence[str] | None,
    off_topic: bool = False,
) -> FormTurn:
    """Take `text` as the answer to the open question. `off_topic`: the message was understood
    as something else (a joke, thanks, ...), which only a free-text question accepts."""
    questionnaire = load_questionnaire()
    redo = list(redo or [])
    urgent_ids: list[int] = []
    with session_scope() as session:
        resp, answered = intake.respondent_and_answered(session, conversation_id)
        question = next_position(questionnaire, role, area_order, answered, redo).question
        if question is None:
            return FormTurn(None, answered, redo)
        if off_topic and question.type not in OWN_WORDS_TYPES:
            return FormTurn(question, answered, redo, off_topic=True)
        schools = intake.schools_in(session) if question.type == "school" else None
        try:
            parsed = question.parse(text, role, schools=schools)
        except AnswerError as error:
            return FormTurn(question, answered, redo, error=error)

        free_text = str(parsed.value) if question.type == "text" and parsed.value else None
        if resp is None:
            resp = intake.respondent_in(session, conversation_id)
        intake.save_in(
            session,
            resp,
            question.key,
            parsed.status,
            parsed.value,
            parsed.display,
            free_text,
            first=question.key not in answered,
        )
        hits = None
        if free_text:
            # Text that answers a question about problems can raise concern signals; strengths,
            # network, leisure likes and "what helped" never do (they are resources).
            if question.problem_text:
                for area, kind, matched in signals_from_text(free_text):
                    urgent_ids += intake.add_signal(
                        session, resp, area, kind, 1.0, matched, False, question_key=question.key
                    )
            if question.classify_areas and question.section == "open":
                # The open question decides which areas come first.
                hits = classify_areas(free_text)
                area_order = [hit.area for hit in hits]
        answered = answered | {question.key}
        redo = [k for k in redo if k != question.key]
        nxt = next_position(questionnaire, role, area_order, answered, redo)
    outbox.deliver_soon(urgent_ids)
    return FormTurn(question, answered, redo, parsed=parsed, hits=hits, next=nxt)
