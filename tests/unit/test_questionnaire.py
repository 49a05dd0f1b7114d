"""The questionnaire as the bot uses it: plans, wording, buttons."""

from __future__ import annotations

import json

import pytest

from bot.questionnaire import AREA_KEYS, load_questionnaire, role_key


@pytest.fixture(scope="module")
def q():
    return load_questionnaire()


def test_plan_length_is_honest_for_both_roles(q) -> None:
    # "spørgsmål 7 af ca. 30" must be true.
    assert 25 <= len(q.plan("parent", [])) <= 36
    assert 25 <= len(q.plan("pupil", [])) <= 36


def test_plan_puts_chosen_areas_first_then_the_rest(q) -> None:
    plan = q.plan("parent", ["hjem", "kammerater"])
    sections = [x.section for x in plan]
    area_seq = [s for i, s in enumerate(sections) if s in AREA_KEYS and s not in sections[:i]]
    assert area_seq == ["hjem", "kammerater", "skole", "barnet", "fritid"]
    assert sections[0] == "basics"
    assert sections[-1] == "wishes"


def test_pupils_are_not_asked_for_parent_contact_details(q) -> None:
    assert "contact" in [x.key for x in q.plan("parent", [])]
    assert "contact" not in [x.key for x in q.plan("elev", [])]


def test_keys_unique_and_every_area_has_scale_and_optional_text(q) -> None:
    keys = [x.key for x in q.all_questions()]
    assert len(keys) == len(set(keys))
    for area, titles in q.areas:
        qs = q.section(area).questions
        assert 3 <= sum(x.type == "scale" for x in qs) <= 6
        assert any(x.type == "text" and x.optional for x in qs)
        assert titles["parent"] and titles["pupil"]


def test_text_uses_name_or_dit_barn(q) -> None:
    grade = q.question("grade")
    assert grade.text_for("parent", "Emma") == "Hvilken klasse går Emma i?"
    assert "dit barn" in grade.text_for("forælder", None)
    assert "{" not in q.question("strengths_good_at").text_for("parent", None)
    assert grade.text_for("pupil", "Emma") == "Hvilken klasse går du i?"


def test_buttons_carry_valid_json_payloads(q) -> None:
    buttons = q.question("kammerater_drillet").buttons_for("pupil")
    titles = [t for t, _ in buttons]
    assert titles[0].startswith("😀") and "Aldrig" in titles[0]
    assert "Ved ikke" in titles
    for _, payload in buttons:
        assert payload.startswith('/svar{"svar":')
        assert json.loads(payload[len("/svar") :])["svar"]


def test_text_questions_have_no_answer_buttons_but_can_be_skipped(q) -> None:
    assert q.question("child_name").buttons_for("parent") == []
    assert q.question("hjem_andet").buttons_for("parent") == [
        ("Spring over", '/svar{"svar":"spring over"}')
    ]


def test_parent_only_options_are_hidden_for_pupils(q) -> None:
    pupil_values = [p for _, p in q.question("wishes_contact").buttons_for("pupil")]
    assert not any('"sms"' in p for p in pupil_values)


def test_reverse_keyed_and_signals_use_known_functions(q) -> None:
    assert q.question("kammerater_god_ven").reverse is True
    funcs = {s.function for x in q.all_questions() for s in x.signals}
    assert {"avoid_negative_feelings", "escape_social_evaluative"} <= funcs
    assert {"attention_closeness", "tangible_outside_school"} <= funcs


def test_unknown_role_is_an_error() -> None:
    with pytest.raises(ValueError):
        role_key("lærer")
