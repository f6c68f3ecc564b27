"""SimpleEventQuery parameters (REST binding ``GET /events``) → a repository filter, and paging."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from qcity.epcis import _cbv
from qcity.epcis._hash import parse_time
from qcity.epcis._identifiers import pattern_to_like, pattern_variants, to_storage_identifier
from qcity.epcis.repository import EventFilter, ObjectMatch
from qcity.errors import InputError

SUPPORTED = (
    "eventType", "GE_eventTime", "LT_eventTime", "GE_recordTime", "LT_recordTime", "EQ_action",
    "EQ_bizStep", "EQ_disposition", "EQ_readPoint", "EQ_bizLocation", "MATCH_epc",
    "MATCH_anyEPC", "MATCH_epcClass", "MATCH_parentID", "MATCH_inputEPC", "MATCH_outputEPC",
    "EQ_eventID", "EXISTS_errorDeclaration",
)  # fmt: skip
PAGING = ("perPage", "nextPageToken")
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 1000
_MATCH_ROLES: dict[str, tuple[tuple[str, ...], bool | None]] = {
    "MATCH_epc": (("epc", "child"), False),
    "MATCH_anyEPC": (("epc", "child", "parent", "input", "output"), False),
    "MATCH_epcClass": (("epc", "child"), True),
    "MATCH_parentID": (("parent",), None),
    "MATCH_inputEPC": (("input",), False),
    "MATCH_outputEPC": (("output",), False),
}


class QueryError(InputError):
    """A query parameter is unknown or malformed (400 QueryParameterException)."""

    http_status = 400


def _values(raw: str) -> tuple[str, ...]:
    """Comma- or pipe-separated values (the binding's list syntax)."""
    parts = [p.strip() for chunk in raw.split("|") for p in chunk.split(",")]
    return tuple(p for p in parts if p)


def _time(name: str, raw: str) -> dt.datetime:
    try:
        return parse_time(raw)
    except ValueError:
        raise QueryError(f"{name}: {raw!r} is not a date-time with a time zone") from None


def _vocab(name: str, vocabulary: _cbv.Vocabulary, raw: str) -> tuple[str, ...]:
    try:
        return tuple(_cbv.short_name(vocabulary, v) for v in _values(raw))
    except _cbv.VocabularyError as exc:
        raise QueryError(f"{name}: {exc}") from None


def _match(name: str, raw: str, gcp_length: int | None) -> ObjectMatch:
    roles, is_class = _MATCH_ROLES[name]
    exact: list[str] = []
    like: list[str] = []
    for value in _values(raw):
        for variant in pattern_variants(value, gcp_length):
            pattern, is_exact = pattern_to_like(variant)
            (exact if is_exact else like).append(pattern)
    return ObjectMatch(roles, tuple(exact), tuple(like), is_class)


def parse_filter(params: Mapping[str, str], gcp_length: int | None = None) -> EventFilter:
    """Build the filter; unknown parameters are refused (the binding's 400 for bad queries)."""
    unknown = [k for k in params if k not in SUPPORTED and k not in PAGING]
    if unknown:
        raise QueryError(
            f"unsupported query parameter {unknown[0]!r}; supported: {', '.join(SUPPORTED)}"
        )
    fields: dict[str, Any] = {}
    objects: list[ObjectMatch] = []
    for name, raw in params.items():
        if name in PAGING:
            continue
        if name == "eventType":
            fields["event_types"] = _values(raw)
        elif name in ("GE_eventTime", "LT_eventTime", "GE_recordTime", "LT_recordTime"):
            op, field = name.split("_", 1)
            column = "event_time" if field == "eventTime" else "record_time"
            fields[f"{op.lower()}_{column}"] = _time(name, raw)
        elif name == "EQ_action":
            fields["actions"] = _values(raw)
        elif name == "EQ_bizStep":
            fields["biz_steps"] = _vocab(name, _cbv.BIZ_STEP, raw)
        elif name == "EQ_disposition":
            fields["dispositions"] = _vocab(name, _cbv.DISPOSITION, raw)
        elif name in ("EQ_readPoint", "EQ_bizLocation"):
            key = "read_points" if name == "EQ_readPoint" else "biz_locations"
            fields[key] = tuple(to_storage_identifier(v, gcp_length) for v in _values(raw))
        elif name == "EQ_eventID":
            fields["event_ids"] = _values(raw)
        elif name == "EXISTS_errorDeclaration":
            fields["error_declaration"] = raw.strip().lower() not in ("false", "0", "no")
        else:
            objects.append(_match(name, raw, gcp_length))
    return EventFilter(objects=tuple(objects), **fields)


def per_page(params: Mapping[str, str]) -> int:
    raw = params.get("perPage")
    if raw is None:
        return DEFAULT_PER_PAGE
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(f"perPage {raw!r} is not a whole number") from None
    if not 1 <= value <= MAX_PER_PAGE:
        raise QueryError(f"perPage must be 1-{MAX_PER_PAGE}, got {value}")
    return value


def _fingerprint(params: Mapping[str, str]) -> str:
    stable = sorted((k, v) for k, v in params.items() if k not in PAGING)
    return hashlib.sha256(json.dumps(stable).encode()).hexdigest()[:16]


def make_token(params: Mapping[str, str], last_time: dt.datetime, last_pk: int) -> str:
    """An opaque token: the last (event_time, id) seen, bound to the query's parameters."""
    payload = {"q": _fingerprint(params), "t": last_time.isoformat(), "i": last_pk}
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def read_token(params: Mapping[str, str]) -> tuple[dt.datetime, int] | None:
    raw = params.get("nextPageToken")
    if not raw:
        return None
    try:
        padded = raw + "=" * (-len(raw) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        time = dt.datetime.fromisoformat(payload["t"])
        pk = int(payload["i"])
        fingerprint = payload["q"]
    except (ValueError, KeyError, TypeError):
        raise QueryError("nextPageToken is not a token this server issued") from None
    if fingerprint != _fingerprint(params):
        raise QueryError("nextPageToken belongs to a query with other parameters")
    return time, pk
