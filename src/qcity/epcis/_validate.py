"""Validation: the official JSON Schema (Draft-07, format checks) and what a schema cannot check.

The schema validator is compiled once. Simple events (only the common fields, plain values) take a
fast path: the semantic checks below cover every schema constraint on those fields, so the slow
``anyOf``-heavy schema walk is skipped for them; every other event is checked by the schema too.

Semantic checks (on the EPCIS JSON form, so XML gets them too): event types; ``action`` present and
ADD/OBSERVE/DELETE where required; parentID for AggregationEvent ADD/DELETE and AssociationEvent;
children for AggregationEvent ADD; inputs or outputs for TransformationEvent; bizTransactionList for
TransactionEvent; eventTime and declarationTime as date-times with a zone, eventTimeZoneOffset as
±hh:mm within ±14:00 and equal to eventTime's own offset when that is not UTC; CBV terms
(bizStep, disposition, persistentDisposition, source/destination and bizTransaction types, error
reasons) in any of their three spellings, anything else an absolute URI; identifier syntax and
GS1 check digits (EPC URNs, Digital Links, qcity lot URNs); extension fields (event level, ILMD,
readPoint, bizLocation, sensor elements) named with a declared namespace prefix or an absolute IRI;
sensor measurement types in the GS1 namespace (bare JSON term, ``gs1:`` CURIE, ``https://gs1.org/voc/``
URI) must be well-formed GS1 term names (:data:`GS1_TERM`), in XML as in JSON.

Warnings (accepted, but the user must see them): a GS1 measurement type that is well-formed but
not a term of ``gs1:MeasurementType`` (the JSON Schema's ``measurementType`` enumeration, CBV 2.0),
such as the draft names ``Molar_concentration`` and ``EffectiveDoseRate`` that GS1's own XML
examples still use; and a sensorReport without ``type`` (optional in the XSD and in the SHACL
shapes, required by the JSON Schema). The JSON Schema is applied to a view of the event in which
only these tolerated values are replaced by a listed term (:func:`schema_view`), so it still
checks everything else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match

from qcity.epcis import _cbv
from qcity.epcis._document import EVENT_TYPES, ParsedDocument, ParsedEvent, Problem
from qcity.epcis._hash import STANDARD_KEYS, parse_time
from qcity.epcis._identifiers import IdentifierError, check_identifier

_SCHEMA = Path(__file__).parent / "data" / "EPCIS-JSON-Schema.json"
_OFFSET = re.compile(r"^[+-]((0\d|1[0-3]):[0-5]\d|14:00)$")
_DATE_TIME = re.compile(
    r"^\d{4}-(1[0-2]|0[1-9])-(3[01]|0[1-9]|[12]\d)T(2[0-3]|[01]\d):[0-5]\d:[0-5]\d(\.\d+)?"
    r"(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))$"
)
_UOM = re.compile(r"^[A-Z0-9]{2,3}$")
_ACTIONS = ("ADD", "OBSERVE", "DELETE")
_SIMPLE_KEYS = frozenset(
    (
        "type", "@context", "eventTime", "eventTimeZoneOffset", "recordTime", "eventID", "action",
        "epcList", "quantityList", "parentID", "childEPCs", "childQuantityList", "inputEPCList",
        "inputQuantityList", "outputEPCList", "outputQuantityList", "transformationID",
        "bizStep", "disposition", "readPoint", "bizLocation", "bizTransactionList", "sourceList",
        "destinationList",
    )
)  # fmt: skip
_EPC_LISTS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
_QTY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")
_ALLOWED = {
    "ObjectEvent": {"action", "epcList", "quantityList", "bizStep", "disposition",
                    "persistentDisposition", "readPoint", "bizLocation", "bizTransactionList",
                    "sourceList", "destinationList", "sensorElementList", "ilmd"},
    "AggregationEvent": {"action", "parentID", "childEPCs", "childQuantityList", "bizStep",
                         "disposition", "persistentDisposition", "readPoint", "bizLocation",
                         "bizTransactionList", "sourceList", "destinationList",
                         "sensorElementList"},
    "TransactionEvent": {"action", "parentID", "epcList", "quantityList", "bizStep",
                         "disposition", "persistentDisposition", "readPoint", "bizLocation",
                         "bizTransactionList", "sourceList", "destinationList",
                         "sensorElementList"},
    "TransformationEvent": {"inputEPCList", "inputQuantityList", "outputEPCList",
                            "outputQuantityList", "transformationID", "bizStep", "disposition",
                            "persistentDisposition", "readPoint", "bizLocation",
                            "bizTransactionList", "sourceList", "destinationList",
                            "sensorElementList", "ilmd"},
    "AssociationEvent": {"action", "parentID", "childEPCs", "childQuantityList", "bizStep",
                         "disposition", "persistentDisposition", "readPoint", "bizLocation",
                         "bizTransactionList", "sourceList", "destinationList",
                         "sensorElementList"},
}  # fmt: skip
_GS1_VOC = re.compile(r"^(?:gs1:|https?://(?:www\.)?gs1\.org/voc/)(.*)$")
GS1_TERM = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")  # how every GS1 Web Vocabulary term is spelled
# Draft names GS1's ratified JSON examples replaced (JSON/WithSensorData/SensorDataExample8, 11).
_SUCCESSORS = {
    "Molar_concentration": "AmountOfSubstancePerUnitVolume",
    "EffectiveDoseRate": "DoseEquivalentRate",
}
_PLACEHOLDER = "Temperature"  # a listed term: stands in for a tolerated one in schema_view
_COMMON = {"type", "id", "@context", "eventTime", "recordTime", "eventTimeZoneOffset", "eventID",
           "certificationInfo", "errorDeclaration"}  # fmt: skip
_FIELDS = {event_type: frozenset(fields | _COMMON) for event_type, fields in _ALLOWED.items()}


@lru_cache(maxsize=1)
def _raw_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(_SCHEMA.read_text(encoding="utf-8"))
    return loaded


@lru_cache(maxsize=1)
def measurement_types() -> frozenset[str]:
    """The GS1 Web Vocabulary measurement types the official JSON Schema enumerates."""
    any_of = _raw_schema()["definitions"]["measurementType"]["anyOf"]
    return frozenset(term for branch in any_of for term in branch.get("enum", ()))


def gs1_measurement_term(value: str) -> str | None:
    """The GS1 term a sensorReport ``type`` names, or None when it is another vocabulary's URI."""
    text = value.strip()
    match = _GS1_VOC.match(text)
    if match:
        return match.group(1)
    return None if ":" in text else text


