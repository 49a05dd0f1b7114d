"""The web pages: chat (/), pupil chat (/elev), worker pages (/medarbejder), leader (/leder).

Plain HTML, CSS and JavaScript from api/static; nothing is loaded from a CDN. Pages get their
settings (Rasa URL, municipality, areas) as a JSON data block, and a Content-Security-Policy
that only allows our own scripts. The chat may be framed by the origins in CORS_ORIGINS (the
municipality's sites using widget.js); worker pages may not be framed at all.
"""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import segno
from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from markupsafe import Markup

from api.templating import render
from bot.config import Settings, get_settings
from bot.questionnaire import AREA_KEYS, load_questionnaire
from bot.summary import LEVEL_LABELS

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
DEFAULT_LOGO = "/static/logo.svg"
CODE_RE = re.compile(r"^[A-Za-z0-9]{4,16}$")
HEX_RE = re.compile(r"^#?([0-9a-fA-F]{6})$")

router = APIRouter(include_in_schema=False)


# --- settings helpers ---------------------------------------------------------------------------


def cors_origins(settings: Settings | None = None) -> list[str]:
    """The allowed browser origins; "*" is dropped on purpose (never every origin)."""
    raw = (settings or get_settings()).cors_origins
    out: list[str] = []
    for item in raw.split(","):
        origin = item.strip().rstrip("/")
        if not origin:
            continue
        if origin == "*":
            log.warning("CORS_ORIGINS: '*' is ignored; list the allowed origins instead")
            continue
        out.append(origin)
    return out


def add_cors(app: FastAPI) -> None:
    app.add_middleware(
        CORSMiddleware,
        allow_origins=cors_origins(),
        allow_methods=["GET", "POST", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
        allow_credentials=False,  # bearer tokens, no cookies
        max_age=600,
    )


def _host_url(request: Request, port: int) -> str:
    host = request.url.hostname or "localhost"
    if ":" in host:
        host = f"[{host}]"
    return f"{request.url.scheme}://{host}:{port}"


def rasa_url(request: Request) -> str:
    settings = get_settings()
    return settings.rasa_public_url.rstrip("/") or _host_url(request, settings.rasa_port)


def public_base(request: Request) -> str:
    return get_settings().public_base_url.rstrip("/") or str(request.base_url).rstrip("/")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


# --- colours: the brand colour is darkened until white text on it passes WCAG AA (4.5:1) -----


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def accessible_brand(color: str) -> str:
    match = HEX_RE.match(color.strip())
    hexa = match.group(1) if match else "00594f"
    rgb = tuple(int(hexa[i : i + 2], 16) for i in (0, 2, 4))
    white = (255, 255, 255)
    factor = 1.0
    current: tuple[int, int, int] = rgb  # type: ignore[assignment]
    while contrast(current, white) < 4.6 and factor > 0:
        factor -= 0.05
        current = tuple(int(c * factor) for c in rgb)  # type: ignore[assignment]
    return "#{:02x}{:02x}{:02x}".format(*current)


# --- pages ------------------------------------------------------------------------------------


def _config(request: Request, page: str) -> dict[str, Any]:
    settings = get_settings()
    q = load_questionnaire()
    return {
        "page": page,
        "municipality": settings.municipality_name,
        "rasaUrl": rasa_url(request),
        "publicBase": public_base(request),
        "apiBase": "/api/v1",
        "contactDays": settings.contact_within_working_days,
        # Where the chat is kept on the device (api/static/chat.js).
        "deviceKeepHours": settings.chat_device_keep_hours,
        "pupilIdleSeconds": settings.pupil_idle_minutes * 60,
        "pupilIdleWarningSeconds": settings.pupil_idle_warning_seconds,
        "areas": [{"key": k, "title": q.area_title(k, "parent")} for k in AREA_KEYS],
        "levels": {str(k): v for k, v in LEVEL_LABELS.items() if k is not None},
    }


def _csp(request: Request, *, framable: bool, inline_style: bool = False) -> str:
    settings = get_settings()
    connect = ["'self'"]
    rasa_origin = _origin(rasa_url(request))
    if rasa_origin:
        connect.append(rasa_origin)
    ancestors = ["'self'", *cors_origins(settings)] if framable else ["'none'"]
    style = "'self' 'unsafe-inline'" if inline_style else "'self'"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {style}",
            "img-src 'self' data: https:",
            f"connect-src {' '.join(connect)}",
            f"frame-ancestors {' '.join(ancestors)}",
            "base-uri 'none'",
            "form-action 'self'",
            "object-src 'none'",
        ]
    )


