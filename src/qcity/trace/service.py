"""Traces, recalls and mass balance over the in-memory trace graph. Never commits.

The graph (:mod:`qcity.tracegraph`) is built from the EPCIS tables once per process and
database, kept in memory, refreshed with the events newer than the last one it saw before every
trace, and saved as ``<data dir>/trace/<database>.npz`` so the next process starts warm. A
rebuilt database (the last event seen is gone or changed), or changed GS1 key mappings, force a
rebuild.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from qcity.db.engine import database_label
from qcity.epcis._identifiers import (
    QCITY_LOT_PREFIX,
    IdentifierError,
    gs1_check_digit,
    parse_qcity_lot,
    to_storage_identifier,
)
from qcity.errors import InputError, NotFound
from qcity.trace import repository
from qcity.trace.models import HOLDER_STATES, RecallCase, RecallHolder, RecallLot, RecallProgress
from qcity.trace.schemas import (
    BalanceOut,
    MassBalanceOut,
    ProgressOut,
    RecallCaseOut,
    RecallDetailOut,
    RecallHolderOut,
    RecallLotOut,
    TraceLotOut,
    TraceOut,
)
from qcity.tracegraph import TraceGraph, TraceResult

REBUILD_SAVE_ROWS = 10_000  # save the index after a build or refresh of at least this many rows


# --- the index ---------------------------------------------------------------------------------


@dataclass
class _Entry:
    graph: TraceGraph
    keys_fingerprint: str
    last_hash: str | None
    saved_rows: int


_INDEX: dict[str, _Entry] = {}
_LOCK = threading.Lock()


def _cache_path(cache_dir: Path, label: str) -> Path:
    name = hashlib.sha1(label.encode()).hexdigest()[:16]
    return cache_dir / "trace" / f"index-{name}.npz"


def trace_graph(session: Session, cache_dir: Path | None = None) -> TraceGraph:
    """The database's trace graph, loaded or built once, refreshed with newer events."""
    label = database_label(session.get_bind().engine.url)
    keys = repository.resolver(session)
    fingerprint = keys.fingerprint
    top, top_hash = repository.last_event(session)
    with _LOCK:
        entry = _INDEX.get(label)
        if entry is None and cache_dir is not None:
            entry = _load_cached(_cache_path(cache_dir, label), label)
        if entry is not None and not _still_valid(session, entry, fingerprint, top):
            entry = None
        if entry is None:
            entry = _Entry(TraceGraph(), fingerprint, None, 0)
        graph = entry.graph
        if graph.last_event < top:
            bulk = graph.last_event < 0
            for batch in repository.load_batches(session, graph.last_event, top, keys):
                graph.add(batch, merge=not bulk)
            if bulk:
                graph.compact()
            graph.last_event = top
            entry.last_hash = top_hash
        graph.holdings()  # every lot's current holders, worked out once per change
        _INDEX[label] = entry
        if cache_dir is not None and graph.row_count - entry.saved_rows >= REBUILD_SAVE_ROWS:
            graph.save(
                _cache_path(cache_dir, label),
                database=label,
                keys=entry.keys_fingerprint,
                last_hash=entry.last_hash or "",
            )
            entry.saved_rows = graph.row_count
    return graph


def _load_cached(path: Path, label: str) -> _Entry | None:
    if not path.exists():
        return None
    try:
        graph, meta = TraceGraph.load(path)
    except (OSError, ValueError, KeyError):
        return None
    if meta.get("database") != label:
        return None
    return _Entry(graph, meta.get("keys", ""), meta.get("last_hash") or None, graph.row_count)


def _still_valid(session: Session, entry: _Entry, fingerprint: str, top: int) -> bool:
    if entry.keys_fingerprint != fingerprint or entry.graph.last_event > top:
        return False
    if entry.graph.last_event < 0 or entry.last_hash is None:
        return entry.graph.last_event < 0
    return repository.event_hash(session, entry.graph.last_event) == entry.last_hash


def forget_index() -> None:
    """Drop every in-memory graph (tests; after restoring a database)."""
    with _LOCK:
        _INDEX.clear()


# --- identifiers -------------------------------------------------------------------------------


