"""Setting the intent a later pipeline component decided on (nlu_ext's overrides)."""

from __future__ import annotations

from typing import Any

from rasa.shared.nlu.training_data.message import Message


def put_first(message: Message, intent: dict[str, Any]) -> None:
    """Make `intent` the message's intent and the top of its ranking (its old entry removed)."""
    ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") != intent["name"]]
    message.set("intent", intent, add_to_output=True)
    message.set("intent_ranking", [intent, *ranking], add_to_output=True)
