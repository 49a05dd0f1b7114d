"""Items 2, 6 and 11: transcripts and derived data go on every deletion path; retention."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sec_helpers import add_transcript, make_case, transcript_rows
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import cases, intake
from bot.db.base import utcnow
from bot.db.models import Case, Municipality, Outbox, ProfileSnapshot, Respondent
from bot.retention import purge_expired


def test_withdrawal_removes_transcript_snapshots_alias_and_notifications(db: Session) -> None:
    case_id = make_case("conv-w", urgent=True)
    add_transcript("conv-w", "Bliver drillet af Jonas")
    case = db.get(Case, case_id)
    cases.latest_profile(db, case)  # a stored profile snapshot quoting the free text
    db.commit()
    assert db.scalar(select(ProfileSnapshot.id).where(ProfileSnapshot.case_id == case_id))
    assert intake.withdraw_consent("conv-w") > 0
    db.expire_all()
    assert transcript_rows("conv-w") == 0
    assert db.scalar(select(ProfileSnapshot.id).where(ProfileSnapshot.case_id == case_id)) is None
    assert db.scalar(select(Outbox.id).where(Outbox.case_id == case_id)) is None
    assert db.get(Case, case_id).pupil_alias is None


def test_delete_my_answers_removes_the_transcript(db: Session) -> None:
    make_case("conv-d")
    add_transcript("conv-d", "hemmelighed")
    intake.delete_answers("conv-d")
    assert transcript_rows("conv-d") == 0


def test_worker_delete_removes_the_transcript(db: Session) -> None:
    case_id = make_case("conv-x")
    add_transcript("conv-x", "hemmelighed")
    cases.purge_case(db, db.get(Case, case_id))
    db.commit()
    assert transcript_rows("conv-x") == 0


def test_retention_purges_inactive_cases_chats_and_transcripts(
    db: Session, caplog: pytest.LogCaptureFixture
) -> None:
    old = utcnow() - timedelta(days=400)
    idle_case = make_case("conv-idle")
    fresh_case = make_case("conv-fresh", school="Havneskolen")
    db.get(Case, idle_case).updated_at = old  # open, untouched for 400 days
    intake.start_conversation("conv-abandoned")
    db.scalar(select(Respondent).where(Respondent.conversation_id == "conv-abandoned"))
    db.commit()
    db.execute(
        Respondent.__table__.update()
        .where(Respondent.conversation_id == "conv-abandoned")
        .values(last_seen_at=old)
    )
    db.execute(Case.__table__.update().where(Case.id == idle_case).values(updated_at=old))
    db.commit()
    add_transcript("never-consented", "jeg hedder Emma", old.timestamp())
    add_transcript("conv-abandoned", "noget", old.timestamp())
    add_transcript("conv-fresh", "nyt", old.timestamp())  # old words of a live case stay
    with caplog.at_level(logging.INFO, logger="bot.retention"):
        result = purge_expired()
    assert result["inactive_open_cases"] == 1 and result["unfinished_conversations"] == 1
    assert result["transcripts"] >= 1
    db.expire_all()
    assert db.get(Case, idle_case) is None and db.get(Case, fresh_case) is not None
    assert transcript_rows("never-consented") == 0 and transcript_rows("conv-abandoned") == 0
    assert transcript_rows("conv-fresh") == 1
    line = next(r.getMessage() for r in caplog.records if "retention purge" in r.getMessage())
    assert "inactive_open_cases=1" in line and "conv-" not in line and "Emma" not in line


def test_retention_honours_the_municipality_setting(db: Session) -> None:
    case_id = make_case("conv-closed")
    case = db.get(Case, case_id)
    muni = db.get(Municipality, case.municipality_id)
    muni.retention_days = 30
    case.status, case.closed_at = "afsluttet", utcnow() - timedelta(days=45)
    db.commit()
    assert purge_expired()["closed_cases"] == 1  # the default 365 days would keep it


def test_withdrawal_from_a_resumed_chat_removes_both_transcripts(db: Session) -> None:
    make_case("conv-first")
    add_transcript("conv-first", "første gang")
    add_transcript("conv-resumed", "fortsat med kode")
    intake.withdraw_consent("conv-first", "conv-resumed")
    assert transcript_rows("conv-first") == 0 and transcript_rows("conv-resumed") == 0
