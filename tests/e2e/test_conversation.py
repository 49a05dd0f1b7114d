"""Whole intakes against the running engine and action server, checked in the database."""

from __future__ import annotations

import pytest
from intake_driver import Chat, Intake, reference_in

from bot import intake as store
from bot.questionnaire import load_questionnaire


def test_parent_intake_end_to_end(stack) -> None:
    person = Intake(Chat(stack.rasa_url))
    first = person.start("forælder")
    assert "spørgsmål 1 af ca." in first.text.lower()
    seen_faq = False

    def interrupt(turn):
        nonlocal seen_faq
        progress = turn.progress
        if not seen_faq and progress and progress["current"] == 6:
            seen_faq = True
            answer = person.say("hvem kan se det?")
            assert "kontaktperson" in answer.text.lower()
            # The form resumes at the same question.
            assert answer.progress and answer.progress["current"] == 6
            return answer
        return None

    review = person.answer_until_review(first, on_question=interrupt)
    assert seen_faq
    assert "emma" in review.text.lower()
    assert "nordskolen" in review.text.lower()

    confirmed = person.say(review.button("Ja"))
    reference = reference_in(confirmed.text)
    assert reference, confirmed.text

    answers = store.get_answers(person.chat.sender)
    plan = load_questionnaire().plan("parent")
    assert set(answers) == {q.key for q in plan}
    assert answers["grade"]["value"] == 4
    assert answers["school"]["display"] == "Nordskolen"
    assert "drillet" in (answers["what_makes_school_hard"]["free_text"] or "")
    assert store.case_reference(person.chat.sender) == reference


def test_pupil_gets_pupil_wording_and_can_say_dont_know(stack) -> None:
    person = Intake(Chat(stack.rasa_url))
    first = person.start("elev")
    # Pupil wording: "du" about oneself, not "dit barn".
    assert "dit barn" not in first.text.lower()
    turn = person.say("Ali")
    turn = person.say("ved ikke")  # the grade: "ved ikke" is a fine answer
    answers = store.get_answers(person.chat.sender)
    assert answers["child_name"]["display"] == "Ali"
    assert answers["grade"]["status"] == "dont_know"
    assert turn.progress and turn.progress["question"] == "school"


def test_bad_grade_is_asked_again_and_nothing_is_lost(stack) -> None:
    person = Intake(Chat(stack.rasa_url))
    person.start("forælder")
    turn = person.say("han hedder noah og går i 3. klasse")
    assert "Hvilken klasse går Noah i?" in turn.text  # the name, not the sentence
    turn = person.say("14")
    assert "0 til 10" in turn.text
    assert turn.progress and turn.progress["question"] == "grade"
    turn = person.say("tredje")
    answers = store.get_answers(person.chat.sender)
    assert answers["child_name"]["display"] == "Noah"
    assert answers["grade"]["value"] == 3


@pytest.mark.parametrize(
    "typed",
    ["{code}", "min kode er {lower}"],  # as shown, or in a sentence and lower case
)
def test_correction_pause_and_resume_from_another_browser(stack, typed: str) -> None:
    person = Intake(Chat(stack.rasa_url))
    person.start("forælder")
    person.say("Sofie")
    person.say("5")
    turn = person.say("jeg vil rette klassetrinnet")
    assert turn.progress and turn.progress["question"] == "grade"
    person.say("6. klasse")
    paused = person.say("pause")
    code = next(
        w.strip(".,")
        for w in paused.text.split()
        if w.strip(".,").isupper() and len(w.strip(".,")) >= 6
    )

    other = Intake(Chat(stack.rasa_url))
    asked = other.say("fortsæt")
    assert "kode" in asked.text.lower()
    resumed = other.say(typed.format(code=code, lower=code.lower()))
    assert resumed.progress and resumed.progress["question"] == "school", resumed.text
    answers = store.get_answers(person.chat.sender)
    assert answers["grade"]["value"] == 6
    assert answers["child_name"]["display"] == "Sofie"


def test_consent_declined_collects_nothing(stack) -> None:
    person = Intake(Chat(stack.rasa_url))
    opening = person.say("hej")
    consent = person.say(opening.button("Jeg er forælder"))
    declined = person.say(consent.button("Nej"))
    assert "ikke gemt" in declined.text.lower()
    assert store.get_answers(person.chat.sender) == {}
    assert not store.has_consent(person.chat.sender)


@pytest.mark.parametrize(
    "wish",
    [
        "slet mine svar",
        # The consent says "Du kan altid trække det tilbage"; the withdrawal was read as "no" and
        # handed to the current question (the contact) as an answer.
        "jeg trækker mit samtykke tilbage",
    ],
)
def test_delete_my_answers_or_withdraw_consent(stack, wish: str) -> None:
    person = Intake(Chat(stack.rasa_url))
    person.start("forælder")
    person.say("Karl")
    person.say("5. klasse")
    ask = person.say(wish)
    assert "slette" in ask.text.lower(), ask.text
    done = person.say(ask.button("Ja"))
    assert "slettet" in done.text.lower()
    assert store.get_answers(person.chat.sender) == {}
    assert not store.has_consent(person.chat.sender)


def test_who_is_behind_the_chat_gets_an_answer(stack) -> None:
    person = Intake(Chat(stack.rasa_url))
    person.start("forælder")
    answer = person.say("er det kommunen der har lavet den her chat?")
    assert "kommunens chat" in answer.text, answer.text


def test_a_first_message_that_tells_the_story_gets_the_disclosure_and_the_role(stack) -> None:
    chat = Chat(stack.rasa_url)
    replies = chat.say("min søn har det svært i skolen og vil ikke af sted om morgenen")
    text = chat.text(replies).lower()
    assert "automatisk assistent" in text and "ikke et menneske" in text
    titles = [b["title"] for r in replies for b in r.get("buttons") or []]
    assert "Jeg er forælder" in titles, titles
    # Typed role words work too, and lead to the consent for that role.
    consent = chat.text(chat.say("jeg er hans mor"))
    assert "dit barn" in consent and "gemme" in consent


def test_nothing_the_person_writes_is_met_with_silence(stack) -> None:
    chat = Chat(stack.rasa_url)
    for message in ["", "🙂🙂🙂", "asdkj qwe zzz", '/svar{"svar":"2"}', "ved ikke", "nej"]:
        assert chat.text(chat.say(message)).strip(), f"no reply to {message!r}"


def test_a_typed_code_is_tried_as_a_code_whatever_its_letters(stack) -> None:
    # The intent classifier read this code as "pause" ("Jeg har ikke gemt noget endnu"); a typed
    # code must always reach the code check (nlu_ext/code_intent.py).
    person = Intake(Chat(stack.rasa_url))
    opening = person.say("hej")
    asked = person.say(opening.button("Jeg har en kode"))
    assert "kode" in asked.text.lower(), asked.text
    tried = person.say("PYZC-GJBY-UCCYA")
    assert "Den kode kender jeg ikke" in tried.text, tried.text
