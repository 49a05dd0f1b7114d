"""The cause profile's data: pure, JSON-serialisable dataclasses."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class AnswerRecord:
    question_key: str
    status: str  # answered | dont_know | skipped | refused
    value: Any
    free_text: str | None = None
    respondent_role: str = "parent"  # parent | pupil


@dataclass(frozen=True)
class TextSignal:
    area: str
    kind: str
    matched: str
    source: str  # question key the text came from ("" for old rows without one)
    respondent_role: str | None = None


@dataclass
class SignalEvidence:
    """One sign of concern: a scale answer or a kind named in free text about problems."""

    area: str
    kind: str
    label: str  # Danish, for the worker
    klass: str  # key | ordinary | consequence | context
    function: str | None
    role: str  # parent | pupil
    concern: int  # 0..3: how strongly the answer points at a problem
    level: int  # 0..3: what this sign alone gives the area (after the class rule)
    question_key: str | None = None
    answer: str | None = None  # the answer label, or the person's own words
    source: str = "answer"  # answer | text | combination


@dataclass
class OpenQuestion:
    """A question answered "Ved ikke" or "Vil ikke svare": to ask about, never calm."""

    question_key: str
    role: str
    status: str


@dataclass
class AreaResult:
    area: str
    level: int | None
    level_by_role: dict[str, int | None]
    signals: list[SignalEvidence] = field(default_factory=list)
    open_questions: list[OpenQuestion] = field(default_factory=list)
    key_concern: bool = False  # a key item at En del or more

    @property
    def weight_sum(self) -> float:
        return float(sum(s.level for s in self.signals))


@dataclass
class FunctionHypothesis:
    function: str
    label: str
    score: float  # answers that count, for ordering
    strength: str  # tydelig | mulig | svag | ingen
    evidence: list[SignalEvidence] = field(default_factory=list)


@dataclass
class AttendanceHypothesis:
    kind: str  # school_refusal | truancy | withdrawal | exclusion
    label: str
    explain: str
    strength: str  # tydelig | mulig
    evidence: list[str] = field(default_factory=list)  # Danish, with who said it


@dataclass
class Resource:
    label: str  # what it is (answer) or the question asked (text)
    role: str
    question_key: str
    text: str | None = None  # the person's own words


@dataclass
class Disagreement:
    area: str
    parent_level: int
    pupil_level: int


@dataclass
class AbsencePattern:
    days_last_month: int | None = None
    approx_share_percent: int | None = None
    since_when: str | None = None
    pattern: list[str] = field(default_factory=list)
    weekdays: bool = False
    mornings: bool = False
    after_weekend_or_holiday: bool = False
    whole_days: bool = False
    part_days: bool = False
    late: bool = False
    hard_morning: str | None = None


@dataclass
class Profile:
    areas: list[AreaResult]
    primary_areas: list[str]
    ranked_areas: list[str]
    functions: list[FunctionHypothesis]
    disagreements: list[Disagreement]
    absence: AbsencePattern
    roles: list[str]
    attendance: list[AttendanceHypothesis] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)

    def area(self, key: str) -> AreaResult:
        return next(a for a in self.areas if a.area == key)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
