"""Demo data: a municipality, five schools, two contact workers, a leader and an admin.

Idempotent, and does nothing to workers once real ones exist (so it is safe to run on every
start of a demo). `python -m bot.seed` migrates the database first.
"""

from __future__ import annotations

import sys

from sqlalchemy import func, select

from bot.auth import hash_password
from bot.config import get_settings
from bot.db.models import Assignment, Municipality, School, Worker
from bot.db.session import init_db, session_scope

DEMO_PASSWORD = "demo1234"  # nosec B105 # demo logins only; production refuses them (bot/startup.py)

SCHOOLS = [
    ("Nordskolen", "72 30 10 10", "nordskolen@demo-kommune.dk", "Nordvej 12"),
    ("Søndervangskolen", "72 30 20 20", "sondervangskolen@demo-kommune.dk", "Søndervang 3"),
    ("Åbyskolen", "72 30 30 30", "aabyskolen@demo-kommune.dk", "Åbyvej 41"),
    ("Skovbakkeskolen", "72 30 40 40", "skovbakkeskolen@demo-kommune.dk", "Skovbakken 7"),
    ("Havneskolen", "72 30 50 50", "havneskolen@demo-kommune.dk", "Havnegade 2"),
]

# username, full name, role, e-mail, schools covered
WORKERS = [
    ("kontakt1", "Mette Skolekontakt", "worker", "kontakt1@demo-kommune.dk",
     ["Nordskolen", "Søndervangskolen", "Åbyskolen"]),
    ("kontakt2", "Ali Skolekontakt", "worker", "kontakt2@demo-kommune.dk",
     ["Skovbakkeskolen", "Havneskolen"]),
    ("leder", "Lene Leder", "leader", "leder@demo-kommune.dk", []),
    ("admin", "Anders Admin", "admin", "admin@demo-kommune.dk", []),
]  # fmt: skip
# Demo workers who also run the visitation (triage) queue: cases whose school is unknown.
TRIAGE_WORKERS = {"kontakt1"}


def seed_demo() -> dict[str, int]:
    """Create the demo data that is missing. Returns how many rows were created per kind."""
    created = {"municipalities": 0, "schools": 0, "workers": 0, "assignments": 0}
    name = get_settings().municipality_name or "Demo Kommune"
    with session_scope() as session:
        muni = session.scalar(select(Municipality).where(Municipality.name == name))
        if muni is None:
            muni = Municipality(
                name=name,
                phone="72 30 00 00",
                email="skolekontakt@demo-kommune.dk",
                contact_within_working_days=get_settings().contact_within_working_days,
                retention_days=get_settings().retention_days,
            )
            session.add(muni)
            session.flush()
            created["municipalities"] += 1
        schools: dict[str, School] = {
            s.name: s
            for s in session.scalars(select(School).where(School.municipality_id == muni.id))
        }
        for school_name, phone, email, address in SCHOOLS:
            if school_name not in schools:
                school = School(
                    municipality_id=muni.id,
                    name=school_name,
                    phone=phone,
                    email=email,
                    address=address,
                )
                session.add(school)
                schools[school_name] = school
                created["schools"] += 1
        session.flush()
        # Demo logins only on an empty demo install: never add known passwords next to real
        # users, never in production (bot/startup.py refuses to start with them there).
        settings = get_settings()
        no_workers = (session.scalar(select(func.count(Worker.id))) or 0) == 0
        if no_workers and not settings.is_production:
            for username, full_name, role, email, covered in WORKERS:
                worker = Worker(
                    municipality_id=muni.id,
                    username=username,
                    full_name=full_name,
                    role=role,
                    email=email,
                    password_hash=hash_password(DEMO_PASSWORD),
                    # The known password works once: the first login must choose a new one.
                    must_change_password=settings.seed_password_change,
                    triage=username in TRIAGE_WORKERS,
                )
                session.add(worker)
                session.flush()
                created["workers"] += 1
                for school_name in covered:
                    session.add(Assignment(worker_id=worker.id, school_id=schools[school_name].id))
                    created["assignments"] += 1
    return created


def main() -> int:
    init_db()
    created = seed_demo()
    print("Demo-data:", ", ".join(f"{k}={v}" for k, v in created.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
