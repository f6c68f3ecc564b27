"""The hash chain: canonical content of a row, appending under a lock, and verification.

Each row stores ``hash = sha256(canonical content including prev_hash)``, where ``prev_hash``
is the previous row's hash (``GENESIS`` for the first). Ids are assigned here, contiguously,
from the chain head, so a deleted row shows as a gap and a changed row as a hash mismatch.
Concurrent writers are serialised by the lock on the single chain-head row (``SELECT … FOR
UPDATE`` on PostgreSQL; on SQLite an UPDATE of the head first takes the database write lock).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import decimal
import enum
import hashlib
import json
import math
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Table, insert, select, update

from qcity.audit.models import AuditChainHead, AuditLog

GENESIS = "0" * 64
HEAD_ID = 1
_LOG = cast(Table, AuditLog.__table__)
_HEAD = cast(Table, AuditChainHead.__table__)


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data that survives a round trip through either database."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, dt.datetime):
        return utc_text(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        if len(raw) <= 64:
            return "base64:" + base64.b64encode(raw).decode()
        return f"<{len(raw)} bytes sha256:{hashlib.sha256(raw).hexdigest()}>"
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    item = getattr(value, "item", None)  # NumPy scalars
    if callable(item):
        try:
            return jsonable(item())
        except (TypeError, ValueError):
            pass
    return str(value)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """An aware UTC datetime (naive values, as SQLite returns them, are taken as UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def utc_text(moment: dt.datetime) -> str:
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Entry:
    """An audit event waiting for its place in the chain."""

    actor: str
    action: str
    table_name: str
    row_pk: str
    before: Any = None
    after: Any = None


def row_hash(
    *,
    id: int,
    occurred_at: dt.datetime,
    actor: str,
    action: str,
    table_name: str,
    row_pk: str,
    before: Any,
    after: Any,
    prev_hash: str,
) -> str:
    """sha256 over the canonical JSON of the row's content and the previous row's hash."""
    content = {
        "id": id,
        "occurred_at": utc_text(occurred_at),
        "actor": actor,
        "action": action,
        "table": table_name,
        "pk": row_pk,
        "before": before,
        "after": after,
        "prev": prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _lock_head(connection: Connection) -> tuple[int, str]:
    if connection.dialect.name == "sqlite":
        # Writing first takes SQLite's database write lock for the rest of the transaction.
        connection.execute(
            update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(last_id=_HEAD.c.last_id)
        )
    row = connection.execute(
        select(_HEAD.c.last_id, _HEAD.c.last_hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
    ).first()
    if row is None:  # a database built without the migration's seed row
        connection.execute(insert(_HEAD).values(id=HEAD_ID, last_id=0, last_hash=GENESIS))
        return 0, GENESIS
    return int(row.last_id), str(row.last_hash)


def append(connection: Connection, entries: Sequence[Entry], now: dt.datetime) -> int:
    """Append ``entries`` to the chain inside the connection's transaction; returns the last id."""
    if not entries:
        return 0
    last_id, last_hash = _lock_head(connection)
    occurred_at = as_utc(now)
    rows: list[dict[str, Any]] = []
    for entry in entries:
        last_id += 1
        before, after = jsonable(entry.before), jsonable(entry.after)
        digest = row_hash(
            id=last_id,
            occurred_at=occurred_at,
            actor=entry.actor,
            action=entry.action,
            table_name=entry.table_name,
            row_pk=entry.row_pk,
            before=before,
            after=after,
            prev_hash=last_hash,
        )
        rows.append(
            {
                "id": last_id,
                "occurred_at": occurred_at,
                "actor": entry.actor[:128],
                "action": entry.action,
                "table_name": entry.table_name[:64],
                "row_pk": entry.row_pk[:256],
                "before": before,
                "after": after,
                "prev_hash": last_hash,
                "hash": digest,
            }
        )
        last_hash = digest
    connection.execute(insert(_LOG), rows)
    connection.execute(
        update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(last_id=last_id, last_hash=last_hash)
    )
    return last_id


@dataclass(frozen=True)
class ChainVerdict:
    """The outcome of :func:`verify`: ``broken_id`` is the first row that fails, if any."""

    rows: int
    head_hash: str
    broken_id: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def _rows(connection: Connection, batch: int) -> Iterator[Any]:
    after = 0
    while True:
        chunk = connection.execute(
            select(_LOG).where(_LOG.c.id > after).order_by(_LOG.c.id).limit(batch)
        ).all()
        if not chunk:
            return
        yield from chunk
        after = int(chunk[-1].id)


def verify(connection: Connection, batch: int = 5000) -> ChainVerdict:
    """Recompute the whole chain; the first changed, inserted or deleted row is reported."""
    expected_id, prev = 1, GENESIS
    count = 0
    for row in _rows(connection, batch):
        if row.id != expected_id:
            missing = (
                f"{expected_id}" if row.id == expected_id + 1 else f"{expected_id}-{row.id - 1}"
            )
            return ChainVerdict(count, prev, int(row.id), f"row(s) {missing} deleted before it")
        if row.prev_hash != prev:
            return ChainVerdict(count, prev, int(row.id), "previous-hash link does not match")
        digest = row_hash(
            id=int(row.id),
            occurred_at=row.occurred_at,
            actor=row.actor,
            action=row.action,
            table_name=row.table_name,
            row_pk=row.row_pk,
            before=row.before,
            after=row.after,
            prev_hash=row.prev_hash,
        )
        if digest != row.hash:
            return ChainVerdict(count, prev, int(row.id), "content changed after it was written")
        prev = row.hash
        count += 1
        expected_id += 1
    head = connection.execute(
        select(_HEAD.c.last_id, _HEAD.c.last_hash).where(_HEAD.c.id == HEAD_ID)
    ).first()
    if head is not None and (int(head.last_id) != count or head.last_hash != prev):
        return ChainVerdict(
            count,
            prev,
            count + 1 if int(head.last_id) > count else int(head.last_id),
            f"the chain head names row {head.last_id} but the log ends at row {count}"
            " (rows deleted at the end)",
        )
    return ChainVerdict(count, prev)


def entries_for_bulk(actor: str, table: str, count: int, source: str) -> list[Entry]:
    return [Entry(actor, "bulk", table, "*", None, {"count": count, "source": source})]
