"""The child's (or pupil's own) first name from what was typed: "Han hedder Mads" -> Mads.

The word lists are data (`names.yaml`) so a reviewer can extend them without Python. Only the
first name is kept: the question asks for nothing more, and the name is shown in every question
after it ("Hvilken klasse går Mads i?") and to the worker.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from bot.normalize import fold
from bot.parsing.common import AnswerError, ParsedAnswer, strip_emoji

NAMES_PATH = Path(__file__).with_name("names.yaml")
MAX_NAME_CHARS = 40
# A word that can be a name: letters, with inner hyphens and apostrophes ("Anne-Sofie").
_NAME_WORD = r"[^\W\d_]+(?:[-'’][^\W\d_]+)*"
_NAME = re.compile(_NAME_WORD)
# The tokens of an answer: such words, numbers, and any other sign on its own.
_TOKEN = re.compile(_NAME_WORD + r"|\d+|[^\w\s]")
_SEPARATORS = frozenset(":,-–—=")


class NameWords(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    greetings: list[str]
    naming_phrases: list[str]
    not_names: list[str]


@lru_cache(maxsize=1)
def _words() -> tuple[frozenset[str], tuple[tuple[str, ...], ...], frozenset[str]]:
    data = NameWords.model_validate(yaml.safe_load(NAMES_PATH.read_text(encoding="utf-8")))
    phrases = sorted(
        {tuple(fold(w) for w in p.split()) for p in data.naming_phrases}, key=len, reverse=True
    )
    return (
        frozenset(fold(w) for w in data.greetings),
        tuple(phrases),
        frozenset(fold(w) for w in data.not_names),
    )


def _after_phrase(folded: list[str], phrases: tuple[tuple[str, ...], ...]) -> int | None:
    """Index of the first token after the first naming phrase, or None."""
    for start in range(len(folded)):
        for phrase in phrases:
            if tuple(folded[start : start + len(phrase)]) == phrase:
                end = start + len(phrase)
                while end < len(folded) and folded[end] in _SEPARATORS:
                    end += 1
                return end
    return None


def _display(name: str) -> str:
    """ "mads" and "MADS" become "Mads"; a name typed with its own capitals stays as typed."""
    if name.islower() or name.isupper():
        return re.sub(r"[^\W\d_]+", lambda m: m.group(0).capitalize(), name.lower())
    return name


def _valid(tokens: list[str], folded: list[str], at: int | None, not_names: frozenset[str]) -> bool:
    return (
        at is not None
        and at < len(tokens)
        and _NAME.fullmatch(tokens[at]) is not None
        and folded[at] not in not_names
        and len(tokens[at]) <= MAX_NAME_CHARS
    )


def parse_name(text: str) -> ParsedAnswer:
    greetings, phrases, not_names = _words()
    tokens = _TOKEN.findall(strip_emoji(text))
    folded = [fold(t) for t in tokens]
    first = 0  # the first word after greetings and signs: "Hej! Mads"
    while first < len(tokens) and (folded[first] in greetings or not tokens[first][0].isalnum()):
        first += 1
    # The word after a naming phrase ("han hedder Mads"), else the first word ("Mads hedder han").
    for at in (_after_phrase(folded, phrases), first):
        if _valid(tokens, folded, at, not_names):
            name = _display(tokens[at])  # type: ignore[index]
            return ParsedAnswer("answered", name, name)
    raise AnswerError(
        "Skriv bare dit barns fornavn, fx «Emma». Vil du ikke skrive det, "
        "så tryk «Vil ikke svare».",
        "Skriv bare dit fornavn, fx «Emma». Du kan også trykke «Vil ikke svare».",
    )
