"""Reading EPCIS 2.0 XML: XSD validation (lxml, packaged XSDs) and conversion to EPCIS JSON form.

The conversion follows the standard's XML↔JSON mapping: lists become arrays, ``type`` attributes
become ``type`` keys, sensor attributes become typed JSON values, 1.2-style ``<extension>``
wrappers are flattened, and extension elements become ``prefix:localName`` keys (the prefix's
namespace recorded per event). ``xsi:type`` annotations are dropped (JSON has no such thing).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from qcity.epcis._document import (
    EVENT_TYPES,
    EpcisInputError,
    ParsedDocument,
    ParsedEvent,
    Problem,
)

EPCIS_NS = "urn:epcglobal:epcis:xsd:2"
QUERY_NS = "urn:epcglobal:epcis-query:xsd:2"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_XSD = Path(__file__).parent / "data" / "xsd" / "EPCglobal-epcis-2_0.xsd"
_QUERY_XSD = Path(__file__).parent / "data" / "xsd" / "EPCglobal-epcis-query-2_0.xsd"
_EPC_LISTS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
_QTY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")
_TEXT_FIELDS = (
    "eventTime", "recordTime", "eventTimeZoneOffset", "eventID", "action", "bizStep",
    "disposition", "parentID", "transformationID",
)  # fmt: skip
_NUMERIC_ATTRIBUTES = frozenset(
    ("value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue")
)
_PARTY_LISTS = {"bizTransactionList": "bizTransaction", "sourceList": "source",
                "destinationList": "destination"}  # fmt: skip


@lru_cache(maxsize=2)
def _schema(query: bool = False) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(_QUERY_XSD if query else _XSD)))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True
    )


def parse_xml(data: bytes, *, validate: bool = True) -> ParsedDocument:
    """Parse an EPCISDocument or a bare event; XSD errors raise :class:`EpcisInputError`."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        raise EpcisInputError([Problem(f"line {line}", f"malformed XML: {exc.msg}")]) from None
    tag = etree.QName(root)
    if tag.namespace == EPCIS_NS and tag.localname in EVENT_TYPES:
        _unqualify(root)
        tag = etree.QName(root)
    if tag.namespace == EPCIS_NS and tag.localname == "EPCISDocument":
        event_list = root.find("EPCISBody/EventList")
        missing = Problem("/EPCISDocument/EPCISBody/EventList", "missing")
        return _document(root, event_list, missing, validate=validate, query=False)
    if tag.namespace == QUERY_NS and tag.localname == "EPCISQueryDocument":
        # Query results exported by another repository: their events are captured as they are.
        event_list = root.find(f"EPCISBody/{{{QUERY_NS}}}QueryResults/resultsBody/EventList")
        missing = Problem("/EPCISQueryDocument", "no QueryResults/resultsBody/EventList")
        return _document(root, event_list, missing, validate=validate, query=True)
    if tag.namespace is None and tag.localname in EVENT_TYPES:
        if validate:
            _validate(_wrap(root))
        data_, namespaces = _event(root)
        return ParsedDocument(
            "xml", "event", [ParsedEvent(data_, namespaces, "/" + tag.localname, 0)]
        )
    if tag.namespace == "urn:epcglobal:epcis:xsd:1":
        raise EpcisInputError(
            [Problem("/", "an EPCIS 1.2 document (urn:epcglobal:epcis:xsd:1); send EPCIS 2.0 XML")]
        )
    raise EpcisInputError(
        [
            Problem(
                "/", f"root element {tag.localname!r} is neither epcis:EPCISDocument nor an event"
            )
        ]
    )


def _document(
    root: etree._Element,
    event_list: etree._Element | None,
    missing: Problem,
    *,
    validate: bool,
    query: bool,
) -> ParsedDocument:
    if event_list is not None:
        for element in event_list:
            _unqualify(element)
    if validate:
        _validate(root, query=query)
    if event_list is None:
        raise EpcisInputError([missing])
    elements = list(_event_elements(event_list))
    events = [
        ParsedEvent(*_event(element), where=_path(element), index=i)
        for i, element in enumerate(elements)
    ]
    return ParsedDocument("xml", "document", events)


