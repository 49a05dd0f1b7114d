"""What a school contact worker sees in a case: profile, summary, HTML and the printable form.

Real database (SQLite, or PostgreSQL with DATABASE_URL), real intake store, through the API.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.main import create_app
from bot import intake
from bot.db import AuditEvent, Case, ProfileSnapshot
from bot.seed import seed_demo

SCOPE = "opsummering til skolekontaktperson"


@pytest.fixture
def client(db: Session) -> Iterator[TestClient]:
    seed_demo()
    yield TestClient(create_app())


def login(client: TestClient, username: str = "kontakt1") -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": username, "password": "demo1234"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def parent_case(
    conv: str = "mor",
    *,
    days: int = 3,
    drillet: int = 3,
    school: str = "Nordskolen",
    free_text: str | None = None,
    danger: str | None = None,
) -> int:
    """A parent's intake as the action server stores it (answer values as parsed)."""
    intake.start_conversation(conv)
    intake.record_consent(conv, "parent", SCOPE, True)
    intake.save_answer(conv, "child_name", "answered", "Emma", "Emma", "Emma")
    intake.save_answer(conv, "grade", "answered", 5, "5. klasse")
    intake.save_answer(conv, "school", "answered", school, school)
    intake.save_answer(conv, "days_last_month", "answered", days, f"{days}")
    intake.save_answer(conv, "kammerater_drillet", "answered", drillet, "Tit")
    if free_text is not None:
        intake.save_answer(conv, "kammerater_andet", "answered", free_text, free_text, free_text)
    if danger is not None:
        intake.record_signal(conv, None, "violence", 3.0, danger, True)
    ref = intake.confirm_case(conv)
    return int(ref.rsplit("-", 1)[1])


def set_created(db: Session, case_id: int, when: datetime) -> None:
    db.execute(update(Case).where(Case.id == case_id).values(created_at=when))
    db.commit()


def detail(client: TestClient, case_id: int, h: dict[str, str]) -> dict:
    r = client.get(f"/api/v1/cases/{case_id}", headers=h)
    assert r.status_code == 200, r.text
    return r.json()


def test_parent_scale_answer_becomes_area_level_and_summary_line(client: TestClient) -> None:
    case_id = parent_case(drillet=3)
    h = login(client)
    body = detail(client, case_id, h)
    areas = {a["area"]: a for a in body["profile"]["areas"]}
    assert areas["kammerater"]["level_by_role"] == {"parent": 3, "pupil": None}
    assert areas["kammerater"]["level"] == 3 and areas["hjem"]["level"] is None
    assert body["profile"]["primary_areas"] == ["kammerater"]
    summary = body["summary"]
    first = summary["areas"][0]
    assert (first["key"], first["level_label"], first["primary"]) == ("kammerater", "Meget", True)
    concern = first["concerns"][0]
    assert concern["label"] == "Drillerier eller mobning"
    source = concern["sources"][0]
    assert (source["text"], source["role"]) == ("Tit", "Forælder")
    assert source["question"] == "Bliver Emma drillet eller mobbet? Det kan også være på nettet."
    assert summary["case"]["child_name"] == "Emma" and summary["case"]["school"] == "Nordskolen"
    assert summary["case"]["case_id"] == body["case"]["reference"]
    row = next(p for p in summary["perspectives"] if "drillet" in p["question"])
    assert (row["parent"], row["pupil"]) == ("Tit", "–")
    assert summary["urgent"] == [] and summary["underretning"] == ""
    html = client.get(f"/api/v1/cases/{case_id}/summary.html", headers=h).text
    assert "Kammerater: Meget" in html and "Tit" in html and "Akutte signaler" not in html
    form = client.get(f"/api/v1/cases/{case_id}/registreringsskema", headers=h).text
    assert "Kammerater" in form and "Meget" in form and "5. klasse" in form


def test_urgent_signals_come_first_with_words_and_duty_to_notify(client: TestClient) -> None:
    msg = "han er bange, min far slår mig siger han"
    case_id = parent_case(danger=msg)
    h = login(client)
    summary = detail(client, case_id, h)["summary"]
    assert len(summary["urgent"]) == 1
    urgent = summary["urgent"][0]
    assert urgent["kinds"] == ["Vold"] and urgent["role"] == "Forælder"
    # The words that raised it, then the whole message for context.
    assert urgent["matches"] == ["slår mig", msg]
    assert "underretningspligten" in summary["underretning"]
    html = client.get(f"/api/v1/cases/{case_id}/summary.html", headers=h).text
    assert html.index("Akutte signaler") < html.index("Fravær") < html.index("Områder")
    assert "<q>slår mig</q>" in html and "Barnets lov" in html
    form = client.get(f"/api/v1/cases/{case_id}/registreringsskema", headers=h).text
    assert form.index("Akutte signaler") < form.index("Sagsnummer") < form.index("Fravær")
    assert "<q>slår mig</q>" in form and "underretningspligten" in form


