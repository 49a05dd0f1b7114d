"""Opening of the conversation: register it without personal data; the rules then greet."""

from __future__ import annotations

import contextlib
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import StoreUnavailable, core_role, store
from bot import intake


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        # The greeting and the help still work when the store is down.
        with contextlib.suppress(StoreUnavailable):
            await store(
                dispatcher, core_role(tracker), intake.start_conversation, tracker.sender_id
            )
        return []
