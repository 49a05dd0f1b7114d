"""Notifications to school contact workers through a transactional outbox.

A notification is first written as an Outbox row in the same transaction as the change it reports
(new case, urgent signal), so nothing is lost if delivery fails. deliver_pending() then sends
due rows: a signed JSON webhook and/or an e-mail over SMTP. Failures are retried with
exponential backoff. Urgent rows go first and are also attempted at once after queueing.

Payloads carry no answers or free text: only the case reference, school, grade and urgency.
The worker reads the content in the API, where every read is audited.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import threading
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.crypto import webhook_key
from bot.db.base import utcnow
from bot.db.models import Assignment, Case, Outbox, Worker
from bot.db.session import session_scope

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Skolebro-Signature"
TIMESTAMP_HEADER = "X-Skolebro-Timestamp"
EVENT_HEADER = "X-Skolebro-Event"
LEASE = timedelta(seconds=60)  # a claimed row is retried by others only after this
BASE_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=6)

EVENT_SUBJECTS = {
    "case_created": "Ny sag i Skolebro",
    "urgent_signal": "HASTER: bekymrende besked i Skolebro",
    "pupil_answered": "Eleven har svaret i Skolebro",
}


# --- configuration ---------------------------------------------------------------------------


def webhook_enabled() -> bool:
    return bool(get_settings().webhook_url)


def email_enabled() -> bool:
    s = get_settings()
    return bool(s.smtp_host and s.smtp_from)


def sign(body: bytes, secret: str | None = None) -> str:
    """Value of the X-Skolebro-Signature header for a body."""
    # WEBHOOK_SECRET only (production requires it); a demo signs with a key derived for this
    # purpose, never with SECRET_KEY itself.
    key = secret.encode() if secret else webhook_key()
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str, secret: str | None = None) -> bool:
    return hmac.compare_digest(sign(body, secret), header or "")


# --- queueing ---------------------------------------------------------------------------------


def _recipients(session: Session, case: Case) -> list[str]:
    emails: list[str] = []
    if case.worker is not None and case.worker.email:
        emails.append(case.worker.email)
    if case.school_id is not None:
        stmt = (
            select(Worker.email)
            .join(Assignment, Assignment.worker_id == Worker.id)
            .where(Assignment.school_id == case.school_id, Worker.active.is_(True))
        )
        emails.extend(e for e in session.scalars(stmt) if e)
    if not emails and get_settings().notify_email:
        emails.append(get_settings().notify_email)
    return sorted(set(emails))


def case_payload(case: Case, event: str) -> dict[str, Any]:
    s = get_settings()
    link = f"{s.public_base_url.rstrip('/')}/api/v1/cases/{case.id}" if s.public_base_url else None
    return {
        "event": event,
        "case_id": case.id,
        "reference": case.reference,
        "school": case.school.name if case.school is not None else case.school_name,
        "grade": case.grade,
        "status": case.status,
        "urgent": case.urgent,
        "municipality": s.municipality_name,
        "link": link,
    }


def queue_case_event(
    session: Session, case: Case, event: str, *, dedupe: str | None = None
) -> list[Outbox]:
    """Queue one webhook row and, if SMTP is configured, one e-mail row per recipient.

    The webhook row is queued even when no URL is configured yet: it records that a
    notification was due and goes out once the municipality configures the endpoint.
    `dedupe` makes repeated calls (retried actions, second confirm) queue nothing new.
    """
    session.flush()
    payload = case_payload(case, event)
    rows: list[Outbox] = []
    targets: list[tuple[str, str | None]] = [("webhook", get_settings().webhook_url or None)]
    if email_enabled():
        targets += [("email", r) for r in _recipients(session, case)]
    for kind, recipient in targets:
        key = f"{dedupe}:{kind}:{recipient or ''}" if dedupe else None
        if key and session.scalar(select(Outbox.id).where(Outbox.dedupe_key == key)):
            continue
        row = Outbox(
            kind=kind,
            event=event,
            case_id=case.id,
            recipient=recipient,
            payload=payload,
            urgent=case.urgent,
            dedupe_key=key,
            next_attempt_at=utcnow(),
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def deliver_soon(ids: list[int]) -> None:
    """Try urgent rows right away without blocking the chat reply."""
    if not ids or not get_settings().outbox_immediate:
        return
    thread = threading.Thread(target=_deliver_ids, args=(list(ids),), daemon=True)
    thread.start()


def _deliver_ids(ids: list[int]) -> None:
    for outbox_id in ids:
        try:
            deliver_one(outbox_id)
        except Exception:  # never let a notification crash the caller's thread
            log.exception("immediate delivery of outbox row %s failed", outbox_id)


# --- delivery ---------------------------------------------------------------------------------


def _enabled_kinds() -> list[str]:
    kinds = []
    if webhook_enabled():
        kinds.append("webhook")
    if email_enabled():
        kinds.append("email")
    return kinds


def _claim(outbox_id: int, now: datetime) -> Outbox | None:
    """Take a lease on a due row so two API workers never send the same row twice."""
    with session_scope() as session:
        row = session.get(Outbox, outbox_id)
        if row is None or row.sent_at is not None or row.failed_at is not None:
            return None
        if row.next_attempt_at > now:
            return None
        result = session.execute(
            update(Outbox)
            .where(Outbox.id == outbox_id, Outbox.next_attempt_at == row.next_attempt_at)
            .values(next_attempt_at=now + LEASE, attempts=Outbox.attempts + 1)
        )
        if result.rowcount != 1:
            return None
        session.flush()
        session.refresh(row)
        session.expunge(row)
        return row


def _send_webhook(row: Outbox, now: datetime) -> None:
    s = get_settings()
    url = row.recipient or s.webhook_url
    # Delivery metadata sits inside the signed body so the timestamp cannot be replaced.
    body_obj = {**row.payload, "delivery": {"id": row.id, "attempt": row.attempts}}
    body_obj["delivery"]["timestamp"] = int(now.timestamp())
    body = json.dumps(body_obj, ensure_ascii=False, sort_keys=True).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        SIGNATURE_HEADER: sign(body),
        TIMESTAMP_HEADER: str(int(now.timestamp())),
        EVENT_HEADER: row.event,
    }
    response = httpx.post(url, content=body, headers=headers, timeout=10.0)
    if response.status_code >= 300:
        raise RuntimeError(f"webhook svarede {response.status_code}")


def _send_email(row: Outbox) -> None:
    s = get_settings()
    p = row.payload
    msg = EmailMessage()
    subject = EVENT_SUBJECTS.get(row.event, "Besked fra Skolebro")
    msg["Subject"] = f"{subject}: {p.get('reference') or ''}".strip()
    msg["From"] = s.smtp_from
    msg["To"] = row.recipient or s.notify_email
    lines = [
        "Hej,",
        "",
        f"{subject}.",
        f"Sagsnummer: {p.get('reference')}",
        f"Skole: {p.get('school') or 'ikke oplyst'}",
        f"Klassetrin: {p.get('grade') if p.get('grade') is not None else 'ikke oplyst'}",
    ]
    if p.get("urgent"):
        lines += ["", "Sagen er markeret som HASTER. Læs den hurtigst muligt."]
    if p.get("link"):
        lines += ["", f"Læs sagen her: {p['link']}"]
    lines += ["", "Svarene står ikke i denne mail. Log ind i Skolebro for at læse dem.", ""]
    msg.set_content("\n".join(lines))
    with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=10) as smtp:
        if s.smtp_starttls:
            smtp.starttls()
        if s.smtp_username:
            smtp.login(s.smtp_username, s.smtp_password)
        smtp.send_message(msg)


def backoff(attempts: int) -> timedelta:
    return min(BASE_BACKOFF * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def deliver_one(outbox_id: int, now: datetime | None = None) -> bool:
    """Attempt one row if it is due; returns True when it was sent."""
    now = now or utcnow()
    row = _claim(outbox_id, now)
    if row is None:
        return False
    if row.kind not in _enabled_kinds():
        # Channel switched off after queueing: release the lease without counting a try.
        with session_scope() as session:
            session.execute(
                update(Outbox)
                .where(Outbox.id == row.id)
                .values(attempts=Outbox.attempts - 1, next_attempt_at=now)
            )
        return False
    error: str | None = None
    try:
        if row.kind == "webhook":
            _send_webhook(row, now)
        else:
            _send_email(row)
    except Exception as exc:  # any transport error is retried later
        error = f"{type(exc).__name__}: {exc}"[:2000]
    with session_scope() as session:
        values: dict[str, Any]
        if error is None:
            values = {"sent_at": utcnow(), "last_error": None}
        elif row.attempts >= get_settings().outbox_max_attempts:
            values = {"failed_at": utcnow(), "last_error": error}
            log.error("outbox row %s gave up after %s attempts: %s", row.id, row.attempts, error)
        else:
            values = {"next_attempt_at": now + backoff(row.attempts), "last_error": error}
            log.warning("outbox row %s failed (attempt %s): %s", row.id, row.attempts, error)
        session.execute(update(Outbox).where(Outbox.id == row.id).values(**values))
    return error is None


def deliver_pending(limit: int = 50, now: datetime | None = None) -> dict[str, int]:
    """Send due rows, urgent first. Returns counts of sent and failed attempts."""
    now = now or utcnow()
    kinds = _enabled_kinds()
    if not kinds:
        return {"sent": 0, "failed": 0}
    with session_scope() as session:
        ids = list(
            session.scalars(
                select(Outbox.id)
                .where(
                    Outbox.sent_at.is_(None),
                    Outbox.failed_at.is_(None),
                    Outbox.next_attempt_at <= now,
                    Outbox.kind.in_(kinds),
                )
                .order_by(Outbox.urgent.desc(), Outbox.created_at, Outbox.id)
                .limit(limit)
            )
        )
    sent = failed = 0
    for outbox_id in ids:
        if deliver_one(outbox_id, now=now):
            sent += 1
        else:
            failed += 1
    return {"sent": sent, "failed": failed}


def pending_count() -> int:
    with session_scope() as session:
        rows = session.scalars(
            select(Outbox.id).where(Outbox.sent_at.is_(None), Outbox.failed_at.is_(None))
        )
        return len(list(rows))


def run_forever(stop: threading.Event, interval: float = 10.0) -> None:
    """Background loop for the API process."""
    while not stop.is_set():
        try:
            deliver_pending()
        except Exception:  # a DB hiccup must not end the loop
            log.exception("outbox loop failed")
        stop.wait(interval)
