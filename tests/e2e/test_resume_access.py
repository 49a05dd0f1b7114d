"""Issue 13, item 4: a resume code gives access only to continue, never to what was told before.

A stolen or overheard code must not show a child's earlier answers in another chat. The person
who continues can still finish, correct by answering again, send and delete."""

from __future__ import annotations

from intake_driver import DEFAULT_TYPED, Chat, Intake, Turn, reference_in

from bot import intake as store
from bot.questionnaire import load_questionnaire

# Earlier answers no other chat may ever show back.
EARLIER = {
    "child_name": "Zacharias",
    "contact": "61 72 83 94",
    "what_makes_school_hard": "Han er bange for gymnastiklæreren Birkedal efter episoden i bad",
    "hard_morning": "Han låser sig inde på badeværelset og råber af sin storesøster Ingeborg",
}
SECRETS = ("zacharias", "61728394", "birkedal", "ingeborg", "nordskolen")
# Given after the resume, in the new chat: the review shows this one.
LATER = {"strengths_good_at": "Han er virkelig god til at bygge med Lego Technic"}


def _everything_shown(person: Intake) -> str:
    """All a chat has shown: texts, button titles and payloads, custom data."""
    parts: list[str] = []
    for turn in person.turns:
        for reply in turn.replies:
            parts.append(reply.get("text") or "")
            parts.extend(f"{b['title']} {b['payload']}" for b in reply.get("buttons") or [])
            parts.append(repr(reply.get("custom") or ""))
    # Without spaces too, so a phone number shown in another format is still found.
    shown = "\n".join(parts).lower()
    return shown + "\n" + shown.replace(" ", "")


def _paused_with_earlier_answers(stack) -> tuple[Intake, str]:
    """A parent answers the first questions (with open text) and pauses; returns the code."""
    person = Intake(Chat(stack.rasa_url))
    turn = person.start("forælder")
    typed = {**DEFAULT_TYPED, **EARLIER}
    for _ in range(30):
        if set(EARLIER) <= store.answered_keys(person.chat.sender):
            break
        turn = person.answer(turn, typed)
    else:
        raise AssertionError("the earlier questions were never asked")
    paused = person.say("pause")
    code = next(
        w.strip(".,")
        for w in paused.text.split()
        if w.strip(".,").isupper() and len(w.strip(".,")) >= 6
    )
    return person, code


def _resume(stack, code: str) -> tuple[Intake, Turn]:
    other = Intake(Chat(stack.rasa_url))
    asked = other.say("fortsæt")
    assert "kode" in asked.text.lower(), asked.text
    resumed = other.say(code)
    assert resumed.progress, resumed.text
    return other, resumed


def test_a_resumed_chat_never_shows_the_earlier_answers(stack) -> None:
    person, code = _paused_with_earlier_answers(stack)
    conv = person.chat.sender
    before = store.get_answers(conv)
    assert before["child_name"]["display"] == "Zacharias"  # the earlier chat said it all

    other, resumed = _resume(stack, code)
    review = other.answer_until_review(resumed, {**DEFAULT_TYPED, **LATER})
    assert review.progress is None
    text = review.text.lower()
    for secret in SECRETS:
        assert secret not in _everything_shown(other), secret
    assert "lego technic" in text  # what this chat answered is shown
    earlier = len(before)
    assert f"{earlier} svar fra før" in text, review.text
    assert "ret et svar" in [b["title"].lower() for b in review.buttons]

    # Correcting an earlier answer means answering it again; the old answer is not shown.
    redo = other.say("jeg vil rette klassetrinnet")
    assert redo.progress and redo.progress["question"] == "grade", redo.text
    review = other.answer_until_review(other.say("7. klasse"))
    assert "7" in review.text and f"{earlier - 1} svar fra før" in review.text, review.text

    # Asking about the school does not reveal the school either.
    other.say("kan jeg tale med et menneske?")

    shown = _everything_shown(other)
    for secret in SECRETS:
        assert secret not in shown, secret

    # Everything is still stored, and the continuing person can send the case.
    confirmed = other.say(review.button("Ja"))
    reference = reference_in(confirmed.text)
    assert reference, confirmed.text
    answers = store.get_answers(conv)
    assert set(answers) == {q.key for q in load_questionnaire().plan("parent")}
    assert answers["child_name"]["display"] == "Zacharias"
    assert "Birkedal" in (answers["what_makes_school_hard"]["free_text"] or "")
    assert answers["grade"]["value"] == 7
    assert store.case_reference(conv) == reference


def test_a_resumed_chat_can_delete_the_answers(stack) -> None:
    person, code = _paused_with_earlier_answers(stack)
    other, _ = _resume(stack, code)
    ask = other.say("slet mine svar")
    done = other.say(ask.button("Ja"))
    assert "slettet" in done.text.lower()
    assert store.get_answers(person.chat.sender) == {}
    for secret in SECRETS:
        assert secret not in _everything_shown(other), secret
