"""Build the cause profile from answers (pure functions, JSON-serialisable result).

Scoring rule (documented for the worker and for audits):
- Each answered scale item gets a normalised score 0..1: value / 3, or (3 - value) / 3 for
  reverse-keyed items ("Har dit barn en god ven?" high = good). "Ved ikke", skipped and refused
  items are left out: they do not count as 0 and do not lower the mean.
- Area level per respondent role = round(3 * mean of the area's answered item scores), plus 0.5
  for each distinct concern kind found in that role's free text about the area (at most +1),
  capped at 3. No answered items and no text signals = level None (unknown, not "no problem").
- Combined area level = the higher of the parent and pupil levels, so a concern seen by one of
  them is not averaged away; differences of 2+ are listed as disagreements.
- Primary areas: level >= 2, ranked by level, then by the weighted sum of their signals.
- Function hypotheses (the four absence functions): sum of weight * score of the signals tagged
  with that function, divided by the sum of weights of the answered tagged items (0..1); free
  text kinds count via the function the questionnaire gives the same kind. Worded as a
  hypothesis to explore with the family, never a diagnosis.
- Absence: days last month (and a rough share of ~20 school days), since when, pattern.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bot.questionnaire import AREA_KEYS, FUNCTIONS, Questionnaire

SCHOOL_DAYS_PER_MONTH = 20
FUNCTION_LABELS: dict[str, str] = {
    "avoid_negative_feelings": "Undgå ubehag, som skolen giver (fx angst, ondt i maven, svære fag)",
    "escape_social_evaluative": "Slippe for sociale situationer eller at blive vurderet",
    "attention_closeness": "Være tæt på en forælder eller holde øje med familien",
    "tangible_outside_school": "Noget uden for skolen er mere tiltrækkende (fx skærm og spil)",
}


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
    source: str  # question key the text came from
    respondent_role: str | None = None


@dataclass
class SignalEvidence:
    area: str
    kind: str
    weight: float
    function: str | None
    role: str
    score: float  # 0..1
    question_key: str | None = None
    answer: str | None = None  # the answer label or the person's own words


@dataclass
class AreaResult:
    area: str
    level: int | None
    level_by_role: dict[str, int | None]
    signals: list[SignalEvidence] = field(default_factory=list)

    @property
    def weight_sum(self) -> float:
        return sum(s.weight * s.score for s in self.signals)


@dataclass
class FunctionHypothesis:
    function: str
    label: str
    score: float
    strength: str  # tydelig | mulig | svag
    evidence: list[SignalEvidence] = field(default_factory=list)


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

    def area(self, key: str) -> AreaResult:
        return next(a for a in self.areas if a.area == key)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _role(role: str) -> str:
    return "pupil" if role in ("pupil", "elev") else "parent"


def _answer_label(q: Any, value: Any, role: str) -> str:
    for opt in q.options_for(role):
        if str(opt.value) == str(value):
            return opt.plain_label(role)
    return str(value)


def _kind_functions(questionnaire: Questionnaire) -> dict[str, str]:
    out: dict[str, str] = {}
    for q in questionnaire.all_questions():
        for s in q.signals:
            if s.function:
                out.setdefault(s.kind, s.function)
    return out


def _round_half_up(x: float) -> int:
    return int(x + 0.5)


def _absence(answers: list[AnswerRecord]) -> AbsencePattern:
    ab = AbsencePattern()
    # Prefer the parent's factual answers; fall back to the pupil's.
    ordered = sorted(answers, key=lambda a: 0 if _role(a.respondent_role) == "parent" else 1)
    for a in reversed(ordered):
        if a.status != "answered":
            continue
        if a.question_key == "days_last_month" and isinstance(a.value, int):
            ab.days_last_month = a.value
            ab.approx_share_percent = round(100 * min(a.value, SCHOOL_DAYS_PER_MONTH) / 20)
        elif a.question_key == "since_when":
            ab.since_when = str(a.value)
        elif a.question_key == "pattern" and isinstance(a.value, list):
            ab.pattern = [str(v) for v in a.value]
        elif a.question_key == "hard_morning":
            ab.hard_morning = a.free_text or str(a.value)
    p = set(ab.pattern)
    ab.weekdays, ab.mornings = "ugedage" in p, "morgener" in p
    ab.after_weekend_or_holiday, ab.whole_days = "efter_fri" in p, "hele_dage" in p
    ab.part_days, ab.late = "dele_af_dage" in p, "for_sent" in p
    return ab


def build_profile(
    answers: list[AnswerRecord],
    signals: list[TextSignal],
    questionnaire: Questionnaire,
) -> Profile:
    roles = sorted({_role(a.respondent_role) for a in answers}, reverse=False)
    kind_fn = _kind_functions(questionnaire)
    # area -> role -> item scores / evidence
    scores: dict[str, dict[str, list[float]]] = {a: {} for a in AREA_KEYS}
    evidence: dict[str, list[SignalEvidence]] = {a: [] for a in AREA_KEYS}
    fn_num: dict[str, float] = dict.fromkeys(FUNCTIONS, 0.0)
    fn_den: dict[str, float] = dict.fromkeys(FUNCTIONS, 0.0)
    fn_ev: dict[str, list[SignalEvidence]] = {f: [] for f in FUNCTIONS}

    for a in answers:
        try:
            q = questionnaire.question(a.question_key)
        except KeyError:
            continue
        if q.type != "scale" or q.section not in AREA_KEYS or a.status != "answered":
            continue
        try:
            value = int(a.value)
        except (TypeError, ValueError):
            continue
        role = _role(a.respondent_role)
        score = (3 - value) / 3 if q.reverse else value / 3
        scores[q.section].setdefault(role, []).append(score)
        for s in q.signals:
            ev = SignalEvidence(
                q.section,
                s.kind,
                s.weight,
                s.function,
                role,
                round(score, 2),
                q.key,
                _answer_label(q, value, role),
            )
            if score > 0:
                evidence[q.section].append(ev)
            if s.function:
                fn_num[s.function] += s.weight * score
                fn_den[s.function] += s.weight
                if score > 0:
                    fn_ev[s.function].append(ev)

    text_kinds: dict[str, dict[str, set[str]]] = {a: {} for a in AREA_KEYS}
    for sig in signals:
        if sig.area not in AREA_KEYS:
            continue
        role = _role(sig.respondent_role) if sig.respondent_role else "any"
        text_kinds[sig.area].setdefault(role, set()).add(sig.kind)
        fn = kind_fn.get(sig.kind)
        ev = SignalEvidence(sig.area, sig.kind, 1.0, fn, role, 1.0, sig.source, sig.matched)
        evidence[sig.area].append(ev)
        if fn:
            # A free-text mention counts as one more concerning item for the function.
            fn_num[fn] += 1.0
            fn_den[fn] += 1.0
            fn_ev[fn].append(ev)

    areas: list[AreaResult] = []
    for area in AREA_KEYS:
        by_role: dict[str, int | None] = {}
        for role in ("parent", "pupil"):
            items = scores[area].get(role, [])
            kinds = text_kinds[area].get(role, set()) | text_kinds[area].get("any", set())
            if not items and not kinds:
                by_role[role] = None
                continue
            base = 3 * sum(items) / len(items) if items else 0.0
            by_role[role] = min(3, _round_half_up(base + min(1.0, 0.5 * len(kinds))))
        known = [v for v in by_role.values() if v is not None]
        areas.append(AreaResult(area, max(known) if known else None, by_role, evidence[area]))

    ranked = sorted(
        (a for a in areas if a.level is not None),
        key=lambda a: (-(a.level or 0), -a.weight_sum, AREA_KEYS.index(a.area)),
    )
    functions = []
    for fn in FUNCTIONS:
        score = fn_num[fn] / fn_den[fn] if fn_den[fn] else 0.0
        strength = "tydelig" if score >= 0.67 else "mulig" if score >= 0.34 else "svag"
        functions.append(
            FunctionHypothesis(fn, FUNCTION_LABELS[fn], round(score, 2), strength, fn_ev[fn])
        )
    functions.sort(key=lambda f: -f.score)
    disagreements = [
        Disagreement(a.area, a.level_by_role["parent"], a.level_by_role["pupil"])  # type: ignore[arg-type]
        for a in areas
        if a.level_by_role.get("parent") is not None
        and a.level_by_role.get("pupil") is not None
        and abs(a.level_by_role["parent"] - a.level_by_role["pupil"]) >= 2  # type: ignore[operator]
    ]
    return Profile(
        areas=areas,
        primary_areas=[a.area for a in ranked if (a.level or 0) >= 2],
        ranked_areas=[a.area for a in ranked],
        functions=functions,
        disagreements=disagreements,
        absence=_absence(answers),
        roles=roles,
    )