def _unqualify(element: etree._Element) -> None:
    """Event fields written in the EPCIS namespace (``<epcis:eventTime>``) as the XSD's
    unqualified form: some producers qualify them, and nothing else can be meant."""
    if not isinstance(element.tag, str):
        return
    for node in element.iter():
        if isinstance(node.tag, str) and node.tag.startswith("{" + EPCIS_NS + "}"):
            node.tag = node.tag[len(EPCIS_NS) + 2 :]


def _wrap(event: etree._Element) -> etree._Element:
    document = etree.Element(
        f"{{{EPCIS_NS}}}EPCISDocument",
        {"schemaVersion": "2.0", "creationDate": "2000-01-01T00:00:00Z"},
        nsmap={"epcis": EPCIS_NS},
    )
    body = etree.SubElement(document, "EPCISBody")
    events = etree.SubElement(body, "EventList")
    events.append(etree.fromstring(etree.tostring(event)))
    return document


def _validate(root: etree._Element, *, query: bool = False) -> None:
    """XSD-validate ``root``; raise :class:`EpcisInputError` naming each problem if invalid.

    The XSD is normative for the XML binding, element order included: its event types are
    ``xsd:sequence`` declarations, so children out of that order are rejected like any other
    schema violation (the message names the first misplaced element).
    """
    schema = _schema(query)
    if not schema.validate(root):
        raise EpcisInputError(_schema_problems(schema))


def _schema_problems(schema: etree.XMLSchema) -> list[Problem]:
    problems = []
    for error in schema.error_log:  # type: ignore[attr-defined]
        where = (
            (error.path or "")
            .replace("{" + EPCIS_NS + "}", "epcis:")
            .replace("{" + QUERY_NS + "}", "epcisq:")
        )
        problems.append(Problem(f"{where} (line {error.line})", error.message))
    return problems


def _path(element: etree._Element) -> str:
    return (
        str(element.getroottree().getpath(element))
        .replace("{" + EPCIS_NS + "}", "epcis:")
        .replace("{" + QUERY_NS + "}", "epcisq:")
    )


def _event_elements(container: etree._Element) -> Any:
    for child in container:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        if name == "extension":
            yield from _event_elements(child)
        else:
            yield child


def _text(element: etree._Element) -> str:
    return (element.text or "").strip()


def _children(element: etree._Element) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str)]


class _Namespaces:
    def __init__(self) -> None:
        self.map: dict[str, str] = {}

    def key(self, qname: str, prefix_hint: str | None) -> str:
        name = etree.QName(qname)
        if name.namespace is None:
            return name.localname
        for prefix, uri in self.map.items():
            if uri == name.namespace and (prefix_hint is None or prefix == prefix_hint):
                return f"{prefix}:{name.localname}"
        prefix = prefix_hint or f"ns{len(self.map)}"
        while prefix in self.map and self.map[prefix] != name.namespace:
            prefix += "_"
        self.map[prefix] = name.namespace
        return f"{prefix}:{name.localname}"

    def element_key(self, element: etree._Element) -> str:
        return self.key(str(element.tag), element.prefix)

    def attribute_key(self, element: etree._Element, attribute: str) -> str:
        name = etree.QName(attribute)
        hint = None
        if name.namespace is not None:
            hint = next((p for p, u in element.nsmap.items() if u == name.namespace and p), None)
        return self.key(attribute, hint)


def _event(element: etree._Element) -> tuple[dict[str, Any], dict[str, str]]:
    namespaces = _Namespaces()
    data: dict[str, Any] = {"type": etree.QName(element).localname}
    _fields(element, data, namespaces)
    return data, namespaces.map


