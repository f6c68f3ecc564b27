"""Loads that bypass the ORM are audited too: one chained row per bulk insert."""

from __future__ import annotations

from sqlalchemy import Engine, select

import qcity.audit
from qcity.audit.models import AuditLog
from qcity.db import unit_of_work
from qcity.db.bulk import bulk_insert

TOWN_COLUMNS = ("code", "parent_code", "level", "kind", "name_zh_hans", "name_zh_hant", "name_en")


def test_bulk_insert_writes_one_audit_row_and_keeps_the_chain(engine: Engine) -> None:
    rows = [
        (f"4419001{i:02d}000", None, 2, "town", f"镇{i}", f"鎮{i}", f"Town {i}") for i in range(3)
    ]
    with qcity.audit.acting_as("test:bulk"), unit_of_work(engine) as session:
        bulk_insert(session.connection(), "org_unit", TOWN_COLUMNS, rows)
    with unit_of_work(engine) as session:
        logged = session.scalars(select(AuditLog).where(AuditLog.table_name == "org_unit")).all()
        verdict = qcity.audit.verify(session)
    assert [(row.action, row.actor, row.after["count"]) for row in logged] == [
        ("bulk", "test:bulk", 3)
    ]
    assert verdict.ok
