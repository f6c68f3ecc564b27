"""The audit trail: every write, hash-chained, append-only.

Importing this package installs the session listener that records every ORM write
(``qcity.cli`` and ``qcity.web.app`` import it). Loads that bypass the ORM call
:func:`record_bulk` once per batch.
"""

from sqlalchemy import Connection

from qcity.audit import _listener
from qcity.audit._chain import ChainVerdict
from qcity.audit._listener import (
    AuditProtected,
    acting_as,
    current_actor,
    reset_actor,
    set_actor,
)
from qcity.audit.repository import AuditFilter
from qcity.audit.service import record, record_bulk, record_unmask, verify
from qcity.db.bulk import on_bulk_insert

_listener.install()


def _audit_bulk_insert(connection: Connection, table: str, count: int) -> None:
    record_bulk(connection, table, count, "qcity.db.bulk.bulk_insert")


on_bulk_insert(_audit_bulk_insert)

__all__ = [
    "AuditFilter",
    "AuditProtected",
    "ChainVerdict",
    "acting_as",
    "current_actor",
    "record",
    "record_bulk",
    "record_unmask",
    "reset_actor",
    "set_actor",
    "verify",
]