def test_danish_dates_in_local_time_and_plurals(client: TestClient, db: Session) -> None:
    one_day = parent_case("a", days=1)
    three_days = parent_case("b", days=3)
    # 23:30 UTC on 21 November is already 22 November in Copenhagen.
    set_created(db, one_day, datetime(2026, 11, 21, 23, 30, tzinfo=UTC))
    set_created(db, three_days, datetime(2026, 11, 22, 9, 0, tzinfo=UTC))
    h = login(client)
    s1 = detail(client, one_day, h)["summary"]
    assert s1["case"]["created"] == "22. november 2026"
    assert s1["absence"]["days"] == "1 dag" and s1["absence"]["share"] == "ca. 5 %"
    assert detail(client, three_days, h)["summary"]["absence"]["days"] == "3 dage"
    html = client.get(f"/api/v1/cases/{one_day}/summary.html", headers=h).text
    assert "Oprettet 22. november 2026" in html and "Sidste måned ifølge svarene: 1 dag (" in html
    html3 = client.get(f"/api/v1/cases/{three_days}/summary.html", headers=h).text
    assert "Sidste måned ifølge svarene: 3 dage (" in html3
    form = client.get(f"/api/v1/cases/{one_day}/registreringsskema", headers=h).text
    assert "22. november 2026 kl. 00:30" in form and "1 dag (" in form
    consent = s1["consents"][0]
    assert consent["given_by"] == "Forælder" and consent["granted"] is True
    assert consent["scope"] == SCOPE and " kl. " in consent["at"]


def test_free_text_with_markup_is_escaped(client: TestClient) -> None:
    evil = "<script>alert(1)</script> de griner af hende"
    case_id = parent_case(free_text=evil, danger="<script>x()</script> min far slår mig")
    h = login(client)
    own_words = detail(client, case_id, h)["summary"]["areas"][0]["own_words"]
    # JSON keeps the raw text, with the question it answered.
    assert own_words == [
        {
            "question": "Er der andet med kammeraterne, vi skal vide?",
            "role": "Forælder",
            "text": evil,
        }
    ]
    for path in ("summary.html", "registreringsskema"):
        page = client.get(f"/api/v1/cases/{case_id}/{path}", headers=h).text
        assert "<script>" not in page, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt; de griner" in page, path
        assert "&lt;script&gt;x()&lt;/script&gt; min far slår mig" in page, path


def test_second_worker_gets_404_everywhere_and_leaves_no_trace(
    client: TestClient, db: Session
) -> None:
    case_id = parent_case(danger="min far slår mig")
    ref = detail(client, case_id, login(client))["case"]["reference"]
    h2 = login(client, "kontakt2")
    missing = client.get("/api/v1/cases/999999", headers=h2).json()
    for method, path in [
        ("GET", f"/api/v1/cases/{case_id}"),
        ("GET", f"/api/v1/cases/by-reference/{ref}"),
        ("GET", f"/api/v1/cases/{case_id}/summary.html"),
        ("GET", f"/api/v1/cases/{case_id}/registreringsskema"),
        ("GET", f"/api/v1/cases/{case_id}/profiles"),
        ("POST", f"/api/v1/cases/{case_id}/profile"),
    ]:
        r = client.request(method, path, headers=h2)
        assert r.status_code == 404, path
        assert r.json() == missing, path
        assert "slår" not in r.text
    db.expire_all()
    assert len(db.scalars(select(ProfileSnapshot)).all()) == 1  # only kontakt1's read
    trail = db.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)).all()
    assert not [e for e in trail if e.actor == "worker:kontakt2"]


def test_reads_of_detail_and_summary_are_in_the_audit_log(client: TestClient) -> None:
    case_id = parent_case()
    h = login(client)
    detail(client, case_id, h)
    client.get(f"/api/v1/cases/{case_id}/summary.html", headers=h)
    client.get(f"/api/v1/cases/{case_id}/registreringsskema", headers=h)
    trail = client.get(f"/api/v1/cases/{case_id}/audit", headers=h).json()
    actions = [e["action"] for e in trail if e["actor"] == "worker:kontakt1"]
    for read in ("detail", "summary_html", "registreringsskema", "audit"):
        assert f"case.read.{read}" in actions
    assert actions.index("case.read.detail") < actions.index("case.read.summary_html")
    assert all(e["case_reference"] for e in trail)


