"""Facade the Rasa action server calls: one short transaction per call, plain Python types.

Privacy rules enforced here rather than in the dialogue:
- a conversation starts with no personal data at all;
- answers and signals are stored only after consent and are removed on withdrawal or
  "slet mine svar";
- an urgent signal before consent is counted anonymously (no text, no conversation id).
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot import audit, crypto, outbox, throttle, transcripts
from bot.config import get_settings
from bot.db.base import utcnow
from bot.db.models import (
    ANSWER_STATUSES,
    CONSENT_BASES,
    ROLES,
    Answer,
    Assignment,
    Case,
    Invitation,
    Municipality,
    Outbox,
    ProfileSnapshot,
    Respondent,
    ResumeCode,
    School,
    Signal,
)
from bot.db.session import session_scope
from bot.normalize import fold

log = logging.getLogger(__name__)

# No 0/O, 1/I/L: codes are read aloud and typed from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_STRIP = re.compile(r"[\s\-_.]+")


class ConsentRequired(Exception):
    """Raised by confirm_case when the respondent has not (or no longer) consented."""


# --- helpers ----------------------------------------------------------------------------------


def normalize_code(code: str) -> str:
    return _CODE_STRIP.sub("", code or "").upper()


def new_code(length: int = 6) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


# A resume code opens a child's answers: 13 characters of 31 are 64 bits, and every guess counts
# against the conversation and the client (bot/throttle.py). Shown in groups to copy it right.
RESUME_CODE_LENGTH = 13


def new_resume_code() -> str:
    code = new_code(RESUME_CODE_LENGTH)
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


LAST_SEEN_RESOLUTION = timedelta(minutes=10)


def _respondent(session: Session, conversation_id: str, channel: str = "web") -> Respondent:
    resp = session.scalar(select(Respondent).where(Respondent.conversation_id == conversation_id))
    if resp is None:
        resp = Respondent(conversation_id=conversation_id, channel=channel)
        session.add(resp)
        session.flush()
    else:
        now = utcnow()
        # Retention counts unfinished chats in days: one write per few minutes is enough, not
        # one per answer (an UPDATE on every turn).
        if resp.last_seen_at is None or now - resp.last_seen_at > LAST_SEEN_RESOLUTION:
            resp.last_seen_at = now
    return resp


def _find(session: Session, conversation_id: str) -> Respondent | None:
    return session.scalar(select(Respondent).where(Respondent.conversation_id == conversation_id))


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {ROLES}")
    return role


def municipality(session: Session) -> Municipality | None:
    name = get_settings().municipality_name
    return session.scalar(select(Municipality).where(Municipality.name == name))


def danish_sort_key(text: str) -> str:
    # Danish alphabet ends ... x y z æ ø å; Unicode order would put å before æ.
    return text.lower().translate(str.maketrans({"æ": "{", "ø": "|", "å": "}"}))


def _match_school(session: Session, name: str | None) -> School | None:
    if not name:
        return None
    muni = municipality(session)
    stmt = select(School).order_by(School.id)
    if muni is not None:
        stmt = stmt.where(School.municipality_id == muni.id)
    # Compare in Python on the shared fold (SQLite's lower() ignores æøå; parents type
    # "aabyskolen" on phones without Danish letters).
    wanted = fold(name)
    for school in session.scalars(stmt):
        if fold(school.name) == wanted:
            return school
    return None


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


def _new_case(session: Session) -> Case:
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


def _mark_parents_involved(resp: Respondent, case: Case | None) -> None:
    """A pupil under the consent age in a case: the parents are involved before sharing."""
    if case is not None and resp.consent_basis == "pupil_parents_involved":
        case.parents_must_be_involved = True


def _apply_answers_to_case(session: Session, resp: Respondent, case: Case) -> None:
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
        school = _match_school(session, school_name)
        case.school_id = school.id if school else None
        case.school_name = school.name if school else school_name[:160]
        _assign(session, case)


# --- conversation and consent -----------------------------------------------------------------


def start_conversation(conversation_id: str, channel: str = "web") -> None:
    with session_scope() as session:
        _respondent(session, conversation_id, channel)


def set_role(conversation_id: str, role: str) -> None:
    _check_role(role)
    with session_scope() as session:
        _respondent(session, conversation_id).role = role


def record_consent(
    conversation_id: str, role: str, scope: str, given: bool, basis: str | None = None
) -> None:
    """Record what was consented to, by whom (role), on what basis and when.

    A new answer replaces the old. `basis` is one of CONSENT_BASES (default: by role)."""
    _check_role(role)
    basis = basis or ("parent" if role == "parent" else "pupil_own")
    if basis not in CONSENT_BASES:
        raise ValueError(f"unknown consent basis {basis!r}; expected one of {CONSENT_BASES}")
    with session_scope() as session:
        resp = _respondent(session, conversation_id)
        resp.role = resp.role or role
        resp.consent_role = role
        resp.consent_basis = basis
        _mark_parents_involved(resp, resp.case)
        resp.consent_scope = scope[:200]
        resp.consent_given = bool(given)
        resp.consent_at = utcnow()
        resp.consent_withdrawn_at = None
        audit.log(
            session,
            "consent.given" if given else "consent.declined",
            actor=f"respondent:{role}",
            case=resp.case,
            details={"scope": scope[:200], "respondent_id": resp.id},
        )


def withdraw_consent(conversation_id: str, chat_id: str | None = None) -> int:
    """Withdraw consent and delete what was stored on its strength; returns answers removed.

    `chat_id` is the chat asking, when it continues another conversation (a resume code): its
    own transcript goes too."""
    with session_scope() as session:
        resp = _find(session, conversation_id)
        if chat_id and chat_id != conversation_id:
            transcripts.delete(session, [chat_id])
        if resp is None:
            return 0
        resp.consent_withdrawn_at = utcnow()
        count = _delete_personal_data(session, resp)
        audit.log(
            session,
            "consent.withdrawn",
            actor=f"respondent:{resp.role or 'unknown'}",
            case=resp.case,
            details={"respondent_id": resp.id, "answers_deleted": count},
        )
        return count


def has_consent(conversation_id: str) -> bool:
    with session_scope() as session:
        resp = _find(session, conversation_id)
        return bool(resp and resp.has_consent)


# --- invitations and resume codes -------------------------------------------------------------


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
        resp = _respondent(session, conversation_id)
        # Single use, but a retry from the same conversation gets the same answer.
        if inv.redeemed_at is not None and inv.respondent_id != resp.id:
            return None
        inv.redeemed_at = inv.redeemed_at or utcnow()
        inv.respondent_id = resp.id
        resp.case_id = inv.case_id
        resp.role = resp.role or "pupil"
        _mark_parents_involved(resp, inv.case)
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
        resp = _find(session, conversation_id)
        return resp is not None and inv.respondent_id == resp.id


def create_resume_code(conversation_id: str) -> str:
    """A code to continue later (single use). Only its keyed hash is stored."""
    with session_scope() as session:
        resp = _respondent(session, conversation_id)
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


# --- answers ----------------------------------------------------------------------------------


def save_answer(
    conversation_id: str,
    question_key: str,
    status: str,
    value: object,
    display: str,
    free_text: str | None = None,
    *,
    require_consent: bool = True,
) -> None:
    """Store or overwrite the answer to one question (idempotent per conversation + key).

    Without consent nothing is stored (logged as a warning), because the bot must not keep
    personal data it has no permission for.
    """
    with session_scope() as session:
        resp = _respondent(session, conversation_id)
        save_in(session, resp, question_key, status, value, display, free_text, require_consent)


def save_in(
    session: Session,
    resp: Respondent,
    question_key: str,
    status: str,
    value: object,
    display: str,
    free_text: str | None = None,
    require_consent: bool = True,
    *,
    first: bool = False,
) -> bool:
    """save_answer inside the caller's transaction; False when nothing may be stored.

    `first`: the caller read in this transaction that the question has no answer yet, so there
    is no stored answer to load (and decrypt) for comparison."""
    if status not in ANSWER_STATUSES:
        raise ValueError(f"unknown answer status {status!r}; expected one of {ANSWER_STATUSES}")
    if require_consent and not resp.has_consent:
        log.warning("answer %s not stored: no consent for this conversation", question_key)
        return False
    answer = (
        None
        if first
        else session.scalar(
            select(Answer).where(
                Answer.respondent_id == resp.id, Answer.question_key == question_key
            )
        )
    )
    if answer is None:
        answer = Answer(respondent_id=resp.id, question_key=question_key, revision=1)
        session.add(answer)
    else:
        same = (
            answer.status == status
            and answer.value == value
            and answer.display == display
            and answer.free_text == free_text
        )
        if same:  # a retried action: keep the original revision...
            # ...and the time, unless the answer was given before a resume code opened
            # this conversation: given again here, it is this chat's own answer now (else
            # re-typing an old answer and seeing it in the review would reveal it).
            resumed = _resumed_at(session, resp.id)
            if resumed is not None and answer.answered_at <= resumed:
                answer.answered_at = utcnow()
            return True
        answer.revision += 1
    answer.status = status
    answer.value = value
    answer.display = display
    answer.free_text = free_text or None
    answer.answered_at = utcnow()
    return True


def get_answers(conversation_id: str) -> dict[str, dict[str, Any]]:
    with session_scope() as session:
        resp = _find(session, conversation_id)
        if resp is None:
            return {}
        return {
            a.question_key: {
                "status": a.status,
                "value": a.value,
                "display": a.display,
                "free_text": a.free_text,
                "answered_at": a.answered_at,
            }
            for a in sorted(resp.answers, key=lambda a: a.answered_at)
        }


def _resumed_at(session: Session, respondent_id: int) -> datetime | None:
    """When a resume code last opened this respondent's answers in another chat."""
    return session.scalar(
        select(func.max(ResumeCode.used_at)).where(ResumeCode.respondent_id == respondent_id)
    )


