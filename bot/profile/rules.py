"""Typed loader for `rules.yaml`: how answers and text signals count in the cause profile."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.questionnaire import AREA_KEYS, FUNCTIONS

RULES_PATH = Path(__file__).with_name("rules.yaml")
KindClass = Literal["key", "ordinary", "consequence", "context"]
ATTENDANCE_KINDS = ("school_refusal", "truancy", "withdrawal", "exclusion")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KindRule(_Model):
    label: str
    class_: KindClass = Field(alias="class")
    function: str | None = None
    # The area the kind is reported under, whichever area the text lexicon gives it, so one
    # concern is never shown in two areas.
    area: str | None = None

    @model_validator(mode="after")
    def _check(self) -> KindRule:
        if self.function is not None and self.function not in FUNCTIONS:
            raise ValueError(f"unknown function {self.function!r}")
        if self.area is not None and self.area not in AREA_KEYS:
            raise ValueError(f"unknown area {self.area!r}")
        return self


class Combination(_Model):
    all_of: list[str]
    min_value: int
    kind: str
    area: str


class Threshold(_Model):
    answers: int
    kinds: int


class HypothesisRule(_Model):
    clear: Threshold
    possible: Threshold
    not_alone: list[str] = Field(default_factory=list)


class AttendanceRule(_Model):
    label: str
    explain: str
    options: list[str] = Field(default_factory=list)
    kinds: list[str] = Field(default_factory=list)


class ResourceAnswer(_Model):
    max_concern: int
    label: str


class Rules(_Model):
    levels: dict[int, str]
    kinds: dict[str, KindRule]
    combinations: list[Combination] = Field(default_factory=list)
    functions: dict[str, str]
    hypothesis: HypothesisRule
    attendance: dict[str, AttendanceRule]
    resource_answers: dict[str, ResourceAnswer] = Field(default_factory=dict)
    resource_texts: list[str] = Field(default_factory=list)
    how_made: list[str]

    @model_validator(mode="after")
    def _check(self) -> Rules:
        if set(self.functions) != set(FUNCTIONS):
            raise ValueError(f"functions must be {FUNCTIONS}")
        if set(self.attendance) != set(ATTENDANCE_KINDS):
            raise ValueError(f"attendance must be {ATTENDANCE_KINDS}")
        if sorted(self.levels) != [0, 1, 2, 3]:
            raise ValueError("levels must be 0..3")
        for c in self.combinations:
            if c.kind not in self.kinds or c.area not in AREA_KEYS:
                raise ValueError(f"combination {c.kind}: unknown kind or area")
        for kind in self.hypothesis.not_alone:
            if kind not in self.kinds:
                raise ValueError(f"not_alone: unknown kind {kind}")
        return self

    def kind(self, kind: str) -> KindRule:
        """The rule for a kind; an unknown kind (e.g. new in the text lexicon) is ordinary."""
        return self.kinds.get(kind) or KindRule.model_validate(
            {"label": "", "class": "ordinary", "function": None}
        )


@lru_cache(maxsize=2)
def load_rules(path: Path | str = RULES_PATH) -> Rules:
    with open(path, encoding="utf-8") as fh:
        return Rules.model_validate(yaml.safe_load(fh))
