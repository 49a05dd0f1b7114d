"""Written vignettes (tests/unit/data/vignettes.yaml) read as a skolekontaktperson would.

Each vignette is stored the way the bot stores answers (parsed by the real questionnaire, free
text about problems read by the real text classifier), then the profile is checked against the
worker's reading and the summary, the printable summary and the registreringsskema are checked
for what a worker must see and for internal codes that must never reach a person.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from api.templating import render as render_page
from bot.profile import AnswerRecord, TextSignal, build_profile, load_rules
from bot.questionnaire import AREA_KEYS, FUNCTIONS, load_questionnaire
from bot.summary import render_summary, summary_dict
from bot.text_areas import signals_from_text

Q = load_questionnaire()
RULES = load_rules()
VIGNETTES = yaml.safe_load(
    (Path(__file__).with_name("data") / "vignettes.yaml").read_text(encoding="utf-8")
)
_SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
_ENGLISH = re.compile(
    r"\b(parent|pupil|none|null|true|false|answered|dont_know|refused|skipped|kind|level)\b", re.I
)


def _store(vignette: dict[str, Any]) -> tuple[list[AnswerRecord], list[TextSignal]]:
    answers, signals = [], []
    for role, given in vignette["answers"].items():
        for key, value in given.items():
            question = Q.question(key)
            assert role in question.roles, f"{vignette['id']}: {key} is not asked to {role}"
            typed = ", ".join(value) if isinstance(value, list) else str(value)
            parsed = question.parse(typed, role)
            free = str(parsed.value) if question.type == "text" and parsed.value else None
            answers.append(AnswerRecord(key, parsed.status, parsed.value, free, role))
            if free and question.problem_text:
                for area, kind, matched in signals_from_text(free):
                    signals.append(TextSignal(area, kind, matched, key, role))
    return answers, signals


def _case_info(answers: list[AnswerRecord]) -> dict[str, Any]:
    name = next((a.value for a in answers if a.question_key == "child_name"), "")
    return {"child_name": name, "grade": 5, "school": "Nordskolen", "created_at": date(2026, 11, 2)}


def _visible_text(html: str) -> str:
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture(params=VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def vignette(request) -> dict[str, Any]:
    return request.param


def test_there_are_enough_vignettes_of_every_kind() -> None:
    assert len(VIGNETTES) >= 20
    roles = [frozenset(v["answers"]) for v in VIGNETTES]
    assert frozenset({"parent"}) in roles and frozenset({"pupil"}) in roles
    assert frozenset({"parent", "pupil"}) in roles
    for area in AREA_KEYS:
        if area != "fritid":  # fritid is a resource; it is never a main area
            assert any(area in v["expect"].get("primary", []) for v in VIGNETTES), area
    assert any(v["expect"].get("primary") == [] for v in VIGNETTES)  # calm profiles
    assert any(v["expect"].get("disagreement") for v in VIGNETTES)


def test_profile_matches_the_workers_reading(vignette: dict[str, Any]) -> None:
    answers, signals = _store(vignette)
    p = build_profile(answers, signals, Q)
    want = vignette["expect"]
    name = vignette["id"]
    levels = {a.area: a.level for a in p.areas}
    if "primary" in want:
        assert set(want["primary"]) <= set(p.primary_areas), (name, p.primary_areas, levels)
        if not want["primary"]:
            assert p.primary_areas == [], (name, levels)
    if "first" in want:
        assert p.ranked_areas[0] == want["first"], (name, p.ranked_areas, levels)
    for area in want.get("not_first", []):
        assert not p.ranked_areas or p.ranked_areas[0] != area, (name, p.ranked_areas)
    for area in want.get("not_primary", []):
        assert area not in p.primary_areas, (name, levels)
    for area, level in want.get("levels", {}).items():
        assert levels[area] == level, (name, area, levels)
    leading = [f for f in p.functions if f.strength in ("tydelig", "mulig")]
    if "hypothesis" in want:
        if want["hypothesis"] is None:
            assert leading == [], (name, [(f.function, f.strength) for f in leading])
        else:
            assert leading and leading[0].function == want["hypothesis"], (
                name,
                [(f.function, f.strength) for f in p.functions],
            )
    for fn in want.get("not_clear", []):
        assert fn in FUNCTIONS
        assert next(f for f in p.functions if f.function == fn).strength != "tydelig", name
    if "attendance" in want:
        kinds = [h.kind for h in p.attendance]
        if want["attendance"] is None:
            assert kinds == [], (name, kinds)
        else:
            assert kinds and kinds[0] == want["attendance"], (name, kinds)
    if "disagreement" in want:
        assert set(want["disagreement"]) <= {d.area for d in p.disagreements}, name


def test_rendered_summary_and_skema_are_danish_with_every_concern_once(
    vignette: dict[str, Any],
) -> None:
    answers, signals = _store(vignette)
    p = build_profile(answers, signals, Q)
    info = _case_info(answers)
    data = summary_dict(info, p, answers, urgent_signals=[], consents=[])
    all_labels = [c["label"] for area in data["areas"] for c in area["concerns"]]
    assert len(all_labels) == len(set(all_labels)), (vignette["id"], all_labels)
    for area in data["areas"]:
        for concern in area["concerns"]:
            assert concern["sources"] and all(s["role"] for s in concern["sources"])
    for line in data["resources"] + data["wishes"] + data["facts"] + data["in_own_words"]:
        assert line["role"] in ("Forælder", "Elev") and line["text"], line
    assert 1 <= len(data["key_points"]) <= 3

    text = render_summary(info, p, answers, fmt="text")
    html = _visible_text(render_summary(info, p, answers, fmt="html"))
    printed = _visible_text(render_summary(info, p, answers, fmt="print"))
    skema = _visible_text(
        render_page(
            "registreringsskema.html",
            data={
                "case": {"reference": "SB-2026-000001", "status": "ny", "pupil_alias": "X"},
                "summary": data,
                "notes": [],
            },
            worker=SimpleNamespace(full_name="Kontakt Person", username="kontakt1"),
            printed=datetime(2026, 11, 3, 10, 0),
        )
    )
    keys = {q.key for q in Q.all_questions()}
    codes = keys | set(RULES.kinds) | set(FUNCTIONS) | set(RULES.attendance)
    for label, page in (("text", text), ("html", html), ("print", printed), ("skema", skema)):
        assert not _SNAKE.findall(page), (vignette["id"], label, _SNAKE.findall(page))
        assert not _ENGLISH.findall(page), (vignette["id"], label, _ENGLISH.findall(page))
        assert "{" not in page and "(parent)" not in page and "(pupil)" not in page
        for code in codes:
            assert not re.search(rf"\b{re.escape(code)}\b", page), (vignette["id"], label, code)
        for phrase in vignette["expect"].get("summary_has", []):
            assert phrase in page, (vignette["id"], label, phrase)
        for phrase in vignette["expect"].get("summary_lacks", []):
            assert phrase not in page, (vignette["id"], label, phrase)
    assert "Sådan er profilen lavet" in text.title() or "SÅDAN ER PROFILEN LAVET" in text
    assert "Sådan er profilen lavet" in html and "Sådan er profilen lavet" in skema
    for page in (printed, skema):
        assert "Elev (fra 15 år)" in page and "Ulovligt fravær" in page
        assert "Skolens registrerede fravær" in page
