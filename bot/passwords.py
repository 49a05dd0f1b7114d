"""Password policy for worker accounts: a long minimum and no common passwords."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel

from bot.config import get_settings

_LIST = Path(__file__).with_name("common_passwords.yaml")
_TRAILING = re.compile(r"[\d\W_]+$")


class CommonPasswords(BaseModel):
    passwords: list[str]


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    data = CommonPasswords.model_validate(yaml.safe_load(_LIST.read_text(encoding="utf-8")))
    return frozenset(p.lower() for p in data.passwords)


def password_problem(password: str, username: str = "") -> str | None:
    """Why this password is refused, in Danish; None when it is acceptable."""
    minimum = get_settings().password_min_length
    if len(password) < minimum:
        return f"Adgangskoden skal være mindst {minimum} tegn."
    lowered = password.lower()
    stem = _TRAILING.sub("", lowered)
    common = common_passwords()
    if lowered in common or stem in common or len(set(lowered)) < 4:
        return "Adgangskoden er for almindelig. Vælg en sætning eller flere ord, du kan huske."
    if username and username.lower() in lowered:
        return "Adgangskoden må ikke indeholde brugernavnet."
    return None
