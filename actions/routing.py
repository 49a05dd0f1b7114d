"""The router (where the person goes next), the opening form, pause with a code, delete."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import NLU_FALLBACK_INTENT_NAME
from rasa_sdk.types import DomainDict

from actions.common import (
    ANSWERED_THIS_TURN,
    CORE_TO_ROLE,
    StoreUnavailable,
    core_role,
    entity,
    latest_intent,
    respondent_id,
    say,
    store,
)
from actions.consent import ask_consent, decline_consent, give_consent
from actions.greeting import ask_opening, ask_role, greet_role, role_from_message, use_code
from actions.review import confirm_case, start_correction
from bot import intake
from bot.flow import next_position, parse_pupil_age
from bot.parsing import AnswerError
from bot.questionnaire import load_questionnaire

# What a typed answer to "Hvem er du?" is classified as when it names no role by entity. An
# answer the classifier could not place ("jeg er i 6. klasse og skriver selv" sits between
# inform and choose_role) is read for a role too: at this question the words decide, and
# otherwise the question comes again with its buttons rather than "Det forstod jeg ikke".
TYPED_ROLE_INTENTS = frozenset({"inform", "greet", NLU_FALLBACK_INTENT_NAME})


def _route(route: str, phase: str | None = None, **slots: Any) -> list[dict[str, Any]]:
    events = [SlotSet("route", route)]
    if phase:
        events.append(SlotSet("phase", phase))
    events.extend(SlotSet(k, v) for k, v in slots.items())
    return events


class _Turn:
    """The slots as they will be after the events this turn has produced so far."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker
        self.events: list[dict[str, Any]] = []
        self.changed: dict[str, Any] = {}
        # The stored progress when this turn has already read it (with the consent).
        self.state: dict[str, Any] | None = None

    def add(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            self.events.append(event)
            if event.get("event") == "slot":
                self.changed[event["name"]] = event["value"]
        self.tracker.slots.update(self.changed)

    def slot(self, name: str) -> Any:
        return self.tracker.get_slot(name)


class ActionResume(Action):
    """The router: one action per turn outside the forms.

    It first reads what the person said in the context of `phase` (a role, a code, an age,
    "ja"/"nej" to consent or to sending the case), then decides the next step from what is
    stored and sets `route` for the rules (a form, the review, or listen).
    """

    def name(self) -> str:
        return "action_resume"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        turn = _Turn(tracker)
        try:
            stop = await self._read_input(dispatcher, tracker, turn)
            if stop is None:
                turn.add(await self._next_step(dispatcher, tracker, turn.state))
        except StoreUnavailable:
            turn.add(_route("listen"))
        return turn.events

    async def _read_input(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, turn: _Turn
    ) -> bool | None:
        """Act on the input; True when the turn is complete (route already set)."""
        intent = latest_intent(tracker)
        phase = tracker.get_slot("phase")
        if intent == "choose_role" and not tracker.get_slot("consent_given"):
            role_slot = role_from_message(tracker)
            if role_slot is None:
                turn.add(ask_role(dispatcher, first=False) + _route("listen"))
                return True
            turn.add(greet_role(dispatcher, role_slot, first=phase is None))
            return None
        if phase == "role" and not tracker.get_slot("role") and intent in TYPED_ROLE_INTENTS:
            # Typed instead of a button ("jeg går i 6. klasse og skriver selv"): take the role
            # when the words name one; otherwise the next step asks again with the buttons. A
            # first message is not read so: a story that opens the chat gets the hello and the
            # role question first (test_conversation).
            role_slot = role_from_message(tracker)
            if role_slot is not None:
                turn.add(greet_role(dispatcher, role_slot, first=False))
                return None
        if intent == "have_code" and not tracker.get_slot("consent_given"):
            if entity(tracker, "role") == "elev" and not tracker.get_slot("role"):
                # /elev with a code: pupil mode at once, the pupil's own greeting first.
                turn.add(greet_role(dispatcher, "elev", first=phase is None))
            turn.add(_route("opening", "code", opening=None))
            return True
        opening = tracker.get_slot("opening")
        if phase == "code" and opening:
            turn.add(await use_code(dispatcher, tracker, str(opening)))
            if tracker.get_slot("phase") == "role":
                turn.add(_route("listen"))
                return True
            return None
        if phase == "age" and opening is not None:
            turn.add([SlotSet("pupil_age", float(opening)), SlotSet("opening", None)])
            return None
        if phase == "consent" and intent in ("affirm", "deny"):
            if intent == "deny":
                turn.add(await decline_consent(dispatcher, tracker) + _route("listen"))
                return True
            events, turn.state = await give_consent(dispatcher, tracker)
            turn.add(events)
            role = core_role(tracker)
            count = len(load_questionnaire().plan(role or "parent"))
            say(dispatcher, "start_pupil" if role == "pupil" else "start_parent", role, count=count)
            return None
        if phase == "review" and intent == "affirm":
            turn.add(await confirm_case(dispatcher, tracker) + _route("listen"))
            return True
        if phase == "review" and intent == "deny":
            turn.add(start_correction(dispatcher, tracker))
            return True
        return None

    async def _next_step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, state: dict[str, Any] | None
    ) -> list[dict[str, Any]]:
        role = core_role(tracker)
        if state is None:
            state = await self._stored_progress(dispatcher, tracker, role)
        if state.get("case_reference") and tracker.get_slot("phase") == "done":
            say(dispatcher, "done_already", role, reference=state["case_reference"])
            return _route("listen")
        consent = bool(state.get("consent")) or bool(tracker.get_slot("consent_given"))
        if not consent:
            return self._before_consent(dispatcher, tracker, role, state)
        if not role:
            stored_role = state.get("role")
            if stored_role not in CORE_TO_ROLE:
                return ask_role(dispatcher, first=False) + _route("listen")
            role = stored_role
        answered = set(state.get("keys") or ())  # read with the progress above
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
        if answered and latest_intent(tracker) in ("resume", "greet"):
            say(dispatcher, "welcome_back", role)
        # The form asks this question in the same turn; it needs not read the store again.
        ANSWERED_THIS_TURN.put(tracker, answered)
        return _route("intake", "intake", answer=None, question_key=position.question.key, **extra)

    @staticmethod
    async def _stored_progress(
        dispatcher: CollectingDispatcher, tracker: Tracker, role: str | None
    ) -> dict[str, Any]:
        """What is stored for this chat; no read while the chat itself shows nothing can be.

        Nothing is stored before consent, and the consent slot outlives sessions (slots carry
        over): a chat without it that continues no other conversation (no resume code) has no
        row. The opening turns (greeting, role, age) are a class's first wave of messages.
        A yes whose slot was lost to a failed call only means consent is asked again.
        """
        if tracker.get_slot("consent_given") is None and not tracker.get_slot("respondent"):
            return intake.not_started()
        return await store(dispatcher, role, intake.progress, respondent_id(tracker))

    def _before_consent(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        role: str | None,
        state: dict[str, Any],
    ) -> list[dict[str, Any]]:
        """Role, then (pupils) the age, then the consent written for them. Nothing stored."""
        phase = tracker.get_slot("phase")
        if not role:
            # Someone in a new browser saying "fortsæt" most likely has a code.
            if latest_intent(tracker) == "resume" and phase in (None, "role"):
                return _route("opening", "code", opening=None)
            return ask_role(dispatcher, first=phase is None) + _route("listen")
        if role == "pupil" and tracker.get_slot("pupil_age") is None:
            return _route("opening", "age", opening=None)
        return ask_consent(dispatcher, tracker) + _route("listen")


