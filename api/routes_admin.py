"""Administration of schools, workers and which worker covers which school."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response, status
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import schemas
from api.deps import Admin, DbSession
from api.schemas import DbId
from bot import audit
from bot.auth import hash_password
from bot.cases import release_school_cases
from bot.db.models import Assignment, School, Worker
from bot.intake import danish_sort_key, municipality
from bot.passwords import password_problem

router = APIRouter(prefix="/admin", tags=["administration"])


def _municipality_id(session: Session, admin: Worker) -> int | None:
    if admin.municipality_id is not None:
        return admin.municipality_id
    muni = municipality(session)
    return muni.id if muni is not None else None


# An admin manages their own municipality only: anything else is "not found" (no probing).


def _school(session: Session, school_id: DbId, admin: Worker) -> School:
    school = session.get(School, school_id)
    if school is None or school.municipality_id != _municipality_id(session, admin):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Skolen findes ikke.")
    return school


def _worker(session: Session, worker_id: DbId, admin: Worker) -> Worker:
    worker = session.get(Worker, worker_id)
    if worker is None or worker.municipality_id != _municipality_id(session, admin):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Medarbejderen findes ikke.")
    return worker


def _check_password(password: str, username: str) -> None:
    problem = password_problem(password, username)
    if problem:
        raise HTTPException(422, detail=problem)


def _commit(session: Session, conflict: str) -> None:
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, detail=conflict) from exc


def _worker_out(session: Session, w: Worker) -> dict[str, Any]:
    ids = list(session.scalars(select(Assignment.school_id).where(Assignment.worker_id == w.id)))
    return {
        "id": w.id,
        "username": w.username,
        "full_name": w.full_name,
        "email": w.email,
        "phone": w.phone,
        "role": w.role,
        "active": w.active,
        "school_ids": sorted(ids),
    }


# --- schools ----------------------------------------------------------------------------------


@router.get("/schools", response_model=list[schemas.SchoolOut], summary="Alle skoler")
def list_schools(session: DbSession, admin: Admin) -> list[School]:
    muni_id = _municipality_id(session, admin)
    schools = list(session.scalars(select(School).where(School.municipality_id == muni_id)))
    return sorted(schools, key=lambda s: danish_sort_key(s.name))


@router.post(
    "/schools",
    response_model=schemas.SchoolOut,
    status_code=status.HTTP_201_CREATED,
    summary="Opret skole",
)
def create_school(body: schemas.SchoolIn, session: DbSession, admin: Admin) -> School:
    muni_id = _municipality_id(session, admin)
    if muni_id is None:
        raise HTTPException(status.HTTP_409_CONFLICT, detail="Kommunen er ikke oprettet endnu.")
    school = School(municipality_id=muni_id, **body.model_dump())
    session.add(school)
    audit.log(session, "admin.school_created", worker=admin, details={"name": body.name})
    _commit(session, f"Der findes allerede en skole med navnet '{body.name}'.")
    return school


@router.get("/schools/{school_id}", response_model=schemas.SchoolOut, summary="Én skole")
def get_school(school_id: DbId, session: DbSession, admin: Admin) -> School:
    return _school(session, school_id, admin)


@router.patch("/schools/{school_id}", response_model=schemas.SchoolOut, summary="Ret skole")
def update_school(
    school_id: DbId, body: schemas.SchoolPatch, session: DbSession, admin: Admin
) -> School:
    school = _school(session, school_id, admin)
    for key, value in body.model_dump(exclude_unset=True).items():
        setattr(school, key, value)
    audit.log(session, "admin.school_updated", worker=admin, details={"school_id": school_id})
    _commit(session, "Der findes allerede en skole med det navn.")
    return school


@router.delete("/schools/{school_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Slet skole")
def delete_school(school_id: DbId, session: DbSession, admin: Admin) -> Response:
    school = _school(session, school_id, admin)
    session.delete(school)
    audit.log(session, "admin.school_deleted", worker=admin, details={"school_id": school_id})
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- workers ----------------------------------------------------------------------------------


@router.get("/workers", response_model=list[schemas.WorkerOut], summary="Alle medarbejdere")
def list_workers(session: DbSession, admin: Admin) -> list[dict[str, Any]]:
    muni_id = _municipality_id(session, admin)
    stmt = select(Worker).where(Worker.municipality_id == muni_id).order_by(Worker.id)
    return [_worker_out(session, w) for w in session.scalars(stmt)]


@router.post(
    "/workers",
    response_model=schemas.WorkerOut,
    status_code=status.HTTP_201_CREATED,
    summary="Opret medarbejder",
)
def create_worker(body: schemas.WorkerIn, session: DbSession, admin: Admin) -> dict[str, Any]:
    data = body.model_dump()
    _check_password(data["password"], data["username"])
    worker = Worker(
        municipality_id=_municipality_id(session, admin),
        username=data["username"].lower(),
        full_name=data["full_name"],
        email=data["email"],
        phone=data["phone"],
        role=data["role"],
        password_hash=hash_password(data["password"]),
    )
    session.add(worker)
    audit.log(session, "admin.worker_created", worker=admin, details={"username": body.username})
    _commit(session, f"Brugernavnet '{body.username}' er allerede i brug.")
    return _worker_out(session, worker)


@router.get("/workers/{worker_id}", response_model=schemas.WorkerOut, summary="Én medarbejder")
def get_worker(worker_id: DbId, session: DbSession, admin: Admin) -> dict[str, Any]:
    return _worker_out(session, _worker(session, worker_id, admin))


@router.patch("/workers/{worker_id}", response_model=schemas.WorkerOut, summary="Ret medarbejder")
def update_worker(
    worker_id: DbId, body: schemas.WorkerPatch, session: DbSession, admin: Admin
) -> dict[str, Any]:
    worker = _worker(session, worker_id, admin)
    data = body.model_dump(exclude_unset=True)
    if "password" in data:
        _check_password(data["password"], worker.username)
        worker.password_hash = hash_password(data.pop("password"))
    for key, value in data.items():
        setattr(worker, key, value)
    audit.log(session, "admin.worker_updated", worker=admin, details={"worker_id": worker_id})
    session.commit()
    return _worker_out(session, worker)


@router.delete(
    "/workers/{worker_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Slet medarbejder"
)
def delete_worker(worker_id: DbId, session: DbSession, admin: Admin) -> Response:
    worker = _worker(session, worker_id, admin)
    if worker.id == admin.id:
        raise HTTPException(status.HTTP_409_CONFLICT, detail="Du kan ikke slette dig selv.")
    session.delete(worker)
    audit.log(session, "admin.worker_deleted", worker=admin, details={"worker_id": worker_id})
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- assignments ------------------------------------------------------------------------------


@router.get(
    "/assignments", response_model=list[schemas.AssignmentOut], summary="Hvem dækker hvilke skoler"
)
def list_assignments(session: DbSession, admin: Admin) -> list[Assignment]:
    muni_id = _municipality_id(session, admin)
    stmt = (
        select(Assignment)
        .join(School, Assignment.school_id == School.id)
        .where(School.municipality_id == muni_id)
        .order_by(Assignment.id)
    )
    return list(session.scalars(stmt))


@router.post(
    "/assignments",
    response_model=schemas.AssignmentOut,
    status_code=status.HTTP_201_CREATED,
    summary="Tilknyt medarbejder til skole",
)
def create_assignment(body: schemas.AssignmentIn, session: DbSession, admin: Admin) -> Assignment:
    worker = _worker(session, body.worker_id, admin)
    _school(session, body.school_id, admin)
    if worker.role != "worker":
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            detail="Kun skolekontaktpersoner (rolle 'worker') kan tilknyttes skoler.",
        )
    row = Assignment(worker_id=body.worker_id, school_id=body.school_id)
    session.add(row)
    audit.log(session, "admin.assignment_created", worker=admin, details=body.model_dump())
    _commit(session, "Medarbejderen dækker allerede den skole.")
    return row


@router.delete(
    "/assignments/{assignment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Fjern tilknytning",
)
def delete_assignment(assignment_id: DbId, session: DbSession, admin: Admin) -> Response:
    row = session.get(Assignment, assignment_id)
    if row is None or row.school.municipality_id != _municipality_id(session, admin):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Tilknytningen findes ikke.")
    # The worker no longer covers the school: cases of that school they held go back to the
    # school's other workers (bot.cases access follows Case.worker_id too).
    released = release_school_cases(session, row.worker_id, row.school_id)
    session.delete(row)
    audit.log(
        session,
        "admin.assignment_deleted",
        worker=admin,
        details={"assignment": assignment_id, "cases_released": released},
    )
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
