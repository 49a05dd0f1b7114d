"""Jinja2 environment for the printable HTML pages (autoescaped: content comes from users)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
_CPH = ZoneInfo("Europe/Copenhagen")


def _dato(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(_CPH).strftime("%d.%m.%Y %H:%M")
    return "" if value is None else str(value)


_env.filters["dato"] = _dato


def render(name: str, **context: Any) -> str:
    return _env.get_template(name).render(**context)
