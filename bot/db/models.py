"""The Skolebro data model.

Personal data sits in few places and is encrypted where people write freely: Answer (value,
display, free text), Signal.source_text, Note.text, Case.pupil_alias and ProfileSnapshot.data.
Audit and outbox rows refer to cases by id/reference without foreign keys so that deleting a
case (GDPR) leaves the trail of who read it, but no content.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import (
    false as sa_false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, EncryptedJSON, EncryptedText, UTCDateTime, utcnow

# Case status flow; bot/cases.py validates transitions.
CASE_STATUSES = ("ny", "kontaktet", "i gang", "afsluttet")
ANSWER_STATUSES = ("answered", "dont_know", "skipped", "refused")
ROLES = ("parent", "pupil")
WORKER_ROLES = ("worker", "leader", "admin")
# Who consented, and on what basis: a parent; a pupil at or above the consent age (own
# consent); a pupil below it (may tell their story; the parents are involved before sharing).
CONSENT_BASES = ("parent", "pupil_own", "pupil_parents_involved")


class Municipality(Base):
    __tablename__ = "municipalities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    contact_within_working_days: Mapped[int] = mapped_column(Integer, default=3)
    retention_days: Mapped[int] = mapped_column(Integer, default=365)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    schools: Mapped[list[School]] = relationship(back_populates="municipality")


class School(Base):
    __tablename__ = "schools"
    __table_args__ = (UniqueConstraint("municipality_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(160))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    municipality: Mapped[Municipality] = relationship(back_populates="schools")
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="school", cascade="all, delete-orphan"
    )


class Worker(Base):
    """A skolekontaktperson, leader/coordinator or administrator who uses the API."""

    __tablename__ = "workers"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipalities.id", ondelete="SET NULL"), index=True
    )
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(160), default="")
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20), default="worker")
    password_hash: Mapped[str] = mapped_column(String(300))
    # Seeded (or admin-set) passwords must be replaced at the first login.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Visitation: a triage worker also sees the cases whose school is unknown.
    triage: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())

    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="worker", cascade="all, delete-orphan"
    )


class Assignment(Base):
    """Which worker covers which school."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("worker_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    worker: Mapped[Worker] = relationship(back_populates="assignments")
    school: Mapped[School] = relationship(back_populates="assignments")


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Set right after the first flush (it embeds the id), hence nullable.
    reference: Mapped[str | None] = mapped_column(String(40), unique=True)
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipalities.id", ondelete="SET NULL"), index=True
    )
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("schools.id", ondelete="SET NULL"), index=True
    )
    school_name: Mapped[str | None] = mapped_column(String(160))  # as answered, if unmatched
    worker_id: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL"), index=True
    )
    pupil_alias: Mapped[str | None] = mapped_column(EncryptedText)
    grade: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="ny", index=True)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    urgent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # From the school's registration: Sygdom, Ekstraordinær frihed or Ulovligt fravær.
    absence_type: Mapped[str | None] = mapped_column(String(40))
    registered_absence_percent: Mapped[float | None] = mapped_column(Float)
    # A pupil under the consent age told their story: the parents must be involved before
    # anything from the case is shared (see CONSENT_BASES).
    parents_must_be_involved: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sa_false()
    )

    school: Mapped[School | None] = relationship()
    worker: Mapped[Worker | None] = relationship()
    respondents: Mapped[list[Respondent]] = relationship(back_populates="case")
    notes: Mapped[list[Note]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Note.created_at"
    )
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )
    snapshots: Mapped[list[ProfileSnapshot]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="ProfileSnapshot.id"
    )


class Respondent(Base):
    """One chat conversation: a parent or a pupil. Holds no name; consent lives here."""

    __tablename__ = "respondents"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(40), default="web")
    role: Mapped[str | None] = mapped_column(String(20))
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )
    # Consent (forvaltningsloven § 28): what, by whom (role), when, and whether withdrawn.
    consent_scope: Mapped[str | None] = mapped_column(String(200))
    consent_given: Mapped[bool | None] = mapped_column(Boolean)
    consent_role: Mapped[str | None] = mapped_column(String(20))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Which consent rule applied: one of CONSENT_BASES.
    consent_basis: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case | None] = relationship(back_populates="respondents")
    answers: Mapped[list[Answer]] = relationship(
        back_populates="respondent", cascade="all, delete-orphan"
    )
    signals: Mapped[list[Signal]] = relationship(
        back_populates="respondent", cascade="all, delete-orphan"
    )

    @property
    def has_consent(self) -> bool:
        return bool(self.consent_given) and self.consent_withdrawn_at is None


class Answer(Base):
    __tablename__ = "answers"
    # One row per question per respondent: corrections and retried actions overwrite.
    __table_args__ = (UniqueConstraint("respondent_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("respondents.id", ondelete="CASCADE"), index=True
    )
    question_key: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20), default="answered")
    value: Mapped[Any] = mapped_column(EncryptedJSON, nullable=True)
    display: Mapped[str | None] = mapped_column(EncryptedText)
    free_text: Mapped[str | None] = mapped_column(EncryptedText)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    respondent: Mapped[Respondent] = relationship(back_populates="answers")


class Signal(Base):
    """A cause or danger signal found in an answer or a message."""

    __tablename__ = "signals"
    # source_hash covers kind, area, question and text (the kind itself is encrypted).
    __table_args__ = (UniqueConstraint("respondent_id", "source_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("respondents.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    area: Mapped[str | None] = mapped_column(String(40))
    # Encrypted: "sexual_abuse" next to a grade and a school identifies a child.
    kind: Mapped[str] = mapped_column(EncryptedText)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    question_key: Mapped[str | None] = mapped_column(String(80))
    source_text: Mapped[str | None] = mapped_column(EncryptedText)
    # Keyed hash of the source text so a retried action does not store the signal twice.
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    respondent: Mapped[Respondent] = relationship(back_populates="signals")


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="notes")
    author: Mapped[Worker | None] = relationship()


class Invitation(Base):
    """A code that lets the pupil join the parent's case from a school computer."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("respondents.id", ondelete="SET NULL")
    )

    case: Mapped[Case] = relationship(back_populates="invitations")


class ResumeCode(Base):
    """Short code that lets a parent continue an interrupted conversation later."""

    __tablename__ = "resume_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("respondents.id", ondelete="CASCADE"), index=True
    )
    # Keyed hash of the code (bot.crypto.keyed_hash): a copy of the table opens nothing.
    code: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Throttle(Base):
    """Failed attempts per key (login account or client, code guesses) within a window.

    In the database so the API and the action server, and several processes of each, count
    together and a restart forgives nothing.
    """

    __tablename__ = "throttles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)  # "login-user:<hash>", ...
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProfileSnapshot(Base):
    """A computed cause profile; re-running adds a row so earlier versions stay visible."""

    __tablename__ = "profile_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    data: Mapped[Any] = mapped_column(EncryptedJSON)
    created_by: Mapped[str] = mapped_column(String(120), default="system")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="snapshots")


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(160))  # "worker:kontakt1", "bot", "system"
    worker_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(80))
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    case_reference: Mapped[str | None] = mapped_column(String(40))
    details: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Outbox(Base):
    """A notification waiting to be delivered (webhook or e-mail), with retry state."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # webhook | email
    event: Mapped[str] = mapped_column(String(60))  # case_created | urgent_signal | ...
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    recipient: Mapped[str | None] = mapped_column(String(300))
    payload: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Makes queueing idempotent, e.g. "case_created:42:webhook".
    dedupe_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
