"""Danish summary for the school contact worker, and the review shown before confirming.

One data structure (`summary_dict`) feeds three renderings: plain text, HTML (autoescaped: free
text may contain markup) and a printable A4 version; the API's registreringsskema uses the same
data. Order: danger first (with the duty to notify), three lines of what matters most, what to
know first (who else is involved, custody, language), absence, areas with every concern once and
its sources (question, who answered, their words), hypotheses, resources, wishes, both views,
and how the profile was made. Nothing internal (keys, codes, English) reaches the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from babel.dates import format_date, format_datetime
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.danish import LOCALE, plural
from bot.profile import AnswerRecord, Profile, SignalEvidence, load_rules
from bot.questionnaire import AREA_KEYS, Questionnaire, load_questionnaire

TEMPLATES = Path(__file__).with_name("templates")
RISK_LABELS = {
    "self_harm": "Selvskade eller selvmordstanker",
    "violence": "Vold",
    "sexual_abuse": "Seksuelle overgreb",
    "neglect": "Omsorgssvigt (fx intet sted at sove, ingen mad)",
    "threats": "Trusler, æresrelateret kontrol, afpresning eller deling af billeder",
    "acute_danger": "Akut fare (føler sig ikke tryg)",
    "danger": "Faresignal",
}
ROLE_LABELS = {"parent": "Forælder", "pupil": "Elev"}
UNDERRETNING = (
    "Husk underretningspligten: Som offentligt ansat skal du straks underrette kommunen, hvis "
    "et barn kan have brug for særlig støtte (Barnets lov). Vurder også, om der er akut fare."
)
# Level names (from the scoring rule), also used by the worker pages' chart.
LEVEL_LABELS: dict[int | None, str] = {None: "Ukendt", **load_rules().levels}
STRENGTH_LABELS = {"tydelig": "tydelig", "mulig": "mulig", "svag": "kun ét tegn"}
_STATUS_DISPLAY = {"dont_know": "Ved ikke", "skipped": "Sprunget over", "refused": "Vil ikke svare"}
# Facts the worker needs first, in this order.
FACT_KEYS = ("professionals", "custody", "other_parent_knows", "language_home", "interpreter")
WISH_KEYS = ("wishes_next", "wishes_contact", "contact")
ABSENCE_KEYS = ("since_when", "pattern", "absence_how", "hard_morning")
OWN_WORDS_KEYS = ("what_makes_school_hard", "child_says_hard")
ABSENCE_TYPES = ("Sygdom", "Ekstraordinær frihed", "Ulovligt fravær")
_CODE_LIKE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)+$")


def danish_date(d: date | datetime | str | None) -> str:
    if d is None:
        return ""
    if isinstance(d, str):
        d = datetime.fromisoformat(d)
    if isinstance(d, datetime):
        return format_datetime(d, format="d. MMMM y 'kl.' HH:mm", locale=LOCALE)
    return format_date(d, format="d. MMMM y", locale=LOCALE)


def _role(role: str | None) -> str:
    return "pupil" if role in ("pupil", "elev") else "parent"


def answer_display(rec: AnswerRecord, q: Questionnaire) -> str:
    """How an answer reads in Danish (labels, not codes)."""
    if rec.status != "answered":
        return _STATUS_DISPLAY.get(rec.status, "Ikke besvaret")
    role = _role(rec.respondent_role)
    try:
        question = q.question(rec.question_key)
    except KeyError:
        return str(rec.free_text or "")
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


def _risk_label(kind: str) -> str:
    """Danish label for a danger kind; never the code itself."""
    if kind in RISK_LABELS:
        return RISK_LABELS[kind]
    return "Faresignal" if _CODE_LIKE.match(kind) else kind


class _Answers:
    """The answers by question and respondent, with the question texts as the person saw them."""

    def __init__(self, answers: list[AnswerRecord], q: Questionnaire, child: str | None) -> None:
        self.q, self.child = q, child or None
        self.by_key: dict[str, dict[str, AnswerRecord]] = {}
        for rec in answers:
            self.by_key.setdefault(rec.question_key, {})[_role(rec.respondent_role)] = rec

    def question(self, key: str | None, role: str) -> str:
        if not key:
            return ""
        try:
            return self.q.question(key).text_for(role, self.child)
        except KeyError:
            return ""

    def lines(self, key: str, *, answered_only: bool = True) -> list[dict[str, str]]:
        """One line per respondent: the question they were asked, who, and their answer."""
        out = []
        for role in ("pupil", "parent"):  # the child's view first
            rec = self.by_key.get(key, {}).get(role)
            if rec is None or (answered_only and rec.status != "answered"):
                continue
            text = answer_display(rec, self.q)
            if text:
                out.append(
                    {"question": self.question(key, role), "role": ROLE_LABELS[role], "text": text}
                )
        return out


def _concerns(signs: list[SignalEvidence], ans: _Answers) -> list[dict[str, Any]]:
    """Every concern once: one line per kind with all its sources (answer and own words)."""
    by_kind: dict[str, dict[str, Any]] = {}
    for s in signs:
        entry = by_kind.setdefault(
            s.kind,
            {
                "label": s.label or "Andet, der peger på området",
                "level": s.level,
                "consequence": s.klass == "consequence",
                "context": s.klass == "context",
                "sources": [],
            },
        )
        entry["level"] = max(entry["level"], s.level)
        if s.source == "combination":
            source = {"role": ROLE_LABELS[s.role], "question": "", "text": "", "how": "combined"}
        else:
            source = {
                "role": ROLE_LABELS[s.role],
                "question": ans.question(s.question_key, s.role),
                "text": s.answer or "",
                "how": "words" if s.source == "text" else "answer",
            }
        if source not in entry["sources"]:
            entry["sources"].append(source)
    return sorted(by_kind.values(), key=lambda e: (-e["level"], e["consequence"]))


def summary_dict(
    case_info: dict[str, Any],
    profile: Profile,
    answers: list[AnswerRecord],
    *,
    urgent_signals: Iterable[Any] = (),
    consents: Iterable[Any] = (),
    questionnaire: Questionnaire | None = None,
) -> dict[str, Any]:
    """Everything the summary shows, in order, as JSON-friendly data (all text Danish)."""
    q = questionnaire or load_questionnaire()
    rules = load_rules()
    child = case_info.get("child_name") or None
    ans = _Answers(answers, q, child)

    urgent = []
    for sig in urgent_signals:
        d = _as_dict(sig)
        urgent.append(
            {
                "kinds": [_risk_label(k) for k in d.get("kinds", [])],
                "matches": list(d.get("matches", [])),
                "role": ROLE_LABELS[_role(d.get("role", "parent"))],
                "at": danish_date(d.get("at")),
            }
        )

    ab = profile.absence
    absence = {
        "days": plural(ab.days_last_month, "dag", "dage") if ab.days_last_month is not None else "",
        "share": f"ca. {ab.approx_share_percent} %" if ab.approx_share_percent is not None else "",
        "lines": [line for key in ABSENCE_KEYS for line in ans.lines(key)],
        "types": list(ABSENCE_TYPES),
    }

    areas = []
    for key in profile.ranked_areas + [a for a in AREA_KEYS if a not in profile.ranked_areas]:
        res = profile.area(key)
        words = []
        for question in q.section(key).questions:
            if question.type == "text" and question.key not in rules.resource_texts:
                words.extend(ans.lines(question.key))
        level_label = rules.levels[res.level] if res.level is not None else "Ukendt"
        areas.append(
            {
                "key": key,
                "title": q.area_title(key, "parent"),
                "level": res.level,
                "level_label": level_label,
                "primary": key in profile.primary_areas,
                "concerns": _concerns(res.signals, ans),
                "own_words": words,
                "open": [
                    {
                        "question": ans.question(o.question_key, o.role),
                        "role": ROLE_LABELS[o.role],
                        "text": _STATUS_DISPLAY.get(o.status, ""),
                    }
                    for o in res.open_questions
                ],
            }
        )

    functions = [
        {
            "label": f.label,
            "strength": STRENGTH_LABELS[f.strength],
            "evidence": _evidence_words(f.evidence),
        }
        for f in profile.functions
        if f.strength in ("tydelig", "mulig")
    ]
    single_signs = [
        {"label": f.label, "evidence": _evidence_words(f.evidence)}
        for f in profile.functions
        if f.strength == "svag"
    ]
    attendance = [
        {"label": h.label, "explain": h.explain, "strength": h.strength, "evidence": h.evidence}
        for h in profile.attendance
    ]
    resources = [
        {
            "question": ans.question(r.question_key, r.role) if r.text else "",
            "role": ROLE_LABELS[_role(r.role)],
            "text": r.text or r.label,
        }
        for r in profile.resources
    ]
    perspectives = []
    for question in q.all_questions():
        if question.type == "scale" and question.key in ans.by_key:
            vals = {r: answer_display(a, q) for r, a in ans.by_key[question.key].items()}
            perspectives.append(
                {
                    "question": question.text_for("parent", child),
                    "parent": vals.get("parent", "–"),
                    "pupil": vals.get("pupil", "–"),
                }
            )
    disagreements = [
        {
            "title": q.area_title(d.area, "parent"),
            "parent": rules.levels[d.parent_level],
            "pupil": rules.levels[d.pupil_level],
        }
        for d in profile.disagreements
    ]
    facts = [line for key in FACT_KEYS for line in ans.lines(key, answered_only=False)]
    own_words = [line for key in OWN_WORDS_KEYS for line in ans.lines(key)]
    data = {
        "case": {
            "child_name": child or "",
            "grade": case_info.get("grade", ""),
            "school": case_info.get("school") or "",
            "case_id": str(case_info.get("case_id", "")),
            "created": danish_date(case_info.get("created_at")),
            "respondents": [ROLE_LABELS[r] for r in profile.roles],
        },
        "urgent": urgent,
        "underretning": UNDERRETNING if urgent else "",
        "facts": facts,
        "absence": absence,
        "in_own_words": own_words,
        "areas": areas,
        "functions": functions,
        "single_signs": single_signs,
        "attendance": attendance,
        "resources": resources,
        "wishes": [line for key in WISH_KEYS for line in ans.lines(key)],
        "consents": [
            {
                "scope": d.get("scope", ""),
                "given_by": d.get("given_by", ""),
                "at": danish_date(d.get("at")),
                "granted": bool(d.get("granted", True)),
            }
            for d in (_as_dict(c) for c in consents)
        ],
        "disagreements": disagreements,
        "perspectives": perspectives,
        "how_made": list(rules.how_made),
    }
    data["key_points"] = key_points(data)
    return data


def _evidence_words(evidence: list[SignalEvidence]) -> list[str]:
    out: list[str] = []
    for s in evidence:
        text = f"{s.label} ({ROLE_LABELS[s.role].lower()})"
        if s.label and text not in out:
            out.append(text)
    return out


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


def key_points(data: dict[str, Any]) -> list[str]:
    """At most three lines: what matters most, for the first screen of the case page."""
    lines: list[str] = []
    if data["urgent"]:
        kinds = sorted({k for u in data["urgent"] for k in u["kinds"]})
        lines.append(f"Faresignal: {_join(kinds)}. Læs det først, og vurder underretning.")
    primary = [a for a in data["areas"] if a["primary"]]
    if primary:
        parts = []
        for a in primary[:3]:
            # The strongest concern names the area; the full list is further down.
            top = next((c["label"].lower() for c in a["concerns"] if c["level"] >= 2), "")
            level = a["level_label"].lower()
            parts.append(f"{a['title']} ({level}: {top})" if top else f"{a['title']} ({level})")
        lines.append("Vigtigst: " + "; ".join(parts) + ".")
    elif any(a["level"] is not None for a in data["areas"]):
        lines.append("Ingen områder står frem i svarene.")
    else:
        lines.append("Der er ingen svar om årsagerne endnu.")
    unclear = [a["title"].lower() for a in data["areas"] if a["open"] and not a["primary"]]
    if unclear and not primary:
        lines.append(f"Spørg ind til {_join(unclear)}: svaret »Ved ikke« eller »Vil ikke svare«.")
    hyp = [f"{f['label']} ({f['strength']})" for f in data["functions"][:1]]
    hyp += [f"type: {h['label'].lower()} ({h['strength']})" for h in data["attendance"][:1]]
    if data["disagreements"]:
        titles = _join([d["title"] for d in data["disagreements"]])
        hyp.append(f"forælder og elev ser forskelligt på {titles.lower()}")
    if hyp:
        lines.append("Hypotese: " + "; ".join(hyp) + ".")
    else:
        absence = data["absence"]
        if absence["days"]:
            share = f" ({absence['share']})" if absence["share"] else ""
            lines.append(f"Fravær sidste måned: {absence['days']}{share}. Ingen tydelig hypotese.")
    return lines[:3]


def _env(html: bool) -> Environment:
    # Autoescape is on for the HTML rendering; the plain-text rendering is never served as HTML.
    return Environment(  # nosec B701 # autoescape=html: on wherever the output is HTML
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
