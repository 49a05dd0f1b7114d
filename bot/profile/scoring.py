"""Build the cause profile from answers and free-text signals (pure functions).

The rule is data (rules.yaml) and is printed in plain Danish in every summary. In short: an
area's level comes from its strongest signs, never from a mean; key items count fully alone;
consequences of absence (screen, sleep, no club) and family context give at most "Lidt";
"ved ikke"/declined answers never count as calm; functions and the kind of attendance problem
are hypotheses only when several answers point the same way.
"""

from __future__ import annotations

from typing import Any

from bot.profile.model import (
    AbsencePattern,
    AnswerRecord,
    AreaResult,
    AttendanceHypothesis,
    Disagreement,
    FunctionHypothesis,
    OpenQuestion,
    Profile,
    Resource,
    SignalEvidence,
    TextSignal,
)
from bot.profile.rules import Rules, load_rules
from bot.questionnaire import AREA_KEYS, FUNCTIONS, Question, Questionnaire

SCHOOL_DAYS_PER_MONTH = 20
ROLES = ("parent", "pupil")
ROLE_WORDS = {"parent": "forælder", "pupil": "elev"}
# Classes that corroborate an ordinary sign in the same area (consequences and context do not).
_CORROBORATING = ("key", "ordinary")
_CAP = {"consequence": 1, "context": 1}
# The absence question whose options point at a kind of attendance problem.
ABSENCE_HOW = "absence_how"
_HIDDEN_OPTION = "skjult"


def _role(role: str | None) -> str:
    return "pupil" if role in ("pupil", "elev") else "parent"


def _answer_label(q: Question, value: Any, role: str) -> str:
    labels = {str(o.value): o.plain_label(role) for o in q.options_for(role)}  # type: ignore[arg-type]
    if isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    return labels.get(str(value), str(value))


def _absence(answers: list[AnswerRecord]) -> AbsencePattern:
    ab = AbsencePattern()
    # Prefer the parent's factual answers; fall back to the pupil's.
    ordered = sorted(answers, key=lambda a: 0 if _role(a.respondent_role) == "parent" else 1)
    for a in reversed(ordered):
        if a.status != "answered":
            continue
        if a.question_key == "days_last_month" and isinstance(a.value, int):
            ab.days_last_month = a.value
            share = min(a.value, SCHOOL_DAYS_PER_MONTH) / SCHOOL_DAYS_PER_MONTH
            ab.approx_share_percent = round(100 * share)
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


def _concern(q: Question, value: Any) -> int | None:
    """0..3, how strongly a scale answer points at a problem (reverse-keyed items flipped)."""
    try:
        v = int(value)
    except (TypeError, ValueError):
        return None
    if not 0 <= v <= 3:
        return None
    return 3 - v if q.reverse else v


def _evidence(
    rules: Rules, area: str, kind: str, role: str, concern: int, **kw: Any
) -> SignalEvidence:
    rule = rules.kind(kind)
    return SignalEvidence(
        area=area,
        kind=kind,
        label=rule.label,
        klass=rule.class_,
        function=rule.function,
        role=role,
        concern=concern,
        level=concern,  # set by _apply_class_rule
        **kw,
    )


def _apply_class_rule(signs: list[SignalEvidence]) -> None:
    """Per area and respondent: what each sign alone gives the area (see rules.yaml)."""
    for s in signs:
        if s.klass in _CAP:
            s.level = min(s.concern, _CAP[s.klass])
        elif s.klass == "ordinary":
            others = [
                o
                for o in signs
                if o is not s and o.kind != s.kind and o.klass in _CORROBORATING and o.concern >= 2
            ]
            # Alone: at most En del; named only in text, Lidt (we do not know how often).
            alone_cap = 1 if s.source == "text" else 2
            s.level = s.concern if others else min(s.concern, alone_cap)
        else:  # key
            s.level = s.concern


