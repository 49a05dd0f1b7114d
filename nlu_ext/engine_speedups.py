"""Measured speed-ups for the Rasa 3.6 engine, applied when the model loads nlu_ext.

Profiling whole intakes with py-spy showed overheads in Rasa's own code that grow with the
conversation (a finished intake is ~450 events):
- every action-server response is checked with `jsonschema.validate`, which re-validates the
  *schema itself* on each call (~38 % of the Rasa process's CPU per turn). The response is still
  validated against the same schema; the schema is checked once, here, and each event is then
  checked against the one branch of the schema's `oneOf` its type can match (13 % more).
- every stored event is deserialised through `Event.resolve_by_type`, which walks all Event
  subclasses for each event (~15 %). The lookup is now a table with the same first-match result.
- `DialogueStateTracker.applied_events` folds over the whole history on every policy prediction
  (~19 %, 3.4 ms per call at the end of an intake), and each form turn copies the list it folds
  into. It now continues the fold from where the previous call on the same tracker stopped; the
  result is identical (checked against Rasa's own fold in tests/engine/engine_checks.py).
- every custom action call serialises the whole history for the action server (~11 %, 145 KB at
  the end of an intake, twice per form turn). Skolebro's actions read slots and the latest
  message, never old events (answers live in the app's database), so only the events of the
  current turn are sent; the slots, latest message and active loop are sent whole as before.
- every action call opened a new HTTP session and TCP connection; one kept-alive session per
  endpoint is reused.
- button payloads ("/intent{...}") ran the whole NLU pipeline (~25 % of a turn) only for the last
  node to throw its result away; they are now unpacked directly, by the same Rasa function.
Single-user p50 per turn went from ~95 ms to ~55 ms with the first two patches.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import gc
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import rasa
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    DefinePrevUserUtteredFeaturization,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

_SPEC = RemoteAction.action_response_format_spec()
_VALIDATOR_CLASS = validator_for(_SPEC)
_VALIDATOR_CLASS.check_schema(_SPEC)


def _event_validators(spec: dict[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
    """Rasa's response schema, split so that each event is checked against its own type.

    Each event must match exactly one of ~23 `oneOf` branches, and jsonschema tries them all
    (13 % of a Rasa worker's CPU under load). Every branch fixes `event` to its own constant and
    `event` is required, so an event can only ever match the branch of its own type: checking
    the common part plus that one branch accepts and refuses exactly what `oneOf` does
    (tests/engine/engine_checks.py compares both on valid and broken responses).
    """
    events = spec["properties"]["events"]
    item = events["items"]
    top = copy.deepcopy(spec)
    top["properties"]["events"] = {k: v for k, v in events.items() if k != "items"}
    common = {k: v for k, v in item.items() if k != "oneOf"}
    by_type = {
        branch["properties"]["event"]["const"]: _VALIDATOR_CLASS(branch) for branch in item["oneOf"]
    }
    if len(by_type) != len(item["oneOf"]):
        raise RuntimeError("Rasa's event schema no longer has one branch per event type")
    return _VALIDATOR_CLASS(top), _VALIDATOR_CLASS(common), by_type


_TOP, _COMMON, _BY_TYPE = _event_validators(_SPEC)


def _validate_events(result: Any) -> None:
    _TOP.validate(result)
    for event in result.get("events") or ():
        _COMMON.validate(event)
        branch = _BY_TYPE.get(event["event"])
        if branch is None:
            raise ValidationError(f"{event['event']!r} is not a known event type")
        branch.validate(event)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    try:
        _validate_events(result)
        return True
    except ValidationError as e:
        # Same message as Rasa's own implementation.
        e.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            "For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise e


_original_resolve_by_type = Event.resolve_by_type
_EVENT_TYPES: dict[str, type[Event]] = {}


def _resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    cls = _EVENT_TYPES.get(type_name)
    if cls is None:
        # (Re)build on a miss: first subclass per type name wins, as in Rasa's loop.
        for sub in all_subclasses(Event):
            _EVENT_TYPES.setdefault(sub.type_name, sub)
        cls = _EVENT_TYPES.get(type_name)
    if cls is not None:
        return cls
    return _original_resolve_by_type(type_name, default)


_CACHE_ATTR = "_skolebro_applied"


def _fold(tracker: DialogueStateTracker, events: Any, loop_names: set[str], done: list) -> None:
    """Rasa 3.6's applied_events loop body, unchanged, over `events` into `done`."""
    for event in events:
        if isinstance(event, (Restarted, SessionStarted)):
            done.clear()
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, done)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, done)
            tracker._undo_till_previous(ActionExecuted, done)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, done)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, done)
        else:
            done.append(event)


