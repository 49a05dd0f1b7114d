"""Coming back: a pupil's invitation code into a parent's case, and single-use resume codes (only
their keyed hash is stored; guesses are throttled).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import audit, crypto, throttle
from bot.codes import normalize_code
from bot.config import get_settings
from bot.db.base import utcnow
from bot.db.models import (
    Answer,
    Case,
    Invitation,
    Respondent,
    ResumeCode,
)
from bot.db.session import session_scope
from bot.intake.respondents import find_respondent, new_resume_code, respondent_in
from bot.intake.submission import mark_parents_involved


def _live_invitation(session: Session, code: str) -> Invitation | None:
    """The unexpired invitation behind a typed code, if any."""
    norm = normalize_code(code)
    if not norm:
        return None
    inv = session.scalar(select(Invitation).where(Invitation.code == norm))
    return inv if inv is not None and inv.expires_at > utcnow() else None


def redeem_invitation(conversation_id: str, code: str) -> str | None:
    """Link a pupil's conversation to the case behind an invitation code."""
    with session_scope() as session:
        inv = _live_invitation(session, code)
        if inv is None:
            return None
        resp = respondent_in(session, conversation_id)
        # Single use, but a retry from the same conversation gets the same answer.
        if inv.redeemed_at is not None and inv.respondent_id != resp.id:
            return None
        inv.redeemed_at = inv.redeemed_at or utcnow()
        inv.respondent_id = resp.id
        resp.case_id = inv.case_id
        resp.role = resp.role or "pupil"
        mark_parents_involved(resp, inv.case)
        _answer_school_from_case(session, resp, inv.case)
        audit.log(
            session,
            "invitation.redeemed",
            actor="respondent:pupil",
            case=inv.case,
            details={"respondent_id": resp.id},
        )
        return inv.case.reference


def _answer_school_from_case(session: Session, resp: Respondent, case: Case) -> None:
    """A pupil invited to a case is not asked for the school again: the case knows it."""
    name = case.school.name if case.school is not None else case.school_name
    if not name or not resp.has_consent:
        return
    known = session.scalar(
        select(Answer.id).where(Answer.respondent_id == resp.id, Answer.question_key == "school")
    )
    if known is None:
        session.add(
            Answer(
                respondent_id=resp.id,
                question_key="school",
                status="answered",
                value=name,
                display=name,
            )
        )


def invitation_valid(conversation_id: str, code: str) -> bool:
    """Whether an invitation code would be accepted here; stores and changes nothing.

    The code is checked at once so the pupil hears if it works, but it is redeemed (which
    links the conversation to the case) only after consent."""
    with session_scope() as session:
        inv = _live_invitation(session, code)
        if inv is None:
            return False
        if inv.redeemed_at is None:
            return True
        resp = find_respondent(session, conversation_id)
        return resp is not None and inv.respondent_id == resp.id


def create_resume_code(conversation_id: str) -> str:
    """A code to continue later (single use). Only its keyed hash is stored."""
    with session_scope() as session:
        resp = respondent_in(session, conversation_id)
        now = utcnow()
        for _ in range(20):
            code = new_resume_code()
            digest = crypto.keyed_hash(normalize_code(code))
            if session.scalar(select(ResumeCode.id).where(ResumeCode.code == digest)) is None:
                break
        days = get_settings().resume_code_days
        session.add(
            ResumeCode(respondent_id=resp.id, code=digest, expires_at=now + timedelta(days=days))
        )
        return code


def resume(code: str, conversation_id: str | None = None, client: str | None = None) -> str | None:
    """Original conversation id for a resume code; None if unknown, used, expired or if this
    conversation or client has guessed too often. A hit is used up (single use)."""
    norm = normalize_code(code)
    if not norm:
        return None
    settings = get_settings()
    keys = [throttle.key("code-conv", conversation_id)] if conversation_id else []
    if client:
        keys.append(throttle.key("code-client", client))
    window = timedelta(hours=1)
    with session_scope() as session:
        if any(throttle.blocked_for(session, k) for k in keys):
            return None
        row = session.scalar(select(ResumeCode).where(ResumeCode.code == crypto.keyed_hash(norm)))
        now = utcnow()
        if row is None or row.expires_at <= now or row.used_at is not None:
            for k in keys:
                throttle.fail(session, k, settings.code_max_attempts, window)
            return None
        row.used_at = now
        resp = session.get(Respondent, row.respondent_id)
        return resp.conversation_id if resp is not None else None
