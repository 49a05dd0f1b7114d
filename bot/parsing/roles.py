"""Who is writing, from a typed answer to "Hvem er du?": "jeg går i 6. klasse og skriver selv".

The phrases are data (`roles.yaml`) so a reviewer can extend them without Python. A role is read
only when the text names one side and not the other; anything else is asked again with buttons.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict

from bot.normalize import fold

ROLES_PATH = Path(__file__).with_name("roles.yaml")
Role = Literal["parent", "pupil"]
_WORD = re.compile(r"[a-z0-9]+")
_NUMBER = "{tal}"  # in a phrase: a number from 0 to 19 (a class or a pupil's age)


class RolePhrases(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pupil_phrases: list[str]
    parent_phrases: list[str]


def _tokens(text: str) -> list[str]:
    return _WORD.findall(fold(text))


@lru_cache(maxsize=1)
def _phrases() -> dict[Role, tuple[tuple[str, ...], ...]]:
    data = RolePhrases.model_validate(yaml.safe_load(ROLES_PATH.read_text(encoding="utf-8")))
    # Split on spaces, not the word pattern, so that the "{tal}" placeholder stays one word.
    return {
        "pupil": tuple(tuple(fold(p).split()) for p in data.pupil_phrases),
        "parent": tuple(tuple(fold(p).split()) for p in data.parent_phrases),
    }


def _word_fits(token: str, word: str) -> bool:
    if word == _NUMBER:
        digits = re.match(r"\d+", token)
        return digits is not None and int(digits.group()) <= 19
    return token == word


def _has_phrase(tokens: list[str], phrases: tuple[tuple[str, ...], ...]) -> bool:
    for start in range(len(tokens)):
        for phrase in phrases:
            window = tokens[start : start + len(phrase)]
            if len(window) == len(phrase) and all(map(_word_fits, window, phrase)):
                return True
    return False


def role_in_text(text: str) -> Role | None:
    """The role the text names ("parent" or "pupil") when it names one side only, else None."""
    tokens = _tokens(text)
    found = [role for role, phrases in _phrases().items() if _has_phrase(tokens, phrases)]
    return found[0] if len(found) == 1 else None
