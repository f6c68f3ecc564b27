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
# In the corpus's must-accept folders but non-conformant; the reason must appear in the error.
# Sensor measurement types: EPCIS 2.0 gives sensorReport `type` the range gs1:MeasurementType
# (Ontology/EPCIS.ttl `epcis:measurementType`); the JSON Schema's `measurementType` allows the
# GS1 enumeration or a URI outside https://gs1.org/voc/ (`vocab-nonGS1WebVoc-uri`).
# `Molar_concentration` and `EffectiveDoseRate` are draft names that GS1's own ratified JSON
# examples replaced by `AmountOfSubstancePerUnitVolume` (JSON/WithSensorData/SensorDataExample8)
# and `DoseEquivalentRate` (SensorDataExample11); the XML copies (`gs1:` CURIEs, the same IRIs)
# are rejected alike. Element order: the XML binding's normative XSD (EPCglobal-epcis-2_0.xsd)
# declares every event type as an xsd:sequence (OpenEPCIS's own
# Invalid/ObjectEvent_with_wrong_element_order.xml tests exactly that).
_DOCS = "openepcis-test-resources/2.0/EPCIS/{}/Capture/Documents/{}"
CONFLICTS = {
    _DOCS.format("JSON", "SensorData_with_combined_events.json"): "'Molar_concentration'",
    _DOCS.format("XML", "SensorData_with_combined_events.xml"): "'gs1:Molar_concentration'",
    _DOCS.format("JSON", "TransactionEvent_with_userExtensions.json"): "'EffectiveDoseRate'",
    _DOCS.format("XML", "TransactionEvent_with_userExtensions.xml"): "'gs1:EffectiveDoseRate'",
    "gs1-EPCIS/XML/WithSensorData/SensorDataExamples.xml": "'gs1:Molar_concentration'",
    "gs1-EPCIS/XML/WithExtension/TransactionEvent.xml": "'gs1:EffectiveDoseRate'",
    _DOCS.format("XML", "JumbledFieldsOrder.xml"): "not expected",
}


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
        and relative(p) not in CONFLICTS
    ]


def must_reject() -> list[Path]:
    files = [CORPUS / k for k in sorted(KNOWN_BAD)]
    for fmt in ("JSON", "XML"):
        files += _files(OPENEPCIS / fmt / "Capture" / "Invalid")
        files += _files(OPENEPCIS / fmt / "Query" / "Invalid")
    return files


def pairs() -> list[str]:
    """OpenEPCIS capture documents present as JSON and XML under the same name."""
    json_names = {p.stem for p in _files(OPENEPCIS / "JSON" / "Capture" / "Documents")}
    xml_names = {p.stem for p in _files(OPENEPCIS / "XML" / "Capture" / "Documents")}
    conflicting = {Path(name).stem for name in CONFLICTS}  # pinned by test_corpus instead
    return sorted((json_names & xml_names) - conflicting)


def capture_file(session: Session, path: Path, **options: object) -> service.CaptureOutcome:
    return service.capture(session, path.read_bytes(), None, source=path.name, **options)  # type: ignore[arg-type]


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    """The qcity app (it includes the EPCIS router)."""
    app = create_app(Settings(env="development", database_url=str(engine.url)), engine)
    with TestClient(app) as test_client:
        yield authorise(test_client, engine)
