"""Consent written for the person and the age; recorded with the rule that applied.

A parent consents for the family. A pupil from the consent age (setting, default 15) consents
for themselves; a younger pupil may still tell their story, is told plainly that the
skolekontaktperson will also talk with the parents, and the case records that the parents
must be involved before anything is shared.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    CONSENT_SCOPE,
    core_role,
    respondent_id,
    say,
    store,
)
from bot import intake, messages
from bot.config import get_settings

CONSENT_BUTTONS = [
    ("Ja, det er i orden", "/affirm"),
    ("Nej tak", "/deny"),
    ("Hvem læser svarene?", "/faq_who_reads"),
]
PUPIL_CONSENT_BUTTONS = [
    ("Ja, det er ok", "/affirm"),
    ("Nej tak", "/deny"),
    ("Hvem læser det?", "/faq_who_reads"),
]


def consent_basis(tracker: Tracker) -> str:
    """parent, pupil_own (at or above the consent age) or pupil_parents_involved."""
    if core_role(tracker) != "pupil":
        return "parent"
    age = tracker.get_slot("pupil_age")
    if age is not None and float(age) >= get_settings().pupil_consent_age:
        return "pupil_own"
    return "pupil_parents_involved"


def ask_consent(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    role = core_role(tracker)
    basis = consent_basis(tracker)
    key = "consent_young" if basis == "pupil_parents_involved" else "consent"
    pairs = PUPIL_CONSENT_BUTTONS if role == "pupil" else CONSENT_BUTTONS
    dispatcher.utter_message(
        text=messages.text(key, role),
        buttons=[{"title": t, "payload": p} for t, p in pairs],
    )
    return [SlotSet("phase", "consent")]


async def give_consent(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Record the yes (role, rule, time); a checked invitation code is redeemed now.

    Returns the events and the conversation's progress read in the consent's own transaction.
    Raises StoreUnavailable (the person has been told) when nothing could be recorded."""
    role = core_role(tracker) or "parent"
    respondent = respondent_id(tracker)
    state = await store(
        dispatcher,
        role,
        intake.record_consent,
        respondent,
        role,
        CONSENT_SCOPE,
        True,
        consent_basis(tracker),
    )
    events: list[dict[str, Any]] = [SlotSet("consent_given", True)]
    code = tracker.get_slot("invitation")
    if code:
        await store(dispatcher, role, intake.redeem_invitation, respondent, code)
        events.append(SlotSet("invitation", None))
    say(dispatcher, "consent_thanks", role)
    return events, state


async def decline_consent(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[dict[str, Any]]:
    """Collect nothing; if an earlier yes was stored, withdrawing deletes what it covered."""
    role = core_role(tracker)
    if tracker.get_slot("consent_given"):
        await store(
            dispatcher, role, intake.withdraw_consent, respondent_id(tracker), tracker.sender_id
        )
    say(dispatcher, "consent_declined", role)
    return [SlotSet("consent_given", False), SlotSet("phase", "declined")]
