"""What people type is understood, and bad input gets a kind Danish request to try again."""

from __future__ import annotations

import pytest

from bot.parsing import AnswerError, match_school
from bot.parsing.roles import role_in_text
from bot.questionnaire import load_questionnaire

Q = load_questionnaire()


def parse(key: str, text: str, role: str = "parent", **kw):
    return Q.question(key).parse(text, role, **kw)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("ved ikke", "dont_know"),
        ("Ved ik", "dont_know"),
        ("aner det ikke", "dont_know"),
        ("det vil jeg ikke svare på", "refused"),
        ("vil ikke svare", "refused"),
        ("spring over", "skipped"),
        ("skip", "skipped"),
        ("/spring_over", "skipped"),
    ],
)
def test_meta_answers_on_optional_question(text: str, status: str) -> None:
    assert parse("hjem_andet", text).status == status


def test_long_text_containing_ved_ikke_is_a_real_answer() -> None:
    text = "jeg ved ikke hvad der sker, han græder hver morgen og vil ikke op af sengen"
    ans = parse("what_makes_school_hard", text)
    assert ans.status == "answered" and ans.value == text


def test_required_question_cannot_be_skipped_but_ved_ikke_is_fine() -> None:
    with pytest.raises(AnswerError) as err:
        parse("child_name", "spring over")
    assert "ved ikke" in err.value.message
    assert parse("kammerater_drillet", "ved ikke", "pupil").status == "dont_know"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2", 2),
        ("😟 Tit", 3),
        ("Nogle gange", 2),
        ("sjaeldent", 1),
        ("sjældnt", 1),
        ("næsten altid", 3),
        ("naesten aldrig", 1),
        ("tit", 3),
        ("nej", 0),
        ("ikke så tit", 1),
        ("af og til", 2),
    ],
)
def test_scale_answers(text: str, value: int) -> None:
    ans = parse("kammerater_drillet", text, "pupil")
    assert (ans.status, ans.value) == ("answered", value)


def test_bare_ja_on_how_often_scale_asks_how_often() -> None:
    with pytest.raises(AnswerError) as err:
        parse("kammerater_drillet", "ja")
    assert "Hvor tit" in err.value.message_for("parent")


def test_ja_on_yes_no_question_means_yes() -> None:
    assert parse("kammerater_god_ven", "ja", "pupil").value == 3
    assert parse("kammerater_god_ven", "nej", "pupil").value == 0


def test_scale_nonsense_and_out_of_range() -> None:
    for text in ("banan", "7"):
        with pytest.raises(AnswerError) as err:
            parse("barnet_bange", text, "pupil")
        assert "knap" in err.value.message_for("pupil")


@pytest.mark.parametrize(
    ("text", "grade"),
    [
        ("3", 3),
        ("3.", 3),
        ("3. klasse", 3),
        ("tredje", 3),
        ("3.b", 3),
        ("børnehaveklasse", 0),
        ("0. klasse", 0),
        ("0.x", 0),
        ("bh.kl", 0),
        ("10", 10),
    ],
)
def test_grade(text: str, grade: int) -> None:
    assert parse("grade", text).value == grade


@pytest.mark.parametrize("text", ["11", "-1", "12. klasse", "banan"])
def test_bad_grade_asks_again_clearly(text: str) -> None:
    with pytest.raises(AnswerError) as err:
        parse("grade", text)
    assert "0 til 10" in err.value.message_for("parent")


@pytest.mark.parametrize(
    ("text", "days"),
    [("3", 3), ("tre", 3), ("ca. 5", 5), ("en uge", 5), ("ingen", 0), ("2 uger", 10), ("3-4", 4)],
)
def test_days_last_month(text: str, days: int) -> None:
    ans = parse("days_last_month", text)
    assert ans.value == days
    assert ans.display == ("1 dag" if days == 1 else f"{days} dage")


@pytest.mark.parametrize("text", ["30", "-2", "mange"])
def test_days_out_of_range(text: str) -> None:
    with pytest.raises(AnswerError):
        parse("days_last_month", text)


