"""Storage of EPCIS events: bulk inserts (COPY on PostgreSQL) and the queries the API needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, text, update
from sqlalchemy.orm import Session

from qcity.db.bulk import bulk_insert
from qcity.epcis.models import CaptureJob, EpcisEvent, EpcisEventObject

EVENT_COLUMNS = (
    "id", "event_id", "event_hash", "event_type", "action", "event_time",
    "event_time_zone_offset", "record_time", "biz_step", "disposition", "read_point",
    "biz_location", "parent_id", "transformation_id", "has_error_declaration", "document",
    "capture_job_id",
)  # fmt: skip
OBJECT_COLUMNS = ("event_pk", "role", "identifier", "is_class", "quantity", "uom")
PARTY_COLUMNS = ("event_pk", "kind", "type", "identifier")
BIZ_TRANSACTION_COLUMNS = ("event_pk", "type", "identifier")
_CHUNK = 500


def db_time(session: Session, value: dt.datetime) -> Any:
    """A UTC datetime as the backend's bulk path wants it (SQLite: SQLAlchemy's text format)."""
    if session.get_bind().dialect.name == "sqlite":
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    return value


def as_utc(value: dt.datetime) -> dt.datetime:
    """Datetimes read back from SQLite are naive UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def reserve_event_ids(session: Session, count: int) -> list[int]:
    """``count`` fresh primary keys for ``epcis_event``, safe against concurrent writers.

    PostgreSQL draws them from the table's sequence. On SQLite the caller has already written in
    this transaction (the capture job row), so it holds the database's single write lock and
    max(id) + 1… cannot be taken by anyone else.
    """
    if count == 0:
        return []
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('epcis_event', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": count},
        )
        return sorted(int(r[0]) for r in rows)
    start = int(
        connection.execute(text("SELECT coalesce(max(id), 0) FROM epcis_event")).scalar_one()
    )
    return list(range(start + 1, start + 1 + count))


def existing_hashes(session: Session, hashes: Sequence[str]) -> dict[str, tuple[int, bool]]:
    """event_hash → (id, has_error_declaration) of the stored events among ``hashes``."""
    found: dict[str, tuple[int, bool]] = {}
    for i in range(0, len(hashes), _CHUNK):
        chunk = list(hashes[i : i + _CHUNK])
        rows = session.execute(
            select(EpcisEvent.event_hash, EpcisEvent.id, EpcisEvent.has_error_declaration).where(
                EpcisEvent.event_hash.in_(chunk)
            )
        )
        for event_hash, pk, declared in rows:
            found[event_hash] = (int(pk), bool(declared))
    return found


def existing_event_ids(session: Session, event_ids: Sequence[str]) -> dict[str, str]:
    """eventID → event_hash of the stored events among ``event_ids``."""
    found: dict[str, str] = {}
    for i in range(0, len(event_ids), _CHUNK):
        chunk = list(event_ids[i : i + _CHUNK])
        rows = session.execute(
            select(EpcisEvent.event_id, EpcisEvent.event_hash).where(EpcisEvent.event_id.in_(chunk))
        )
        found.update({str(a): str(b) for a, b in rows})
    return found


def insert_rows(
    session: Session,
    events: Sequence[Sequence[Any]],
    objects: Sequence[Sequence[Any]],
    parties: Sequence[Sequence[Any]],
    transactions: Sequence[Sequence[Any]],
) -> None:
    """Bulk-insert prepared rows (column orders as the ``*_COLUMNS`` tuples)."""
    connection = session.connection()
    bulk_insert(connection, "epcis_event", EVENT_COLUMNS, events)
    bulk_insert(connection, "epcis_event_object", OBJECT_COLUMNS, objects)
    bulk_insert(connection, "epcis_event_party", PARTY_COLUMNS, parties)
    bulk_insert(connection, "epcis_biz_transaction", BIZ_TRANSACTION_COLUMNS, transactions)


