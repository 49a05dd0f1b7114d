"""The municipality's schools: the list a parent picks from, matching a typed name, contact
details.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.db.models import (
    Municipality,
    School,
)
from bot.db.session import session_scope
from bot.normalize import fold


def municipality(session: Session) -> Municipality | None:
    name = get_settings().municipality_name
    return session.scalar(select(Municipality).where(Municipality.name == name))


def danish_sort_key(text: str) -> str:
    # Danish alphabet ends ... x y z æ ø å; Unicode order would put å before æ.
    return text.lower().translate(str.maketrans({"æ": "{", "ø": "|", "å": "}"}))


def match_school(session: Session, name: str | None) -> School | None:
    if not name:
        return None
    muni = municipality(session)
    stmt = select(School).order_by(School.id)
    if muni is not None:
        stmt = stmt.where(School.municipality_id == muni.id)
    # Compare in Python on the shared fold (SQLite's lower() ignores æøå; parents type
    # "aabyskolen" on phones without Danish letters).
    wanted = fold(name)
    for school in session.scalars(stmt):
        if fold(school.name) == wanted:
            return school
    return None


def list_schools() -> list[str]:
    with session_scope() as session:
        return schools_in(session)


def schools_in(session: Session) -> list[str]:
    """The municipality's active schools, in Danish order (list_schools in a transaction)."""
    muni = municipality(session)
    if muni is None:
        return []
    names = session.scalars(
        select(School.name).where(School.municipality_id == muni.id, School.active.is_(True))
    )
    return sorted(names, key=danish_sort_key)


def school_contact(name: str) -> dict[str, Any]:
    """Phone and e-mail of a school (for "kan jeg tale med et menneske?"); {} if unknown."""
    with session_scope() as session:
        school = match_school(session, name)
        if school is None:
            muni = municipality(session)
            if muni is None:
                return {}
            return {"name": muni.name, "phone": muni.phone, "email": muni.email, "school": False}
        return {"name": school.name, "phone": school.phone, "email": school.email, "school": True}
