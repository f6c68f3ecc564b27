"""The bench's bulk load path on both backends: rows stored, constraints and settings restored."""

from __future__ import annotations

import datetime as dt
from contextlib import ExitStack

import pytest
from sqlalchemy import Engine, inspect, text

import qcity.audit  # noqa: F401  (installs the audit hook on bulk loads)
from qcity.db.bulk import deferred_constraints, deferred_indexes, unsafe_sqlite_load
from qcity.trace import repository
from qcity.trace._demo import Emitter, Party, _ship_receive
from qcity.trace.repository import EPCIS_MODELS, EPCIS_TABLES, EventRows, cast_table

T0 = dt.datetime(2025, 10, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def encode(row: tuple) -> str:  # type: ignore[type-arg]
    cells = ["\\N" if v is None else ("t" if v else "f") if isinstance(v, bool) else str(v)
             for v in row]  # fmt: skip
    return "\t".join(cells) + "\n"


def rows_of(events: list[repository.StoredEvent], first: int, dialect: str) -> EventRows:
    rows = EventRows(encoded=dialect == "postgresql")
    now = repository.time_text(T0, dialect)
    for pk, ev in enumerate(events, start=first):
        tables = (
            [(pk, ev.event_id, ev.event_hash, ev.event_type, ev.action,
              repository.time_text(ev.event_time, dialect), ev.time_zone_offset, now,
              ev.biz_step, ev.disposition, ev.read_point, ev.biz_location, ev.parent_id,
              ev.transformation_id, False, ev.document)],
            [(pk, *o) for o in ev.objects],
            [(pk, *p) for p in ev.parties],
            [(pk, *t) for t in ev.transactions],
        )  # fmt: skip
        for target, new in zip((rows.events, rows.objects, rows.parties, rows.transactions),
                               tables, strict=True):  # fmt: skip
            target += [encode(r) for r in new] if rows.encoded else new
    return rows


def test_bulk_load_restores_constraints_indexes_and_settings(engine: Engine) -> None:
    farm = Party("91441900MA0000001X", "441900003000", "6912345")
    shop = Party("91441900MA0000002X", "441900003000", "6912346")
    out = Emitter()
    lot = farm.lgtin(1, "B1")
    out.emit("ObjectEvent", T0, action="ADD", step="commissioning", disposition="active",
             location=farm.sgln, quantities=((lot, 10.0, "KGM"),))  # fmt: skip
    _ship_receive(out, T0 + dt.timedelta(hours=1), farm, shop, ((lot, 10.0, "KGM"),), (), 1)
    dialect = engine.dialect.name
    with engine.connect() as connection, unsafe_sqlite_load(connection):
        if dialect == "sqlite":
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "off"
            connection.commit()
        with connection.begin(), ExitStack() as stack:
            for table, model in zip(EPCIS_TABLES, EPCIS_MODELS, strict=True):
                stack.enter_context(deferred_indexes(connection, cast_table(model)))
                stack.enter_context(deferred_constraints(connection, table))
            first = repository.next_event_key(connection)
            stored = repository.insert_rows(connection, rows_of(out.events, first, dialect))
    assert stored == 3
    with engine.connect() as connection:
        if dialect == "sqlite":  # the settings are back
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        objects = connection.execute(
            text("SELECT e.event_type, o.identifier, o.quantity FROM epcis_event e "
                 "JOIN epcis_event_object o ON o.event_pk = e.id ORDER BY e.id")
        ).all()  # fmt: skip
        assert objects == [("ObjectEvent", lot, 10.0)] * 3
        parties = connection.execute(text("SELECT count(*) FROM epcis_event_party")).scalar()
        assert parties == 8  # source and destination, party and location, per movement
        audited = connection.execute(
            text("SELECT count(*) FROM audit_log WHERE table_name LIKE 'epcis_%'")
        ).scalar()
        assert audited == 4  # one audit row per table loaded
    indexes = {i["name"] for i in inspect(engine).get_indexes("epcis_event_object")}
    assert {"ix_epcis_event_object_identifier", "ix_epcis_event_object_event_pk"} <= indexes
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"), engine.begin() as connection:
        repository.insert_rows(connection, rows_of(out.events[:1], 100, dialect))
