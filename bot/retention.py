"""Retention: nothing about a child is kept longer than its period.

- closed cases: deleted `retention_days` after closing (the case's municipality's setting;
  RETENTION_DAYS for a case without one);
- open cases nobody has touched for OPEN_CASE_INACTIVE_DAYS: deleted;
- conversations that never became a case, and transcripts of conversations that never did,
  after UNFINISHED_CHAT_DAYS without activity (the period the chat promises);
- spent login and code-guess counters.

The API process runs this every RETENTION_INTERVAL_SECONDS (api/main.py), so the normal
deployment needs no cron; `python -m bot.retention [--dry-run]` runs it once. It logs counts only.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import audit, throttle, transcripts
from bot.cases import purge_case
from bot.config import get_settings
from bot.db.base import utcnow
from bot.db.models import Case, Municipality, Respondent
from bot.db.session import init_db, session_scope

log = logging.getLogger(__name__)


def _expired_closed_cases(session: Session, now: datetime) -> list[Case]:
    default = get_settings().retention_days
    days = {m.id: m.retention_days or default for m in session.scalars(select(Municipality))}
    shortest = min([default, *days.values()])
    candidates = session.scalars(
        select(Case).where(
            Case.status == "afsluttet",
            Case.closed_at.is_not(None),
            Case.closed_at < now - timedelta(days=shortest),
        )
    )
    return [
        c
        for c in candidates
        if c.closed_at is not None
        and c.closed_at < now - timedelta(days=days.get(c.municipality_id or -1, default))
    ]


def purge_expired(now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    settings = get_settings()
    now = now or utcnow()
    open_cutoff = now - timedelta(days=settings.open_case_inactive_days)
    chat_cutoff = now - timedelta(days=settings.unfinished_chat_days)
    with session_scope() as session:
        closed = _expired_closed_cases(session, now)
        idle_open = list(
            session.scalars(
                select(Case).where(Case.status != "afsluttet", Case.updated_at < open_cutoff)
            )
        )
        orphans = list(
            session.scalars(
                select(Respondent).where(
                    Respondent.case_id.is_(None), Respondent.last_seen_at < chat_cutoff
                )
            )
        )
        # Transcripts with no case behind them (never consented, or abandoned).
        with_case = set(
            session.scalars(
                select(Respondent.conversation_id).where(Respondent.case_id.is_not(None))
            )
        )
        idle_chats = [
            c
            for c in transcripts.idle_conversations(session, chat_cutoff.timestamp())
            if c not in with_case
        ]
        result = {
            "closed_cases": len(closed),
            "inactive_open_cases": len(idle_open),
            "unfinished_conversations": len(orphans),
            "transcripts": len(idle_chats),
            # Totals under the names the first version reported.
            "cases": len(closed) + len(idle_open),
            "respondents": len(orphans),
        }
        if dry_run:
            return result
        for case, why in [(c, "closed") for c in closed] + [(c, "inactive") for c in idle_open]:
            audit.log(
                session, "case.deleted_by_retention", actor="system", case=case,
                details={"reason": why},
            )  # fmt: skip
            purge_case(session, case)
        transcripts.delete(session, [r.conversation_id for r in orphans] + idle_chats)
        for resp in orphans:
            session.delete(resp)
        result["throttles"] = throttle.purge_stale(session, now)
    log.info("retention purge: %s", ", ".join(f"{k}={v}" for k, v in result.items()))
    return result


def run_forever(stop: threading.Event, interval: float) -> None:
    """Background loop for the API process (first run shortly after start)."""
    stop.wait(min(interval, 30.0))
    while not stop.is_set():
        try:
            purge_expired()
        except Exception:  # a DB hiccup must not end the loop
            log.exception("retention purge failed")
        stop.wait(interval)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Slet data efter opbevaringsperioderne")
    parser.add_argument("--dry-run", action="store_true", help="tæl kun, slet ikke")
    args = parser.parse_args(argv)
    init_db()
    result = purge_expired(dry_run=args.dry_run)
    verb = "ville blive slettet" if args.dry_run else "slettet"
    print(
        f"{result['closed_cases']} afsluttede og {result['inactive_open_cases']} inaktive sager, "
        f"{result['unfinished_conversations']} samtaler uden sag og "
        f"{result['transcripts']} samtaleforløb {verb}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
