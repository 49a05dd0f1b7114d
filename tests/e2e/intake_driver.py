"""Plays a person through the intake over Rasa's REST channel, answering what is asked."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

# The shared secret the e2e stack signs its webhooks with.
WEBHOOK_SECRET = "e2e-webhook-secret"


class Chat:
    """One person talking to the bot over Rasa's REST channel."""

    def __init__(self, rasa_url: str, sender: str | None = None) -> None:
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.sender = sender or f"test-{uuid.uuid4().hex[:12]}"
        self.client = httpx.Client(timeout=60)

    def say(self, message: str) -> list[dict]:
        resp = self.client.post(self.url, json={"sender": self.sender, "message": message})
        resp.raise_for_status()
        return resp.json()

    @staticmethod
    def text(replies: list[dict]) -> str:
        return "\n".join(r.get("text", "") for r in replies if r.get("text"))


# What a person types for each kind of question, unless the test says otherwise.
DEFAULT_TYPED = {
    "child_name": "Emma",
    "grade": "4. klasse",
    "school": "nordskolne",  # a typo on purpose
    "contact": "22 33 44 55",
    "days_last_month": "ca. 6 dage",
    "what_makes_school_hard": "Hun bliver drillet i frikvartererne og har ondt i maven om morgenen",
    "hard_morning": "Hun græder og siger hun har ondt i maven, og så kommer vi for sent",
    "skole_andet": "Der er meget larm i klassen",
    "kammerater_andet": "Hun har ingen at være sammen med i frikvarteret",
    "hjem_andet": "Vi er flyttet for et halvt år siden",
    "barnet_andet": "Hun sover dårligt og er træt",
    "fritid_andet": "Hun gik til håndbold før",
    "strengths_good_at": "Hun er god til at tegne og elsker dyr",
    "strengths_network": "Hendes mormor og en veninde fra håndbold",
    "strengths_helped": "Det hjalp, da læreren hentede hende ved porten",
}


@dataclass
class Turn:
    sent: str
    replies: list[dict[str, Any]]

    @property
    def text(self) -> str:
        return Chat.text(self.replies)

    @property
    def progress(self) -> dict[str, Any] | None:
        for reply in self.replies:
            custom = reply.get("custom") or {}
            if "progress" in custom:
                return custom["progress"]
        return None

    @property
    def buttons(self) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        for reply in self.replies:
            out.extend(reply.get("buttons") or [])
        return out

    def button(self, title_prefix: str) -> str:
        for b in self.buttons:
            if b["title"].startswith(title_prefix):
                return b["payload"]
        raise AssertionError(f"no button {title_prefix!r} in {[b['title'] for b in self.buttons]}")


@dataclass
class Intake:
    chat: Chat
    turns: list[Turn] = field(default_factory=list)

    def say(self, message: str) -> Turn:
        turn = Turn(message, self.chat.say(message))
        self.turns.append(turn)
        return turn

    def start(self, role: str = "forælder", age: int = 13, code: str | None = None) -> Turn:
        """Open as a new person would and consent; returns the turn with the first question.

        The opening: a neutral hello asks "Hvem er du?"; a parent then gets the consent; a
        pupil first gives the age (`age`), and with `code` the invitation code before that."""
        opening = self.say("hej")
        if code is not None:
            asked = self.say(opening.button("Jeg har en kode"))
            assert "kode" in asked.text.lower(), asked.text
            return self.consent(self.give_age(self.say(code), age))
        if role == "elev":
            return self.consent(self.give_age(self.say(opening.button("Jeg er elev")), age))
        return self.consent(self.say(opening.button("Jeg er forælder")))

    def start_pupil_page(self, age: int = 13, code: str | None = None) -> Turn:
        """As /elev does: pupil mode at once (with a code: the code first), then consent."""
        if code is None:
            return self.consent(self.give_age(self.say('/choose_role{"role": "elev"}'), age))
        self.say('/have_code{"role": "elev"}')
        return self.consent(self.give_age(self.say(code), age))

    def give_age(self, asked: Turn, age: int) -> Turn:
        """Answer the age question (a button where one fits, else typed)."""
        assert "gammel" in asked.text.lower(), asked.text
        for b in asked.buttons:
            if b["title"].split()[0] == str(age):
                return self.say(b["payload"])
        return self.say(f"{age} år")

    def consent(self, asked: Turn) -> Turn:
        """Say yes to the consent question just asked."""
        assert "gemme" in asked.text.lower(), asked.text
        return self.say(asked.button("Ja"))

    def answer_until_review(
        self,
        first: Turn,
        typed: dict[str, str] | None = None,
        on_question: Callable[[Turn], Turn | None] | None = None,
        limit: int = 80,
    ) -> Turn:
        """Answer every question; `typed` overrides answers by question key."""
        answers = {**DEFAULT_TYPED, **(typed or {})}
        turn = first
        for _ in range(limit):
            if on_question is not None:
                replaced = on_question(turn)
                if replaced is not None:
                    turn = replaced
                    continue
            if turn.progress is None:
                return turn
            turn = self.answer(turn, answers)
        raise AssertionError("the intake did not reach the review")

    def answer(self, turn: Turn, typed: dict[str, str] | None = None) -> Turn:
        """Answer the question `turn` asks as a typical person would (`typed` by question key)."""
        progress = turn.progress
        assert progress, turn.text
        answers = DEFAULT_TYPED if typed is None else typed
        key, qtype = progress["question"], progress["type"]
        if key in answers:
            return self.say(answers[key])
        if qtype in ("scale", "choice", "multichoice") and turn.buttons:
            return self.say(turn.buttons[min(2, len(turn.buttons) - 1)]["payload"])
        if qtype == "text":
            return self.say("Det ved jeg ikke så meget om")
        if qtype == "number":
            return self.say("3")
        return self.say("ved ikke")


def worker_token(api_url: str, username: str = "kontakt1") -> str:
    """An API access token for a demo worker (all demo logins use the same password)."""
    resp = httpx.post(
        f"{api_url}/api/v1/auth/token",
        data={"username": username, "password": "demo1234"},
        timeout=30,
    )
    assert resp.status_code == 200, resp.text
    return resp.json()["access_token"]


def login(api_url: str, username: str = "kontakt1") -> httpx.Client:
    """An API client logged in as a demo worker."""
    client = httpx.Client(base_url=f"{api_url}/api/v1", timeout=30)
    client.headers["Authorization"] = f"Bearer {worker_token(api_url, username)}"
    return client


def reference_in(text: str) -> str | None:
    match = re.search(r"\bSB-\d{4}-\d+\b", text)
    return match.group(0) if match else None
