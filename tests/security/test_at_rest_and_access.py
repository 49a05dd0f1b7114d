"""Items 10, 12 and 13: encrypted facts, admin scope, unassigning, response headers."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sec_helpers import login, make_case
from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.auth import hash_password
from bot.db.models import Assignment, Municipality, School, Worker


def test_signal_kinds_audit_details_and_payloads_are_encrypted(db: Session) -> None:
    make_case("conv-enc", urgent=True)
    kinds = db.execute(text("SELECT kind FROM signals")).scalars().all()
    details = db.execute(text("SELECT details FROM audit_events")).scalars().all()
    payloads = db.execute(text("SELECT payload FROM outbox")).scalars().all()
    assert kinds and payloads and any(details)
    raw = " ".join(str(v) for v in [*kinds, *details, *payloads] if v is not None)
    for clear in ("sexual_abuse", "mobning", "Nordskolen", "respondent_id", "6. klasse"):
        assert clear not in raw, clear


def _other_municipality(db: Session) -> tuple[School, Worker]:
    muni = Municipality(name="Anden Kommune")
    db.add(muni)
    db.flush()
    school = School(municipality_id=muni.id, name="Fremmedskolen")
    worker = Worker(
        municipality_id=muni.id,
        username="fremmed",
        role="worker",
        password_hash=hash_password("x"),
    )
    db.add_all([school, worker])
    db.commit()
    return school, worker


def test_admin_is_limited_to_own_municipality(client: TestClient, db: Session) -> None:
    school, worker = _other_municipality(db)
    h = login(client, "admin")
    api = "/api/v1/admin"
    assert "Fremmedskolen" not in [
        s["name"] for s in client.get(f"{api}/schools", headers=h).json()
    ]
    assert "fremmed" not in [w["username"] for w in client.get(f"{api}/workers", headers=h).json()]
    assert client.get(f"{api}/schools/{school.id}", headers=h).status_code == 404
    assert (
        client.patch(f"{api}/workers/{worker.id}", headers=h, json={"active": False}).status_code
        == 404
    )
    assert client.delete(f"{api}/schools/{school.id}", headers=h).status_code == 404
    own = client.get(f"{api}/workers", headers=h).json()
    kontakt1 = next(w["id"] for w in own if w["username"] == "kontakt1")
    foreign = client.post(
        f"{api}/assignments", headers=h, json={"worker_id": kontakt1, "school_id": school.id}
    )
    assert foreign.status_code == 404


def test_unassigning_removes_access_to_the_schools_cases(client: TestClient, db: Session) -> None:
    case_id = make_case("conv-assign", school="Nordskolen")
    worker = db.query(Worker).filter_by(username="kontakt1").one()
    db.execute(
        text("UPDATE cases SET worker_id = :w WHERE id = :c"), {"w": worker.id, "c": case_id}
    )
    db.commit()
    h1 = login(client, "kontakt1")
    assert client.get(f"/api/v1/cases/{case_id}", headers=h1).status_code == 200
    row = (
        db.query(Assignment)
        .join(School, Assignment.school_id == School.id)
        .filter(Assignment.worker_id == worker.id, School.name == "Nordskolen")
        .one()
    )
    admin = login(client, "admin")
    assert client.delete(f"/api/v1/admin/assignments/{row.id}", headers=admin).status_code == 204
    assert client.get(f"/api/v1/cases/{case_id}", headers=h1).status_code == 404


def test_json_and_summary_responses_carry_security_headers(client: TestClient) -> None:
    case_id = make_case("conv-headers")
    h = login(client, "kontakt1")
    for path in (
        "/api/v1/cases",
        f"/api/v1/cases/{case_id}",
        f"/api/v1/cases/{case_id}/summary.html",
        "/api/v1/auth/token",
        "/healthz",
    ):
        r = client.get(path, headers=h)
        assert r.headers.get("X-Content-Type-Options") == "nosniff", path
        assert r.headers.get("Cache-Control") == "no-store", path
        assert "default-src" in r.headers.get("Content-Security-Policy", ""), path
