"""Case services for the worker API: access rules, reading, notes, status, invitations, GDPR.

Every function takes the session and the acting Worker; access is decided here (not in api/) so
any other front end gets the same rules. Reads of case content are audited by the caller
through `audit_read`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, inspect, or_, select, update
from sqlalchemy.orm import Session

from bot import audit, intake
from bot.config import get_settings
from bot.db.base import utcnow
from bot.db.models import (
    CASE_STATUSES,
    Answer,
    Assignment,
    AuditEvent,
    Case,
    Invitation,
    Note,
    Outbox,
    ProfileSnapshot,
    Respondent,
    ResumeCode,
    Signal,
    Worker,
)

# Forward through the flow, closing from anywhere, and reopening a closed case.
TRANSITIONS: dict[str, set[str]] = {
    "ny": {"kontaktet", "i gang", "afsluttet"},
    "kontaktet": {"i gang", "afsluttet"},
    "i gang": {"afsluttet"},
    "afsluttet": {"i gang"},
}


class NotFound(Exception):
    pass


class InvalidTransition(Exception):
    pass


# --- access -----------------------------------------------------------------------------------


def school_ids(session: Session, worker: Worker) -> list[int]:
    return list(
        session.scalars(select(Assignment.school_id).where(Assignment.worker_id == worker.id))
    )


def _visible(session: Session, worker: Worker) -> ColumnElement[bool]:
    """Cases a contact worker may see: own schools, own cases, and unplaced cases.

    Cases whose school could not be matched are shown to every worker in the municipality, so
    an urgent case with an unknown school is never invisible to everyone.
    """
    if worker.role != "worker":
        return Case.id.is_(None)  # leaders and admins see only anonymous statistics
    return or_(
        Case.school_id.in_(school_ids(session, worker)),
        Case.worker_id == worker.id,
        Case.school_id.is_(None) & (Case.municipality_id == worker.municipality_id),
    )


def list_cases(
    session: Session,
    worker: Worker,
    *,
    status: str | None = None,
    urgent: bool | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[Case]:
    stmt = select(Case).where(_visible(session, worker))
    if status is not None:
        stmt = stmt.where(Case.status == status)
    if urgent is not None:
        stmt = stmt.where(Case.urgent.is_(urgent))
    stmt = stmt.order_by(Case.urgent.desc(), Case.created_at.desc(), Case.id.desc())
    return list(session.scalars(stmt.limit(limit).offset(offset)))


def get_case(session: Session, worker: Worker, case_id: int) -> Case:
    """The case, or NotFound also when it exists but belongs to another worker's schools
    (so ids cannot be probed)."""
    case = session.scalar(select(Case).where(Case.id == case_id, _visible(session, worker)))
    if case is None:
        raise NotFound(case_id)
    return case


def get_case_by_reference(session: Session, worker: Worker, reference: str) -> Case:
    ref = reference.strip().upper()
    case = session.scalar(select(Case).where(Case.reference == ref, _visible(session, worker)))
    if case is None:
        raise NotFound(reference)
    return case


def audit_read(session: Session, worker: Worker, case: Case, what: str) -> None:
    audit.log(session, f"case.read.{what}", worker=worker, case=case)


# --- reading ----------------------------------------------------------------------------------


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
    }


def _respondent_data(resp: Respondent) -> dict[str, Any]:
    return {
        "role": resp.role,
        "channel": resp.channel,
        "consent": {
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


def consenting_respondents(case: Case) -> list[Respondent]:
    """Only what people consented to share reaches the worker."""
    return [r for r in case.respondents if r.has_consent]


# INTEGRATION POINT (bot/profile.py, bot/summary.py by a colleague). The profile and summary are
# computed from the consenting respondents' answers and signals. Imports are local so this
# module loads even while those files are being written.
def compute_profile(case: Case) -> dict[str, Any]:
    from bot import profile as profile_mod

    respondents = consenting_respondents(case)
    answers = []
    signals = []
    for resp in respondents:
        for a in resp.answers:
            answers.append(
                profile_mod.AnswerRecord(
                    question_key=a.question_key,
                    status=a.status,
                    value=a.value,
                    display=a.display or "",
                    free_text=a.free_text,
                    role=resp.role or "parent",
                )
            )
        for s in resp.signals:
            signals.append(
                profile_mod.TextSignal(
                    area=s.area,
                    kind=s.kind,
                    weight=s.weight,
                    text=s.source_text or "",
                    urgent=s.urgent,
                    role=resp.role or "parent",
                )
            )
    result = profile_mod.build_profile(answers, signals)
    return _jsonable(result)


def compute_summary(case: Case, profile: dict[str, Any]) -> dict[str, Any]:
    from bot import summary as summary_mod

    return _jsonable(summary_mod.summary_dict(profile, case=case_info(case)))


def render_summary_html(case: Case, profile: dict[str, Any]) -> str:
    from bot import summary as summary_mod

    return str(summary_mod.render_summary(profile, case=case_info(case)))


def _jsonable(obj: Any) -> Any:
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    if hasattr(obj, "__dataclass_fields__"):
        from dataclasses import asdict

        return _jsonable(asdict(obj))
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set):
        return [_jsonable(v) for v in obj]
    return obj


def latest_profile(session: Session, case: Case, created_by: str = "system") -> dict[str, Any]:
    """Newest stored profile; computes and stores the first one when none exists."""
    snap = session.scalar(
        select(ProfileSnapshot)
        .where(ProfileSnapshot.case_id == case.id)
        .order_by(ProfileSnapshot.id.desc())
    )
    if snap is None:
        snap = rerun_profile(session, case, created_by)
    return dict(snap.data)


def rerun_profile(session: Session, case: Case, created_by: str = "system") -> ProfileSnapshot:
    snap = ProfileSnapshot(case_id=case.id, data=compute_profile(case), created_by=created_by)
    session.add(snap)
    session.flush()
    return snap


def case_detail(session: Session, worker: Worker, case: Case) -> dict[str, Any]:
    profile = latest_profile(session, case, audit.actor_name(worker))
    return {
        "case": case_info(case),
        "respondents": [_respondent_data(r) for r in consenting_respondents(case)],
        "notes": [note_info(n) for n in case.notes],
        "profile": profile,
        "summary": compute_summary(case, profile),
    }


# --- changes ----------------------------------------------------------------------------------


def note_info(note: Note) -> dict[str, Any]:
    return {
        "id": note.id,
        "text": note.text,
        "author": note.author.username if note.author is not None else None,
        "created_at": note.created_at,
    }


def add_note(session: Session, worker: Worker, case: Case, text: str) -> Note:
    note = Note(case_id=case.id, author_id=worker.id, text=text)
    session.add(note)
    session.flush()
    session.refresh(note)
    audit.log(session, "case.note_added", worker=worker, case=case, details={"note_id": note.id})
    return note


def change_status(session: Session, worker: Worker, case: Case, status: str) -> Case:
    if status not in CASE_STATUSES:
        raise InvalidTransition(f"Ukendt status '{status}'.")
    if status == case.status:
        return case
    if status not in TRANSITIONS[case.status]:
        allowed = ", ".join(sorted(TRANSITIONS[case.status]))
        raise InvalidTransition(
            f"Sagen kan ikke gå fra '{case.status}' til '{status}'. Tilladt: {allowed}."
        )
    old = case.status
    case.status = status
    now = utcnow()
    if status == "kontaktet":
        case.contacted_at = case.contacted_at or now
    if status == "afsluttet":
        case.closed_at = now
    elif old == "afsluttet":
        case.closed_at = None
    audit.log(
        session,
        "case.status_changed",
        worker=worker,
        case=case,
        details={"from": old, "to": status},
    )
    return case


def create_invitation(
    session: Session, worker: Worker, case: Case, days: int | None = None
) -> tuple[Invitation, str | None]:
    """A pupil code for this case, and a link to the chat with the code filled in."""
    settings = get_settings()
    for _ in range(20):
        code = intake.new_code(8)  # longer than resume codes: it opens a case to a pupil
        if session.scalar(select(Invitation.id).where(Invitation.code == code)) is None:
            break
    inv = Invitation(
        case_id=case.id,
        code=code,
        created_by_id=worker.id,
        expires_at=utcnow() + timedelta(days=days or settings.invitation_days),
    )
    session.add(inv)
    session.flush()
    base = settings.public_base_url.rstrip("/")
    link = f"{base}/?kode={code}" if base else None
    audit.log(session, "case.invitation_created", worker=worker, case=case)
    return inv, link


def export_case(session: Session, worker: Worker, case: Case) -> dict[str, Any]:
    """GDPR access: everything stored about the case, decrypted, in one document."""
    return {
        "exported_at": utcnow(),
        "case": case_info(case),
        "respondents": [_respondent_data(r) for r in case.respondents],
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


def audit_info(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "actor": event.actor,
        "action": event.action,
        "case_reference": event.case_reference,
        "details": event.details,
        "created_at": event.created_at,
    }


def _delete_rasa_events(session: Session, conversation_ids: list[str]) -> int:
    """Remove the chat transcript kept by Rasa's SQLTrackerStore, if it shares this database."""
    if not conversation_ids:
        return 0
    if not inspect(session.connection()).has_table("events"):
        return 0
    from sqlalchemy import column, table

    events = table("events", column("sender_id"))
    result = session.execute(delete(events).where(events.c.sender_id.in_(conversation_ids)))
    return int(result.rowcount or 0)


