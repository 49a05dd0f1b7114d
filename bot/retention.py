"""Retention: closed cases are deleted once they are older than settings.retention_days.

Run daily, e.g. from cron: `python -m bot.retention` (add --dry-run to only count).
Respondents that never became a case (abandoned chats) are deleted after
settings.unfinished_chat_days.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta

from sqlalchemy import select

from bot import audit
from bot.cases import purge_case
from bot.config import get_settings
from bot.db.base import utcnow
from bot.db.models import Case, Respondent
from bot.db.session import init_db, session_scope


def purge_expired(now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    days = get_settings().retention_days
    cutoff = (now or utcnow()) - timedelta(days=days)
    result = {"cases": 0, "respondents": 0}
    with session_scope() as session:
        cases = list(
            session.scalars(
                select(Case).where(
                    Case.status == "afsluttet",
                    Case.closed_at.is_not(None),
                    Case.closed_at < cutoff,
                )
            )
        )
        # An unfinished chat (never sent) is kept only as long as the chat promises.
        unfinished_cutoff = (now or utcnow()) - timedelta(days=get_settings().unfinished_chat_days)
        orphans = list(
            session.scalars(
                select(Respondent).where(
                    Respondent.case_id.is_(None), Respondent.last_seen_at < unfinished_cutoff
                )
            )
        )
        result = {"cases": len(cases), "respondents": len(orphans)}
        if dry_run:
            return result
        for case in cases:
            audit.log(
                session,
                "case.deleted_by_retention",
                actor="system",
                case=case,
                details={"retention_days": days},
            )
            purge_case(session, case)
        for resp in orphans:
            session.delete(resp)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Slet afsluttede sager efter opbevaringsperioden")
    parser.add_argument("--dry-run", action="store_true", help="tæl kun, slet ikke")
    args = parser.parse_args(argv)
    init_db()
    result = purge_expired(dry_run=args.dry_run)
    verb = "ville blive slettet" if args.dry_run else "slettet"
    print(f"{result['cases']} sager og {result['respondents']} samtaler uden sag {verb}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
