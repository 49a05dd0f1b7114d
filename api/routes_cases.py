"""Case endpoints for school contact workers. Every read of case content is audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import schemas
from api.deps import CaseWorker, DbSession
from api.schemas import DbId
from api.templating import render
from bot import audit, cases
from bot.db.base import utcnow
from bot.db.models import Case, ProfileSnapshot, Worker

router = APIRouter(prefix="/cases", tags=["sager"])

NOT_FOUND = "Sagen findes ikke, eller du har ikke adgang til den."


def _case(session: Session, worker: Worker, case_id: DbId) -> Case:
    try:
        return cases.get_case(session, worker, case_id)
    except cases.NotFound as exc:
        # Same answer for "does not exist" and "not yours": ids cannot be probed.
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND) from exc


def _detail(session: Session, worker: Worker, case: Case, what: str) -> dict[str, Any]:
    cases.audit_read(session, worker, case, what)
    data = cases.case_detail(session, worker, case)
    session.commit()
    return data


@router.get("", response_model=list[schemas.CaseOut], summary="Mine sager (hastesager først)")
def list_cases(
    session: DbSession,
    worker: CaseWorker,
    status_filter: Annotated[schemas.CaseStatus | None, Query(alias="status")] = None,
    urgent: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    rows = cases.list_cases(
        session, worker, status=status_filter, urgent=urgent, limit=limit, offset=offset
    )
    audit.log(
        session,
        "case.list",
        worker=worker,
        details={"count": len(rows), "case_ids": [c.id for c in rows][:100]},
    )
    session.commit()
    return [cases.case_info(c) for c in rows]


@router.get(
    "/by-reference/{reference}",
    response_model=schemas.CaseDetail,
    summary="Sag ud fra sagsnummer",
)
def get_by_reference(reference: str, session: DbSession, worker: CaseWorker) -> dict[str, Any]:
    try:
        case = cases.get_case_by_reference(session, worker, reference[:40])
    except cases.NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND) from exc
    return _detail(session, worker, case, "detail")


@router.get("/{case_id}", response_model=schemas.CaseDetail, summary="Sag med profil og resumé")
def get_case(case_id: DbId, session: DbSession, worker: CaseWorker) -> dict[str, Any]:
    return _detail(session, worker, _case(session, worker, case_id), "detail")


@router.get("/{case_id}/summary.html", response_class=HTMLResponse, summary="Resumé som HTML")
def summary_html(case_id: DbId, session: DbSession, worker: CaseWorker) -> HTMLResponse:
    case = _case(session, worker, case_id)
    cases.audit_read(session, worker, case, "summary_html")
    html = cases.render_summary_html(session, case, "html")
    session.commit()
    return HTMLResponse(html)


@router.get(
    "/{case_id}/registreringsskema",
    response_class=HTMLResponse,
    summary="Registreringsskema til udskrift",
)
def record_form(case_id: DbId, session: DbSession, worker: CaseWorker) -> HTMLResponse:
    case = _case(session, worker, case_id)
    cases.audit_read(session, worker, case, "registreringsskema")
    data = cases.case_detail(session, worker, case)
    session.commit()
    return HTMLResponse(
        render("registreringsskema.html", data=data, worker=worker, printed=utcnow())
    )


@router.post(
    "/{case_id}/notes",
    response_model=schemas.NoteOut,
    status_code=status.HTTP_201_CREATED,
    summary="Tilføj notat",
)
def add_note(
    case_id: DbId, body: schemas.NoteIn, session: DbSession, worker: CaseWorker
) -> dict[str, Any]:
    case = _case(session, worker, case_id)
    text = body.text.strip()
    if not text:
        raise HTTPException(422, detail="Notatet er tomt. Skriv en tekst.")
    note = cases.add_note(session, worker, case, text)
    session.commit()
    return cases.note_info(note)


@router.patch("/{case_id}", response_model=schemas.CaseOut, summary="Skift status")
def patch_case(
    case_id: DbId, body: schemas.CasePatch, session: DbSession, worker: CaseWorker
) -> dict[str, Any]:
    case = _case(session, worker, case_id)
    try:
        cases.change_status(session, worker, case, body.status)
    except cases.InvalidTransition as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from exc
    session.commit()
    return cases.case_info(case)


@router.put(
    "/{case_id}/absence", response_model=schemas.CaseOut, summary="Skolens registrering af fraværet"
)
def put_absence(
    case_id: DbId, body: schemas.CaseAbsenceIn, session: DbSession, worker: CaseWorker
) -> dict[str, Any]:
    case = _case(session, worker, case_id)
    case.absence_type = body.absence_type
    case.registered_absence_percent = body.registered_absence_percent
    audit.log(session, "case.absence_registered", worker=worker, case=case)
    session.commit()
    return cases.case_info(case)


@router.post(
    "/{case_id}/invitations",
    response_model=schemas.InvitationOut,
    status_code=status.HTTP_201_CREATED,
    summary="Lav elevkode",
)
def create_invitation(
    case_id: DbId,
    session: DbSession,
    worker: CaseWorker,
    body: schemas.InvitationIn | None = None,
) -> dict[str, Any]:
    case = _case(session, worker, case_id)
    inv, link = cases.create_invitation(session, worker, case, days=body.days if body else None)
    session.commit()
    return {"code": inv.code, "link": link, "expires_at": inv.expires_at}


@router.post(
    "/{case_id}/profile",
    response_model=schemas.ProfileOut,
    status_code=status.HTTP_201_CREATED,
    summary="Beregn profilen igen (historik bevares)",
)
def rerun_profile(case_id: DbId, session: DbSession, worker: CaseWorker) -> dict[str, Any]:
    case = _case(session, worker, case_id)
    snap = cases.rerun_profile(session, case, audit.actor_name(worker))
    audit.log(session, "case.profile_rerun", worker=worker, case=case)
    history = session.scalar(
        select(func.count(ProfileSnapshot.id)).where(ProfileSnapshot.case_id == case.id)
    )
    session.commit()
    return {
        "id": snap.id,
        "created_at": snap.created_at,
        "created_by": snap.created_by,
        "data": snap.data,
        "history": history or 0,
    }


@router.get(
    "/{case_id}/profiles",
    response_model=list[schemas.ProfileSnapshotOut],
    summary="Alle gemte profiler for sagen (ældste først)",
)
def profile_history(case_id: DbId, session: DbSession, worker: CaseWorker) -> list[dict[str, Any]]:
    case = _case(session, worker, case_id)
    cases.audit_read(session, worker, case, "profiles")
    rows = [cases.snapshot_info(s, with_data=True) for s in cases.profile_history(session, case)]
    session.commit()
    return rows


@router.get("/{case_id}/export", summary="GDPR-indsigt: alt om sagen som JSON")
def export_case(case_id: DbId, session: DbSession, worker: CaseWorker) -> dict[str, Any]:
    case = _case(session, worker, case_id)
    cases.audit_read(session, worker, case, "export")
    session.flush()
    data = cases.export_case(session, worker, case)
    session.commit()
    return data


@router.delete("/{case_id}", response_model=schemas.DeleteOut, summary="GDPR-sletning af sagen")
def delete_case(case_id: DbId, session: DbSession, worker: CaseWorker) -> dict[str, Any]:
    case = _case(session, worker, case_id)
    reference = case.reference
    counts = cases.delete_case(session, worker, case)
    session.commit()
    return {"deleted": True, "reference": reference, **counts}


@router.get("/{case_id}/audit", response_model=list[schemas.AuditOut], summary="Hvem har læst")
def case_audit(
    case_id: DbId, request: Request, session: DbSession, worker: CaseWorker
) -> list[dict[str, Any]]:
    case = _case(session, worker, case_id)
    cases.audit_read(session, worker, case, "audit")
    session.commit()
    return [cases.audit_info(e) for e in audit.events_for_case(session, case.id)]
