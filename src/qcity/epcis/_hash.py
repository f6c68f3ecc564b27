"""The EPCIS event hash ID (CBV 2.0 §8.9): a canonical pre-hash string and its SHA-256 ``ni:`` URI.

The pre-hash string concatenates ``key=value`` pairs in the canonical property order (eventType,
eventTime, eventTimeZoneOffset, certificationInfo, epcList, parentID, inputEPCList, childEPCs,
quantityList, childQuantityList, inputQuantityList, outputEPCList, outputQuantityList, action,
transformationID, bizStep, disposition, persistentDisposition, readPoint, bizLocation,
bizTransactionList, sourceList, destinationList, sensorElementList, ilmd, user extensions) with
no separators, following the algorithm's rules:

* timestamps in UTC with millisecond precision and ``Z``; numbers without trailing zeros;
* list elements (and sub-strings of structured elements) sorted by code point; a list's name
  appears once; a ``type`` attribute follows its element's value (bizTransaction, source…);
* CBV URNs and bare CBV terms as GS1 Web URIs; CURIEs expanded; EPC URNs and Digital Links as
  constrained canonical Digital Links (https://id.gs1.org, no query string);
* ILMD and user extensions as ``{namespace}localName=value``, sorted; extensions inside
  readPoint, bizLocation, sensorElement, sensorMetadata and sensorReport follow their parent's
  standard fields;
* eventID, recordTime and errorDeclaration are not part of the hash (an error declaration names
  the event it corrects by the same hash).

The input is the event in EPCIS JSON form (``_xml`` converts XML to it), so XML and JSON
serialisations of one event give one hash. ``xsi:type`` on XML extension elements is dropped by the
conversion: it has no JSON counterpart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from qcity.epcis import _cbv
from qcity.epcis._identifiers import canonical_digital_link

HASH_SUFFIX = "?ver=CBV2.0"

_QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList")
_SENSOR_METADATA = (
    "time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData",
    "dataProcessingMethod", "bizRules",
)  # fmt: skip
_SENSOR_REPORT = (
    "type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "time",
    "microorganism", "chemicalSubstance", "value", "component", "stringValue", "booleanValue",
    "hexBinaryValue", "uriValue", "minValue", "maxValue", "meanValue", "sDev", "percRank",
    "percValue", "uom", "coordinateReferenceSystem",
)  # fmt: skip
STANDARD_KEYS = frozenset(
    (
        "type", "id", "@context", "eventTime", "eventTimeZoneOffset", "recordTime", "eventID",
        "errorDeclaration", "certificationInfo", "epcList", "parentID", "childEPCs",
        "inputEPCList", "outputEPCList", "quantityList", "childQuantityList",
        "inputQuantityList", "outputQuantityList", "action", "transformationID", "bizStep",
        "disposition", "persistentDisposition", "readPoint", "bizLocation", "bizTransactionList",
        "sourceList", "destinationList", "sensorElementList", "ilmd",
    )
)  # fmt: skip
# JSON-LD annotations that XML writes as comments (<!-- -->): not part of the event's content.
ANNOTATIONS = frozenset(("rdfs:comment", "comment"))
_CBV_URNS = (
    ("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-"),
    ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"),
    ("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"),
    ("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"),
    ("urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"),
)
# Bare JSON terms of sensor fields and the Web URI they stand for (EPCIS JSON-LD context).
_BARE_SENSOR_TERMS = {
    "type": "https://gs1.org/voc/",
    "exception": "https://gs1.org/voc/SensorAlertType-",
    "component": "https://ref.gs1.org/cbv/Comp-",
}
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_CURIE = re.compile(r"^([A-Za-z_][\w.\-]*):([^/].*)?$")


def timestamp(value: str) -> str:
    """``2005-04-04T20:33:31.116-06:00`` → ``2005-04-05T02:33:31.116Z`` (UTC, milliseconds)."""
    parsed = parse_time(value)
    micro = round(parsed.microsecond, -3)
    if micro == 1_000_000:
        parsed = parsed.replace(microsecond=0) + dt.timedelta(seconds=1)
        micro = 0
    parsed = parsed.replace(microsecond=micro)
    return parsed.strftime("%Y-%m-%dT%H:%M:%S.") + f"{micro // 1000:03d}Z"


@lru_cache(maxsize=1 << 12)
def parse_time(value: str) -> dt.datetime:
    """An xsd:dateTime with a zone (``Z`` or ±hh:mm) as an aware UTC datetime."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    match = re.match(r"^(.*T\d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d:\d\d)$", text)
    if not match:
        raise ValueError(f"{value!r} is not a date-time with a time zone")
    head, fraction, zone = match.groups()
    fraction = (fraction or ".0")[1:]
    micro = round(float("0." + fraction) * 1_000_000)
    parsed = dt.datetime.fromisoformat(head + zone)
    if micro >= 1_000_000:
        return (parsed + dt.timedelta(seconds=1)).astimezone(dt.UTC)
    return parsed.replace(microsecond=micro).astimezone(dt.UTC)


