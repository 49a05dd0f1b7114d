"""The intents' cross-validation folds (scripts/nlu_eval.py): every example is held out exactly
once, never learnt in its own fold, and every intent is in every fold."""

from __future__ import annotations

import yaml

from scripts.nlu_eval import NLU, split_folds


def _lines(doc: dict) -> list[tuple[str, str]]:
    return [
        (block["intent"], line[2:])
        for block in doc["nlu"]
        if "intent" in block
        for line in block["examples"].splitlines()
    ]


def test_each_example_is_held_out_once_and_never_learnt_in_its_own_fold() -> None:
    nlu = yaml.safe_load(NLU.read_text(encoding="utf-8"))
    everything = sorted(
        (b["intent"], line.strip()[2:])
        for b in nlu["nlu"]
        if "intent" in b
        for line in b["examples"].splitlines()
        if line.strip().startswith("- ")
    )
    folds = split_folds(nlu, 3, seed=5)
    held = sorted(pair for _, test in folds for pair in _lines(test))
    assert held == everything
    for train, test in folds:
        learnt, tested = set(_lines(train)), set(_lines(test))
        assert not learnt & tested
        assert len(learnt) + len(tested) == len(set(everything))
        # Stratified: an intent with at least three examples is tested in every fold.
        assert {i for i, _ in tested} == {
            i for i, _ in everything if sum(j == i for j, _ in everything) >= 3
        }
    assert split_folds(nlu, 3, seed=5) == folds  # a seed repeats the split
