"""Writing events (EPCIS JSON form) as EPCIS 2.0 XML: an EPCISQueryDocument for query results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lxml import etree

from qcity.epcis import _cbv
from qcity.epcis._hash import STANDARD_KEYS
from qcity.epcis._xml import EPCIS_NS, QUERY_NS

_BASE = ("eventTime", "recordTime", "eventTimeZoneOffset", "eventID", "errorDeclaration",
         "certificationInfo")  # fmt: skip
_ORDER = {
    "ObjectEvent": ("epcList", "action", "bizStep", "disposition", "readPoint", "bizLocation",
                    "bizTransactionList", "quantityList", "sourceList", "destinationList",
                    "sensorElementList", "persistentDisposition", "ilmd"),
    "AggregationEvent": ("parentID", "childEPCs", "action", "bizStep", "disposition", "readPoint",
                         "bizLocation", "bizTransactionList", "childQuantityList", "sourceList",
                         "destinationList", "sensorElementList", "persistentDisposition"),
    "TransactionEvent": ("bizTransactionList", "parentID", "epcList", "action", "bizStep",
                         "disposition", "readPoint", "bizLocation", "quantityList", "sourceList",
                         "destinationList", "sensorElementList", "persistentDisposition"),
    "TransformationEvent": ("inputEPCList", "inputQuantityList", "outputEPCList",
                            "outputQuantityList", "transformationID", "bizStep", "disposition",
                            "readPoint", "bizLocation", "bizTransactionList", "sourceList",
                            "destinationList", "sensorElementList", "persistentDisposition",
                            "ilmd"),
    "AssociationEvent": ("parentID", "childEPCs", "childQuantityList", "action", "bizStep",
                         "disposition", "readPoint", "bizLocation", "bizTransactionList",
                         "sourceList", "destinationList", "sensorElementList",
                         "persistentDisposition"),
}  # fmt: skip
_VOCAB = {"bizStep": _cbv.BIZ_STEP, "disposition": _cbv.DISPOSITION}
_PARTY = {"bizTransactionList": ("bizTransaction", _cbv.BIZ_TRANSACTION_TYPE),
          "sourceList": ("source", _cbv.SOURCE_DEST_TYPE),
          "destinationList": ("destination", _cbv.SOURCE_DEST_TYPE)}  # fmt: skip


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Writer:
    def __init__(self, namespaces: dict[str, str]) -> None:
        self.namespaces = {**_cbv.CONTEXT_PREFIXES, **namespaces}

    def qname(self, key: str) -> str:
        prefix, sep, local = key.partition(":")
        if sep and prefix in self.namespaces:
            return f"{{{self.namespaces[prefix]}}}{local}"
        return key

    def extension(self, parent: etree._Element, key: str, value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                self.extension(parent, key, item)
            return
        element = etree.SubElement(parent, self.qname(key))
        if isinstance(value, dict):
            for child_key, child in value.items():
                if child_key == "#text":
                    element.text = _text(child)
                elif not child_key.startswith("@"):
                    self.extension(element, child_key, child)
        else:
            element.text = _text(value)

    def attributes(self, element: etree._Element, mapping: dict[str, Any]) -> None:
        for key, value in mapping.items():
            if isinstance(value, dict | list):
                continue
            element.set(self.qname(key), _text(value))

    def field(self, event: etree._Element, key: str, value: Any) -> None:
        if key in ("epcList", "childEPCs", "inputEPCList", "outputEPCList"):
            container = etree.SubElement(event, key)
            for epc in value:
                etree.SubElement(container, "epc").text = str(epc)
        elif key.endswith("QuantityList") or key == "quantityList":
            container = etree.SubElement(event, key)
            for item in value:
                element = etree.SubElement(container, "quantityElement")
                for field in ("epcClass", "quantity", "uom"):
                    if field in item:
                        etree.SubElement(element, field).text = _text(item[field])
        elif key in _VOCAB:
            etree.SubElement(event, key).text = _cbv.urn(_VOCAB[key], str(value))
        elif key in ("readPoint", "bizLocation"):
            element = etree.SubElement(event, key)
            etree.SubElement(element, "id").text = str(value["id"])
            for extra, item in value.items():
                if extra != "id":
                    self.extension(element, extra, item)
        elif key in _PARTY:
            item_name, vocabulary = _PARTY[key]
            container = etree.SubElement(event, key)
            for entry in value:
                element = etree.SubElement(container, item_name)
                if entry.get("type"):
                    element.set("type", _cbv.urn(vocabulary, str(entry["type"])))
                element.text = str(entry[item_name])
        elif key == "persistentDisposition":
            element = etree.SubElement(event, key)
            for part in ("unset", "set"):  # the XSD's order
                for item in value.get(part) or []:
                    etree.SubElement(element, part).text = _cbv.urn(_cbv.DISPOSITION, item)
        elif key == "errorDeclaration":
            element = etree.SubElement(event, key)
            if "declarationTime" in value:
                etree.SubElement(element, "declarationTime").text = str(value["declarationTime"])
            if "reason" in value:
                etree.SubElement(element, "reason").text = _cbv.urn(
                    _cbv.ERROR_REASON, value["reason"]
                )
            if value.get("correctiveEventIDs"):
                ids = etree.SubElement(element, "correctiveEventIDs")
                for item in value["correctiveEventIDs"]:
                    etree.SubElement(ids, "correctiveEventID").text = str(item)
            for extra, item in value.items():
                if extra not in ("declarationTime", "reason", "correctiveEventIDs"):
                    self.extension(element, extra, item)
        elif key == "sensorElementList":
            container = etree.SubElement(event, key)
            for sensor in value:
                element = etree.SubElement(container, "sensorElement")
                if "sensorMetadata" in sensor:
                    self.attributes(
                        etree.SubElement(element, "sensorMetadata"), sensor["sensorMetadata"]
                    )
                for report in sensor.get("sensorReport") or []:
                    self.attributes(etree.SubElement(element, "sensorReport"), report)
                for extra, item in sensor.items():
                    if extra not in ("sensorMetadata", "sensorReport", "type"):
                        self.extension(element, extra, item)
        elif key == "ilmd":
            element = etree.SubElement(event, key)
            for extra, item in value.items():
                self.extension(element, extra, item)
        elif key == "certificationInfo":
            for item in value if isinstance(value, list) else [value]:
                etree.SubElement(event, key).text = str(item)
        else:
            etree.SubElement(event, key).text = _text(value)


def event_element(document: dict[str, Any]) -> etree._Element:
    """One event as its XML element (fields in the XSD's order, extensions last)."""
    namespaces: dict[str, str] = {}
    for context in document.get("@context") or []:
        if isinstance(context, dict):
            namespaces.update({k: v for k, v in context.items() if isinstance(v, str)})
    writer = _Writer(namespaces)
    event_type = str(document["type"])
    event = etree.Element(event_type, nsmap=dict(namespaces) or None)
    for key in (*_BASE, *_ORDER[event_type]):
        if key in document and document[key] not in (None, [], {}):
            writer.field(event, key, document[key])
    for key, value in document.items():
        if key not in STANDARD_KEYS and not key.startswith("@"):
            writer.extension(event, key, value)
    return event


def query_document(documents: Sequence[dict[str, Any]], creation_date: str) -> bytes:
    """An EPCISQueryDocument (SimpleEventQuery results) holding ``documents``."""
    root = etree.Element(
        f"{{{QUERY_NS}}}EPCISQueryDocument",
        {"schemaVersion": "2.0", "creationDate": creation_date},
        nsmap={"epcisq": QUERY_NS, "epcis": EPCIS_NS},
    )
    body = etree.SubElement(root, "EPCISBody")
    results = etree.SubElement(body, f"{{{QUERY_NS}}}QueryResults")
    etree.SubElement(results, "queryName").text = "SimpleEventQuery"
    results_body = etree.SubElement(results, "resultsBody")
    event_list = etree.SubElement(results_body, "EventList")
    for document in documents:
        event_list.append(event_element(document))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
