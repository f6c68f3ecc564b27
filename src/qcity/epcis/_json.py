"""Reading EPCIS 2.0 JSON / JSON-LD: documents (EPCISDocument) and bare events."""

from __future__ import annotations

import json
from typing import Any

from qcity.epcis._document import EpcisInputError, ParsedDocument, ParsedEvent, Problem


def context_namespaces(context: Any) -> dict[str, str]:
    """Prefix → namespace IRI from a JSON-LD ``@context`` (strings are remote contexts: skipped)."""
    out: dict[str, str] = {}
    items = context if isinstance(context, list) else [context]
    for item in items:
        if isinstance(item, dict):
            for key, value in item.items():
                if key.startswith("@"):
                    continue
                if isinstance(value, str):
                    out[key] = value
                elif isinstance(value, dict) and isinstance(value.get("@id"), str):
                    out[key] = value["@id"]
    return out


def load_json(data: bytes | str) -> Any:
    try:
        return json.loads(data)
    except UnicodeDecodeError as exc:
        raise EpcisInputError([Problem("", f"not UTF-8 text: {exc.reason}")]) from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise EpcisInputError([Problem(where, f"malformed JSON: {exc.msg}")]) from None


def parse_json(data: bytes | str) -> ParsedDocument:
    """Parse an EPCISDocument or a single event; raise :class:`EpcisInputError` if it is neither."""
    raw = load_json(data)
    if not isinstance(raw, dict):
        raise EpcisInputError(
            [Problem("", "expected a JSON object (an EPCISDocument or an event)")]
        )
    kind = raw.get("type", raw.get("isA"))
    document_namespaces = context_namespaces(raw.get("@context"))
    if kind == "EPCISDocument":
        body = raw.get("epcisBody")
        events = body.get("eventList") if isinstance(body, dict) else None
        if not isinstance(events, list):
            raise EpcisInputError([Problem("/epcisBody/eventList", "missing or not a list")])
        parsed = [
            _event(event, document_namespaces, f"/epcisBody/eventList/{i}", i)
            for i, event in enumerate(events)
        ]
        return ParsedDocument("json", "document", parsed, raw)
    if kind == "EPCISQueryDocument":
        # Query results exported by another repository: their events are captured as they are.
        body = raw.get("epcisBody")
        results = body.get("queryResults") if isinstance(body, dict) else None
        results_body = results.get("resultsBody") if isinstance(results, dict) else None
        events = results_body.get("eventList") if isinstance(results_body, dict) else None
        base = "/epcisBody/queryResults/resultsBody/eventList"
        if not isinstance(events, list):
            raise EpcisInputError([Problem(base, "missing or not a list")])
        parsed = [
            _event(event, document_namespaces, f"{base}/{i}", i) for i, event in enumerate(events)
        ]
        return ParsedDocument("json", "document", parsed, raw)
    if not isinstance(kind, str):
        raise EpcisInputError([Problem("/type", "missing: say EPCISDocument or the event type")])
    return ParsedDocument("json", "event", [_event(raw, document_namespaces, "", 0)], raw)


def _event(event: Any, namespaces: dict[str, str], where: str, index: int) -> ParsedEvent:
    if not isinstance(event, dict):
        return ParsedEvent({"type": None}, namespaces, where, index)
    own = context_namespaces(event.get("@context"))
    return ParsedEvent(event, {**namespaces, **own}, where, index)
