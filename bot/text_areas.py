"""Map free text ("Hvad gør skolen svær?") to the five focus areas and to signals.

The public face of `bot.understanding`: the vocabulary lives in
`bot/understanding/areas.yaml`, the matcher (negation, no guessing at names) in
`bot/understanding/lexicon.py`, and the classifier chosen by measurement on the frozen test part
of `eval/areas/` in `bot/understanding/classifier.py`. The reflection follows that classifier.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from bot.understanding import classifier
from bot.understanding.lexicon import LexiconHit, scan
from bot.understanding.vocabulary import AREA_ORDER, load_vocabulary

__all__ = ["AREA_ORDER", "AreaHit", "classify_areas", "reflect", "signals_from_text"]


@dataclass(frozen=True)
class AreaHit:
    area: str
    kinds: tuple[str, ...]
    matched: tuple[str, ...]  # the words from the text that matched (as the user wrote them)

    def to_dict(self) -> dict[str, object]:
        return {"area": self.area, "kinds": list(self.kinds), "matched": list(self.matched)}


@functools.lru_cache(maxsize=256)
def _hits(text: str) -> tuple[LexiconHit, ...]:
    # Cached: one answer is scanned for its areas, its signals and its reflection.
    return tuple(scan(text))


def classify_areas(text: str) -> list[AreaHit]:
    """Areas the text touches (default area order), with the kinds and words the vocabulary
    found there; an area only the model saw has no kinds."""
    by_area: dict[str, tuple[list[str], list[str]]] = {}
    for hit in _hits(text):
        kinds, words = by_area.setdefault(hit.area, ([], []))
        if hit.kind not in kinds:
            kinds.append(hit.kind)
        if hit.matched not in words:
            words.append(hit.matched)
    chosen = classifier.areas_of(text)
    return [
        AreaHit(a, tuple(by_area.get(a, ([], []))[0]), tuple(by_area.get(a, ([], []))[1]))
        for a in AREA_ORDER
        if a in chosen
    ]


def signals_from_text(text: str) -> list[tuple[str, str, str]]:
    """Concern signals in free text as (area, kind, matched); neutral mentions are left out."""
    neutral = load_vocabulary().neutral_kinds
    chosen = set(classifier.areas_of(text))
    seen: set[tuple[str, str, str]] = set()
    out = []
    for hit in _hits(text):
        signal = (hit.area, hit.kind, hit.matched)
        if hit.kind not in neutral and hit.area in chosen and signal not in seen:
            seen.add(signal)
            out.append(signal)
    return out


def _join(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " og " + items[-1]


def _topics(hit: AreaHit, role: str) -> list[str]:
    """Up to two specific topics for the area, else the area's own name."""
    vocab = load_vocabulary()
    specific = [vocab.kind_topic[k] for k in hit.kinds if k in vocab.kind_topic][:2]
    return specific or [vocab.area_topic[role][hit.area]]


def reflect(hits: list[AreaHit], role: str) -> str:
    """One warm Danish sentence that reflects the areas back to the person."""
    r = "pupil" if role in ("pupil", "elev") else "parent"
    if not hits:
        if r == "pupil":
            return "Tak, fordi du fortæller det. Det er godt at vide."
        return "Tak, fordi du skriver det. Det tager vi med videre."
    topics: list[str] = []
    for hit in hits:
        for topic in _topics(hit, r):
            if topic not in topics and len(topics) < 3:
                topics.append(topic)
    phrase = _join([f"om {t}" for t in topics])
    if r == "pupil":
        return f"Tak. Jeg kan høre, at det handler {phrase}."
    return f"Tak. Jeg hører, at det især handler {phrase}."


# Train the chosen classifier's model while the action server starts, not on the first answer.
classifier.warm_up_in_background()
