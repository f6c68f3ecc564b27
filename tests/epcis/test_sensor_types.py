"""Sensor measurement types, in JSON and in XML: gs1:MeasurementType terms are accepted, other
well-formed GS1 names are accepted with a warning naming the field, malformed ones rejected."""

from __future__ import annotations

import json

import pytest

from qcity.epcis import service
from qcity.epcis._validate import findings, gs1_measurement_term, measurement_types, validate

XML = """<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0"
 creationDate="2024-05-01T00:00:00Z"><EPCISBody><EventList><ObjectEvent>
 <eventTime>2024-05-01T08:00:00+08:00</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
 <epcList><epc>urn:epc:id:sgtin:6901234.012345.1</epc></epcList><action>OBSERVE</action>
 <sensorElementList><sensorElement><sensorReport type="{}" value="1.5" uom="CEL"/></sensorElement>
 </sensorElementList></ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>"""


def _json(kind: str) -> bytes:
    event = {
        "type": "ObjectEvent",
        "eventTime": "2024-05-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "epcList": ["urn:epc:id:sgtin:6901234.012345.1"],
        "sensorElementList": [{"sensorReport": [{"type": kind, "value": 1.5, "uom": "CEL"}]}],
    }
    return json.dumps(
        {
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2024-05-01T00:00:00Z",
            "epcisBody": {"eventList": [event]},
        }
    ).encode()


def _problems(data: bytes) -> list[str]:
    document_problems, per_event = validate(service.parse(data))
    found = document_problems + [p for i in sorted(per_event) for p in per_event[i]]
    return [f"{p.where}: {p.message}" for p in found]


def test_the_gs1_list_is_the_schema_enumeration() -> None:
    types = measurement_types()
    assert len(types) == 72
    assert {"Temperature", "AmountOfSubstancePerUnitVolume", "DoseEquivalentRate"} <= types
    assert "Molar_concentration" not in types


@pytest.mark.parametrize(
    ("value", "term"),
    [
        ("Temperature", "Temperature"),
        ("gs1:Temperature", "Temperature"),
        ("https://gs1.org/voc/Temperature", "Temperature"),
        ("http://www.gs1.org/voc/Mass", "Mass"),
        ("https://example.org/voc/Ripeness", None),
        ("example:someSensorProperty", None),
    ],
)
def test_gs1_terms_are_recognised_in_every_spelling(value: str, term: str | None) -> None:
    assert gs1_measurement_term(value) == term


@pytest.mark.parametrize("kind", ["Temperature", "https://example.org/voc/Ripeness"])
def test_json_accepts_gs1_terms_and_other_vocabularies(kind: str) -> None:
    assert _problems(_json(kind)) == []


@pytest.mark.parametrize("kind", ["gs1:Temperature", "https://example.org/voc/Ripeness"])
def test_xml_accepts_gs1_terms_and_other_vocabularies(kind: str) -> None:
    assert _problems(XML.format(kind).encode()) == []


def _warnings(data: bytes) -> list[str]:
    return [f"{w.where}: {w.message}" for w in findings(service.parse(data)).warnings]


FIELD = "sensorElementList/0/sensorReport/0/type"


@pytest.mark.parametrize(
    ("data", "value", "successor"),
    [
        (_json("Molar_concentration"), "'Molar_concentration'", "AmountOfSubstancePerUnitVolume"),
        (XML.format("gs1:Molar_concentration").encode(), "'gs1:Molar_concentration'", "Amount"),
        (XML.format("https://gs1.org/voc/EffectiveDoseRate").encode(), "EffectiveDoseRate",
         "DoseEquivalentRate"),
        (_json("gs1:Ripeness"), "'gs1:Ripeness'", ""),
    ],
)  # fmt: skip
def test_unlisted_gs1_terms_are_accepted_with_a_warning_naming_the_field(
    data: bytes, value: str, successor: str
) -> None:
    assert _problems(data) == []
    warnings = _warnings(data)
    assert len(warnings) == 1
    assert FIELD in warnings[0] and value in warnings[0] and "gs1:MeasurementType" in warnings[0]
    assert successor in warnings[0]


@pytest.mark.parametrize(
    ("data", "value"),
    [
        (_json("Molar concentration"), "'Molar concentration'"),
        (_json("gs1:"), "'gs1:'"),
        (XML.format("gs1:9Temperature").encode(), "'gs1:9Temperature'"),
        (XML.format("https://gs1.org/voc/Temp%C2%B0").encode(), "Temp%C2%B0"),
    ],
)
def test_malformed_gs1_terms_are_rejected_naming_the_field(data: bytes, value: str) -> None:
    problems = _problems(data)
    assert len(problems) == 1
    assert FIELD in problems[0]
    assert value in problems[0] and "not a well-formed GS1 measurement type" in problems[0]


def test_a_report_without_type_is_accepted_with_a_warning_in_json_and_xml() -> None:
    event = json.loads(_json("Temperature"))
    del event["epcisBody"]["eventList"][0]["sensorElementList"][0]["sensorReport"][0]["type"]
    xml = XML.replace(' type="{}"', "").encode()
    for data in (json.dumps(event).encode(), xml):
        assert _problems(data) == []
        (warning,) = _warnings(data)
        assert FIELD in warning and "JSON Schema requires a measurement type" in warning


def test_the_json_schema_still_checks_the_rest_of_a_tolerated_report() -> None:
    """Tolerating the type must not excuse the report's other fields."""
    event = json.loads(_json("Molar_concentration"))
    event["epcisBody"]["eventList"][0]["sensorElementList"][0]["sensorReport"][0]["value"] = "x"
    problems = _problems(json.dumps(event).encode())
    assert len(problems) == 1 and "sensorReport/0/value" in problems[0]
