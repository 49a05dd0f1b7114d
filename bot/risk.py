"""Detect danger signals in free text: self-harm, violence, sexual abuse, neglect, threats.

Runs on every user message, in the app processes and inside the Rasa engine (nlu_ext), with the
same code in both: the lexicon below, then a trained n-gram model (bot/understanding/
danger_model.py, trained in each process at start from the labelled sets) whose sure kinds are
added (`combine`). The lexicon is precise but caught only ~82 % on sets written after it; the
model generalises to wording never seen (leave-one-set-out: reports/danger_loso.md).

The lexicon `risk_lexicon.yaml` works on the ASCII fold of the text (æ->ae, ø->oe, å->aa):
0. spelling: chat spellings of a few glue words become canonical ("ik"->"ikke", "pa"->"paa",
   "ta"->"tage", "stefar"->"stedfar") so the patterns need not list them;
1. checks are noted and blanked: a wish to die tied to school ("han siger han vil dø hvis han
   skal i skole"), "jeg hader mit liv". They call for a gentle "are you safe?" follow-up, not an
   urgent flag (`RiskResult.check`); then idioms are blanked out ("keder mig ihjel",
   "matematik slår mig ihjel", "slog mig i skak"), and so are denials ("han bliver ikke slået");
   then a wish to die in any words within a sentence about school, in a message not tied to home
   (`school_tie`: "hver gang klokken ringer ind får jeg lyst til at dø"), is a check too;
2. regex patterns per kind (who does what to whom: "min far slår mig", "vil ikke leve mere").
   The lexicon writes them with æ/ø/å, and each of those letters also matches how people type
   it without a Danish keyboard: æ -> ae|a|e, ø -> oe|o, å -> aa|a;
3. keywords per kind, compared on a vowel skeleton (ae->e, oe->o, aa->a) with stems ("stem*")
   and one-edit typo tolerance for long words ("selvmorstanker", "voltaget").
Every kind found is returned (a message can signal several). It errs on the side of raising
the alarm: a false alarm shows help numbers; a miss can cost a child. `matches` are quoted
from the original text so the worker sees the person's own words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.normalize import fold, keyword_matches
from bot.understanding import danger_model
from bot.understanding.danger_corpus import ACUTE_DANGER, CHECK
from bot.understanding.danger_corpus import KINDS as HARMS
from bot.understanding.prefilter import (
    Alternation,
    AlternationGroup,
    LiteralIndex,
    blank_matches,
    regex_spans,
    required_literals,
)

# Every kind a message can raise: the harms (the lexicon's and the model's) and acute danger
# (the lexicon's only), in the order they are reported.
KINDS: tuple[str, ...] = (*HARMS, ACUTE_DANGER)
LEXICON_PATH = Path(__file__).with_name("risk_lexicon.yaml")
_TOKEN = re.compile(r"[a-z0-9]+")
_MACRO = re.compile(r"\{([A-Z_]+)\}")
_DANISH = {"æ": "(?:ae|a|e)", "ø": "(?:oe|o)", "å": "(?:aa|a)"}
_CLASS_WITH_DANISH = re.compile(r"\[[^\]]*[æøå][^\]]*\]")
_WORD_START = re.compile(r"\\b(?:\(\?:|\w)")  # "\b(?:..." or "\bword...": starts at a word
# A sentence: up to a full stop, "!" or "?" (a digit's dot, "8.c", "2. klasse", goes on).
_SENTENCE = re.compile(r"(?:[^.!?]|(?<=\d)\.)+")
# A pattern whose first word may begin inside a word: "\\w*" or "\\w+" before its first space
# (a macro such as OUTSIDER holds "\\w*træner\\w*"). Only a speed hint: which test of the word
# start a pattern gets (in Python or as a look-behind in `re`) gives the same matches.
_MID_WORD = re.compile(r"^[^ ]*?(?:\\w\*|\\w\+)")
_MIN_FUZZY = 7  # skeleton length from which one typo is tolerated in a keyword
_CACHE_MAX = 20000


@dataclass(frozen=True)
class RiskResult:
    is_risk: bool
    kinds: list[str] = field(default_factory=list)
    matches: list[str] = field(default_factory=list)  # the person's own words
    # Words that call for a gentle "are you safe?" question (no urgent flag on their own).
    check: list[str] = field(default_factory=list)

    @property
    def needs_check(self) -> bool:
        """A gentle follow-up is due: a check phrase and no danger signal."""
        return bool(self.check) and not self.is_risk

    def to_dict(self) -> dict[str, Any]:
        return {
            "is_risk": self.is_risk,
            "kinds": list(self.kinds),
            "matches": list(self.matches),
            "check": list(self.check),
        }


def _skeleton(word: str) -> str:
    """Folded word with the Danish vowel spellings merged: 'taesket', 'tasket' -> 'tesket'."""
    return word.replace("aa", "a").replace("ae", "e").replace("oe", "o")


@dataclass(frozen=True)
class _Keyword:
    kind: str
    skel: str
    stem: bool

    def hit(self, skel: str) -> bool:
        return keyword_matches(skel, self.skel, self.stem, _MIN_FUZZY)


@dataclass(frozen=True)
class _Rx:
    """A lexicon regex. A leading \\b is checked in Python instead of by `re`: with it, `re`
    tries every position; without it, `re` jumps to the possible first letters (4x faster)."""

    rx: re.Pattern[str]
    word_start: bool

    def spans(self, text: str) -> list[tuple[int, int]]:
        return regex_spans(self.rx, text, self.word_start)


@dataclass(frozen=True)
class _Lexicon:
    spelling: dict[str, str]
    checks: tuple[_Rx, ...]
    idioms: tuple[_Rx, ...]
    # A wish to die in any words, a check when the message is tied to school and not to home.
    school_wishes: tuple[Alternation, ...]
    school_tie: re.Pattern[str] | None
    untie: re.Pattern[str] | None
    keywords: tuple[_Keyword, ...]
    # Literal prefilters (bot/understanding/prefilter.py): a regex whose fixed text is not in
    # the message is not run. The kinds' alternations (one or two a kind, `pattern_kinds`) are
    # looked up together.
    check_index: LiteralIndex
    idiom_index: LiteralIndex
    wish_index: LiteralIndex
    pattern_group: AlternationGroup
    pattern_kinds: tuple[str, ...]
    token_cache: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def token_kinds(self, token: str) -> tuple[str, ...]:
        """Kinds whose keywords this (folded) token hits; cached, tokens repeat a lot."""
        found = self.token_cache.get(token)
        if found is None:
            skel = _skeleton(token)
            found = tuple(dict.fromkeys(kw.kind for kw in self.keywords if kw.hit(skel)))
            if len(self.token_cache) > _CACHE_MAX:
                self.token_cache.clear()
            self.token_cache[token] = found
        return found


def _expand(rx: str, macros: dict[str, str]) -> str:
    for _ in range(10):  # macros may use macros
        new = _MACRO.sub(lambda m: macros.get(m.group(1), m.group(0)), rx)
        if new == rx:
            break
        rx = new
    if _CLASS_WITH_DANISH.search(rx):
        raise ValueError(f"æ/ø/å inside a character class cannot be expanded: {rx}")
    return "".join(_DANISH.get(ch, ch) for ch in rx)


@lru_cache(maxsize=2)
def _lexicon(path: Path = LEXICON_PATH) -> _Lexicon:
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    macros: dict[str, str] = raw.get("macros") or {}

    def split(rx: str) -> tuple[str, bool]:
        """Expanded regex, and whether its leading \\b was taken off (checked in Python)."""
        expanded = _expand(rx, macros)
        try:
            re.compile(expanded)
        except re.error as exc:  # name the lexicon line, not only the expanded regex
            raise ValueError(f"bad pattern in {path.name}: {rx!r}: {exc}") from exc
        if _WORD_START.match(expanded):
            return expanded[2:], True
        return expanded, False

    def compile_(rx: str) -> _Rx:
        body, word_start = split(rx)
        if word_start and _MID_WORD.search(body):  # see `combine`
            return _Rx(re.compile(f"(?<!\\w)(?:{body})"), False)
        return _Rx(re.compile(body), word_start)

    def combine(rxs: list[str]) -> tuple[Alternation, ...]:
        """One alternation per kind (one search instead of dozens): a message is scanned
        once for the patterns that start at a word and once for the others."""
        parts = [split(rx) for rx in rxs]
        out = []
        for flag in (True, False):
            bodies = [body for body, word_start in parts if word_start is flag]
            if flag:
                # A pattern whose first word may begin inside a word ("\\w*træner") made the
                # Python word-start check reject a match and search again at nearly every
                # letter: such a branch gets the same test inside `re` as a look-behind (not
                # after a letter, digit or _). Same order, same matches, fewer searches.
                bodies = [f"(?<!\\w){b}" if _MID_WORD.search(b) else b for b in bodies]
            if bodies:
                out.append(Alternation(bodies, flag))
        return tuple(out)

    spelling = {
        fold(variant): fold(canonical)
        for canonical, variants in (raw.get("spelling") or {}).items()
        for variant in variants
    }
    kinds = raw["kinds"]
    keywords = tuple(
        _Keyword(kind, _skeleton(fold(kw.rstrip("*"))), kw.endswith("*"))
        for kind in KINDS
        for kw in kinds[kind].get("keywords") or []
    )
    tie = raw.get("school_tie") or {}
    checks = tuple(compile_(rx) for rx in raw.get("checks") or [])
    idioms = tuple(compile_(rx) for rx in raw.get("idioms") or [])
    school_wishes = combine(tie.get("wishes") or [])
    patterns = {k: combine(kinds[k].get("patterns") or []) for k in KINDS}
    return _Lexicon(
        spelling=spelling,
        checks=checks,
        idioms=idioms,
        school_wishes=school_wishes,
        school_tie=re.compile(_expand(tie["school"], macros)) if tie.get("school") else None,
        untie=re.compile(_expand(tie["untie"], macros)) if tie.get("untie") else None,
        keywords=keywords,
        check_index=LiteralIndex.build([required_literals(rx.rx.pattern) for rx in checks]),
        idiom_index=LiteralIndex.build([required_literals(rx.rx.pattern) for rx in idioms]),
        # Each wish alternation filters its own branches.
        wish_index=LiteralIndex.build([None] * len(school_wishes)),
        pattern_group=AlternationGroup([rx for k in KINDS for rx in patterns[k]]),
        pattern_kinds=tuple(k for k in KINDS for _ in patterns[k]),
    )


# Quotation marks read as spaces: a quoted phrase ("morfar 'leger doktor' med hende") is the
# same words to the patterns as the plain one.
_QUOTES = frozenset("'\"`´‘’‚“”„«»‹›")


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return " " if ch.isspace() or ch in _QUOTES else fold(ch) if ch.strip() else ""


def _prepare(text: str, spelling: dict[str, str]) -> tuple[str, list[int]]:
    """Fold, collapse whitespace, respell chat words; keep each char's index in `text`."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for c in _fold_char(ch):
            if c == " " and (not chars or chars[-1] == " "):
                continue  # collapse whitespace
            if c.isalpha() and len(chars) >= 2 and chars[-1] == c and chars[-2] == c:
                continue  # "slaaaar", "dooo": at most two of a letter
            chars.append(c)
            index.append(i)
    folded = "".join(chars)
    if not spelling:
        return folded, index
    out: list[str] = []
    out_index: list[int] = []
    pos = 0
    for m in _TOKEN.finditer(folded):
        canon = spelling.get(m.group(0))
        if canon is None:
            continue
        start, end = m.span()
        out.append(folded[pos:start])
        out_index.extend(index[pos:start])
        out.append(canon)
        out_index.extend(index[start + min(k, end - start - 1)] for k in range(len(canon)))
        pos = end
    if not out:
        return folded, index
    out.append(folded[pos:])
    out_index.extend(index[pos:])
    return "".join(out), out_index