@lru_cache(maxsize=1)
def _format_checker() -> FormatChecker:
    """Draft-07's format checks, with ``uri`` read as JSON-LD reads an IRI position.

    An absolute URI (RFC 3986), a blank node (``_:b0``) or a term of the EPCIS JSON-LD context
    (``persistentDisposition``, ``completeness_verified``: they expand to IRIs). The official
    schema applies ``format: uri`` to property names and vocabulary values that the context
    defines; a strict RFC 3986 reading would reject the standard's own examples.
    """
    checker = FormatChecker()
    base = Draft7Validator.FORMAT_CHECKER
    for name, (func, raises) in base.checkers.items():
        if name != "uri":
            checker.checks(name, raises)(func)
    strict_uri, raises = base.checkers["uri"]
    terms = context_terms()

    @checker.checks("uri", raises)
    def _uri(instance: object) -> bool:
        if not isinstance(instance, str):
            return True
        if instance.startswith("_:") or instance in terms:
            return True
        return bool(strict_uri(instance))

    return checker


@lru_cache(maxsize=1)
def context_terms() -> frozenset[str]:
    """Every term the EPCIS 2.0 JSON-LD context defines (packaged copy)."""
    path = _SCHEMA.parent / "epcis-context.jsonld"
    context = json.loads(path.read_text(encoding="utf-8"))["@context"]
    return frozenset(k for k in context if not k.startswith("@"))


