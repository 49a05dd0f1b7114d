"""The case a conversation becomes: created on confirmation (or at once on an urgent signal),
filled from the answers, assigned to the school's worker.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import audit, outbox
from bot.db.base import utcnow
from bot.db.models import (
    Answer,
    Assignment,
    Case,
    Respondent,
    Signal,
)
from bot.db.session import session_scope
from bot.intake.respondents import find_respondent
from bot.intake.schools import match_school, municipality


class ConsentRequired(Exception):
    """Raised by confirm_case when the respondent has not (or no longer) consented."""


def _grade(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= 10 else None
    if isinstance(value, str):
        if value.strip().lower().startswith("0") or "børnehave" in value.lower():
            return 0
        m = re.search(r"\d+", value)
        if m and 0 <= int(m.group()) <= 10:
            return int(m.group())
    return None


def _answer_text(answer: Answer | None) -> str | None:
    if answer is None or answer.status != "answered":
        return None
    if isinstance(answer.value, str) and answer.value.strip():
        return answer.value.strip()
    return (answer.display or "").strip() or None


def new_case(session: Session) -> Case:
    muni = municipality(session)
    case = Case(municipality_id=muni.id if muni else None, status="ny")
    session.add(case)
    session.flush()
    # Sagsnummer embeds the id, so it is unique without a separate counter.
    case.reference = f"SB-{case.created_at.year}-{case.id:06d}"
    return case


def _assign(session: Session, case: Case) -> None:
    if case.school_id is None:
        return
    worker_ids = list(
        session.scalars(
            select(Assignment.worker_id)
            .where(Assignment.school_id == case.school_id)
            .order_by(Assignment.id)
        )
    )
    if case.worker_id not in worker_ids:
        case.worker_id = worker_ids[0] if worker_ids else None


def mark_parents_involved(resp: Respondent, case: Case | None) -> None:
    """A pupil under the consent age in a case: the parents are involved before sharing."""
    if case is not None and resp.consent_basis == "pupil_parents_involved":
        case.parents_must_be_involved = True


def apply_answers_to_case(session: Session, resp: Respondent, case: Case) -> None:
    answers = {a.question_key: a for a in resp.answers}
    alias = _answer_text(answers.get("child_name"))
    if alias:
        case.pupil_alias = alias[:120]
    grade_answer = answers.get("grade")
    if grade_answer is not None and grade_answer.status == "answered":
        grade = _grade(grade_answer.value)
        if grade is None:
            grade = _grade(grade_answer.display or "")
        if grade is not None:
            case.grade = grade
    school_name = _answer_text(answers.get("school"))
    if school_name:
        school = match_school(session, school_name)
        case.school_id = school.id if school else None
        case.school_name = school.name if school else school_name[:160]
        _assign(session, case)


def confirm_case(conversation_id: str) -> str:
    """Create or update the case for this conversation and notify the worker. Idempotent."""
    ids: list[int] = []
    with session_scope() as session:
        resp = find_respondent(session, conversation_id)
        if resp is None or not resp.has_consent:
            raise ConsentRequired("no consent recorded for this conversation")
        case = resp.case
        started_here = case is None or not any(
            r.id != resp.id for r in case.respondents if r.role == "parent"
        )
        if case is None:
            case = new_case(session)
            resp.case_id = case.id
            resp.case = case
        if resp.role != "pupil" or started_here:
            # The parent's answers describe the case; a pupil invited to a parent's case joins
            # it, while a pupil who started alone describes their own (school unknown: triage).
            apply_answers_to_case(session, resp, case)
        mark_parents_involved(resp, case)
        first = case.confirmed_at is None
        if first:
            case.confirmed_at = utcnow()
        session.execute(
            Signal.__table__.update()
            .where(Signal.respondent_id == resp.id, Signal.case_id.is_(None))
            .values(case_id=case.id)
        )
        event = "pupil_answered" if resp.role == "pupil" else "case_created"
        rows = outbox.queue_case_event(session, case, event, dedupe=f"{event}:{resp.id}")
        session.flush()
        ids = [r.id for r in rows if r.urgent]
        if first:
            audit.log(session, "case.confirmed", actor=f"respondent:{resp.role}", case=case)
        reference = case.reference or ""
    outbox.deliver_soon(ids)
    return reference


def case_reference(conversation_id: str) -> str | None:
    with session_scope() as session:
        resp = find_respondent(session, conversation_id)
        return resp.case.reference if resp is not None and resp.case is not None else None
