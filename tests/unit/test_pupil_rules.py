"""The pupil's age and consent rule, and who sees a case whose school is unknown."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import cases, intake
from bot.db import Case, Worker
from bot.flow import age_buttons, parse_pupil_age
from bot.parsing import AnswerError
from bot.seed import seed_demo


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("12", 12),
        ("12 år", 12),
        ("jeg er tolv", 12),
        ("fjorten", 14),
        ('/svar{"svar": "16"}', 16),
        # A grade counts as the youngest age in it: a 9th-grader may still be 14.
        ("7. klasse", 12),
        ("jeg går i 9 klasse", 14),
        ("10.b", 15),
    ],
)
def test_age_from_years_or_grade(text: str, age: int) -> None:
    assert parse_pupil_age(text) == age


@pytest.mark.parametrize("text", ["", "ved ikke", "200", "-3"])
def test_unreadable_age_is_asked_again(text: str) -> None:
    with pytest.raises(AnswerError):
        parse_pupil_age(text)


def test_age_buttons_straddle_the_consent_age() -> None:
    titles = [t for t, _ in age_buttons(15)]
    assert titles[0] == "11 eller yngre" and titles[-1] == "16 eller ældre"
    assert "14" in titles and "15" in titles


def _case_for(conv: str, role: str, basis: str, school: str | None) -> Case:
    intake.record_consent(conv, role, "scope", True, basis)
    intake.save_answer(conv, "child_name", "answered", "Ali", "Ali")
    if school:
        intake.save_answer(conv, "school", "answered", school, school)
    else:
        intake.save_answer(conv, "school", "dont_know", None, "Ved ikke")
    return intake.confirm_case(conv)


def test_a_young_pupil_s_own_case_records_that_parents_must_be_involved(db: Session) -> None:
    seed_demo()
    ref = _case_for("young", "pupil", "pupil_parents_involved", "Havneskolen")
    case = db.scalar(select(Case).where(Case.reference == ref))
    assert case.parents_must_be_involved is True
    assert case.school is not None and case.school.name == "Havneskolen"
    assert "forældrene skal inddrages" in cases.consent_rule(case)
    own = db.scalar(
        select(Case).where(Case.reference == _case_for("old", "pupil", "pupil_own", "Nordskolen"))
    )
    assert own.parents_must_be_involved is False
    assert "selv givet samtykke" in cases.consent_rule(own)
    with pytest.raises(ValueError):
        intake.record_consent("x", "pupil", "scope", True, "guessed")


def test_unknown_school_is_seen_only_by_triage_workers(db: Session) -> None:
    seed_demo()
    ref = _case_for("nowhere", "parent", "parent", None)
    case = db.scalar(select(Case).where(Case.reference == ref))
    assert cases.case_info(case)["triage"] is True
    workers = {w.username: w for w in db.scalars(select(Worker))}
    assert workers["kontakt1"].triage and not workers["kontakt2"].triage
    assert ref in {c.reference for c in cases.list_cases(db, workers["kontakt1"])}
    assert ref not in {c.reference for c in cases.list_cases(db, workers["kontakt2"])}
    with pytest.raises(cases.NotFound):
        cases.get_case(db, workers["kontakt2"], case.id)
