"""Rasa NLU component: a message that is a typed code is an answer (`inform`).

A resume or invitation code is random letters, and the intent classifier has nothing to go on:
with the model of 2026-12-06, 300 random resume codes came out as nlu_fallback 275, inform 20,
out_of_scope 3, thanks 1 and affirm 1, and "PYZC-GJBY-UCCYA" as `pause`, which answered
"Jeg har ikke gemt noget endnu" instead of trying the code (a CI run of the resume-code test).
As `inform`, the code question's form takes the text (domain.yml, slot `opening`) and the
router tries it. The format is bot/codes.py's; runs after the FallbackClassifier, before the
danger override.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from bot.codes import looks_like_code
from nlu_ext.intent_ranking import IntentOverride, put_first

CODE_INTENT = "inform"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class TypedCodeIntent(IntentOverride):
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get("text") or ""
            if text.startswith("/") or not looks_like_code(text):
                continue
            put_first(message, {"name": CODE_INTENT, "confidence": 1.0})
        return messages
