"""The codes people type: resume codes (continue earlier answers) and invitation codes (a pupil
joins a case).

Kept free of database imports so that the Rasa engine can recognise a typed code
(nlu_ext/code_intent.py): a code is a string of random letters, and the intent classifier read
one in a few hundred as "pause" or "out_of_scope", which took the person out of the code question.
"""

from __future__ import annotations

import re

# No 0/O, 1/I/L: codes are read aloud and typed from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# A resume code opens a child's answers: 13 characters of 31 are 64 bits, and every guess counts
# against the conversation and the client (bot/throttle.py). Shown in groups to copy it right.
RESUME_CODE_LENGTH = 13
INVITATION_CODE_LENGTH = 8  # longer than a word people type alone, shorter than a resume code

_CODE_STRIP = re.compile(r"[\s\-_.]+")
_C = f"[{CODE_ALPHABET}]"
_SEP = r"[\s\-_.]*"
# The whole message, any case, in the groups the code is shown in or without them. Separators
# only between the groups, so "det er mandag nu" (13 letters of the alphabet) is no code.
_RESUME = re.compile(rf"\s*{_C}{{4}}{_SEP}{_C}{{4}}{_SEP}{_C}{{5}}\s*", re.IGNORECASE)
_INVITATION = re.compile(rf"\s*{_C}{{4}}{_SEP}{_C}{{4}}\s*", re.IGNORECASE)


# A code inside a short sentence ("min kode er PYZC-GJBY-UCCYA"): whole tokens, groups joined by
# "-" or "." or nothing, never by spaces (in a sentence those join words).
_IN_TEXT = re.compile(
    rf"(?<![\w-]){_C}{{4}}[-.]?{_C}{{4}}(?:[-.]?{_C}{{5}})?(?![\w-])", re.IGNORECASE
)


def code_in_text(text: str) -> str | None:
    """The code in a message, canonical, if the message is one or names one.

    Inside a sentence a candidate counts only if it cannot be a word: it has a digit, a group
    separator or is written in capitals, and a resume code's 13 characters or an invitation
    code's 8 (with a digit, as in `looks_like_code`)."""
    text = text or ""
    if looks_like_code(text):
        return _CODE_STRIP.sub("", text).upper()
    for match in _IN_TEXT.finditer(text):
        candidate = match.group()
        plain = _CODE_STRIP.sub("", candidate)
        has_digit = any(ch.isdigit() for ch in plain)
        if len(plain) == INVITATION_CODE_LENGTH and not has_digit:
            continue
        if has_digit or plain != candidate or candidate.isupper():
            return plain.upper()
    return None


def normalize_code(code: str) -> str:
    """The code a person typed, canonical: found in a short sentence ("koden er ...") if it is
    there, else the text without spaces and dashes (which then matches no code)."""
    return code_in_text(code) or _CODE_STRIP.sub("", code or "").upper()


def looks_like_code(text: str) -> bool:
    """Is the whole message a typed code? A resume code always; an invitation code only with a
    digit in it, so that an eight-letter word ("afbryder", "mandagen") is not taken for one."""
    text = text or ""
    if _RESUME.fullmatch(text):
        return True
    return bool(_INVITATION.fullmatch(text)) and any(ch.isdigit() for ch in text)
