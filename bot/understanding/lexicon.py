"""Match the area vocabulary in free text, with negation and without guessing at names.

Words are compared on the ASCII fold. A stem ("mobb*") matches word starts. A typo is tolerated
only in words of seven letters or more and only one edit away ("skilsmise", "mobnning"): shorter
words collide with names and other words ("Mette" is no "matte", "lære" no "larm").

A term is negated when a negator ("ikke", "aldrig", "ingen") stands before it with only bridge
words in between ("han bliver ikke drillet", "ikke noget med lærerne"), but not across a content
word ("han kan ikke lide sin lærer" still names the teacher) or a clause break.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from bot.normalize import fold, keyword_matches
from bot.understanding.vocabulary import Term, Vocabulary, load_vocabulary

_TOKEN = re.compile(r"[^\W_]+|[.,;:!?]+")
_MIN_FUZZY = 8


@dataclass(frozen=True)
class Token:
    folded: str
    original: str
    is_word: bool


def tokens(text: str, vocab: Vocabulary | None = None) -> list[Token]:
    """Words (folded, chat spellings respelled) and punctuation marks, in order."""
    respell = (vocab or load_vocabulary()).respell
    out = []
    for m in _TOKEN.finditer(text or ""):
        raw = m.group(0)
        word = raw[0].isalnum()
        folded = fold(raw) if word else raw
        out.append(Token(respell.get(folded, folded), raw, word))
    return out


@functools.lru_cache(maxsize=65536)
def word_matches(word: str, pattern: str) -> bool:
    """Does a folded word match a folded term word ("stem*" or a whole word)?"""
    stem = pattern.endswith("*")
    return keyword_matches(word, pattern[:-1] if stem else pattern, stem, _MIN_FUZZY)


class _Index:
    """Terms by their first word, so a text is compared with the few terms that can start at
    each of its words instead of with every term (the hot path: one call per answer)."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.exact: dict[str, list[tuple[int, Term]]] = {}
        self.stems: dict[str, list[tuple[int, Term]]] = {}  # first letter -> stem terms
        self.fuzzy: dict[str, list[tuple[int, Term]]] = {}  # first letter -> long exact words
        for rank, term in enumerate(vocab.terms):
            first = term.words[0]
            if first.endswith("*"):
                self.stems.setdefault(first[:1], []).append((rank, term))
            else:
                self.exact.setdefault(first, []).append((rank, term))
                if len(first) >= _MIN_FUZZY:
                    self.fuzzy.setdefault(first[:1], []).append((rank, term))
        self._cache: dict[str, tuple[tuple[int, Term], ...]] = {}

    def starting_with(self, word: str) -> tuple[tuple[int, Term], ...]:
        found = self._cache.get(word)
        if found is None:
            cands = list(self.exact.get(word, ()))
            cands += [c for c in self.stems.get(word[:1], ()) if word_matches(word, c[1].words[0])]
            cands += [
                c
                for c in self.fuzzy.get(word[:1], ())
                if c[1].words[0] != word and word_matches(word, c[1].words[0])
            ]
            found = tuple(cands)
            if len(self._cache) > 50000:
                self._cache.clear()
            self._cache[word] = found
        return found


@functools.lru_cache(maxsize=4)
def _index(vocab: Vocabulary) -> _Index:
    return _Index(vocab)


def _matches(toks: list[Token], vocab: Vocabulary) -> list[tuple[int, int, int, Term]]:
    """(rank, start, end, term) of every term occurrence; rank = position in vocab.terms."""
    index = _index(vocab)
    out = []
    for i, tok in enumerate(toks):
        if not tok.is_word:
            continue
        for rank, term in index.starting_with(tok.folded):
            n = len(term.words)
            if i + n <= len(toks) and all(
                toks[i + j].is_word and word_matches(toks[i + j].folded, term.words[j])
                for j in range(1, n)
            ):
                out.append((rank, i, i + n, term))
    out.sort(key=lambda m: (m[0], m[1]))
    return out


def negated(toks: list[Token], start: int, vocab: Vocabulary) -> bool:
    """A negator before `start` with only bridge words between (at most three of them)."""
    i = start - 1
    bridged = 0
    while i >= 0:
        tok = toks[i]
        if not tok.is_word or tok.folded in vocab.clause_breaks:
            return False
        if tok.folded in vocab.negators:
            return True
        if tok.folded not in vocab.negation_bridge or bridged == 3:
            return False
        bridged += 1
        i -= 1
    return False


