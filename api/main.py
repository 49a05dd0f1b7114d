"""Skolebro API: the school contact worker's window on cases, plus admin and statistics.

A thin layer: access rules and data handling live in bot/ (cases, auth, stats, outbox).
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import routes_admin, routes_cases, schemas, web
from api.deps import DbSession, Leader
from bot import audit, auth, outbox, retention, startup, stats
from bot.config import get_settings
from bot.db.models import Worker

TAGS = [
    {"name": "login", "description": "OAuth2 password flow; adgangsnøglen gælder i 15 minutter."},
    {"name": "sager", "description": "Skolekontaktpersonens sager. Al læsning logges."},
    {"name": "statistik", "description": "Anonym statistik; grupper under 5 vises aldrig."},
    {"name": "administration", "description": "Skoler, medarbejdere og tilknytninger."},
    {"name": "drift", "description": "Sundhedstjek."},
]

_STATUS_TEXT = {
    400: "Forespørgslen er ugyldig.",
    401: "Du skal logge ind for at bruge denne funktion.",
    403: "Du har ikke adgang til denne funktion.",
    404: "Siden eller ressourcen findes ikke.",
    405: "Metoden er ikke tilladt her.",
    413: "Forespørgslen er for stor.",
}

_FIELD_MESSAGES = {
    "missing": "skal udfyldes",
    "int_parsing": "skal være et heltal",
    "bool_parsing": "skal være sand eller falsk",
    "string_too_short": "er for kort",
    "string_too_long": "er for lang",
    "literal_error": "har en ugyldig værdi",
    "enum": "har en ugyldig værdi",
    "extra_forbidden": "er ikke et kendt felt",
    "string_pattern_mismatch": "har et ugyldigt format",
    "greater_than_equal": "er for lille",
    "less_than_equal": "er for stor",
    "json_invalid": "er ikke gyldig JSON",
    "model_attributes_type": "skal være et JSON-objekt",
    "dict_type": "skal være et JSON-objekt",
    "string_type": "skal være tekst",
}


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        field = ".".join(loc) or "forespørgslen"
        msg = _FIELD_MESSAGES.get(err.get("type", ""), "er ugyldig")
        out.append({"field": field, "message": f"'{field}' {msg}", "type": err.get("type")})
    return out


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # nosec B101 # type narrowing for the handler signature, not a check
    errors = _field_errors(exc)
    detail = "Ugyldige data: " + "; ".join(e["message"] for e in errors) + "."
    return JSONResponse(status_code=422, content={"detail": detail, "errors": errors})


async def _http_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # nosec B101 # type narrowing for the handler signature, not a check
    detail = exc.detail
    # Starlette's default English texts ("Not Found") become Danish; our own texts pass through.
    try:
        default = HTTPStatus(exc.status_code).phrase
    except ValueError:
        default = None
    if not isinstance(detail, str) or detail == default:
        detail = _STATUS_TEXT.get(exc.status_code, detail)
    return JSONResponse(
        status_code=exc.status_code, content={"detail": detail}, headers=exc.headers
    )


def _client(request: Request) -> str:
    """The client's address: the socket's peer or, behind a reverse proxy on this machine
    (loopback), the last X-Forwarded-For entry (the one the proxy appended). A local tool
    without that header gets only the per-account limit."""
    peer = request.client.host if request.client else ""
    try:
        loopback = ipaddress.ip_address(peer).is_loopback
    except ValueError:
        return peer
    if not loopback:
        return peer
    forwarded = request.headers.get("x-forwarded-for", "")
    return forwarded.split(",")[-1].strip() if forwarded else ""


def _refused(exc: auth.LoginRefused) -> HTTPException:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
    if exc.retry_after:
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, auth.PasswordChangeRequired):
        headers["X-Password-Change"] = "required"  # the login page then asks for a new one
    return HTTPException(exc.status, detail=str(exc), headers=headers or None)


class PasswordChangeForm:
    """Form fields of /auth/password (the same encoding as the login form)."""

    def __init__(
        self,
        username: Annotated[str, Form(max_length=80)],
        password: Annotated[str, Form(max_length=200)],
        new_password: Annotated[str, Form(max_length=200)],
    ) -> None:
        self.username, self.password, self.new_password = username, password, new_password


# Every API and web response: no MIME sniffing, no caching of case data anywhere, and a CSP
# that lets a JSON or summary response run nothing. Web pages set their own, richer CSP.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",
}
_CACHEABLE = ("/static/", "/brand.css", "/widget.js")
_OWN_UI = ("/docs", "/redoc")


def _issue_token(session: Session, worker: Worker) -> dict[str, Any]:
    """A worker's access token after a successful login or password change (audited)."""
    token, lifetime = auth.create_access_token(worker)
    audit.log(session, "auth.login", worker=worker)
    session.commit()
    return {"access_token": token, "expires_in": lifetime, "role": worker.role}


