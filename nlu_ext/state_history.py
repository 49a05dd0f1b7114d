"""A conversation's dialogue states, computed once per event instead of once per prediction.

Both policies featurize the whole history on every prediction (`Domain.states_for_tracker_history`,
two to four predictions a turn, each policy with its own options): they replay every applied event
into a fresh tracker and, before each action, compute the dialogue state (`Domain.get_active_state`:
the user's intent and entities, every slot, the previous action, the active loop). At the end of an
intake that is ~200 states, ~4-5 ms a call; py-spy at 600 people put it at ~6 % of a Rasa worker.
Two things are kept on the tracker instead:
- per set of options, the last call's run: its applied events, the replayed tracker after them and
  the states before the newest one. When the events since are only appended (the same objects),
  the run continues from there: only the new events are replayed and only their states computed;
- per domain and `omit_unset_slots`, each raw state with the events it came from, reused while the
  applied events up to it are the very same objects. A loop's undone execution, a revert or a
  restart changes the events in the middle: the replay starts again and recomputes from there on.
Rasa's handling of rule-only turns runs as in Rasa. Kept states are shared with the callers: Rasa
changes only the newest state of a history (`_choose_last_user_input`), which is built fresh on
every call. Training's trackers (`TrackerWithCachedStates`, which keep their own) take Rasa's path.
Checked against Rasa's own after every event of random conversations (tests/engine/engine_checks.py,
`state_history`).
"""

from __future__ import annotations

import json
from typing import Any, cast

import rasa.shared.core.constants as core
from rasa.shared.core.domain import Domain, State, SubState
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

ORIGINAL_STATES_FOR_TRACKER_HISTORY = Domain.states_for_tracker_history
_CACHE_ATTR = "_skolebro_states"


class _Raw:
    """Raw states (before rule-only handling) by the index of the action they come before, and
    the applied events they were computed from."""

    __slots__ = ("domain", "events", "states", "parts")

    def __init__(self, domain: Domain) -> None:
        self.domain = domain
        self.events: list[Any] = []
        self.states: dict[int, State] = {}
        # Equal sub-states are kept once (the slots change seldom from one action to the next):
        # ~190 -> ~40 KB of raw states for a finished intake. Nothing kept is ever changed.
        self.parts: dict[Any, SubState] = {}

    def intern(self, state: State) -> State:
        kept: State = {}
        for state_type, sub_state in state.items():
            key = (state_type, tuple(sub_state.items()))
            kept[state_type] = self.parts.setdefault(key, sub_state)
        return kept


class _Run:
    """One set of options' last call, stopped just before its final state."""

    __slots__ = ("domain", "events", "replay", "states", "turn_was_hidden", "last_ml_action")

    def __init__(
        self,
        domain: Domain,
        events: list[Any],
        replay: DialogueStateTracker,
        states: list[State],
        turn_was_hidden: bool,
        last_ml_action: Any,
    ) -> None:
        self.domain = domain
        self.events = events
        self.replay = replay
        self.states = states
        self.turn_was_hidden = turn_was_hidden
        self.last_ml_action = last_ml_action


def _copy(state: State) -> State:
    return {state_type: dict(sub_state) for state_type, sub_state in state.items()}


def _same_prefix(applied: list[Any], before: list[Any]) -> int:
    same = 0
    for ours, theirs in zip(applied, before, strict=False):
        if ours is not theirs:
            break
        same += 1
    return same


def states_for_tracker_history(
    self: Domain,
    tracker: DialogueStateTracker,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[State]:
    """Rasa 3.6's loop, continued from the last call or with kept raw states."""
    if type(tracker) is not DialogueStateTracker:
        return ORIGINAL_STATES_FOR_TRACKER_HISTORY(
            self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data
        )
    applied = tracker.applied_events()
    cache: dict[Any, Any] = tracker.__dict__.setdefault(_CACHE_ATTR, {})
    raw = cache.get(omit_unset_slots)
    if raw is None or raw.domain is not self:
        raw = cache[omit_unset_slots] = _Raw(self)
    same = _same_prefix(applied, raw.events)
    reusable = {i: s for i, s in raw.states.items() if i <= same}
    fresh: dict[int, State] = {}

    variant = (
        "run",
        omit_unset_slots,
        ignore_rule_only_turns,
        json.dumps(rule_only_data, sort_keys=True) if ignore_rule_only_turns else None,
    )
    # Taken out while it runs: a call that fails half-way leaves nothing half-advanced behind.
    run: _Run | None = cache.pop(variant, None)
    if (
        run is not None
        and run.domain is self
        and len(run.events) <= len(applied)
        and _same_prefix(applied, run.events) == len(run.events)
    ):
        start, replay, states = len(run.events), run.replay, list(run.states)
        turn_was_hidden, last_ml_action_sub_state = run.turn_was_hidden, run.last_ml_action
    else:
        start, replay, states = 0, tracker.init_copy(), []
        turn_was_hidden, last_ml_action_sub_state = False, None

    # Rasa's generate_all_prior_trackers: the replayed tracker before each action and, at the
    # end, after every event; here with the index of the event it comes before.
    for index in range(start, len(applied) + 1):
        event = applied[index] if index < len(applied) else None
        if event is not None and not isinstance(event, ActionExecuted):
            replay.update(event)
            continue
        if event is None:  # what the next call continues from
            cache[variant] = _Run(
                self,
                applied,
                replay,
                list(states),
                turn_was_hidden,
                last_ml_action_sub_state,
            )
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
            if event is None:  # the state after the newest event: built on every call
                state = self.get_active_state(replay, omit_unset_slots=omit_unset_slots)
            else:
                kept = reusable.get(index)
                if kept is None:
                    kept = raw.intern(
                        self.get_active_state(replay, omit_unset_slots=omit_unset_slots)
                    )
                fresh[index] = kept
                # Rule-only handling changes the state it is given; otherwise nothing does.
                state = _copy(kept) if ignore_rule_only_turns else dict(kept)
            if ignore_rule_only_turns:
                self._remove_rule_only_features(state, rule_only_data)
                if states:
                    self._substitute_rule_only_user_input(state, states[-1])
                if last_ml_action_sub_state:
                    state[core.PREVIOUS_ACTION] = cast(SubState, last_ml_action_sub_state)
            cleaned = self._clean_state(state)
            # Kept states share equal parts (the newest one is never kept, see above).
            states.append(cleaned if event is None else raw.intern(cleaned))
        if event is not None:
            replay.update(event)
    raw.events = applied
    raw.states = {**reusable, **fresh}
    if states and (ignore_rule_only_turns and turn_was_hidden):
        # The final state was a hidden rule turn, so the newest state handed out is a kept one:
        # the caller gets its own copy of it, as it may change the newest state.
        states[-1] = _copy(states[-1])
    return states


def install() -> None:
    Domain.states_for_tracker_history = states_for_tracker_history  # type: ignore[method-assign]