def _loop_names(events: Any) -> set[str]:
    return {e.name for e in events if isinstance(e, ActiveLoop) and e.name}


def applied_events(self: DialogueStateTracker) -> list[Event]:
    """Rasa's applied_events, continued from the previous call when events were only appended.

    Rasa's fold depends on the events so far and on the names of all loops in the tracker; when
    new events bring no new loop name, folding only the new events onto the previous result is
    the same as folding everything again.
    """
    events = self.events
    n = len(events)
    cached = self.__dict__.get(_CACHE_ATTR)
    if cached is not None:
        seen, last, loop_names, done = cached
        if 0 < seen <= n and events[seen - 1] is last:
            new = [events[i] for i in range(seen, n)]
            if _loop_names(new) <= loop_names:
                _fold(self, new, loop_names, done)
                self.__dict__[_CACHE_ATTR] = (n, events[n - 1], loop_names, done)
                return list(done)
    loop_names = _loop_names(events)
    done: list[Event] = []
    _fold(self, events, loop_names, done)
    if n:
        self.__dict__[_CACHE_ATTR] = (n, events[n - 1], loop_names, done)
    return list(done)


def _undo_till_previous_loop_execution(loop_action_name: str, done_events: list[Event]) -> None:
    """Rasa's version without copying the list first: deleting at j leaves indices < j alone."""
    j = len(done_events) - 1
    while j >= 0:
        e = done_events[j]
        if isinstance(e, ActionExecuted) and e.action_name == loop_action_name:
            break
        if isinstance(e, (ActionExecuted, UserUttered, DefinePrevUserUtteredFeaturization)):
            del done_events[j]
        j -= 1


def _current_turn(tracker: DialogueStateTracker) -> list[Event]:
    """The events from the latest user message on (all events if there is none)."""
    events = tracker.events
    for i in range(len(events) - 1, -1, -1):
        if isinstance(events[i], UserUttered):
            return [events[k] for k in range(i, len(events))]
    return list(events)


def _action_call_format(
    self: RemoteAction, tracker: DialogueStateTracker, domain: Domain
) -> dict[str, Any]:
    """Rasa's request body for the action server, with only the current turn's events."""
    tracker_state = tracker.current_state(EventVerbosity.NONE)
    tracker_state["events"] = [e.as_dict() for e in _current_turn(tracker)]
    result: dict[str, Any] = {
        "next_action": self._name,
        "sender_id": tracker.sender_id,
        "tracker": tracker_state,
        "version": rasa.__version__,
    }
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(
        self.name()
    ):
        result["domain"] = domain.as_dict()
    return result


def _freeze_startup_objects() -> None:
    gc.collect()
    gc.freeze()
    logger.info(
        "Froze %d objects of the loaded model out of the garbage collector", gc.get_freeze_count()
    )


def freeze_after_load() -> None:
    """Keep the loaded model's objects out of the cyclic garbage collector.

    Rasa's process holds millions of objects from TensorFlow and the model graph that live as
    long as the process. Each full collection walked all of them: under load, ~10 pauses a minute
    of up to 0.48 s per worker, which stalled every request in flight. Frozen objects are never
    scanned; garbage made while serving is collected as before. Runs once the model is loaded
    (the loop is free again), in the process that serves it.
    """
    try:
        asyncio.get_running_loop().call_soon(_freeze_startup_objects)
    except RuntimeError:
        # No loop yet: `python -m nlu_ext.run_rasa` imports nlu_ext before Rasa starts its server
        # (so this used to do nothing, and every full collection walked the whole model: ~0.5 s
        # pauses under load). Freeze once the server has loaded the model: serve_application
        # looks load_agent_on_start up when it registers the listener.
        import rasa.core.run

        rasa.core.run.load_agent_on_start = _freezing(rasa.core.run.load_agent_on_start)


