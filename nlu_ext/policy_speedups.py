"""RulePolicy's rule search, compiled once and stopped where its result can no longer change.

`RulePolicy._get_possible_keys` filters the rule keys against the conversation's states from the
newest backwards, through the whole history, several times a turn. For every key and every state
it JSON-decodes the key (cached), copies and reverses the key's states and walks their dicts
(py-spy at 600 people: ~10 % of a Rasa worker). Here:
- each lookup table is compiled once per loaded policy into a trie of the keys' rule states,
  newest first; a rule state becomes tuples of what `_does_rule_match_state` compares (lists as
  tuples, as Rasa converts them). Keys sharing their newest states share nodes, so a conversation
  state is compared once per distinct rule state at that step, not once per key;
- a key whose rule is shorter than the distance walked is always kept (`_is_rule_applicable`
  returns True for it), and once no branch is left none comes back: the walk stops there with
  the same set.
Checked against Rasa's own on the trained model's rules and random conversations
(tests/engine/engine_checks.py, `rule_keys`).
"""

from __future__ import annotations

import json
from typing import Any

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET

ORIGINAL_GET_POSSIBLE_KEYS = RulePolicy._get_possible_keys
_COMPILED_ATTR = "_skolebro_compiled_rules"

# A rule state compiled: whether it has a previous action, and per state type the
# (key, expected value, must-be-unset) triples that can make a conversation state fail it.
_Check = tuple[str, Any, bool]
_RuleState = tuple[bool, tuple[tuple[str, tuple[_Check, ...]], ...]]


class _Node:
    """Rules sharing their newest states: `ending` are the keys whose rule stops here, `below`
    every key at or under this node, `children` the next older rule state and its node."""

    __slots__ = ("ending", "below", "children")

    def __init__(self) -> None:
        self.ending: list[str] = []
        self.below: list[str] = []
        self.children: dict[int, tuple[_RuleState, _Node]] = {}


class _Compiled:
    """One lookup table's keys as a trie of their rule states, newest first."""

    __slots__ = ("lookup", "size", "root")

    def __init__(self, lookup: dict[str, Any]) -> None:
        interned: dict[str, _RuleState] = {}
        self.lookup = lookup
        self.size = len(lookup)
        self.root = _Node()
        for key in lookup:
            node = self.root
            node.below.append(key)
            for state in reversed(json.loads(key)):
                text = json.dumps(state, sort_keys=True)
                rule = interned.setdefault(text, _compile_state(state))
                if id(rule) not in node.children:
                    node.children[id(rule)] = (rule, _Node())
                node = node.children[id(rule)][1]
                node.below.append(key)
            node.ending.append(key)


def _compile_state(state: dict[str, Any]) -> _RuleState:
    subs = []
    for state_type, sub_state in state.items():
        checks: list[_Check] = []
        for key, value in sub_state.items():
            if isinstance(value, list):  # JSON turns Rasa's tuples into lists
                value = tuple(value)
            if value == SHOULD_NOT_BE_SET:
                checks.append((key, value, True))
            elif value:  # a falsy rule value constrains nothing in Rasa's comparison
                checks.append((key, value, False))
        subs.append((state_type, tuple(checks)))
    return bool(state.get(PREVIOUS_ACTION)), tuple(subs)


def _matches(rule: _RuleState, state: dict[str, Any], state_has_previous: bool) -> bool:
    """`RulePolicy._is_rule_applicable` for a rule state within the rule's length."""
    rule_has_previous, subs = rule
    if not rule_has_previous and not state_has_previous:
        return True
    if not rule_has_previous or not state_has_previous:
        return False
    for state_type, checks in subs:
        conversation = state.get(state_type, {})
        for key, value, must_be_unset in checks:
            current = conversation.get(key)
            if must_be_unset:
                if current and current != SHOULD_NOT_BE_SET:
                    return False
            elif current != value:
                return False
    return True


def _compiled(policy: RulePolicy, lookup: dict[str, Any]) -> _Compiled:
    cache: dict[int, _Compiled] = policy.__dict__.setdefault(_COMPILED_ATTR, {})
    hit = cache.get(id(lookup))
    if hit is None or hit.lookup is not lookup or hit.size != len(lookup):
        hit = cache[id(lookup)] = _Compiled(lookup)
    return hit


def get_possible_keys(self: RulePolicy, lookup: dict[str, Any], states: list[Any]) -> set[str]:
    # Walking the trie keeps exactly the keys Rasa's filter keeps: a key survives each step its
    # rule still has a state for if that state applies, and is kept once its rule is shorter
    # than the distance walked; keys longer than the conversation are kept when it runs out.
    root = _compiled(self, lookup).root
    kept: list[str] = list(root.ending)
    frontier = [root]
    for state in reversed(states):
        if not frontier:
            break
        has_previous = bool(state.get(PREVIOUS_ACTION))
        deeper = []
        for node in frontier:
            for rule, child in node.children.values():
                if _matches(rule, state, has_previous):
                    kept.extend(child.ending)
                    if child.children:
                        deeper.append(child)
        frontier = deeper
    possible = set(kept)
    for node in frontier:
        possible.update(node.below)
    return possible


def install() -> None:
    RulePolicy._get_possible_keys = get_possible_keys  # type: ignore[method-assign]