def resolve_identifier(session: Session, graph: TraceGraph, raw: str) -> list[str]:
    """The stored identifiers an EPC URN, Digital Link or qcity lot URN stands for."""
    value = raw.strip()
    if not value:
        raise InputError("the identifier is empty; give an EPC URN, Digital Link or qcity lot URN")
    if value.startswith(("http://", "https://")):
        keys = repository.resolver(session)
        value = to_storage_identifier(value, _gcp_length(value, keys))
    if graph.node_id(value) is not None:
        return [value]
    if value.startswith(QCITY_LOT_PREFIX):
        try:
            uscc, batch = parse_qcity_lot(value)
        except IdentifierError as exc:
            raise InputError(str(exc)) from None
        keys = repository.resolver(session)
        found: list[str] = []
        for cp in sorted(p for p, owner in keys.prefixes.items() if owner == uscc):
            found += repository.identifiers_like(session, f"urn:epc:class:lgtin:{cp}.", f".{batch}")
        found = [f for f in found if graph.node_id(f) is not None]
        if found:
            return found
    raise NotFound(
        f"no traceability events name {raw}; check the identifier (EPC URN, GS1 Digital Link or "
        "urn:qcity:lot:<USCC>:<batch>) or capture its events first"
    )


def _gcp_length(uri: str, keys: repository.Resolver) -> int | None:
    digits = "".join(ch for ch in uri.split("/", 4)[-1] if ch.isdigit())
    for cp in sorted(keys.prefixes, key=len, reverse=True):
        if digits[1:].startswith(cp) or digits.startswith(cp):
            return len(cp)
    return None


def gtin_of(identifier: str) -> str | None:
    """The GTIN-14 of an SGTIN, LGTIN or SGTIN pattern URN."""
    for scheme in ("urn:epc:id:sgtin:", "urn:epc:class:lgtin:", "urn:epc:idpat:sgtin:"):
        if identifier.startswith(scheme):
            parts = identifier[len(scheme) :].split(".")
            if len(parts) >= 2 and parts[1]:
                body = parts[1][0] + parts[0] + parts[1][1:]
                if len(body) == 13 and body.isdigit():
                    return body + gs1_check_digit(body)
    return None


def lot_code(identifier: str) -> str:
    """The traceability lot code an identifier carries (lot, serial or batch)."""
    if identifier.startswith(QCITY_LOT_PREFIX):
        return identifier.rsplit(":", 1)[-1]
    if identifier.startswith(("urn:epc:class:lgtin:", "urn:epc:id:sgtin:")):
        return identifier.rsplit(".", 1)[-1]
    return identifier.rsplit(":", 1)[-1]


# --- traces ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Describer:
    """Products, holder names and towns for identifiers and parties (batched lookups)."""

    products: dict[str, str]
    entities: dict[str, tuple[str, str]]
    keys: repository.Resolver

    @classmethod
    def load(cls, session: Session, identifiers: set[str], parties: set[str | None]) -> Describer:
        keys = repository.resolver(session)
        gtins = {g for g in map(gtin_of, identifiers) if g}
        usccs = {p for p in parties if p and len(p) == 18 and p.isalnum()}
        for party in parties:
            if party:
                uscc, _town = keys.lookup(party)
                if uscc:
                    usccs.add(uscc)
        for identifier in identifiers:
            if identifier.startswith(QCITY_LOT_PREFIX):
                usccs.add(identifier[len(QCITY_LOT_PREFIX) :].split(":", 1)[0])
        return cls(repository.products(session, gtins), repository.entities(session, usccs), keys)

    def product(self, identifier: str) -> str:
        gtin = gtin_of(identifier)
        if gtin:
            return self.products.get(gtin, f"GTIN {gtin}")
        if identifier.startswith("urn:epc:id:sscc:"):
            return "物流单元 (SSCC)"
        if identifier.startswith(QCITY_LOT_PREFIX):
            uscc = identifier[len(QCITY_LOT_PREFIX) :].split(":", 1)[0]
            name = self.entities.get(uscc, ("", ""))[0]
            return f"{name} 批次" if name else "批次"
        return ""

    def name(self, party: str | None) -> str:
        if not party:
            return ""
        uscc = party if party in self.entities else self.keys.lookup(party)[0]
        return self.entities.get(uscc or "", ("", ""))[0]

    def town(self, holder: str | None, location: str | None) -> str | None:
        if holder and holder in self.entities:
            return self.entities[holder][1]
        if location:
            uscc, town = self.keys.lookup(location)
            if town:
                return town
            if uscc and uscc in self.entities:
                return self.entities[uscc][1]
        if holder:
            uscc, town = self.keys.lookup(holder)
            if town:
                return town
            if uscc and uscc in self.entities:
                return self.entities[uscc][1]
        return None


