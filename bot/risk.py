"""Detect danger signals in free text: self-harm, violence, sexual abuse, neglect, threats.

Layered on `risk_lexicon.yaml`, all on the ASCII fold of the text (æ->ae, ø->oe, å->aa):
1. known idioms are blanked out ("keder mig ihjel", "matematik slår mig ihjel", "dødtræt");
2. regex patterns per kind (who does what to whom: "min far slår mig", "vil ikke leve mere");
3. keywords per kind with stems and typo tolerance ("selvmor", "voldtaegt").
It errs on the side of raising the alarm: a false alarm shows help numbers; a miss can cost a
child. `matches` are quoted from the original text so the worker sees the person's own words.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.normalize import fold

KINDS: tuple[str, ...] = ("self_harm", "violence", "sexual_abuse", "neglect", "threats")
LEXICON_PATH = Path(__file__).with_name("risk_lexicon.yaml")
_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class RiskResult:
    is_risk: bool
    kinds: list[str] = field(default_factory=list)
    matches: list[str] = field(default_factory=list)  # the person's own words

    def to_dict(self) -> dict[str, Any]:
        return {"is_risk": self.is_risk, "kinds": list(self.kinds), "matches": list(self.matches)}


@dataclass(frozen=True)
class _Lexicon:
    idioms: tuple[re.Pattern[str], ...]
    patterns: dict[str, tuple[re.Pattern[str], ...]]
    keywords: dict[str, tuple[str, ...]]


@lru_cache(maxsize=2)
def _lexicon(path: Path = LEXICON_PATH) -> _Lexicon:
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    macros: dict[str, str] = raw.get("macros") or {}

    def compile_(rx: str) -> re.Pattern[str]:
        for name, value in macros.items():
            rx = rx.replace("{" + name + "}", value)
        return re.compile(rx)

    kinds = raw["kinds"]
    return _Lexicon(
        idioms=tuple(compile_(rx) for rx in raw.get("idioms") or []),
        patterns={k: tuple(compile_(rx) for rx in kinds[k].get("patterns") or []) for k in KINDS},
        keywords={k: tuple(kinds[k].get("keywords") or []) for k in KINDS},
    )


def _fold_with_map(text: str) -> tuple[str, list[int]]:
    """Fold like `bot.normalize.fold`, keeping for each folded char its index in `text`."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(unicodedata.normalize("NFC", text)):
        piece = " " if ch.isspace() else fold(ch) if ch.strip() else ""
        for c in piece:
            if c == " " and (not out or out[-1] == " "):
                continue  # collapse whitespace
            out.append(c)
            index.append(i)
    return "".join(out), index


def _keyword_hit(token: str, keyword: str) -> bool:
    if keyword.endswith("*"):
        stem = keyword[:-1]
        if token.startswith(stem):
            return True
        # A typo inside a long stem ("selvmor" for "selvmord").
        head = token[: len(stem)]
        return len(stem) >= 7 and difflib.SequenceMatcher(None, head, stem).ratio() >= 0.9
    if token == keyword:
        return True
    return len(keyword) >= 6 and difflib.SequenceMatcher(None, token, keyword).ratio() >= 0.85


def detect_risk(text: str) -> RiskResult:
    """Return which danger kinds the text signals, with the words that raised them."""
    original = unicodedata.normalize("NFC", text or "")
    folded, index = _fold_with_map(original)
    lex = _lexicon()
    # Layer 1: blank idioms with spaces so offsets stay valid.
    for rx in lex.idioms:
        folded = rx.sub(lambda m: " " * len(m.group(0)), folded)

    spans: dict[str, list[tuple[int, int]]] = {}
    for kind in KINDS:
        for rx in lex.patterns[kind]:
            for m in rx.finditer(folded):
                if m.end() > m.start():
                    spans.setdefault(kind, []).append((m.start(), m.end()))
        for tok in _TOKEN.finditer(folded):
            if any(_keyword_hit(tok.group(0), kw) for kw in lex.keywords[kind]):
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
            words = original[index[start] : index[end - 1] + 1].strip(" .,!?")
            if words and words not in matches:
                matches.append(words)
    return RiskResult(bool(kinds), kinds, matches)
