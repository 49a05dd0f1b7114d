"""absence type and the school's registered absence percentage on the case

Revision ID: 0002_profile_fields
Revises: 0001
Create Date: 2026-12-02 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_profile_fields"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("absence_type", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("registered_absence_percent", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("registered_absence_percent")
        batch.drop_column("absence_type")
