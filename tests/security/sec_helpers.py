"""Helpers of the security suite: log in, make a case the way the chat does."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot import intake

STRONG = "grøn cykel under æbletræet"


def login(client: TestClient, username: str, password: str = "demo1234") -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def make_case(conv: str, school: str = "Nordskolen", urgent: bool = False) -> int:
    intake.start_conversation(conv)
    intake.record_consent(conv, "parent", "opsummering til skolekontaktperson", True)
    intake.save_answer(conv, "child_name", "answered", "Emma", "Emma")
    intake.save_answer(conv, "grade", "answered", 6, "6. klasse")
    intake.save_answer(conv, "school", "answered", school, school)
    intake.save_answer(conv, "friends", "answered", 1, "Ingen", free_text="Bliver drillet af Jonas")
    intake.record_signal(conv, "kammerater", "mobning", 3, "Bliver drillet af Jonas", False)
    if urgent:
        intake.record_signal(conv, None, "sexual_abuse", 3, "han rører ved mig", True)
    ref = intake.confirm_case(conv)
    return int(ref.rsplit("-", 1)[1])
