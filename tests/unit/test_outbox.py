"""Outbox delivery to a real local HTTP receiver: signature, urgency order and retries."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import intake, outbox
from bot.config import get_settings
from bot.db import Outbox, utcnow
from bot.seed import seed_demo


class Receiver:
    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.fail_next = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.fail_next > 0:
                    receiver.fail_next -= 1
                    self.send_response(503)
                else:
                    receiver.requests.append((dict(self.headers), body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver(db: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    rec = Receiver()
    monkeypatch.setenv("WEBHOOK_URL", rec.url)
    monkeypatch.setenv("WEBHOOK_SECRET", "hook-secret")
    get_settings.cache_clear()
    seed_demo()
    yield rec
    rec.server.shutdown()


def _case(conv: str, urgent: bool) -> None:
    intake.start_conversation(conv)
    intake.record_consent(conv, "parent", "opsummering", True)
    intake.save_answer(conv, "school", "answered", "Nordskolen", "Nordskolen")
    if urgent:
        intake.record_signal(conv, "barnet", "selvskade", 10, "skader sig selv", True)
    intake.confirm_case(conv)


def test_signed_webhook_urgent_first(receiver: Receiver, db: Session) -> None:
    _case("normal", urgent=False)
    _case("urgent", urgent=True)
    result = outbox.deliver_pending()
    assert result == {"sent": 3, "failed": 0}
    headers, body = receiver.requests[0]
    payload = json.loads(body)
    assert payload["event"] == "urgent_signal" and payload["urgent"] is True
    assert headers["X-Skolebro-Signature"] == outbox.sign(body, "hook-secret")
    assert outbox.verify_signature(body, headers["X-Skolebro-Signature"], "hook-secret")
    assert not outbox.verify_signature(body + b" ", headers["X-Skolebro-Signature"], "hook-secret")
    assert int(headers["X-Skolebro-Timestamp"]) == payload["delivery"]["timestamp"]
    assert "skader" not in body.decode()
    assert outbox.deliver_pending() == {"sent": 0, "failed": 0}  # nothing sent twice
    assert all(r.sent_at is not None for r in db.scalars(select(Outbox)))


def test_failed_delivery_is_retried_with_backoff(receiver: Receiver, db: Session) -> None:
    _case("normal", urgent=False)
    receiver.fail_next = 2
    now = utcnow()
    assert outbox.deliver_pending(now=now) == {"sent": 0, "failed": 1}
    row = db.scalar(select(Outbox))
    assert row.attempts == 1 and "503" in row.last_error
    assert row.next_attempt_at >= now + timedelta(seconds=29)
    # Not due yet: nothing happens.
    assert outbox.deliver_pending(now=now + timedelta(seconds=5))["sent"] == 0
    assert outbox.deliver_pending(now=now + timedelta(seconds=31)) == {"sent": 0, "failed": 1}
    db.expire_all()
    second = db.scalar(select(Outbox)).next_attempt_at
    assert second - (now + timedelta(seconds=31)) >= timedelta(seconds=59)  # doubled
    assert outbox.deliver_pending(now=now + timedelta(hours=1)) == {"sent": 1, "failed": 0}
    assert len(receiver.requests) == 1


def test_urgent_signal_is_sent_at_once(receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUTBOX_IMMEDIATE", "true")
    get_settings.cache_clear()
    intake.start_conversation("u")
    intake.record_consent("u", "parent", "opsummering", True)
    intake.record_signal("u", None, "vold", 10, "far slår", True)
    for _ in range(100):
        if receiver.requests:
            break
        threading.Event().wait(0.05)
    assert json.loads(receiver.requests[0][1])["event"] == "urgent_signal"


def test_nothing_is_sent_when_no_channel_is_configured(db: Session) -> None:
    seed_demo()
    _case("normal", urgent=False)
    assert outbox.deliver_pending() == {"sent": 0, "failed": 0}
    assert db.scalar(select(Outbox)).attempts == 0
