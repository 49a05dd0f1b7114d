"""One answer in the intake form (bot.form_turn), on a real database: saved, signals kept,
the next question chosen, and nothing stored when the answer cannot be used."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import form_turn, intake
from bot.db import Signal
from bot.seed import seed_demo


def _parent(conv: str = "c-form") -> str:
    intake.start_conversation(conv)
    intake.record_consent(conv, "parent", "opsummering til skolekontaktperson", True)
    return conv


def _turn(conv: str, text: str, **kwargs: object) -> form_turn.FormTurn:
    opts = {"area_order": None, "redo": [], **kwargs}
    return form_turn.answer(conv, "parent", text, **opts)  # type: ignore[arg-type]


def test_an_answer_is_saved_and_the_next_question_follows(db: Session) -> None:
    conv = _parent()
    turn = _turn(conv, "Emma")
    assert turn.question is not None and turn.question.key == "child_name"
    assert turn.parsed is not None and turn.parsed.display == "Emma"
    assert intake.get_answers(conv)["child_name"]["display"] == "Emma"
    assert turn.next is not None and turn.next.question is not None
    assert turn.next.question.key == "grade"
    assert "child_name" in turn.answered


def test_the_name_in_a_sentence_is_what_the_next_question_uses(db: Session) -> None:
    conv = _parent("c-name")
    turn = _turn(conv, "han hedder mads og går i 5. klasse")
    assert intake.get_answers(conv)["child_name"]["display"] == "Mads"
    assert turn.next is not None and turn.next.question is not None
    assert turn.parsed is not None and turn.parsed.display == "Mads"  # the slot the form sets
    asked = turn.next.question.text_for("parent", turn.parsed.display)
    assert asked == "Hvilken klasse går Mads i?"


def test_an_answer_that_cannot_be_used_saves_nothing_and_keeps_the_question(db: Session) -> None:
    conv = _parent()
    _turn(conv, "Emma")
    turn = _turn(conv, "42. klasse")
    assert turn.question is not None and turn.question.key == "grade"
    assert turn.error is not None and turn.error.message_for("parent")
    assert "grade" not in intake.get_answers(conv)
    # The same question is still open.
    assert _turn(conv, "4. klasse").question.key == "grade"  # type: ignore[union-attr]


def test_off_topic_is_refused_by_a_closed_question_but_taken_by_free_text(db: Session) -> None:
    conv = _parent()
    _turn(conv, "Emma")
    refused = _turn(conv, "haha", off_topic=True)
    assert refused.off_topic and "grade" not in intake.get_answers(conv)
    intake.save_answer(conv, "grade", "answered", 4, "4. klasse")
    seed_demo()
    for text in ("Nordskolen", "22 33 44 55", "Ved ikke", "ved ikke", "ved ikke", "ved ikke"):
        _turn(conv, text)
    taken = _turn(conv, "tak skal du have", off_topic=True)
    assert taken.question is not None and taken.question.type == "text"
    assert not taken.off_topic and taken.parsed is not None


def test_free_text_signals_and_area_order_come_with_the_answer(db: Session) -> None:
    conv = _parent()
    seed_demo()
    keys = ["child_name", "grade", "school", "contact", "since_when", "days_last_month"]
    values = ["Emma", "4. klasse", "Nordskolen", "22 33 44 55", "Ved ikke", "3"]
    for key, text in zip(keys, values, strict=True):
        assert _turn(conv, text).question.key == key  # type: ignore[union-attr]
    while True:
        nxt = _turn(conv, "ved ikke")
        if nxt.next is None or nxt.next.question is None:
            break
        if nxt.next.question.key == "what_makes_school_hard":
            break
    turn = _turn(conv, "Hun bliver drillet i frikvarteret og har ondt i maven om morgenen")
    assert turn.question is not None and turn.question.key == "what_makes_school_hard"
    assert turn.hits and turn.hits[0].area == "kammerater"
    signals = db.scalars(select(Signal)).all()
    assert signals and all(s.question_key == "what_makes_school_hard" for s in signals)
    assert any(s.area == "kammerater" for s in signals)
    # The areas the person named come first in what is asked after the open questions.
    order = [hit.area for hit in turn.hits]
    while turn.next is not None and turn.next.question is not None:
        if turn.next.question.section != "open":
            break
        turn = _turn(conv, "ved ikke", area_order=order)
    assert turn.next is not None and turn.next.question is not None
    assert turn.next.question.section == "kammerater"
