""" "ved ikke", "spring over" and "det vil jeg ikke svare på", understood in short messages only (a
long free-text answer that contains "ved ikke" stays an answer).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

from bot.parsing.common import Status, clean

_META_MAX_WORDS = 8


_REFUSED = re.compile(
    r"vil (helst )?ikke (svare|sige|fortaelle|skrive)|(det|dette) vil jeg (helst )?ikke"
    r"|har ikke lyst til at (svare|sige|skrive)|ingen kommentar|det rager ikke|vil ik svare"
    r"|^vil ikke$|^nej det vil jeg ikke$|^privat$|det er privat"
)


_DONT_KNOW = re.compile(
    r"\bved (det |jeg )?(ikke|ik|ikk|ike|ej)\b|\bved ikke\b|\bved ik\b|\bvet ikke\b|\bvedikke\b"
    r"|\baner (det |jeg )?(ikke|ik)\b|\bingen anelse\b|\bikke sikker\b|^idk$|^aner ikke$"
    r"|\bkan ikke huske\b|\bhusker (det )?ikke\b|^vi ved det ikke$|^hmm+$|^tja$"
)


_SKIP = re.compile(r"^(/spring_over|spring (det )?over|spring|skip|skipper|naeste|videre|pas)$")


_NO_THANKS = re.compile(r"^(nej tak|nej|ingen|helst ikke|nej det behoeves ikke)$")


def classify_meta(text: str, *, optional: bool = False) -> Status | None:
    """Recognise "ved ikke", "spring over" and refusals in a short message; None otherwise."""
    raw = (text or "").strip()
    if raw.startswith("/spring_over"):
        return "skipped"
    t = clean(raw)
    if not t or len(t.split()) > _META_MAX_WORDS:
        return None
    if _SKIP.match(t) or t.startswith("spring over"):
        return "skipped"
    if _REFUSED.search(t):
        return "refused"
    if _DONT_KNOW.search(t):
        return "dont_know"
    if optional and _NO_THANKS.match(t):
        return "skipped"
    return None


META_DISPLAY: dict[Status, str] = {
    "dont_know": "Ved ikke",
    "skipped": "Sprunget over",
    "refused": "Vil ikke svare",
    "answered": "",
}
