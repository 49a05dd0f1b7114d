"""A conversation's dialogue states, computed once per event instead of once per prediction.

Both policies featurize the whole history on every prediction (`Domain.states_for_tracker_history`,
two to four predictions a turn): they replay every applied event into a fresh tracker and, before
each action, compute the dialogue state (`Domain.get_active_state`: the user's intent and
entities, every slot, the previous action, the active loop). At the end of an intake that is ~200
states, ~4 ms a call, and py-spy at 600 people put it at ~6 % of a Rasa worker. A state depends
only on the domain and the events before it, so each state is kept on the tracker with the events
it was computed from; a later call reuses it for as long as the applied events up to that point
are the very same objects (identity, so a reverted or undone event, a loop's removed execution or
a restart recomputes from there on), and only the states after that are computed. The replay
itself and Rasa's handling of rule-only turns run unchanged on every call, and each caller gets
its own copy of every state. Checked against Rasa's own on every prefix of random conversations
(tests/engine/engine_checks.py, `state_history`).
"""

from __future__ import annotations

from typing import Any, cast

import rasa.shared.core.constants as core
from rasa.shared.core.domain import Domain, State, SubState
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

ORIGINAL_STATES_FOR_TRACKER_HISTORY = Domain.states_for_tracker_history
_CACHE_ATTR = "_skolebro_states"


class _Kept:
    """The applied events of the last call and the raw state before each action among them."""

    __slots__ = ("domain", "events", "states", "parts")

    def __init__(self, domain: Domain) -> None:
        self.domain = domain
        self.events: list[Any] = []
        self.states: dict[int, State] = {}  # event index of the action -> state before it
        # Equal sub-states are kept once (the slots change seldom from one action to the next):
        # ~190 -> ~40 KB for a finished intake. Kept states are never handed out, only copies.
        self.parts: dict[Any, SubState] = {}

    def intern(self, state: State) -> State:
        kept: State = {}
        for state_type, sub_state in state.items():
            key = (state_type, tuple(sub_state.items()))
            kept[state_type] = self.parts.setdefault(key, sub_state)
        return kept


def _copy(state: State) -> State:
    return {state_type: dict(sub_state) for state_type, sub_state in state.items()}


def _kept(tracker: DialogueStateTracker, domain: Domain, omit_unset_slots: bool) -> _Kept:
    cache: dict[bool, _Kept] = tracker.__dict__.setdefault(_CACHE_ATTR, {})
    kept = cache.get(omit_unset_slots)
    if kept is None or kept.domain is not domain:
        kept = cache[omit_unset_slots] = _Kept(domain)
    return kept


def states_for_tracker_history(
    self: Domain,
    tracker: DialogueStateTracker,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[State]:
    """Rasa 3.6's loop, with each raw state taken from the tracker's kept states when the
    events before it are unchanged."""
    applied = tracker.applied_events()
    kept = _kept(tracker, self, omit_unset_slots)
    same = 0
    for ours, theirs in zip(applied, kept.events, strict=False):
        if ours is not theirs:
            break
        same += 1
    reusable = {i: s for i, s in kept.states.items() if i <= same}
    fresh: dict[int, State] = {}

    def raw_state(index: int, prior: DialogueStateTracker) -> State:
        state = reusable.get(index)
        if state is None:
            state = kept.intern(self.get_active_state(prior, omit_unset_slots=omit_unset_slots))
        fresh[index] = state
        return _copy(state)

    states: list[State] = []
    last_ml_action_sub_state = None
    turn_was_hidden = False
    replay = tracker.init_copy()
    # Rasa's generate_all_prior_trackers: the replayed tracker before each action and, at the
    # end, after every event; here with the index of the event it comes before.
    for index in range(len(applied) + 1):
        event = applied[index] if index < len(applied) else None
        if event is not None and not isinstance(event, ActionExecuted):
            replay.update(event)
            continue
        hide_rule_turn = event.hide_rule_turn if event is not None else False
        if ignore_rule_only_turns:
            if not turn_was_hidden:
                last_ml_action_sub_state = self._get_prev_action_sub_state(replay)
            if (
                not replay.followup_action
                and not replay.latest_action_name == replay.active_loop_name  # noqa: SIM201 (as Rasa)
            ):
                turn_was_hidden = hide_rule_turn
        if not (ignore_rule_only_turns and turn_was_hidden):
            if event is not None:
                state = raw_state(index, replay)
            else:  # the state after the newest event: computed on every call, never kept
                state = self.get_active_state(replay, omit_unset_slots=omit_unset_slots)
            if ignore_rule_only_turns:
                self._remove_rule_only_features(state, rule_only_data)
                if states:
                    self._substitute_rule_only_user_input(state, states[-1])
                if last_ml_action_sub_state:
                    state[core.PREVIOUS_ACTION] = cast(SubState, last_ml_action_sub_state)
            states.append(self._clean_state(state))
        if event is not None:
            replay.update(event)
    # Keep every state of this history (also those a rule-only pass skipped: they stay valid).
    kept.events = applied
    kept.states = {**reusable, **fresh}
    return states


def install() -> None:
    Domain.states_for_tracker_history = states_for_tracker_history  # type: ignore[method-assign]
