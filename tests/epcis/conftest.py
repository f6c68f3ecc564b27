"""Fixtures of the EPCIS tests: the corpus (tests/fixtures/epcis, see SOURCES.md) and helpers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from qcity.epcis import service
from qcity.settings import Settings
from qcity.web.app import create_app
from tests.api_authz.helpers import authorise
from tests.conftest import REFERENCE

CORPUS = REFERENCE / "epcis"
OPENEPCIS = CORPUS / "openepcis-test-resources" / "2.0" / "EPCIS"
GS1 = CORPUS / "gs1-EPCIS"
NOT_EVENT_DOCUMENTS = ("CaptureJob", "masterData", "CBV-11.4", "masterdata_all_possible_fields")
KNOWN_BAD = {  # fail the official JSON Schema (reference README), listed in SOURCES.md
    "gs1-EPCIS/JSON-simple-context/Example-TransactionEvents-2020_07_03y.jsonld",
    "gs1-EPCIS/JSON-simple-context/WithFullCombinationOfFields/object_event_all_possible_fields.jsonld",
    "gs1-EPCIS/JSON-simple-context/WithSensorData/SensorDataExample12.jsonld",
    "gs1-EPCIS/JSON-simple-context/WithSensorData/SensorDataExample17.jsonld",
    "gs1-EPCIS/XML/WithEventHashID/event_with_identical_hash_id_7.json",
}
# Accepted with a warning naming the field (SOURCES.md): sensor measurement types that are
# well-formed GS1 names but not gs1:MeasurementType terms (`Molar_concentration`,
# `EffectiveDoseRate`: drafts that GS1's ratified JSON examples replaced by
# AmountOfSubstancePerUnitVolume and DoseEquivalentRate; the XML copies still use them).
# Each value: (field in the warning's place, text).
_DOCS = "openepcis-test-resources/2.0/EPCIS/{}/Capture/Documents/{}"
_DRAFT = "is not in the CBV 2.0 measurement types"
WARNED = {
    _DOCS.format("JSON", "SensorData_with_combined_events.json"): (
        "/epcisBody/eventList/7/sensorElementList/0/sensorReport/1/type",
        f"'Molar_concentration' {_DRAFT}",
    ),
    _DOCS.format("XML", "SensorData_with_combined_events.xml"): (
        "/AggregationEvent/sensorElementList/0/sensorReport/1/type",
        f"'gs1:Molar_concentration' {_DRAFT}",
    ),
    _DOCS.format("JSON", "TransactionEvent_with_userExtensions.json"): (
        "/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/type",
        f"'EffectiveDoseRate' {_DRAFT}",
    ),
    _DOCS.format("XML", "TransactionEvent_with_userExtensions.xml"): (
        "/TransactionEvent/sensorElementList/0/sensorReport/0/type",
        f"'gs1:EffectiveDoseRate' {_DRAFT}",
    ),
    "gs1-EPCIS/XML/WithSensorData/SensorDataExamples.xml": (
        "/AggregationEvent/sensorElementList/0/sensorReport/1/type",
        f"'gs1:Molar_concentration' {_DRAFT}",
    ),
    "gs1-EPCIS/XML/WithExtension/TransactionEvent.xml": (
        "/TransactionEvent/sensorElementList/0/sensorReport/0/type",
        f"'gs1:EffectiveDoseRate' {_DRAFT}",
    ),
}
# In a must-accept folder but rejected: XML children out of the XSD's order. The XSD is
# normative for the XML binding and declares every event type as an xsd:sequence (OpenEPCIS's
# own Invalid/ObjectEvent_with_wrong_element_order.xml tests exactly that, and the reference
# README says */Invalid/* must be rejected); the README gives validity for JSON only, and the
# JSON twin (JSON has no element order) is accepted. Value: the first misplaced element.
XSD_ORDER_INVALID = {_DOCS.format("XML", "JumbledFieldsOrder.xml"): "disposition"}


def relative(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".json", ".jsonld", ".xml"))


def must_accept() -> list[Path]:
    files = [*_files(GS1 / "JSON"), *_files(GS1 / "JSON-simple-context"), *_files(GS1 / "XML")]
    for fmt in ("JSON", "XML"):
        files += _files(OPENEPCIS / fmt / "Capture" / "Documents")
        files += _files(OPENEPCIS / fmt / "Capture" / "Events")
    return [
        p
        for p in files
        if not any(n in p.as_posix() for n in NOT_EVENT_DOCUMENTS)
        and relative(p) not in KNOWN_BAD
        and relative(p) not in XSD_ORDER_INVALID
    ]


def must_reject() -> list[Path]:
    files = [CORPUS / k for k in sorted(KNOWN_BAD)]
    files += [CORPUS / k for k in sorted(XSD_ORDER_INVALID)]
    for fmt in ("JSON", "XML"):
        files += _files(OPENEPCIS / fmt / "Capture" / "Invalid")
        files += _files(OPENEPCIS / fmt / "Query" / "Invalid")
    return files


def pairs() -> list[str]:
    """OpenEPCIS capture documents present as JSON and XML under the same name."""
    json_names = {p.stem for p in _files(OPENEPCIS / "JSON" / "Capture" / "Documents")}
    xml_names = {p.stem for p in _files(OPENEPCIS / "XML" / "Capture" / "Documents")}
    rejected = {Path(name).stem for name in XSD_ORDER_INVALID}  # pinned by test_corpus instead
    return sorted((json_names & xml_names) - rejected)


def capture_file(session: Session, path: Path, **options: object) -> service.CaptureOutcome:
    return service.capture(session, path.read_bytes(), None, source=path.name, **options)  # type: ignore[arg-type]


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    """The qcity app (it includes the EPCIS router)."""
    app = create_app(Settings(env="development", database_url=str(engine.url)), engine)
    with TestClient(app) as test_client:
        yield authorise(test_client, engine)
