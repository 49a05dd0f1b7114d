"""A literal prefilter for the danger lexicon's regexes: skip a regex that cannot match.

Why: the lexicon (bot/risk_lexicon.yaml) is ~600 hand-written patterns; scanning every message
with all of them took ~0.7 ms, most of it in five alternations of ~100 branches each. That cost
is paid per chat turn in three processes, per training example when the danger model is built,
and thousands of times in the tests. Nearly every branch needs some fixed text ("slår", "kniv",
"sover ude"): a branch whose every required literal is absent from the message cannot match and
is not run. The answer is the same as running every regex, only cheaper: all 14,669 labelled
and example messages gave the same result when this was built (0.8-0.9 -> 0.2-0.28 ms a
message); tests/unit/test_prefilter.py compares an eighth of them on every run.

How: `required_literals` walks Python's own parse of a pattern (`re._parser`, the parser `re`
compiles with) and returns a set of strings one of which every match contains, or None when it
cannot tell (then the regex always runs). `Alternation` runs the branches of one alternation
that may match and picks, at each step, the leftmost match (the earlier branch on a tie), which
is what `re` does with the branches joined by "|".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

try:  # the parser `re` itself uses (Python 3.11+); without it every regex simply runs
    from re import _constants as _c
    from re import _parser
except ImportError:  # pragma: no cover - another Python
    _parser = None
    _c = None

_MAX_SET = 64  # product of alternatives kept as exact strings ("sl(aa|a)r" -> slaar, slar)
_MAX_CLASS = 8  # a character class of up to this many letters is expanded ("[ei]")
_KEY = 3  # literals are indexed by their first 3 characters
# False: every regex runs and alternations are joined with "|" as before this module (the
# reference that tests/unit/test_prefilter.py compares with).
ENABLED = True


def regex_spans(rx: re.Pattern[str], text: str, word_start: bool) -> list[tuple[int, int]]:
    """Every non-empty match of `rx`, left to right; with `word_start`, only those that begin
    at a word start (a leading \\b checked here: with it, `re` tries every position; without
    it, `re` jumps to the possible first letters)."""
    found: list[tuple[int, int]] = []
    pos = 0
    while (match := first_match(rx, text, pos, word_start)) is not None:
        start, end = match
        if end > start:
            found.append(match)
        pos = end if end > start else start + 1
    return found


def first_match(
    rx: re.Pattern[str], text: str, pos: int, word_start: bool
) -> tuple[int, int] | None:
    """The span of the first match at or after `pos` (at a word start, if asked)."""
    while pos <= len(text):
        m = rx.search(text, pos)
        if m is None:
            return None
        start = m.start()
        if word_start and start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            pos = start + 1  # inside a word: look again from the next letter
            continue
        return start, m.end()
    return None


def required_literals(pattern: str) -> frozenset[str] | None:
    """Strings one of which occurs in every match of `pattern`, or None (no such set known)."""
    if _parser is None:
        return None
    try:
        tree = _parser.parse(pattern)
    except (re.error, RecursionError):
        return None
    if tree.state.flags & re.IGNORECASE:
        return None
    try:
        found = _required_seq(list(tree))
    except (AttributeError, TypeError, ValueError):  # a parse tree of another shape: no filter
        return None
    return frozenset(found) if found else None


def _exact(node: tuple[Any, Any]) -> set[str] | None:
    """The finite set of strings this element matches, or None."""
    op, av = node
    if op is _c.LITERAL:
        return {chr(av)}
    if op is _c.IN:
        chars: set[str] = set()
        for sub_op, sub_av in av:
            if sub_op is _c.LITERAL:
                chars.add(chr(sub_av))
            elif sub_op is _c.RANGE and sub_av[1] - sub_av[0] < _MAX_CLASS:
                chars |= {chr(c) for c in range(sub_av[0], sub_av[1] + 1)}
            else:  # negation, categories (\w), wide ranges
                return None
        return chars if len(chars) <= _MAX_CLASS else None
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, body = av
        return None if add_flags & re.IGNORECASE else _exact_seq(body)
    if op is _c.BRANCH:
        out: set[str] = set()
        for alternative in av[1]:
            exact = _exact_seq(alternative)
            if exact is None:
                return None
            out |= exact
            if len(out) > _MAX_SET:
                return None
        return out
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        low, high, body = av
        if low == high == 1:
            return _exact_seq(body)
        if low == 0 and high == 1:
            exact = _exact_seq(body)
            return None if exact is None else exact | {""}
    return None  # anchors, look-arounds, \w, ., open repeats


def _exact_seq(seq: Iterable[tuple[Any, Any]]) -> set[str] | None:
    out = {""}
    for node in seq:
        exact = _exact(node)
        if exact is None:
            return None
        out = {a + b for a in out for b in exact}
        if len(out) > _MAX_SET:
            return None
    return out


def _score(found: set[str] | None) -> int:
    """Longer shortest literal first (rarer in text), then fewer literals."""
    if not found or "" in found:
        return -1
    return min(len(s) for s in found) * 1000 - len(found)


def _required(node: tuple[Any, Any]) -> set[str] | None:
    exact = _exact(node)
    if exact is not None and "" not in exact:
        return exact
    op, av = node
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, body = av
        return None if add_flags & re.IGNORECASE else _required_seq(list(body))
    if op is _c.BRANCH:
        out: set[str] = set()
        for alternative in av[1]:
            found = _required_seq(list(alternative))
            if not found:
                return None  # one branch needs nothing: the whole needs nothing
            out |= found
        return out
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1:
        return _required_seq(list(av[2]))
    return None  # look-arounds are not counted: what they see need not be in the match


def _required_seq(seq: Sequence[tuple[Any, Any]]) -> set[str] | None:
    """The best of: each run of exact elements (as the product of their strings), and what
    each other element requires."""
    best: set[str] | None = None
    run = {""}

    def consider(found: set[str] | None) -> None:
        nonlocal best
        if _score(found) > _score(best):
            best = found

    for node in seq:
        exact = _exact(node)
        if exact is not None:
            product = {a + b for a in run for b in exact}
            if len(product) > _MAX_SET:
                consider(run)
                product = exact
            run = product
            continue
        consider(run)
        run = {""}
        consider(_required(node))
    consider(run)
    return best


@dataclass
class LiteralIndex:
    """Which of many regexes may match a text: those with a required literal in it, and
    those without a usable literal (always)."""

    size: int = 0
    always: list[int] = field(default_factory=list)
    # The first _KEY characters of a literal -> (literal, regex numbers).
    by_key: dict[str, list[tuple[str, tuple[int, ...]]]] = field(default_factory=dict)

    @classmethod
    def build(cls, literal_sets: Sequence[frozenset[str] | None]) -> LiteralIndex:
        index = cls(size=len(literal_sets))
        owners: dict[str, list[int]] = {}
        for number, literals in enumerate(literal_sets):
            # A literal shorter than the key is in nearly every text: no use as a filter.
            if not literals or min(len(s) for s in literals) < _KEY:
                index.always.append(number)
                continue
            for literal in literals:
                owners.setdefault(literal, []).append(number)
        for literal, numbers in owners.items():
            index.by_key.setdefault(literal[:_KEY], []).append((literal, tuple(numbers)))
        return index

    def candidates(self, text: str) -> list[int]:
        """Numbers (ascending) of the regexes that may match `text`."""
        if not ENABLED:
            return list(range(self.size))
        found = set(self.always)
        by_key = self.by_key
        for key in {text[i : i + _KEY] for i in range(len(text) - _KEY + 1)}:
            for literal, numbers in by_key.get(key, ()):
                if len(literal) == _KEY or literal in text:
                    found.update(numbers)
        return sorted(found)


class Alternation:
    """`re.compile("|".join(f"(?:{b})" for b in branches))` with the same leftmost-first
    matches, running only the branches whose literals are in the text.

    `word_start`: a match must begin at a word start (checked here rather than as a leading
    \\b, as bot/risk.py does for speed)."""

    def __init__(self, branches: Sequence[str], word_start: bool) -> None:
        self.branches = tuple(re.compile(b) for b in branches)
        self.word_start = word_start
        self.literals = tuple(required_literals(b) for b in branches)
        self.index = LiteralIndex.build(self.literals)
        self._sources = tuple(branches)
        self._joined: re.Pattern[str] | None = None

    def _first(self, number: int, text: str, pos: int) -> tuple[int, int] | None:
        return first_match(self.branches[number], text, pos, self.word_start)

    def spans(self, text: str, candidates: Sequence[int] | None = None) -> list[tuple[int, int]]:
        """The matches, left to right; `candidates`: the branches that may match, when the
        caller looked them up (AlternationGroup)."""
        if not ENABLED:
            if self._joined is None:
                self._joined = re.compile("|".join(f"(?:{b})" for b in self._sources))
            return regex_spans(self._joined, text, self.word_start)
        if candidates is None:
            candidates = self.index.candidates(text)
        if not candidates:
            return []
        # A branch's next match does not depend on where the search began (look-behinds and
        # ^ see the whole text), so it is kept until the scan passes its start.
        upcoming: dict[int, tuple[int, int] | None] = {}
        found: list[tuple[int, int]] = []
        pos = 0
        while pos <= len(text):
            best: tuple[int, int] | None = None
            for number in candidates:
                if number in upcoming:
                    nxt = upcoming[number]
                    if nxt is not None and nxt[0] < pos:
                        nxt = upcoming[number] = self._first(number, text, pos)
                else:
                    nxt = upcoming[number] = self._first(number, text, pos)
                if nxt is not None and (best is None or nxt[0] < best[0]):
                    best = nxt  # strict: on a tie the earlier branch wins, as in "|"
            if best is None:
                break
            start, end = best
            if end > start:
                found.append(best)
            pos = end if end > start else start + 1
        return found


class AlternationGroup:
    """Several alternations scanned over one text, with one literal lookup for all."""

    def __init__(self, alternations: Sequence[Alternation]) -> None:
        self.alternations = tuple(alternations)
        self.owner: list[tuple[int, int]] = []  # index number -> (alternation, branch)
        literal_sets: list[frozenset[str] | None] = []
        for number, alternation in enumerate(self.alternations):
            for branch, literals in enumerate(alternation.literals):
                self.owner.append((number, branch))
                literal_sets.append(literals)
        self.index = LiteralIndex.build(literal_sets)

    def spans(self, text: str) -> list[list[tuple[int, int]]]:
        """Each alternation's matches, in the group's order."""
        per: list[list[int]] = [[] for _ in self.alternations]
        for number in self.index.candidates(text):  # ascending: branches stay in order
            alternation, branch = self.owner[number]
            per[alternation].append(branch)
        return [
            alternation.spans(text, branches) if branches else []
            for alternation, branches in zip(self.alternations, per, strict=True)
        ]


def blank_matches(
    regexes: Sequence[Any],
    index: LiteralIndex,
    text: str,
    keep: Callable[[int, int], bool] = lambda _start, _end: True,
) -> str:
    """Apply each regex in order to the text as the previous ones left it, blanking every
    match that `keep` accepts with spaces (offsets stay valid). A regex without a literal in
    the text is skipped; after a blanking the rest are looked up again, since blanks can join
    words into a literal."""
    pending = index.candidates(text)
    at = 0
    while at < len(pending):
        number = pending[at]
        at += 1
        changed = False
        for start, end in regexes[number].spans(text):
            if keep(start, end):
                text = text[:start] + " " * (end - start) + text[end:]
                changed = True
        if changed:
            pending = [n for n in index.candidates(text) if n > number]
            at = 0
    return text
