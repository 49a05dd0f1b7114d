"""Jinja2 environment for the printable HTML pages (autoescaped: content comes from users)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.summary import danish_date

_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
_CPH = ZoneInfo("Europe/Copenhagen")


def _dato(value: Any) -> str:
    """Danish dates in local time: "22. november 2026 kl. 14:05" / "22. november 2026"."""
    if isinstance(value, datetime):
        return danish_date(value.astimezone(_CPH))
    if isinstance(value, date):
        return danish_date(value)
    return "" if value is None else str(value)


def _klasse(value: Any) -> str:
    if value is None or value == "":
        return ""
    return "Børnehaveklasse" if value == 0 else f"{value}. klasse"


_env.filters["dato"] = _dato
_env.filters["klasse"] = _klasse


def render(name: str, **context: Any) -> str:
    return _env.get_template(name).render(**context)
