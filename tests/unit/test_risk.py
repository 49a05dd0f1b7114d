"""Danger signals are caught (all of the labelled set) without crying wolf at idioms."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.risk import detect_risk

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "eval"))
import run_eval  # noqa: E402


def test_main_eval_set_recall_is_complete_and_false_alarms_rare() -> None:
    rep = run_eval.evaluate(run_eval.MAIN)
    assert rep.n_risk >= 120 and rep.n_calm >= 120
    assert set(rep.per_kind) == {"self_harm", "violence", "sexual_abuse", "neglect", "threats"}
    assert rep.missed == []
    assert rep.false_alarm_rate <= 0.05, rep.false_alarms


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("jeg vil ikke leve mere", "self_harm"),
        ("jeg taenker paa selvmor", "self_harm"),
        ("hun skærer i sig selv", "self_harm"),
        ("min far slaar mig", "violence"),
        ("en voksen roer ved mig", "sexual_abuse"),
        ("jeg har ikke noget sted at sove", "neglect"),
        ("de truer med at dele billeder af mig", "threats"),
    ],
)
def test_named_danger_cases(text: str, kind: str) -> None:
    result = detect_risk(text)
    assert result.is_risk and kind in result.kinds


@pytest.mark.parametrize(
    "text",
    [
        "jeg keder mig ihjel",
        "matematik slår mig ihjel",
        "jeg dør af grin",
        "det var dødsjovt",
        "vi skændes om skærmtid",
        "min mor er død for 3 år siden",
        "det var voldsomt hårdt",
    ],
)
def test_idioms_and_everyday_words_are_calm(text: str) -> None:
    assert detect_risk(text).is_risk is False


def test_matches_quote_the_persons_own_words() -> None:
    result = detect_risk("Min far slår mig, når han er fuld")
    assert result.kinds == ["violence"]
    assert result.matches == ["slår mig"]
