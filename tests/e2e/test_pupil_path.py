"""The paths into an intake: role first, consent that fits the person and the age, the
pupil's own path (with and without a code), and cases with an unknown school in triage."""

from __future__ import annotations

from intake_driver import Chat, Intake, login, reference_in
from sqlalchemy import select

from bot import intake as store
from bot.config import get_settings
from bot.db.models import Respondent
from bot.db.session import session_scope


def _respondent(sender: str) -> Respondent | None:
    with session_scope() as session:
        row = session.scalars(
            select(Respondent).where(Respondent.conversation_id == sender)
        ).one_or_none()
        if row is not None:
            session.expunge(row)
        return row


def _send(person: Intake, first, typed: dict[str, str] | None = None) -> str:
    review = person.answer_until_review(first, typed=typed)
    done = person.say(review.button("Ja"))
    reference = reference_in(done.text)
    assert reference, done.text
    person.last = done  # type: ignore[attr-defined]
    return reference


def test_role_comes_first_and_the_parent_gets_the_parent_consent(stack) -> None:
    person = Intake(Chat(stack.rasa_url))
    hello = person.say("hej")
    text = hello.text.lower()
    assert "automatisk assistent" in text and "ikke et menneske" in text
    assert "hvem er du" in text
    assert [b["title"] for b in hello.buttons] == [
        "Jeg er forælder",
        "Jeg er elev",
        "Jeg har en kode",
    ]
    # No consent asked and nothing stored before the role is known.
    assert "gemme" not in text
    assert _respondent(person.chat.sender) is None

    asked = person.say(hello.button("Jeg er forælder"))
    settings = get_settings()
    consent = asked.text
    assert "dit barn" in consent
    assert f"{settings.retention_days} dage" in consent
    assert f"{settings.unfinished_chat_days} dage" in consent
    assert f"{settings.contact_within_working_days} arbejdsdage" in consent
    assert "underretningspligt" in consent
    assert _respondent(person.chat.sender) is None, "stored before consent"

    first = person.consent(asked)
    assert first.progress and first.progress["question"] == "child_name"
    # The number of questions promised is the number asked.
    assert f"omkring {first.progress['total']} korte" in first.text
    row = _respondent(person.chat.sender)
    assert row is not None and row.consent_given and row.consent_basis == "parent"


def test_pupil_under_the_consent_age_tells_their_story_and_the_parents_are_involved(
    stack,
) -> None:
    person = Intake(Chat(stack.rasa_url))
    hello = person.say("hej")
    asked_age = person.say(hello.button("Jeg er elev"))
    assert "robot" in asked_age.text.lower() and "gammel" in asked_age.text.lower()
    assert "dit barn" not in asked_age.text
    consent = person.give_age(asked_age, 12)
    assert "under 15 år" in consent.text
    assert "forældre" in consent.text
    assert _respondent(person.chat.sender) is None, "the age was stored before consent"

    first = person.consent(consent)
    row = _respondent(person.chat.sender)
    assert row is not None and row.consent_basis == "pupil_parents_involved"
    reference = _send(person, first, {"child_name": "Ali", "school": "Havneskolen"})
    assert "forældre" in person.last.text  # type: ignore[attr-defined]

    worker = login(stack.api_url, "kontakt2")  # Havneskolen's skolekontaktperson
    case = worker.get(f"/cases/by-reference/{reference}").json()["case"]
    assert case["parents_must_be_involved"] is True
    assert "forældrene skal inddrages" in case["consent_rule"]
    assert case["triage"] is False


def test_a_pupil_who_types_instead_of_pressing_a_button_is_greeted_as_a_pupil(stack) -> None:
    person = Intake(Chat(stack.rasa_url))
    hello = person.say("hej")
    asked_age = person.say("jeg er i 6. klasse og skriver selv")
    text = asked_age.text.lower()
    assert "robot" in text and "hvor gammel er du" in text, asked_age.text
    assert "dit barn" not in asked_age.text
    # Words that name no role still get the buttons again.
    other = Intake(Chat(stack.rasa_url))
    other.say("hej")
    again = other.say("ved ikke")
    assert "knap" in again.text.lower(), again.text
    assert hello.buttons and again.buttons


