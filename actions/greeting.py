"""The opening, before consent: a neutral hello, the role, an invitation code, a pupil's age.

Nothing here is stored: the role, the age and a checked code live in slots until the person
consents (actions/consent.py records them then).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    CORE_TO_ROLE,
    ROLE_TO_CORE,
    StoreUnavailable,
    buttons,
    core_role,
    entity,
    latest_text,
    say,
    store,
)
from bot import intake, messages
from bot.config import get_settings
from bot.flow import age_buttons
from bot.parsing.roles import role_in_text

ROLE_BUTTONS = [
    ("Jeg er forælder", '/choose_role{"role": "forælder"}'),
    ("Jeg er elev", '/choose_role{"role": "elev"}'),
    ("Jeg har en kode", "/have_code"),
]


def ask_role(dispatcher: CollectingDispatcher, first: bool) -> list[dict[str, Any]]:
    """The neutral hello (AI disclosure) and "Hvem er du?", or the short reminder."""
    key = "hello" if first else "ask_role_again"
    dispatcher.utter_message(text=messages.text(key, None), buttons=buttons(ROLE_BUTTONS))
    return [SlotSet("phase", "role")]


def role_from_message(tracker: Tracker) -> str | None:
    """The role slot value from a button, a role entity, or the typed words (roles.yaml)."""
    value = entity(tracker, "role")
    if value in ROLE_TO_CORE:
        return value
    role = role_in_text(latest_text(tracker))
    return CORE_TO_ROLE[role] if role else None


def greet_role(
    dispatcher: CollectingDispatcher, role_slot: str, first: bool
) -> list[dict[str, Any]]:
    """The greeting written for the role. The pupil's always says it is a robot (/elev starts
    here); a parent who named the role before any hello gets the AI disclosure first."""
    role = ROLE_TO_CORE[role_slot]
    if first and role == "parent":
        say(dispatcher, "disclosure", role)
    say(dispatcher, "greet_role", role)
    return [SlotSet("role", role_slot)]


def ask_opening(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """The opening form's question: the code or the pupil's age, by `phase`."""
    role = core_role(tracker)
    if tracker.get_slot("phase") == "code":
        say(dispatcher, "ask_code", role)
        return
    dispatcher.utter_message(
        text=messages.text("ask_age", role),
        buttons=buttons(age_buttons(get_settings().pupil_consent_age)),
    )


async def use_code(
    dispatcher: CollectingDispatcher, tracker: Tracker, code: str
) -> list[dict[str, Any]]:
    """A resume code continues earlier answers; an invitation code puts the pupil on a case.

    An invitation is only checked here; it is redeemed at consent (nothing stored before)."""
    role = core_role(tracker)
    events: list[dict[str, Any]] = [SlotSet("opening", None)]
    try:
        # Guesses count per conversation and per client (the channel's hashed address).
        client = ((tracker.latest_message or {}).get("metadata") or {}).get("client")
        original = await store(dispatcher, role, intake.resume, code, tracker.sender_id, client)
        if original:
            state = await store(dispatcher, role, intake.progress, original)
            stored_role = state.get("role")
            say(dispatcher, "code_ok_resume", stored_role)
            # The child's name is not put back into the questions: a code gives access only to
            # continue, never to what was told before (issue 13, item 4).
            return events + [
                SlotSet("respondent", original),
                SlotSet("role", CORE_TO_ROLE.get(stored_role or "")),
                SlotSet("consent_given", bool(state.get("consent"))),
                SlotSet("child_name", None),
                SlotSet("phase", "intake"),
            ]
        if await store(dispatcher, role, intake.invitation_valid, tracker.sender_id, code):
            say(dispatcher, "code_ok_invitation", "pupil")
            return events + [
                SlotSet("invitation", code),
                SlotSet("role", "elev"),
                SlotSet("phase", "age"),
            ]
    except StoreUnavailable:
        return events
    if role != "pupil":
        say(dispatcher, "code_unknown", role)
        # Back to "who are you?": start without a code, or try again.
        return events + ask_role(dispatcher, first=False)
    dispatcher.utter_message(
        text=messages.text("code_unknown", role),
        buttons=buttons(
            [("Prøv en anden kode", "/have_code"), ("Start uden kode", ROLE_BUTTONS[1][1])]
        ),
    )
    return events + [SlotSet("phase", "role")]
