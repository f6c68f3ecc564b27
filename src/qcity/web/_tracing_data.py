"""Reads behind the trace pages: a scoped trace, example identifiers, town names, spreadsheets."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from qcity.accounts._authz import Principal
from qcity.epcis.models import EpcisEvent, EpcisEventObject
from qcity.errors import NotFound
from qcity.registry.models import OrgUnit
from qcity.trace import _spreadsheet, repository, service
from qcity.trace.models import Gs1Key
from qcity.trace.schemas import TraceLotOut
from qcity.tracegraph import TraceResult
from qcity.web._tracing_scope import Scope, sees_all

DIRECTIONS = ("backward", "forward")


@dataclass(frozen=True)
class Traced:
    """A trace cut down to what the user may see."""

    identifier: str
    direction: str
    rows: list[TraceLotOut]
    hidden: int
    result: TraceResult
    scope: Scope


def scoped_trace(
    session: Session, user: Principal, identifier: str, direction: str, cache_dir: Path | None
) -> Traced:
    """The trace of ``identifier`` with only the rows ``user`` may see.

    Raises
    ------
    NotFound
        When nothing names the identifier or its root lot is outside the user's scope (the
        same answer, so nothing leaks).
    """
    out, result = service.trace(session, identifier, direction, cache_dir=cache_dir)
    scope = Scope.load(session, user, out.lots)
    rows = scope.rows(out.lots)
    if not any(r.depth == 0 for r in rows):
        raise NotFound(f"no traceability events name {identifier}")
    return Traced(identifier, direction, rows, len(out.lots) - len(rows), result, scope)


def town_names(session: Session, codes: set[str | None]) -> dict[str, OrgUnit]:
    wanted = sorted(c for c in codes if c)
    if not wanted:
        return {}
    return {u.code: u for u in session.scalars(select(OrgUnit).where(OrgUnit.code.in_(wanted)))}


def _first(session: Session, event_type: str, role: str, prefix: str | None) -> str | None:
    """The first identifier in a ``role`` of an ``event_type`` event (under ``prefix``)."""
    o = EpcisEventObject
    query = (
        select(o.identifier)
        .join(EpcisEvent, EpcisEvent.id == o.event_pk)
        .where(EpcisEvent.event_type == event_type, o.role == role)
        .limit(1)
    )
    if prefix is None:
        query = query.order_by(o.id)
    else:  # a range on the (identifier, role) index instead of scanning every object
        query = query.where(o.identifier >= prefix, o.identifier.like(f"{prefix}%"))
        query = query.order_by(o.identifier)
    found = session.scalar(query)
    return None if found is None else str(found)


def _own_prefix(session: Session, user: Principal) -> str | None:
    query = select(Gs1Key.key).where(Gs1Key.kind == "company_prefix").order_by(Gs1Key.key)
    if user.role == "enterprise" and user.uscc:
        query = query.where(Gs1Key.uscc == user.uscc)
    elif user.role == "inspector" and user.towns:
        in_towns = select(Gs1Key.uscc).where(
            Gs1Key.kind == "gln", Gs1Key.town_code.in_(sorted(user.towns))
        )
        query = query.where(Gs1Key.uscc.in_(in_towns))
    else:
        return None
    key = session.scalar(query.limit(1))
    return None if key is None else f"urn:epc:class:lgtin:{key}."


def examples(session: Session, user: Principal) -> list[tuple[str, str]]:
    """A few identifiers from the demo chain the user may trace, as (kind, identifier)."""
    prefix = None if sees_all(user) else _own_prefix(session, user)
    if prefix is None and not sees_all(user):
        return []
    out: list[tuple[str, str]] = []
    made = _first(session, "TransformationEvent", "output", prefix)
    if made:
        out.append(("product", made))
    raw = _first(session, "ObjectEvent", "epc", prefix)
    if raw and raw != made:
        out.append(("lot", raw))
    chosen = made or raw
    gtin = service.gtin_of(chosen) if chosen else None
    if chosen and gtin:
        out.append(("digital_link", f"https://id.gs1.org/01/{gtin}/10/{service.lot_code(chosen)}"))
        keys = repository.resolver(session)
        maker = keys.prefixes.get(chosen.split(":")[-1].split(".", 1)[0])
        if maker:
            out.append(("qcity_lot", f"urn:qcity:lot:{maker}:{service.lot_code(chosen)}"))
    return out


def spreadsheet(session: Session, traced: Traced, suffix: str) -> bytes:
    """The FSMA 204 KDE spreadsheet (``.xlsx`` or ``.csv``) of the visible part of a trace."""
    kde = _spreadsheet.kde_rows(session, traced.result.events, traced.rows)
    lots = _spreadsheet.lot_rows(session, traced.rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"scope{suffix}"
        _spreadsheet.write(path, kde, lots, title=f"trace {traced.identifier}")
        return path.read_bytes()


def depth_sorted(rows: Sequence[TraceLotOut]) -> list[TraceLotOut]:
    return sorted(rows, key=lambda r: (r.depth, r.id, r.holder or ""))
