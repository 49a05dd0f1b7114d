"""pupil path: consent basis, parents-involved flag, triage workers

Revision ID: 0004_pupil_path
Revises: 0001
Create Date: 2026-12-02 10:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_pupil_path"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("respondents") as batch:
        batch.add_column(sa.Column("consent_basis", sa.String(length=30), nullable=True))
    with op.batch_alter_table("cases") as batch:
        batch.add_column(
            sa.Column(
                "parents_must_be_involved",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
    with op.batch_alter_table("workers") as batch:
        batch.add_column(
            sa.Column("triage", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("workers") as batch:
        batch.drop_column("triage")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("parents_must_be_involved")
    with op.batch_alter_table("respondents") as batch:
        batch.drop_column("consent_basis")
