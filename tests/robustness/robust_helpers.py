"""Checks shared by the robustness tests: what the store holds for one conversation."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from bot import intake as store
from bot.db.models import Answer, Respondent, Signal
from bot.db.session import session_scope

# Words of which a Danish reply has at least one; English fallbacks ("Sorry") have none.
DANISH_WORDS = {"jeg", "du", "det", "ikke", "kan", "dit", "din", "svar", "skriv", "prøv", "er"}


def looks_danish(text: str) -> bool:
    words = {w.strip(".,!?:;()").lower() for w in text.split()}
    return bool(words & DANISH_WORDS) and "sorry" not in text.lower()


def rows(conversation_id: str) -> dict[str, int]:
    """Row counts for one conversation: respondents, answers, duplicate signals."""
    with session_scope() as session:
        respondents = session.scalar(
            select(func.count(Respondent.id)).where(Respondent.conversation_id == conversation_id)
        )
        answers = session.scalar(
            select(func.count(Answer.id))
            .join(Respondent, Answer.respondent_id == Respondent.id)
            .where(Respondent.conversation_id == conversation_id)
        )
        signals = session.execute(
            select(Signal.area, Signal.kind, Signal.respondent_id)
            .join(Respondent, Signal.respondent_id == Respondent.id)
            .where(Respondent.conversation_id == conversation_id)
        ).all()
    duplicates = sum(n - 1 for n in Counter(signals).values() if n > 1)
    return {"respondents": respondents or 0, "answers": answers or 0, "dup_signals": duplicates}


def assert_kept(conversation_id: str, before: dict[str, dict]) -> dict[str, dict]:
    """Every answer in `before` is still there, unchanged; each stored once."""
    now = store.get_answers(conversation_id)
    for key, answer in before.items():
        assert key in now, f"answer {key} was lost"
        assert now[key]["value"] == answer["value"], key
        assert now[key]["status"] == answer["status"], key
    counts = rows(conversation_id)
    assert counts["respondents"] == 1, counts
    assert counts["answers"] == len(now), counts
    return now