@lru_cache(maxsize=1)
def document_validator() -> Draft7Validator:
    """The whole-document validator (EPCISDocument with an empty event list, or a bare event)."""
    return Draft7Validator(_raw_schema(), format_checker=_format_checker())


@lru_cache(maxsize=8)
def event_validator(event_type: str) -> Draft7Validator:
    """A validator for one event inside a document (no @context required)."""
    root = _raw_schema()
    schema = {
        "$schema": root["$schema"],
        "$id": root["$id"],
        "definitions": root["definitions"],
        "allOf": [{"$ref": f"#/definitions/{event_type}"}],
    }
    return Draft7Validator(schema, format_checker=_format_checker())


def _pointer(base: str, error: ValidationError) -> str:
    path = "".join(f"/{p}" for p in error.absolute_path)
    return base + path


def _schema_problem(
    base: str, errors: Iterator[ValidationError], index: int | None
) -> Problem | None:
    error = best_match(errors)
    if error is None:
        return None
    message = error.message
    if len(message) > 300:
        message = message[:300] + "…"
    return Problem(_pointer(base, error) or "/", f"schema: {message}", index)


@dataclass(frozen=True, slots=True)
class Findings:
    """What validation found: document problems, each event's problems, and the warnings."""

    document_problems: list[Problem]
    per_event: dict[int, list[Problem]]
    warnings: list[Problem]


def validate(document: ParsedDocument) -> tuple[list[Problem], dict[int, list[Problem]]]:
    """Document-level problems and the problems of each event (by index)."""
    found = findings(document)
    return found.document_problems, found.per_event


def findings(document: ParsedDocument) -> Findings:
    """Problems (document, per event) and each event's warnings."""
    per_event: dict[int, list[Problem]] = {}
    warnings: list[Problem] = []
    for event in document.events:
        problems, event_warnings = event_findings(document, event)
        if problems:
            per_event[event.index] = problems
        warnings.extend(event_warnings)
    return Findings(document_problems(document, per_event), per_event, warnings)


def document_problems(
    document: ParsedDocument, per_event: dict[int, list[Problem]] | None = None
) -> list[Problem]:
    """The envelope's problems; a bare JSON event's schema problem goes to ``per_event[0]``
    unless the semantic checks already found problems there."""
    found = list(document.problems)
    if document.format == "json" and document.raw is not None:
        raw = document.raw
        if document.kind == "document":
            envelope = _without_events(raw)
            problem = _schema_problem("", document_validator().iter_errors(envelope), None)
            if problem:
                found.append(problem)
        elif not _simple(raw):
            errors = document_validator().iter_errors(schema_view(raw))
            problem = _schema_problem("", errors, 0)
            if problem and per_event is not None and not per_event.get(0):
                per_event[0] = [problem]  # the semantic problems, when there are any, say more
    return found


def event_problems(document: ParsedDocument, event: ParsedEvent) -> list[Problem]:
    """One event's problems: the semantic checks, then the event schema (JSON documents)."""
    return event_findings(document, event)[0]


def event_findings(
    document: ParsedDocument, event: ParsedEvent
) -> tuple[list[Problem], list[Problem]]:
    """One event's problems and warnings (see :func:`event_problems` and the module docstring)."""
    checker = _check(event)
    problems = checker.problems
    if (
        not problems
        and document.format == "json"
        and document.kind == "document"
        and not _simple(event.data)
        and event.data.get("type") in EVENT_TYPES
    ):
        validator = event_validator(str(event.data["type"]))
        errors = validator.iter_errors(schema_view(event.data))
        problem = _schema_problem(event.where, errors, event.index)
        if problem:
            problems.append(problem)
    return problems, checker.warnings