def _start_loop(
    name: str, run_forever: Callable[[threading.Event, float], None], interval: float
) -> tuple[threading.Event, threading.Thread] | None:
    """A background loop in the API process (outbox sender, retention); interval 0: off."""
    if interval <= 0:
        return None
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(stop, interval), daemon=True, name=name)
    thread.start()
    return stop, thread


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    startup.check_or_exit("api")
    settings = get_settings()
    loops = [
        loop
        for loop in (
            _start_loop("outbox", outbox.run_forever, settings.outbox_interval_seconds),
            _start_loop("retention", retention.run_forever, settings.retention_interval_seconds),
        )
        if loop
    ]
    try:
        yield
    finally:
        for stop, _thread in loops:
            stop.set()
        for _stop, thread in loops:
            thread.join(timeout=5)


def _health(session: DbSession) -> dict[str, str]:
    try:
        session.execute(text("SELECT 1"))
    except Exception as exc:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, detail="Databasen svarer ikke."
        ) from exc
    return {"status": "ok", "database": "ok"}


# What a 422 really looks like (see _validation_handler); replaces FastAPI's default schema in
# the OpenAPI document so clients and contract tests see the true shape.
VALIDATION_ERROR_SCHEMA: dict[str, Any] = {
    "title": "HTTPValidationError",
    "type": "object",
    "required": ["detail", "errors"],
    "properties": {
        "detail": {"type": "string", "description": "Fejlen på dansk"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "type": {"type": ["string", "null"]},
                },
            },
        },
    },
}


def _with_true_validation_errors(app: FastAPI) -> Callable[[], dict[str, Any]]:
    default_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = default_openapi()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            if "HTTPValidationError" in components:
                components["HTTPValidationError"] = VALIDATION_ERROR_SCHEMA
            app.openapi_schema = schema
        return app.openapi_schema

    return openapi


def create_app() -> FastAPI:
    app = FastAPI(
        title="Skolebro API",
        version="1.0.0",
        description=(
            "Skolekontaktpersonens adgang til sager om bekymrende skolefravær fra Skolebro. "
            "Log ind med OAuth2 (brugernavn og adgangskode) på /api/v1/auth/token."
        ),
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    web.add_cors(app)  # CORS_ORIGINS only; never "*"

    @app.middleware("http")
    async def limit_body(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        # Refuse oversized bodies before anything reads them into memory.
        limit = get_settings().api_max_body_bytes
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            return JSONResponse(status_code=413, content={"detail": _STATUS_TEXT[413]})
        if length is None and request.method in ("POST", "PUT", "PATCH"):
            body = await request.body()
            if len(body) > limit:
                return JSONResponse(status_code=413, content={"detail": _STATUS_TEXT[413]})
        return await call_next(request)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        cacheable = request.url.path.startswith(_CACHEABLE)
        for name, value in SECURITY_HEADERS.items():
            if name == "Cache-Control" and cacheable:
                continue
            if name == "Content-Security-Policy" and request.url.path.startswith(_OWN_UI):
                continue  # Swagger UI and ReDoc load their own scripts
            response.headers.setdefault(name, value)
        return response

    v1 = APIRouter(prefix="/api/v1")

    @v1.post(
        "/auth/token",
        response_model=schemas.Token,
        tags=["login"],
        summary="Log ind",
        responses={
            403: {"description": "Første login: vælg ny adgangskode (/auth/password)"},
            429: {"description": "For mange forkerte forsøg; se Retry-After"},
        },
    )
    def login(
        form: Annotated[OAuth2PasswordRequestForm, Depends()],
        session: DbSession,
        request: Request,
    ) -> dict[str, Any]:
        try:
            worker = auth.login(session, form.username, form.password, _client(request))
        except auth.LoginRefused as exc:
            raise _refused(exc) from None
        return _issue_token(session, worker)

    @v1.post(
        "/auth/password",
        response_model=schemas.Token,
        tags=["login"],
        summary="Skift adgangskode (også ved første login)",
    )
    def change_password(
        form: Annotated[PasswordChangeForm, Depends()], session: DbSession, request: Request
    ) -> dict[str, Any]:
        try:
            worker = auth.change_password(
                session, form.username, form.password, form.new_password, _client(request)
            )
        except auth.LoginRefused as exc:
            raise _refused(exc) from None
        return _issue_token(session, worker)

    @v1.get("/stats", response_model=schemas.StatsOut, tags=["statistik"], summary="Statistik")
    def get_stats(session: DbSession, leader: Leader) -> dict[str, Any]:
        data = stats.compute(session, leader.municipality_id)
        audit.log(session, "stats.read", worker=leader)
        session.commit()
        return data

    @v1.get("/healthz", response_model=schemas.Health, tags=["drift"], summary="Sundhedstjek")
    def healthz_v1(session: DbSession) -> dict[str, str]:
        return _health(session)

    v1.include_router(routes_cases.router)
    v1.include_router(routes_admin.router)
    app.include_router(v1)

    @app.get("/healthz", response_model=schemas.Health, tags=["drift"], summary="Sundhedstjek")
    def healthz(session: DbSession) -> dict[str, str]:
        return _health(session)

    web.mount(app)  # chat, pupil, worker and leader pages, widget.js, /static
    app.openapi = _with_true_validation_errors(app)  # type: ignore[method-assign]
    return app


app = create_app()