def test_school_matching_tolerates_typos_and_missing_suffix() -> None:
    schools = ["Nørreskolen", "Vestre Skole", "Søndermarkskolen"]
    assert match_school("norreskolen", schools) == "Nørreskolen"
    assert match_school("Nørrskolen", schools) == "Nørreskolen"
    assert match_school("vestre", schools) == "Vestre Skole"
    assert match_school("sondermark skole", schools) == "Søndermarkskolen"
    assert match_school("Byskolen", schools) is None
    with pytest.raises(AnswerError):
        parse("school", "Byskolen", schools=schools)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12 34 56 78", "+4512345678"),
        ("+45 22334455", "+4522334455"),
        ("0045 22 33 44 55", "+4522334455"),
        ("Anna@Example.DK", "Anna@example.dk"),
    ],
)
def test_contact(text: str, value: str) -> None:
    assert parse("contact", text).value == value


@pytest.mark.parametrize("text", ["1234", "anna@ex", "anna@@ex.dk"])
def test_bad_contact(text: str) -> None:
    with pytest.raises(AnswerError):
        parse("contact", text)


def test_contact_nej_tak_skips() -> None:
    assert parse("contact", "nej tak").status == "skipped"


def test_multichoice_from_words() -> None:
    ans = parse("pattern", "morgener, efter weekend og han kommer tit for sent")
    assert ans.value == ["morgener", "efter_fri", "for_sent"]


def test_choice_keeps_own_words_when_allowed() -> None:
    assert parse("since_when", "et par måneder").value == "1_3_md"
    assert parse("since_when", "siden sommerferien").value == "siden sommerferien"


def test_text_rules() -> None:
    hostile = "<script>alert(1)</script>'; DROP TABLE cases;--"
    assert parse("hjem_andet", hostile).value == hostile
    for empty in ("", "   "):
        with pytest.raises(AnswerError):
            parse("hjem_andet", empty)
    with pytest.raises(AnswerError) as err:
        parse("hjem_andet", "x" * 2001)
    assert "kortere" in err.value.message_for("parent")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Han hedder Mads og går i 5.b", "Mads"),
        ("mads", "Mads"),
        ("MADS", "Mads"),
        ("Mads Emil Hansen", "Mads"),  # the first name only: nothing more was asked for
        ("anne-sofie", "Anne-Sofie"),
        ("hej, jeg hedder sara :)", "Sara"),
        ("Min soen hedder Ali", "Ali"),
        ("hun hedder Ida-Marie, men vi kalder hende Ida", "Ida-Marie"),
        ("han er 12 og hedder Noah", "Noah"),
        ("Mads hedder han", "Mads"),
        ("navn: Liva", "Liva"),
        ("Jeg hedder Sofie 😊", "Sofie"),
        ("McKenzie", "McKenzie"),
        ("Zoë", "Zoë"),
    ],
)
def test_the_first_name_is_taken_from_what_people_write(text: str, name: str) -> None:
    answer = parse("child_name", text)
    assert (answer.status, answer.value, answer.display) == ("answered", name, name)


@pytest.mark.parametrize("text", ["4. klasse", "min søn", "det er svært", "jeg er 13", "🙂"])
def test_an_answer_that_holds_no_name_is_asked_again(text: str) -> None:
    with pytest.raises(AnswerError) as err:
        parse("child_name", text)
    assert "fornavn" in err.value.message_for("parent")
    assert "dit fornavn" in err.value.message_for("pupil")
    assert parse("child_name", "vil ikke svare").status == "refused"


@pytest.mark.parametrize(
    ("text", "role"),
    [
        # Typed at "Hvem er du?" instead of pressing a button.
        ("jeg er i 6. klasse og skriver selv", "pupil"),
        ("jeg gaar i 7.b", "pupil"),
        ("jeg er 13 år", "pupil"),
        ("JEG ER ELEV", "pupil"),
        ("Jeg er mor til Emil", "parent"),
        ("hej jeg er far", "parent"),
        ("min søn går i 4. klasse", "parent"),
        ("jeg er mor til en elev i 5.a", "parent"),
        # Nothing on either side, or both: the buttons are shown again.
        ("min mor siger jeg skal skrive her", None),  # a pupil may write about a parent
        ("mormor til Emil", None),
        ("jeg er 38 år", None),  # no pupil's age
        ("godmorgen", None),  # "mor" inside a word
        ("12", None),
        ("jeg er elev og min søn går her", None),
    ],
)
def test_who_is_writing_is_read_from_typed_words(text: str, role: str | None) -> None:
    assert role_in_text(text) == role
