"""Danish number wording shared by answer parsing, summaries and chat messages."""

from __future__ import annotations

from babel.numbers import format_decimal

LOCALE = "da_DK"


def plural(n: int | float, singular: str, plural_form: str) -> str:
    """ "1 dag" / "3 dage" / "1,5 dage": Danish uses the singular only for exactly 1."""
    word = singular if n == 1 else plural_form
    return f"{format_decimal(n, locale=LOCALE)} {word}"