def trace_rows(session: Session, result: TraceResult) -> list[TraceLotOut]:
    """One row per (lot, holder position), described with product, holder and town."""
    identifiers = {lot.identifier for lot in result.lots}
    parties: set[str | None] = set()
    for lot in result.lots:
        for p in lot.positions:
            parties.update((p.holder, p.location))
    describe = Describer.load(session, identifiers, parties)
    rows: list[TraceLotOut] = []
    for lot in result.lots:
        product = describe.product(lot.identifier)
        positions = lot.positions or ()
        if not positions:
            rows.append(
                TraceLotOut(id=lot.identifier, product=product, quantity=0.0, uom=None,
                            holder=None, location=None, town=None, depth=lot.depth)
            )  # fmt: skip
        for p in positions:
            rows.append(
                TraceLotOut(
                    id=lot.identifier, product=product, quantity=round(p.quantity, 6), uom=p.uom,
                    holder=p.holder, location=p.location,
                    town=describe.town(p.holder, p.location), depth=lot.depth,
                )
            )  # fmt: skip
    return rows


def trace(
    session: Session,
    identifier: str,
    direction: str,
    *,
    at: dt.datetime | None = None,
    max_depth: int | None = None,
    cache_dir: Path | None = None,
) -> tuple[TraceOut, TraceResult]:
    """A forward, backward or siblings trace from ``identifier``, as the CLI/API contract."""
    graph = trace_graph(session, cache_dir)
    roots = resolve_identifier(session, graph, identifier)
    moment = None if at is None else _micros(at)
    if direction == "forward":
        result = graph.forward(roots, at=moment, max_depth=max_depth)
    elif direction == "backward":
        result = graph.backward(roots, at=moment, max_depth=max_depth)
    elif direction == "siblings":
        result = graph.siblings(roots, max_depth=max_depth)
    else:
        raise InputError(f"trace direction {direction!r}: use forward, backward or siblings")
    ids = repository.event_ids(session, result.events)
    out = TraceOut(
        root=identifier,
        lots=trace_rows(session, result),
        events=[ids[pk] for pk in result.events if pk in ids],
    )
    return out, result