def lexicon_risk(text: str) -> RiskResult:
    """Layer 1: every danger kind the lexicon finds, with the words that raised them."""
    return _lexicon_pass(text)[0]


def model_input(text: str) -> str:
    """The text the model reads: folded, chat spellings made canonical, and the lexicon's
    idioms and check phrases blanked ("slår mig i skak", "vil ikke dø" are no danger words)."""
    return _model_text(_lexicon_pass(text)[1])


def _flagged(text: str) -> bool:
    """Does the lexicon raise anything (danger or a check)? Such intake answers are not used as
    calm examples for the model."""
    result = lexicon_risk(text)
    return result.is_risk or bool(result.check)


def _model_text(blanked: str) -> str:
    return " ".join(blanked.split())


def _lexicon_pass(text: str) -> tuple[RiskResult, str]:
    original = unicodedata.normalize("NFC", text or "")
    lex = _lexicon()
    folded, index = _prepare(original, lex.spelling)

    def quote(start: int, end: int) -> str:
        return original[index[start] : index[end - 1] + 1].strip(" .,!?")

    # Layer 1: note checks, then blank checks and idioms with spaces so offsets stay valid.
    check: list[str] = []

    def note_check(
        text: str,
        rxs: tuple[_Rx, ...] | tuple[Alternation, ...],
        index: LiteralIndex,
        within: list[tuple[int, int]] | None = None,
    ) -> str:
        """Note each match (only those inside `within`, when given) as a check and blank it."""

        def note(start: int, end: int) -> bool:
            if within is not None and not any(lo <= start and end <= hi for lo, hi in within):
                return False
            words = quote(start, end)
            if words and words not in check:
                check.append(words)
            return True

        return blank_matches(rxs, index, text, note)

    folded = note_check(folded, lex.checks, lex.check_index)
    # The sentences about school, in a message not tied to home (`school_tie` in the lexicon),
    # read before idioms blank any words.
    school_sentences: list[tuple[int, int]] = []
    if lex.school_tie and not (lex.untie and lex.untie.search(folded)):
        for m in _SENTENCE.finditer(folded):
            if lex.school_tie.search(m.group(0)):
                school_sentences.append(m.span())
    folded = blank_matches(lex.idioms, lex.idiom_index, folded)
    # A wish to die in a sentence about school is a check; after the idioms, so a denial ("har
    # ikke lyst til at dø") or "dør af grin" is no wish. No sentence about school: nothing to
    # look for (most messages; the same result without the scan).
    if school_sentences:
        folded = note_check(folded, lex.school_wishes, lex.wish_index, within=school_sentences)

    blanked = folded
    spans: dict[str, list[tuple[int, int]]] = {}
    for kind, found in zip(lex.pattern_kinds, lex.pattern_group.spans(folded), strict=True):
        if found:
            spans.setdefault(kind, []).extend(found)
    for tok in _TOKEN.finditer(folded):
        for kind in lex.token_kinds(tok.group(0)):
            spans.setdefault(kind, []).append((tok.start(), tok.end()))

    kinds = [k for k in KINDS if k in spans]
    matches: list[str] = []
    for k in kinds:
        merged: list[list[int]] = []
        for start, end in sorted(spans[k]):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)  # overlapping hits: quote once
            else:
                merged.append([start, end])
        for start, end in merged:
            words = quote(start, end)
            if words and words not in matches:
                matches.append(words)
    return RiskResult(bool(kinds), kinds, matches, check), blanked


