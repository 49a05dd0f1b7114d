"""Audit trail: who read or changed which case, and when.

Rows carry the case id and reference but no content, so they survive a GDPR deletion of the case
and can still answer "who looked at this?". Details (kinds of danger, user names of failed
logins) are encrypted at rest (EncryptedJSON).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AuditEvent, Case, Worker


def actor_name(worker: Worker | None) -> str:
    return f"worker:{worker.username}" if worker is not None else "system"


def log(
    session: Session,
    action: str,
    *,
    actor: str | None = None,
    worker: Worker | None = None,
    case: Case | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor=actor or actor_name(worker),
        worker_id=worker.id if worker is not None else None,
        action=action,
        case_id=case.id if case is not None else None,
        case_reference=case.reference if case is not None else None,
        details=details,
    )
    session.add(event)
    return event


def events_for_case(session: Session, case_id: int) -> list[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.case_id == case_id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    )
    return list(session.scalars(stmt))
