"""Who is talking: the respondent row of a conversation, its role, and the codes it is given."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.codes import CODE_ALPHABET, RESUME_CODE_LENGTH
from bot.db.base import utcnow
from bot.db.models import (
    ROLES,
    Answer,
    Case,
    Respondent,
)
from bot.db.session import session_scope


def new_code(length: int = 6) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def new_resume_code() -> str:
    code = new_code(RESUME_CODE_LENGTH)
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


LAST_SEEN_RESOLUTION = timedelta(minutes=10)


def respondent_in(session: Session, conversation_id: str, channel: str = "web") -> Respondent:
    """The conversation's respondent row (created on first use), in the caller's transaction."""
    resp = session.scalar(select(Respondent).where(Respondent.conversation_id == conversation_id))
    if resp is None:
        resp = Respondent(conversation_id=conversation_id, channel=channel)
        session.add(resp)
        session.flush()
    else:
        touch(resp)
    return resp


def touch(resp: Respondent) -> None:
    """Note that the conversation is active.

    Retention counts unfinished chats in days: one write per few minutes is enough, not one
    per answer (an UPDATE on every turn)."""
    now = utcnow()
    if resp.last_seen_at is None or now - resp.last_seen_at > LAST_SEEN_RESOLUTION:
        resp.last_seen_at = now


def find_respondent(session: Session, conversation_id: str) -> Respondent | None:
    return session.scalar(select(Respondent).where(Respondent.conversation_id == conversation_id))


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {ROLES}")
    return role


def start_conversation(conversation_id: str, channel: str = "web") -> None:
    with session_scope() as session:
        respondent_in(session, conversation_id, channel)


def set_role(conversation_id: str, role: str) -> None:
    check_role(role)
    with session_scope() as session:
        respondent_in(session, conversation_id).role = role


def progress(conversation_id: str) -> dict[str, Any]:
    """Where the conversation stands: consent, role, the answered question keys, the case."""
    with session_scope() as session:
        return progress_in(session, find_respondent(session, conversation_id))


def not_started() -> dict[str, Any]:
    """The progress of a conversation with no stored row."""
    return {"started": False, "answered": 0, "keys": [], "consent": False}


def progress_in(session: Session, resp: Respondent | None, created: bool = False) -> dict[str, Any]:
    """progress() in the caller's transaction; `created`: the row was inserted in it."""
    if resp is None:
        return not_started()
    keys: list[str] = []
    reference = None
    if not created:
        # Keys and the case number only: loading the answers would decrypt every one of them.
        keys = sorted(
            session.scalars(select(Answer.question_key).where(Answer.respondent_id == resp.id))
        )
        if resp.case_id is not None:
            reference = session.scalar(select(Case.reference).where(Case.id == resp.case_id))
    return {
        "started": True,
        "role": resp.role,
        "consent": resp.has_consent,
        "answered": len(keys),
        "keys": keys,
        "case_reference": reference,
    }
