"""The cause profile the worker reads: levels, ranking, hypotheses, disagreements."""

from __future__ import annotations

import json

from bot.profile import AnswerRecord, TextSignal, build_profile, load_rules
from bot.questionnaire import load_questionnaire

Q = load_questionnaire()


def rec(key: str, value, role: str = "parent", status: str = "answered", text=None):
    return AnswerRecord(key, status, value, text, role)


def test_bullying_answers_make_kammerater_primary_with_social_hypothesis() -> None:
    answers = [
        rec("kammerater_drillet", 3),
        rec("kammerater_alene", 3),
        rec("kammerater_god_ven", 0),  # reverse-keyed: "Nej" (no good friend) = concern
        rec("skole_svaert_fag", 0),
        rec("hjem_konflikt", 1),
    ]
    p = build_profile(answers, [], Q)
    assert p.area("kammerater").level == 3
    assert p.primary_areas == ["kammerater"]
    assert p.functions[0].function == "escape_social_evaluative"
    assert p.functions[0].strength == "tydelig"
    kinds = {s.kind for s in p.area("kammerater").signals}
    assert kinds == {"bullying", "left_out", "no_good_friend"}


def test_one_key_answer_is_not_diluted_by_calm_ones() -> None:
    answers = [
        rec("skole_laerer", 3),
        rec("skole_svaert_fag", 0),
        rec("skole_larm", 0),
        rec("skole_praestation", 0),
    ]
    p = build_profile(answers, [], Q)
    assert p.area("skole").level == 3
    assert p.primary_areas == ["skole"]
    # "Nogle gange" on a key item is at least "En del".
    assert (
        build_profile([rec("hjem_konflikt", 2), rec("hjem_bekymret", 0)], [], Q).area("hjem").level
        == 2
    )


def test_an_ordinary_answer_alone_gives_at_most_en_del_and_counts_fully_with_another() -> None:
    alone = build_profile([rec("skole_larm", 3), rec("skole_laerer", 0)], [], Q)
    assert alone.area("skole").level == 2
    both = build_profile([rec("skole_larm", 3), rec("skole_svaert_fag", 2)], [], Q)
    assert both.area("skole").level == 3


def test_screen_time_and_no_club_never_outrank_a_key_concern() -> None:
    answers = [
        rec("fritid_aktivitet", 0),  # no club
        rec("fritid_venner", 0),  # never sees friends
        rec("fritid_skaerm", 3),  # screen all day
        rec("kammerater_drillet", 2),
        rec("kammerater_god_ven", 3),
        rec("kammerater_alene", 0),
    ]
    p = build_profile(answers, [], Q)
    assert p.area("fritid").level == 1
    assert p.ranked_areas[0] == "kammerater"
    assert "fritid" not in p.primary_areas
    tangible = next(f for f in p.functions if f.function == "tangible_outside_school")
    assert tangible.strength in ("svag", "ingen")


def test_screen_time_from_both_respondents_is_still_no_function_on_its_own() -> None:
    answers = [rec("fritid_skaerm", 3, "parent"), rec("fritid_skaerm", 3, "pupil")]
    sig = [TextSignal("barnet", "screen_preference", "gamer", "what_makes_school_hard", "parent")]
    p = build_profile(answers, sig, Q)
    tangible = next(f for f in p.functions if f.function == "tangible_outside_school")
    assert tangible.strength == "svag"


def test_gaming_at_night_is_the_exception_that_names_screen_as_a_sign() -> None:
    p = build_profile([rec("barnet_soevn", 3), rec("fritid_skaerm", 3)], [], Q)
    kinds = {s.kind for s in p.area("barnet").signals}
    assert "screen_at_night" in kinds
    assert p.area("barnet").level == 2


def test_family_change_alone_is_context_and_no_function() -> None:
    p = build_profile([rec("hjem_forandring", ["skilsmisse", "flytning"])], [], Q)
    assert p.area("hjem").level == 1
    assert all(f.strength == "ingen" for f in p.functions)


def test_ved_ikke_and_declined_never_count_as_calm() -> None:
    answers = [rec("barnet_bange", 3), rec("barnet_ked", None, status="dont_know")]
    assert build_profile(answers, [], Q).area("barnet").level == 3
    only_unknown = build_profile(
        [
            rec("kammerater_drillet", None, "pupil", "refused"),
            rec("kammerater_alene", None, "pupil", "dont_know"),
        ],
        [],
        Q,
    )
    area = only_unknown.area("kammerater")
    assert area.level is None  # "Ukendt", not "Ingen tegn"
    assert [o.status for o in area.open_questions] == ["refused", "dont_know"]


def test_unanswered_area_is_unknown_not_fine() -> None:
    p = build_profile([rec("barnet_bange", 3)], [], Q)
    assert p.area("fritid").level is None
    assert "fritid" not in p.ranked_areas


def test_free_text_key_kind_lifts_the_area_to_en_del() -> None:
    base = [rec("hjem_konflikt", 0)]
    sig = [TextSignal("hjem", "separation_worry", "vil ikke væk fra mig", "hjem_andet", "parent")]
    with_text = build_profile(base, sig, Q).area("hjem")
    assert with_text.level == 2
    assert any(s.answer == "vil ikke væk fra mig" for s in with_text.signals)


def test_signals_from_strength_or_leisure_text_are_ignored() -> None:
    sig = [
        TextSignal("skole", "academic_difficulty", "matematik", "strengths_good_at", "parent"),
        TextSignal("hjem", "family_change", "lillebror", "strengths_network", "parent"),
    ]
    p = build_profile([rec("skole_laerer", 0)], sig, Q)
    assert p.area("skole").level == 0 and p.area("hjem").level is None


def test_disagreement_between_parent_and_pupil() -> None:
    answers = [rec("kammerater_drillet", 0, "parent"), rec("kammerater_drillet", 3, "elev")]
    p = build_profile(answers, [], Q)
    assert [(d.area, d.parent_level, d.pupil_level) for d in p.disagreements] == [
        ("kammerater", 0, 3)
    ]
    assert p.area("kammerater").level == 3  # the higher concern is kept


def test_attendance_kind_needs_the_answers_to_support_it() -> None:
    refusal = build_profile(
        [rec("absence_how", ["kan_ikke"]), rec("barnet_bange", 3), rec("barnet_ondt", 2)], [], Q
    )
    assert refusal.attendance[0].kind == "school_refusal"
    assert refusal.attendance[0].strength == "tydelig"
    truancy = build_profile(
        [rec("absence_how", ["skjult"], "pupil"), rec("barnet_bange", 3)], [], Q
    )
    assert [h.kind for h in truancy.attendance] == ["truancy"]  # hidden absence is no refusal
    assert build_profile([rec("barnet_bange", 0)], [], Q).attendance == []


def test_resources_come_from_good_answers_and_strength_texts() -> None:
    answers = [
        rec("kammerater_god_ven", 3, "pupil"),
        rec("strengths_good_at", None, text="Hun er god til matematik"),
    ]
    p = build_profile(answers, [], Q)
    assert [(r.label, r.role) for r in p.resources][0] == ("Har en god ven i klassen", "pupil")
    assert p.resources[1].text == "Hun er god til matematik"


def test_rules_are_data_with_a_danish_label_for_every_kind() -> None:
    rules = load_rules()
    assert rules.levels[2] == "En del"
    for kind, rule in rules.kinds.items():
        assert rule.label and "_" not in rule.label, kind
    assert any("gennemsnit" in line for line in rules.how_made)


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
