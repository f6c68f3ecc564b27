"""Fast bulk loading: COPY on PostgreSQL, executemany on SQLite, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Table

BulkListener = Callable[[Connection, str, int], None]
_listeners: list[BulkListener] = []
COPY_BLOCK = 10_000  # lines per write to the COPY stream


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


def copy_lines(
    connection: Connection, table: str, columns: Sequence[str], lines: Sequence[str]
) -> None:
    """COPY pre-encoded rows into ``table`` (PostgreSQL only).

    Each line is one row in COPY text format: tab-separated, ``\\N`` for NULL, ending in a
    newline, with backslashes, tabs and newlines inside values escaped. The fastest load for
    rows a caller can format itself (no per-value adaptation in the driver).
    """
    if not lines:
        return
    if connection.dialect.name != "postgresql":
        raise ValueError(f"copy_lines loads PostgreSQL, not {connection.dialect.name}")
    driver = connection.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor()
    with cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for start in range(0, len(lines), COPY_BLOCK):
            copy.write("".join(lines[start : start + COPY_BLOCK]))
    for listener in _listeners:
        listener(connection, table, len(lines))


@contextmanager
def deferred_constraints(connection: Connection, table: str) -> Iterator[None]:
    """Drop ``table``'s unique and foreign-key constraints for a bulk load, add them back after.

    PostgreSQL checks a foreign key per row with a trigger and keeps a unique index row by row;
    adding the constraint afterwards validates every row in one pass (a sort, a join). A
    violation then fails the whole load. SQLite keeps its constraints (they cannot be dropped
    without rebuilding the table): this is a no-op there.
    """
    if connection.dialect.name != "postgresql":
        yield
        return
    found = connection.exec_driver_sql(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %(table)s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC",
        {"table": table},
    ).all()
    for name, _definition in found:
        connection.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    yield
    for name, definition in found:
        connection.exec_driver_sql(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


@contextmanager
def unsafe_sqlite_load(connection: Connection, *, cache_mib: int = 2048) -> Iterator[None]:
    """Settings for a throwaway SQLite bulk load: no journal, no fsync, a big page cache.

    Also switches foreign-key checks off. Enter it on a connection *outside* a transaction and
    begin the load's transaction inside it; the previous settings (WAL, ...) come back on exit.
    Without a journal a failed load cannot roll back and a crash corrupts the file: for
    generated data in a file that can be rebuilt (the bench), never for a live database.
    On PostgreSQL this does nothing.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    pragmas = ("journal_mode", "synchronous", "cache_size", "foreign_keys", "temp_store")
    saved = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in pragmas}
    for name, value in (("journal_mode", "OFF"), ("synchronous", "OFF"),
                        ("cache_size", str(-cache_mib * 1024)), ("foreign_keys", "OFF"),
                        ("temp_store", "MEMORY")):  # fmt: skip
        connection.exec_driver_sql(f"PRAGMA {name}={value}")
    connection.commit()
    try:
        yield
    finally:
        if connection.in_transaction():
            connection.rollback()
        for name in pragmas:
            connection.exec_driver_sql(f"PRAGMA {name}={saved[name]}")
        connection.commit()
