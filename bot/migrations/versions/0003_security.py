"""security: forced password change, login/code throttles, hashed resume codes, encrypted
signal kinds, audit details and notification payloads

Revision ID: 0003
Revises: 0001
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot import crypto

revision: str = "0003"
down_revision: str | None = "0002_profile_fields"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _encrypt_column(table: str, column: str, as_json: bool) -> None:
    """Rewrite existing clear values of `column` as Fernet tokens (the column is Text now)."""
    conn = op.get_bind()
    rows = conn.execute(sa.text(f"SELECT id, {column} FROM {table}")).all()  # nosec B608 # table and column are fixed names from upgrade()
    for row_id, value in rows:
        if value is None or (isinstance(value, str) and value.startswith("gAAAAA")):
            continue
        if as_json:
            data = value if not isinstance(value, str) else json.loads(value)
            token = crypto.encrypt_json(data)
        else:
            token = crypto.encrypt(value)
        conn.execute(
            sa.text(f"UPDATE {table} SET {column} = :v WHERE id = :i"),  # nosec B608 # table and column are fixed names from upgrade()
            {"v": token, "i": row_id},
        )


def upgrade() -> None:
    with op.batch_alter_table("workers") as batch:
        batch.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    op.create_table(
        "throttles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_throttles")),
        sa.UniqueConstraint("key", name=op.f("uq_throttles_key")),
    )
    with op.batch_alter_table("resume_codes") as batch:
        batch.alter_column("code", type_=sa.String(length=64), existing_type=sa.String(20))
    conn = op.get_bind()
    for row_id, code in conn.execute(sa.text("SELECT id, code FROM resume_codes")).all():
        if len(code) < 64:
            conn.execute(
                sa.text("UPDATE resume_codes SET code = :c WHERE id = :i"),
                {"c": crypto.keyed_hash(code), "i": row_id},
            )
    with op.batch_alter_table("signals") as batch:
        batch.drop_constraint("uq_signals_respondent_id_kind_area_source_hash", type_="unique")
        batch.alter_column("kind", type_=sa.Text(), existing_type=sa.String(80))
    # The hash now covers the kind (which is encrypted and so cannot be compared in SQL).
    rows = conn.execute(
        sa.text("SELECT id, respondent_id, kind, area, question_key, source_text FROM signals")
    ).all()
    seen: set[tuple[int, str]] = set()
    for row_id, respondent_id, kind, area, question_key, source_text in rows:
        text = crypto.decrypt(source_text) if source_text else ""
        digest = crypto.signal_hash(kind, area, question_key, text)
        if (respondent_id, digest) in seen:
            conn.execute(sa.text("DELETE FROM signals WHERE id = :i"), {"i": row_id})
            continue
        seen.add((respondent_id, digest))
        conn.execute(
            sa.text("UPDATE signals SET source_hash = :h WHERE id = :i"), {"h": digest, "i": row_id}
        )
    _encrypt_column("signals", "kind", as_json=False)
    with op.batch_alter_table("signals") as batch:
        batch.create_unique_constraint(
            op.f("uq_signals_respondent_id_source_hash"), ["respondent_id", "source_hash"]
        )
    pg = conn.dialect.name == "postgresql"
    for table, column in (("audit_events", "details"), ("outbox", "payload")):
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column,
                type_=sa.Text(),
                existing_type=sa.JSON(),
                postgresql_using=f"{column}::text" if pg else None,
            )
        _encrypt_column(table, column, as_json=True)


def downgrade() -> None:
    raise NotImplementedError("encrypted columns are not decrypted back: restore a backup")
