"""The start-up check every process runs: production refuses known or missing secrets.

Demo mode (a local checkout on SQLite) accepts the defaults and says so; production mode
(DATABASE_URL names a server database, or SKOLEBRO_MODE=production) stops with one clear line
per problem. See bot.config.production_problems for the list.
"""

from __future__ import annotations

import sys
import time

from bot.config import Settings, get_settings, production_problems


def demo_users_left() -> int:
    """Active workers that still log in with the seeded demo password."""
    from sqlalchemy import select

    from bot.auth import verify_password
    from bot.db.models import Worker
    from bot.db.session import session_scope
    from bot.seed import DEMO_PASSWORD, WORKERS

    names = [w[0] for w in WORKERS]
    with session_scope() as session:
        workers = session.scalars(
            select(Worker).where(Worker.username.in_(names), Worker.active.is_(True))
        )
        return sum(1 for w in workers if verify_password(DEMO_PASSWORD, w.password_hash))


def problems(settings: Settings | None = None, *, check_database: bool = True) -> list[str]:
    settings = settings or get_settings()
    if not settings.is_production:
        return []
    demo_users = 0
    if check_database:
        from sqlalchemy.exc import OperationalError, ProgrammingError

        try:
            demo_users = demo_users_left()
        except (OperationalError, ProgrammingError):  # no schema yet: nothing seeded either
            demo_users = 0
    return production_problems(settings, demo_users)


def check_or_exit(component: str, *, check_database: bool = True) -> None:
    found = problems(check_database=check_database)
    if found:
        for line in found:
            print(f"skolebro ({component}): produktion kan ikke starte: {line}", file=sys.stderr)
        raise SystemExit(2)


def mode_line(settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    if settings.is_production:
        return "PRODUKTION (hemmeligheder og nøgler er tjekket)"
    return (
        "DEMO (kendte standardnøgler og demo-logins; kun til afprøvning på egen maskine — "
        "sæt SKOLEBRO_MODE=production og egne nøgler til rigtig brug)"
    )


def warm_up() -> float:
    """Load what the first turns need, before the first person comes; returns the seconds.

    Lazily, the first free-text answer after a start paid for the area lexicon (~0.2 s) and the
    danger model (~0.4 s), the first consent for the ORM mappers (~0.03-0.06 s); a class that
    starts together queued behind them. The database is not touched: a store that is down or
    slow to answer must not keep the server from starting.
    """
    from sqlalchemy.orm import configure_mappers

    from bot import messages
    from bot.db import models  # noqa: F401 - the mappers to configure
    from bot.questionnaire import load_questionnaire
    from bot.risk import detect_risk
    from bot.text_areas import classify_areas

    started = time.perf_counter()
    configure_mappers()
    for role in ("parent", "pupil"):
        load_questionnaire().plan(role)
        messages.text("start_parent" if role == "parent" else "start_pupil", role, count=1)
    classify_areas("han bliver drillet i frikvarteret og har ondt i maven om morgenen")
    detect_risk("han vil ikke i skole om morgenen")
    return time.perf_counter() - started