def purge_case(session: Session, case: Case) -> dict[str, int]:
    """Delete a case and everything about it, including respondents and the chat transcript.

    Audit rows stay (they hold no content) so the deletion itself remains documented.
    """
    respondents = list(case.respondents)
    conv_ids = [r.conversation_id for r in respondents]
    resp_ids = [r.id for r in respondents]
    counts = {"respondents": len(respondents), "answers": 0, "rasa_events": 0}
    if resp_ids:
        counts["answers"] = len(
            list(session.scalars(select(Answer.id).where(Answer.respondent_id.in_(resp_ids))))
        )
        session.execute(delete(Answer).where(Answer.respondent_id.in_(resp_ids)))
        session.execute(delete(Signal).where(Signal.respondent_id.in_(resp_ids)))
        session.execute(delete(ResumeCode).where(ResumeCode.respondent_id.in_(resp_ids)))
        session.execute(
            update(Invitation)
            .where(Invitation.respondent_id.in_(resp_ids))
            .values(respondent_id=None)
        )
        session.execute(delete(Respondent).where(Respondent.id.in_(resp_ids)))
    session.execute(delete(Signal).where(Signal.case_id == case.id))
    session.execute(delete(Outbox).where(Outbox.case_id == case.id, Outbox.sent_at.is_(None)))
    counts["rasa_events"] = _delete_rasa_events(session, conv_ids)
    session.expire(case)
    session.delete(case)
    session.flush()
    return counts


def delete_case(session: Session, worker: Worker, case: Case) -> dict[str, int]:
    audit.log(session, "case.deleted", worker=worker, case=case)
    return purge_case(session, case)
