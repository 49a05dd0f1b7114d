"""Texts people read are easy: pupils LIX <= 25, parents LIX <= 35.

Texts under 5 words are skipped: LIX is meaningless there (one long word gives 100).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.questionnaire import load_questionnaire
from bot.readability import lix, word_list

ROOT = Path(__file__).resolve().parents[2]
PUPIL_MAX, PARENT_MAX, MIN_WORDS = 25.0, 35.0, 5


def test_lix_formula() -> None:
    # 6 words, 1 sentence, 2 long words ("skolekontaktperson", "kommunen") -> 6 + 33.3
    assert lix("Skolekontaktperson fra kommunen ringer til dig.") == pytest.approx(6 + 100 * 2 / 6)
    # Placeholder, emoji and URL are not words: "Hej" / "Se her" = 3 words, 2 sentences.
    assert lix("Hej {name}! 😀 Se [her](https://x.dk).") == pytest.approx(3 / 2)
    assert lix("") == 0.0


def test_questionnaire_texts_are_easy_to_read() -> None:
    too_hard = []
    for q in load_questionnaire().all_questions():
        for role in q.roles:
            text = q.pupil if role == "pupil" else q.parent
            limit = PUPIL_MAX if role == "pupil" else PARENT_MAX
            if text and len(word_list(text)) >= MIN_WORDS and lix(text) > limit:
                too_hard.append(f"{q.key} [{role}] LIX {lix(text):.0f}: {text}")
            for opt in q.options_for(role):
                label = opt.label(role)
                if len(word_list(label)) >= MIN_WORDS and lix(label) > limit:
                    too_hard.append(f"{q.key} option [{role}] LIX {lix(label):.0f}: {label}")
    for section in load_questionnaire().sections:
        for role, text in section.intro.items():
            limit = PUPIL_MAX if role == "pupil" else PARENT_MAX
            if len(word_list(text)) >= MIN_WORDS and lix(text) > limit:
                too_hard.append(f"{section.key} intro [{role}] LIX {lix(text):.0f}: {text}")
    assert too_hard == []


def _is_pupil_variant(variant: dict) -> bool:
    for cond in variant.get("condition") or []:
        if (
            cond.get("type") == "slot"
            and cond.get("name") == "role"
            and cond.get("value") == "elev"
        ):
            return True
    return False


def test_bot_responses_are_easy_to_read() -> None:
    domain = ROOT / "domain.yml"
    if not domain.exists():
        pytest.skip("domain.yml not written yet")
    responses = (yaml.safe_load(domain.read_text(encoding="utf-8")) or {}).get("responses") or {}
    too_hard = []
    for name, variants in responses.items():
        for v in variants or []:
            text = v.get("text") or ""
            limit = PUPIL_MAX if _is_pupil_variant(v) else PARENT_MAX
            if len(word_list(text)) >= MIN_WORDS and lix(text) > limit:
                too_hard.append(f"{name} LIX {lix(text):.0f}: {text[:80]}")
    assert too_hard == []


def test_action_messages_are_easy_to_read() -> None:
    from bot.messages import all_texts

    too_hard = []
    for key, variant, text in all_texts():
        limit = PUPIL_MAX if variant == "pupil" else PARENT_MAX
        if len(word_list(text)) >= MIN_WORDS and lix(text) > limit:
            too_hard.append(f"{key} [{variant}] LIX {lix(text):.0f}: {text[:80]}")
    assert too_hard == []


def test_every_response_has_a_pupil_variant_that_differs() -> None:
    responses = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    same = []
    for name, variants in responses.items():
        pupil = [v for v in variants if _is_pupil_variant(v)]
        parent = [v for v in variants if not _is_pupil_variant(v)]
        if name == "utter_ask_role":
            continue  # asked before the role is known: one neutral wording
        if not pupil or not parent or pupil[0].get("text") == parent[0].get("text"):
            same.append(name)
    assert same == []
