"""Worker authentication: argon2 password hashes and short-lived JWT access tokens.

Framework-free so scripts and tests can use it; api/ only wires it into FastAPI.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt
from pwdlib import PasswordHash
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import audit, throttle
from bot.config import get_settings
from bot.crypto import jwt_key
from bot.db.base import utcnow
from bot.db.models import WORKER_ROLES, Worker
from bot.passwords import password_problem

ALGORITHM = "HS256"
AUDIENCE = "skolebro-api"
_hasher = PasswordHash.recommended()  # argon2id
# Verifying against a dummy hash for unknown users keeps login time equal for both cases.
_DUMMY_HASH = _hasher.hash("skolebro-dummy-password")


class AuthError(Exception):
    pass


class LoginRefused(Exception):
    """A login that did not succeed; `status` is the HTTP status the API answers with."""

    def __init__(self, message: str, status: int = 401, retry_after: int = 0) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class PasswordChangeRequired(LoginRefused):
    def __init__(self) -> None:
        super().__init__(
            "Du skal vælge en ny adgangskode, før du kan logge ind første gang.", status=403
        )


WRONG_LOGIN = "Forkert brugernavn eller adgangskode."


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return _hasher.verify(password, password_hash)
    except Exception:  # malformed hash in the database counts as a failed login
        return False


def authenticate(session: Session, username: str, password: str) -> Worker | None:
    worker = session.scalar(select(Worker).where(Worker.username == username.strip().lower()))
    if worker is None or not worker.active:
        verify_password(password, _DUMMY_HASH)
        return None
    return worker if verify_password(password, worker.password_hash) else None


def _throttle_keys(username: str, client: str) -> list[tuple[str, int]]:
    """(key, allowed failures): per account, and per client with room for a shared office."""
    limit = get_settings().login_max_failures
    keys = [(throttle.key("login-user", username), limit)]
    if client:
        keys.append((throttle.key("login-client", client), limit * 4))
    return keys


def login(session: Session, username: str, password: str, client: str = "") -> Worker:
    """Check a login with throttling and audit; LoginRefused says why not.

    Too many failures for the account or the client block further tries (429) for the window,
    doubling with each failure after that; every failure is audited (without the password).
    """
    settings = get_settings()
    window = timedelta(seconds=settings.login_window_seconds)
    keys = _throttle_keys(username, client)
    wait = max(throttle.blocked_for(session, k) for k, _ in keys)
    if wait > 0:
        audit.log(session, "auth.login_blocked", details={"username": username[:80]})
        session.commit()
        raise LoginRefused(
            "For mange forkerte forsøg. Vent lidt, og prøv igen.", 429, int(wait) + 1
        )
    worker = authenticate(session, username, password)
    if worker is None:
        for k, limit in keys:
            throttle.fail(session, k, limit, window)
        audit.log(session, "auth.login_failed", details={"username": username[:80]})
        session.commit()
        raise LoginRefused(WRONG_LOGIN)
    throttle.clear(session, keys[0][0])
    if worker.must_change_password:
        session.commit()
        raise PasswordChangeRequired()
    return worker


def change_password(
    session: Session, username: str, password: str, new_password: str, client: str = ""
) -> Worker:
    """Replace a password (also the forced first change); the old one must be given."""
    try:
        worker = login(session, username, password, client)
    except PasswordChangeRequired:
        found = authenticate(session, username, password)
        if found is None:  # login() just accepted this password: only a race can get here
            raise LoginRefused(WRONG_LOGIN) from None
        worker = found
    problem = password_problem(new_password, worker.username)
    if problem is None and verify_password(new_password, worker.password_hash):
        problem = "Den nye adgangskode skal være forskellig fra den gamle."
    if problem:
        raise LoginRefused(problem, 422)
    worker.password_hash = hash_password(new_password)
    worker.must_change_password = False
    audit.log(session, "auth.password_changed", worker=worker)
    return worker


def create_access_token(worker: Worker, minutes: int | None = None) -> tuple[str, int]:
    """Signed JWT for a worker; returns (token, lifetime in seconds)."""
    settings = get_settings()
    lifetime = timedelta(minutes=minutes or settings.access_token_minutes)
    now = utcnow()
    claims: dict[str, Any] = {
        "sub": str(worker.id),
        "username": worker.username,
        "role": worker.role,
        "aud": AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    token = jwt.encode(claims, jwt_key(settings), algorithm=ALGORITHM)
    return token, int(lifetime.total_seconds())


def decode_access_token(token: str) -> dict[str, Any]:
    try:
        return jwt.decode(token, jwt_key(), algorithms=[ALGORITHM], audience=AUDIENCE)
    except jwt.ExpiredSignatureError as exc:
        raise AuthError("Din adgang er udløbet. Log ind igen.") from exc
    except jwt.PyJWTError as exc:
        raise AuthError("Ugyldig adgangsnøgle. Log ind igen.") from exc


def worker_from_token(session: Session, token: str) -> Worker:
    claims = decode_access_token(token)
    try:
        worker = session.get(Worker, int(claims["sub"]))
    except (KeyError, ValueError) as exc:
        raise AuthError("Ugyldig adgangsnøgle. Log ind igen.") from exc
    if worker is None or not worker.active:
        raise AuthError("Brugeren findes ikke eller er deaktiveret.")
    return worker


def check_role(role: str) -> str:
    if role not in WORKER_ROLES:
        raise ValueError(f"unknown worker role {role!r}")
    return role
