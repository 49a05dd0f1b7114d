"""Database package: models, engine/session factory and schema migration."""

from bot.db.base import Base, utcnow
from bot.db.models import (
    CASE_STATUSES,
    Answer,
    Assignment,
    AuditEvent,
    Case,
    Invitation,
    Municipality,
    Note,
    Outbox,
    ProfileSnapshot,
    Respondent,
    ResumeCode,
    School,
    Signal,
    Worker,
)
from bot.db.session import dispose_engines, get_engine, get_sessionmaker, init_db, session_scope

__all__ = [
    "CASE_STATUSES",
    "Answer",
    "Assignment",
    "AuditEvent",
    "Base",
    "Case",
    "Invitation",
    "Municipality",
    "Note",
    "Outbox",
    "ProfileSnapshot",
    "Respondent",
    "ResumeCode",
    "School",
    "Signal",
    "Worker",
    "dispose_engines",
    "get_engine",
    "get_sessionmaker",
    "init_db",
    "session_scope",
    "utcnow",
]
