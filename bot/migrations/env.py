"""Alembic environment: uses the app's settings and, when given, the caller's connection."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy.types import TypeDecorator

from bot.db import models  # noqa: F401  (registers all tables on Base.metadata)
from bot.db.base import Base
from bot.db.session import current_url, get_engine

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Migrations must not import app types: write the storage type (Text, DateTime) instead.
    if type_ == "type" and isinstance(obj, TypeDecorator):
        impl = obj.impl if not isinstance(obj.impl, type) else obj.impl()
        return f"sa.{impl!r}"
    return False


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or current_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or current_url()
    with get_engine(url).begin() as conn:
        _run(conn)


def _run(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite needs batch mode for ALTER in later migrations
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