def answers_for_chat(conversation_id: str, chat_id: str) -> tuple[dict[str, dict[str, Any]], int]:
    """The answers this chat may show, and how many earlier answers are kept but not shown.

    A chat continued with a resume code (chat_id is not the conversation) may only go on: a
    stolen or overheard code must not reveal what was told before. It sees the answers given
    since the code was used; the earlier ones stay stored and are sent with the case."""
    answers = get_answers(conversation_id)
    if chat_id == conversation_id or not answers:
        return answers, 0
    with session_scope() as session:
        resp = _find(session, conversation_id)
        resumed = _resumed_at(session, resp.id) if resp is not None else None
    if resumed is None:  # continued without a used code on record: show nothing from before
        return {}, len(answers)
    shown = {k: a for k, a in answers.items() if a["answered_at"] > resumed}
    return shown, len(answers) - len(shown)


def answered_keys(conversation_id: str) -> set[str]:
    """The questions answered so far: all the dialogue needs to know where the person is."""
    with session_scope() as session:
        return answered_in(session, conversation_id)


def answered_in(session: Session, conversation_id: str) -> set[str]:
    """answered_keys in the caller's transaction: one query, and no answer is decrypted."""
    return set(
        session.scalars(
            select(Answer.question_key)
            .join(Respondent, Answer.respondent_id == Respondent.id)
            .where(Respondent.conversation_id == conversation_id)
        )
    )