@lru_cache(maxsize=256)
def _is_time_key(key: str) -> bool:
    lowered = key.lower()
    return "time" in lowered and "offset" not in lowered


@lru_cache(maxsize=1 << 17)
def _text_value(raw: str, is_time: bool) -> str:
    """A string value in canonical form (identifiers, times, CBV URNs, numbers, CURIEs)."""
    text = raw.strip()
    if not text:
        return ""
    if text.startswith(("urn:epc:id:", "urn:epc:class:")):
        return canonical_digital_link(text) or text
    if is_time:
        try:
            return timestamp(text)
        except ValueError:
            return text
    for urn, web in _CBV_URNS:
        if text.startswith(urn):
            return web + text[len(urn) :]
    if _NUMBER.match(text):
        return number(text)
    link = canonical_digital_link(text)
    if link is not None:
        return link
    return _expand(text)


def _expand(text: str) -> str:
    """A CURIE with a standard prefix (gs1:, cbv:, epcis:…) as its IRI; anything else unchanged.

    Values are expanded with the standard prefixes only: an XML attribute value has no prefix
    mapping, so user prefixes stay as written.
    """
    match = _CURIE.match(text)
    if match and match.group(1) in _cbv.CONTEXT_PREFIXES and "://" not in text:
        return _cbv.CONTEXT_PREFIXES[match.group(1)] + (match.group(2) or "")
    return text


