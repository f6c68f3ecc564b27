"""Fast bulk loading: COPY on PostgreSQL, executemany on SQLite, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Table

BulkListener = Callable[[Connection, str, int], None]
_listeners: list[BulkListener] = []


def on_bulk_insert(listener: BulkListener) -> BulkListener:
    """Call ``listener(connection, table, row_count)`` after every bulk insert (the audit trail
    registers itself here, so loads that bypass the ORM are still recorded)."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def bulk_insert(
    connection: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``, fast on either backend."""
    if not rows:
        return
    column_list = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        with cursor, cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        placeholders = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(
            f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})",
            list(map(tuple, rows)),
        )
    for listener in _listeners:
        listener(connection, table, len(rows))


@contextmanager
def deferred_indexes(connection: Connection, table: Table) -> Iterator[None]:
    """Drop ``table``'s secondary indexes for a bulk load and rebuild them afterwards.

    Building an index once from sorted data is far cheaper than maintaining it row by row
    under random keys. Everything runs inside the caller's transaction: if the load fails,
    the rollback restores the indexes too.
    """
    indexes = list(table.indexes)
    for index in indexes:
        index.drop(connection)
    yield
    for index in indexes:
        index.create(connection)
