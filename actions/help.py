"""Talk to a person (school contact details) and what to do when the bot does not understand."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    StoreUnavailable,
    buttons,
    core_role,
    latest_intent,
    respondent_id,
    say,
    store,
)
from actions.greeting import ask_role
from bot import intake, messages


class ActionSchoolContact(Action):
    def name(self) -> str:
        return "action_school_contact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        role = core_role(tracker)
        try:
            # From a chat continued with a code, only its own answers (the school is one).
            answers, _ = await store(
                dispatcher, role, intake.answers_for_chat, respondent_id(tracker), tracker.sender_id
            )
            school = (answers.get("school") or {}).get("display") or ""
            info = await store(dispatcher, role, intake.school_contact, school) if school else {}
        except StoreUnavailable:
            return []
        contact = " / ".join(str(v) for v in (info.get("phone"), info.get("email")) if v)
        if info.get("school") and contact:
            say(dispatcher, "school_contact", role, school=info["name"], contact=contact)
        else:
            say(dispatcher, "school_contact_unknown", role)
        return []


class ActionPromise(Action):
    """What happens next and how long answers are kept: numbers from the settings."""

    def name(self) -> str:
        return "action_promise"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        key = "faq_what_next" if latest_intent(tracker) == "faq_what_next" else "faq_storage"
        say(dispatcher, key, core_role(tracker))
        return []


class ActionFallback(Action):
    """First miss: ask to rephrase. Second miss in a row: buttons to go on."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        role = core_role(tracker)
        if not tracker.get_slot("phase") and not tracker.get_slot("consent_given"):
            # Not understood as the very first message: start properly, disclosure first.
            return ask_role(dispatcher, first=True)
        misses = int(tracker.get_slot("fail_count") or 0) + 1
        if misses < 2:
            say(dispatcher, "not_understood", role)
            return [SlotSet("fail_count", misses)]
        dispatcher.utter_message(
            text=messages.text("not_understood_again", role),
            buttons=buttons(
                [
                    ("Fortsæt", "/resume"),
                    ("Hvem læser svarene?", "/faq_who_reads"),
                    ("Hold pause", "/pause"),
                    ("Tal med et menneske", "/faq_talk_to_person"),
                ]
            ),
        )
        return [SlotSet("fail_count", 0)]
