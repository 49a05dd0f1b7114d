"""FastAPI dependencies: database session and the logged-in worker with role checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from bot.auth import AuthError, worker_from_token
from bot.db.models import Worker
from bot.db.session import get_sessionmaker

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def get_session() -> Iterator[Session]:
    # Endpoints commit explicitly (audit rows are part of every read); anything not committed
    # is rolled back here.
    session = get_sessionmaker()()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


DbSession = Annotated[Session, Depends(get_session)]


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


def current_worker(
    session: DbSession, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Worker:
    if not token:
        raise _unauthorized("Du skal logge ind for at bruge denne funktion.")
    try:
        return worker_from_token(session, token)
    except AuthError as exc:
        raise _unauthorized(str(exc)) from exc


def require_roles(*roles: str) -> Callable[[Worker], Worker]:
    def dependency(worker: Annotated[Worker, Depends(current_worker)]) -> Worker:
        if worker.role not in roles:
            raise HTTPException(
                status_code=status.HTTP_403_FORBIDDEN,
                detail="Din rolle giver ikke adgang til denne funktion.",
            )
        return worker

    return dependency


CaseWorker = Annotated[Worker, Depends(require_roles("worker"))]
Admin = Annotated[Worker, Depends(require_roles("admin"))]
Leader = Annotated[Worker, Depends(require_roles("leader", "admin"))]
