"""Request and response models (the OpenAPI contract)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

# A plain pattern instead of EmailStr: avoids an extra dependency, catches typos.
Email = Annotated[str, Field(max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
CaseStatus = Literal["ny", "kontaktet", "i gang", "afsluttet"]
WorkerRole = Literal["worker", "leader", "admin"]


# Ids are 32-bit integers in PostgreSQL; a larger id is "not found", never a 500.
MAX_DB_ID = 2_147_483_647
DbId = Annotated[int, Path(ge=1, le=MAX_DB_ID, description="Id (1 til 2147483647)")]


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Sekunder til adgangsnøglen udløber")
    role: WorkerRole


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]


class CaseOut(BaseModel):
    id: int
    reference: str | None
    pupil_alias: str | None
    grade: int | None
    school: str | None
    school_id: int | None
    worker: str | None
    status: str
    urgent: bool
    urgent_at: datetime | None
    created_at: datetime
    confirmed_at: datetime | None
    contacted_at: datetime | None
    closed_at: datetime | None
    absence_type: str | None = None
    registered_absence_percent: float | None = None
    triage: bool = Field(description="I visitationskøen: skolen er ukendt, ingen tildelt")
    consent_rule: str | None = Field(description="Hvilken samtykkeregel der gælder")
    parents_must_be_involved: bool = Field(
        description="Eleven er under samtykkealderen: forældrene inddrages, før noget deles"
    )


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=10_000, description="Notatets tekst")


class NoteOut(BaseModel):
    id: int
    text: str
    author: str | None
    created_at: datetime


class CasePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: CaseStatus = Field(description="Ny status: ny → kontaktet → i gang → afsluttet")


class CaseAbsenceIn(BaseModel):
    """The school's registration of the absence, as the worker reads it from the school."""

    model_config = ConfigDict(extra="forbid")
    absence_type: Literal["Sygdom", "Ekstraordinær frihed", "Ulovligt fravær"] | None = Field(
        None, description="Fraværstype i skolens registrering"
    )
    registered_absence_percent: float | None = Field(
        None, ge=0, le=100, description="Skolens registrerede fravær i procent"
    )


class ProfileSnapshotInfo(BaseModel):
    id: int
    created_at: datetime
    created_by: str


class ProfileSnapshotOut(ProfileSnapshotInfo):
    data: dict[str, Any]


class CaseDetail(BaseModel):
    case: CaseOut
    respondents: list[dict[str, Any]]
    notes: list[NoteOut]
    profile: dict[str, Any] | None = Field(description="Den aktuelle årsagsprofil")
    profile_history: list[ProfileSnapshotInfo] = Field(
        default=[], description="Gemte profiler (ældste først); ny række ved hver ændring"
    )
    summary: dict[str, Any] | None = Field(description="Resuméet i den rækkefølge, det vises")


class InvitationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    days: int | None = Field(default=None, ge=1, le=60, description="Gyldighed i dage")


class InvitationOut(BaseModel):
    code: str
    link: str | None
    expires_at: datetime


class ProfileOut(BaseModel):
    id: int
    created_at: datetime
    created_by: str
    data: dict[str, Any]
    history: int = Field(description="Antal gemte profiler for sagen")


class AuditOut(BaseModel):
    id: int
    actor: str
    action: str
    case_reference: str | None
    details: dict[str, Any] | None
    created_at: datetime


class DeleteOut(BaseModel):
    deleted: bool
    reference: str | None
    respondents: int
    answers: int
    rasa_events: int


class SchoolIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=2, max_length=160)
    phone: str | None = Field(default=None, max_length=40)
    email: Email | None = None
    address: str | None = Field(default=None, max_length=300)
    active: bool = True


class SchoolPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=2, max_length=160)
    phone: str | None = Field(default=None, max_length=40)
    email: Email | None = None
    address: str | None = Field(default=None, max_length=300)
    active: bool | None = None


class SchoolOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    phone: str | None
    email: str | None
    address: str | None
    active: bool


class WorkerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=3, max_length=80, pattern=r"^[a-zA-Z0-9._-]+$")
    password: str = Field(min_length=8, max_length=200)
    full_name: str = Field(default="", max_length=160)
    email: Email | None = None
    phone: str | None = Field(default=None, max_length=40)
    role: WorkerRole = "worker"


class WorkerPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str | None = Field(default=None, min_length=8, max_length=200)
    full_name: str | None = Field(default=None, max_length=160)
    email: Email | None = None
    phone: str | None = Field(default=None, max_length=40)
    role: WorkerRole | None = None
    active: bool | None = None


class WorkerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    full_name: str
    email: str | None
    phone: str | None
    role: str
    active: bool
    school_ids: list[int] = []


class AssignmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    worker_id: int = Field(ge=1, le=MAX_DB_ID)
    school_id: int = Field(ge=1, le=MAX_DB_ID)


class AssignmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    worker_id: int
    school_id: int


class StatGroup(BaseModel):
    label: str
    count: int


class StatSection(BaseModel):
    groups: list[StatGroup]
    merged_groups: int
    withheld: bool
    total: int | None


class StatsOut(BaseModel):
    min_group_size: int
    cases: StatSection
    per_month: StatSection
    grades: StatSection
    status: StatSection
    areas: StatSection
    signals: StatSection
    urgent: StatSection
