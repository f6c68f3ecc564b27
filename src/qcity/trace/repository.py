"""Queries for traces and recalls: the graph's rows from the EPCIS tables, keys, master data.

The graph is loaded in event-key ranges with two set-based queries per range (objects joined to
their events; parties), never per hop. Times come out of the database as integer microseconds
since the epoch (UTC) so no datetime objects are made per row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Connection, Integer, Table, cast, func, select
from sqlalchemy.orm import Session

from qcity.db.bulk import bulk_insert, copy_lines, deferred_indexes
from qcity.epcis.models import EpcisBizTransaction, EpcisEvent, EpcisEventObject, EpcisEventParty
from qcity.registry.models import MarketEntity
from qcity.trace.models import Gs1Key, Product, RecallCase, RecallHolder, RecallLot, RecallProgress
from qcity.tracegraph import BatchBuilder, EventBatch, Flow, flow_of

CHUNK_EVENTS = 250_000


def cast_table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


PARTY_PREFERENCE = ("possessing_party", "owning_party", "location")


def epoch_us(session: Session | Connection, column: Any) -> ColumnElement[int]:
    """``column`` (a UTC timestamp) as integer microseconds since the epoch, in SQL."""
    bind = session.get_bind() if isinstance(session, Session) else session
    if bind.dialect.name == "postgresql":
        return cast(func.extract("epoch", column) * 1_000_000, BigInteger).label("t")
    # SQLite keeps "YYYY-MM-DD HH:MM:SS.ffffff" in UTC
    seconds = cast(func.strftime("%s", column), Integer)
    micros = cast(func.substr(column, 21, 6), Integer)
    return (seconds * 1_000_000 + func.coalesce(micros, 0)).label("t")


# --- GS1 keys → market entities ------------------------------------------------------------


@dataclass
class Resolver:
    """Names parties and locations by the credit code of their market entity when known.

    A ``pgln``/``sgln`` URN (or a Digital Link to a GLN) is resolved by its GLN, then by its
    GS1 Company Prefix (both in ``trace_gs1_key``); anything else is kept as given.
    """

    prefixes: dict[str, str] = field(default_factory=dict)  # company prefix -> uscc
    glns: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # gln -> (uscc, town)
    _cache: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha1()
        for key in sorted(self.prefixes):
            digest.update(f"{key}={self.prefixes[key]};".encode())
        for key in sorted(self.glns):
            digest.update(f"{key}={self.glns[key]};".encode())
        return digest.hexdigest()

    def lookup(self, party: str) -> tuple[str | None, str | None]:
        """``(uscc, town of the location)`` of a party or location identifier."""
        hit = self._cache.get(party)
        if hit is not None:
            return hit
        result: tuple[str | None, str | None] = (None, None)
        cp, gln = gln_of(party)
        if gln is not None and gln in self.glns:
            result = self.glns[gln]
        elif cp is not None and cp in self.prefixes:
            result = (self.prefixes[cp], None)
        self._cache[party] = result
        return result

    def holder(self, party: str | None) -> str | None:
        if party is None:
            return None
        uscc, _town = self.lookup(party)
        return uscc or party

    def company(self, identifier: str) -> str | None:
        """The credit code owning an EPC's company prefix (for lots without a holder)."""
        body = identifier.rsplit(":", 1)[-1]
        cp = body.split(".", 1)[0]
        return self.prefixes.get(cp)


