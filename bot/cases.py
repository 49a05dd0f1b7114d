"""Case services for the worker API: access rules, reading, notes, status, invitations, GDPR.

Every function takes the session and the acting Worker; access is decided here (not in api/) so
any other front end gets the same rules. Reads of case content are audited by the caller
through `audit_read`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.orm import Session

from bot import audit, intake, transcripts
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
from bot.profile import AnswerRecord, Profile, TextSignal, build_profile
from bot.questionnaire import load_questionnaire
from bot.risk import detect_risk
from bot.summary import RISK_LABELS, ROLE_LABELS, render_summary, summary_dict

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


def _respondent_data(resp: Respondent) -> dict[str, Any]:
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


def consenting_respondents(case: Case) -> list[Respondent]:
    """Only what people consented to share reaches the worker."""
    return [r for r in case.respondents if r.has_consent]


# --- profile and summary ----------------------------------------------------------------------
# The DB rows of the consenting respondents (parent and pupil) are mapped to the pure inputs of
# bot/profile.py and bot/summary.py. Times are shown in Danish local time.

LOCAL_TZ = ZoneInfo("Europe/Copenhagen")
URGENT_TEXT_MAX = 500
# Danger kinds the summary has no label for (raised by intent, not by words).
_EXTRA_RISK_LABELS = {
    "acute_danger": "Akut fare (føler sig ikke tryg)",
    "danger": "Faresignal",
}


def _local(dt: datetime | None) -> datetime | None:
    return dt.astimezone(LOCAL_TZ) if dt is not None else None


def _resp_role(resp: Respondent) -> str:
    return "pupil" if (resp.role or resp.consent_role) == "pupil" else "parent"


@dataclass
class CaseInputs:
    """What the pure profile/summary functions need, read from one case's rows."""

    case_info: dict[str, Any]
    answers: list[AnswerRecord]
    signals: list[TextSignal]
    urgent_signals: list[dict[str, Any]]
    consents: list[dict[str, Any]]


def _urgent_signals(respondents: list[Respondent]) -> list[dict[str, Any]]:
    """One entry per message that raised danger: its kinds and the words that raised them.

    The words come from `detect_risk` on the stored message; the whole message follows (cut at
    URGENT_TEXT_MAX) so the worker also sees danger the word list may have missed.
    """
    groups: dict[tuple[int, str], dict[str, Any]] = {}
    for resp in respondents:
        for sig in sorted(resp.signals, key=lambda s: (s.created_at, s.id)):
            if not sig.urgent:
                continue
            text = (sig.source_text or "").strip()
            entry = groups.setdefault(
                (resp.id, text),
                {"kinds": [], "matches": [], "role": _resp_role(resp), "at": sig.created_at},
            )
            label = sig.kind if sig.kind in RISK_LABELS else _EXTRA_RISK_LABELS.get(sig.kind)
            label = label or sig.kind
            if label not in entry["kinds"]:
                entry["kinds"].append(label)
    out = []
    for (_, text), entry in groups.items():
        if text:
            matches = list(detect_risk(text).matches)
            short = text if len(text) <= URGENT_TEXT_MAX else text[: URGENT_TEXT_MAX - 1] + "…"
            if short not in matches:
                matches.append(short)
            entry["matches"] = matches
        out.append(entry)
    out.sort(key=lambda e: e["at"])
    for entry in out:
        entry["at"] = _local(entry["at"])
    return out


def _consents(case: Case) -> list[dict[str, Any]]:
    """The consent record of every respondent of the case, also when declined or withdrawn."""
    out = []
    for resp in sorted(case.respondents, key=lambda r: r.id):
        if resp.consent_at is None:
            continue
        scope = resp.consent_scope or ""
        if resp.consent_withdrawn_at is not None:
            scope = f"{scope} (trukket tilbage)"
        out.append(
            {
                "scope": scope,
                "given_by": ROLE_LABELS[_role_key(resp.consent_role or _resp_role(resp))],
                "at": _local(resp.consent_withdrawn_at or resp.consent_at),
                "granted": resp.has_consent,
            }
        )
    return out


def _role_key(role: str) -> str:
    return "pupil" if role in ("pupil", "elev") else "parent"


