"""EPCIS 2.0 event storage: one row per event plus normalised child rows for what traces read.

The storage contract (relied on by the trace graph, recall and mass balance):

* ``epcis_event``: one captured event. ``event_hash`` is the CBV 2.0 §8.9 event hash
  (``ni:///sha-256;<hex>?ver=CBV2.0``) and is unique, which makes capture idempotent.
  ``event_id`` is the eventID the capturer gave or, when absent, the event hash.
  ``biz_step``, ``disposition`` are CBV short names (``shipping``) for CBV terms and the full URI
  for user vocabulary. ``document`` is the event as canonical JSON text (sorted keys, no blanks).
* ``epcis_event_object``: every identifier an event names, with its ``role``:
  ``epc`` (epcList/quantityList of Object and Transaction events), ``child``
  (childEPCs/childQuantityList),
  ``input`` / ``output`` (TransformationEvent), ``parent`` (parentID). ``identifier`` is an EPC URN
  (``urn:epc:id:sgtin:…``), a class URN (``urn:epc:class:lgtin:…``, ``urn:epc:idpat:sgtin:…``) or
  ``urn:qcity:lot:…``; GS1 Digital Link URIs are converted to URNs at capture; identifiers of no
  GS1 key are kept as given. ``is_class`` marks quantity elements (then ``quantity``/``uom``).
* ``epcis_event_party``: ``kind`` 'source' | 'destination', ``type`` short CBV name
  (``owning_party``, ``possessing_party``, ``location``) or a user URI.
* ``epcis_biz_transaction``: ``type`` short CBV name (``po``, ``desadv``…) or None, ``identifier``.
* ``epcis_capture_job``: one capture request and its outcome (the REST binding's capture job),
  with the errors of rejected events and the warnings about accepted ones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from qcity.db.base import Base

# 64-bit keys on PostgreSQL (10⁷+ events, 10⁸ object rows); SQLite needs INTEGER for rowid keys.
BigKey = BigInteger().with_variant(Integer(), "sqlite")

EVENT_TYPES = (
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
)
OBJECT_ROLES = ("epc", "child", "input", "output", "parent")


class CaptureJob(Base):
    """One capture request: its error behaviour, outcome and errors (REST binding CaptureJob)."""

    __tablename__ = "epcis_capture_job"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'success', 'failed', 'partial')", name="status"),
        CheckConstraint("error_behaviour IN ('rollback', 'proceed')", name="error_behaviour"),
    )

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    status: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    error_behaviour: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(256), default="")
    events_submitted: Mapped[int] = mapped_column(Integer, default=0)
    events_captured: Mapped[int] = mapped_column(Integer, default=0)  # newly stored
    events_duplicate: Mapped[int] = mapped_column(Integer, default=0)  # already stored
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # accepted, but the user must see them (draft measurement types, XML element order)
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class EpcisEvent(Base):
    """A captured EPCIS event (normalised columns for queries, the whole event in ``document``)."""

    __tablename__ = "epcis_event"
    __table_args__ = (
        CheckConstraint(
            "event_type IN ('ObjectEvent', 'AggregationEvent', 'TransactionEvent', "
            "'TransformationEvent', 'AssociationEvent')",
            name="event_type",
        ),
        CheckConstraint("action IS NULL OR action IN ('ADD', 'OBSERVE', 'DELETE')", name="action"),
        Index("ix_epcis_event_event_time", "event_time", "id"),
        Index("ix_epcis_event_record_time", "record_time"),
        Index("ix_epcis_event_type_time", "event_type", "event_time"),
        Index("ix_epcis_event_biz_step", "biz_step"),
        Index("ix_epcis_event_disposition", "disposition"),
        Index("ix_epcis_event_read_point", "read_point"),
        Index("ix_epcis_event_biz_location", "biz_location"),
        Index("ix_epcis_event_parent_id", "parent_id"),
        Index("ix_epcis_event_transformation_id", "transformation_id"),
        Index("ix_epcis_event_capture_job_id", "capture_job_id"),
    )

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(512), unique=True)
    event_hash: Mapped[str] = mapped_column(String(100), unique=True)
    event_type: Mapped[str] = mapped_column(String(24))
    action: Mapped[str | None] = mapped_column(String(8))
    event_time: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    event_time_zone_offset: Mapped[str] = mapped_column(String(6))
    record_time: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    biz_step: Mapped[str | None] = mapped_column(String(512))
    disposition: Mapped[str | None] = mapped_column(String(512))
    read_point: Mapped[str | None] = mapped_column(String(512))
    biz_location: Mapped[str | None] = mapped_column(String(512))
    parent_id: Mapped[str | None] = mapped_column(String(512))
    transformation_id: Mapped[str | None] = mapped_column(String(512))
    has_error_declaration: Mapped[bool] = mapped_column(Boolean, default=False)
    document: Mapped[str] = mapped_column(Text)
    capture_job_id: Mapped[int | None] = mapped_column(
        BigKey, ForeignKey("epcis_capture_job.id", ondelete="SET NULL")
    )


class EpcisEventObject(Base):
    """An identifier an event names, with its role (what a trace walks)."""

    __tablename__ = "epcis_event_object"
    __table_args__ = (
        CheckConstraint(
            "role IN ('epc', 'child', 'input', 'output', 'parent')",
            name="role",
        ),
        Index("ix_epcis_event_object_identifier", "identifier", "role"),
        Index("ix_epcis_event_object_event_pk", "event_pk"),
    )

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    event_pk: Mapped[int] = mapped_column(BigKey, ForeignKey("epcis_event.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(8))
    identifier: Mapped[str] = mapped_column(String(512))
    is_class: Mapped[bool] = mapped_column(Boolean, default=False)
    quantity: Mapped[float | None] = mapped_column(Float)
    uom: Mapped[str | None] = mapped_column(String(16))


class EpcisEventParty(Base):
    """A source or destination of an event (owning party, possessing party, location)."""

    __tablename__ = "epcis_event_party"
    __table_args__ = (
        CheckConstraint("kind IN ('source', 'destination')", name="kind"),
        Index("ix_epcis_event_party_event_pk", "event_pk"),
        Index("ix_epcis_event_party_identifier", "identifier"),
    )

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    event_pk: Mapped[int] = mapped_column(BigKey, ForeignKey("epcis_event.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    type: Mapped[str] = mapped_column(String(512))
    identifier: Mapped[str] = mapped_column(String(512))


class EpcisBizTransaction(Base):
    """A business transaction an event refers to (purchase order, despatch advice…)."""

    __tablename__ = "epcis_biz_transaction"
    __table_args__ = (
        Index("ix_epcis_biz_transaction_event_pk", "event_pk"),
        Index("ix_epcis_biz_transaction_identifier", "identifier"),
    )

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    event_pk: Mapped[int] = mapped_column(BigKey, ForeignKey("epcis_event.id", ondelete="CASCADE"))
    type: Mapped[str | None] = mapped_column(String(512))
    identifier: Mapped[str] = mapped_column(String(512))