def _micros(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    delta = moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


# --- recall ------------------------------------------------------------------------------------

Capture = Callable[[Session, list[dict[str, Any]]], int]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def recalled_events(
    rows: list[TraceLotOut], case_id: int, when: dt.datetime
) -> list[dict[str, Any]]:
    """One EPCIS 2.0 ObjectEvent per holder with disposition ``recalled`` for its lots."""
    by_holder: dict[str | None, list[TraceLotOut]] = defaultdict(list)
    for row in rows:
        by_holder[row.holder].append(row)
    events = []
    stamp = when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    for holder, lots in sorted(by_holder.items(), key=lambda item: item[0] or ""):
        instances = sorted({r.id for r in lots if not _is_class(r.id)})
        classes: dict[str, tuple[float, str | None]] = {}
        for r in lots:
            if _is_class(r.id):
                q, _u = classes.get(r.id, (0.0, r.uom))
                classes[r.id] = (q + r.quantity, r.uom)
        event: dict[str, Any] = {
            "type": "ObjectEvent",
            "eventTime": stamp,
            "eventTimeZoneOffset": "+00:00",
            "action": "OBSERVE",
            "bizStep": "holding",
            "disposition": "recalled",
            "epcList": instances,
        }
        quantities = []
        for ident, (q, u) in sorted(classes.items()):
            element: dict[str, Any] = {"epcClass": ident, "quantity": q}
            if u:
                element["uom"] = u
            quantities.append(element)
        if quantities:
            event["quantityList"] = quantities
        location = next((r.location for r in lots if r.location), None)
        if location:
            event["bizLocation"] = {"id": location}
        event["bizTransactionList"] = [
            {"type": "urn:qcity:btt:recall", "bizTransaction": f"urn:qcity:recall:{case_id}"}
        ]
        if holder is not None and holder.startswith("urn:"):
            event["destinationList"] = [{"type": "possessing_party", "destination": holder}]
        if instances or quantities:
            events.append(event)
    return events


def _is_class(identifier: str) -> bool:
    return identifier.startswith(("urn:epc:class:", "urn:epc:idpat:", QCITY_LOT_PREFIX))


def start_recall(
    session: Session,
    identifier: str,
    *,
    reason: str,
    started_by: str,
    hazard: str = "",
    siblings: bool = False,
    capture: Capture | None = None,
    cache_dir: Path | None = None,
    now: dt.datetime | None = None,
) -> RecallCase:
    """Open a recall: snapshot the scope, notify every holder, record ``recalled`` events."""
    if not reason.strip():
        raise InputError("a recall needs a reason (--reason)")
    if not started_by.strip():
        raise InputError("a recall needs the name of who starts it (--by)")
    when = now or _now()
    out, _result = trace(
        session, identifier, "siblings" if siblings else "forward", cache_dir=cache_dir
    )
    case = RecallCase(
        root=identifier, scope="siblings" if siblings else "forward", reason=reason.strip(),
        hazard=hazard.strip(), started_by=started_by.strip(), started_at=when, status="open",
        lots=len({r.id for r in out.lots}), holders=0, recalled_events=0,
    )  # fmt: skip
    repository.add(session, case)
    lots = [
        RecallLot(
            case_id=case.id, identifier=r.id, product=r.product[:128], depth=r.depth,
            holder=r.holder, location=r.location, town_code=r.town, quantity=r.quantity, uom=r.uom,
        )
        for r in out.lots
    ]  # fmt: skip
    describe = Describer.load(session, set(), {r.holder for r in out.lots})
    holders: dict[str, RecallHolder] = {}
    for r in out.lots:
        if r.holder is None:
            continue
        h = holders.get(r.holder)
        if h is None:
            h = RecallHolder(
                case_id=case.id, holder=r.holder, name=describe.name(r.holder)[:128],
                town_code=r.town, lots=0, quantity=0.0, uom=r.uom, state="notified",
                quantity_removed=0.0, quantity_destroyed=0.0, notified_at=when,
            )  # fmt: skip
            holders[r.holder] = h
        h.lots += 1
        h.quantity += r.quantity
        if h.uom != r.uom:
            h.uom = None  # mixed units: the per-lot rows keep them
    repository.add(session, *lots, *holders.values())
    case.holders = len(holders)
    if capture is not None:
        case.recalled_events = capture(session, recalled_events(out.lots, case.id, when))
    session.flush()
    return case


def case_or_404(session: Session, case_id: int) -> RecallCase:
    case = repository.case(session, case_id)
    if case is None:
        raise NotFound(f"no recall case {case_id}; `qcity recall list` shows them")
    return case


def recall_detail(session: Session, case_id: int) -> RecallDetailOut:
    case = case_or_404(session, case_id)
    holders = [
        RecallHolderOut.model_validate(h).model_copy(
            update={
                "progress": [
                    ProgressOut.model_validate(p) for p in repository.holder_progress(session, h.id)
                ]
            }
        )
        for h in repository.case_holders(session, case_id)
    ]
    states = {s: sum(1 for h in holders if h.state == s) for s in HOLDER_STATES}
    base = RecallCaseOut.model_validate(case).model_dump()
    return RecallDetailOut(
        **base,
        holder_states=states,
        scope_lots=[RecallLotOut.model_validate(r) for r in repository.case_lots(session, case_id)],
        holder_list=holders,
    )


def _find_holder(session: Session, case_id: int, key: str) -> RecallHolder:
    holders = repository.case_holders(session, case_id)
    for h in holders:
        if h.holder == key or str(h.id) == key:
            return h
    raise NotFound(
        f"recall case {case_id} has no holder {key}; use the holder's credit code, party URI or "
        "row id from `qcity recall status`"
    )


def report_progress(
    session: Session,
    case_id: int,
    holder_key: str,
    *,
    state: str,
    reported_by: str,
    quantity: float | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> RecallHolder:
    """Move a holder forward: notified → acknowledged → removed → destroyed (never back)."""
    case = case_or_404(session, case_id)
    if case.status != "open":
        raise InputError(f"recall case {case_id} is closed; progress can no longer change")
    if state not in HOLDER_STATES:
        raise InputError(f"state {state!r}: use one of {', '.join(HOLDER_STATES)}")
    if not reported_by.strip():
        raise InputError("say who reports the progress (--by)")
    if quantity is not None and quantity < 0:
        raise InputError(f"quantity {quantity:g} is negative")
    holder = _find_holder(session, case_id, holder_key)
    current, target = HOLDER_STATES.index(holder.state), HOLDER_STATES.index(state)
    if target < current:
        raise InputError(
            f"holder {holder.holder} is already {holder.state}; a recall never moves back "
            f"to {state}"
        )
    if state in ("removed", "destroyed") and quantity is None:
        raise InputError(f"say how much was {state} (--quantity)")
    when = at or _now()
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    if target >= 1 and holder.acknowledged_at is None:
        holder.acknowledged_at = when
    if state == "removed":
        holder.removed_at = when
        holder.quantity_removed = float(quantity or 0.0)
    if state == "destroyed":
        holder.removed_at = holder.removed_at or when
        holder.destroyed_at = when
        holder.quantity_destroyed = float(quantity or 0.0)
        holder.quantity_removed = max(holder.quantity_removed, holder.quantity_destroyed)
    holder.state = state
    repository.add(
        session,
        RecallProgress(
            holder_id=holder.id, state=state, quantity=quantity, reported_by=reported_by.strip(),
            reported_at=when, note=note,
        ),
    )  # fmt: skip
    holders = repository.case_holders(session, case_id)
    if holders and all(h.state in ("removed", "destroyed") for h in holders):
        case.status = "closed"
        case.closed_at = when
    session.flush()
    return holder


# --- mass balance ------------------------------------------------------------------------------


def mass_balance(
    session: Session,
    *,
    absolute: float = 0.0,
    relative: float = 0.02,
    flagged_only: bool = True,
    limit: int = 1000,
    cache_dir: Path | None = None,
) -> MassBalanceOut:
    """Per (lot, holder) mass balance, flagged beyond both tolerances."""
    if absolute < 0 or relative < 0:
        raise InputError("tolerances must not be negative")
    graph = trace_graph(session, cache_dir)
    balance = graph.mass_balance(absolute=absolute, relative=relative)
    rows = balance.rows(flagged_only=flagged_only)[:limit]
    describe = Describer.load(session, {r.lot for r in rows}, {r.holder for r in rows})
    items = [
        BalanceOut(
            lot=r.lot, product=describe.product(r.lot), holder=r.holder,
            holder_name=describe.name(r.holder), town=describe.town(r.holder, None),
            produced=r.produced, received=r.received, shipped=r.shipped, consumed=r.consumed,
            on_hand=r.on_hand, expected=r.expected, discrepancy=r.discrepancy, flagged=r.flagged,
        )
        for r in rows
    ]  # fmt: skip
    counted = int((~np.isnan(balance.on_hand)).sum())
    return MassBalanceOut(
        absolute_tolerance=absolute, relative_tolerance=relative, checked=len(balance),
        counted=counted, flagged=int(balance.flagged.sum()), items=items,
    )  # fmt: skip


def capture_with_epcis(session: Session, events: list[dict[str, Any]]) -> int:
    """Record events through the EPCIS capture service (validated, hashed, bulk-stored)."""
    if not events:
        return 0
    from qcity.epcis import service as epcis

    document = {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": events[0]["eventTime"],
        "epcisBody": {"eventList": events},
    }
    data = json.dumps(document, ensure_ascii=False).encode()
    outcome = epcis.capture(session, data, "application/ld+json", source="qcity recall")
    return int(outcome.job.events_captured)