def _page(
    request: Request,
    template: str,
    page: str,
    title: str,
    *,
    framable: bool = False,
    inline_style: bool = False,
    **extra: Any,
) -> HTMLResponse:
    settings = get_settings()
    cfg = _config(request, page)
    # A JSON data block is never executed; "<" is escaped so it cannot close the script tag.
    cfg_json = Markup(json.dumps(cfg, ensure_ascii=False).replace("<", "\\u003c"))  # nosec B704 # server-side settings as JSON with "<" escaped, never user input
    html = render(
        f"web/{template}",
        cfg=cfg,
        cfg_json=cfg_json,
        title=title,
        municipality=settings.municipality_name,
        logo=settings.brand_logo_url or DEFAULT_LOGO,
        # The built-in logo sits next to the word Skolebro: decorative. A municipality's own
        # logo carries its name.
        logo_alt=settings.municipality_name if settings.brand_logo_url else "",
        embed=request.query_params.get("embed") == "1",
        **extra,
    )
    headers = {
        "Content-Security-Policy": _csp(request, framable=framable, inline_style=inline_style),
        "X-Content-Type-Options": "nosniff",
        # Invitation codes travel in /elev?kode=...: never pass the address on.
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }
    if not framable:
        headers["X-Frame-Options"] = "DENY"
    return HTMLResponse(html, headers=headers)


@router.get("/", response_class=HTMLResponse)
def chat_page(request: Request, kode: str | None = None) -> Response:
    if kode:
        # Invitation links from the API point at /?kode=...: that is the pupil page.
        return RedirectResponse(f"/elev?kode={kode if CODE_RE.match(kode) else ''}", 303)
    return _page(request, "chat.html", "chat", "Skolebro", framable=True, pupil=False)


@router.get("/elev", response_class=HTMLResponse)
def pupil_page(request: Request) -> HTMLResponse:
    return _page(request, "chat.html", "elev", "Skolebro for elever", framable=True, pupil=True)


@router.get("/medarbejder", response_class=HTMLResponse)
def worker_page(request: Request) -> HTMLResponse:
    return _page(request, "worker.html", "sager", "Mine sager")


@router.get("/medarbejder/sag", response_class=HTMLResponse)
def case_page(request: Request) -> HTMLResponse:
    return _page(request, "case.html", "sag", "Sag")


@router.get("/medarbejder/udskriv", response_class=HTMLResponse)
def print_page(request: Request) -> HTMLResponse:
    # The printable form is fetched with the worker's token and written into this page;
    # it carries its own <style>, hence inline styles are allowed here only.
    return _page(request, "print.html", "udskriv", "Udskrift", inline_style=True)


@router.get("/leder", response_class=HTMLResponse)
def leader_page(request: Request) -> HTMLResponse:
    return _page(request, "leader.html", "leder", "Statistik")


@router.get("/brand.css")
def brand_css() -> Response:
    brand = accessible_brand(get_settings().brand_color)
    css = f":root {{ --brand: {brand}; --on-brand: #ffffff; }}\n"
    return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=300"})


@router.get("/widget.js")
def widget_js() -> FileResponse:
    # Loaded by <script src> on other sites: no CORS needed, short cache so fixes spread.
    return FileResponse(
        STATIC_DIR / "widget.js",
        media_type="text/javascript",
        headers={"Cache-Control": "max-age=300", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/elev/qr.svg")
def invitation_qr(request: Request, kode: str = Query(min_length=4, max_length=16)) -> Response:
    """QR code (SVG) of the pupil link /elev?kode=...; it holds nothing the caller lacks."""
    if not CODE_RE.match(kode):
        raise HTTPException(422, detail="Koden har et ugyldigt format.")
    link = f"{public_base(request)}/elev?kode={kode.upper()}"
    buf = io.BytesIO()
    segno.make(link, error="m").save(
        buf, kind="svg", scale=6, border=2, title="QR-kode til elevens link", xmldecl=False
    )
    return Response(
        buf.getvalue(),
        media_type="image/svg+xml",
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


def mount(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
