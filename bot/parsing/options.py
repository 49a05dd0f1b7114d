"""Scale, choice and multichoice answers: the button value, the label, or ordinary words ("næsten
altid", "ikke så tit"); a bare "ja" on a how-often scale is not guessed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.normalize import fuzzy_match

if TYPE_CHECKING:
    from bot.questionnaire import Option, Question

from bot.parsing.common import (
    AnswerError,
    ParsedAnswer,
    clean,
    has_phrase,
    strip_emoji,
    unwrap_payload,
)
from bot.parsing.values import parse_text

_NEGATION = re.compile(r"(?:ikke|ik|ikk|aldrig saa) (?:saa |saerlig |specielt |rigtig )?$")


def option_terms(opt: Option) -> list[str]:
    terms = [str(opt.value)]
    for label in (opt.parent, opt.pupil):
        if label:
            terms.append(strip_emoji(label))
    terms.extend(opt.synonyms)
    return [clean(t) for t in terms if clean(t)]


def match_option(text: str, options: list[Option], *, scale_like: bool = False) -> Option | None:
    """Best option for `text`: exact value/label/synonym, then phrase search, then typo match.

    With `scale_like`, "ikke X" where X means a high value ("ikke tit") counts as value 1.
    """
    t = clean(unwrap_payload(text))
    if not t:
        return None
    for opt in options:
        if t in option_terms(opt):
            return opt
    # Longest phrase first so "næsten aldrig" beats "aldrig", "ikke så tit" beats "tit".
    terms = sorted(
        ((term, opt) for opt in options for term in option_terms(opt) if not term.isdigit()),
        key=lambda p: -len(p[0]),
    )
    for term, opt in terms:
        pos = has_phrase(t, term)
        if pos < 0:
            continue
        negated = _NEGATION.search(t[:pos]) is not None
        if scale_like and negated and isinstance(opt.value, int) and opt.value >= 2:
            low = [o for o in options if o.value == 1]
            return low[0] if low else opt
        return opt
    # Typos: compare each word (and the whole text) with one-word terms.
    single = {term: opt for term, opt in terms if " " not in term}
    for candidate in [t, *t.split()]:
        hit = fuzzy_match(candidate, single.keys())
        if hit is not None:
            return single[hit]
    return None


def _options_sentence(labels: list[str]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " eller " + labels[-1]


def parse_scale(question: Question, text: str, role: str) -> ParsedAnswer:
    opts = question.options_for(role)
    scale = question.scale_def
    raw = unwrap_payload(text).strip()
    t = clean(raw)
    if re.fullmatch(r"-?\d+", t):
        hit = [o for o in opts if str(o.value) == t]
        if not hit:
            labels = [o.plain_label("parent") for o in opts]
            raise AnswerError(
                f"Vælg en af knapperne: {_options_sentence(labels)}.",
                "Tryk på en af knapperne.",
            )
        return ParsedAnswer("answered", int(hit[0].value), hit[0].plain_label(role))
    if scale is not None and t in {clean(a) for a in scale.ambiguous}:
        raise AnswerError(scale.ask_again["parent"], scale.ask_again["pupil"])
    opt = match_option(raw, opts, scale_like=True)
    if opt is None:
        labels = [o.plain_label("parent") for o in opts]
        raise AnswerError(
            "Jeg forstod ikke helt svaret. "
            f"Vælg {_options_sentence(labels)}. Du kan også skrive «ved ikke».",
            "Det forstod jeg ikke helt. Tryk på en knap, eller skriv «ved ikke».",
        )
    return ParsedAnswer("answered", int(opt.value), opt.plain_label(role))


def parse_choice(question: Question, text: str, role: str) -> ParsedAnswer:
    opts = question.options_for(role)
    opt = match_option(text, opts)
    if opt is not None:
        return ParsedAnswer("answered", str(opt.value), opt.plain_label(role))
    if question.allow_text:
        return parse_text(question, text, role)
    labels = [o.plain_label(role) for o in opts]
    raise AnswerError(
        f"Jeg forstod ikke helt svaret. Vælg {_options_sentence(labels)}.",
        "Det forstod jeg ikke helt. Tryk på en knap.",
    )


_SPLIT = re.compile(r"\s*(?:,|;|/|\+|&|\n|\bog\b|\bsamt\b)\s*")


def parse_multichoice(question: Question, text: str, role: str) -> ParsedAnswer:
    """Several options from a comma/"og" list or free words. Value: list of option values
    (in questionnaire order); with `allow_text` and no option recognised, the text itself."""
    opts = question.options_for(role)
    raw = unwrap_payload(text)
    found: set[str] = set()
    full = clean(raw)
    # Every option named anywhere in the text counts ("morgener og efter weekend") ...
    for opt in opts:
        if any(not t.isdigit() and has_phrase(full, t) >= 0 for t in option_terms(opt)):
            found.add(str(opt.value))
    # ... and each comma/"og" part may be a value, a label or a typo of one.
    for part in (clean(p) for p in _SPLIT.split(raw)):
        opt = match_option(part, opts) if part else None
        if opt is not None:
            found.add(str(opt.value))
    chosen = [o for o in opts if str(o.value) in found]
    if chosen:
        return ParsedAnswer(
            "answered",
            [str(o.value) for o in chosen],
            ", ".join(o.plain_label(role) for o in chosen),
        )
    if question.allow_text:
        return parse_text(question, text, role)
    labels = [o.plain_label(role) for o in opts]
    raise AnswerError(
        f"Jeg forstod ikke helt svaret. Vælg en eller flere: {_options_sentence(labels)}.",
        "Det forstod jeg ikke helt. Tryk på en eller flere knapper.",
    )