def _delete_personal_data(session: Session, resp: Respondent) -> int:
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
    return int(count)


def delete_answers(conversation_id: str) -> int:
    """'Slet mine svar': remove answers, signals and resume codes. Returns answers deleted.

    The consent record stays (it documents what was agreed and is not about the child), and a
    case already sent to a worker keeps its reference so the worker sees the data is gone.
    """
    with session_scope() as session:
        resp = _find(session, conversation_id)
        if resp is None:
            return 0
        count = _delete_personal_data(session, resp)
        audit.log(
            session,
            "answers.deleted_by_respondent",
            actor=f"respondent:{resp.role or 'unknown'}",
            case=resp.case,
            details={"respondent_id": resp.id, "answers_deleted": count},
        )
        return count


# --- signals ----------------------------------------------------------------------------------


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
        resp = _respondent(session, conversation_id)
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
        case = _new_case(session)
        resp.case_id = case.id
        resp.case = case
        _apply_answers_to_case(session, resp, case)
        _mark_parents_involved(resp, case)
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


# --- case -------------------------------------------------------------------------------------


def confirm_case(conversation_id: str) -> str:
    """Create or update the case for this conversation and notify the worker. Idempotent."""
    ids: list[int] = []
    with session_scope() as session:
        resp = _find(session, conversation_id)
        if resp is None or not resp.has_consent:
            raise ConsentRequired("no consent recorded for this conversation")
        case = resp.case
        started_here = case is None or not any(
            r.id != resp.id for r in case.respondents if r.role == "parent"
        )
        if case is None:
            case = _new_case(session)
            resp.case_id = case.id
            resp.case = case
        if resp.role != "pupil" or started_here:
            # The parent's answers describe the case; a pupil invited to a parent's case joins
            # it, while a pupil who started alone describes their own (school unknown: triage).
            _apply_answers_to_case(session, resp, case)
        _mark_parents_involved(resp, case)
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
        resp = _find(session, conversation_id)
        return resp.case.reference if resp is not None and resp.case is not None else None


# --- schools ----------------------------------------------------------------------------------


def list_schools() -> list[str]:
    with session_scope() as session:
        return schools_in(session)


def schools_in(session: Session) -> list[str]:
    """The municipality's active schools, in Danish order (list_schools in a transaction)."""
    muni = municipality(session)
    if muni is None:
        return []
    names = session.scalars(
        select(School.name).where(School.municipality_id == muni.id, School.active.is_(True))
    )
    return sorted(names, key=danish_sort_key)


def respondent_in(session: Session, conversation_id: str) -> Respondent:
    """The conversation's respondent row (created on first use), in the caller's transaction."""
    return _respondent(session, conversation_id)


def school_contact(name: str) -> dict[str, Any]:
    """Phone and e-mail of a school (for "kan jeg tale med et menneske?"); {} if unknown."""
    with session_scope() as session:
        school = _match_school(session, name)
        if school is None:
            muni = municipality(session)
            if muni is None:
                return {}
            return {"name": muni.name, "phone": muni.phone, "email": muni.email, "school": False}
        return {"name": school.name, "phone": school.phone, "email": school.email, "school": True}


def progress(conversation_id: str) -> dict[str, Any]:
    with session_scope() as session:
        resp = _find(session, conversation_id)
        if resp is None:
            return {"started": False, "answered": 0, "keys": [], "consent": False}
        # Keys and the case number only: loading the answers would decrypt every one of them.
        keys = sorted(
            session.scalars(select(Answer.question_key).where(Answer.respondent_id == resp.id))
        )
        reference = (
            session.scalar(select(Case.reference).where(Case.id == resp.case_id))
            if resp.case_id is not None
            else None
        )
        return {
            "started": True,
            "role": resp.role,
            "consent": resp.has_consent,
            "answered": len(keys),
            "keys": keys,
            "case_reference": reference,
        }
