"""Where a person is in the intake: the next question, progress, corrections.

Pure functions over the questionnaire plan and the keys already answered, so the position is
always derived from what is stored: a closed tab, a restart of any process or a resume code
from another browser all land on the same next question.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.normalize import fold
from bot.parsing import NUMBER_WORDS, AnswerError, parse_grade, strip_emoji
from bot.questionnaire import Question, Questionnaire, role_key


@dataclass(frozen=True)
class Position:
    question: Question | None  # None: everything is answered
    number: int  # 1-based number of the question being asked
    total: int


def next_position(
    questionnaire: Questionnaire,
    role: str,
    area_order: Sequence[str] | None,
    answered: Collection[str],
    redo: Sequence[str] | None = None,
) -> Position:
    """The question to ask now: a pending correction first, else the first unanswered one."""
    plan = questionnaire.plan(role_key(role), list(area_order or []))
    keys = [q.key for q in plan]
    by_key = {q.key: q for q in plan}
    for key in redo or []:
        if key in by_key:
            return Position(by_key[key], keys.index(key) + 1, len(plan))
    for index, question in enumerate(plan):
        if question.key not in answered:
            return Position(question, index + 1, len(plan))
    return Position(None, len(plan), len(plan))


def progress_text(position: Position) -> str:
    return f"Spørgsmål {position.number} af ca. {position.total}"


# Words a person uses for the part they want to change, mapped to a section or question key.
# Matching is on the folded form (no æøå, lower case), on word stems.
_CORRECTION_WORDS: list[tuple[tuple[str, ...], str]] = [
    (("navn", "hedder", "kaldenavn"), "child_name"),
    (("klassetrin", "klasse", "trin", "aargang"), "grade"),
    (("skole",), "school"),
    (("telefon", "mail", "nummer", "kontakt", "ringe"), "contact"),
    (("fravaer", "fravar", "dage", "fri", "syg", "morgen"), "absence"),
    (("svaer", "svar paa det aabne", "aabne"), "open"),
    (("kammerat", "venner", "ven ", "klassekammerat", "mobb", "dril"), "kammerater"),
    (("hjem", "famil", "foraeldre", "skilsmisse", "soeskende"), "hjem"),
    (("laerer", "undervisning", "timer", "fag", "laeringsmiljoe", "klassen"), "skole"),
    (("trivsel", "soevn", "sove", "angst", "mave", "barnet", "mig selv", "humoer"), "barnet"),
    (("fritid", "klub", "sport", "fodbold", "hobby"), "fritid"),
    (("god til", "styrke", "voksne", "netvaerk", "hjulpet"), "strengths"),
    (("oensker", "oenske", "naeste", "hvordan", "hvornaar"), "wishes"),
]


def correction_target(text: str, field: str | None = None) -> str | None:
    """The part of the intake the person wants to correct, from an entity or their words."""
    if field:
        return field
    folded = f" {fold(text)} "
    for stems, target in _CORRECTION_WORDS:
        if any(stem in folded for stem in stems):
            return target
    return None


def keys_to_redo(questionnaire: Questionnaire, role: str, target: str) -> list[str]:
    """Question keys to ask again for a correction target (a section or one question)."""
    role = role_key(role)
    section_keys = {s.key for s in questionnaire.sections}
    if target in section_keys:
        return [q.key for q in questionnaire.section(target).questions if role in q.roles]
    try:
        question = questionnaire.question(target)
    except KeyError:
        return []
    return [question.key] if role in question.roles else []


def correction_choices(questionnaire: Questionnaire, role: str) -> list[tuple[str, str]]:
    """Buttons for "what do you want to correct?": (title, correction target)."""
    role = role_key(role)
    choices: list[tuple[str, str]] = []
    basics = {q.key: q for q in questionnaire.plan(role) if q.section == "basics"}
    labels = {"child_name": "Navn", "grade": "Klassetrin", "school": "Skole", "contact": "Kontakt"}
    for key, label in labels.items():
        if key in basics:
            choices.append((label, key))
    choices.append(("Fravær", "absence"))
    for key, titles in questionnaire.areas:
        choices.append((titles[role], key))
    return choices


# --- the pupil's age, asked before consent ----------------------------------------------------

# A pupil in grade g is at least g + 5 years old at the start of the school year (a child
# starts in 0. klasse the year it turns 6). The consent age follows the youngest possible age,
# so a grade never lets a pupil consent alone who may be too young.
YOUNGEST_AGE_IN_GRADE = 5
_CLASS_WORDS = re.compile(r"\b(klasse|kl|klassetrin|gaar i|trin)\b")
_AGE_NUMBER = re.compile(r"(?<!\d)(\d{1,2})(?!\d)")


def parse_pupil_age(text: str) -> int:
    """Age in years from "12", "12 år", "jeg er tolv", or a grade ("7. klasse" -> 12).

    Raises AnswerError when no age between 5 and 25 can be read."""
    raw = fold(strip_emoji(text or ""))
    err = AnswerError(
        "Skriv alderen som et tal, fx 13, eller klassen, fx 7. klasse.",
        "Skriv din alder som et tal, fx 12. Eller tryk på en knap.",
    )
    if _CLASS_WORDS.search(raw) or re.search(r"\d\s*\.\s*[a-z]?\b", raw):
        try:
            return parse_grade(raw) + YOUNGEST_AGE_IN_GRADE
        except AnswerError:
            raise err from None
    m = _AGE_NUMBER.search(raw)
    if m:
        value = int(m.group(1))
    else:
        words = [w for w in re.findall(r"[a-z]+", raw) if w in NUMBER_WORDS]
        words = [w for w in words if w not in ("en", "et")]
        if not words:
            raise err
        value = NUMBER_WORDS[words[0]]
    if not 5 <= value <= 25:
        raise err
    return value


def age_buttons(consent_age: int) -> list[tuple[str, str]]:
    """Buttons around the consent age: "11 eller yngre" ... "16 eller ældre"."""
    low, high = consent_age - 4, consent_age + 1
    pairs = [(f"{low} eller yngre", low)]
    pairs += [(str(age), age) for age in range(low + 1, high)]
    pairs.append((f"{high} eller ældre", high))
    return [(title, f'/svar{{"svar": "{age}"}}') for title, age in pairs]
