"""recall: GS1 keys of market entities, product master data, recall cases and their progress

Revision ID: 20261127_0006
Revises: 20261127_0005
Create Date: 2026-11-27 22:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261127_0006"
down_revision: str | None = "20261127_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "trace_gs1_key",
        sa.Column("key", sa.String(length=13), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("town_code", sa.String(length=12), nullable=True),
        sa.Column("description", sa.String(length=128), nullable=False),
        sa.CheckConstraint("kind IN ('company_prefix', 'gln')", name=op.f("ck_trace_gs1_key_kind")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_trace_gs1_key")),
    )
    op.create_index("ix_trace_gs1_key_uscc", "trace_gs1_key", ["uscc"], unique=False)
    op.create_table(
        "trace_product",
        sa.Column("gtin", sa.String(length=14), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("uom", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("gtin", name=op.f("pk_trace_product")),
    )
    op.create_table(
        "recall_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("root", sa.String(length=512), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("hazard", sa.String(length=64), nullable=False),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("lots", sa.Integer(), nullable=False),
        sa.Column("holders", sa.Integer(), nullable=False),
        sa.Column("recalled_events", sa.Integer(), nullable=False),
        sa.Column("closed_at", TZ, nullable=True),
        sa.CheckConstraint("scope IN ('forward', 'siblings')", name=op.f("ck_recall_case_scope")),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_recall_case_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recall_case")),
    )
    op.create_table(
        "recall_lot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("identifier", sa.String(length=512), nullable=False),
        sa.Column("product", sa.String(length=128), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=512), nullable=True),
        sa.Column("location", sa.String(length=512), nullable=True),
        sa.Column("town_code", sa.String(length=12), nullable=True),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("uom", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["recall_case.id"],
            name=op.f("fk_recall_lot_case_id_recall_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recall_lot")),
    )
    op.create_index("ix_recall_lot_case_id", "recall_lot", ["case_id"], unique=False)
    op.create_table(
        "recall_holder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=512), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("town_code", sa.String(length=12), nullable=True),
        sa.Column("lots", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("uom", sa.String(length=16), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("quantity_removed", sa.Float(), nullable=False),
        sa.Column("quantity_destroyed", sa.Float(), nullable=False),
        sa.Column("notified_at", TZ, nullable=False),
        sa.Column("acknowledged_at", TZ, nullable=True),
        sa.Column("removed_at", TZ, nullable=True),
        sa.Column("destroyed_at", TZ, nullable=True),
        sa.CheckConstraint(
            "state IN ('notified', 'acknowledged', 'removed', 'destroyed')",
            name=op.f("ck_recall_holder_state"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["recall_case.id"],
            name=op.f("fk_recall_holder_case_id_recall_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recall_holder")),
    )
    op.create_index(
        "ux_recall_holder_case_holder", "recall_holder", ["case_id", "holder"], unique=True
    )
    op.create_table(
        "recall_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("reported_by", sa.String(length=64), nullable=False),
        sa.Column("reported_at", TZ, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["holder_id"],
            ["recall_holder.id"],
            name=op.f("fk_recall_progress_holder_id_recall_holder"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recall_progress")),
    )
    op.create_index("ix_recall_progress_holder_id", "recall_progress", ["holder_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_recall_progress_holder_id", table_name="recall_progress")
    op.drop_table("recall_progress")
    op.drop_index("ux_recall_holder_case_holder", table_name="recall_holder")
    op.drop_table("recall_holder")
    op.drop_index("ix_recall_lot_case_id", table_name="recall_lot")
    op.drop_table("recall_lot")
    op.drop_table("recall_case")
    op.drop_table("trace_product")
    op.drop_index("ix_trace_gs1_key_uscc", table_name="trace_gs1_key")
    op.drop_table("trace_gs1_key")