def test_pupil_from_the_consent_age_consents_for_themselves(stack) -> None:
    person = Intake(Chat(stack.rasa_url))
    asked_age = person.say('/choose_role{"role": "elev"}')  # what /elev sends
    consent = person.say("jeg er 15 år")
    assert "bestemmer du selv" in consent.text
    assert "forældre" not in consent.text
    first = person.consent(consent)
    assert "robot" in asked_age.text.lower()
    row = _respondent(person.chat.sender)
    assert row is not None and row.consent_basis == "pupil_own"
    reference = _send(person, first, {"child_name": "Maja", "school": "Skovbakkeskolen"})

    case = login(stack.api_url, "kontakt2").get(f"/cases/by-reference/{reference}").json()
    assert case["case"]["parents_must_be_involved"] is False
    assert "selv givet samtykke" in case["case"]["consent_rule"]


def test_pupil_with_a_code_is_not_asked_for_the_school(stack) -> None:
    parent = Intake(Chat(stack.rasa_url))
    parent_ref = _send(parent, parent.start("forælder"))
    worker = login(stack.api_url, "kontakt1")
    case = worker.get(f"/cases/by-reference/{parent_ref}").json()["case"]
    code = worker.post(f"/cases/{case['id']}/invitations", json={}).json()["code"]

    pupil = Intake(Chat(stack.rasa_url))
    first = pupil.start_pupil_page(age=13, code=code)
    said = "\n".join(t.text for t in pupil.turns)
    assert "Koden virker" in said
    # The code is only checked before consent: the conversation is linked at consent.
    asked: list[str] = []

    def record(turn):
        if turn.progress:
            asked.append(turn.progress["question"])
        return None

    review = pupil.answer_until_review(first, on_question=record)
    assert "school" not in asked, asked
    assert "grade" in asked
    done = pupil.say(review.button("Ja"))
    assert parent_ref in done.text
    assert store.get_answers(pupil.chat.sender)["school"]["display"] == "Nordskolen"
    detail = worker.get(f"/cases/{case['id']}").json()
    assert detail["case"]["parents_must_be_involved"] is True
    assert {r["role"] for r in detail["respondents"]} == {"parent", "pupil"}


def test_unknown_school_goes_to_the_triage_queue(stack) -> None:
    person = Intake(Chat(stack.rasa_url))
    reference = _send(person, person.start("forælder"), {"school": "ved ikke"})
    assert "visitation" in person.last.text  # type: ignore[attr-defined]

    # kontakt2 has no triage role: the case is not theirs to see.
    other = login(stack.api_url, "kontakt2")
    assert other.get(f"/cases/by-reference/{reference}").status_code == 404
    assert reference not in {c["reference"] for c in other.get("/cases").json()}
    # kontakt1 runs the visitation in the demo municipality.
    triage = login(stack.api_url, "kontakt1")
    listed = {c["reference"]: c for c in triage.get("/cases").json()}
    assert reference in listed and listed[reference]["triage"] is True


def test_a_pupil_who_says_no_leaves_nothing_behind(stack) -> None:
    person = Intake(Chat(stack.rasa_url))
    consent = person.give_age(person.say('/choose_role{"role": "elev"}'), 11)
    declined = person.say(consent.button("Nej"))
    assert "116 111" in declined.text and "ikke gemt" in declined.text
    assert _respondent(person.chat.sender) is None


def test_a_wrong_code_lets_the_pupil_try_again_or_go_on_without(stack) -> None:
    person = Intake(Chat(stack.rasa_url))
    person.say('/have_code{"role": "elev"}')
    wrong = person.say("ZZZZ9999")
    assert "virker ikke" in wrong.text
    titles = [b["title"] for b in wrong.buttons]
    assert titles == ["Prøv en anden kode", "Start uden kode"]
    asked_age = person.say(wrong.button("Start uden kode"))
    assert "gammel" in asked_age.text.lower()