def record_error_declaration(session: Session, pk: int, document: str) -> None:
    """An error declaration for a stored event: the event now carries it."""
    session.execute(
        update(EpcisEvent)
        .where(EpcisEvent.id == pk)
        .values(has_error_declaration=True, document=document)
    )


def add_job(session: Session, job: CaptureJob) -> CaptureJob:
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: int) -> CaptureJob | None:
    return session.get(CaptureJob, job_id)


@dataclass(frozen=True, slots=True)
class ObjectMatch:
    """Events naming an identifier (exact values or LIKE patterns) in one of ``roles``."""

    roles: tuple[str, ...]
    exact: tuple[str, ...]
    like: tuple[str, ...]
    is_class: bool | None = None


@dataclass(frozen=True, slots=True)
class EventFilter:
    event_types: tuple[str, ...] = ()
    ge_event_time: dt.datetime | None = None
    lt_event_time: dt.datetime | None = None
    ge_record_time: dt.datetime | None = None
    lt_record_time: dt.datetime | None = None
    biz_steps: tuple[str, ...] = ()
    dispositions: tuple[str, ...] = ()
    read_points: tuple[str, ...] = ()
    biz_locations: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    event_ids: tuple[str, ...] = ()
    error_declaration: bool | None = None
    objects: tuple[ObjectMatch, ...] = ()


def _object_clause(match: ObjectMatch) -> ColumnElement[bool]:
    o = EpcisEventObject
    conditions: list[ColumnElement[bool]] = []
    if match.exact:
        conditions.append(o.identifier.in_(match.exact))
    conditions.extend(o.identifier.like(p, escape="\\") for p in match.like)
    where = [
        o.event_pk == EpcisEvent.id,
        o.role.in_(match.roles),
        or_(*conditions) if conditions else false(),
    ]
    if match.is_class is not None:
        where.append(o.is_class == match.is_class)
    return exists(select(o.id).where(and_(*where)))


def find_events(
    session: Session,
    where: EventFilter,
    limit: int,
    after: tuple[dt.datetime, int] | None = None,
) -> list[EpcisEvent]:
    """Events matching ``where`` in (event_time, id) order, ``limit`` of them after ``after``."""
    e = EpcisEvent
    query = select(e)
    clauses: list[ColumnElement[bool]] = []
    if where.event_types:
        clauses.append(e.event_type.in_(where.event_types))
    if where.ge_event_time is not None:
        clauses.append(e.event_time >= where.ge_event_time)
    if where.lt_event_time is not None:
        clauses.append(e.event_time < where.lt_event_time)
    if where.ge_record_time is not None:
        clauses.append(e.record_time >= where.ge_record_time)
    if where.lt_record_time is not None:
        clauses.append(e.record_time < where.lt_record_time)
    for column, values in (
        (e.biz_step, where.biz_steps),
        (e.disposition, where.dispositions),
        (e.read_point, where.read_points),
        (e.biz_location, where.biz_locations),
        (e.action, where.actions),
        (e.event_id, where.event_ids),
    ):
        if values:
            clauses.append(column.in_(values))
    if where.error_declaration is not None:
        clauses.append(e.has_error_declaration == where.error_declaration)
    clauses.extend(_object_clause(m) for m in where.objects)
    if after is not None:
        time, pk = after
        clauses.append(or_(e.event_time > time, and_(e.event_time == time, e.id > pk)))
    query = query.where(*clauses).order_by(e.event_time, e.id).limit(limit)
    return list(session.scalars(query))


def event_by_id(session: Session, event_id: str) -> EpcisEvent | None:
    return session.scalars(
        select(EpcisEvent).where(
            or_(EpcisEvent.event_id == event_id, EpcisEvent.event_hash == event_id)
        )
    ).first()


def objects_of(session: Session, pks: Iterable[int]) -> list[EpcisEventObject]:
    return list(
        session.scalars(
            select(EpcisEventObject)
            .where(EpcisEventObject.event_pk.in_(list(pks)))
            .order_by(EpcisEventObject.event_pk, EpcisEventObject.id)
        )
    )