def schema_view(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with each tolerated sensorReport ``type`` (missing, or a well-formed GS1 term that
    is not listed) set to a listed term; ``data`` itself when there is none."""
    sensors = data.get("sensorElementList")
    if not isinstance(sensors, list) or not any(
        _tolerated(report) for element in sensors for report in _reports(element)
    ):
        return data
    view = dict(data)
    view["sensorElementList"] = [
        {**element, "sensorReport": [
            {**report, "type": _PLACEHOLDER} if _tolerated(report) else report
            for report in _reports(element)
        ]} if isinstance(element, dict) and "sensorReport" in element else element
        for element in sensors
    ]  # fmt: skip
    return view


def _reports(element: Any) -> list[Any]:
    reports = element.get("sensorReport") if isinstance(element, dict) else None
    return reports if isinstance(reports, list) else []


def _tolerated(report: Any) -> bool:
    if not isinstance(report, dict):
        return False
    kind = report.get("type")
    if kind is None:
        return "type" not in report
    return isinstance(kind, str) and _measurement_status(kind) == "unlisted"


def _measurement_status(value: str) -> str:
    """``listed`` (a gs1:MeasurementType term), ``unlisted`` (a well-formed GS1 term outside the
    list), ``malformed`` (a GS1 namespace value that is no term name) or ``other`` (another
    vocabulary's URI)."""
    term = gs1_measurement_term(value)
    if term is None:
        return "other"
    if term in measurement_types():
        return "listed"
    return "unlisted" if GS1_TERM.match(term) else "malformed"


def _without_events(raw: dict[str, Any]) -> dict[str, Any]:
    """The document with an empty event list (events are validated one by one)."""
    envelope = dict(raw)
    body = dict(raw.get("epcisBody") or {})
    if raw.get("type") == "EPCISQueryDocument":
        results = dict(body.get("queryResults") or {})
        results_body = dict(results.get("resultsBody") or {})
        results_body["eventList"] = []
        results["resultsBody"] = results_body
        body["queryResults"] = results
    else:
        body["eventList"] = []
    envelope["epcisBody"] = body
    return envelope


def _simple(event: dict[str, Any]) -> bool:
    """Only common fields with plain values: the semantic checks are the whole schema."""
    if not _SIMPLE_KEYS.issuperset(event):
        return False
    for key in ("readPoint", "bizLocation"):
        place = event.get(key)
        if place is not None and (not isinstance(place, dict) or set(place) != {"id"}):
            return False
    return True


@lru_cache(maxsize=1 << 17)
def _identifier_problem(text: str) -> str | None:
    """What is wrong with an identifier (absolute URI, EPC syntax, check digits), or None."""
    if not _cbv.is_absolute_uri(text):
        return f"{text!r} is not an absolute URI (EPC URN, Digital Link or URI)"
    try:
        check_identifier(text)
    except IdentifierError as exc:
        return str(exc)
    return None


class _Checker:
    def __init__(self, event: ParsedEvent) -> None:
        self.event = event
        self.data = event.data
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def fail(self, field: str, message: str) -> None:
        self.problems.append(Problem(f"{self.event.where}/{field}", message, self.event.index))

    def warn(self, field: str, message: str) -> None:
        self.warnings.append(Problem(f"{self.event.where}/{field}", message, self.event.index))

    def string(self, field: str, value: Any) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.fail(field, f"must be a non-empty string, got {value!r}")
            return None
        return value.strip()

    def identifier(self, field: str, value: Any) -> None:
        text = self.string(field, value)
        if text is None:
            return
        problem = _identifier_problem(text)
        if problem:
            self.fail(field, problem)

    def time(self, field: str, value: Any) -> str | None:
        text = self.string(field, value)
        if text is None:
            return None
        if not _DATE_TIME.match(text):
            self.fail(
                field, f"{text!r} is not a date-time with a time zone (2024-05-01T08:00:00+08:00)"
            )
            return None
        try:
            parse_time(text)
        except ValueError:
            self.fail(field, f"{text!r} is not a valid date-time")
            return None
        return text

    def vocabulary(self, field: str, vocabulary: _cbv.Vocabulary, value: Any) -> None:
        text = self.string(field, value)
        if text is None:
            return
        try:
            _cbv.short_name(vocabulary, text)
        except _cbv.VocabularyError as exc:
            self.fail(field, str(exc))

    def extension_name(self, field: str, key: str) -> None:
        if key.startswith("@") or key == "#text":
            return
        prefix, sep, _ = key.partition(":")
        if sep and (prefix in self.event.namespaces or prefix in _cbv.CONTEXT_PREFIXES):
            return
        if sep and "://" in key:
            return
        if sep:
            self.fail(field, f"extension {key!r} uses the undeclared namespace prefix {prefix!r}")
        else:
            self.fail(
                field,
                f"extension {key!r} has no namespace; name it prefix:{key} with the prefix "
                "declared in @context (XML: a namespaced element)",
            )

    def extensions(self, base: str, mapping: dict[str, Any], standard: set[str]) -> None:
        """Extension fields directly under ``base`` must be namespaced; what they contain is
        the extension owner's business (XML: elements inside a namespaced element)."""
        for key in mapping:
            if key in standard:
                continue
            self.extension_name(f"{base}/{key}" if base else key, key)


def check_event(event: ParsedEvent) -> list[Problem]:
    """The checks a schema cannot make (see the module docstring)."""
    return _check(event).problems


def _check(event: ParsedEvent) -> _Checker:
    c = _Checker(event)
    data = c.data
    event_type = data.get("type")
    if event_type not in EVENT_TYPES:
        c.fail("type", f"{event_type!r} is not an EPCIS 2.0 event type ({', '.join(EVENT_TYPES)})")
        return c
    allowed = _FIELDS[event_type]
    for key in data:
        if key not in allowed:
            if key in STANDARD_KEYS:
                c.fail(key, f"{key} is not a field of {event_type}")
            else:
                c.extension_name(key, key)
    # action
    action = data.get("action")
    if event_type == "TransformationEvent":
        pass
    elif action is None:
        c.fail("action", f"missing: {event_type} needs action ADD, OBSERVE or DELETE")
    elif action not in _ACTIONS:
        c.fail("action", f"{action!r} is not ADD, OBSERVE or DELETE")
    # times
    event_time = c.time("eventTime", data.get("eventTime")) if "eventTime" in data else None
    if "eventTime" not in data:
        c.fail("eventTime", "missing")
    offset = data.get("eventTimeZoneOffset")
    if offset is None:
        c.fail("eventTimeZoneOffset", "missing (±hh:mm, e.g. +08:00)")
    elif not isinstance(offset, str) or not _OFFSET.match(offset):
        c.fail("eventTimeZoneOffset", f"{offset!r} must be ±hh:mm between -14:00 and +14:00")
    elif event_time and not event_time.endswith(("Z", "z")):
        own = event_time[-6:]
        if own not in (offset, "+00:00", "-00:00"):
            c.fail(
                "eventTimeZoneOffset",
                f"{offset} disagrees with eventTime's own offset {own}",
            )
    if "recordTime" in data:
        c.time("recordTime", data["recordTime"])
    if "eventID" in data:
        text = c.string("eventID", data["eventID"])
        if text and not _cbv.is_absolute_uri(text):
            c.fail("eventID", f"{text!r} must be an absolute URI (urn:uuid:…, ni:///…)")
    # identifiers
    for key in _EPC_LISTS:
        if key in data:
            items = data[key]
            if not isinstance(items, list):
                c.fail(key, "must be a list of identifiers")
                continue
            for i, item in enumerate(items):
                c.identifier(f"{key}/{i}", item)
    for key in _QTY_LISTS:
        if key in data:
            items = data[key]
            if not isinstance(items, list):
                c.fail(key, "must be a list of quantity elements")
                continue
            for i, item in enumerate(items):
                _quantity(c, f"{key}/{i}", item)
    for key in ("parentID",):
        if key in data:
            c.identifier(key, data[key])
    if "transformationID" in data:
        text = c.string("transformationID", data["transformationID"])
        if text and not _cbv.is_absolute_uri(text):
            c.fail("transformationID", f"{text!r} must be an absolute URI")
    # per-type requirements
    children = bool(data.get("childEPCs")) or bool(data.get("childQuantityList"))
    if event_type == "AggregationEvent":
        if action in ("ADD", "DELETE") and not data.get("parentID"):
            c.fail("parentID", f"missing: AggregationEvent with action {action} needs parentID")
        if action == "ADD" and not children:
            c.fail("childEPCs", "AggregationEvent ADD needs childEPCs or childQuantityList")
    if event_type == "AssociationEvent" and not data.get("parentID"):
        c.fail("parentID", "missing: AssociationEvent needs parentID")
    if event_type == "TransactionEvent" and not data.get("bizTransactionList"):
        c.fail("bizTransactionList", "missing: TransactionEvent needs bizTransactionList")
    if event_type == "TransformationEvent" and not any(
        data.get(k)
        for k in ("inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList")
    ):
        c.fail(
            "inputEPCList", "TransformationEvent needs inputs or outputs (EPC or quantity lists)"
        )
    if event_type == "ObjectEvent":
        has_objects = bool(data.get("epcList")) or bool(data.get("quantityList"))
        if not has_objects and not (data.get("sensorElementList") and data.get("readPoint")):
            c.fail(
                "epcList",
                "ObjectEvent needs epcList or quantityList (or sensor data at a readPoint)",
            )
        if "ilmd" in data and action != "ADD":
            c.fail("ilmd", "ilmd is allowed only with action ADD")
    # vocabularies
    if "bizStep" in data:
        c.vocabulary("bizStep", _cbv.BIZ_STEP, data["bizStep"])
    if "disposition" in data:
        c.vocabulary("disposition", _cbv.DISPOSITION, data["disposition"])
    persistent = data.get("persistentDisposition")
    if persistent is not None:
        if not isinstance(persistent, dict) or not (
            persistent.get("set") or persistent.get("unset")
        ):
            c.fail("persistentDisposition", "needs set or unset")
        else:
            for part in ("set", "unset"):
                values = persistent.get(part) or []
                if not isinstance(values, list):
                    c.fail(f"persistentDisposition/{part}", "must be a list")
                    continue
                for i, value in enumerate(values):
                    c.vocabulary(f"persistentDisposition/{part}/{i}", _cbv.DISPOSITION, value)
    for key in ("readPoint", "bizLocation"):
        if key in data:
            place = data[key]
            if not isinstance(place, dict) or "id" not in place:
                c.fail(key, "must be an object with id")
                continue
            c.identifier(f"{key}/id", place["id"])
            c.extensions(key, place, {"id"})
    for key, item, vocabulary in (
        ("bizTransactionList", "bizTransaction", _cbv.BIZ_TRANSACTION_TYPE),
        ("sourceList", "source", _cbv.SOURCE_DEST_TYPE),
        ("destinationList", "destination", _cbv.SOURCE_DEST_TYPE),
    ):
        entries = data.get(key)
        if entries is None:
            continue
        if not isinstance(entries, list):
            c.fail(key, "must be a list")
            continue
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or item not in entry:
                c.fail(f"{key}/{i}", f"must be an object with {item}")
                continue
            c.identifier(f"{key}/{i}/{item}", entry[item])
            if "type" in entry:
                c.vocabulary(f"{key}/{i}/type", vocabulary, entry["type"])
            elif item != "bizTransaction":
                c.fail(f"{key}/{i}/type", "missing: owning_party, possessing_party or location")
    declaration = data.get("errorDeclaration")
    if declaration is not None:
        if not isinstance(declaration, dict):
            c.fail("errorDeclaration", "must be an object")
        else:
            if "declarationTime" not in declaration:
                c.fail("errorDeclaration/declarationTime", "missing")
            else:
                c.time("errorDeclaration/declarationTime", declaration["declarationTime"])
            if "reason" in declaration:
                c.vocabulary("errorDeclaration/reason", _cbv.ERROR_REASON, declaration["reason"])
            ids = declaration.get("correctiveEventIDs", [])
            if not isinstance(ids, list):
                c.fail("errorDeclaration/correctiveEventIDs", "must be a list")
            else:
                for i, value in enumerate(ids):
                    text = c.string(f"errorDeclaration/correctiveEventIDs/{i}", value)
                    if text and not _cbv.is_absolute_uri(text):
                        c.fail(
                            f"errorDeclaration/correctiveEventIDs/{i}", "must be an absolute URI"
                        )
            c.extensions(
                "errorDeclaration", declaration, {"declarationTime", "reason", "correctiveEventIDs"}
            )
    ilmd = data.get("ilmd")
    if ilmd is not None:
        if not isinstance(ilmd, dict):
            c.fail("ilmd", "must be an object of namespaced fields")
        else:
            c.extensions("ilmd", ilmd, set())
    sensors = data.get("sensorElementList")
    if isinstance(sensors, list):
        for i, element in enumerate(sensors):
            if isinstance(element, dict):
                c.extensions(
                    f"sensorElementList/{i}", element, {"sensorMetadata", "sensorReport", "type"}
                )
                _sensor_types(c, f"sensorElementList/{i}/sensorReport", element.get("sensorReport"))
    return c


def _sensor_types(c: _Checker, field: str, reports: Any) -> None:
    if not isinstance(reports, list):
        return
    for j, report in enumerate(reports):
        if not isinstance(report, dict):
            continue
        value = report.get("type")
        if "type" not in report:
            c.warn(
                f"{field}/{j}/type",
                "missing: accepted (optional in the XSD and the SHACL shapes), but the EPCIS "
                "JSON Schema requires a measurement type; name a gs1:MeasurementType term",
            )
        if not isinstance(value, str):
            continue
        status = _measurement_status(value)
        term = gs1_measurement_term(value)
        if status == "malformed":
            c.fail(
                f"{field}/{j}/type",
                f"{value!r} is not a well-formed GS1 measurement type (gs1:MeasurementType, "
                "e.g. Temperature); use a GS1 term or a URI outside gs1.org/voc",
            )
        elif status == "unlisted":
            successor = _SUCCESSORS.get(str(term))
            instead = f"; GS1 now names it {successor}" if successor else ""
            c.warn(
                f"{field}/{j}/type",
                f"{value!r} is not in the CBV 2.0 measurement types (gs1:MeasurementType): "
                f"accepted as a draft or unlisted GS1 term{instead}",
            )


def _quantity(c: _Checker, field: str, element: Any) -> None:
    if not isinstance(element, dict) or "epcClass" not in element:
        c.fail(field, "a quantity element needs epcClass")
        return
    for key in element:
        if key not in ("epcClass", "quantity", "uom"):
            c.fail(f"{field}/{key}", f"unknown field {key!r} in a quantity element")
    c.identifier(f"{field}/epcClass", element["epcClass"])
    quantity = element.get("quantity")
    if quantity is not None and (
        isinstance(quantity, bool) or not isinstance(quantity, int | float)
    ):
        c.fail(f"{field}/quantity", f"must be a number, got {quantity!r}")
    elif isinstance(quantity, int | float) and quantity < 0:
        c.fail(f"{field}/quantity", "must not be negative")
    uom = element.get("uom")
    if uom is not None:
        if quantity is None:
            c.fail(f"{field}/uom", "uom without quantity")
        if not isinstance(uom, str) or not _UOM.match(uom):
            c.fail(f"{field}/uom", f"{uom!r} is not a UN/CEFACT Rec 20 code (e.g. KGM)")
