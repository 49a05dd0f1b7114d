"""Who may see which case: a worker's schools, own cases and (with the triage role) the visitation
queue; every read of case content is audited by the caller through `audit_read`.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from bot import audit
from bot.db.models import (
    Assignment,
    Case,
    Worker,
)


class NotFound(Exception):
    pass


def school_ids(session: Session, worker: Worker) -> list[int]:
    return list(
        session.scalars(select(Assignment.school_id).where(Assignment.worker_id == worker.id))
    )


def visible_to(session: Session, worker: Worker) -> ColumnElement[bool]:
    """Cases a contact worker may see: own schools, own cases, and (triage) unplaced cases.

    A case whose school is unknown goes to the visitation queue: only workers with the triage
    role in the municipality see it, until it is placed on a school or a worker.
    """
    if worker.role != "worker":
        return Case.id.is_(None)  # leaders and admins see only anonymous statistics
    rules = [Case.school_id.in_(school_ids(session, worker)), Case.worker_id == worker.id]
    if worker.triage:
        rules.append(
            Case.school_id.is_(None)
            & Case.worker_id.is_(None)
            & (Case.municipality_id == worker.municipality_id)
        )
    return or_(*rules)


def release_school_cases(session: Session, worker_id: int, school_id: int) -> int:
    """A worker stops covering a school: they stop holding its cases. Returns cases released."""
    result = session.execute(
        update(Case)
        .where(Case.worker_id == worker_id, Case.school_id == school_id)
        .values(worker_id=None)
    )
    return int(result.rowcount or 0)


def list_cases(
    session: Session,
    worker: Worker,
    *,
    status: str | None = None,
    urgent: bool | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[Case]:
    stmt = select(Case).where(visible_to(session, worker))
    if status is not None:
        stmt = stmt.where(Case.status == status)
    if urgent is not None:
        stmt = stmt.where(Case.urgent.is_(urgent))
    stmt = stmt.order_by(Case.urgent.desc(), Case.created_at.desc(), Case.id.desc())
    return list(session.scalars(stmt.limit(limit).offset(offset)))


def get_case(session: Session, worker: Worker, case_id: int) -> Case:
    """The case, or NotFound also when it exists but belongs to another worker's schools
    (so ids cannot be probed)."""
    case = session.scalar(select(Case).where(Case.id == case_id, visible_to(session, worker)))
    if case is None:
        raise NotFound(case_id)
    return case


def get_case_by_reference(session: Session, worker: Worker, reference: str) -> Case:
    ref = reference.strip().upper()
    case = session.scalar(select(Case).where(Case.reference == ref, visible_to(session, worker)))
    if case is None:
        raise NotFound(reference)
    return case


def audit_read(session: Session, worker: Worker, case: Case, what: str) -> None:
    audit.log(session, f"case.read.{what}", worker=worker, case=case)
