"""Rasa NLU component: a message that is a typed code is an answer (`inform`).

A resume or invitation code is random letters, and the intent classifier has nothing to go on:
with the model of 2026-12-06, 300 random resume codes came out as nlu_fallback 275, inform 20,
out_of_scope 3, thanks 1 and affirm 1, and "PYZC-GJBY-UCCYA" as `pause`, which answered
"Jeg har ikke gemt noget endnu" instead of trying the code (a CI run of the resume-code test).
As `inform`, the code question's form takes the text (domain.yml, slot `opening`) and the
router tries it. A short sentence that names a code ("min kode er PYZC-GJBY-UCCYA") is the same
answer: the access functions find the code in it (bot.codes.code_in_text). The format is
bot/codes.py's; runs after the FallbackClassifier, before the danger override.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from bot.codes import code_in_text
from nlu_ext.intent_ranking import IntentOverride, put_first

CODE_INTENT = "inform"
# Longer messages that happen to hold a code are left to the classifier: they say more.
MAX_WORDS_WITH_CODE = 8


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class TypedCodeIntent(IntentOverride):
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get("text") or ""
            if text.startswith("/") or len(text.split()) > MAX_WORDS_WITH_CODE:
                continue
            if code_in_text(text) is None:
                continue
            put_first(message, {"name": CODE_INTENT, "confidence": 1.0})
        return messages