def case_inputs(case: Case) -> CaseInputs:
    respondents = sorted(
        consenting_respondents(case), key=lambda r: (_resp_role(r) != "parent", r.id)
    )
    answers: list[AnswerRecord] = []
    signals: list[TextSignal] = []
    for resp in respondents:
        role = _resp_role(resp)
        for a in sorted(resp.answers, key=lambda a: (a.answered_at, a.id)):
            answers.append(AnswerRecord(a.question_key, a.status, a.value, a.free_text, role))
        for s in sorted(resp.signals, key=lambda s: s.id):
            # Danger signals have their own section; cause signals feed the area levels.
            if s.urgent or s.area is None:
                continue
            signals.append(
                TextSignal(s.area, s.kind, s.source_text or "", s.question_key or "", role)
            )
    created = _local(case.created_at)
    info = {
        "child_name": case.pupil_alias or "",
        "grade": case.grade if case.grade is not None else "",
        "school": (case.school.name if case.school is not None else case.school_name) or "",
        "case_id": case.reference or "",
        "created_at": created.date() if created is not None else None,
    }
    return CaseInputs(info, answers, signals, _urgent_signals(respondents), _consents(case))


@dataclass
class CaseReport:
    """A case's profile (stored as a snapshot) with the inputs its summary is rendered from."""

    inputs: CaseInputs
    profile: Profile
    snapshot: ProfileSnapshot

    @property
    def profile_data(self) -> dict[str, Any]:
        return dict(self.snapshot.data)

    def _kwargs(self) -> dict[str, Any]:
        return {
            "urgent_signals": self.inputs.urgent_signals,
            "consents": self.inputs.consents,
            "questionnaire": load_questionnaire(),
        }

    def summary(self) -> dict[str, Any]:
        data = summary_dict(
            self.inputs.case_info, self.profile, self.inputs.answers, **self._kwargs()
        )
        return _jsonable(data)

    def render(self, fmt: Literal["text", "html", "print"] = "html") -> str:
        return render_summary(
            self.inputs.case_info, self.profile, self.inputs.answers, fmt=fmt, **self._kwargs()
        )


def compute_profile(case: Case) -> tuple[CaseInputs, Profile, dict[str, Any]]:
    inputs = case_inputs(case)
    profile = build_profile(inputs.answers, inputs.signals, load_questionnaire())
    data = json.loads(json.dumps(profile.to_dict(), default=str))
    return inputs, profile, data


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=str))


def _newest_snapshot(session: Session, case: Case) -> ProfileSnapshot | None:
    return session.scalar(
        select(ProfileSnapshot)
        .where(ProfileSnapshot.case_id == case.id)
        .order_by(ProfileSnapshot.id.desc())
    )


def case_report(session: Session, case: Case, created_by: str = "system") -> CaseReport:
    """The current profile. A new snapshot is stored only when it differs from the newest one
    (e.g. the pupil answered since), so the history shows every change without duplicates."""
    inputs, profile, data = compute_profile(case)
    snap = _newest_snapshot(session, case)
    if snap is None or snap.data != data:
        snap = _store_snapshot(session, case, data, created_by)
    return CaseReport(inputs, profile, snap)


def _store_snapshot(
    session: Session, case: Case, data: dict[str, Any], created_by: str
) -> ProfileSnapshot:
    snap = ProfileSnapshot(case_id=case.id, data=data, created_by=created_by[:120])
    session.add(snap)
    session.flush()
    return snap


def latest_profile(session: Session, case: Case, created_by: str = "system") -> dict[str, Any]:
    return case_report(session, case, created_by).profile_data


def rerun_profile(session: Session, case: Case, created_by: str = "system") -> ProfileSnapshot:
    """Explicit re-run by a worker: always stores a new snapshot (history is kept)."""
    _, _, data = compute_profile(case)
    return _store_snapshot(session, case, data, created_by)


def profile_history(session: Session, case: Case) -> list[ProfileSnapshot]:
    return list(
        session.scalars(
            select(ProfileSnapshot)
            .where(ProfileSnapshot.case_id == case.id)
            .order_by(ProfileSnapshot.id)
        )
    )


def snapshot_info(snap: ProfileSnapshot, *, with_data: bool = False) -> dict[str, Any]:
    info: dict[str, Any] = {
        "id": snap.id,
        "created_at": snap.created_at,
        "created_by": snap.created_by,
    }
    if with_data:
        info["data"] = snap.data
    return info


def render_summary_html(
    session: Session, case: Case, fmt: Literal["text", "html", "print"] = "html"
) -> str:
    return case_report(session, case).render(fmt)


def case_detail(session: Session, worker: Worker, case: Case) -> dict[str, Any]:
    report = case_report(session, case)
    return {
        "case": case_info(case),
        "respondents": [_respondent_data(r) for r in consenting_respondents(case)],
        "notes": [note_info(n) for n in case.notes],
        "profile": report.profile_data,
        "profile_history": [snapshot_info(s) for s in profile_history(session, case)],
        "summary": report.summary(),
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
