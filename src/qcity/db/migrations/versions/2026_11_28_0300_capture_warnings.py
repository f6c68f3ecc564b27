"""capture warnings: the warnings about accepted events on each EPCIS capture job

Revision ID: 20261128_0001
Revises: 20261127_0007
Create Date: 2026-11-28 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261128_0001"
down_revision: str | None = "20261127_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # existing jobs had no warnings channel: an empty list
    op.add_column(
        "epcis_capture_job",
        sa.Column("warnings", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )


def downgrade() -> None:
    with op.batch_alter_table("epcis_capture_job") as batch:
        batch.drop_column("warnings")