# Layer 2 (bot/understanding/danger_model.py): a kind the trained model gives at least
# MODEL_MIN_KIND is added to the lexicon's. Chosen by leave-one-set-out measurement
# (eval/danger_loso.py, reports/danger_loso.md).
MODEL_MIN_KIND = 0.5
# A message with no danger kind that the model reads as hopelessness ("alt er meningsløst",
# "hvad er pointen") gets the gentle "are you safe?" check (no urgent flag) from this p on.
MODEL_MIN_CHECK = 0.3
# The model's kinds and check count only when it read some words: an idiom the lexicon blanked
# ("jeg keder mig helt ihjel" -> "jeg") leaves it next to nothing, and one or two words ("slet",
# "mor", "hendes far", "ikke lige nu") are chat commands and answers, not danger. Measured with
# models that never learnt the chat examples they read (3 folds of data/nlu.yml): 13 -> 10 of
# 4,245 calm examples flagged, and not one danger message of blind sets 14-17 lost. Emojis
# are no words: "ikke mere 👍" (nothing more to add) got the check from "ikke mere" alone.
_MODEL_MIN_WORDS = 3
_QUOTE_MAX = 160


def combine(lexicon: RiskResult, text: str, probs: dict[str, float], model_text: str) -> RiskResult:
    """The lexicon's result plus what the model is sure of.

    When the lexicon reads the message as a check ("han siger han vil dø hvis han skal i
    skole") and finds no danger, the model cannot make it urgent: the check phrase is the more
    specific reading. A model-only kind quotes the whole message (cut), so the worker sees the
    person's own words. `model_text` is what the model read (`model_input`)."""
    model_kinds = [k for k in HARMS if probs.get(k, 0.0) >= MODEL_MIN_KIND]
    words = sum(1 for w in model_text.split() if any(c.isalnum() for c in w))
    read_enough = words >= _MODEL_MIN_WORDS
    if (lexicon.check and not lexicon.is_risk) or not read_enough:
        model_kinds = []
    kinds = [k for k in KINDS if k in lexicon.kinds or k in model_kinds]
    matches = list(lexicon.matches)
    check = list(lexicon.check)
    quote = " ".join(text.split())[:_QUOTE_MAX]
    if not kinds and not check and probs.get(CHECK, 0.0) >= MODEL_MIN_CHECK and read_enough:
        check.append(quote)
    if [k for k in model_kinds if k not in lexicon.kinds] and quote not in matches:
        matches.append(quote)
    return RiskResult(bool(kinds), kinds, matches, check)


def detect_risk(text: str) -> RiskResult:
    """Every danger kind the text signals (lexicon and trained model), with the words that
    raised them. If the model cannot be trained, the lexicon answers alone."""
    lexicon, blanked = _lexicon_pass(text)
    model = danger_model_ready()
    if model is None or not blanked.strip():
        return lexicon
    model_text = _model_text(blanked)
    return combine(lexicon, text, model.scores(model_text), model_text)


def danger_model_ready() -> danger_model.DangerModel | None:
    """The danger model as detect_risk uses it, loaded or trained (and saved) now."""
    return danger_model.available_model(model_input, _flagged)


def warm_up() -> None:
    """Train the model in the background (every process that imports this module)."""
    danger_model.warm_up_in_background(model_input, _flagged)


warm_up()
