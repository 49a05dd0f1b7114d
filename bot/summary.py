"""Danish summary for the school contact worker, and the review shown before confirming.

One data structure (`summary_dict`) feeds three renderings: plain text, HTML (autoescaped: free
text may contain markup) and a printable registreringsskema (HTML with A4 print CSS). Order:
urgent signals first (with the reminder of underretningspligt), absence, ranked areas with the
person's own words, function hypotheses, strengths, wishes, consent, both perspectives.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.danish import LOCALE, plural
from bot.profile import AnswerRecord, Profile
from bot.questionnaire import AREA_KEYS, Questionnaire, load_questionnaire

TEMPLATES = Path(__file__).with_name("templates")
LEVEL_LABELS = {None: "Ukendt", 0: "Ingen tegn", 1: "Lidt", 2: "Noget", 3: "Meget"}
RISK_LABELS = {
    "self_harm": "Selvskade eller selvmordstanker",
    "violence": "Vold",
    "sexual_abuse": "Seksuelle overgreb",
    "neglect": "Omsorgssvigt (fx intet sted at sove, ingen mad)",
    "threats": "Trusler, afpresning eller deling af billeder",
}
ROLE_LABELS = {"parent": "Forælder", "pupil": "Elev"}
UNDERRETNING = (
    "Husk underretningspligten: Som offentligt ansat skal du straks underrette kommunen, hvis "
    "et barn kan have brug for særlig støtte (Barnets lov). Vurder også, om der er akut fare."
)
_STATUS_DISPLAY = {"dont_know": "Ved ikke", "skipped": "Sprunget over", "refused": "Vil ikke svare"}


def danish_date(d: date | datetime | str | None) -> str:
    if d is None:
        return ""
    if isinstance(d, str):
        d = datetime.fromisoformat(d)
    if isinstance(d, datetime):
        return format_datetime(d, format="d. MMMM y 'kl.' HH:mm", locale=LOCALE)
    return format_date(d, format="d. MMMM y", locale=LOCALE)


def _role(role: str) -> str:
    return "pupil" if role in ("pupil", "elev") else "parent"


def answer_display(rec: AnswerRecord, q: Questionnaire) -> str:
    """How an answer reads in Danish (labels, not codes)."""
    if rec.status != "answered":
        return _STATUS_DISPLAY.get(rec.status, rec.status)
    role = _role(rec.respondent_role)
    try:
        question = q.question(rec.question_key)
    except KeyError:
        return str(rec.free_text or rec.value)
    if rec.free_text:
        return rec.free_text
    if question.type == "number" and isinstance(rec.value, int):
        return plural(rec.value, "dag", "dage")
    if question.type == "grade" and isinstance(rec.value, int):
        return "Børnehaveklasse" if rec.value == 0 else f"{rec.value}. klasse"
    opts = {str(o.value): o.plain_label(role) for o in question.options_for(role)}
    if isinstance(rec.value, list):
        return ", ".join(opts.get(str(v), str(v)) for v in rec.value)
    return opts.get(str(rec.value), str(rec.value))


def _as_dict(obj: Any) -> dict[str, Any]:
    if isinstance(obj, dict):
        return obj
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return dict(vars(obj))


def summary_dict(
    case_info: dict[str, Any],
    profile: Profile,
    answers: list[AnswerRecord],
    *,
    urgent_signals: Iterable[Any] = (),
    consents: Iterable[Any] = (),
    questionnaire: Questionnaire | None = None,
) -> dict[str, Any]:
    """Everything the summary shows, in order, as JSON-friendly data."""
    q = questionnaire or load_questionnaire()
    by_key: dict[str, dict[str, AnswerRecord]] = {}
    for rec in answers:
        by_key.setdefault(rec.question_key, {})[_role(rec.respondent_role)] = rec

    def shown(key: str) -> dict[str, str]:
        return {r: answer_display(a, q) for r, a in by_key.get(key, {}).items()}

    urgent = []
    for sig in urgent_signals:
        d = _as_dict(sig)
        urgent.append(
            {
                "kinds": [RISK_LABELS.get(k, k) for k in d.get("kinds", [])],
                "matches": list(d.get("matches", [])),
                "role": ROLE_LABELS.get(_role(d.get("role", "parent")), ""),
                "at": danish_date(d.get("at")),
            }
        )

    ab = profile.absence
    absence = {
        "days": plural(ab.days_last_month, "dag", "dage") if ab.days_last_month is not None else "",
        "share": f"ca. {ab.approx_share_percent} %" if ab.approx_share_percent is not None else "",
        "since": shown("since_when"),
        "pattern": shown("pattern"),
        "hard_morning": shown("hard_morning"),
    }

    areas = []
    for key in profile.ranked_areas + [a for a in AREA_KEYS if a not in profile.ranked_areas]:
        res = profile.area(key)
        own_words = []
        for question in q.section(key).questions:
            if question.type == "text":
                for role, text in shown(question.key).items():
                    if by_key[question.key][role].status == "answered":
                        own_words.append({"role": ROLE_LABELS[role], "text": text})
        areas.append(
            {
                "key": key,
                "title": q.area_title(key, "parent"),
                "level": res.level,
                "level_label": LEVEL_LABELS[res.level],
                "primary": key in profile.primary_areas,
                "signals": [
                    {
                        "kind": s.kind,
                        "answer": s.answer,
                        "role": ROLE_LABELS.get(s.role, ""),
                        "question": q.question(s.question_key).text_for(s.role, None)
                        if s.question_key and _is_question(q, s.question_key)
                        else "",
                    }
                    for s in res.signals
                ],
                "own_words": own_words,
            }
        )

    functions = [
        {"label": f.label, "strength": f.strength, "score": format_decimal(f.score, locale=LOCALE)}
        for f in profile.functions
        if f.score > 0
    ]
    perspectives = []
    for question in q.all_questions():
        if question.type == "scale" and question.key in by_key:
            vals = shown(question.key)
            perspectives.append(
                {
                    "question": question.text_for("parent", case_info.get("child_name")),
                    "parent": vals.get("parent", "–"),
                    "pupil": vals.get("pupil", "–"),
                }
            )
    return {
        "case": {
            "child_name": case_info.get("child_name") or "",
            "grade": case_info.get("grade", ""),
            "school": case_info.get("school") or "",
            "case_id": str(case_info.get("case_id", "")),
            "created": danish_date(case_info.get("created_at")),
            "respondents": [ROLE_LABELS[r] for r in profile.roles],
        },
        "urgent": urgent,
        "underretning": UNDERRETNING if urgent else "",
        "absence": absence,
        # The open question in the person's own words: what they think makes school hard.
        "in_own_words": [
            {"role": ROLE_LABELS[r], "text": t} for r, t in shown("what_makes_school_hard").items()
        ],
        "areas": areas,
        "functions": functions,
        "strengths": {
            k: shown(k) for k in ("strengths_good_at", "strengths_network", "strengths_helped")
        },
        "wishes": {k: shown(k) for k in ("wishes_next", "wishes_contact", "contact")},
        "consents": [
            {
                "scope": d.get("scope", ""),
                "given_by": d.get("given_by", ""),
                "at": danish_date(d.get("at")),
                "granted": bool(d.get("granted", True)),
            }
            for d in (_as_dict(c) for c in consents)
        ],
        "disagreements": [
            {
                "title": q.area_title(d.area, "parent"),
                "parent": LEVEL_LABELS[d.parent_level],
                "pupil": LEVEL_LABELS[d.pupil_level],
            }
            for d in profile.disagreements
        ],
        "perspectives": perspectives,
    }


def _is_question(q: Questionnaire, key: str) -> bool:
    try:
        q.question(key)
    except KeyError:
        return False
    return True


def _env(html: bool) -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_summary(
    case_info: dict[str, Any],
    profile: Profile,
    answers: list[AnswerRecord],
    *,
    urgent_signals: Iterable[Any] = (),
    consents: Iterable[Any] = (),
    fmt: Literal["text", "html", "print"] = "text",
    questionnaire: Questionnaire | None = None,
) -> str:
    data = summary_dict(
        case_info,
        profile,
        answers,
        urgent_signals=urgent_signals,
        consents=consents,
        questionnaire=questionnaire,
    )
    if fmt == "text":
        return _env(False).get_template("summary.txt.j2").render(**data)
    return _env(True).get_template("summary.html.j2").render(**data, print_mode=fmt == "print")


def review_text(answers: list[AnswerRecord], questionnaire: Questionnaire | None, role: str) -> str:
    """Short review before confirming: one line per section with what will be passed on."""
    q = questionnaire or load_questionnaire()
    r = _role(role)
    mine = {a.question_key: a for a in answers if _role(a.respondent_role) == r}
    intro = "Her er det, du har svaret:" if r == "pupil" else "Her er det, der bliver sendt videre:"
    lines = [intro]
    for section in q.sections:
        parts = []
        for question in section.questions:
            rec = mine.get(question.key)
            if rec is None or rec.status == "skipped":
                continue
            text = answer_display(rec, q)
            parts.append(text if len(text) <= 60 else text[:57].rstrip() + "…")
        if parts:
            lines.append(f"• {section.title[r]}: " + "; ".join(parts))
    return "\n".join(lines)
