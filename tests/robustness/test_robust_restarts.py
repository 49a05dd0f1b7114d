"""kill -9 of each process in the middle of an intake: the conversation goes on where it was."""

from __future__ import annotations

import signal
import threading

from intake_driver import DEFAULT_TYPED, Chat, Intake, Turn
from robust_helpers import assert_kept, rows

from bot import intake as store


def _answer(person: Intake, turn, n: int):
    """Answer `n` questions the way the e2e driver does; returns the last turn."""
    for _ in range(n):
        turn = person.answer(turn)
    return turn


def _kill_all_rasa(stack) -> None:
    workers = [p for p in stack.procs if p.name == "rasa" or p.name.startswith("rasa-")]
    workers = [p for p in workers if p.name != "rasa-proxy"]
    for proc in workers:
        proc.signal_group(signal.SIGKILL)
        proc.popen.wait(timeout=10)
    for proc in workers:
        proc.start()
    stack.wait_healthy(workers, 240)


def test_kill_each_process_mid_intake(stack) -> None:
    person = Intake(Chat(stack.rasa_url))
    sender = person.chat.sender
    turn = _answer(person, person.start("forælder"), 3)
    before = store.get_answers(sender)
    asked = turn.progress["question"]
    assert len(before) == 3

    # The action server dies while a message is on its way: the person sees an error or an
    # answer; after the restart the same answer is given again and stored once.
    pending = turn.progress
    result: dict = {}

    def send() -> None:
        try:
            result["replies"] = Chat(stack.rasa_url, sender).say(DEFAULT_TYPED.get(asked, "3"))
        except Exception as exc:  # the person's page would show "try again"
            result["error"] = exc

    thread = threading.Thread(target=send)
    thread.start()
    stack.restart("actions")
    thread.join(60)
    if asked in store.get_answers(sender) and "replies" in result:
        turn = Turn(DEFAULT_TYPED.get(asked, "3"), result["replies"])
    else:
        turn = person.say(DEFAULT_TYPED.get(asked, "3"))
    before = assert_kept(sender, before)
    assert asked in before, f"{asked} not stored after the action server restart ({pending})"
    assert turn.progress and turn.progress["question"] != asked, turn.text

    # Rasa itself (every worker) dies between two messages: the tracker store keeps the form,
    # so the next message answers the question that was asked before the crash.
    asked = turn.progress["question"]
    _kill_all_rasa(stack)
    turn = _answer(person, turn, 1)
    after = assert_kept(sender, before)
    assert asked in after and len(after) == len(before) + 1, (asked, after.keys())
    assert turn.progress and turn.progress["question"] != asked, turn.text

    # The API dies: the chat does not depend on it; it comes back with the same data.
    stack.restart("api")
    turn = _answer(person, turn, 2)
    final = assert_kept(sender, after)
    assert len(final) == len(after) + 2
    assert rows(sender)["dup_signals"] == 0
    assert turn.progress is not None, turn.text
