"""Typed codes are recognised by their format (bot/codes.py), so the chat tries them as codes
instead of reading random letters as "pause" (nlu_ext/code_intent.py)."""

from __future__ import annotations

import pytest

from bot import intake
from bot.codes import INVITATION_CODE_LENGTH, looks_like_code


def test_every_resume_code_the_bot_hands_out_is_recognised_as_typed() -> None:
    for _ in range(300):
        code = intake.new_resume_code()
        assert looks_like_code(code), code
        assert looks_like_code(code.lower().replace("-", " ")), code  # typed from paper
        assert looks_like_code(code.replace("-", "")), code


def test_invitation_codes_with_a_digit_are_recognised() -> None:
    codes = [intake.new_code(INVITATION_CODE_LENGTH) for _ in range(300)]
    with_digit = [c for c in codes if any(ch.isdigit() for ch in c)]
    assert len(with_digit) > 200
    assert all(looks_like_code(c) and looks_like_code(c.lower()) for c in with_digit)


@pytest.mark.parametrize(
    "text",
    [
        "det er mandag nu",  # 13 letters of the code alphabet, but words
        "afbryder",  # eight letters of the alphabet: a word, not an invitation code
        "mandagen",
        "pause",
        "jeg har koden PYZC-GJBY-UCCYA",  # a sentence goes to the classifier as before
        "PYZC-GJBY-UCC",  # too short
        "PIZC-GJBY-UCCYA",  # I is not in the alphabet (read aloud as 1)
        "",
    ],
)
def test_words_and_sentences_are_not_codes(text: str) -> None:
    assert not looks_like_code(text)
