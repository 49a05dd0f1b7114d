"""Leader statistics never reveal a group of fewer than 5 cases, also when groups are merged."""

from __future__ import annotations

from bot.stats import suppress_sets


def test_merged_labels_count_distinct_cases() -> None:
    # Two cases, each with four signal kinds: eight labels, but only two children.
    members = {f"kind{i}": {1, 2} for i in range(4)}
    result = suppress_sets(members)
    assert result["groups"] == []
    assert result["withheld"] is True
    assert result["total"] is None


def test_small_groups_merge_into_a_group_of_distinct_cases() -> None:
    members = {
        "mobning": {1, 2, 3, 4, 5, 6},
        "søvn": {1, 7},
        "angst": {8, 9},
        "skærm": {10},
    }
    result = suppress_sets(members)
    labels = {g["label"]: g["count"] for g in result["groups"]}
    assert labels == {"mobning": 6, "Øvrige": 5}  # cases 1, 7, 8, 9, 10
    assert result["total"] == 10


def test_leader_sees_danish_signal_names_never_codes() -> None:
    from bot.profile import load_rules
    from bot.risk import KINDS as RISK_KINDS
    from bot.stats import kind_label

    for kind in [*load_rules().kinds, *RISK_KINDS]:
        label = kind_label(kind)
        assert label != kind and "_" not in label, kind
