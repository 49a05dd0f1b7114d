"""Anonymous, aggregated statistics for leaders.

No group smaller than MIN_GROUP is ever shown: small groups are merged into "Øvrige"; if that
merged group is still too small, the next-smallest group joins it, and if everything together
is below the threshold the figures are withheld. Totals are hidden whenever a group was
withheld, so no small group can be worked out by subtraction.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Case, Signal
from bot.profile import load_rules

MIN_GROUP = 5
OTHER = "Øvrige"
AREA_LABELS = {
    "skole": "Læringsmiljøet i skolen",
    "kammerater": "Relationer til kammerater",
    "hjem": "Forhold i hjemmet",
    "barnet": "Barnet selv",
    "fritid": "Fritidsliv",
}


# Danger kinds come from the danger detector, the rest from the profile's scoring rule.
RISK_KIND_LABELS = {
    "self_harm": "Selvskade eller selvmordstanker",
    "violence": "Vold",
    "sexual_abuse": "Seksuelle overgreb",
    "neglect": "Omsorgssvigt",
    "threats": "Trusler, kontrol eller afpresning",
    "acute_danger": "Akut fare",
    "danger": "Faresignal",
}


def kind_label(kind: str) -> str:
    """The Danish name a leader reads for a signal kind; never the internal code."""
    return RISK_KIND_LABELS.get(kind) or load_rules().kind(kind).label or "Andre tegn"


def suppress(counts: dict[str, int], min_group: int = MIN_GROUP) -> dict[str, Any]:
    items = sorted(((k, v) for k, v in counts.items() if v > 0), key=lambda kv: (kv[1], kv[0]))
    small = [kv for kv in items if kv[1] < min_group]
    big = [kv for kv in items if kv[1] >= min_group]
    other = sum(v for _, v in small)
    merged = [k for k, _ in small]
    while 0 < other < min_group and big:
        key, value = big.pop(0)
        other += value
        merged.append(key)
    groups = [{"label": k, "count": v} for k, v in sorted(big, key=lambda kv: (-kv[1], kv[0]))]
    withheld = 0 < other < min_group
    if other >= min_group:
        groups.append({"label": OTHER, "count": other})
    total = sum(counts.values())
    return {
        "groups": groups,
        "merged_groups": len(merged) if other >= min_group else 0,
        "withheld": withheld,
        "total": None if withheld or total < min_group else total,
    }


def suppress_sets(members: dict[str, set[int]], min_group: int = MIN_GROUP) -> dict[str, Any]:
    """As `suppress`, for labels a case can have several of (areas, signal kinds).

    Merged groups count distinct cases: summing would count one case once per label and make a
    group of two cases look like a group of eight.
    """
    items = sorted(((k, v) for k, v in members.items() if v), key=lambda kv: (len(kv[1]), kv[0]))
    small = [kv for kv in items if len(kv[1]) < min_group]
    big = [kv for kv in items if len(kv[1]) >= min_group]
    other: set[int] = set().union(*(v for _, v in small)) if small else set()
    merged = [k for k, _ in small]
    while 0 < len(other) < min_group and big:
        key, value = big.pop(0)
        other |= value
        merged.append(key)
    groups = [
        {"label": k, "count": len(v)} for k, v in sorted(big, key=lambda kv: (-len(kv[1]), kv[0]))
    ]
    withheld = 0 < len(other) < min_group
    if len(other) >= min_group:
        groups.append({"label": OTHER, "count": len(other)})
    everyone: set[int] = set().union(*members.values()) if members else set()
    return {
        "groups": groups,
        "merged_groups": len(merged) if len(other) >= min_group else 0,
        "withheld": withheld,
        "total": None if withheld or len(everyone) < min_group else len(everyone),
    }


def compute(session: Session, municipality_id: int | None = None) -> dict[str, Any]:
    case_stmt = select(Case.id, Case.grade, Case.created_at, Case.status)
    if municipality_id is not None:
        case_stmt = case_stmt.where(Case.municipality_id == municipality_id)
    cases = session.execute(case_stmt).all()
    case_ids = {c.id for c in cases}
    months = Counter(c.created_at.strftime("%Y-%m") for c in cases)
    grades = Counter(f"{c.grade}. klasse" if c.grade is not None else "Ikke oplyst" for c in cases)
    statuses = Counter(c.status for c in cases)
    # Areas and signal kinds count cases (not signals) so a talkative family weighs as one.
    rows = session.execute(select(Signal.case_id, Signal.area, Signal.kind, Signal.urgent)).all()
    area_cases: dict[str, set[int]] = {}
    kind_cases: dict[str, set[int]] = {}
    urgent_cases: set[int] = set()
    for case_id, area, kind, urgent in rows:
        if case_id is None or case_id not in case_ids:
            continue
        if area:
            area_cases.setdefault(AREA_LABELS.get(area, area), set()).add(case_id)
        kind_cases.setdefault(kind_label(kind), set()).add(case_id)
        if urgent:
            urgent_cases.add(case_id)
    return {
        "min_group_size": MIN_GROUP,
        "cases": suppress({"Sager i alt": len(cases)}),
        "per_month": suppress(dict(months)),
        "grades": suppress(dict(grades)),
        "status": suppress(dict(statuses)),
        "areas": suppress_sets(area_cases),
        "signals": suppress_sets(kind_cases),
        "urgent": suppress({"Hastesager": len(urgent_cases)}),
    }
