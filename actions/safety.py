"""Danger signals: record and flag at once. The rule then shows the help in the same reply."""

from __future__ import annotations

import functools
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    StoreUnavailable,
    core_role,
    latest_intent,
    latest_text,
    respondent_id,
    say,
    store,
)
from bot import intake
from bot.parsing import MAX_TEXT_CHARS
from bot.questionnaire import load_questionnaire
from bot.risk import ACUTE_DANGER, detect_risk

KIND_BY_INTENT = {
    "risk_self_harm": "self_harm",
    "risk_violence": "violence",
    "risk_sexual_abuse": "sexual_abuse",
    "risk_neglect": "neglect",
    "risk_threats": "threats",
    "not_safe": ACUTE_DANGER,
}
# Where a gentle check is kept in the profile: the child's own state, not the urgent list.
CHECK_SIGNAL = ("barnet", "sadness")


class ActionSafety(Action):
    def name(self) -> str:
        return "action_safety"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        role = core_role(tracker)
        # Never store more than the free-text limit, whatever the channel let through.
        text = latest_text(tracker)[:MAX_TEXT_CHARS]
        result = detect_risk(text)
        if result.needs_check:
            # A wish to die tied to school: the rule's reply asks gently whether the person is
            # safe ("Nej" flags it then); the worker sees it in the profile, not as urgent.
            return await self._gentle_check(dispatcher, tracker, role, text)
        kinds = list(result.kinds) or [KIND_BY_INTENT.get(latest_intent(tracker), "danger")]
        if not (tracker.get_slot("consent_given") and role):
            # Before consent nothing identifying is stored: the store keeps only a count.
            try:
                for kind in kinds:
                    await store(
                        dispatcher,
                        role,
                        intake.record_signal,
                        tracker.sender_id,
                        None,
                        kind,
                        3.0,
                        "",
                        True,
                    )
            except StoreUnavailable:
                pass
            return []
        respondent = respondent_id(tracker)
        try:
            await self._save_as_answer(dispatcher, tracker, role, respondent, text)
            for kind in kinds:
                await store(
                    dispatcher, role, intake.record_signal, respondent, None, kind, 3.0, text, True
                )
        except StoreUnavailable:
            return []
        say(dispatcher, "urgent_flagged", role)
        return []

    async def _gentle_check(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, role: str, text: str
    ) -> list[dict[str, Any]]:
        if not (tracker.get_slot("consent_given") and role):
            return []  # before consent nothing is kept, and nothing here is urgent
        respondent = respondent_id(tracker)
        try:
            await self._save_as_answer(dispatcher, tracker, role, respondent, text)
            # With the question it answered, so the worker reads "question -> answer".
            key = tracker.get_slot("question_key") if tracker.active_loop else None
            record = functools.partial(intake.record_signal, question_key=key)
            await store(dispatcher, role, record, respondent, *CHECK_SIGNAL, 1.0, text, False)
        except StoreUnavailable:
            pass
        return []

    async def _save_as_answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        role: str,
        respondent: str,
        text: str,
    ) -> None:
        """A danger message written as the answer to a free-text question is also that answer."""
        if (tracker.active_loop or {}).get("name") != "intake_form":
            return
        key = tracker.get_slot("question_key")
        if not key or text.startswith("/"):
            return
        try:
            question = load_questionnaire().question(key)
        except KeyError:
            return
        if question.type == "text":
            await store(
                dispatcher, role, intake.save_answer, respondent, key, "answered", text, text, text
            )
