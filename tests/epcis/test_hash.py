"""CBV 2.0 §8.9 event hash IDs: canonical form, the corpus's hash sets, the reference hashes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qcity.epcis import service
from qcity.epcis._hash import event_hash, prehash, timestamp
from qcity.epcis._xml import parse_xml
from tests.epcis.conftest import CORPUS, GS1, OPENEPCIS, pairs

HASH_SET = GS1 / "XML" / "WithEventHashID"


def _hashes(path: Path, *, validate: bool = True) -> list[str]:
    data = path.read_bytes()
    document = (
        service.parse(data)
        if validate or path.suffix != ".xml"
        else parse_xml(data, validate=False)
    )
    return [event_hash(e.data, e.namespaces) for e in document.events]


def test_hash_set_variants_agree() -> None:
    """Shuffled EPCs and quantities, other prefixes, xsi:type and the JSON form: one hash."""
    base = _hashes(HASH_SET / "event_with_identical_hash_id_1.xml")
    for name in ("3.xml", "4.xml", "5.xml", "6.xml", "7.json"):
        assert _hashes(HASH_SET / f"event_with_identical_hash_id_{name}") == base, name


def test_other_time_zone_offset_is_another_event() -> None:
    """File 2 states eventTimeZoneOffset -05:00 instead of -06:00 (same instant). CBV §8.9 hashes
    eventTimeZoneOffset (canonical property 3), so the hash differs; with the offset restored it
    is the set's hash."""
    base = _hashes(HASH_SET / "event_with_identical_hash_id_1.xml")
    document = service.parse((HASH_SET / "event_with_identical_hash_id_2.xml").read_bytes())
    event = document.events[0]
    assert event_hash(event.data, event.namespaces) != base[0]
    assert event.data["eventTimeZoneOffset"] == "-05:00"
    restored = {**event.data, "eventTimeZoneOffset": "-06:00"}
    assert [event_hash(restored, event.namespaces)] == base


def test_agrees_with_the_gs1_reference_implementation() -> None:
    """58 events hashed by epcis-event-hash-generator 1.9.3 (see SOURCES.md)."""
    golden = json.loads((CORPUS / "reference_hashes.json").read_text())
    checked = 0
    for name, expected in golden.items():
        hashes = _hashes(CORPUS / name, validate=False)
        for index, value in expected:
            assert hashes[index] == value, (name, index)
            checked += 1
    assert checked == 58


@pytest.mark.parametrize("name", pairs())
def test_xml_and_json_forms_hash_alike(name: str) -> None:
    json_path = OPENEPCIS / "JSON" / "Capture" / "Documents" / f"{name}.json"
    xml_path = OPENEPCIS / "XML" / "Capture" / "Documents" / f"{name}.xml"
    assert _hashes(json_path, validate=False) == _hashes(xml_path, validate=False)


def test_prehash_of_a_minimal_event() -> None:
    """Worked example: rules for times, EPC → Digital Link, CBV terms, sorting."""
    event = {
        "type": "ObjectEvent",
        "eventTime": "2024-05-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": ["urn:epc:id:sgtin:6901234.012345.2", "urn:epc:id:sgtin:6901234.012345.1"],
        "action": "OBSERVE",
        "bizStep": "shipping",
        "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
        "quantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.012345.L1", "quantity": 2.50}],
    }
    assert prehash(event) == (
        "eventType=ObjectEventeventTime=2024-05-01T00:00:00.000ZeventTimeZoneOffset=+08:00"
        "epcListepc=https://id.gs1.org/01/06901234123456/21/1"
        "epc=https://id.gs1.org/01/06901234123456/21/2"
        "quantityListquantityElementepcClass=https://id.gs1.org/01/06901234123456/10/L1quantity=2.5"
        "action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-shipping"
        "readPointid=https://id.gs1.org/414/6901234000016"
    )
    assert event_hash(event).startswith("ni:///sha-256;") and event_hash(event).endswith(
        "?ver=CBV2.0"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2005-04-04T20:33:31.116-06:00", "2005-04-05T02:33:31.116Z"),
        ("2022-04-13T12:35:29.017069617Z", "2022-04-13T12:35:29.017Z"),
        ("2020-01-01T00:00:00Z", "2020-01-01T00:00:00.000Z"),
        ("2020-01-01T23:59:59.9996+00:00", "2020-01-02T00:00:00.000Z"),
    ],
)
def test_timestamps_are_utc_milliseconds(value: str, expected: str) -> None:
    assert timestamp(value) == expected
