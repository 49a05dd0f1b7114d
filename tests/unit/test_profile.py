"""The cause profile the worker reads: levels, ranking, hypotheses, disagreements."""

from __future__ import annotations

import json

from bot.profile import AnswerRecord, TextSignal, build_profile
from bot.questionnaire import load_questionnaire

Q = load_questionnaire()


def rec(key: str, value, role: str = "parent", status: str = "answered") -> AnswerRecord:
    return AnswerRecord(key, status, value, None, role)


def test_bullying_answers_make_kammerater_primary_with_social_hypothesis() -> None:
    answers = [
        rec("kammerater_drillet", 3),
        rec("kammerater_alene", 3),
        rec("kammerater_god_ven", 0),  # reverse-keyed: no good friend = concern
        rec("skole_svaert_fag", 0),
        rec("hjem_konflikt", 1),
    ]
    p = build_profile(answers, [], Q)
    assert p.area("kammerater").level == 3
    assert p.primary_areas == ["kammerater"]
    assert p.functions[0].function == "escape_social_evaluative"
    assert p.functions[0].strength == "tydelig"
    kinds = {s.kind for s in p.area("kammerater").signals}
    assert kinds == {"bullying", "left_out"}


def test_ved_ikke_is_left_out_not_counted_as_zero() -> None:
    answers = [rec("barnet_bange", 3), rec("barnet_ked", None, status="dont_know")]
    assert build_profile(answers, [], Q).area("barnet").level == 3


def test_unanswered_area_is_unknown_not_fine() -> None:
    p = build_profile([rec("barnet_bange", 3)], [], Q)
    assert p.area("fritid").level is None
    assert "fritid" not in p.ranked_areas


def test_free_text_signal_raises_level() -> None:
    base = [rec("hjem_konflikt", 1), rec("hjem_forandring", 1)]
    without = build_profile(base, [], Q).area("hjem").level
    sig = [TextSignal("hjem", "family_change", "skilsmisse", "hjem_andet", "parent")]
    with_text = build_profile(base, sig, Q).area("hjem")
    assert with_text.level == without + 1  # type: ignore[operator]
    assert any(s.answer == "skilsmisse" for s in with_text.signals)


def test_disagreement_between_parent_and_pupil() -> None:
    answers = [rec("kammerater_drillet", 0, "parent"), rec("kammerater_drillet", 3, "elev")]
    p = build_profile(answers, [], Q)
    assert [(d.area, d.parent_level, d.pupil_level) for d in p.disagreements] == [
        ("kammerater", 0, 3)
    ]
    assert p.area("kammerater").level == 3  # the higher concern is kept


def test_absence_pattern_and_json() -> None:
    answers = [
        rec("days_last_month", 4),
        rec("since_when", "1_3_md"),
        rec("pattern", ["morgener", "for_sent"]),
    ]
    p = build_profile(answers, [], Q)
    assert p.absence.days_last_month == 4 and p.absence.approx_share_percent == 20
    assert p.absence.late and p.absence.mornings and not p.absence.part_days
    json.dumps(p.to_dict())
