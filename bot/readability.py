"""LIX readability score for Danish text.

LIX = words / sentences + 100 * long_words / words, where a long word has more than six letters.
Roughly: < 25 children's books, 25-35 easy, 35-45 average. Emoji, markup, Rasa placeholders
({name}, [text](url)), URLs and numbers are stripped first because they are not words a reader
has to decode.
"""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_MARKUP = re.compile(r"<[^>]+>|\*\*|__|`")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+")
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
# A sentence ends at . ! ? : or a line break (bot messages often use lines instead of periods).
_SENTENCE_END = re.compile(r"[.!?:]+|\n+")


def clean(text: str) -> str:
    """Remove what is not prose: placeholders, markup, links, URLs/e-mails."""
    text = _MD_LINK.sub(r"\1", text)
    text = _PLACEHOLDER.sub(" ", text)
    text = _MARKUP.sub(" ", text)
    return _URL.sub(" ", text)


def word_list(text: str) -> list[str]:
    return _WORD.findall(clean(text))


def sentence_count(text: str) -> int:
    # Count chunks between terminators that contain at least one word.
    chunks = _SENTENCE_END.split(clean(text))
    return max(1, sum(1 for c in chunks if _WORD.search(c)))


def lix(text: str) -> float:
    """LIX of `text`; 0.0 for text without words."""
    words = word_list(text)
    if not words:
        return 0.0
    long_words = sum(1 for w in words if len(w.replace("-", "").replace("'", "")) > 6)
    return len(words) / sentence_count(text) + 100.0 * long_words / len(words)
