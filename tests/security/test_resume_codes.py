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


def test_a_resumed_chat_sees_only_its_own_answers(db: Session) -> None:
    conv = _parent("conv-f")
    intake.save_answer(conv, "child_name", "answered", "Zacharias", "Zacharias")
    intake.save_answer(conv, "grade", "answered", 4, "4. klasse")
    # The original chat sees everything it was told.
    assert set(intake.answers_for_chat(conv, conv)[0]) == {"child_name", "grade"}
    code = intake.create_resume_code(conv)
    assert intake.resume(code, "new-chat") == conv
    assert intake.answers_for_chat(conv, "new-chat") == ({}, 2)
    intake.save_answer(conv, "school", "answered", "Nordskolen", "Nordskolen")
    shown, earlier = intake.answers_for_chat(conv, "new-chat")
    assert set(shown) == {"school"} and earlier == 2
    # Typing an earlier answer again makes it this chat's answer (no probing by re-typing:
    # an identical answer shows just as a different one would).
    intake.save_answer(conv, "grade", "answered", 4, "4. klasse")
    shown, earlier = intake.answers_for_chat(conv, "new-chat")
    assert set(shown) == {"school", "grade"} and earlier == 1
    # A chat that continues without a used code on record sees nothing from before.
    other = _parent("conv-g")
    intake.save_answer(other, "child_name", "answered", "Ingeborg", "Ingeborg")
    assert intake.answers_for_chat(other, "stranger") == ({}, 1)
    assert len(intake.get_answers(conv)) == 3
