"""RulePolicy's rule search, stopped where its result can no longer change.

`RulePolicy._get_possible_keys` filters the rule keys against the conversation's states from the
newest backwards, through the whole history: at the end of an intake ~150 states times every
rule key still possible, several times a turn (py-spy at 600 people: ~5 % of a Rasa worker).
A key whose rule is shorter than the distance walked is always kept (`_is_rule_applicable`
returns True for it), so past the longest rule nothing changes, and once no key is left none
comes back: the walk stops there with the same set. Checked against Rasa's own on the trained
model's rules and random conversations (tests/engine/engine_checks.py, `rule_keys`).
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.rule_policy import RulePolicy

ORIGINAL_GET_POSSIBLE_KEYS = RulePolicy._get_possible_keys
_LONGEST_ATTR = "_skolebro_longest_rule"


def _longest_rule(policy: RulePolicy, lookup: dict[str, Any]) -> int:
    """The most states any rule of `lookup` has (computed once per lookup table)."""
    cache: dict[int, tuple[dict[str, Any], int, int]] = policy.__dict__.setdefault(
        _LONGEST_ATTR, {}
    )
    hit = cache.get(id(lookup))
    if hit is None or hit[0] is not lookup or hit[1] != len(lookup):
        longest = max((len(policy._rule_key_to_state(key)) for key in lookup), default=0)
        hit = cache[id(lookup)] = (lookup, len(lookup), longest)
    return hit[2]


def get_possible_keys(self: RulePolicy, lookup: dict[str, Any], states: list[Any]) -> set[str]:
    possible_keys = set(lookup.keys())
    longest = _longest_rule(self, lookup)
    for i, state in enumerate(reversed(states)):
        if i >= longest or not possible_keys:
            break
        possible_keys = {key for key in possible_keys if self._is_rule_applicable(key, i, state)}
    return possible_keys


def install() -> None:
    RulePolicy._get_possible_keys = get_possible_keys  # type: ignore[method-assign]
