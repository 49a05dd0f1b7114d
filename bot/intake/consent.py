"""Consent recorded (who, on what basis, when), withdrawn, and the deletion that reaches every copy
of what was stored on its strength.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot import audit, transcripts
from bot.db.base import utcnow
from bot.db.models import (
    CONSENT_BASES,
    Answer,
    Outbox,
    ProfileSnapshot,
    Respondent,
    ResumeCode,
    Signal,
)
from bot.db.session import session_scope
from bot.intake.respondents import check_role, find_respondent, progress_in, touch
from bot.intake.submission import mark_parents_involved


def record_consent(
    conversation_id: str, role: str, scope: str, given: bool, basis: str | None = None
) -> dict[str, Any]:
    """Record what was consented to, by whom (role), on what basis and when.

    A new answer replaces the old. `basis` is one of CONSENT_BASES (default: by role). Returns
    the conversation's progress as after it (read in the same transaction, so the dialogue
    needs no second one to decide what comes next)."""
    check_role(role)
    basis = basis or ("parent" if role == "parent" else "pupil_own")
    if basis not in CONSENT_BASES:
        raise ValueError(f"unknown consent basis {basis!r}; expected one of {CONSENT_BASES}")
    with session_scope() as session:
        resp = find_respondent(session, conversation_id)
        created = resp is None
        if resp is None:
            # Most consents start the conversation's row: inserted once, with the consent in it.
            resp = Respondent(conversation_id=conversation_id, channel="web")
            session.add(resp)
        else:
            touch(resp)
        resp.role = resp.role or role
        resp.consent_role = role
        resp.consent_basis = basis
        mark_parents_involved(resp, None if created else resp.case)
        resp.consent_scope = scope[:200]
        resp.consent_given = bool(given)
        resp.consent_at = utcnow()
        resp.consent_withdrawn_at = None
        session.flush()  # the row's id for the audit entry
        audit.log(
            session,
            "consent.given" if given else "consent.declined",
            actor=f"respondent:{role}",
            case=None if created else resp.case,
            details={"scope": scope[:200], "respondent_id": resp.id},
        )
        # A row made just now has no answers and no case: nothing to read back.
        return progress_in(session, resp, created=created)


def withdraw_consent(conversation_id: str, chat_id: str | None = None) -> int:
    """Withdraw consent and delete what was stored on its strength; returns answers removed.

    `chat_id` is the chat asking, when it continues another conversation (a resume code): its
    own transcript goes too."""
    with session_scope() as session:
        resp = find_respondent(session, conversation_id)
        if chat_id and chat_id != conversation_id:
            transcripts.delete(session, [chat_id])
        if resp is None:
            return 0
        resp.consent_withdrawn_at = utcnow()
        return _delete_personal_data(session, resp, "consent.withdrawn")


def has_consent(conversation_id: str) -> bool:
    with session_scope() as session:
        resp = find_respondent(session, conversation_id)
        return bool(resp and resp.has_consent)


def _delete_personal_data(session: Session, resp: Respondent, action: str) -> int:
    """Delete what was stored about the respondent and audit it as `action` (no content)."""
    count = (
        session.scalar(select(func.count(Answer.id)).where(Answer.respondent_id == resp.id)) or 0
    )
    session.execute(delete(Answer).where(Answer.respondent_id == resp.id))
    session.execute(delete(Signal).where(Signal.respondent_id == resp.id))
    session.execute(delete(ResumeCode).where(ResumeCode.respondent_id == resp.id))
    # What was derived from the answers goes too: stored profiles (they quote free text), the
    # pupil's alias, notifications (also sent ones) and Rasa's transcript of the conversation.
    if resp.case_id is not None:
        session.execute(delete(ProfileSnapshot).where(ProfileSnapshot.case_id == resp.case_id))
        session.execute(delete(Outbox).where(Outbox.case_id == resp.case_id))
        if resp.case is not None:
            resp.case.pupil_alias = None
    transcripts.delete(session, [resp.conversation_id])
    resp.data_deleted_at = utcnow()
    session.expire(resp, ["answers", "signals"])
    audit.log(
        session,
        action,
        actor=f"respondent:{resp.role or 'unknown'}",
        case=resp.case,
        details={"respondent_id": resp.id, "answers_deleted": int(count)},
    )
    return int(count)


def delete_answers(conversation_id: str) -> int:
    """'Slet mine svar': remove answers, signals and resume codes. Returns answers deleted.

    The consent record stays (it documents what was agreed and is not about the child), and a
    case already sent to a worker keeps its reference so the worker sees the data is gone.
    """
    with session_scope() as session:
        resp = find_respondent(session, conversation_id)
        if resp is None:
            return 0
        return _delete_personal_data(session, resp, "answers.deleted_by_respondent")
