"""Rasa NLU component: the danger detector (bot.risk: lexicon + trained model) can overrule the
classifier.

Runs last in the pipeline. When the detector finds a danger signal and DIET chose something else (an
answer, a FAQ, nlu_fallback), the intent becomes `risk_<kind>` so the safety rules fire in the same
turn; DIET's `not_safe` stays, as the acute help outranks the harm's kind. A check phrase alone
("han siger han vil dø hvis han skal i skole") becomes `risk_self_harm` too, so the same rule asks
"are you safe?"; the safety action sees from the detector that it is a check and does not flag the
case urgent. DIET's own risk intents stand as they are: either layer can raise the alarm, so neither
alone decides a miss. Runs inside the Rasa engine's environment, so bot.risk may use only what that
environment has: the standard library, PyYAML and scikit-learn/numpy (which Rasa itself depends on).
The detector's model trains here with the same code as in the action server
(bot.understanding.danger_model).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.training_data.message import Message

from bot.risk import ACUTE_DANGER, detect_risk, warm_up
from nlu_ext.intent_ranking import IntentOverride, put_first

RISK_PREFIX = "risk_"
# Not safe right now, no harm named: the chat's own intent for it, whose rule shows the help.
INTENT_BY_KIND = {ACUTE_DANGER: "not_safe"}
ACUTE_INTENT = INTENT_BY_KIND[ACUTE_DANGER]
CHECK_KIND = "self_harm"  # the rule whose reply asks "are you safe?"
# DIET's risk intents count on their own only when confident. Below this, and with the lexicon
# silent, the message is more likely an idiom ("matematik slår mig ihjel") and falls back to the
# next intent. The detector carries recall; this layer adds phrasings it does not know.
DIET_RISK_MIN_CONFIDENCE = 0.9
# Commands such as "pause", "fortsæt" or "hej" are short. A long message that DIET only weakly
# reads as a command is an answer ("han stopper op ved porten og kan ikke gå ind" is no pause),
# so it becomes `inform` and the form keeps it instead of interrupting. Weakly means below 0.5:
# at 0.9 a pause with its reason ("skal hente min lillebror nu, fortsætter i aften") and a "nej"
# with one were answers too. Same folds (3, seed 2): 0.9 / 0.7 / 0.6 / 0.5 lost 146 / 95 / 76 /
# 51 commands as answers and read 3 / 4 / 10 / 14 long answers as commands; accuracy 0.893 /
# 0.900 / 0.903 / 0.906 (reports/nlu_cross_validation.md). `command_min_confidence` in the
# pipeline's config overrides it (for such comparisons).
SHORT_COMMAND_INTENTS = {"greet", "pause", "resume", "thanks", "affirm", "deny"}
COMMAND_MAX_WORDS = 6
COMMAND_MIN_CONFIDENCE = 0.5


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RiskIntentOverride(IntentOverride):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RiskIntentOverride:
        warm_up()  # already trained (or under way) since bot.risk was imported
        return cls(float(config.get("command_min_confidence", COMMAND_MIN_CONFIDENCE)))

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"command_min_confidence": COMMAND_MIN_CONFIDENCE}

    def __init__(self, command_min_confidence: float = COMMAND_MIN_CONFIDENCE) -> None:
        self.command_min_confidence = command_min_confidence

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get("text") or ""
            if not text or text.startswith("/"):
                continue  # button payloads are not things people wrote
            intent = message.get("intent") or {}
            result = detect_risk(text)
            diet_says_risk = str(intent.get("name", "")).startswith(RISK_PREFIX)
            if diet_says_risk:
                if (
                    not result.is_risk
                    and not result.needs_check
                    and float(intent.get("confidence", 0)) < DIET_RISK_MIN_CONFIDENCE
                ):
                    self._demote(message)
                continue
            if not result.is_risk and not result.needs_check:
                self._unsure_not_safe_is_not_safe(message)
                self._long_commands_are_answers(message, text)
                continue
            if result.is_risk and intent.get("name") == ACUTE_INTENT:
                # Not safe right now outranks the harm's kind ("far er fuld igen i aften" is
                # neglect to the detector): the reply is the acute help, and the safety action
                # still records the kinds the detector found.
                continue
            kind = result.kinds[0] if result.is_risk else CHECK_KIND
            name = INTENT_BY_KIND.get(kind, RISK_PREFIX + kind)
            if intent.get("name") == name:
                continue
            put_first(message, {"name": name, "confidence": 1.0})
        return messages

    def _long_commands_are_answers(self, message: Message, text: str) -> None:
        intent = message.get("intent") or {}
        confidence = float(intent.get("confidence", 0))
        if (
            intent.get("name") in SHORT_COMMAND_INTENTS
            and len(text.split()) > COMMAND_MAX_WORDS
            and confidence < self.command_min_confidence
        ):
            put_first(message, {"name": "inform", "confidence": confidence})

    @staticmethod
    def _unsure_not_safe_is_not_safe(message: Message) -> None:
        # A message the FallbackClassifier could not decide ("Det forstod jeg ikke") whose
        # leading reading is `not_safe` gets the not-safe help instead: a child who hides writes
        # little and in few words ("SOS", "kan i hente mig", "jeg er ikke safe"). Held-out chat
        # examples (3 folds, 3 splits): 41 of 1,143 `not_safe` examples fell back this way,
        # against 25 of 15,504 others (0.16 %: "is my data safe", "kan jeg gemme det og komme
        # tilbage"). DIET's risk kinds below their confidence are idioms more often
        # (DIET_RISK_MIN_CONFIDENCE), so only `not_safe` counts here.
        if (message.get("intent") or {}).get("name") != DEFAULT_NLU_FALLBACK_INTENT_NAME:
            return
        ranking = message.get("intent_ranking") or []
        readings = [r for r in ranking if r.get("name") != DEFAULT_NLU_FALLBACK_INTENT_NAME]
        if readings and readings[0].get("name") == ACUTE_INTENT:
            put_first(message, readings[0])

    @staticmethod
    def _demote(message: Message) -> None:
        ranking = message.get("intent_ranking") or []
        rest = [r for r in ranking if not str(r.get("name", "")).startswith(RISK_PREFIX)]
        if rest:
            message.set("intent", rest[0], add_to_output=True)
            message.set("intent_ranking", rest, add_to_output=True)
