"""Parse what people type (or press) into answers.

Rules that users notice:
- "ved ikke", "spring over" and "det vil jeg ikke svare på" are always understood (typos and
  missing æøå too). They are recognised only in short messages, so a long free-text answer that
  happens to contain "ved ikke" stays a real answer. "Spring over" on a required question is
  refused kindly with a hint that "ved ikke" is fine.
- Scale answers: the button value ("2"), the label, or ordinary words ("næsten altid",
  "sjaeldent", "ikke så tit"). A bare "ja" on a how-often scale is not guessed: we ask how often.
- Free text: up to `MAX_TEXT_CHARS` characters. Longer text is refused with a request to shorten
  it rather than cut silently, so nothing the person meant to say is lost without them knowing.
  Text is kept verbatim (also HTML/SQL-looking input); escaping is the renderer's job.
- Errors are `AnswerError` with a parent and a pupil wording (`message_for(role)`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.danish import plural
from bot.normalize import is_typo_of
from bot.parsing.common import (
    DAYS_PER_WEEK,
    MAX_TEXT_CHARS,
    AnswerError,
    ParsedAnswer,
    Status,
    clean,
    strip_emoji,
    unwrap_payload,
)
from bot.parsing.meta import META_DISPLAY, classify_meta
from bot.parsing.names import parse_name
from bot.parsing.options import (
    match_option,
    option_terms,
    parse_choice,
    parse_multichoice,
    parse_scale,
)
from bot.parsing.values import (
    NUMBER_WORDS,
    grade_display,
    match_school,
    parse_contact,
    parse_days,
    parse_grade,
    parse_text,
)

if TYPE_CHECKING:
    from bot.questionnaire import Question


def _is_exact_option(question: Question, text: str, role: str) -> bool:
    if question.type not in ("scale", "choice", "multichoice"):
        return False
    t = clean(text)
    return any(t in option_terms(opt) for opt in question.options_for(role))


def parse_answer(
    question: Question, text: str, role: str, schools: list[str] | None = None
) -> ParsedAnswer:
    """Parse `text` as an answer to `question` for `role` ("parent"/"pupil")."""
    text = text if isinstance(text, str) else str(text)
    unwrapped = unwrap_payload(text)
    if not unwrapped.strip():
        raise AnswerError(
            "Jeg fik ikke noget svar. Skriv gerne igen, eller skriv «ved ikke».",
            "Jeg fik ikke noget svar. Prøv igen, eller skriv «ved ikke».",
        )
    # "nej"/"ingen" skip an optional question, unless it is one of its options ("Nej, ingen").
    no_thanks_skips = question.optional and not _is_exact_option(question, unwrapped, role)
    meta = classify_meta(
        text if text.startswith("/spring_over") else unwrapped, optional=no_thanks_skips
    )
    if meta == "skipped" and not question.optional:
        raise AnswerError(
            "Det spørgsmål kan ikke springes over, men du må gerne skrive «ved ikke».",
            "Det her kan du ikke springe over. Du må gerne skrive «ved ikke».",
        )
    if meta is not None:
        return ParsedAnswer(meta, None, META_DISPLAY[meta])
    kind = question.type
    if kind == "scale":
        return parse_scale(question, unwrapped, role)
    if kind == "choice":
        return parse_choice(question, unwrapped, role)
    if kind == "multichoice":
        return parse_multichoice(question, unwrapped, role)
    if kind == "number":
        n = parse_days(
            unwrapped, question.min or 0, question.max if question.max is not None else 23
        )
        return ParsedAnswer("answered", n, plural(n, "dag", "dage"))
    if kind == "grade":
        g = parse_grade(unwrapped)
        return ParsedAnswer("answered", g, grade_display(g))
    if kind == "school":
        if schools:
            hit = match_school(unwrapped, schools)
            if hit is None:
                raise AnswerError(
                    "Jeg kan ikke finde den skole. Prøv at skrive navnet igen, "
                    "eller skriv «ved ikke».",
                    "Den skole kender jeg ikke. Prøv igen, eller skriv «ved ikke».",
                )
            return ParsedAnswer("answered", hit, hit)
        return parse_text(question, unwrapped, role)
    if kind == "name":
        return parse_name(unwrapped)
    if kind == "contact":
        value, display = parse_contact(unwrapped)
        return ParsedAnswer("answered", value, display)
    return parse_text(question, unwrapped, role)


def is_typo_tolerant_equal(a: str, b: str) -> bool:
    """Exposed for callers that compare single words (e.g. names of areas)."""
    return is_typo_of(a, b)


def as_jsonable(answer: ParsedAnswer) -> dict[str, Any]:
    return {"status": answer.status, "value": answer.value, "display": answer.display}


__all__ = [
    "DAYS_PER_WEEK",
    "MAX_TEXT_CHARS",
    "NUMBER_WORDS",
    "AnswerError",
    "ParsedAnswer",
    "Status",
    "as_jsonable",
    "classify_meta",
    "grade_display",
    "is_typo_tolerant_equal",
    "match_option",
    "match_school",
    "parse_answer",
    "parse_choice",
    "parse_contact",
    "parse_days",
    "parse_grade",
    "parse_multichoice",
    "parse_scale",
    "parse_text",
    "strip_emoji",
]
