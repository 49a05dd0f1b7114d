"""Typed codes are recognised by their format (bot/codes.py), so the chat tries them as codes
instead of reading random letters as "pause" (nlu_ext/code_intent.py)."""

from __future__ import annotations

import pytest

from bot import intake
from bot.codes import INVITATION_CODE_LENGTH, code_in_text, looks_like_code, normalize_code


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
        "jeg har koden PYZC-GJBY-UCCYA",  # a sentence is not a code, but it names one (below)
        "PYZC-GJBY-UCC",  # too short
        "PIZC-GJBY-UCCYA",  # I is not in the alphabet (read aloud as 1)
        "",
    ],
)
def test_words_and_sentences_are_not_codes(text: str) -> None:
    assert not looks_like_code(text)


def test_a_code_named_in_a_sentence_is_found_as_typed() -> None:
    resume = intake.new_resume_code()  # "ABCD-EFGH-JKMNP"
    invitation = next(
        c
        for c in (intake.new_code(INVITATION_CODE_LENGTH) for _ in range(50))
        if any(ch.isdigit() for ch in c)
    )
    plain = resume.replace("-", "")
    for text in [
        f"min kode er {resume}",
        f"jeg har koden {resume.lower()} tak",
        f"koden: {plain}",
        f"Koden er {resume}.",
    ]:
        assert code_in_text(text) == plain, text
        assert normalize_code(text) == plain, text
    assert code_in_text(f"jeg fik {invitation.lower()} af min mor") == invitation


@pytest.mark.parametrize(
    "text",
    [
        "han vil være barnepasseren",  # 13 letters of the alphabet, lower case: a word
        "mandagen er svær",  # an 8-letter word without a digit is no invitation code
        "hun går i 7b og har det svært",
        "HEJ MED DIG",
        "jeg har en kode",
    ],
)
def test_words_in_a_sentence_are_not_taken_for_a_code(text: str) -> None:
    assert code_in_text(text) is None