def reassured(toks: list[Token], end: int, vocab: Vocabulary) -> bool:
    """The words after `end` reassure: a link ("er"), fill words, a reassuring word, and then
    the clause ends ("lærerne er søde", "klassen er fin nok, men ...")."""
    i = end
    if i >= len(toks) or toks[i].folded not in vocab.reassure_links:
        return False
    i += 1
    while i < len(toks) and toks[i].folded in vocab.reassure_fill:
        i += 1
    if i >= len(toks) or toks[i].folded not in vocab.reassure_words:
        return False
    i += 1
    return (
        i >= len(toks)
        or not toks[i].is_word
        or toks[i].folded in vocab.clause_breaks
        or toks[i].folded in vocab.reassure_ends
    )


def others_state(toks: list[Token], start: int, vocab: Vocabulary) -> bool:
    """The clause before `start` names another person first ("mor er ked af det", "hans far
    er deprimeret"), not the child ("mor siger han er ked af det")."""
    i = start - 1
    while i >= max(0, start - vocab.others_window):
        tok = toks[i]
        if not tok.is_word or tok.folded in vocab.clause_breaks:
            return False
        if tok.folded in vocab.selves_words:
            return False
        if tok.folded in vocab.others_words:
            return True
        i -= 1
    return False


@dataclass(frozen=True)
class LexiconHit:
    area: str
    kind: str
    matched: str  # the words as the person wrote them
    start: int  # token positions
    end: int


def scan(text: str, vocab: Vocabulary | None = None) -> list[LexiconHit]:
    """Every non-negated vocabulary hit, in text order; a token belongs to one hit only."""
    vocab = vocab or load_vocabulary()
    toks = tokens(text, vocab)
    taken: set[int] = set()
    found: list[LexiconHit] = []
    for _rank, start, end, term in _matches(toks, vocab):
        if any(i in taken for i in range(start, end)):
            continue
        taken.update(range(start, end))  # also when negated: "ikke drillet" is no "drill*" hit
        if not term.has_negator and (negated(toks, start, vocab) or reassured(toks, end, vocab)):
            continue
        area, kind = term.area, term.kind
        if area == vocab.others_area and others_state(toks, start, vocab):
            kind = vocab.others_become.get(kind, "")  # a parent's sadness is news from home
            if not kind:
                continue
            area = vocab.kinds[kind]
        words = " ".join(t.original for t in toks[start:end])
        found.append(LexiconHit(area, kind, words, start, end))
    found.sort(key=lambda h: h.start)
    return _drop_situational(toks, found, vocab)


def _drop_situational(
    toks: list[Token], found: list[LexiconHit], vocab: Vocabulary
) -> list[LexiconHit]:
    """Drop a feeling hit that is tied by "for"/"ved" to a hit of another area right after."""
    if not vocab.situational_kinds:
        return found
    out = []
    for hit in found:
        if hit.kind in vocab.situational_kinds:
            after = range(hit.end, min(hit.end + 2, len(toks)))
            link = next((i for i in after if toks[i].folded in vocab.situational_links), None)
            if link is not None and any(
                other.area != hit.area and link < other.start <= link + vocab.situational_window
                for other in found
            ):
                continue
        out.append(hit)
    return out


# Prefixes of the model's input words: negated or reassured, and about another person.
NEGATED = "ikke_"
OTHERS = "anden_"


def negation_marked(text: str, vocab: Vocabulary | None = None) -> list[str]:
    """Folded words as the model reads them: the words inside a negation's scope, and a word a
    reassurance follows ("lærerne er søde"), prefixed NEGATED; the words right after another
    person is named ("mor er ked af det"), prefixed OTHERS, so that the mother's sadness does
    not teach the model the child's."""
    vocab = vocab or load_vocabulary()
    out: list[str] = []
    scope = 0
    other = 0
    toks = tokens(text, vocab)
    for i, tok in enumerate(toks):
        if not tok.is_word or tok.folded in vocab.clause_breaks:
            scope = 0
            other = 0
            continue
        if tok.folded in vocab.selves_words:
            other = 0
        elif tok.folded in vocab.others_words:
            out.append(tok.folded)
            other = vocab.others_window
            continue
        if other and not scope and tok.folded not in vocab.negators:
            other -= 1
            out.append(OTHERS + tok.folded)
            continue
        if tok.folded in vocab.negators:
            out.append(tok.folded)
            scope = 3
            continue
        if scope:
            out.append(NEGATED + tok.folded)
            scope = scope - 1 if tok.folded in vocab.negation_bridge else 0
        elif reassured(toks, i + 1, vocab):
            out.append(NEGATED + tok.folded)
        else:
            out.append(tok.folded)
    return out