def number(value: Any) -> str:
    """Numbers without trailing zeros: 1.0 → '1', 0.3430 → '0.343'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    number_ = float(value)
    if math.isfinite(number_) and number_ == int(number_) and abs(number_) < 1e16:
        return str(int(number_))
    return repr(number_)


class _Canon:
    def __init__(self, namespaces: Mapping[str, str]) -> None:
        self.namespaces = {**_cbv.CONTEXT_PREFIXES, **namespaces}

    def value(self, raw: Any, key: str = "") -> str:
        if isinstance(raw, bool):
            return "true" if raw else "false"
        if isinstance(raw, int | float):
            return number(raw)
        return _text_value(str(raw), _is_time_key(key))

    def expand(self, text: str) -> str:
        return _expand(text)

    def name(self, key: str) -> str:
        """``example:myField`` → ``{https://ns.example.com/epcis/}myField``.

        A URN namespace loses a trailing colon: JSON-LD prefixes need the delimiter
        (``urn:epcglobal:cbv:mda:``), XML namespaces have none (``urn:epcglobal:cbv:mda``).
        """
        if key.startswith("{"):
            return key
        prefix, sep, local = key.partition(":")
        if sep and prefix in self.namespaces:
            namespace = self.namespaces[prefix]
            if namespace.startswith("urn:") and namespace.endswith(":"):
                namespace = namespace[:-1]
            return "{" + namespace + "}" + local
        if "://" in key:  # an absolute IRI as key: split at the last / or #
            cut = max(key.rfind("/"), key.rfind("#")) + 1
            return "{" + key[:cut] + "}" + key[cut:]
        return key

    def extension(self, key: str, value: Any) -> list[str]:
        """The sub-strings of one extension field (a list gives one per element)."""
        name = self.name(key)
        if isinstance(value, list):
            return [s for item in value for s in self.extension(key, item)]
        if isinstance(value, dict):
            text = value.get("#text")
            inner = self.extensions(value)
            head = name + ("=" + self.value(text, key) if text not in (None, "") else "")
            return [head + "".join(sorted(inner))]
        text = self.value(value, key)
        return [name + ("=" + text if text else "")]

    def extensions(
        self, mapping: Mapping[str, Any], skip: frozenset[str] = frozenset()
    ) -> list[str]:
        out: list[str] = []
        for key, value in mapping.items():
            if key in skip or key.startswith("@") or key == "#text" or key in ANNOTATIONS:
                continue
            out.extend(self.extension(key, value))
        return out


def prehash(event: Mapping[str, Any], namespaces: Mapping[str, str] | None = None) -> str:
    """The CBV 2.0 §8.9 pre-hash string of an event in EPCIS JSON form."""
    canon = _Canon(namespaces or {})
    out: list[str] = ["eventType=" + str(event["type"])]

    def scalar(key: str) -> None:
        value = event.get(key)
        if value not in (None, ""):
            out.append(f"{key}={canon.value(value, key)}")

    def epcs(key: str) -> None:
        items = event.get(key) or []
        if items:
            out.append(key + "".join(sorted("epc=" + canon.value(x) for x in items)))

    def quantities(key: str) -> None:
        items = event.get(key) or []
        if items:
            parts = []
            for element in items:
                text = "quantityElement"
                for field in ("epcClass", "quantity", "uom"):
                    if element.get(field) not in (None, ""):
                        text += f"{field}={canon.value(element[field])}"
                parts.append(text)
            out.append(key + "".join(sorted(parts)))

    scalar("eventTime")
    scalar("eventTimeZoneOffset")
    certification = event.get("certificationInfo")
    if certification:
        values = certification if isinstance(certification, list) else [certification]
        out.append("".join(sorted("certificationInfo=" + canon.value(v) for v in values)))
    epcs("epcList")
    scalar("parentID")
    epcs("inputEPCList")
    epcs("childEPCs")
    for key in _QUANTITY_LISTS:
        quantities(key)
    epcs("outputEPCList")
    quantities("outputQuantityList")
    scalar("action")
    scalar("transformationID")
    for key, vocabulary in (("bizStep", _cbv.BIZ_STEP), ("disposition", _cbv.DISPOSITION)):
        if event.get(key):
            out.append(f"{key}={_vocab(vocabulary, event[key], canon)}")
    persistent = event.get("persistentDisposition")
    if persistent:
        text = "persistentDisposition"
        for field in ("set", "unset"):
            values = persistent.get(field) or []
            text += "".join(sorted(f"{field}={_vocab(_cbv.DISPOSITION, v, canon)}" for v in values))
        out.append(text)
    for key in ("readPoint", "bizLocation"):
        place = event.get(key)
        if place:
            text = key + ("id=" + canon.value(place["id"]) if place.get("id") else "")
            out.append(text + "".join(sorted(canon.extensions(place, frozenset({"id"})))))
    for key, item, vocabulary in (
        ("bizTransactionList", "bizTransaction", _cbv.BIZ_TRANSACTION_TYPE),
        ("sourceList", "source", _cbv.SOURCE_DEST_TYPE),
        ("destinationList", "destination", _cbv.SOURCE_DEST_TYPE),
    ):
        entries = event.get(key) or []
        if entries:
            parts = []
            for entry in entries:
                text = f"{item}={canon.value(entry[item])}"
                if entry.get("type"):
                    text += f"type={_vocab(vocabulary, entry['type'], canon)}"
                parts.append(text)
            out.append(key + "".join(sorted(parts)))
    sensors = event.get("sensorElementList") or []
    if sensors:
        out.append("sensorElementList" + "".join(sorted(_sensor(e, canon) for e in sensors)))
    ilmd = event.get("ilmd")
    if ilmd:
        out.append("ilmd" + "".join(sorted(canon.extensions(ilmd))))
    user = [
        s
        for key, value in event.items()
        if key not in STANDARD_KEYS and not key.startswith("@") and key not in ANNOTATIONS
        for s in canon.extension(key, value)
    ]
    out.extend(sorted(user))
    return "".join(out)


def _vocab(vocabulary: _cbv.Vocabulary, value: str, canon: _Canon) -> str:
    try:
        return _cbv.web_uri(vocabulary, value)
    except _cbv.VocabularyError:
        return canon.value(value)


def _sensor(element: Mapping[str, Any], canon: _Canon) -> str:
    text = "sensorElement"
    metadata = element.get("sensorMetadata")
    if metadata:
        text += "sensorMetadata" + _ordered(metadata, _SENSOR_METADATA, canon)
    reports = element.get("sensorReport") or []
    text += "".join(sorted("sensorReport" + _ordered(r, _SENSOR_REPORT, canon) for r in reports))
    skip = frozenset(("sensorMetadata", "sensorReport"))
    return text + "".join(sorted(canon.extensions(element, skip)))


def _ordered(mapping: Mapping[str, Any], order: tuple[str, ...], canon: _Canon) -> str:
    text = ""
    for field in order:
        value = mapping.get(field)
        if value in (None, ""):
            continue
        if field in _BARE_SENSOR_TERMS and isinstance(value, str) and ":" not in value:
            text += f"{field}={_BARE_SENSOR_TERMS[field]}{value.strip()}"
        elif field == "type":
            text += f"type={canon.expand(str(value).strip())}"
        else:
            text += f"{field}={canon.value(value, field)}"
    rest = canon.extensions(mapping, frozenset(order))
    return text + "".join(sorted(rest))


def event_hash(event: Mapping[str, Any], namespaces: Mapping[str, str] | None = None) -> str:
    """``ni:///sha-256;<hex>?ver=CBV2.0`` of an event in EPCIS JSON form."""
    digest = hashlib.sha256(prehash(event, namespaces).encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}{HASH_SUFFIX}"
