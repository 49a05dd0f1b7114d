"""Cause and danger signals: stored with consent (counted anonymously without), an urgent one opens
the case and notifies at once.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import audit, crypto, outbox
from bot.db.base import utcnow
from bot.db.models import (
    Respondent,
    Signal,
)
from bot.db.session import session_scope
from bot.intake.respondents import respondent_in
from bot.intake.submission import apply_answers_to_case, mark_parents_involved, new_case


def record_signal(
    conversation_id: str,
    area: str | None,
    kind: str,
    weight: float,
    source_text: str,
    urgent: bool,
    *,
    question_key: str | None = None,
) -> None:
    """Store a cause/danger signal. Urgent ones mark the case urgent and notify at once."""
    with session_scope() as session:
        resp = respondent_in(session, conversation_id)
        urgent_ids = add_signal(
            session, resp, area, kind, weight, source_text, urgent, question_key=question_key
        )
    outbox.deliver_soon(urgent_ids)


def add_signal(
    session: Session,
    resp: Respondent,
    area: str | None,
    kind: str,
    weight: float,
    source_text: str,
    urgent: bool,
    *,
    question_key: str | None = None,
) -> list[int]:
    """record_signal inside the caller's transaction; returns the outbox rows to deliver."""
    urgent_ids: list[int] = []
    if not resp.has_consent:
        # No permission to keep anything about this person: count the event only, so the
        # municipality can see how often danger shows up before consent.
        audit.log(
            session,
            "signal.without_consent",
            actor="bot",
            details={"kind": kind[:80], "area": area, "urgent": bool(urgent)},
        )
        return []
    source_hash = crypto.signal_hash(kind[:80], area, question_key, source_text)
    dup = session.scalar(
        select(Signal.id).where(Signal.respondent_id == resp.id, Signal.source_hash == source_hash)
    )
    if dup is not None:
        return []
    case = resp.case
    if urgent and case is None:
        # Danger cannot wait for the end of the interview: open the case now, with what
        # is known so far, so a worker is told at once.
        case = new_case(session)
        resp.case_id = case.id
        resp.case = case
        apply_answers_to_case(session, resp, case)
        mark_parents_involved(resp, case)
    session.add(
        Signal(
            respondent_id=resp.id,
            case_id=case.id if case is not None else None,
            area=area,
            kind=kind[:80],
            weight=float(weight),
            question_key=question_key,
            source_text=source_text or None,
            source_hash=source_hash,
            urgent=bool(urgent),
        )
    )
    if urgent and case is not None:
        first_time = not case.urgent
        case.urgent = True
        case.urgent_at = case.urgent_at or utcnow()
        if first_time:
            rows = outbox.queue_case_event(
                session, case, "urgent_signal", dedupe=f"urgent:{case.id}"
            )
            session.flush()
            urgent_ids = [r.id for r in rows]
        audit.log(session, "case.marked_urgent", actor="bot", case=case, details={"kind": kind})
    return urgent_ids
