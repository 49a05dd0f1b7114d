"""Danger signals at any point: help in the same reply, the case flagged for the worker."""

from __future__ import annotations

import time

import pytest
from intake_driver import Chat, Intake, login

HELPLINES = ("116 111", "112")


def shows_help(text: str) -> bool:
    return all(number in text for number in HELPLINES)


@pytest.mark.parametrize(
    "message",
    [
        "min far slår mig",
        "jeg vil ikke leve mere",
        "en voksen rører ved mig og det vil jeg ikke",
        "vi har ikke noget sted at sove i nat",
        "de truer med at dele billeder af mig",
        "han siger han vil slaa sig selv ihjel",  # a parent, without æøå
        # Too unsure for any intent ("Det forstod jeg ikke" before), `not_safe` leading.
        "politi",
    ],
)
def test_danger_at_the_greeting_gets_help_at_once(stack, message: str) -> None:
    chat = Chat(stack.rasa_url)
    text = chat.text(chat.say(message))
    assert shows_help(text), text


@pytest.mark.parametrize(
    "message",
    [
        "jeg keder mig ihjel",
        "matematik slår mig ihjel",
        "vi skændes om skærmtid derhjemme",
        # "brug for hjælp" was learnt from "jeg har brug for hjælp nu" alone: "Ring 112 nu"
        "min datter har brug for hjælp i matematik",
    ],
)
def test_idioms_and_ordinary_worries_do_not_alarm(stack, message: str) -> None:
    chat = Chat(stack.rasa_url)
    chat.say("hej")
    text = chat.text(chat.say(message))
    assert "116 111" not in text and "112" not in text, text


def _parent_at_the_contact_question(stack, alias: str) -> Intake:
    """A parent who has consented and answered the name, class and school."""
    person = Intake(Chat(stack.rasa_url))
    person.start("forælder")
    for answer in (alias, "5. klasse", "Nordskolen"):
        person.say(answer)
    return person


def _urgent_case(worker, alias: str) -> dict:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = [
            c
            for c in worker.get("/cases", params={"urgent": True}).json()
            if c["pupil_alias"] == alias
        ]
        if found:
            return worker.get(f"/cases/{found[0]['id']}").json()
        time.sleep(0.5)
    raise AssertionError(f"no urgent case for {alias}")


def test_danger_mid_form_flags_the_case_urgent_for_the_worker(stack) -> None:
    person = _parent_at_the_contact_question(stack, "Mikkel")
    help_turn = person.say("hans stedfar slår ham når han ikke vil i skole")
    assert shows_help(help_turn.text), help_turn.text
    assert "hastende" in help_turn.text.lower()

    worker = login(stack.api_url, "kontakt1")
    _urgent_case(worker, "Mikkel")
    assert worker.get("/cases").json()[0]["urgent"], "urgent cases come first"

    # The person can go on with the intake afterwards, where they were.
    resumed = person.say(help_turn.button("Fortsæt"))
    assert resumed.progress and resumed.progress["question"] == "contact"


def test_not_safe_now_reaches_the_worker_as_acute_danger_not_as_a_named_harm(stack) -> None:
    # "ikke i sikkerhed" was filed as "Trusler, æresrelateret kontrol, ..." before, and "send en
    # voksen nu" as "Seksuelle overgreb": harms the person never named.
    person = _parent_at_the_contact_question(stack, "Asta")
    # Typed, it means what the button "Jeg er ikke i sikkerhed" means: call 112 now, not the
    # general help that asks "Er du i sikkerhed lige nu?".
    help_turn = person.say("jeg er ikke i sikkerhed derhjemme")
    assert "Ring 112 nu" in help_turn.text and "Er du i sikkerhed" not in help_turn.text
    assert shows_help(person.say("send en voksen nu").text)

    detail = _urgent_case(login(stack.api_url, "kontakt1"), "Asta")
    kinds = {k for signal in detail["summary"]["urgent"] for k in signal["kinds"]}
    assert kinds == {"Akut fare (føler sig ikke tryg)"}, detail["summary"]["urgent"]


def test_danger_in_a_free_text_answer_is_kept_as_the_answer(stack) -> None:
    from bot import intake as store

    person = Intake(Chat(stack.rasa_url))
    first = person.start("elev")
    answers = {"what_makes_school_hard": "de andre driller mig og jeg har lyst til at dø"}
    seen = {}

    def stop_at_open(turn):
        if turn.progress and turn.progress["question"] == "what_makes_school_hard":
            reply = person.say(answers["what_makes_school_hard"])
            seen["reply"] = reply
            return reply
        return None

    # The safety reply pauses the form, so the driver stops there.
    person.answer_until_review(first, on_question=stop_at_open, limit=12)
    assert "reply" in seen and shows_help(seen["reply"].text)
    stored = store.get_answers(person.chat.sender)
    assert "dø" in (stored["what_makes_school_hard"]["free_text"] or "")


def test_no_to_are_you_safe_gets_emergency_advice(stack) -> None:
    chat = Chat(stack.rasa_url)
    first = chat.text(chat.say("hun skærer i sig selv"))
    assert shows_help(first)
    reply = chat.text(chat.say("nej"))
    assert "Ring 112 nu" in reply, reply


def _signals(sender: str) -> list[tuple[str | None, str, bool]]:
    from sqlalchemy import select

    from bot.db.models import Respondent, Signal
    from bot.db.session import session_scope

    with session_scope() as session:
        rows = session.execute(
            select(Signal.area, Signal.kind, Signal.urgent)
            .join(Respondent, Signal.respondent_id == Respondent.id)
            .where(Respondent.conversation_id == sender)
        ).all()
        return [tuple(r) for r in rows]


def test_a_wish_to_die_about_school_gets_a_gentle_check_not_an_urgent_flag(stack) -> None:
    person = Intake(Chat(stack.rasa_url))
    first = person.start("forælder")
    message = "han siger han vil dø hvis han skal i skole"
    seen = {}

    def stop_at_open(turn):
        if turn.progress and turn.progress["question"] == "what_makes_school_hard":
            seen["reply"] = person.say(message)
            return seen["reply"]
        return None

    person.answer_until_review(first, on_question=stop_at_open, limit=12)
    reply = seen["reply"]
    assert "sikkerhed" in reply.text.lower(), reply.text  # "Er I i sikkerhed lige nu?"
    assert "hastende" not in reply.text.lower(), reply.text
    signals = _signals(person.chat.sender)
    assert signals and not any(urgent for _, _, urgent in signals), signals

    from bot import intake as store

    assert store.get_answers(person.chat.sender)["what_makes_school_hard"]["free_text"] == message
    # "Fortsæt" goes on with the intake where it was.
    resumed = person.say(reply.button("Fortsæt"))
    assert resumed.progress and resumed.progress["question"] != "what_makes_school_hard"


@pytest.mark.parametrize(
    "message",
    [
        "jeg har set snitsår på min datters arme",  # seen by a parent
        "mors kæreste slår mig når hun er på arbejde",  # an adult in the household
        "min far har smidt mig ud og jeg har ikke noget sted at sove",
        "en voksen på snap vil have nøgenbilleder af mig",
        "de vil gifte mig med min fætter til sommer",
    ],
)
def test_widened_danger_kinds_get_help_at_once(stack, message: str) -> None:
    chat = Chat(stack.rasa_url)
    chat.say("hej")
    text = chat.text(chat.say(message))
    assert shows_help(text), text