async def _warm_up(agent: Any) -> None:
    """One parse before the first person's: TensorFlow traces DIET's prediction function on its
    first call (~0.3 s), which otherwise fell on whoever wrote first to each worker. What the
    trace creates is then frozen with the model."""
    parse = getattr(agent, "parse_message", None)
    if parse is None or not getattr(agent, "is_ready", lambda: False)():
        return
    try:
        await parse("hej")
    except Exception:  # a warm-up must never keep the server from starting
        logger.exception("warm-up parse failed")


def _freezing(load: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    if getattr(load, "_skolebro_freezes", False):
        return load

    @functools.wraps(load)
    async def load_then_freeze(*args: Any, **kwargs: Any) -> Any:
        result = await load(*args, **kwargs)
        await _warm_up(result)
        _freeze_startup_objects()
        return result

    load_then_freeze._skolebro_freezes = True  # type: ignore[attr-defined]
    return load_then_freeze


class _KeptSession:
    """`async with` over a long-lived session without closing it (see _session)."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *exc: object) -> None:
        return None


_original_session = EndpointConfig.session
_SESSION_ATTR = "_skolebro_session"


def _session(self: EndpointConfig) -> _KeptSession:
    """One kept-alive HTTP session per endpoint and event loop, instead of one per request.

    Rasa 3.6 opens a new aiohttp session (and TCP connection) for every action call, two to four
    times per turn, and the action server accepts each anew. The session keeps Rasa's headers,
    auth and timeout; a connection the action server closed (a restart) is dropped by aiohttp.
    """
    loop = asyncio.get_running_loop()
    kept = self.__dict__.get(_SESSION_ATTR)
    if kept is None or kept[0] is not loop or kept[1].closed:
        kept = (loop, _original_session(self))
        self.__dict__[_SESSION_ATTR] = kept
    return _KeptSession(kept[1])


_original_parse_with_graph = MessageProcessor._parse_message_with_graph
_REGEX_HANDLER_TARGET = "run_RegexMessageHandler"


def _parse_message_with_graph(
    self: MessageProcessor,
    message: UserMessage,
    tracker: DialogueStateTracker,
    only_output_properties: bool = True,
) -> dict[str, Any]:
    """Button payloads ("/choose_role{...}") skip the NLU pipeline whose result they discard.

    The last node of Rasa's NLU graph, RegexMessageHandler, replaces a message of the form
    /<known intent>{entities} by a new message holding only the text, that intent and those
    entities; everything the tokenizers, featurizers, DIET and the other components computed for
    it is dropped. Most turns are button presses, so the same replacement is made here first, by
    Rasa's own function with the same domain, and the graph only runs for everything else.
    """
    text = (message.text or "").strip()
    if self.model_metadata.nlu_target == _REGEX_HANDLER_TARGET and text.startswith("/"):
        match = YAMLStoryReader._regex_message_pattern().match(text)
        if match and match.group(INTENT_NAME_KEY).strip() in self.domain.intents:
            unpacked = YAMLStoryReader.unpack_regex_message(
                Message({TEXT: message.text}),
                self.domain,
                entity_extractor_name="RegexMessageHandler",
            )
            parse_data: dict[str, Any] = {
                TEXT: "",
                INTENT: {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0},
                ENTITIES: [],
            }
            parse_data.update(unpacked.as_dict(only_output_properties=only_output_properties))
            return parse_data
    return _original_parse_with_graph(self, message, tracker, only_output_properties)


def install() -> None:
    EndpointConfig.session = _session  # type: ignore[method-assign]
    MessageProcessor._parse_message_with_graph = _parse_message_with_graph  # type: ignore[method-assign]
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    RemoteAction._action_call_format = _action_call_format  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[method-assign]
    DialogueStateTracker.applied_events = applied_events  # type: ignore[method-assign]
    DialogueStateTracker._undo_till_previous_loop_execution = staticmethod(  # type: ignore[method-assign]
        _undo_till_previous_loop_execution
    )
