"""Where the person goes next (resume), pause with a code, continue with a code, delete."""

from __future__ import annotations

import contextlib
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    CONSENT_SCOPE,
    CORE_TO_ROLE,
    StoreUnavailable,
    core_role,
    latest_intent,
    respondent_id,
    say,
    store,
)
from bot import intake
from bot.flow import next_position
from bot.questionnaire import load_questionnaire


def _route(route: str, phase: str | None = None, **slots: Any) -> list[dict[str, Any]]:
    events = [SlotSet("route", route)]
    if phase:
        events.append(SlotSet("phase", phase))
    events.extend(SlotSet(k, v) for k, v in slots.items())
    return events


class ActionResume(Action):
    """The router: from what is stored, decide the next step and set `route` for the rules."""

    def name(self) -> str:
        return "action_resume"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        role = core_role(tracker)
        respondent = respondent_id(tracker)
        try:
            state = await store(dispatcher, role, intake.progress, respondent)
        except StoreUnavailable:
            return _route("listen")
        if state.get("case_reference") and tracker.get_slot("phase") == "done":
            say(dispatcher, "done_already", role, reference=state["case_reference"])
            return _route("listen")
        consent = bool(state.get("consent")) or bool(tracker.get_slot("consent_given"))
        if not consent and not tracker.get_slot("phase") and latest_intent(tracker) != "greet":
            # The very first message was not a greeting (often the whole story at once):
            # the disclosure comes first, then the consent question.
            with contextlib.suppress(StoreUnavailable):
                await store(dispatcher, role, intake.start_conversation, tracker.sender_id)
            dispatcher.utter_message(response="utter_greet")
        if not consent:
            # Someone in a new browser saying "fortsæt" most likely has a code.
            if latest_intent(tracker) == "resume" and not tracker.get_slot("role"):
                return _route("code", None, code=None)
            return _route("consent", "consent")
        if not role:
            stored_role = state.get("role")
            if stored_role in CORE_TO_ROLE:
                role = stored_role
            else:
                return _route("role", "role")
        answered = await store(dispatcher, role, intake.answered_keys, respondent)
        position = next_position(
            load_questionnaire(),
            role,
            tracker.get_slot("area_order"),
            answered,
            tracker.get_slot("redo"),
        )
        extra = {"role": CORE_TO_ROLE[role], "consent_given": True}
        if position.question is None:
            return _route("review", "review", **extra)
        if answered and latest_intent(tracker) in ("resume", "greet", "delete_cancelled"):
            say(dispatcher, "welcome_back", role)
        return _route("intake", "intake", answer=None, question_key=position.question.key, **extra)


class ActionPause(Action):
    def name(self) -> str:
        return "action_pause"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        role = core_role(tracker)
        if not (tracker.get_slot("consent_given") and role):
            say(dispatcher, "paused_no_consent", role)
            return [SlotSet("phase", "paused")]
        try:
            code = await store(dispatcher, role, intake.create_resume_code, respondent_id(tracker))
        except StoreUnavailable:
            return []
        say(dispatcher, "paused", role, code=code)
        return [SlotSet("phase", "paused")]


class ActionDeleteData(Action):
    def name(self) -> str:
        return "action_delete_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        role = core_role(tracker)
        try:
            await store(
                dispatcher, role, intake.withdraw_consent, respondent_id(tracker), tracker.sender_id
            )
        except StoreUnavailable:
            return []
        say(dispatcher, "deleted", role)
        reset = (
            "role",
            "phase",
            "route",
            "answer",
            "question_key",
            "redo",
            "area_order",
            "child_name",
            "respondent",
            "reference",
            "consent_given",
            "code",
        )
        return [SlotSet(name, None) for name in reset]


class ActionAskCode(Action):
    def name(self) -> str:
        return "action_ask_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        say(dispatcher, "ask_code", core_role(tracker))
        return []


class ValidateCodeForm(FormValidationAction):
    def name(self) -> str:
        return "validate_code_form"

    def validate_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        code = str(value or "").strip()
        if not code or len(code) > 40:
            say(dispatcher, "code_unknown", core_role(tracker))
            return {"code": None}
        return {"code": code}


class ActionUseCode(Action):
    """A code is either a resume code (continue earlier answers) or a pupil invitation."""

    def name(self) -> str:
        return "action_use_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        code = tracker.get_slot("code") or ""
        role = core_role(tracker)
        events: list[dict[str, Any]] = [SlotSet("code", None)]
        try:
            # Guesses count per conversation and per client (the channel's hashed address).
            client = ((tracker.latest_message or {}).get("metadata") or {}).get("client")
            original = await store(dispatcher, role, intake.resume, code, tracker.sender_id, client)
            if original:
                state = await store(dispatcher, role, intake.progress, original)
                stored_role = state.get("role")
                answers = await store(dispatcher, stored_role, intake.get_answers, original)
                name = (answers.get("child_name") or {}).get("display")
                say(dispatcher, "code_ok_resume", stored_role)
                return events + [
                    SlotSet("respondent", original),
                    SlotSet("role", CORE_TO_ROLE.get(stored_role or "")),
                    SlotSet("consent_given", bool(state.get("consent"))),
                    SlotSet("child_name", name),
                ]
            reference = await store(
                dispatcher, role, intake.redeem_invitation, respondent_id(tracker), code
            )
            if reference:
                if tracker.get_slot("consent_given"):
                    await store(
                        dispatcher,
                        "pupil",
                        intake.record_consent,
                        respondent_id(tracker),
                        "pupil",
                        CONSENT_SCOPE,
                        True,
                    )
                say(dispatcher, "code_ok_invitation", "pupil")
                return events + [SlotSet("role", "elev")]
        except StoreUnavailable:
            return events
        say(dispatcher, "code_unknown", role)
        return events
