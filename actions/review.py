"""Review what will be passed on, correct answers, confirm and get the sagsnummer."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    StoreUnavailable,
    buttons,
    core_role,
    entity,
    latest_text,
    respondent_id,
    say,
    store,
)
from bot import intake, messages
from bot.config import get_settings
from bot.flow import correction_choices, correction_target, keys_to_redo
from bot.profile import AnswerRecord
from bot.questionnaire import load_questionnaire
from bot.summary import review_text


class ActionReview(Action):
    def name(self) -> str:
        return "action_review"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        role = core_role(tracker) or "parent"
        try:
            # A chat continued with a resume code sees only its own answers (issue 13, item 4).
            answers, earlier = await store(
                dispatcher, role, intake.answers_for_chat, respondent_id(tracker), tracker.sender_id
            )
        except StoreUnavailable:
            return []
        records = [
            AnswerRecord(key, row["status"], row["value"], row.get("free_text"), role)
            for key, row in answers.items()
        ]
        say(dispatcher, "review_intro", role)
        if records:
            dispatcher.utter_message(text=review_text(records, load_questionnaire(), role))
        if earlier:
            say(dispatcher, "review_earlier_hidden", role, count=earlier)
        dispatcher.utter_message(
            text=messages.text("review_question", role),
            buttons=buttons(
                [
                    (
                        "Ja, send det"
                        if role == "pupil"
                        else "Ja, send det til skolekontaktpersonen",
                        "/affirm",
                    ),
                    ("Ret et svar", "/correct"),
                ]
            ),
        )
        return [SlotSet("phase", "review"), SlotSet("question_key", None)]


async def confirm_case(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """Send the case (a "ja" in the review): sagsnummer, the contact promise, and who reads it."""
    role = core_role(tracker)
    if not (tracker.get_slot("consent_given") and role):
        say(dispatcher, "consent_needed", role)
        return []
    respondent = respondent_id(tracker)
    try:
        reference = await store(dispatcher, role, intake.confirm_case, respondent)
        answers = await store(dispatcher, role, intake.get_answers, respondent)
        school = (answers.get("school") or {}).get("display") or ""
        known = bool(school) and bool(
            (await store(dispatcher, role, intake.school_contact, school)).get("school")
        )
    except StoreUnavailable:
        return []
    except intake.ConsentRequired:
        say(dispatcher, "consent_needed", role)
        return []
    say(dispatcher, "confirmed", role, reference=reference)
    if not known:
        # No school: the case waits in the municipality's visitation (triage) queue.
        say(dispatcher, "triage", role)
    age = tracker.get_slot("pupil_age")
    if role == "pupil" and age is not None and float(age) < get_settings().pupil_consent_age:
        say(dispatcher, "confirmed_parents", role)
    dispatcher.utter_message(json_message={"case": {"reference": reference}})
    return [SlotSet("reference", reference), SlotSet("phase", "done")]


def start_correction(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """Ask again the questions the person wants to correct, or ask which part first."""
    role = core_role(tracker)
    if not (role and tracker.get_slot("consent_given")):
        say(dispatcher, "nothing_to_correct", role)
        return [SlotSet("route", "listen")]
    questionnaire = load_questionnaire()
    target = correction_target(latest_text(tracker), entity(tracker, "field"))
    keys = keys_to_redo(questionnaire, role, target) if target else []
    if not keys:
        choices = correction_choices(questionnaire, role)
        dispatcher.utter_message(
            text=messages.text("correct_which", role),
            buttons=buttons([(title, f'/correct{{"field": "{key}"}}') for title, key in choices]),
        )
        return [SlotSet("route", "listen")]
    label = next((t for t, k in correction_choices(questionnaire, role) if k == target), None)
    say(dispatcher, "correct_start", role, what=(label or target).lower())
    return [
        SlotSet("redo", keys),
        SlotSet("question_key", keys[0]),
        SlotSet("answer", None),
        SlotSet("phase", "intake"),
        SlotSet("route", "intake"),
    ]


class ActionCorrect(Action):
    def name(self) -> str:
        return "action_correct"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return start_correction(dispatcher, tracker)
