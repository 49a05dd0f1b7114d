"""What the worker API returns about a case: its facts, the consent rule that applied, the
respondents' answers and signals, notes, and the full GDPR export.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot import audit
from bot.cases.report import case_report, consenting_respondents, profile_history, snapshot_info
from bot.config import get_settings
from bot.db.base import utcnow
from bot.db.models import (
    AuditEvent,
    Case,
    Note,
    Respondent,
    Worker,
)


def case_info(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "reference": case.reference,
        "pupil_alias": case.pupil_alias,
        "grade": case.grade,
        "school": case.school.name if case.school is not None else case.school_name,
        "school_id": case.school_id,
        "worker": case.worker.username if case.worker is not None else None,
        "status": case.status,
        "urgent": case.urgent,
        "urgent_at": case.urgent_at,
        "created_at": case.created_at,
        "confirmed_at": case.confirmed_at,
        "contacted_at": case.contacted_at,
        "closed_at": case.closed_at,
        "absence_type": case.absence_type,
        "registered_absence_percent": case.registered_absence_percent,
        # Visitation queue: no school known, nobody assigned yet.
        "triage": case.school_id is None and case.worker_id is None,
        "consent_rule": consent_rule(case),
        "parents_must_be_involved": case.parents_must_be_involved,
    }


CONSENT_RULE_LABELS = {
    "parent": "Forælder har givet samtykke",
    "pupil_own": "Eleven er fyldt {age} og har selv givet samtykke",
    "pupil_parents_involved": "Eleven er under {age}: forældrene skal inddrages, før oplysninger "
    "deles",
}


def consent_rule(case: Case) -> str | None:
    """Which consent rule applied, in the worker's words (strictest first)."""
    bases = {r.consent_basis for r in case.respondents if r.has_consent and r.consent_basis}
    age = get_settings().pupil_consent_age
    labels = [
        CONSENT_RULE_LABELS[b].format(age=age)
        for b in ("pupil_parents_involved", "pupil_own", "parent")
        if b in bases
    ]
    if case.parents_must_be_involved and not labels:
        labels.append(CONSENT_RULE_LABELS["pupil_parents_involved"].format(age=age))
    return "; ".join(labels) or None


def respondent_data(resp: Respondent) -> dict[str, Any]:
    return {
        "role": resp.role,
        "channel": resp.channel,
        "consent": {
            "basis": resp.consent_basis,
            "given": resp.consent_given,
            "scope": resp.consent_scope,
            "by": resp.consent_role,
            "at": resp.consent_at,
            "withdrawn_at": resp.consent_withdrawn_at,
        },
        "data_deleted_at": resp.data_deleted_at,
        "answers": [
            {
                "question_key": a.question_key,
                "status": a.status,
                "value": a.value,
                "display": a.display,
                "free_text": a.free_text,
                "answered_at": a.answered_at,
            }
            for a in sorted(resp.answers, key=lambda a: (a.answered_at, a.id))
        ],
        "signals": [
            {
                "area": s.area,
                "kind": s.kind,
                "weight": s.weight,
                "urgent": s.urgent,
                "question_key": s.question_key,
                "source_text": s.source_text,
                "created_at": s.created_at,
            }
            for s in sorted(resp.signals, key=lambda s: (not s.urgent, s.id))
        ],
    }


def case_detail(session: Session, worker: Worker, case: Case) -> dict[str, Any]:
    report = case_report(session, case)
    return {
        "case": case_info(case),
        "respondents": [respondent_data(r) for r in consenting_respondents(case)],
        "notes": [note_info(n) for n in case.notes],
        "profile": report.profile_data,
        "profile_history": [snapshot_info(s) for s in profile_history(session, case)],
        "summary": report.summary(),
    }


def note_info(note: Note) -> dict[str, Any]:
    return {
        "id": note.id,
        "text": note.text,
        "author": note.author.username if note.author is not None else None,
        "created_at": note.created_at,
    }


def audit_info(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "actor": event.actor,
        "action": event.action,
        "case_reference": event.case_reference,
        "details": event.details,
        "created_at": event.created_at,
    }


def export_case(session: Session, worker: Worker, case: Case) -> dict[str, Any]:
    """GDPR access: everything stored about the case, decrypted, in one document."""
    return {
        "exported_at": utcnow(),
        "case": case_info(case),
        "respondents": [respondent_data(r) for r in case.respondents],
        "notes": [note_info(n) for n in case.notes],
        "invitations": [
            {
                "code": i.code,
                "created_at": i.created_at,
                "expires_at": i.expires_at,
                "redeemed_at": i.redeemed_at,
            }
            for i in case.invitations
        ],
        "profiles": [
            {"created_at": s.created_at, "created_by": s.created_by, "data": s.data}
            for s in case.snapshots
        ],
        "audit": [audit_info(e) for e in audit.events_for_case(session, case.id)],
    }