def build_profile(
    answers: list[AnswerRecord],
    signals: list[TextSignal],
    questionnaire: Questionnaire,
    rules: Rules | None = None,
) -> Profile:
    rules = rules or load_rules()
    roles = sorted({_role(a.respondent_role) for a in answers})
    signs: dict[tuple[str, str], list[SignalEvidence]] = {}  # (area, role) -> signs
    seen: dict[tuple[str, str], bool] = {}  # (area, role) -> anything answered at all
    open_qs: dict[str, list[OpenQuestion]] = {a: [] for a in AREA_KEYS}
    values: dict[tuple[str, str], int] = {}  # (question, role) -> concern
    resources: list[Resource] = []
    absence_how: dict[str, list[str]] = {}  # option -> roles

    for a in answers:
        try:
            q = questionnaire.question(a.question_key)
        except KeyError:
            continue
        role = _role(a.respondent_role)
        if a.status in ("dont_know", "refused") and q.section in AREA_KEYS:
            open_qs[q.section].append(OpenQuestion(q.key, role, a.status))
            continue
        if a.status != "answered":
            continue
        if q.key == ABSENCE_HOW and isinstance(a.value, list):
            for option in a.value:
                absence_how.setdefault(str(option), []).append(role)
        if q.key in rules.resource_texts and a.free_text:
            resources.append(Resource(q.text_for(role), role, q.key, a.free_text))
        if q.key in rules.resource_answers and q.type == "scale":
            concern = _concern(q, a.value)
            res = rules.resource_answers[q.key]
            if concern is not None and concern <= res.max_concern:
                resources.append(Resource(res.label, role, q.key))
        if q.section not in AREA_KEYS or not q.signals:
            continue
        if q.type == "scale":
            concern = _concern(q, a.value)
        elif q.type == "multichoice" and isinstance(a.value, list):
            # A checklist (e.g. family changes): anything but "none" is a sign.
            concern = 3 if [v for v in a.value if v != "ingen"] else 0
        else:
            concern = None
        if concern is None:
            continue
        seen[(q.section, role)] = True
        values[(q.key, role)] = concern
        if concern == 0:
            continue
        label = _answer_label(q, a.value, role)
        for s in q.signals:
            signs.setdefault((q.section, role), []).append(
                _evidence(rules, q.section, s.kind, role, concern, question_key=q.key, answer=label)
            )

    # Gaming at night: the one case where screen time may be a cause.
    for combo in rules.combinations:
        for role in ROLES:
            vals = [values.get((k, role)) for k in combo.all_of]
            if all(v is not None and v >= combo.min_value for v in vals):
                signs.setdefault((combo.area, role), []).append(
                    _evidence(rules, combo.area, combo.kind, role, 2, source="combination")
                )

    # "Tager af sted, men kommer ikke frem": a sign for the tangible function.
    for role in absence_how.get(_HIDDEN_OPTION, []):
        ev = _evidence(rules, "skole", "absence_hidden", role, 2, question_key=ABSENCE_HOW)
        ev.source = "answer"
        signs.setdefault(("__absence", role), []).append(ev)

    problem_keys = {q.key for q in questionnaire.all_questions() if q.problem_text}
    for sig in signals:
        if sig.area not in AREA_KEYS or (sig.source and sig.source not in problem_keys):
            continue  # old rows from strengths or leisure text are not concerns
        role = _role(sig.respondent_role)
        area = rules.kind(sig.kind).area or sig.area
        bucket = signs.setdefault((area, role), [])
        if any(
            s.kind == sig.kind and s.source == "text" and s.answer == sig.matched for s in bucket
        ):
            continue
        # Named in text about problems: a key kind gives En del, an ordinary one Lidt until
        # another sign agrees (it still corroborates others), the rest Lidt.
        klass = rules.kind(sig.kind).class_
        concern = 2 if klass in _CORROBORATING else 1
        ev = _evidence(
            rules,
            area,
            sig.kind,
            role,
            concern,
            question_key=sig.source or None,
            answer=sig.matched,
            source="text",
        )
        bucket.append(ev)
        seen[(area, role)] = True

    for bucket in signs.values():
        _apply_class_rule(bucket)

    areas: list[AreaResult] = []
    for area in AREA_KEYS:
        by_role: dict[str, int | None] = {}
        evidence: list[SignalEvidence] = []
        for role in ROLES:
            bucket = signs.get((area, role), [])
            evidence.extend(bucket)
            if not seen.get((area, role)) and not bucket:
                by_role[role] = None
            else:
                by_role[role] = max((s.level for s in bucket), default=0)
        known = [v for v in by_role.values() if v is not None]
        key = any(s.klass == "key" and s.level >= 2 for s in evidence)
        evidence.sort(key=lambda s: (-s.level, s.role != "pupil"))
        areas.append(
            AreaResult(area, max(known) if known else None, by_role, evidence, open_qs[area], key)
        )

    ranked = sorted(
        (a for a in areas if a.level is not None),
        key=lambda a: (
            -(a.level or 0),
            not a.key_concern,
            -a.weight_sum,
            AREA_KEYS.index(a.area),
        ),
    )
    all_signs = [s for bucket in signs.values() for s in bucket]
    return Profile(
        areas=areas,
        primary_areas=[a.area for a in ranked if (a.level or 0) >= 2],
        ranked_areas=[a.area for a in ranked],
        functions=_functions(all_signs, rules),
        disagreements=_disagreements(areas),
        absence=_absence(answers),
        roles=roles,
        attendance=_attendance(all_signs, absence_how, rules, questionnaire),
        resources=resources,
    )


