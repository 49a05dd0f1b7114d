"""Consent and role: nothing is stored about a person before both are known."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    CONSENT_SCOPE,
    ROLE_TO_CORE,
    StoreUnavailable,
    core_role,
    entity,
    latest_text,
    respondent_id,
    say,
    store,
)
from bot import intake
from bot.normalize import fold


class ActionGiveConsent(Action):
    def name(self) -> str:
        return "action_give_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        role = core_role(tracker)
        if role:
            try:
                await store(
                    dispatcher,
                    role,
                    intake.record_consent,
                    respondent_id(tracker),
                    role,
                    CONSENT_SCOPE,
                    True,
                )
            except StoreUnavailable:
                return []
        say(dispatcher, "consent_thanks", role)
        return [SlotSet("consent_given", True), SlotSet("phase", "role")]


class ActionDeclineConsent(Action):
    def name(self) -> str:
        return "action_decline_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        # Collect nothing: if an earlier yes was stored, withdrawing deletes what it covered.
        if tracker.get_slot("consent_given"):
            try:
                await store(
                    dispatcher, core_role(tracker), intake.withdraw_consent, respondent_id(tracker)
                )
            except StoreUnavailable:
                return []
        return [SlotSet("consent_given", False), SlotSet("phase", "declined")]


def role_from_message(tracker: Tracker) -> str | None:
    value = entity(tracker, "role")
    if value in ROLE_TO_CORE:
        return value
    folded = fold(latest_text(tracker))
    if any(w in folded for w in ("elev", "mig selv", "jeg gaar i")):
        return "elev"
    if any(w in folded for w in ("foraeld", "mor", "far", "vaerge")):
        return "forælder"
    return None


class ActionSetRole(Action):
    def name(self) -> str:
        return "action_set_role"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        role_slot = role_from_message(tracker)
        if role_slot is None:
            # action_resume asks for the role again with buttons.
            return []
        role = ROLE_TO_CORE[role_slot]
        if tracker.get_slot("consent_given"):
            try:
                await store(
                    dispatcher,
                    role,
                    intake.record_consent,
                    respondent_id(tracker),
                    role,
                    CONSENT_SCOPE,
                    True,
                )
            except StoreUnavailable:
                return []
        say(dispatcher, "role_parent" if role == "parent" else "role_pupil", role)
        return [SlotSet("role", role_slot)]