def test_parent_and_pupil_side_by_side_after_invitation(client: TestClient) -> None:
    case_id = parent_case(drillet=3)
    h = login(client)
    before = detail(client, case_id, h)
    assert before["profile"]["roles"] == ["parent"] and len(before["profile_history"]) == 1
    code = client.post(f"/api/v1/cases/{case_id}/invitations", headers=h).json()["code"]
    assert intake.redeem_invitation("elev", code) == before["case"]["reference"]
    intake.record_consent("elev", "pupil", "mine svar til skolekontaktpersonen", True)
    intake.save_answer("elev", "kammerater_drillet", "answered", 0, "Aldrig")
    intake.save_answer("elev", "barnet_ondt", "answered", 3, "Tit")
    intake.confirm_case("elev")

    body = detail(client, case_id, h)
    assert [r["role"] for r in body["respondents"]] == ["parent", "pupil"]
    profile = body["profile"]
    assert profile["roles"] == ["parent", "pupil"]
    areas = {a["area"]: a for a in profile["areas"]}
    assert areas["kammerater"]["level_by_role"] == {"parent": 3, "pupil": 0}
    # Stomach ache "Tit" alone is not a key item: En del until another answer points there.
    assert areas["barnet"]["level_by_role"] == {"parent": None, "pupil": 2}
    assert {"area": "kammerater", "parent_level": 3, "pupil_level": 0} in profile["disagreements"]
    summary = body["summary"]
    assert summary["case"]["respondents"] == ["Forælder", "Elev"]
    row = next(p for p in summary["perspectives"] if "drillet" in p["question"])
    assert (row["parent"], row["pupil"]) == ("Tit", "Aldrig")
    assert [c["given_by"] for c in summary["consents"]] == ["Forælder", "Elev"]
    # The pupil's answers changed the profile: a new snapshot, the old one kept.
    assert len(body["profile_history"]) == 2
    html = client.get(f"/api/v1/cases/{case_id}/summary.html", headers=h).text
    assert "<td>Tit</td><td>Aldrig</td>" in html and "forælder: Meget, elev: Ingen tegn" in html
    form = client.get(f"/api/v1/cases/{case_id}/registreringsskema", headers=h).text
    assert "<td>Tit</td><td>Aldrig</td>" in form and "Forælder, Elev" in form


def test_profile_reruns_keep_history_visible_through_the_api(client: TestClient) -> None:
    case_id = parent_case()
    h = login(client)
    first = detail(client, case_id, h)
    assert detail(client, case_id, h)["profile_history"] == first["profile_history"]  # no change
    p1 = client.post(f"/api/v1/cases/{case_id}/profile", headers=h)
    assert p1.status_code == 201 and p1.json()["created_by"] == "worker:kontakt1"
    assert p1.json()["data"] == first["profile"] and p1.json()["history"] == 2
    p2 = client.post(f"/api/v1/cases/{case_id}/profile", headers=h).json()
    assert p2["history"] == 3 and p2["id"] > p1.json()["id"]
    history = client.get(f"/api/v1/cases/{case_id}/profiles", headers=h).json()
    assert [s["id"] for s in history] == [
        first["profile_history"][0]["id"],
        p1.json()["id"],
        p2["id"],
    ]
    assert [s["created_by"] for s in history] == ["system", "worker:kontakt1", "worker:kontakt1"]
    assert all(s["data"] == first["profile"] for s in history)
    assert len(detail(client, case_id, h)["profile_history"]) == 3
    trail = client.get(f"/api/v1/cases/{case_id}/audit", headers=h).json()
    actions = [e["action"] for e in trail]
    assert actions.count("case.profile_rerun") == 2 and "case.read.profiles" in actions


def test_withdrawn_pupil_consent_removes_answers_but_stays_on_record(client: TestClient) -> None:
    case_id = parent_case()
    h = login(client)
    code = client.post(f"/api/v1/cases/{case_id}/invitations", headers=h).json()["code"]
    intake.redeem_invitation("elev", code)
    intake.record_consent("elev", "pupil", "mine svar", True)
    intake.save_answer("elev", "kammerater_drillet", "answered", 0, "Aldrig")
    intake.confirm_case("elev")
    assert detail(client, case_id, h)["profile"]["roles"] == ["parent", "pupil"]
    intake.withdraw_consent("elev")
    body = detail(client, case_id, h)
    assert body["profile"]["roles"] == ["parent"]
    assert [r["role"] for r in body["respondents"]] == ["parent"]
    row = next(p for p in body["summary"]["perspectives"] if "drillet" in p["question"])
    assert row["pupil"] == "–"
    pupil = body["summary"]["consents"][1]
    assert pupil["given_by"] == "Elev" and pupil["granted"] is False
    assert pupil["scope"] == "mine svar (trukket tilbage)"


def test_worker_records_the_schools_absence_registration(client: TestClient) -> None:
    case_id = parent_case(drillet=3)
    h = login(client)
    body = {"absence_type": "Ulovligt fravær", "registered_absence_percent": 12.5}
    r = client.put(f"/api/v1/cases/{case_id}/absence", json=body, headers=h)
    assert r.status_code == 200, r.text
    assert detail(client, case_id, h)["case"]["absence_type"] == "Ulovligt fravær"
    form = client.get(f"/api/v1/cases/{case_id}/registreringsskema", headers=h).text
    assert "☒ Ulovligt fravær" in form and "☐ Sygdom" in form and "12,5 %" in form
    for bad in ({"registered_absence_percent": 150}, {"absence_type": "pjæk"}):
        assert (
            client.put(f"/api/v1/cases/{case_id}/absence", json=bad, headers=h).status_code == 422
        )
    other = client.put(
        f"/api/v1/cases/{case_id}/absence", json=body, headers=login(client, "kontakt2")
    )
    assert other.status_code == 404
