"""What every parser shares: the parsed answer, the error with its parent and pupil wording, and
the clean-up of what was typed or pressed (emoji, punctuation, button payloads).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from bot.normalize import fold

if TYPE_CHECKING:
    pass


Status = Literal["answered", "dont_know", "skipped", "refused"]


MAX_TEXT_CHARS = 2000


DAYS_PER_WEEK = 5  # school days


@dataclass(frozen=True)
class ParsedAnswer:
    status: Status
    value: str | int | list[str] | None
    display: str  # Danish, shown in the review before the person confirms


class AnswerError(ValueError):
    """The input could not be used; `message_for(role)` is a kind Danish request to try again."""

    def __init__(self, message: str, pupil_message: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.pupil_message = pupil_message or message

    def message_for(self, role: str) -> str:
        return self.pupil_message if role in ("pupil", "elev") else self.message


_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\U0001f1e6-\U0001f1ff]+"
)


_PUNCT = re.compile(r"[^\w\s@+.-]|(?<!\d)[.](?!\d)")


_SVAR = re.compile(r"^\s*/svar\s*(\{.*\})\s*$", re.S)


def strip_emoji(text: str) -> str:
    return _EMOJI.sub("", text).strip()


def unwrap_payload(text: str) -> str:
    """Accept a raw Rasa payload typed or passed through (`/svar{"svar":"2"}`)."""
    m = _SVAR.match(text or "")
    if m:
        try:
            data = json.loads(m.group(1))
            if isinstance(data, dict) and "svar" in data:
                return str(data["svar"])
        except json.JSONDecodeError:
            pass
    return text or ""


def clean(text: str) -> str:
    """Folded text without emoji and punctuation, single-spaced."""
    t = fold(strip_emoji(text))
    t = _PUNCT.sub(" ", t)
    return re.sub(r"\s+", " ", t).strip()


def has_phrase(text: str, phrase: str) -> int:
    """Position of `phrase` in `text` on word boundaries (phrase may be a stem), or -1."""
    m = re.search(r"(?<![a-z0-9])" + re.escape(phrase), text)
    return m.start() if m else -1
