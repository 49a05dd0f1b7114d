"""The worker's summary: danger first, Danish dates/plurals, escaped free text, review."""

from __future__ import annotations

import json
from datetime import date

from bot.danish import plural
from bot.profile import AnswerRecord, build_profile
from bot.questionnaire import load_questionnaire
from bot.risk import detect_risk
from bot.summary import render_summary, review_text, summary_dict

Q = load_questionnaire()
ANSWERS = [
    AnswerRecord("child_name", "answered", "Emma", "Emma", "parent"),
    AnswerRecord("days_last_month", "answered", 3, None, "parent"),
    AnswerRecord("kammerater_drillet", "answered", 3, None, "parent"),
    AnswerRecord("kammerater_drillet", "answered", 3, None, "pupil"),
    AnswerRecord("barnet_bange", "dont_know", None, None, "pupil"),
    AnswerRecord(
        "kammerater_andet", "answered", None, "<script>alert(1)</script> de griner", "pupil"
    ),
    AnswerRecord("strengths_good_at", "answered", None, "Hun tegner flot", "parent"),
]
CASE = {"child_name": "Emma", "grade": 5, "school": "Nørreskolen", "created_at": date(2026, 11, 22)}
URGENT = [{**detect_risk("min far slår mig").to_dict(), "role": "elev"}]


def render(fmt: str, urgent=URGENT) -> str:
    profile = build_profile(ANSWERS, [], Q)
    return render_summary(CASE, profile, ANSWERS, urgent_signals=urgent, consents=[], fmt=fmt)


def test_danish_plurals() -> None:
    assert plural(1, "dag", "dage") == "1 dag"
    assert plural(3, "dag", "dage") == "3 dage"
    assert plural(0, "dag", "dage") == "0 dage"
    assert plural(1.5, "dag", "dage") == "1,5 dage"


def test_text_summary_puts_urgent_first_with_duty_to_notify() -> None:
    text = render("text")
    assert "22. november 2026" in text
    assert text.index("AKUTTE SIGNALER") < text.index("FRAVÆR") < text.index("OMRÅDER")
    assert '"slår mig"' in text and "Vold" in text
    assert "underretningspligten" in text and "Barnets lov" in text
    assert "3 dage" in text
    # The area with the most concern comes first.
    areas_part = text.split("OMRÅDER (vigtigste først)")[1]
    assert areas_part.strip().startswith("- Kammerater: Meget")


def test_no_urgent_section_without_signals() -> None:
    assert "AKUTTE" not in render("text", urgent=[])


def test_html_escapes_free_text() -> None:
    html = render("html")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert "Akutte signaler" in html


def test_print_format_is_an_a4_form_with_page_breaks() -> None:
    html = render("print")
    assert "@media print" in html and "size: A4" in html and "break-after: page" in html
    assert "Registreringsskema" in html


def test_summary_dict_is_json() -> None:
    profile = build_profile(ANSWERS, [], Q)
    data = summary_dict(CASE, profile, ANSWERS, urgent_signals=URGENT, consents=[])
    json.dumps(data)
    assert data["perspectives"][0]["parent"] == "Tit"


def test_review_text_lists_what_is_passed_on() -> None:
    text = review_text(ANSWERS, Q, "parent")
    assert text.splitlines()[0] == "Her er det, der bliver sendt videre:"
    assert "• Om dit barn: Emma" in text
    assert "• Fraværet: 3 dage" in text
    pupil = review_text(ANSWERS, Q, "elev")
    assert "Ved ikke" in pupil and "Emma" not in pupil