def _add(data: dict[str, Any], key: str, value: Any) -> None:
    if key in data:
        existing = data[key]
        data[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
    else:
        data[key] = value


def _fields(element: etree._Element, data: dict[str, Any], ns: _Namespaces) -> None:
    for child in _children(element):
        qname = etree.QName(child)
        name = qname.localname
        if qname.namespace is not None:
            _add(data, ns.element_key(child), _extension_value(child, ns))
        elif name in ("extension", "baseExtension"):
            _fields(child, data, ns)
        elif name in _TEXT_FIELDS:
            data[name] = _text(child)
        elif name == "certificationInfo":
            _add(data, name, _text(child))
        elif name in _EPC_LISTS:
            data[name] = [_text(e) for e in _children(child)]
        elif name in _QTY_LISTS:
            data[name] = [_quantity(q) for q in _children(child)]
        elif name in ("readPoint", "bizLocation"):
            place: dict[str, Any] = {}
            _place(child, place, ns)
            data[name] = place
        elif name in _PARTY_LISTS:
            item = _PARTY_LISTS[name]
            entries = []
            for entry in _children(child):
                value: dict[str, Any] = {}
                if entry.get("type"):
                    value["type"] = entry.get("type", "").strip()
                value[item] = _text(entry)
                entries.append(value)
            data[name] = entries
        elif name == "sensorElementList":
            data[name] = [_sensor_element(e, ns) for e in _children(child)]
        elif name == "persistentDisposition":
            disposition: dict[str, list[str]] = {}
            for entry in _children(child):
                disposition.setdefault(etree.QName(entry).localname, []).append(_text(entry))
            data[name] = disposition
        elif name == "errorDeclaration":
            data[name] = _error_declaration(child, ns)
        elif name == "ilmd":
            ilmd: dict[str, Any] = {}
            _extensions_only(child, ilmd, ns)
            data[name] = ilmd
        else:
            data[name] = _extension_value(child, ns)


def _place(element: etree._Element, place: dict[str, Any], ns: _Namespaces) -> None:
    for child in _children(element):
        qname = etree.QName(child)
        if qname.namespace is not None:
            _add(place, ns.element_key(child), _extension_value(child, ns))
        elif qname.localname == "extension":
            _place(child, place, ns)
        else:
            place[qname.localname] = _text(child)


def _extensions_only(element: etree._Element, out: dict[str, Any], ns: _Namespaces) -> None:
    for child in _children(element):
        qname = etree.QName(child)
        if qname.namespace is None and qname.localname == "extension":
            _extensions_only(child, out, ns)
        elif qname.namespace is None:
            _add(out, qname.localname, _extension_value(child, ns))
        else:
            _add(out, ns.element_key(child), _extension_value(child, ns))


def _quantity(element: etree._Element) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in _children(element):
        name = etree.QName(child).localname
        if child.get(f"{{{XSI_NS}}}nil") in ("true", "1"):
            continue  # <quantity xsi:nil="true"/>: no quantity
        text = _text(child)
        out[name] = _number(text) if name == "quantity" else text
    return out


def _number(text: str) -> Any:
    try:
        value = float(text)
    except ValueError:
        return text
    return (
        int(value)
        if value.is_integer() and "e" not in text.lower() and abs(value) < 1e15
        else value
    )


def _attributes(element: etree._Element, ns: _Namespaces) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for attribute, value in element.attrib.items():
        name = etree.QName(attribute)
        if name.namespace == XSI_NS:
            continue
        key = ns.attribute_key(element, str(attribute))
        text = value.strip()
        if name.namespace is None and key in _NUMERIC_ATTRIBUTES:
            out[key] = _number(text)
        elif name.namespace is None and key == "booleanValue":
            out[key] = text in ("true", "1")
        else:
            out[key] = text
    return out


def _sensor_element(element: etree._Element, ns: _Namespaces) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in _children(element):
        qname = etree.QName(child)
        if qname.namespace is None and qname.localname == "sensorMetadata":
            out["sensorMetadata"] = _attributes(child, ns)
        elif qname.namespace is None and qname.localname == "sensorReport":
            out.setdefault("sensorReport", []).append(_attributes(child, ns))
        elif qname.namespace is None and qname.localname == "extension":
            _extensions_only(child, out, ns)
        else:
            _add(out, ns.element_key(child), _extension_value(child, ns))
    return out


def _error_declaration(element: etree._Element, ns: _Namespaces) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in _children(element):
        qname = etree.QName(child)
        if qname.namespace is not None:
            _add(out, ns.element_key(child), _extension_value(child, ns))
        elif qname.localname == "correctiveEventIDs":
            out["correctiveEventIDs"] = [_text(c) for c in _children(child)]
        elif qname.localname == "extension":
            _extensions_only(child, out, ns)
        else:
            out[qname.localname] = _text(child)
    return out


def _extension_value(element: etree._Element, ns: _Namespaces) -> Any:
    children = _children(element)
    attributes = _attributes(element, ns)
    text = _text(element)
    if not children and not attributes:
        return text
    out: dict[str, Any] = dict(attributes)
    for child in children:
        _add(out, ns.element_key(child), _extension_value(child, ns))
    if text:
        out["#text"] = text
    return out