def _strength(n_answers: int, n_kinds: int, rules: Rules) -> str:
    h = rules.hypothesis
    if n_answers >= h.clear.answers and n_kinds >= h.clear.kinds:
        return "tydelig"
    if n_answers >= h.possible.answers and n_kinds >= h.possible.kinds:
        return "mulig"
    return "svag" if n_answers else "ingen"


def _functions(signs: list[SignalEvidence], rules: Rules) -> list[FunctionHypothesis]:
    out = []
    for fn in FUNCTIONS:
        ev = [s for s in signs if s.function == fn and s.concern >= 2]
        kinds = {s.kind for s in ev}
        if kinds and kinds <= set(rules.hypothesis.not_alone):
            counted: list[SignalEvidence] = []  # screen time alone is no function
        else:
            counted = ev
        # One piece per concern and respondent: the same thing said twice is not convergence.
        pieces = {(s.kind, s.role) for s in counted}
        strength = _strength(len(pieces), len({s.kind for s in counted}), rules)
        if ev and strength == "ingen":
            strength = "svag"
        out.append(FunctionHypothesis(fn, rules.functions[fn], float(len(pieces)), strength, ev))
    order = {"tydelig": 0, "mulig": 1, "svag": 2, "ingen": 3}
    out.sort(key=lambda f: (order[f.strength], -f.score, FUNCTIONS.index(f.function)))
    return out


def _attendance(
    signs: list[SignalEvidence],
    absence_how: dict[str, list[str]],
    rules: Rules,
    questionnaire: Questionnaire,
) -> list[AttendanceHypothesis]:
    try:
        how = questionnaire.question(ABSENCE_HOW)
    except KeyError:
        how = None
    out = []
    hidden = bool(absence_how.get(_HIDDEN_OPTION))
    for kind, rule in rules.attendance.items():
        evidence: list[str] = []
        told_how = False  # the family said how the absence happens (absence_how)
        for option in rule.options:
            for role in absence_how.get(option, []):
                label = _answer_label(how, [option], role) if how else option
                evidence.append(f"{label} ({ROLE_WORDS[role]})")
                told_how = True
        kinds_seen = set()
        for s in signs:
            if s.kind in rule.kinds and s.level >= 2 and (s.kind, s.role) not in kinds_seen:
                kinds_seen.add((s.kind, s.role))
                evidence.append(f"{s.label} ({ROLE_WORDS[s.role]})")
        if not evidence:
            continue
        if kind == "school_refusal" and hidden:
            continue  # refusal is absence the child does not hide
        # Clear only when the family said how the absence happens and something else agrees.
        strength = "tydelig" if told_how and len(evidence) >= 2 else "mulig"
        out.append(AttendanceHypothesis(kind, rule.label, rule.explain, strength, evidence))
    out.sort(key=lambda h: (h.strength != "tydelig", -len(h.evidence)))
    return out


def _disagreements(areas: list[AreaResult]) -> list[Disagreement]:
    out = []
    for a in areas:
        p, e = a.level_by_role.get("parent"), a.level_by_role.get("pupil")
        if p is not None and e is not None and abs(p - e) >= 2:
            out.append(Disagreement(a.area, p, e))
    return out
