"""EPCIS capture and query: parse, validate, hash, store in bulk; read back. Never commits."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy.orm import Session

from qcity.epcis import _cbv, _parallel, repository
from qcity.epcis._document import EpcisInputError, ParsedDocument, ParsedEvent, Problem
from qcity.epcis._hash import STANDARD_KEYS, event_hash, parse_time
from qcity.epcis._identifiers import company_prefixes_in, to_storage_identifier
from qcity.epcis._json import parse_json
from qcity.epcis._validate import document_problems, event_findings
from qcity.epcis._xml import parse_xml
from qcity.epcis.models import CaptureJob, EpcisEvent
from qcity.errors import InputError, NotFound

ErrorBehaviour = Literal["rollback", "proceed"]
_ROLES = (
    ("epcList", "epc", False),
    ("quantityList", "epc", True),
    ("childEPCs", "child", False),
    ("childQuantityList", "child", True),
    ("inputEPCList", "input", False),
    ("inputQuantityList", "input", True),
    ("outputEPCList", "output", False),
    ("outputQuantityList", "output", True),
)


def parse(data: bytes, content_type: str | None = None) -> ParsedDocument:
    """Parse JSON/JSON-LD or XML (chosen by content type, else by the first character)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a UTF-8 byte-order mark
    kind = (content_type or "").lower()
    if "xml" in kind:
        return parse_xml(data)
    if "json" in kind:
        return parse_json(data)
    head = data.lstrip()[:1]
    if head == b"<":
        return parse_xml(data)
    if head in (b"{", b"["):
        return parse_json(data)
    raise EpcisInputError([Problem("", "neither JSON nor XML (expected '{' or '<' first)")])


def error_behaviour(value: str | None) -> ErrorBehaviour:
    """The ``GS1-Capture-Error-Behaviour`` header: rollback (default) or proceed."""
    chosen = (value or "rollback").strip().lower()
    if chosen == "rollback":
        return "rollback"
    if chosen == "proceed":
        return "proceed"
    raise InputError(f"GS1-Capture-Error-Behaviour {value!r} must be rollback or proceed")


_COLUMN_KEYS = (
    "event_type", "action", "event_time", "event_time_zone_offset", "record_time", "biz_step",
    "disposition", "read_point", "biz_location", "parent_id", "transformation_id",
    "has_error_declaration",
)  # fmt: skip


@dataclass(slots=True)
class PreparedEvent:
    """An event ready to store: its columns, child rows and canonical document.

    Between processes it travels compactly (:meth:`__reduce__`): the columns as a tuple and the
    document as its canonical JSON text; :meth:`canonical_document` gives that text either way.
    """

    index: int
    event_id: str
    event_hash: str
    columns: dict[str, Any]
    objects: list[tuple[str, str, bool, float | None, str | None]]
    parties: list[tuple[str, str, str]]
    transactions: list[tuple[str | None, str]]
    document: dict[str, Any]
    document_json: str = ""

    def canonical_document(self) -> str:
        """The canonical JSON text of the document (sorted keys, no blanks)."""
        if not self.document_json:
            self.document_json = _canonical_json(self.document)
        return self.document_json

    def stored_document(self) -> dict[str, Any]:
        """The document as a dict (parsed from the JSON text after a trip between processes)."""
        if not self.document and self.document_json:
            self.document = json.loads(self.document_json)
        return self.document

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        values = tuple(self.columns[k] for k in _COLUMN_KEYS)
        state = (self.index, self.event_id, self.event_hash, values, self.objects, self.parties,
                 self.transactions, self.canonical_document())  # fmt: skip
        return (_unpack_prepared, state)


def _unpack_prepared(
    index: int,
    event_id: str,
    event_hash: str,
    values: tuple[Any, ...],
    objects: list[tuple[str, str, bool, float | None, str | None]],
    parties: list[tuple[str, str, str]],
    transactions: list[tuple[str | None, str]],
    document_json: str,
) -> PreparedEvent:
    columns = dict(zip(_COLUMN_KEYS, values, strict=True))
    return PreparedEvent(
        index, event_id, event_hash, columns, objects, parties, transactions, {}, document_json
    )


