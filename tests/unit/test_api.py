"""The worker API over a real database, through FastAPI's TestClient."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from api.main import create_app
from bot import intake
from bot.db import AuditEvent, Case, Respondent, Signal
from bot.seed import seed_demo


@pytest.fixture
def client(db: Session) -> Iterator[TestClient]:
    seed_demo()
    yield TestClient(create_app())


def login(client: TestClient, username: str, password: str = "demo1234") -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def make_case(conv: str, school: str, urgent: bool = False, grade: int = 6) -> int:
    intake.start_conversation(conv)
    intake.record_consent(conv, "parent", "opsummering til skolekontaktperson", True)
    intake.save_answer(conv, "child_name", "answered", f"Barn {conv}", f"Barn {conv}")
    intake.save_answer(conv, "grade", "answered", grade, f"{grade}. klasse")
    intake.save_answer(conv, "school", "answered", school, school)
    intake.save_answer(conv, "friends", "answered", 1, "Ingen", free_text="Bliver drillet")
    intake.record_signal(conv, "kammerater", "mobning", 3, "Bliver drillet", False)
    if urgent:
        intake.record_signal(conv, "barnet", "selvskade", 10, "skader sig selv", True)
    ref = intake.confirm_case(conv)
    return int(ref.rsplit("-", 1)[1])


def test_login_and_roles(client: TestClient) -> None:
    bad = client.post("/api/v1/auth/token", data={"username": "kontakt1", "password": "forkert"})
    assert (
        bad.status_code == 401 and bad.json()["detail"] == "Forkert brugernavn eller adgangskode."
    )
    assert client.get("/api/v1/cases").status_code == 401
    r = client.get("/api/v1/cases", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401 and "Log ind" in r.json()["detail"]
    token = client.post(
        "/api/v1/auth/token", data={"username": "kontakt1", "password": "demo1234"}
    ).json()
    assert token["expires_in"] == 15 * 60 and token["role"] == "worker"
    # A leader reads statistics, not cases.
    assert client.get("/api/v1/cases", headers=login(client, "leder")).status_code == 403


def test_worker_sees_only_own_schools_urgent_first(client: TestClient) -> None:
    mine = make_case("a", "Nordskolen")
    mine_urgent = make_case("b", "Åbyskolen", urgent=True)
    other = make_case("c", "Havneskolen")
    h1 = login(client, "kontakt1")
    r = client.get("/api/v1/cases", headers=h1)
    assert r.status_code == 200
    assert [c["id"] for c in r.json()] == [mine_urgent, mine]
    assert client.get("/api/v1/cases?urgent=true", headers=h1).json()[0]["urgent"] is True
    assert client.get("/api/v1/cases?status=afsluttet", headers=h1).json() == []
    # Someone else's case looks exactly like a missing one.
    r_other = client.get(f"/api/v1/cases/{other}/export", headers=h1)
    r_missing = client.get("/api/v1/cases/999999/export", headers=h1)
    assert r_other.status_code == r_missing.status_code == 404
    assert r_other.json() == r_missing.json()
    assert "findes ikke" in r_other.json()["detail"]
    h2 = login(client, "kontakt2")
    assert [c["id"] for c in client.get("/api/v1/cases", headers=h2).json()] == [other]


def test_case_detail_with_profile_and_summary(client: TestClient) -> None:
    pytest.importorskip("bot.profile")
    pytest.importorskip("bot.summary")
    case_id = make_case("a", "Nordskolen", urgent=True)
    h = login(client, "kontakt1")
    r = client.get(f"/api/v1/cases/{case_id}", headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["case"]["urgent"] is True and body["profile"] is not None
    ref = body["case"]["reference"]
    assert client.get(f"/api/v1/cases/by-reference/{ref.lower()}", headers=h).status_code == 200
    html = client.get(f"/api/v1/cases/{case_id}/summary.html", headers=h)
    assert html.status_code == 200 and "text/html" in html.headers["content-type"]
    form = client.get(f"/api/v1/cases/{case_id}/registreringsskema", headers=h)
    assert form.status_code == 200 and "Registreringsskema" in form.text and ref in form.text
    p1 = client.post(f"/api/v1/cases/{case_id}/profile", headers=h).json()
    p2 = client.post(f"/api/v1/cases/{case_id}/profile", headers=h).json()
    assert p2["history"] == p1["history"] + 1


def test_reads_are_audited(client: TestClient, db: Session) -> None:
    case_id = make_case("a", "Nordskolen")
    h = login(client, "kontakt1")
    client.get(f"/api/v1/cases/{case_id}/export", headers=h)
    r = client.get(f"/api/v1/cases/{case_id}/audit", headers=h)
    assert r.status_code == 200
    actions = [(e["actor"], e["action"]) for e in r.json()]
    assert ("worker:kontakt1", "case.read.export") in actions
    assert ("worker:kontakt1", "case.read.audit") in actions
    # Someone else's failed attempt leaves the case's trail untouched and reveals nothing.
    h2 = login(client, "kontakt2")
    assert client.get(f"/api/v1/cases/{case_id}/audit", headers=h2).status_code == 404


def test_notes_and_status_flow(client: TestClient) -> None:
    case_id = make_case("a", "Nordskolen")
    h = login(client, "kontakt1")
    r = client.post(f"/api/v1/cases/{case_id}/notes", headers=h, json={"text": "Ringet til mor"})
    assert r.status_code == 201 and r.json()["author"] == "kontakt1"
    empty = client.post(f"/api/v1/cases/{case_id}/notes", headers=h, json={"text": ""})
    assert empty.status_code == 422 and "text" in empty.json()["detail"]
    r = client.patch(f"/api/v1/cases/{case_id}", headers=h, json={"status": "kontaktet"})
    assert r.status_code == 200 and r.json()["status"] == "kontaktet"
    assert r.json()["contacted_at"] is not None
    back = client.patch(f"/api/v1/cases/{case_id}", headers=h, json={"status": "ny"})
    assert (
        back.status_code == 409 and "kan ikke gå fra 'kontaktet' til 'ny'" in back.json()["detail"]
    )
    bad = client.patch(f"/api/v1/cases/{case_id}", headers=h, json={"status": "lukket"})
    assert bad.status_code == 422 and "status" in bad.json()["detail"]
    done = client.patch(f"/api/v1/cases/{case_id}", headers=h, json={"status": "afsluttet"})
    assert done.json()["closed_at"] is not None
    export = client.get(f"/api/v1/cases/{case_id}/export", headers=h).json()
    assert export["notes"][0]["text"] == "Ringet til mor"
    assert export["respondents"][0]["answers"][0]["question_key"] == "child_name"


def test_invitation_code_lets_pupil_join(client: TestClient) -> None:
    case_id = make_case("a", "Nordskolen")
    h = login(client, "kontakt1")
    r = client.post(f"/api/v1/cases/{case_id}/invitations", headers=h)
    assert r.status_code == 201
    code = r.json()["code"]
    assert intake.redeem_invitation("pupil-chat", code.lower()) is not None
    assert (
        client.post(f"/api/v1/cases/{case_id}/invitations", headers=h, json={"days": 0}).status_code
        == 422
    )


def test_delete_case_removes_everything_including_rasa_events(
    client: TestClient, db: Session
) -> None:
    case_id = make_case("a", "Nordskolen")
    db.execute(text("CREATE TABLE events (sender_id VARCHAR(255), type_name VARCHAR(255))"))
    db.execute(text("INSERT INTO events (sender_id) VALUES ('a'), ('a'), ('other')"))
    db.commit()
    h = login(client, "kontakt1")
    r = client.delete(f"/api/v1/cases/{case_id}", headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["rasa_events"] == 2 and r.json()["answers"] == 4
    db.expire_all()
    assert db.scalars(select(Case)).all() == []
    assert db.scalars(select(Respondent)).all() == []
    assert db.scalars(select(Signal)).all() == []
    assert db.execute(text("SELECT sender_id FROM events")).scalars().all() == ["other"]
    assert client.get(f"/api/v1/cases/{case_id}/export", headers=h).status_code == 404
    deleted = db.scalars(select(AuditEvent).where(AuditEvent.action == "case.deleted")).all()
    assert len(deleted) == 1 and deleted[0].case_id == case_id


def test_stats_never_show_groups_below_five(client: TestClient) -> None:
    h = login(client, "leder")
    empty = client.get("/api/v1/stats", headers=h).json()
    assert empty["cases"]["total"] is None and empty["cases"]["groups"] == []
    for i in range(6):
        make_case(f"g6-{i}", "Nordskolen", grade=6)
    for i in range(2):
        make_case(f"g3-{i}", "Nordskolen", grade=3)
    make_case("g9", "Havneskolen", grade=9)
    r = client.get("/api/v1/stats", headers=h)
    assert r.status_code == 200
    body = r.json()
    for section in body.values():
        if isinstance(section, dict):
            assert all(g["count"] >= 5 for g in section["groups"])
    grades = {g["label"]: g["count"] for g in body["grades"]["groups"]}
    assert "3. klasse" not in grades and "9. klasse" not in grades
    assert body["areas"]["groups"] == [{"label": "Relationer til kammerater", "count": 9}]
    assert client.get("/api/v1/stats", headers=login(client, "kontakt1")).status_code == 403


def test_bad_input_gets_clear_danish_errors(client: TestClient) -> None:
    h = login(client, "kontakt1")
    r = client.get("/api/v1/cases/abc", headers=h)
    assert r.status_code == 422 and "heltal" in r.json()["detail"]
    assert client.get("/api/v1/cases/by-reference/SB-1999-000001", headers=h).status_code == 404
    assert (
        client.get("/api/v1/findes-ikke").json()["detail"] == "Siden eller ressourcen findes ikke."
    )
    r = client.post("/api/v1/cases/1/notes", headers=h, json={"text": 5})
    assert r.status_code in (404, 422)
    huge = client.post("/api/v1/cases/1/notes", headers=h, json={"text": "x" * 2_000_000})
    assert huge.status_code == 413 and huge.json()["detail"] == "Forespørgslen er for stor."
    long = client.post("/api/v1/cases/1/notes", headers=h, json={"text": "x" * 20_000})
    assert long.status_code == 422
    wrong = client.patch("/api/v1/cases/1", headers=h, json={"status": 3, "extra": 1})
    assert wrong.status_code == 422 and "extra" in wrong.json()["detail"]


def test_admin_manages_schools_workers_assignments(client: TestClient) -> None:
    h = login(client, "admin")
    assert client.get("/api/v1/admin/schools", headers=login(client, "kontakt1")).status_code == 403
    r = client.post(
        "/api/v1/admin/schools",
        headers=h,
        json={"name": "Bakkeskolen", "phone": "11 22 33 44", "email": "bakke@demo.dk"},
    )
    assert r.status_code == 201
    school_id = r.json()["id"]
    dup = client.post("/api/v1/admin/schools", headers=h, json={"name": "Bakkeskolen"})
    assert dup.status_code == 409
    assert "Bakkeskolen" in intake.list_schools()
    w = client.post(
        "/api/v1/admin/workers",
        headers=h,
        json={"username": "kontakt3", "password": "blå cykel ved åen", "role": "worker"},
    )
    assert w.status_code == 201
    a = client.post(
        "/api/v1/admin/assignments",
        headers=h,
        json={"worker_id": w.json()["id"], "school_id": school_id},
    )
    assert a.status_code == 201
    case_id = make_case("x", "Bakkeskolen")
    h3 = login(client, "kontakt3", "blå cykel ved åen")
    assert [c["id"] for c in client.get("/api/v1/cases", headers=h3).json()] == [case_id]
    assert client.get("/api/v1/admin/workers/9999", headers=h).status_code == 404
    bad_mail = client.post(
        "/api/v1/admin/schools", headers=h, json={"name": "Xskolen", "email": "nej"}
    )
    assert bad_mail.status_code == 422 and "email" in bad_mail.json()["detail"]


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}
    assert client.get("/api/v1/healthz").status_code == 200
    assert "/api/v1/cases" in client.get("/openapi.json").json()["paths"]
