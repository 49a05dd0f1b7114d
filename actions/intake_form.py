"""The intake form: ask the current question, validate and save each answer as it is given.

The form has one slot, `answer`. The question being asked is in `question_key`; the position is
derived from the answers in the store (bot.flow), so every answer is saved before the next
question is asked and nothing is lost when a tab closes or a process restarts. One answer is
one action call (validation saves it and asks the next question) and one transaction
(bot.form_turn).
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    ANSWERED_THIS_TURN,
    StoreUnavailable,
    buttons,
    core_role,
    latest_intent,
    respondent_id,
    say,
    store,
)
from bot import form_turn, intake
from bot.flow import Position, next_position, progress_text
from bot.questionnaire import Question, load_questionnaire, role_key, svar_payload
from bot.text_areas import reflect

# Intents that are not answers to a closed question; free-text questions accept them as text.
OFF_TOPIC = {"out_of_scope", "insult", "thanks"}


def _current(tracker: Tracker, answered: Any, role: str) -> Position:
    """The question being asked: derived from the store, never from the tracker alone."""
    return next_position(
        load_questionnaire(),
        role,
        tracker.get_slot("area_order"),
        answered,
        tracker.get_slot("redo") or [],
    )


def _section_intro(question: Question, role: str, name: str | None) -> str | None:
    section = load_questionnaire().section(question.section)
    first = next((q for q in section.questions if role_key(role) in q.roles), None)
    if first is None or first.key != question.key:
        return None
    return section.intro_for(role, name)


async def ask_question(
    dispatcher: CollectingDispatcher, tracker: Tracker, answered: set[str] | None = None
) -> list[dict[str, Any]]:
    """Ask the question the person is at (with progress); `answered` saves a store read."""
    role = core_role(tracker) or "parent"
    if answered is None:
        answered = ANSWERED_THIS_TURN.take(tracker)
    if answered is None:
        try:
            answered = await store(dispatcher, role, intake.answered_keys, respondent_id(tracker))
        except StoreUnavailable:
            return []
    position = _current(tracker, answered, role)
    question = position.question
    if question is None:
        return [SlotSet("question_key", None)]
    intro = _section_intro(question, role, tracker.get_slot("child_name"))
    text = question.text_for(role, tracker.get_slot("child_name"))
    header = progress_text(position)
    pairs = list(question.buttons_for(role))
    # After two misunderstood tries, always offer a way on.
    if (tracker.get_slot("fail_count") or 0) >= 2:
        titles = {t for t, _ in pairs}
        if "Ved ikke" not in titles:
            pairs.append(("Ved ikke", svar_payload("ved ikke")))
        if question.optional and "Spring over" not in titles:
            pairs.append(("Spring over", svar_payload("spring over")))
    body = f"{header}\n{intro}\n{text}" if intro else f"{header}\n{text}"
    dispatcher.utter_message(text=body, buttons=buttons(pairs))
    dispatcher.utter_message(
        json_message={
            "progress": {
                "current": position.number,
                "total": position.total,
                "question": question.key,
                "type": question.type,
            }
        }
    )
    if tracker.get_slot("question_key") == question.key:
        return []
    return [SlotSet("question_key", question.key)]


@dataclass
class _Call:
    """What this call's validation learnt: the answered questions after saving (so asking the
    next question needs no second read), or that the store is down (the person was told)."""

    answered: set[str] | None = None
    store_down: bool = False


# One per request: rasa_sdk runs each request in its own task, which copies the context.
_CALL: ContextVar[_Call | None] = ContextVar("intake_call", default=None)


class ValidateIntakeForm(FormValidationAction):
    """Validate and save the answer, then ask the next question: one action call per turn.

    The domain has no `action_ask_answer`/`utter_ask_answer`, so Rasa's form asks nothing
    itself (rasa/core/actions/forms.py `_ask_for_slot`: "the user might have asked as part of
    a custom action"); this action asks whenever the form goes on (the answer slot is empty).
    Before, each form turn made two calls: this validation, then a separate ask action.
    """

    def name(self) -> str:
        return "validate_intake_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        call = _Call()
        _CALL.set(call)
        events = await super().run(dispatcher, tracker, domain)
        # super().run applied the validation's slots to tracker.slots.
        if tracker.get_slot("answer") is None and not call.store_down:
            events.extend(await ask_question(dispatcher, tracker, call.answered))
        return events

    async def validate_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            # Slots reset by other actions (answer=None) are "validated" too; nothing to do.
            return {}
        text = str(value)
        if text.startswith("/") and not text.startswith("/svar"):
            # An old button from earlier in the chat: not an answer to this question.
            return {"answer": None}
        role = core_role(tracker) or "parent"
        call = _CALL.get() or _Call()
        try:
            turn = await store(
                dispatcher,
                role,
                functools.partial(
                    form_turn.answer,
                    area_order=tracker.get_slot("area_order"),
                    redo=tracker.get_slot("redo") or [],
                    off_topic=latest_intent(tracker) in OFF_TOPIC,
                ),
                respondent_id(tracker),
                role,
                text,
            )
        except StoreUnavailable:
            # Keep the question open; what was stored before stays stored.
            call.store_down = True
            return {"answer": None}
        call.answered = turn.answered  # asking next needs no second read
        fails = int(tracker.get_slot("fail_count") or 0)
        if turn.question is None:
            return {"answer": "done", "question_key": None}
        if turn.off_topic:
            say(dispatcher, "off_topic_in_question", role)
            return {"answer": None, "fail_count": fails + 1}
        if turn.error is not None:
            dispatcher.utter_message(text=turn.error.message_for(role))
            return {"answer": None, "fail_count": fails + 1}

        slots: dict[str, Any] = {"fail_count": 0, "redo": turn.redo}
        parsed = turn.parsed
        if turn.question.key == "child_name" and parsed is not None and parsed.status == "answered":
            slots["child_name"] = parsed.display
        if turn.hits is not None:
            # The reflection shows the person they were heard; the areas order what follows.
            dispatcher.utter_message(text=reflect(turn.hits, role))
            slots["area_order"] = [hit.area for hit in turn.hits]
        nxt = turn.next.question if turn.next is not None else None
        if nxt is None:
            slots.update(answer="done", question_key=None)
        else:
            slots.update(answer=None, question_key=nxt.key)
        # Only slots that change become events: the tracker (sent to this server with every
        # action call) grows by what is returned here, on each of ~40 questions.
        return {
            name: v for name, v in slots.items() if name == "answer" or tracker.get_slot(name) != v
        }
