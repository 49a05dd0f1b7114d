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

from bot.config import get_settings
from bot.db.base import utcnow
from bot.db.models import WORKER_ROLES, Worker

ALGORITHM = "HS256"
AUDIENCE = "skolebro-api"
_hasher = PasswordHash.recommended()  # argon2id
# Verifying against a dummy hash for unknown users keeps login time equal for both cases.
_DUMMY_HASH = _hasher.hash("skolebro-dummy-password")


class AuthError(Exception):
    pass


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
    token = jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM)
    return token, int(lifetime.total_seconds())


def decode_access_token(token: str) -> dict[str, Any]:
    try:
        return jwt.decode(
            token, get_settings().secret_key, algorithms=[ALGORITHM], audience=AUDIENCE
        )
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
