"""A parent intake over the chat, then the case as the assigned worker reads it over HTTP."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from intake_driver import WEBHOOK_SECRET, Chat, Intake, login, reference_in

from bot.outbox import verify_signature


def wait_for(predicate, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    return predicate()


SENDERS: dict[str, str] = {}


@pytest.fixture(scope="module")
def confirmed_case(stack) -> str:
    person = Intake(Chat(stack.rasa_url))
    first = person.start("forælder")
    review = person.answer_until_review(
        first,
        typed={
            "child_name": "Freja",
            "days_last_month": "3",
            "kammerater_drillet": "tit",
            "what_makes_school_hard": "Hun bliver mobbet på snapchat og vil ikke i skole",
        },
    )
    confirmed = person.say(review.button("Ja"))
    reference = reference_in(confirmed.text)
    assert reference, confirmed.text
    SENDERS[reference] = person.chat.sender
    return reference


def test_assigned_worker_reads_the_case_and_others_get_404(stack, confirmed_case) -> None:
    worker = login(stack.api_url, "kontakt1")  # covers Nordskolen
    listed = worker.get("/cases").json()
    case = next(c for c in listed if c["reference"] == confirmed_case)
    assert case["school"] == "Nordskolen" and case["status"] == "ny"

    detail = worker.get(f"/cases/by-reference/{confirmed_case}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["case"]["pupil_alias"] == "Freja"
    areas = {a["area"]: a for a in body["profile"]["areas"]}
    assert areas["kammerater"]["level"] >= 2, areas["kammerater"]

    html = worker.get(f"/cases/{case['id']}/summary.html").text
    assert "3 dage" in html
    assert "snapchat" in html

    other = login(stack.api_url, "kontakt2")
    assert other.get(f"/cases/{case['id']}").status_code == 404
    assert other.get(f"/cases/by-reference/{confirmed_case}").status_code == 404

    audit = worker.get(f"/cases/{case['id']}/audit").json()
    reads = [a for a in audit if a["actor"].startswith("worker:") or "kontakt1" in a["actor"]]
    assert len(reads) >= 2, audit


def test_worker_gets_a_signed_webhook(stack, webhook, confirmed_case) -> None:
    def matching():
        return [
            (h, b) for h, b in webhook.received if confirmed_case in b.decode("utf-8", "replace")
        ]

    received = wait_for(matching)
    assert received, f"no webhook for {confirmed_case}: {len(webhook.received)} received"
    headers, body = received[0]
    signature = {k.lower(): v for k, v in headers.items()}["x-skolebro-signature"]
    assert verify_signature(body, signature, WEBHOOK_SECRET)
    assert not verify_signature(body + b" ", signature, WEBHOOK_SECRET)
    payload = json.loads(body)
    # The notification tells that there is a case, not what the family said.
    assert "snapchat" not in json.dumps(payload, ensure_ascii=False)


def test_pupil_joins_the_case_with_an_invitation_code(stack, confirmed_case) -> None:
    worker = login(stack.api_url, "kontakt1")
    case = worker.get(f"/cases/by-reference/{confirmed_case}").json()["case"]
    invitation = worker.post(f"/cases/{case['id']}/invitations", json={})
    assert invitation.status_code in (200, 201), invitation.text
    code = invitation.json()["code"]

    pupil = Intake(Chat(stack.rasa_url))
    first = pupil.start("elev", age=14, code=code.lower())  # codes are not case-sensitive
    assert any("koden virker" in t.text.lower() for t in pupil.turns), pupil.turns
    # Pupil wording from here on: "du", not "dit barn".
    assert first.progress and "dit barn" not in first.text.lower()
    review = pupil.answer_until_review(first, typed={"child_name": "Freja"})
    done = pupil.say(review.button("Ja"))
    assert confirmed_case in done.text

    detail = worker.get(f"/cases/{case['id']}").json()
    roles_seen = {r["role"] for r in detail["respondents"]}
    assert roles_seen == {"parent", "pupil"}, detail["respondents"]
    html = worker.get(f"/cases/{case['id']}/summary.html").text
    assert "Elev" in html and "Forælder" in html


def test_export_and_delete(stack, confirmed_case) -> None:
    worker = login(stack.api_url, "kontakt1")
    case = worker.get(f"/cases/by-reference/{confirmed_case}").json()["case"]
    export = worker.get(f"/cases/{case['id']}/export")
    assert export.status_code == 200
    assert "snapchat" in export.text
    sender = SENDERS[confirmed_case]
    tracker_url = f"{stack.rasa_url}/conversations/{sender}/tracker?token={stack.rasa_token}"
    assert httpx.get(tracker_url, timeout=10).json()["events"], "transcript expected before"
    assert worker.delete(f"/cases/{case['id']}").status_code == 200
    assert worker.get(f"/cases/{case['id']}").status_code == 404
    # The Rasa transcript of the conversation is gone too.
    events = httpx.get(tracker_url, timeout=10).json()["events"]
    assert not [e for e in events if e.get("event") == "user"], events[:3]
