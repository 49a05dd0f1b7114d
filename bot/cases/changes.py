"""What a worker changes on a case: notes, status (forward through the flow, closing from anywhere,
reopening), pupil invitations, and deletion that reaches every copy.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot import audit, intake, transcripts
from bot.codes import INVITATION_CODE_LENGTH
from bot.config import get_settings
from bot.db.base import utcnow
from bot.db.models import (
    CASE_STATUSES,
    Answer,
    Case,
    Invitation,
    Note,
    Outbox,
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


class InvalidTransition(Exception):
    pass


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
        code = intake.new_code(INVITATION_CODE_LENGTH)  # it opens a case to a pupil
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
    counts["rasa_events"] = transcripts.delete(session, conv_ids)
    session.expire(case)
    session.delete(case)
    session.flush()
    return counts


def delete_case(session: Session, worker: Worker, case: Case) -> dict[str, int]:
    audit.log(session, "case.deleted", worker=worker, case=case)
    return purge_case(session, case)