class ActionPause(Action):
    def name(self) -> str:
        return "action_pause"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        role = core_role(tracker)
        if tracker.get_slot("phase") == "done":
            # "Farvel" after the case was sent: nothing left to continue.
            say(dispatcher, "goodbye_done", role)
            return []
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
            "opening",
            "pupil_age",
            "invitation",
        )
        return [SlotSet(name, None) for name in reset]


class ValidateOpeningForm(FormValidationAction):
    """A code (checked by the router) or a pupil's age (parsed here), by `phase`.

    It also asks for them when the form goes on, in the same call (there is no ask action;
    see ValidateIntakeForm)."""

    def name(self) -> str:
        return "validate_opening_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        events = await super().run(dispatcher, tracker, domain)
        if tracker.get_slot("opening") is None:  # super().run applied the validation
            ask_opening(dispatcher, tracker)
        return events

    def validate_opening(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "opening":
            # The message that opened the form (a role or "jeg har en kode") is no answer.
            return {"opening": None}
        text = str(value or "").strip()
        role = core_role(tracker)
        if tracker.get_slot("phase") == "age":
            try:
                return {"opening": parse_pupil_age(text)}
            except AnswerError as error:
                dispatcher.utter_message(text=error.message_for(role or "pupil"))
                return {"opening": None}
        if not text or len(text) > 40 or text.startswith("/"):
            say(dispatcher, "code_unknown", role)
            return {"opening": None}
        return {"opening": text}
