"""The labelled free-text corpus (eval/areas/*.yaml): typed items and per-label scores."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.understanding.vocabulary import AREA_ORDER

CORPUS_DIR = Path(__file__).resolve().parents[2] / "eval" / "areas"
# What the shipped model learns from: the first writer's train and dev parts and seven parts by
# other writers (parents, pupils, hard mixed cases, teens, parents and younger pupils, short
# answers, second-language parents); "test" and the blind sets stay frozen.
TRAIN_PARTS = (
    "train",
    "dev",
    "train_parents",
    "train_pupils",
    "train_mixed",
    "train_teens",
    "train_parents2",
    "train_short",
    "train_voices",
    "train_situations",
    "train_everyday",
    "train_contrasts",
)
# train_long.yaml and train_family_named.yaml are written and labelled like the others but not
# learnt: with them the model read a grandparent's pain as no news from home ("mormor har ondt i
# ryggen", p 0.50) and, with the long answers alone, a sibling merely named as news from home;
# neither moved the cross-validation or the development sets (eval/areas/README.md). Since the
# lexicon reads a parent's pain as news from home (areas.yaml, others_state.become) the unit
# tests pass with them, but the development sets still do not gain (blind2 0.953 -> 0.946,
# blind4 0.896 -> 0.895), so they stay out.


@dataclass(frozen=True)
class Item:
    id: str
    who: str
    text: str
    areas: frozenset[str]
    kinds: frozenset[str]


@functools.lru_cache(maxsize=8)
def load_part(name: str, directory: Path = CORPUS_DIR) -> tuple[Item, ...]:
    with open(directory / f"{name}.yaml", encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    items = []
    for row in raw.get("items") or []:
        areas = frozenset(row.get("areas") or [])
        if not areas <= set(AREA_ORDER):
            raise ValueError(f"{name}.yaml {row.get('id')}: unknown area {sorted(areas)}")
        if row.get("who") not in ("parent", "pupil"):
            raise ValueError(f"{name}.yaml {row.get('id')}: who must be parent or pupil")
        items.append(
            Item(
                str(row["id"]),
                row["who"],
                str(row["text"]),
                areas,
                frozenset(row.get("kinds") or []),
            )
        )
    return tuple(items)


def training_items() -> tuple[Item, ...]:
    return tuple(item for part in TRAIN_PARTS for item in load_part(part))


@dataclass(frozen=True)
class Scores:
    """Per-label and micro precision/recall/F1 of predicted area sets against gold sets."""

    per_label: dict[str, tuple[float, float, float, int]]  # label -> (P, R, F1, support)
    micro: tuple[float, float, float]
    exact: float  # share of answers whose whole area set is right


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(items: Iterable[Item], predict: Callable[[str], Iterable[str]]) -> Scores:
    counts = {a: [0, 0, 0] for a in AREA_ORDER}  # tp, fp, fn
    exact = n = 0
    for item in items:
        got = set(predict(item.text))
        n += 1
        exact += got == set(item.areas)
        for a in AREA_ORDER:
            if a in got and a in item.areas:
                counts[a][0] += 1
            elif a in got:
                counts[a][1] += 1
            elif a in item.areas:
                counts[a][2] += 1
    per_label = {a: (*prf(*c), c[0] + c[2]) for a, c in counts.items()}
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    return Scores(per_label, prf(*total), exact / n if n else 1.0)
