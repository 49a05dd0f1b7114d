"""Small helpers shared by the actions: who is talking, in which role, and safe store calls."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from bot import messages

log = logging.getLogger(__name__)
T = TypeVar("T")

# The role slot holds the Danish button values; the core speaks "parent"/"pupil".
ROLE_TO_CORE = {"forælder": "parent", "elev": "pupil"}
CORE_TO_ROLE = {v: k for k, v in ROLE_TO_CORE.items()}

CONSENT_SCOPE = (
    "Svarene i denne samtale gemmes og sendes til skolekontaktpersonen for barnets skole"
)


class StoreUnavailable(Exception):
    """The database could not be reached; the person has been told."""


def respondent_id(tracker: Tracker) -> str:
    """The conversation whose answers this chat adds to (a resume code can point elsewhere)."""
    return tracker.get_slot("respondent") or tracker.sender_id


def core_role(tracker: Tracker) -> str | None:
    return ROLE_TO_CORE.get(tracker.get_slot("role") or "")


def latest_intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def entity(tracker: Tracker, name: str) -> str | None:
    for ent in tracker.latest_message.get("entities") or []:
        if ent.get("entity") == name and ent.get("value"):
            return str(ent["value"])
    return None


def say(dispatcher: CollectingDispatcher, key: str, role: str | None, **values: Any) -> None:
    dispatcher.utter_message(text=messages.text(key, role, **values))


async def store(
    dispatcher: CollectingDispatcher, role: str | None, fn: Callable[..., T], *args: Any
) -> T:
    """Run a blocking store call off the event loop; tell the person if the database is down.

    Answers already stored stay stored; the caller keeps the dialogue where it is.
    """
    try:
        return await asyncio.to_thread(fn, *args)
    except SQLAlchemyError:
        log.exception("store call %s failed", getattr(fn, "__name__", fn))
        say(dispatcher, "store_unavailable", role)
        raise StoreUnavailable from None


def buttons(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"title": title, "payload": payload} for title, payload in pairs]


class TurnMemo:
    """What one action learnt from the store, for the next action of the same turn.

    A turn that routes into the intake form makes two action calls: the router (which reads the
    answered questions to choose the route) and the form's validation (which asks the question
    and needed the same read again). Both run in this process within milliseconds, under Rasa's
    lock on the conversation. Keyed by the user message's id and taken once; a miss (another
    process, another turn, an evicted entry) only means the read is done again.
    """

    def __init__(self, size: int = 2048) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, str], frozenset[str]] = OrderedDict()

    @staticmethod
    def _key(tracker: Tracker) -> tuple[str, str] | None:
        message_id = (tracker.latest_message or {}).get("message_id")
        return (tracker.sender_id, str(message_id)) if message_id else None

    def put(self, tracker: Tracker, answered: set[str] | frozenset[str]) -> None:
        key = self._key(tracker)
        if key is None:
            return
        self._items[key] = frozenset(answered)
        while len(self._items) > self._size:
            self._items.popitem(last=False)

    def take(self, tracker: Tracker) -> set[str] | None:
        key = self._key(tracker)
        found = self._items.pop(key, None) if key else None
        return set(found) if found is not None else None


ANSWERED_THIS_TURN = TurnMemo()
