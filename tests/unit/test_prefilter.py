"""The literal prefilter skips only regexes that cannot match: the danger detector gives the
same answer with it as when every regex runs (bot/understanding/prefilter.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import risk
from bot.understanding import prefilter
from bot.understanding.danger_corpus import training_items
from bot.understanding.prefilter import Alternation, regex_spans, required_literals

BLIND_DIR = Path(__file__).resolve().parents[2] / "eval" / "blind"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"sl(?:aa|a)r (?:mig|ham)", {"slaar mig", "slar mig", "slaar ham", "slar ham"}),
        (r"\w+ kniv", {" kniv"}),
        (r"(?:truer|slår) \w+ med", {"truer ", "slår "}),  # the longer shortest literal
        (r"sk[eæ]r", {"sker", "skær"}),
        (r"(?:kniv|\w+)", None),  # one branch needs no text
        (r"(?=kniv)\w+", None),  # a look-ahead's text need not be in the match
        (r"(?:kniv)?", None),
        (r"(?i)kniv", None),  # case-insensitive: the match could be "KNIV"
    ],
)
def test_required_literals(pattern: str, expected: set[str] | None) -> None:
    found = required_literals(pattern)
    assert (set(found) if found is not None else None) == expected


BRANCHES = [
    r"sl(?:aa|a)r",
    r"slaar mig",  # a later branch matching at the same start: the earlier one wins
    r"(?<!\w)\w*kniv",
    r"mig(?= *$)",
    r"ikke",
    r"(?:^|(?<=[.!] ))hej",
    r"a?",  # may match empty
]
ALPHABET = "slaarmigkniveh .!"


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet=ALPHABET, max_size=40), word_start=st.booleans())
def test_alternation_matches_as_the_joined_regex(text: str, word_start: bool) -> None:
    joined = re.compile("|".join(f"(?:{b})" for b in BRANCHES))
    assert Alternation(BRANCHES, word_start).spans(text) == regex_spans(joined, text, word_start)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=ALPHABET, max_size=40))
def test_required_literals_occur_in_every_match(text: str) -> None:
    for branch in BRANCHES:
        literals = required_literals(branch)
        if literals is None:
            continue
        for m in re.finditer(branch, text):
            assert any(literal in m.group(0) for literal in literals), (branch, m.group(0))


def _labelled_texts() -> list[str]:
    texts = [item.text for item in training_items()]
    for path in sorted(BLIND_DIR.glob("risk_*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts += [entry["text"] for part in data.values() for entry in part]
    return list(dict.fromkeys(texts))[::8]  # an eighth: the plain run takes ~1 ms a message


def test_the_lexicon_answers_as_when_every_regex_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """An eighth of the labelled danger and calm messages (training sets, blind sets): the
    same kinds, quoted words, checks and text for the model. (All 14,669 labelled and example
    messages were compared when this was built: no difference.)"""
    texts = _labelled_texts()
    assert len(texts) > 1000
    filtered = [risk._lexicon_pass(t) for t in texts]
    monkeypatch.setattr(prefilter, "ENABLED", False)
    plain = [risk._lexicon_pass(t) for t in texts]
    differ = [t for t, a, b in zip(texts, filtered, plain, strict=True) if a != b]
    assert differ == []
    assert sum(result.is_risk for result, _ in plain) > 300  # the sets do hold danger