def _gs1_check(digits: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def gln_of(party: str) -> tuple[str | None, str | None]:
    """``(company prefix, GLN)`` of a pgln/sgln URN or a GLN Digital Link, else ``(None, None)``."""
    for scheme in ("urn:epc:id:sgln:", "urn:epc:id:pgln:"):
        if party.startswith(scheme):
            parts = party[len(scheme) :].split(".")
            if len(parts) >= 2 and (parts[0] + parts[1]).isdigit():
                body = parts[0] + parts[1]
                return parts[0], body + _gs1_check(body) if len(body) == 12 else None
            return None, None
    for ai in ("/414/", "/417/"):
        if ai in party:
            digits = party.split(ai, 1)[1][:13]
            if len(digits) == 13 and digits.isdigit():
                return None, digits
    return None, None


def resolver(session: Session) -> Resolver:
    out = Resolver()
    for key, kind, uscc, town in session.execute(
        select(Gs1Key.key, Gs1Key.kind, Gs1Key.uscc, Gs1Key.town_code)
    ):
        if kind == "company_prefix":
            out.prefixes[key] = uscc
        else:
            out.glns[key] = (uscc, town)
    return out


def entities(session: Session, usccs: Iterable[str]) -> dict[str, tuple[str, str]]:
    """``uscc -> (name, town code)`` for the credit codes given."""
    wanted = sorted(set(usccs))
    out: dict[str, tuple[str, str]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for uscc, name, town in session.execute(
            select(MarketEntity.uscc, MarketEntity.name, MarketEntity.town_code).where(
                MarketEntity.uscc.in_(chunk)
            )
        ):
            out[uscc] = (name, town)
    return out


def products(session: Session, gtins: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(gtins))
    out: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for gtin, name in session.execute(
            select(Product.gtin, Product.name).where(Product.gtin.in_(chunk))
        ):
            out[gtin] = name
    return out


# --- loading the graph ---------------------------------------------------------------------


def last_event(session: Session) -> tuple[int, str | None]:
    """The highest event key and that event's hash (to notice a rebuilt database)."""
    top = session.scalar(select(func.max(EpcisEvent.id)))
    if top is None:
        return -1, None
    return int(top), event_hash(session, int(top))


def event_hash(session: Session, pk: int) -> str | None:
    return session.scalar(select(EpcisEvent.event_hash).where(EpcisEvent.id == pk))


def _first(parties: list[tuple[str, str]]) -> str | None:
    for wanted in PARTY_PREFERENCE:
        for kind, identifier in parties:
            if kind == wanted:
                return identifier
    return parties[0][1] if parties else None


def load_batches(
    session: Session, after: int, upto: int, keys: Resolver, chunk: int = CHUNK_EVENTS
) -> Iterator[EventBatch]:
    """The events with ``after < id <= upto`` as graph batches, ``chunk`` events at a time."""
    lo = after
    while lo < upto:
        hi = min(upto, lo + chunk)
        yield _load_range(session, lo, hi, keys)
        lo = hi


def _load_range(session: Session, lo: int, hi: int, keys: Resolver) -> EventBatch:
    e, o, p = EpcisEvent, EpcisEventObject, EpcisEventParty
    sources: dict[int, list[tuple[str, str]]] = defaultdict(list)
    destinations: dict[int, list[tuple[str, str]]] = defaultdict(list)
    core = session.connection()  # Core rows: no ORM result processing per row
    for pk, kind, ptype, identifier in core.execute(
        select(p.event_pk, p.kind, p.type, p.identifier).where(p.event_pk > lo, p.event_pk <= hi)
    ).all():
        (sources if kind == "source" else destinations)[pk].append((ptype, identifier))
    rows = core.execute(
        select(
            o.event_pk, o.role, o.identifier, o.quantity, o.uom, e.event_type, e.action,
            e.biz_step, epoch_us(session, e.event_time), e.biz_location, e.transformation_id,
        )
        .join(e, e.id == o.event_pk)
        .where(o.event_pk > lo, o.event_pk <= hi)
        .order_by(o.event_pk, o.id)
    ).all()  # fmt: skip
    builder = BatchBuilder()
    builder.last_event = hi
    per_event: dict[int, list[tuple[str, str, float | None, int]]] = defaultdict(list)
    xform_ids: dict[int, str] = {}
    event_meta: dict[int, tuple[str, str | None, int]] = {}
    holder_cache: dict[int, tuple[str | None, str | None, str | None]] = {}
    for pk, role, identifier, quantity, uom, etype, action, step, t, location, xform in rows:
        where = holder_cache.get(pk)
        if where is None:
            dest = _first(destinations.get(pk, []))
            src = _first(sources.get(pk, []))
            holder = keys.holder(dest) or keys.holder(location)
            source = keys.holder(src) or (keys.holder(location) if dest else None)
            where = (holder, source, location)
            holder_cache[pk] = where
        holder, source, location = where
        flow = flow_of(etype, action, step, role)
        builder.sight(
            identifier, t, pk, holder=holder, source=source if flow == Flow.SHIPPED else None,
            location=location, quantity=quantity, uom=uom, flow=flow,
        )  # fmt: skip
        if etype in ("AggregationEvent", "AssociationEvent") or role in ("input", "output"):
            per_event[pk].append((role, identifier, quantity, t))
            event_meta[pk] = (etype, action, t)
            if xform:
                xform_ids[pk] = xform
    grouped: dict[str, list[int]] = defaultdict(list)
    for pk, members in per_event.items():
        etype, action, t = event_meta[pk]
        if etype in ("AggregationEvent", "AssociationEvent"):
            parents = [m[1] for m in members if m[0] == "parent"]
            children = [m[1] for m in members if m[0] == "child"]
            add = action != "DELETE"
            for parent in parents:
                if not children and not add:
                    builder.contain(parent, None, t, pk, add=False)
                for child in children:
                    builder.contain(parent, child, t, pk, add=add)
        elif pk in xform_ids:
            grouped[xform_ids[pk]].append(pk)
        else:
            _link(builder, members, members, pk, pk)
    if grouped:
        earlier = _earlier_transformations(session, list(grouped), lo)
        for xform, pks in grouped.items():
            old = earlier.get(xform, [])
            for a in pks:
                for b in pks:
                    _link(builder, per_event[a], per_event[b], a, b)
                for b, members in old:
                    _link(builder, per_event[a], members, a, b)
                    _link(builder, members, per_event[a], b, a)
    return builder.build()


def _link(
    builder: BatchBuilder,
    inputs_of: list[tuple[str, str, float | None, int]],
    outputs_of: list[tuple[str, str, float | None, int]],
    input_event: int,
    output_event: int,
) -> None:
    for role_in, ident_in, q_in, t_in in inputs_of:
        if role_in != "input":
            continue
        for role_out, ident_out, q_out, t_out in outputs_of:
            if role_out == "output":
                builder.transform(
                    ident_in, ident_out, t_in, t_out, input_event, output_event,
                    input_quantity=q_in, output_quantity=q_out,
                )  # fmt: skip


def _earlier_transformations(
    session: Session, xform_ids: Sequence[str], before: int
) -> dict[str, list[tuple[int, list[tuple[str, str, float | None, int]]]]]:
    """Inputs and outputs of older events (key <= ``before``) sharing a transformationID."""
    e, o = EpcisEvent, EpcisEventObject
    found: dict[str, dict[int, list[tuple[str, str, float | None, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for start in range(0, len(xform_ids), 500):
        chunk = xform_ids[start : start + 500]
        for xform, pk, role, identifier, quantity, t in session.execute(
            select(
                e.transformation_id, e.id, o.role, o.identifier, o.quantity,
                epoch_us(session, e.event_time),
            )
            .join(o, o.event_pk == e.id)
            .where(e.transformation_id.in_(chunk), e.id <= before, o.role.in_(("input", "output")))
        ):  # fmt: skip
            found[str(xform)][pk].append((role, identifier, quantity, t))
    return {x: list(by_event.items()) for x, by_event in found.items()}


# --- events for results and spreadsheets -----------------------------------------------------


@dataclass
class EventDetail:
    """What a spreadsheet row needs from one event."""

    pk: int
    event_id: str
    event_type: str
    action: str | None
    biz_step: str | None
    disposition: str | None
    event_time: dt.datetime
    biz_location: str | None
    read_point: str | None
    objects: list[tuple[str, str, float | None, str | None]] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)
    destinations: list[tuple[str, str]] = field(default_factory=list)
    transactions: list[tuple[str | None, str]] = field(default_factory=list)


def event_ids(session: Session, pks: Sequence[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for start in range(0, len(pks), 1000):
        chunk = list(pks[start : start + 1000])
        for pk, event_id in session.execute(
            select(EpcisEvent.id, EpcisEvent.event_id).where(EpcisEvent.id.in_(chunk))
        ):
            out[pk] = event_id
    return out


def event_details(session: Session, pks: Sequence[int]) -> list[EventDetail]:
    """Events with their objects, parties and business transactions (four queries per 1,000)."""
    e = EpcisEvent
    details: dict[int, EventDetail] = {}
    for start in range(0, len(pks), 1000):
        chunk = list(pks[start : start + 1000])
        for row in session.execute(
            select(
                e.id, e.event_id, e.event_type, e.action, e.biz_step, e.disposition,
                e.event_time, e.biz_location, e.read_point,
            ).where(e.id.in_(chunk))
        ):  # fmt: skip
            details[row[0]] = EventDetail(*row)
        o, p, b = EpcisEventObject, EpcisEventParty, EpcisBizTransaction
        for pk, role, identifier, quantity, uom in session.execute(
            select(o.event_pk, o.role, o.identifier, o.quantity, o.uom)
            .where(o.event_pk.in_(chunk))
            .order_by(o.id)
        ):
            details[pk].objects.append((role, identifier, quantity, uom))
        for pk, kind, ptype, identifier in session.execute(
            select(p.event_pk, p.kind, p.type, p.identifier)
            .where(p.event_pk.in_(chunk))
            .order_by(p.id)
        ):
            target = details[pk].sources if kind == "source" else details[pk].destinations
            target.append((ptype, identifier))
        for pk, btype, identifier in session.execute(
            select(b.event_pk, b.type, b.identifier).where(b.event_pk.in_(chunk)).order_by(b.id)
        ):
            details[pk].transactions.append((btype, identifier))
    return [details[pk] for pk in pks if pk in details]


def identifiers_like(session: Session, prefix: str, suffix: str) -> list[str]:
    """Stored identifiers starting with ``prefix`` and ending with ``suffix``."""
    pattern = (
        prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        + "%"
        + suffix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    )
    rows = session.scalars(
        select(EpcisEventObject.identifier)
        .where(EpcisEventObject.identifier.like(pattern, escape="\\"))
        .distinct()
        .limit(100)
    )
    return sorted(rows)


# --- recall cases ------------------------------------------------------------------------------


def add(session: Session, *records: object) -> None:
    session.add_all(records)
    session.flush()


def case(session: Session, case_id: int) -> RecallCase | None:
    return session.get(RecallCase, case_id)


def cases(session: Session) -> Sequence[RecallCase]:
    return session.scalars(select(RecallCase).order_by(RecallCase.id.desc())).all()


def case_lots(session: Session, case_id: int) -> Sequence[RecallLot]:
    return session.scalars(
        select(RecallLot).where(RecallLot.case_id == case_id).order_by(RecallLot.id)
    ).all()


def case_holders(session: Session, case_id: int) -> Sequence[RecallHolder]:
    return session.scalars(
        select(RecallHolder).where(RecallHolder.case_id == case_id).order_by(RecallHolder.id)
    ).all()


def holder_progress(session: Session, holder_id: int) -> Sequence[RecallProgress]:
    return session.scalars(
        select(RecallProgress)
        .where(RecallProgress.holder_id == holder_id)
        .order_by(RecallProgress.id)
    ).all()


def replace_keys(session: Session, keys: Sequence[Gs1Key], items: Sequence[Product]) -> None:
    """Insert or update GS1 keys and products by primary key."""
    for key in keys:
        session.merge(key)
    for item in items:
        session.merge(item)
    session.flush()


# --- raw storage (demo and bench bulk path) ----------------------------------------------------


@dataclass
class StoredEvent:
    """An event already in the epcis tables' normalised form (what capture would store)."""

    event_id: str
    event_hash: str
    event_type: str
    action: str | None
    event_time: dt.datetime
    biz_step: str | None
    disposition: str | None
    biz_location: str | None
    document: str
    read_point: str | None = None
    parent_id: str | None = None
    transformation_id: str | None = None
    time_zone_offset: str = "+08:00"
    objects: list[tuple[str, str, bool, float | None, str | None]] = field(default_factory=list)
    parties: list[tuple[str, str, str]] = field(default_factory=list)
    transactions: list[tuple[str | None, str]] = field(default_factory=list)


EVENT_COLUMNS = (
    "id", "event_id", "event_hash", "event_type", "action", "event_time",
    "event_time_zone_offset", "record_time", "biz_step", "disposition", "read_point",
    "biz_location", "parent_id", "transformation_id", "has_error_declaration", "document",
)  # fmt: skip
OBJECT_COLUMNS = ("event_pk", "role", "identifier", "is_class", "quantity", "uom")
PARTY_COLUMNS = ("event_pk", "kind", "type", "identifier")
TRANSACTION_COLUMNS = ("event_pk", "type", "identifier")
EPCIS_TABLES = ("epcis_event", "epcis_event_object", "epcis_event_party", "epcis_biz_transaction")
EPCIS_MODELS = (EpcisEvent, EpcisEventObject, EpcisEventParty, EpcisBizTransaction)


@dataclass
class EventRows:
    """Rows for the four epcis tables with their event keys, in the ``*_COLUMNS`` orders.

    Either tuples (any backend) or, for PostgreSQL only, lines pre-encoded in COPY text format
    (see :func:`qcity.db.bulk.copy_lines`); ``encoded`` says which.
    """

    events: list[Any] = field(default_factory=list)
    objects: list[Any] = field(default_factory=list)
    parties: list[Any] = field(default_factory=list)
    transactions: list[Any] = field(default_factory=list)
    encoded: bool = False


def next_event_key(connection: Connection) -> int:
    """The first free event key (what the next stored event will get)."""
    top = connection.execute(select(func.max(EpcisEvent.id))).scalar()
    return int(top or 0) + 1


def time_text(value: dt.datetime, dialect: str) -> str:
    """A timestamp as the text the column stores (SQLite) or parses without doubt (PostgreSQL)."""
    text = value.astimezone(dt.UTC).isoformat(sep=" ", timespec="microseconds")[:26]
    return text if dialect == "sqlite" else text + "+00"


def insert_events(
    connection: Connection, events: Sequence[StoredEvent], *, defer_indexes: bool = False
) -> int:
    """Store events straight into the epcis tables with COPY / executemany (no validation).

    For generated data whose shape is known to be valid (the demo, the bench). Returns the
    number of events stored; the PostgreSQL id sequence is moved past the new keys.
    """
    if not events:
        return 0
    dialect = connection.dialect.name
    top = next_event_key(connection) - 1
    now = time_text(dt.datetime.now(dt.UTC), dialect)
    rows = EventRows()
    for offset, ev in enumerate(events, start=1):
        pk = top + offset
        rows.events.append(
            (
                pk, ev.event_id, ev.event_hash, ev.event_type, ev.action,
                time_text(ev.event_time, dialect), ev.time_zone_offset, now, ev.biz_step,
                ev.disposition, ev.read_point, ev.biz_location, ev.parent_id,
                ev.transformation_id, False, ev.document,
            )
        )  # fmt: skip
        rows.objects.extend((pk, *o) for o in ev.objects)
        rows.parties.extend((pk, *p) for p in ev.parties)
        rows.transactions.extend((pk, *t) for t in ev.transactions)
    return insert_rows(connection, rows, defer_indexes=defer_indexes)


def insert_rows(connection: Connection, rows: EventRows, *, defer_indexes: bool = False) -> int:
    """Store prepared rows (see :class:`EventRows`) with COPY / executemany; audited per table.

    ``defer_indexes`` drops the secondary indexes for the load and builds them once after it.
    Returns the number of events stored.
    """
    if not rows.events:
        return 0
    load = copy_lines if rows.encoded else bulk_insert
    with ExitStack() as stack:
        if defer_indexes:  # one index build from the loaded rows beats row-by-row upkeep
            for model in EPCIS_MODELS:
                stack.enter_context(deferred_indexes(connection, cast_table(model)))
        load(connection, "epcis_event", EVENT_COLUMNS, rows.events)
        load(connection, "epcis_event_object", OBJECT_COLUMNS, rows.objects)
        load(connection, "epcis_event_party", PARTY_COLUMNS, rows.parties)
        load(connection, "epcis_biz_transaction", TRANSACTION_COLUMNS, rows.transactions)
    if connection.dialect.name == "postgresql":
        move_sequences(connection)
    return len(rows.events)


def move_sequences(connection: Connection) -> None:
    """Move the PostgreSQL id sequences of the epcis tables past their highest keys."""
    for table in EPCIS_TABLES:
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        )
