"""Typed loader for the free-text area vocabulary (`areas.yaml`).

The vocabulary is data: terms per area and signal kind, the words that negate a term, and the
Danish topic names the reflection uses. Terms are folded to ASCII once here (æ->ae, ø->oe,
å->aa) so the matcher compares folded words only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.normalize import fold

VOCABULARY_PATH = Path(__file__).with_name("areas.yaml")
AREA_ORDER: tuple[str, ...] = ("skole", "kammerater", "hjem", "barnet", "fritid")
ROLES = ("parent", "pupil")


@dataclass(frozen=True)
class Term:
    """One lexicon term: words in order; a word ending in "*" is a stem."""

    area: str
    kind: str
    words: tuple[str, ...]  # folded, "*" kept on stems
    text: str  # as written in the YAML

    @property
    def has_negator(self) -> bool:
        return bool(self.words) and self.words[0] in ("ikke", "ingen", "aldrig", "ik")


@dataclass(frozen=True, eq=False)  # identity hash: the matcher caches its index per vocabulary
class Vocabulary:
    terms: tuple[Term, ...]  # longest first, so "ondt i maven" wins over a shorter overlap
    kinds: dict[str, str]  # kind -> area
    neutral_kinds: frozenset[str]
    negators: frozenset[str]
    negation_bridge: frozenset[str]  # words that may stand between a negator and the term
    clause_breaks: frozenset[str]
    respell: dict[str, str]  # folded chat spelling -> folded canonical word
    situational_kinds: frozenset[str]
    situational_links: frozenset[str]
    situational_window: int
    # "lærerne er søde", "klassen er fin nok": a word followed by a link, fill words and a
    # reassuring word (then the clause ends) is no worry.
    reassure_links: frozenset[str]
    reassure_fill: frozenset[str]
    reassure_words: frozenset[str]
    reassure_ends: frozenset[str]  # words that may follow the reassuring word
    # "mor er ked af det": a hit in others_area whose clause names another person first.
    others_area: str
    others_words: frozenset[str]
    selves_words: frozenset[str]
    others_window: int
    # ... and which of its kinds become news from home, as which kind ("mor er ked af det" ->
    # hjem); a kind not listed is dropped ("far er bange for ..." is a worry about the child).
    others_become: dict[str, str]
    area_topic: dict[str, dict[str, str]]  # role -> area -> Danish topic
    kind_topic: dict[str, str]  # kind -> Danish topic


def _words(term: str) -> tuple[str, ...]:
    return tuple(fold(w) if not w.endswith("*") else fold(w[:-1]) + "*" for w in term.split())


def _fold_set(raw: object, name: str) -> frozenset[str]:
    if not isinstance(raw, list) or not all(isinstance(w, str) for w in raw):
        raise ValueError(f"areas.yaml: '{name}' must be a list of words")
    return frozenset(fold(w) for w in raw)


def parse_vocabulary(raw: dict[str, object]) -> Vocabulary:
    """Build and check a Vocabulary from the parsed YAML (raises ValueError on bad data)."""
    areas = raw.get("areas")
    if not isinstance(areas, dict) or set(areas) != set(AREA_ORDER):
        raise ValueError(f"areas.yaml: 'areas' must have exactly {AREA_ORDER}")
    terms: list[Term] = []
    kinds: dict[str, str] = {}
    for area, by_kind in areas.items():
        if not isinstance(by_kind, dict):
            raise ValueError(f"areas.yaml: area {area} must map kinds to term lists")
        for kind, items in by_kind.items():
            if kind in kinds:
                raise ValueError(f"areas.yaml: kind {kind} is listed under two areas")
            if not isinstance(items, list) or not all(isinstance(t, str) and t for t in items):
                raise ValueError(f"areas.yaml: {area}.{kind} must be a list of terms")
            kinds[kind] = area
            terms.extend(Term(area, kind, _words(t), t) for t in items)
    neutral = frozenset(raw.get("neutral_kinds") or [])
    if not neutral <= set(kinds):
        raise ValueError(f"areas.yaml: unknown neutral kinds {sorted(neutral - set(kinds))}")
    area_topic = raw.get("area_topic")
    if not isinstance(area_topic, dict) or set(area_topic) != set(ROLES):
        raise ValueError("areas.yaml: 'area_topic' needs parent and pupil")
    for role in ROLES:
        if set(area_topic[role]) != set(AREA_ORDER):
            raise ValueError(f"areas.yaml: area_topic.{role} must name every area")
    kind_topic = raw.get("kind_topic") or {}
    if not isinstance(kind_topic, dict) or not set(kind_topic) <= set(kinds):
        raise ValueError("areas.yaml: kind_topic has unknown kinds")
    terms.sort(key=lambda t: -len(t.words))
    respell_raw = raw.get("respell") or {}
    if not isinstance(respell_raw, dict):
        raise ValueError("areas.yaml: 'respell' must map a word to its chat spellings")
    respell = {
        fold(variant): fold(word)
        for word, variants in respell_raw.items()
        for variant in _fold_set(variants, f"respell.{word}")
    }
    situational = raw.get("situational") or {}
    if not isinstance(situational, dict):
        raise ValueError("areas.yaml: 'situational' must be a mapping")
    situational_kinds = frozenset(situational.get("kinds") or [])
    if not situational_kinds <= set(kinds):
        raise ValueError("areas.yaml: situational.kinds has unknown kinds")
    reassurance = raw.get("reassurance") or {}
    if not isinstance(reassurance, dict):
        raise ValueError("areas.yaml: 'reassurance' must be a mapping")
    others = raw.get("others_state") or {}
    if not isinstance(others, dict):
        raise ValueError("areas.yaml: 'others_state' must be a mapping")
    others_area = str(others.get("area") or "barnet")
    if others_area not in AREA_ORDER:
        raise ValueError(f"areas.yaml: others_state.area {others_area} is no area")
    become = others.get("become") or {}
    if not isinstance(become, dict):
        raise ValueError("areas.yaml: 'others_state.become' must be a mapping")
    become_kind = become.get("kind")
    become_from = frozenset(become.get("from") or [])
    if become_kind is not None and become_kind not in kinds:
        raise ValueError(f"areas.yaml: others_state.become.kind {become_kind} is no kind")
    if not become_from <= {k for k, a in kinds.items() if a == others_area}:
        raise ValueError(f"areas.yaml: others_state.become.from must be kinds of {others_area}")
    return Vocabulary(
        terms=tuple(terms),
        kinds=kinds,
        neutral_kinds=neutral,
        negators=_fold_set(raw.get("negators"), "negators"),
        negation_bridge=_fold_set(raw.get("negation_bridge"), "negation_bridge"),
        clause_breaks=_fold_set(raw.get("clause_breaks"), "clause_breaks"),
        respell=respell,
        situational_kinds=situational_kinds,
        situational_links=_fold_set(situational.get("links") or [], "situational.links"),
        situational_window=int(situational.get("window") or 0),
        reassure_links=_fold_set(reassurance.get("links") or [], "reassurance.links"),
        reassure_fill=_fold_set(reassurance.get("fill") or [], "reassurance.fill"),
        reassure_words=_fold_set(reassurance.get("words") or [], "reassurance.words"),
        reassure_ends=_fold_set(reassurance.get("ends") or [], "reassurance.ends"),
        others_area=others_area,
        others_words=_fold_set(others.get("others") or [], "others_state.others"),
        selves_words=_fold_set(others.get("selves") or [], "others_state.selves"),
        others_window=int(others.get("window") or 0),
        others_become=dict.fromkeys(become_from, become_kind) if become_kind else {},
        area_topic={r: dict(area_topic[r]) for r in ROLES},
        kind_topic=dict(kind_topic),
    )


@functools.lru_cache(maxsize=4)
def load_vocabulary(path: Path = VOCABULARY_PATH) -> Vocabulary:
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    if not isinstance(raw, dict):
        raise ValueError(f"{path.name}: expected a mapping")
    return parse_vocabulary(raw)
