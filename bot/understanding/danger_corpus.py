"""The labelled danger/calm sets (eval/risk_*.yaml) as typed items, for training and evaluation.

Which sets the shipped danger model learns from is fixed here (`TRAINING_SETS`), not taken from
a glob: a new set dropped into eval/ to be measured must never be learned from by accident.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
EVAL_DIR = Path(__file__).resolve().parents[2] / "eval"
KINDS: tuple[str, ...] = ("self_harm", "violence", "sexual_abuse", "neglect", "threats")
CHECK = "check"  # label of a wish to die tied to school: a gentle question, no urgent flag
LABELS: tuple[str, ...] = (*KINDS, CHECK)
TRAINING_SETS: tuple[str, ...] = (
    "risk_eval.yaml",
    "risk_heldout.yaml",
    "risk_dev.yaml",
    "risk_fresh.yaml",
    "risk_categories.yaml",
    "risk_fresh2.yaml",
    "risk_fresh3.yaml",
    "risk_fresh4.yaml",
    "risk_fresh5.yaml",
)


@dataclass(frozen=True)
class DangerItem:
    text: str
    labels: frozenset[str]  # empty = calm; kinds, or {"check"} for a check message
    category: str  # finer category (or the kind, or "calm") for reports
    source: str  # the set's file name


@functools.lru_cache(maxsize=32)
def load_set(path: Path) -> tuple[DangerItem, ...]:
    with open(path, encoding="utf-8") as fh:
        raw = yaml.load(fh, Loader=_LOADER) or {}
    items = []
    for row in raw.get("risk") or []:
        if row.get("check"):
            labels = frozenset({CHECK})
        else:
            labels = frozenset(row.get("kinds") or [])
            if not labels or not labels <= set(KINDS):
                raise ValueError(f"{path.name}: bad kinds {row.get('kinds')} for {row['text']!r}")
        category = row.get("category") or ("check" if row.get("check") else sorted(labels)[0])
        items.append(DangerItem(str(row["text"]), labels, category, path.name))
    for row in raw.get("calm") or []:
        items.append(DangerItem(str(row["text"]), frozenset(), "calm", path.name))
    return tuple(items)


def intake_answers() -> tuple[DangerItem, ...]:
    """Realistic answers to the intake's free-text questions (the area corpus's train and dev
    parts; its frozen test part is never learned from), as calm examples: they teach the model
    how ordinary intake answers sound ("fysik og kemi giver ingen mening for mig"). They are not
    labelled for danger, so the caller drops those the lexicon flags (`danger_model.training_data`).
    """
    from bot.understanding.corpus import TRAIN_PARTS, load_part

    return tuple(
        DangerItem(item.text, frozenset(), "calm", f"areas/{part}.yaml")
        for part in TRAIN_PARTS
        for item in load_part(part)
    )


def training_items(
    exclude: frozenset[str] = frozenset(), sets: tuple[str, ...] = TRAINING_SETS
) -> tuple[DangerItem, ...]:
    """Items of the training sets, without the sets named in `exclude` (leave-one-set-out)."""
    return tuple(item for name in sets if name not in exclude for item in load_set(EVAL_DIR / name))
