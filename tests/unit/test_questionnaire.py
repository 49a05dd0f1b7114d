"""The questionnaire as the bot uses it: plans, wording, buttons."""

from __future__ import annotations

import json

import pytest

from bot.questionnaire import AREA_KEYS, load_questionnaire, role_key


@pytest.fixture(scope="module")
def q():
    return load_questionnaire()


def test_plan_length_is_honest_for_both_roles(q) -> None:
    # "spørgsmål 7 af ca. 40" must be true; pupils get fewer questions than parents.
    assert 25 <= len(q.plan("parent", [])) <= 44
    assert 25 <= len(q.plan("pupil", [])) < len(q.plan("parent", []))


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


def test_text_questions_have_no_answer_buttons_but_can_be_declined_or_skipped(q) -> None:
    assert q.question("child_name").buttons_for("parent") == [
        ("Vil ikke svare", '/svar{"svar":"vil ikke svare"}')
    ]
    assert q.question("hjem_andet").buttons_for("parent") == [
        ("Ved ikke", '/svar{"svar":"ved ikke"}'),
        ("Vil ikke svare", '/svar{"svar":"vil ikke svare"}'),
        ("Spring over", '/svar{"svar":"spring over"}'),
    ]


def test_every_question_offers_ved_ikke_and_vil_ikke_svare_for_both_roles(q) -> None:
    for question in q.all_questions():
        for role in question.roles:
            titles = [t for t, _ in question.buttons_for(role)]
            assert "Vil ikke svare" in titles, (question.key, role)
            if question.key not in ("child_name", "contact"):
                assert "Ved ikke" in titles, (question.key, role)


def test_a_decline_is_stored_as_declined_never_as_an_answer(q) -> None:
    for key in ("kammerater_drillet", "hjem_forandring", "grade", "hjem_andet", "custody"):
        question = q.question(key)
        role = question.roles[0]
        for typed in ("vil ikke svare", '/svar{"svar":"vil ikke svare"}', "det vil jeg ikke sige"):
            parsed = question.parse(typed, role)
            assert (parsed.status, parsed.value) == ("refused", None), (key, typed)


def test_section_intros_name_the_section_in_good_danish(q) -> None:
    assert q.section("hjem").intro_for("pupil") == "Nu kommer lidt om dit hjem og din familie."
    assert q.section("fritid").intro_for("parent", "Mads") == "Nu kommer lidt om Mads' fritid."
    for section in q.sections:
        if section.kind == "area":
            assert set(section.intro) == {"parent", "pupil"}, section.key


def test_wording_has_no_neuter_adjective_after_dit_barn(q) -> None:
    # "dit barn" is neuter: "nervøs", "uroligt", "god til" after it read wrong or odd.
    for question in q.all_questions():
        if "parent" in question.roles:
            text = question.text_for("parent", None)
            for bad in ("dit barn god til", "uroligt", "Virker dit barn bange"):
                assert bad not in text, (question.key, text)
    # Two questions in one were split.
    assert "?" not in q.question("hjem_hellere_hjemme").parent.rstrip("?")


def test_the_missing_questions_are_asked(q) -> None:
    parent = {x.key for x in q.plan("parent")}
    pupil = {x.key for x in q.plan("pupil")}
    wanted = {"child_says_hard", "professionals", "custody", "other_parent_knows"}
    assert wanted | {"language_home", "interpreter"} <= parent
    assert "language_home" in pupil and "custody" not in pupil and "interpreter" not in pupil
    values = {str(o.value) for o in q.question("professionals").options}
    assert {"ppr", "laege", "psykolog", "sagsbehandler", "udredning"} <= values
    assert "tolk" in q.question("interpreter").text_for("parent")


def test_parent_only_options_are_hidden_for_pupils(q) -> None:
    pupil_values = [p for _, p in q.question("wishes_contact").buttons_for("pupil")]
    assert not any('"sms"' in p for p in pupil_values)


def test_every_signal_kind_has_a_danish_rule_and_all_functions_are_reachable(q) -> None:
    from bot.profile import load_rules

    rules = load_rules()
    assert q.question("kammerater_god_ven").reverse is True
    kinds = {s.kind for x in q.all_questions() for s in x.signals}
    assert kinds <= set(rules.kinds)
    funcs = {rules.kinds[k].function for k in kinds}
    assert {"avoid_negative_feelings", "escape_social_evaluative"} <= funcs
    assert {"attention_closeness", "tangible_outside_school"} <= funcs
    for key in rules.resource_texts + list(rules.resource_answers):
        q.question(key)  # raises if the rule names a question that does not exist


def test_unknown_role_is_an_error() -> None:
    with pytest.raises(ValueError):
        role_key("lærer")
