"""Free text is placed in the right areas and reflected back in plain Danish."""

from __future__ import annotations

import pytest

from bot.text_areas import classify_areas, reflect, signals_from_text


def areas(text: str) -> list[str]:
    return [h.area for h in classify_areas(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Han bliver mobbet og drillet", ["kammerater"]),
        ("hun har ingen venner i klassen", ["kammerater"]),
        ("læreren råber, og der er meget larm", ["skole"]),
        ("matematik er for svært", ["skole"]),
        ("vi er blevet skilt, og vi er flyttet", ["hjem"]),
        ("ondt i maven hver morgen og angst", ["barnet"]),
        ("sover dårligt og gamer om natten", ["barnet"]),
        ("han har adhd og autisme", ["barnet"]),
        ("hun er ordblind", ["barnet"]),
        ("han går til fodbold og i klub", ["fritid"]),
        ("Hun bliver mobbet, og hendes far og jeg er gået fra hinanden", ["kammerater", "hjem"]),
    ],
)
def test_classify_areas(text: str, expected: list[str]) -> None:
    assert areas(text) == expected


def test_tolerates_missing_aeoeaa_and_typos() -> None:
    assert areas("ondt i maven og soever daarligt") == ["barnet"]
    assert areas("han blev mobet paa nettet") == ["kammerater"]
    assert areas("skilsmise") == ["hjem"]


def test_matched_words_are_the_users_own() -> None:
    hit = classify_areas("Læreren er sur")[0]
    assert hit.matched == ("Læreren",)


def test_simple_negation_and_unrelated_text_give_no_area() -> None:
    assert areas("hun bliver ikke mobbet") == []
    assert areas("vejret er fint i dag") == []


def test_leisure_is_an_area_but_not_a_concern_signal() -> None:
    assert signals_from_text("han går til fodbold") == []
    assert ("kammerater", "bullying", "mobbet") in signals_from_text("han bliver mobbet")


def test_reflection_names_the_topics() -> None:
    hits = classify_areas("hun har ingen venner og sover dårligt")
    assert (
        reflect(hits, "parent")
        == "Tak. Jeg hører, at det især handler om at have venner og om at sove."
    )
    assert reflect(hits, "elev").startswith("Tak. Jeg kan høre")
    assert "Tak" in reflect([], "parent") and "handler" not in reflect([], "parent")
