"""epcis: EPCIS 2.0 events, their objects, parties and business transactions, capture jobs

Revision ID: 20261127_0005
Revises: 20261127_0004
Create Date: 2026-11-27 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261127_0005"
down_revision: str | None = "20261127_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "epcis_capture_job",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_behaviour", sa.String(length=8), nullable=False),
        sa.Column("source", sa.String(length=256), nullable=False),
        sa.Column("events_submitted", sa.Integer(), nullable=False),
        sa.Column("events_captured", sa.Integer(), nullable=False),
        sa.Column("events_duplicate", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "error_behaviour IN ('rollback', 'proceed')",
            name=op.f("ck_epcis_capture_job_error_behaviour"),
        ),
        sa.CheckConstraint(
            "status IN ('running', 'success', 'failed', 'partial')",
            name=op.f("ck_epcis_capture_job_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epcis_capture_job")),
    )
    op.create_table(
        "epcis_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.String(length=512), nullable=False),
        sa.Column("event_hash", sa.String(length=100), nullable=False),
        sa.Column("event_type", sa.String(length=24), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=True),
        sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_time_zone_offset", sa.String(length=6), nullable=False),
        sa.Column("record_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("biz_step", sa.String(length=512), nullable=True),
        sa.Column("disposition", sa.String(length=512), nullable=True),
        sa.Column("read_point", sa.String(length=512), nullable=True),
        sa.Column("biz_location", sa.String(length=512), nullable=True),
        sa.Column("parent_id", sa.String(length=512), nullable=True),
        sa.Column("transformation_id", sa.String(length=512), nullable=True),
        sa.Column("has_error_declaration", sa.Boolean(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column(
            "capture_job_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.CheckConstraint(
            "action IS NULL OR action IN ('ADD', 'OBSERVE', 'DELETE')",
            name=op.f("ck_epcis_event_action"),
        ),
        sa.CheckConstraint(
            "event_type IN ('ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent')",
            name=op.f("ck_epcis_event_event_type"),
        ),
        sa.ForeignKeyConstraint(
            ["capture_job_id"],
            ["epcis_capture_job.id"],
            name=op.f("fk_epcis_event_capture_job_id_epcis_capture_job"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epcis_event")),
        sa.UniqueConstraint("event_hash", name=op.f("uq_epcis_event_event_hash")),
        sa.UniqueConstraint("event_id", name=op.f("uq_epcis_event_event_id")),
    )
    with op.batch_alter_table("epcis_event", schema=None) as batch_op:
        batch_op.create_index("ix_epcis_event_biz_location", ["biz_location"], unique=False)
        batch_op.create_index("ix_epcis_event_biz_step", ["biz_step"], unique=False)
        batch_op.create_index("ix_epcis_event_capture_job_id", ["capture_job_id"], unique=False)
        batch_op.create_index("ix_epcis_event_disposition", ["disposition"], unique=False)
        batch_op.create_index("ix_epcis_event_event_time", ["event_time", "id"], unique=False)
        batch_op.create_index("ix_epcis_event_parent_id", ["parent_id"], unique=False)
        batch_op.create_index("ix_epcis_event_read_point", ["read_point"], unique=False)
        batch_op.create_index("ix_epcis_event_record_time", ["record_time"], unique=False)
        batch_op.create_index(
            "ix_epcis_event_transformation_id", ["transformation_id"], unique=False
        )
        batch_op.create_index(
            "ix_epcis_event_type_time", ["event_type", "event_time"], unique=False
        )

    op.create_table(
        "epcis_biz_transaction",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("type", sa.String(length=512), nullable=True),
        sa.Column("identifier", sa.String(length=512), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_pk"],
            ["epcis_event.id"],
            name=op.f("fk_epcis_biz_transaction_event_pk_epcis_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epcis_biz_transaction")),
    )
    with op.batch_alter_table("epcis_biz_transaction", schema=None) as batch_op:
        batch_op.create_index("ix_epcis_biz_transaction_event_pk", ["event_pk"], unique=False)
        batch_op.create_index("ix_epcis_biz_transaction_identifier", ["identifier"], unique=False)

    op.create_table(
        "epcis_event_object",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("identifier", sa.String(length=512), nullable=False),
        sa.Column("is_class", sa.Boolean(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("uom", sa.String(length=16), nullable=True),
        sa.CheckConstraint(
            "role IN ('epc', 'child', 'input', 'output', 'parent')",
            name=op.f("ck_epcis_event_object_role"),
        ),
        sa.ForeignKeyConstraint(
            ["event_pk"],
            ["epcis_event.id"],
            name=op.f("fk_epcis_event_object_event_pk_epcis_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epcis_event_object")),
    )
    with op.batch_alter_table("epcis_event_object", schema=None) as batch_op:
        batch_op.create_index("ix_epcis_event_object_event_pk", ["event_pk"], unique=False)
        batch_op.create_index(
            "ix_epcis_event_object_identifier", ["identifier", "role"], unique=False
        )

    op.create_table(
        "epcis_event_party",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("type", sa.String(length=512), nullable=False),
        sa.Column("identifier", sa.String(length=512), nullable=False),
        sa.CheckConstraint(
            "kind IN ('source', 'destination')", name=op.f("ck_epcis_event_party_kind")
        ),
        sa.ForeignKeyConstraint(
            ["event_pk"],
            ["epcis_event.id"],
            name=op.f("fk_epcis_event_party_event_pk_epcis_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epcis_event_party")),
    )
    with op.batch_alter_table("epcis_event_party", schema=None) as batch_op:
        batch_op.create_index("ix_epcis_event_party_event_pk", ["event_pk"], unique=False)
        batch_op.create_index("ix_epcis_event_party_identifier", ["identifier"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("epcis_event_party", schema=None) as batch_op:
        batch_op.drop_index("ix_epcis_event_party_identifier")
        batch_op.drop_index("ix_epcis_event_party_event_pk")

    op.drop_table("epcis_event_party")
    with op.batch_alter_table("epcis_event_object", schema=None) as batch_op:
        batch_op.drop_index("ix_epcis_event_object_identifier")
        batch_op.drop_index("ix_epcis_event_object_event_pk")

    op.drop_table("epcis_event_object")
    with op.batch_alter_table("epcis_biz_transaction", schema=None) as batch_op:
        batch_op.drop_index("ix_epcis_biz_transaction_identifier")
        batch_op.drop_index("ix_epcis_biz_transaction_event_pk")

    op.drop_table("epcis_biz_transaction")
    with op.batch_alter_table("epcis_event", schema=None) as batch_op:
        batch_op.drop_index("ix_epcis_event_type_time")
        batch_op.drop_index("ix_epcis_event_transformation_id")
        batch_op.drop_index("ix_epcis_event_record_time")
        batch_op.drop_index("ix_epcis_event_read_point")
        batch_op.drop_index("ix_epcis_event_parent_id")
        batch_op.drop_index("ix_epcis_event_event_time")
        batch_op.drop_index("ix_epcis_event_disposition")
        batch_op.drop_index("ix_epcis_event_capture_job_id")
        batch_op.drop_index("ix_epcis_event_biz_step")
        batch_op.drop_index("ix_epcis_event_biz_location")

    op.drop_table("epcis_event")
    op.drop_table("epcis_capture_job")
