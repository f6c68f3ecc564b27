"""``/epcis`` over HTTP: capture jobs, single events, SimpleEventQuery, paging, XML, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
import typer
from fastapi.testclient import TestClient
from lxml import etree
from typer.testing import CliRunner

from qcity._cli_support import QcityGroup
from qcity.epcis._xml import parse_xml
from qcity.epcis.cli import app as trace_app
from qcity.settings import get_settings
from tests.epcis.conftest import OPENEPCIS

DOC = OPENEPCIS / "JSON" / "Capture" / "Documents" / "Combination_of_different_event.json"
XML_DOC = OPENEPCIS / "XML" / "Capture" / "Documents" / "Combination_of_different_event.xml"
JSON_LD = {"Content-Type": "application/ld+json"}


def _capture(client: TestClient, path: Path, **headers: str) -> dict[str, object]:
    kind = "application/xml" if path.suffix == ".xml" else "application/ld+json"
    response = client.post(
        "/epcis/capture", content=path.read_bytes(), headers={"Content-Type": kind, **headers}
    )
    assert response.status_code == 202, response.text
    job = client.get(response.headers["Location"])
    assert job.status_code == 200
    body: dict[str, object] = job.json()
    return body


def test_capture_returns_a_finished_job(client: TestClient) -> None:
    job = _capture(client, DOC)
    assert job["running"] is False and job["success"] is True
    assert job["captureErrorBehaviour"] == "rollback" and job["eventsCaptured"] == 6
    again = _capture(client, XML_DOC)  # the same events in XML: stored once
    assert (again["eventsCaptured"], again["eventsAlreadyStored"]) == (0, 6)


def test_capture_errors_are_400_naming_the_field(client: TestClient) -> None:
    bad = OPENEPCIS / "JSON" / "Capture" / "Invalid" / "ObjectEvent_with_non_standard_bizStep.json"
    response = client.post("/epcis/capture", content=bad.read_bytes(), headers=JSON_LD)
    assert response.status_code == 400
    assert "/epcisBody/eventList/0/bizStep" in response.json()["detail"]
    malformed = client.post("/epcis/capture", content=b"{oops", headers=JSON_LD)
    assert malformed.status_code == 400 and "malformed JSON" in malformed.json()["detail"]


def test_proceed_header_keeps_the_good_events(client: TestClient) -> None:
    bad = (
        OPENEPCIS
        / "JSON"
        / "Capture"
        / "Invalid"
        / "ObjectEvent_with_non_standard_bizStep_in_second_event.json"
    )
    job = _capture(client, bad, **{"GS1-Capture-Error-Behaviour": "proceed"})
    assert job["success"] is False and job["eventsCaptured"] == 1
    assert "bizStep" in job["errors"][0]["where"]  # type: ignore[index]


def test_single_event_and_get_by_event_id(client: TestClient) -> None:
    event = OPENEPCIS / "JSON" / "Capture" / "Events" / "ObjectEvent.json"
    response = client.post("/epcis/events", content=event.read_bytes(), headers=JSON_LD)
    assert response.status_code == 201, response.text
    fetched = client.get(response.headers["Location"])
    events = fetched.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert len(events) == 1 and events[0]["type"] == "ObjectEvent"
    assert (
        client.get("/epcis/events/urn:uuid:00000000-0000-0000-0000-000000000000").status_code == 404
    )


SENSOR_DOC = (
    OPENEPCIS / "JSON" / "Capture" / "Documents" / ("TransactionEvent_with_userExtensions.json")
)
# XML children out of the XSD's xsd:sequence order: rejected (tests/epcis/conftest.py).
JUMBLED_DOC = OPENEPCIS / "XML" / "Capture" / "Documents" / "JumbledFieldsOrder.xml"
DRAFT_FIELD = "/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/type"


def test_the_capture_job_lists_the_warnings(client: TestClient) -> None:
    job = _capture(client, SENSOR_DOC)
    assert job["success"] is True and job["errors"] == []
    assert job["warnings"] == [
        {
            "where": DRAFT_FIELD,
            "message": "'EffectiveDoseRate' is not in the CBV 2.0 measurement types "
            "(gs1:MeasurementType): accepted as a draft or unlisted GS1 term; GS1 now names it "
            "DoseEquivalentRate",
            "event_index": 0,
        }
    ]
    assert _capture(client, DOC)["warnings"] == []


def test_a_single_event_out_of_the_xsd_order_is_refused_naming_the_element(
    client: TestClient,
) -> None:
    event = OPENEPCIS / "XML" / "Capture" / "Events" / "ObjectEvent.xml"
    root = etree.fromstring(event.read_bytes())
    root[:] = list(reversed(root))  # every child out of the XSD order; first: example:myField
    headers = {"Content-Type": "application/xml"}
    response = client.post("/epcis/events", content=etree.tostring(root), headers=headers)
    assert response.status_code == 400, response.text
    problem = response.json()["problems"][0]
    assert "myField': This element is not expected" in problem["message"]
    assert problem["where"].startswith("/epcis:EPCISDocument/EPCISBody/EventList/ObjectEvent/")
    assert (
        client.get("/epcis/events").json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        == []
    )


def test_a_single_event_answers_with_its_warnings(client: TestClient) -> None:
    plain = OPENEPCIS / "JSON" / "Capture" / "Events" / "TransactionEvent.json"
    response = client.post("/epcis/events", content=plain.read_bytes(), headers=JSON_LD)
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["Location"].endswith(quote(body["eventID"], safe=""))
    assert body["warnings"] == []
    document = json.loads(SENSOR_DOC.read_text())
    drafted = {"@context": document["@context"], **document["epcisBody"]["eventList"][0]}
    response = client.post("/epcis/events", content=json.dumps(drafted), headers=JSON_LD)
    assert response.status_code == 201, response.text
    assert [(w["where"], w["event_index"]) for w in response.json()["warnings"]] == [
        ("/sensorElementList/0/sensorReport/0/type", 0)
    ]


def _events(client: TestClient, **params: str) -> list[dict[str, object]]:
    response = client.get("/epcis/events", params=params)
    assert response.status_code == 200, response.text
    events: list[dict[str, object]] = response.json()["epcisBody"]["queryResults"]["resultsBody"][
        "eventList"
    ]
    return events


def test_query_parameters(client: TestClient) -> None:
    _capture(client, DOC)
    assert len(_events(client)) == 6
    assert {e["type"] for e in _events(client, eventType="AssociationEvent")} == {
        "AssociationEvent"
    }
    assert len(_events(client, eventType="ObjectEvent,AggregationEvent")) == 2
    by_step = _events(client, EQ_bizStep="urn:epcglobal:cbv:bizstep:unpacking")
    assert [e["bizStep"] for e in by_step] == ["unpacking"]
    assert (
        len(
            _events(
                client, GE_eventTime="2019-01-01T00:00:00Z", LT_eventTime="2020-01-01T00:00:00Z"
            )
        )
        == 3
    )
    assert len(_events(client, EXISTS_errorDeclaration="true")) == 1
    assert len(_events(client, MATCH_parentID="urn:epc:idpat:grai:4012345.55555.*")) == 2
    assert len(_events(client, MATCH_epc="urn:epc:idpat:sgtin:9520001.012346.*")) == 1
    assert len(_events(client, MATCH_anyEPC="urn:epc:id:sgtin:9520001.012346.10000001001")) == 1
    bad = client.get("/epcis/events", params={"EQ_colour": "red"})
    assert bad.status_code == 400 and "EQ_colour" in bad.json()["detail"]


def test_pagination_is_stable_and_linked(client: TestClient) -> None:
    _capture(client, DOC)
    seen: list[object] = []
    url = "/epcis/events?perPage=4"
    while url:
        response = client.get(url)
        body = response.json()
        seen += [
            e["eventID"] for e in body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        ]
        link = response.headers.get("Link")
        url = link[1 : link.index(">")] if link else ""
    assert len(seen) == len(set(seen)) == 6
    tampered = client.get("/epcis/events", params={"perPage": "4", "nextPageToken": "bm9wZQ"})
    assert tampered.status_code == 400


def test_xml_response_is_valid_and_round_trips(client: TestClient) -> None:
    _capture(client, DOC)
    as_json = _events(client)
    response = client.get("/epcis/events", headers={"Accept": "application/xml"})
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "application/xml"
    )
    etree.fromstring(response.content)
    document = parse_xml(response.content)  # validated against the packaged query XSD
    assert len(document.events) == len(as_json) == 6


def test_openapi_lists_the_epcis_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/epcis/capture", "/epcis/capture/{capture_id}", "/epcis/events"} <= set(paths)


# ------------------------------------------------------------------------------------------ CLI

root = typer.Typer(cls=QcityGroup, pretty_exceptions_enable=False)
root.add_typer(trace_app, name="trace")  # as src/qcity/cli.py registers it
runner = CliRunner()


@pytest.fixture
def cli_db(monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("QCITY_DATABASE_URL", db_url)
    monkeypatch.setenv("QCITY_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()


def test_cli_capture(cli_db: None) -> None:
    result = runner.invoke(root, ["trace", "capture", str(DOC), str(XML_DOC)])
    assert result.exit_code == 0, result.output
    assert "6 captured, 0 already stored" in result.output
    assert "0 captured, 6 already stored" in result.output


def test_cli_bad_file_is_one_line_naming_file_and_field(cli_db: None, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    document = json.loads(DOC.read_text())
    document["epcisBody"]["eventList"][0]["action"] = "CREATE"
    bad.write_text(json.dumps(document))
    result = runner.invoke(root, ["trace", "capture", str(bad)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert (
        len(lines) == 1 and "bad.json" in lines[0] and "/epcisBody/eventList/0/action" in lines[0]
    )
    assert "Traceback" not in result.output


def test_cli_prints_warnings_and_exits_0(cli_db: None) -> None:
    result = runner.invoke(root, ["trace", "capture", str(SENSOR_DOC)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning: ")]
    assert warnings == [
        f"warning: {SENSOR_DOC}, event 0, {DRAFT_FIELD}: 'EffectiveDoseRate' is not in the CBV "
        "2.0 measurement types (gs1:MeasurementType): accepted as a draft or unlisted GS1 term; "
        "GS1 now names it DoseEquivalentRate"
    ]
    assert "1 captured, 0 already stored, 0 rejected" in result.output


def test_cli_refuses_xml_out_of_the_xsd_order_naming_file_and_element(cli_db: None) -> None:
    result = runner.invoke(root, ["trace", "capture", str(JUMBLED_DOC)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {JUMBLED_DOC}: "), result.output
    misplaced = "Element 'disposition': This element is not expected"
    assert f"TransactionEvent/disposition (line 8): {misplaced}" in lines[0]
    assert "captured" not in result.output and "Traceback" not in result.output
