"""The intake facade the action server calls, on a real database."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from bot import intake
from bot.db import Answer, AuditEvent, Case, Invitation, Outbox, Respondent, Signal, utcnow
from bot.seed import seed_demo


def _parent(conv: str = "conv-parent") -> str:
    intake.start_conversation(conv)
    intake.record_consent(conv, "parent", "opsummering til skolekontaktperson", True)
    return conv


def _answer_basics(conv: str, school: str = "Nordskolen") -> None:
    intake.save_answer(conv, "child_name", "answered", "Mads", "Mads")
    intake.save_answer(conv, "grade", "answered", 6, "6. klasse")
    intake.save_answer(conv, "school", "answered", school, school)


def test_start_conversation_is_idempotent_and_stores_no_personal_data(db: Session) -> None:
    intake.start_conversation("c1")
    intake.start_conversation("c1")
    rows = db.scalars(select(Respondent)).all()
    assert len(rows) == 1
    assert rows[0].role is None and rows[0].consent_given is None and rows[0].case_id is None


def test_consent_records_what_who_and_when(db: Session) -> None:
    intake.start_conversation("c1")
    intake.record_consent("c1", "parent", "deling med skolekontaktperson", True)
    resp = db.scalar(select(Respondent))
    assert resp.consent_given is True
    assert resp.consent_role == "parent"
    assert resp.consent_scope == "deling med skolekontaktperson"
    assert resp.consent_at is not None and resp.consent_withdrawn_at is None
    with pytest.raises(ValueError):
        intake.record_consent("c1", "teacher", "x", True)


def test_answers_need_consent(db: Session) -> None:
    intake.start_conversation("c1")
    intake.save_answer("c1", "sleep", "answered", 2, "Dårligt")
    assert intake.get_answers("c1") == {}


def test_save_answer_upserts_and_retry_is_harmless(db: Session) -> None:
    conv = _parent()
    intake.save_answer(conv, "sleep", "answered", 2, "Dårligt")
    intake.save_answer(conv, "sleep", "answered", 2, "Dårligt")  # retried action
    first = db.scalar(select(Answer))
    assert first.revision == 1
    intake.save_answer(conv, "sleep", "answered", 4, "Godt")  # correction
    intake.save_answer(conv, "mood", "dont_know", None, "Ved ikke")
    answers = intake.get_answers(conv)
    assert set(answers) == {"sleep", "mood"}
    assert answers["sleep"]["value"] == 4 and answers["sleep"]["display"] == "Godt"
    assert answers["mood"]["status"] == "dont_know"
    db.expire_all()
    assert len(db.scalars(select(Answer)).all()) == 2
    with pytest.raises(ValueError):
        intake.save_answer(conv, "x", "maybe", 1, "?")


def test_answered_keys_follow_the_stored_answers_of_that_conversation_only(db: Session) -> None:
    assert intake.answered_keys("nobody") == set()
    _answer_basics(_parent("a"))
    _parent("b")
    intake.save_answer("b", "grade", "dont_know", None, "ved ikke")
    assert intake.answered_keys("a") == {"child_name", "grade", "school"}
    assert intake.answered_keys("b") == {"grade"}
    intake.delete_answers("a")
    assert intake.answered_keys("a") == set()
    assert intake.answered_keys("b") == {"grade"}


def test_free_text_is_encrypted_at_rest(db: Session) -> None:
    conv = _parent()
    secret = "Han bliver drillet af Jonas i frikvarteret"
    intake.save_answer(conv, "friends", "answered", "nej", "Nej", free_text=secret)
    intake.record_signal(conv, "kammerater", "drilleri", 2, secret, False)
    assert intake.get_answers(conv)["friends"]["free_text"] == secret
    raw_answer = db.execute(text("SELECT free_text, value, display FROM answers")).one()
    raw_signal = db.execute(text("SELECT source_text FROM signals")).scalar_one()
    for raw in (*raw_answer, raw_signal):
        assert raw and "Jonas" not in raw and "drillet" not in raw and "Nej" not in raw


def test_delete_answers_removes_answers_and_signals(db: Session) -> None:
    conv = _parent()
    intake.save_answer(conv, "sleep", "answered", 2, "Dårligt")
    intake.save_answer(conv, "mood", "answered", 1, "Trist")
    intake.record_signal(conv, "barnet", "søvn", 1, "sover dårligt", False)
    intake.create_resume_code(conv)
    assert intake.delete_answers(conv) == 2
    assert intake.get_answers(conv) == {}
    assert db.scalars(select(Signal)).all() == []
    assert intake.delete_answers("unknown") == 0


def test_withdraw_consent_deletes_and_stops_storing(db: Session) -> None:
    conv = _parent()
    intake.save_answer(conv, "sleep", "answered", 2, "Dårligt")
    assert intake.withdraw_consent(conv) == 1
    intake.save_answer(conv, "mood", "answered", 1, "Trist")
    assert intake.get_answers(conv) == {}
    assert db.scalar(select(Respondent)).consent_withdrawn_at is not None


def test_urgent_signal_marks_case_urgent_and_queues_notification(db: Session) -> None:
    seed_demo()
    conv = _parent()
    _answer_basics(conv)
    intake.record_signal(conv, "barnet", "selvskade", 10, "hun skærer i sig selv", True)
    intake.record_signal(conv, "barnet", "selvskade", 10, "hun skærer i sig selv", True)  # retry
    case = db.scalar(select(Case))
    assert case is not None and case.urgent and case.urgent_at is not None
    assert case.school.name == "Nordskolen"
    rows = db.scalars(select(Outbox)).all()
    assert [r.event for r in rows] == ["urgent_signal"]
    assert rows[0].urgent and rows[0].payload["reference"] == case.reference
    # The notification carries no words from the conversation.
    assert "skærer" not in str(rows[0].payload)
    assert len(db.scalars(select(Signal)).all()) == 1
    # Confirming later reuses the same case.
    assert intake.confirm_case(conv) == case.reference


def test_urgent_signal_without_consent_stores_nothing_identifying(db: Session) -> None:
    intake.start_conversation("anon")
    intake.record_signal("anon", None, "selvmordstanker", 10, "jeg vil ikke leve", True)
    assert db.scalars(select(Signal)).all() == []
    assert db.scalars(select(Case)).all() == []
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "signal.without_consent"))
    (event,) = events.all()
    assert "leve" not in str(event.details) and "anon" not in str(event.details)


def test_confirm_case_is_idempotent_and_assigns_worker(db: Session) -> None:
    seed_demo()
    conv = _parent()
    _answer_basics(conv, school="søndervangskolen")
    ref = intake.confirm_case(conv)
    assert ref.startswith(f"SB-{utcnow().year}-") and len(ref) == len("SB-2026-000123")
    assert intake.confirm_case(conv) == ref
    cases = db.scalars(select(Case)).all()
    assert len(cases) == 1
    case = cases[0]
    assert case.pupil_alias == "Mads" and case.grade == 6
    assert case.school.name == "Søndervangskolen" and case.worker.username == "kontakt1"
    assert len(db.scalars(select(Outbox).where(Outbox.event == "case_created")).all()) == 1
    other = _parent("conv-2")
    assert intake.confirm_case(other) != ref


def test_confirm_case_without_consent_fails(db: Session) -> None:
    intake.start_conversation("c1")
    with pytest.raises(intake.ConsentRequired):
        intake.confirm_case("c1")


def test_invitation_links_pupil_and_is_forgiving_about_format(db: Session) -> None:
    seed_demo()
    conv = _parent()
    _answer_basics(conv)
    ref = intake.confirm_case(conv)
    case = db.scalar(select(Case))
    db.add(Invitation(case_id=case.id, code="ABC234", expires_at=utcnow() + timedelta(days=1)))
    db.add(Invitation(case_id=case.id, code="OLD234", expires_at=utcnow() - timedelta(days=1)))
    db.commit()
    assert intake.redeem_invitation("pupil", "abc-234") == ref
    assert intake.redeem_invitation("pupil", " ABC 234 ") == ref  # retry from same chat
    assert intake.redeem_invitation("someone-else", "ABC234") is None  # single use
    assert intake.redeem_invitation("pupil2", "OLD234") is None  # expired
    assert intake.redeem_invitation("pupil2", "NOPE99") is None
    intake.record_consent("pupil", "pupil", "mine svar til skolekontaktperson", True)
    intake.save_answer("pupil", "mood", "answered", 1, "😟")
    assert intake.confirm_case("pupil") == ref
    db.expire_all()
    assert db.scalar(select(Case)).pupil_alias == "Mads"
    assert intake.progress("pupil")["case_reference"] == ref


def test_resume_code(db: Session) -> None:
    conv = _parent()
    code = intake.create_resume_code(conv)
    plain = intake.normalize_code(code)
    assert len(plain) == 13 and not set(plain) & set("0O1IL")
    second = intake.create_resume_code(conv)
    assert second != code  # single use: each pause gives a fresh code
    assert intake.resume(code.lower().replace("-", " ")) == conv
    assert intake.resume(code) is None  # used up (tests/security holds the rest)
    assert intake.resume(second) == conv
    assert intake.resume("ZZZZZZ") is None


def test_schools_sorted_danish_and_contact(db: Session) -> None:
    assert intake.list_schools() == []
    seed_demo()
    seed_demo()
    schools = intake.list_schools()
    assert len(schools) == 5 and schools[-1] == "Åbyskolen"
    contact = intake.school_contact("havneskolen")
    assert contact["name"] == "Havneskolen" and contact["phone"] and contact["email"]
    assert intake.school_contact("Ukendt skole")["school"] is False


def test_migration_matches_models(db: Session) -> None:
    """The Alembic migration builds exactly the schema the models describe."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.db import Base, get_engine

    with get_engine().connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_retention_deletes_only_old_closed_cases(db: Session) -> None:
    from bot.retention import purge_expired

    seed_demo()
    old, recent = _parent("old"), _parent("recent")
    intake.confirm_case(old)
    intake.confirm_case(recent)
    cases = db.scalars(select(Case).order_by(Case.id)).all()
    for case in cases:
        case.status = "afsluttet"
    cases[0].closed_at = utcnow() - timedelta(days=400)
    cases[1].closed_at = utcnow() - timedelta(days=10)
    db.commit()
    assert purge_expired()["cases"] == 1
    db.expire_all()
    assert [c.id for c in db.scalars(select(Case))] == [cases[1].id]
    assert intake.get_answers("old") == {}


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="a server-side disconnect needs PostgreSQL",
)
def test_a_connection_dropped_by_the_server_is_replaced_before_use(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pooled connections are pinged only after being idle (not on every checkout); one the
    # server dropped meanwhile (a restart, a firewall) must not fail the next person's answer.
    from bot.db import session as db_session

    intake.start_conversation("idle")
    with db_session.session_scope() as session:
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
    admin = create_engine(db_session.current_url(), poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()
    monkeypatch.setattr(db_session, "IDLE_PING_SECONDS", 0.0)
    intake.record_consent("idle", "parent", "opsummering til skolekontaktperson", True)
    assert intake.has_consent("idle")
