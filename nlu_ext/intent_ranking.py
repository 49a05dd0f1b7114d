"""Components that overrule the intent classifier (nlu_ext's overrides): their common parts."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


def put_first(message: Message, intent: dict[str, Any]) -> None:
    """Make `intent` the message's intent and the top of its ranking (its old entry removed)."""
    ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") != intent["name"]]
    message.set("intent", intent, add_to_output=True)
    message.set("intent_ranking", [intent, *ranking], add_to_output=True)


class IntentOverride(GraphComponent):
    """A stateless component that reads each parsed message and may change its intent; nothing
    to train or store. Subclasses implement `process` (and register with the recipe)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentOverride:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