@lru_cache(maxsize=64)
def _iso_z(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _canonical_json(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _used_namespaces(data: dict[str, Any], namespaces: dict[str, str]) -> dict[str, str]:
    used: dict[str, str] = {}

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                prefix, sep, _ = key.partition(":")
                if sep and prefix in namespaces and prefix not in _cbv.CONTEXT_PREFIXES:
                    used[prefix] = namespaces[prefix]
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk({k: v for k, v in data.items() if k not in STANDARD_KEYS or k in ("ilmd",
          "readPoint", "bizLocation", "sensorElementList", "errorDeclaration")})  # fmt: skip
    return used


def prepare(
    event: ParsedEvent,
    record_time: dt.datetime,
    gcp_length: int | None = None,
    known_prefixes: frozenset[str] = frozenset(),
) -> PreparedEvent:
    """Columns, child rows, hash and canonical document of a validated event.

    Digital Links are stored as EPC URNs; the company-prefix length comes from ``gcp_length``,
    else from ``known_prefixes`` (prefixes the document spells out in URNs), else the table.
    """
    data = event.data
    hash_id = event_hash(data, event.namespaces)
    event_id = str(data.get("eventID") or hash_id).strip()

    def ident(value: Any) -> str:
        return to_storage_identifier(str(value).strip(), gcp_length, known_prefixes)

    document = {k: v for k, v in data.items() if k not in ("@context", "isA")}
    document["eventID"] = event_id
    document["recordTime"] = _iso_z(record_time)
    used = _used_namespaces(data, event.namespaces) if event.namespaces else {}
    if used:
        document["@context"] = [used]
    event_time = parse_time(str(data["eventTime"]))
    columns = {
        "event_type": data["type"],
        "action": data.get("action"),
        "event_time": event_time,
        "event_time_zone_offset": data["eventTimeZoneOffset"],
        "record_time": record_time,
        "biz_step": _cbv.short_name(_cbv.BIZ_STEP, data["bizStep"])
        if data.get("bizStep")
        else None,
        "disposition": (
            _cbv.short_name(_cbv.DISPOSITION, data["disposition"])
            if data.get("disposition")
            else None
        ),
        "read_point": ident(data["readPoint"]["id"]) if data.get("readPoint") else None,
        "biz_location": ident(data["bizLocation"]["id"]) if data.get("bizLocation") else None,
        "parent_id": ident(data["parentID"]) if data.get("parentID") else None,
        "transformation_id": data.get("transformationID"),
        "has_error_declaration": "errorDeclaration" in data,
    }
    objects: list[tuple[str, str, bool, float | None, str | None]] = []
    if data.get("parentID"):
        objects.append(("parent", ident(data["parentID"]), False, None, None))
    for key, role, is_class in _ROLES:
        for item in data.get(key) or []:
            if is_class:
                quantity = item.get("quantity")
                objects.append(
                    (role, ident(item["epcClass"]), True,
                     float(quantity) if quantity is not None else None, item.get("uom"))
                )  # fmt: skip
            else:
                objects.append((role, ident(item), False, None, None))
    parties: list[tuple[str, str, str]] = []
    for key, kind, item in (("sourceList", "source", "source"),
                            ("destinationList", "destination", "destination")):  # fmt: skip
        for entry in data.get(key) or []:
            party_type = _cbv.short_name(_cbv.SOURCE_DEST_TYPE, entry["type"])
            parties.append((kind, party_type, ident(entry[item])))
    transactions: list[tuple[str | None, str]] = []
    for entry in data.get("bizTransactionList") or []:
        kind_ = entry.get("type")
        btt = _cbv.short_name(_cbv.BIZ_TRANSACTION_TYPE, kind_) if kind_ else None
        transactions.append((btt, ident(entry["bizTransaction"])))
    return PreparedEvent(
        event.index, event_id, hash_id, columns, objects, parties, transactions, document
    )


@dataclass(frozen=True, slots=True)
class CaptureOutcome:
    job: CaptureJob
    event_ids: list[str]  # eventIDs of the captured (or already stored) events, input order
    warnings: list[Problem] = field(default_factory=list)  # accepted events' warnings, in order


def capture(
    session: Session,
    data: bytes,
    content_type: str | None = None,
    *,
    behaviour: ErrorBehaviour = "rollback",
    source: str = "",
    single_event: bool = False,
    gcp_length: int | None = None,
    now: dt.datetime | None = None,
    workers: int | None = None,
) -> CaptureOutcome:
    """Capture a document (or one event): validate, hash, store once per event hash.

    Malformed input and document-level problems raise :class:`EpcisInputError` (nothing stored).
    Invalid events raise it too under ``rollback``; under ``proceed`` the valid events are stored
    and the job lists the others. Capturing an event already stored (same hash) stores nothing new;
    an event with an errorDeclaration whose hash is stored marks the stored event as declared
    erroneous (CBV §8.9: the declaration does not change the hash). Warnings about the events
    that are not rejected (draft measurement types, a sensorReport without ``type``: see
    :mod:`qcity.epcis._validate`) go to the job and the outcome.
    ``workers``: processes that check and hash the events (default 1, sequential; more only in a
    single-threaded process, see :mod:`qcity.epcis._parallel`).
    """
    record_time = now or dt.datetime.now(dt.UTC)
    document = parse(data, content_type)
    if single_event and document.kind != "event":
        raise EpcisInputError(
            [Problem("", "POST /events takes one event; send documents to /capture")]
        )
    envelope = document_problems(document)
    if envelope:
        raise EpcisInputError(envelope, source)
    known = company_prefixes_in(data)
    checked = check_and_prepare(document, record_time, gcp_length, known, workers)
    per_event = {c.index: c.problems for c in checked if c.problems}
    if document.kind == "event":
        document_problems(document, per_event)  # the bare event's own schema check
    problems = [p for i in sorted(per_event) for p in per_event[i]]
    if problems and (behaviour == "rollback" or single_event):
        raise EpcisInputError(problems, source)
    warnings = _accepted_warnings(checked, per_event)
    job = repository.add_job(
        session,
        CaptureJob(
            status="running",
            created_at=record_time,
            error_behaviour=behaviour,
            source=source[:256],
            events_submitted=len(document.events),
            errors=[p.to_dict() for p in problems],
            warnings=[w.to_dict() for w in warnings],
        ),
    )
    prepared = [c.ready for c in checked if c.ready is not None and c.index not in per_event]
    captured, duplicates, event_ids, conflicts = _store(session, prepared, job.id)
    problems.extend(conflicts)
    if conflicts and behaviour == "rollback":
        raise EpcisInputError(conflicts, source)
    job.events_captured = captured
    job.events_duplicate = duplicates
    job.errors = [p.to_dict() for p in problems]
    job.finished_at = dt.datetime.now(dt.UTC)
    job.status = "success" if not problems else ("partial" if captured or duplicates else "failed")
    session.flush()
    return CaptureOutcome(job, event_ids, warnings)


def _accepted_warnings(
    checked: list[CheckedEvent], per_event: dict[int, list[Problem]]
) -> list[Problem]:
    """The checks' warnings about the events that are not rejected."""
    found = [w for c in checked for w in c.warnings]
    return [w for w in found if w.event_index is None or w.event_index not in per_event]


@dataclass(frozen=True, slots=True)
class CheckedEvent:
    """One event after the checks: its problems, warnings and (when valid) its prepared rows."""

    index: int
    problems: list[Problem]
    warnings: list[Problem]
    ready: PreparedEvent | None


def check_and_prepare(
    document: ParsedDocument,
    record_time: dt.datetime,
    gcp_length: int | None = None,
    known_prefixes: frozenset[str] = frozenset(),
    workers: int | None = None,
) -> list[CheckedEvent]:
    """Each event's problems and warnings and, when it has no problem, its prepared rows (in
    document order).

    Big documents are split over worker processes (:mod:`qcity.epcis._parallel`).
    """
    events = document.events

    def work(start: int, stop: int) -> list[CheckedEvent]:
        out: list[CheckedEvent] = []
        for event in events[start:stop]:
            found, warnings = event_findings(document, event)
            ready = None
            if not found:
                try:
                    ready = prepare(event, record_time, gcp_length, known_prefixes)
                except (KeyError, ValueError, TypeError) as exc:  # pragma: no cover - validated
                    found = [Problem(event.where, f"cannot store: {exc}", event.index)]
            out.append(CheckedEvent(event.index, found, warnings, ready))
        return out

    count = _parallel.workers_for(len(events), workers)
    return _parallel.map_slices(work, len(events), count)


def _store(
    session: Session, prepared: list[PreparedEvent], job_id: int
) -> tuple[int, int, list[str], list[Problem]]:
    fresh: dict[str, PreparedEvent] = {}
    declarations: list[PreparedEvent] = []
    for event in prepared:
        if event.event_hash in fresh:
            if event.columns["has_error_declaration"]:
                declarations.append(event)
            continue
        fresh[event.event_hash] = event
    stored = repository.existing_hashes(session, list(fresh))
    duplicates = 0
    for event_hash_ in list(fresh):
        if event_hash_ in stored:
            event = fresh.pop(event_hash_)
            duplicates += 1
            if event.columns["has_error_declaration"]:
                declarations.append(event)
    conflicts: list[Problem] = []
    taken = repository.existing_event_ids(session, [e.event_id for e in fresh.values()])
    seen_ids: set[str] = set()
    for event_hash_, event in list(fresh.items()):
        if event.event_id in taken or event.event_id in seen_ids:
            conflicts.append(
                Problem(
                    f"event {event.index}",
                    f"eventID {event.event_id} is already used by an event with other content",
                    event.index,
                )
            )
            del fresh[event_hash_]
        seen_ids.add(event.event_id)
    ids = repository.reserve_event_ids(session, len(fresh))
    event_rows: list[tuple[Any, ...]] = []
    object_rows: list[tuple[Any, ...]] = []
    party_rows: list[tuple[Any, ...]] = []
    transaction_rows: list[tuple[Any, ...]] = []
    record_time = (
        repository.db_time(session, prepared[0].columns["record_time"]) if prepared else None
    )
    for pk, event in zip(ids, fresh.values(), strict=True):
        c = event.columns
        event_rows.append(
            (
                pk, event.event_id, event.event_hash, c["event_type"], c["action"],
                repository.db_time(session, c["event_time"]), c["event_time_zone_offset"],
                record_time, c["biz_step"], c["disposition"],
                c["read_point"], c["biz_location"], c["parent_id"], c["transformation_id"],
                c["has_error_declaration"], event.canonical_document(), job_id,
            )
        )  # fmt: skip
        object_rows.extend((pk, *row) for row in event.objects)
        party_rows.extend((pk, *row) for row in event.parties)
        transaction_rows.extend((pk, *row) for row in event.transactions)
    repository.insert_rows(session, event_rows, object_rows, party_rows, transaction_rows)
    if declarations:
        stored = repository.existing_hashes(session, [e.event_hash for e in declarations])
        for event in declarations:
            pk, _declared = stored[event.event_hash]
            stored_event = session.get(EpcisEvent, pk)
            assert stored_event is not None
            document = json.loads(stored_event.document)
            document["errorDeclaration"] = event.stored_document()["errorDeclaration"]
            repository.record_error_declaration(session, pk, _canonical_json(document))
    captured_ids = [e.event_id for e in prepared]
    return len(fresh), duplicates, captured_ids, conflicts


def get_job(session: Session, job_id: int) -> CaptureJob:
    job = repository.get_job(session, job_id)
    if job is None:
        raise NotFound(f"capture job {job_id} does not exist")
    return job


def job_resource(job: CaptureJob) -> dict[str, Any]:
    """The REST binding's CaptureJob representation."""

    def iso(value: dt.datetime | None) -> str | None:
        if value is None:
            return None
        return repository.as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    return {
        "captureID": str(job.id),
        "createdAt": iso(job.created_at),
        "finishedAt": iso(job.finished_at),
        "running": job.status == "running",
        "success": job.status == "success",
        "captureErrorBehaviour": job.error_behaviour,
        "errors": job.errors,
        "warnings": job.warnings,
        "eventsSubmitted": job.events_submitted,
        "eventsCaptured": job.events_captured,
        "eventsAlreadyStored": job.events_duplicate,
    }


def get_event(session: Session, event_id: str) -> EpcisEvent:
    event = repository.event_by_id(session, event_id)
    if event is None:
        raise NotFound(f"no event with eventID {event_id}")
    return event


def event_document(event: EpcisEvent) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(event.document)
    return loaded
