"""Item 4: resume codes are long, stored hashed, single use, and guessing is limited."""

from __future__ import annotations

import math

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import intake
from bot.db.models import ResumeCode


def _parent(conv: str) -> str:
    intake.start_conversation(conv)
    intake.record_consent(conv, "parent", "opsummering til skolekontaktperson", True)
    return conv


def test_code_strength_and_storage(db: Session) -> None:
    code = intake.create_resume_code(_parent("conv-a"))
    plain = intake.normalize_code(code)
    bits = len(plain) * math.log2(len(intake.CODE_ALPHABET))
    assert bits >= 60, bits
    stored = db.scalars(select(ResumeCode.code)).all()
    assert stored and plain not in stored and code not in stored  # only a keyed hash


def test_code_is_single_use(db: Session) -> None:
    conv = _parent("conv-b")
    code = intake.create_resume_code(conv)
    assert intake.resume(code, "other-chat-1") == conv
    assert intake.resume(code, "other-chat-2") is None


def test_guesses_limited_per_conversation(db: Session) -> None:
    conv = _parent("conv-c")
    code = intake.create_resume_code(conv)
    for i in range(5):
        assert intake.resume(f"ABCD-EFGH-JKMN{i}", "guesser") is None
    # Blocked now: even the right code does not open from this conversation...
    assert intake.resume(code, "guesser") is None
    # ...but the owner, from a fresh chat, still can.
    assert intake.resume(code, "owner-new-tab") == conv


def test_guesses_limited_per_client(db: Session) -> None:
    conv = _parent("conv-d")
    code = intake.create_resume_code(conv)
    for i in range(5):  # a new conversation for every guess does not help
        assert intake.resume(f"ABCD-EFGH-JKMN{i}", f"fresh-{i}", "client-x") is None
    assert intake.resume(code, "fresh-99", "client-x") is None
    assert intake.resume(code, "fresh-100", "client-y") == conv


def test_a_code_is_no_invitation(db: Session) -> None:
    conv = _parent("conv-e")
    code = intake.create_resume_code(conv)
    assert intake.redeem_invitation("someone", code) is None
