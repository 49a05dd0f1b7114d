"""Answers: saved as they are given (only with consent), read back, and what a chat continued with
a resume code may show.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.base import utcnow
from bot.db.models import (
    ANSWER_STATUSES,
    Answer,
    Respondent,
    ResumeCode,
)
from bot.db.session import session_scope
from bot.intake.respondents import find_respondent, respondent_in, touch

log = logging.getLogger(__name__)


def save_answer(
    conversation_id: str,
    question_key: str,
    status: str,
    value: object,
    display: str,
    free_text: str | None = None,
    *,
    require_consent: bool = True,
) -> None:
    """Store or overwrite the answer to one question (idempotent per conversation + key).

    Without consent nothing is stored (logged as a warning), because the bot must not keep
    personal data it has no permission for.
    """
    with session_scope() as session:
        resp = respondent_in(session, conversation_id)
        save_in(session, resp, question_key, status, value, display, free_text, require_consent)


def save_in(
    session: Session,
    resp: Respondent,
    question_key: str,
    status: str,
    value: object,
    display: str,
    free_text: str | None = None,
    require_consent: bool = True,
    *,
    first: bool = False,
) -> bool:
    """save_answer inside the caller's transaction; False when nothing may be stored.

    `first`: the caller read in this transaction that the question has no answer yet, so there
    is no stored answer to load (and decrypt) for comparison."""
    if status not in ANSWER_STATUSES:
        raise ValueError(f"unknown answer status {status!r}; expected one of {ANSWER_STATUSES}")
    if require_consent and not resp.has_consent:
        log.warning("answer %s not stored: no consent for this conversation", question_key)
        return False
    answer = (
        None
        if first
        else session.scalar(
            select(Answer).where(
                Answer.respondent_id == resp.id, Answer.question_key == question_key
            )
        )
    )
    if answer is None:
        answer = Answer(respondent_id=resp.id, question_key=question_key, revision=1)
        session.add(answer)
    else:
        same = (
            answer.status == status
            and answer.value == value
            and answer.display == display
            and answer.free_text == free_text
        )
        if same:  # a retried action: keep the original revision...
            # ...and the time, unless the answer was given before a resume code opened
            # this conversation: given again here, it is this chat's own answer now (else
            # re-typing an old answer and seeing it in the review would reveal it).
            resumed = _resumed_at(session, resp.id)
            if resumed is not None and answer.answered_at <= resumed:
                answer.answered_at = utcnow()
            return True
        answer.revision += 1
    answer.status = status
    answer.value = value
    answer.display = display
    answer.free_text = free_text or None
    answer.answered_at = utcnow()
    return True


def get_answers(conversation_id: str) -> dict[str, dict[str, Any]]:
    with session_scope() as session:
        resp = find_respondent(session, conversation_id)
        if resp is None:
            return {}
        return {
            a.question_key: {
                "status": a.status,
                "value": a.value,
                "display": a.display,
                "free_text": a.free_text,
                "answered_at": a.answered_at,
            }
            for a in sorted(resp.answers, key=lambda a: a.answered_at)
        }


def _resumed_at(session: Session, respondent_id: int) -> datetime | None:
    """When a resume code last opened this respondent's answers in another chat."""
    return session.scalar(
        select(func.max(ResumeCode.used_at)).where(ResumeCode.respondent_id == respondent_id)
    )


def answers_for_chat(conversation_id: str, chat_id: str) -> tuple[dict[str, dict[str, Any]], int]:
    """The answers this chat may show, and how many earlier answers are kept but not shown.

    A chat continued with a resume code (chat_id is not the conversation) may only go on: a
    stolen or overheard code must not reveal what was told before. It sees the answers given
    since the code was used; the earlier ones stay stored and are sent with the case."""
    answers = get_answers(conversation_id)
    if chat_id == conversation_id or not answers:
        return answers, 0
    with session_scope() as session:
        resp = find_respondent(session, conversation_id)
        resumed = _resumed_at(session, resp.id) if resp is not None else None
    if resumed is None:  # continued without a used code on record: show nothing from before
        return {}, len(answers)
    shown = {k: a for k, a in answers.items() if a["answered_at"] > resumed}
    return shown, len(answers) - len(shown)


def answered_keys(conversation_id: str) -> set[str]:
    """The questions answered so far: all the dialogue needs to know where the person is."""
    with session_scope() as session:
        return answered_in(session, conversation_id)


def respondent_and_answered(
    session: Session, conversation_id: str
) -> tuple[Respondent | None, set[str]]:
    """The respondent row and its answered question keys in one round trip (an answer turn
    needs both); no answer is decrypted. (None, empty) when the conversation has no row."""
    row = session.execute(
        select(Respondent, func.aggregate_strings(Answer.question_key, ","))
        .outerjoin(Answer, Answer.respondent_id == Respondent.id)
        .where(Respondent.conversation_id == conversation_id)
        .group_by(Respondent.id)
    ).first()
    if row is None:
        return None, set()
    resp, keys = row
    touch(resp)
    return resp, set(keys.split(",")) if keys else set()


def answered_in(session: Session, conversation_id: str) -> set[str]:
    """answered_keys in the caller's transaction: one query, and no answer is decrypted."""
    return set(
        session.scalars(
            select(Answer.question_key)
            .join(Respondent, Answer.respondent_id == Respondent.id)
            .where(Respondent.conversation_id == conversation_id)
        )
    )
