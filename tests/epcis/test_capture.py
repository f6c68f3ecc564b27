"""Capture into the database (SQLite and PostgreSQL): storage contract, idempotency, behaviours."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from qcity.db import unit_of_work
from qcity.epcis import service
from qcity.epcis._document import EpcisInputError
from qcity.epcis._identifiers import canonical_digital_link
from qcity.epcis.models import (
    CaptureJob,
    EpcisBizTransaction,
    EpcisEvent,
    EpcisEventObject,
    EpcisEventParty,
)
from tests.epcis.conftest import OPENEPCIS, capture_file, pairs

LOT = "urn:qcity:lot:91350100M000100Y43:B%E6%89%B91"  # batch 「B批1」 of a producer


def _event(**fields: object) -> dict[str, object]:
    event: dict[str, object] = {
        "type": "ObjectEvent",
        "eventTime": "2024-05-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "epcList": ["urn:epc:id:sgtin:6901234.012345.1"],
        "bizStep": "shipping",
    }
    event.update(fields)
    return event


def _document(*events: dict[str, object]) -> bytes:
    return json.dumps(
        {
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2024-05-01T00:00:00Z",
            "epcisBody": {"eventList": list(events)},
        }
    ).encode()


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_storage_contract(engine: Engine) -> None:
    """One event of each kind of row: normalised columns, objects, parties, transactions."""
    event = _event(
        eventTime="2024-05-01T08:00:00.123+08:00",
        bizStep="urn:epcglobal:cbv:bizstep:shipping",
        disposition="https://ref.gs1.org/cbv/Disp-in_transit",
        readPoint={"id": "https://id.gs1.org/414/6901234000016"},
        bizLocation={"id": "urn:epc:id:sgln:6901234.00001.0"},
        epcList=["https://id.gs1.org/01/06901234123456/21/1"],
        quantityList=[{"epcClass": LOT, "quantity": 12.5, "uom": "KGM"}],
        sourceList=[{"type": "owning_party", "source": "urn:epc:id:pgln:6901234.00001"}],
        destinationList=[
            {
                "type": "urn:epcglobal:cbv:sdt:location",
                "destination": "urn:epc:id:sgln:6901234.00002.0",
            }
        ],
        bizTransactionList=[
            {"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:6901234000016:PO-1"}
        ],
    )
    with unit_of_work(engine) as session:
        outcome = service.capture(session, _document(event))
    assert outcome.job.status == "success"
    with Session(engine) as session:
        row = session.scalars(select(EpcisEvent)).one()
        assert row.event_type == "ObjectEvent" and row.action == "OBSERVE"
        assert (row.biz_step, row.disposition) == ("shipping", "in_transit")
        assert row.read_point == "urn:epc:id:sgln:6901234.00001.0"  # Digital Link → URN
        assert row.event_time_zone_offset == "+08:00"
        stored_time = (
            row.event_time if row.event_time.tzinfo else row.event_time.replace(tzinfo=None)
        )
        assert stored_time.replace(tzinfo=None).isoformat() == "2024-05-01T00:00:00.123000"
        assert row.event_id == row.event_hash and row.event_hash.startswith("ni:///sha-256;")
        assert not row.has_error_declaration and row.capture_job_id == outcome.job.id
        assert json.loads(row.document)["eventID"] == row.event_id
        objects = {
            (o.role, o.identifier, o.is_class, o.quantity, o.uom)
            for o in session.scalars(select(EpcisEventObject))
        }
        assert objects == {
            ("epc", "urn:epc:id:sgtin:6901234.012345.1", False, None, None),
            ("epc", LOT, True, 12.5, "KGM"),
        }
        parties = {(p.kind, p.type, p.identifier) for p in session.scalars(select(EpcisEventParty))}
        assert parties == {
            ("source", "owning_party", "urn:epc:id:pgln:6901234.00001"),
            ("destination", "location", "urn:epc:id:sgln:6901234.00002.0"),
        }
        transactions = {
            (t.type, t.identifier) for t in session.scalars(select(EpcisBizTransaction))
        }
        assert transactions == {("po", "urn:epcglobal:cbv:bt:6901234000016:PO-1")}


def test_capture_is_idempotent_by_event_hash(engine: Engine) -> None:
    document = _document(_event(), _event(epcList=["urn:epc:id:sgtin:6901234.012345.2"]))
    for expected_new in (2, 0):
        with unit_of_work(engine) as session:
            job = service.capture(session, document).job
        assert (job.events_captured, job.events_duplicate) == (expected_new, 2 - expected_new)
    assert _count(engine, EpcisEvent) == 2
    assert _count(engine, EpcisEventObject) == 2


def test_rollback_stores_nothing_when_one_event_fails(engine: Engine) -> None:
    document = _document(_event(), _event(bizStep="transforming"))
    with (
        pytest.raises(EpcisInputError, match=r"/epcisBody/eventList/1/bizStep"),
        unit_of_work(engine) as session,
    ):
        service.capture(session, document)
    assert _count(engine, EpcisEvent) == 0
    assert _count(engine, CaptureJob) == 0


def test_proceed_stores_the_good_events_and_reports_the_bad(engine: Engine) -> None:
    document = _document(_event(), _event(bizStep="transforming"), _event(action="CREATE"))
    with unit_of_work(engine) as session:
        job = service.capture(session, document, behaviour="proceed").job
    assert (job.status, job.events_submitted, job.events_captured) == ("partial", 3, 1)
    assert [e["event_index"] for e in job.errors] == [1, 2]
    assert "bizStep" in job.errors[0]["where"]
    assert _count(engine, EpcisEvent) == 1


def test_error_declaration_marks_the_stored_event(engine: Engine) -> None:
    original = _event()
    declared = _event(
        errorDeclaration={"declarationTime": "2024-05-02T00:00:00Z", "reason": "incorrect_data"}
    )
    with unit_of_work(engine) as session:
        service.capture(session, _document(original))
    with unit_of_work(engine) as session:
        job = service.capture(session, _document(declared)).job
    assert job.events_duplicate == 1
    with Session(engine) as session:
        row = session.scalars(select(EpcisEvent)).one()
        assert row.has_error_declaration
        assert json.loads(row.document)["errorDeclaration"]["reason"] == "incorrect_data"


def test_an_event_id_reused_for_other_content_is_refused(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        service.capture(
            session, _document(_event(eventID="urn:uuid:5a1b0b67-9bf5-4a0c-9e3c-0b0c0f1f6a11"))
        )
    other = _event(eventID="urn:uuid:5a1b0b67-9bf5-4a0c-9e3c-0b0c0f1f6a11", action="ADD")
    with pytest.raises(EpcisInputError, match="already used"), unit_of_work(engine) as session:
        service.capture(session, _document(other))


@pytest.mark.parametrize("name", pairs())
def test_xml_and_json_forms_store_identical_events(engine: Engine, name: str) -> None:
    """OpenEPCIS JSON/XML pairs: same event hashes and the same normalised rows."""
    json_path = OPENEPCIS / "JSON" / "Capture" / "Documents" / f"{name}.json"
    xml_path = OPENEPCIS / "XML" / "Capture" / "Documents" / f"{name}.xml"
    rows = []
    for path in (json_path, xml_path):
        with Session(engine) as session:
            capture_file(session, path)
            events = session.scalars(select(EpcisEvent).order_by(EpcisEvent.event_hash)).all()
            objects = session.execute(
                select(EpcisEvent.event_hash, EpcisEventObject.role, EpcisEventObject.identifier,
                       EpcisEventObject.is_class, EpcisEventObject.quantity, EpcisEventObject.uom)
                .join(EpcisEvent, EpcisEvent.id == EpcisEventObject.event_pk)
            ).all()  # fmt: skip
            names = (
                "event_hash", "event_id", "event_type", "action", "event_time",
                "event_time_zone_offset", "biz_step", "disposition", "read_point", "biz_location",
                "parent_id", "transformation_id", "has_error_declaration",
            )  # fmt: skip
            columns = [tuple(getattr(e, n) for n in names) for e in events]
            # A Digital Link does not say its company-prefix length: the JSON of
            # epcisDocWithSensorComponent gives /8003/0040123450007…, the XML the URN with a
            # 9-digit prefix. Identifiers are compared as canonical Digital Links (what the hash
            # uses); every other pair is identical as stored.
            canonical = [
                (h, role, canonical_digital_link(i) or i, c, q, u)
                for h, role, i, c, q, u in objects
            ]
            rows.append((columns, sorted(canonical, key=repr)))
            session.rollback()
    assert rows[0] == rows[1]


def test_malformed_input_names_the_place(engine: Engine) -> None:
    with (
        pytest.raises(EpcisInputError, match="line 1 column 2: malformed JSON"),
        Session(engine) as session,
    ):
        service.capture(session, b"{,}")
    with pytest.raises(EpcisInputError, match="malformed XML"), Session(engine) as session:
        service.capture(session, b"<epcis:EPCISDocument")


def test_bulk_capture_of_a_thousand_events(engine: Engine) -> None:
    events = [_event(epcList=[f"urn:epc:id:sgtin:6901234.012345.{i}"]) for i in range(1000)]
    with unit_of_work(engine) as session:
        job = service.capture(session, _document(*events)).job
    assert job.events_captured == 1000
    assert _count(engine, EpcisEventObject) == 1000


ORDERED = """<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:ex="https://ns.example.com/epcis"
 schemaVersion="2.0" creationDate="2024-05-01T00:00:00Z"><EPCISBody><EventList><ObjectEvent>
 <eventTime>2024-05-01T08:00:00+08:00</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
 <epcList><epc>urn:epc:id:sgtin:6901234.012345.1</epc></epcList><action>ADD</action>
 <bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
 <readPoint><id>urn:epc:id:sgln:6901234.00001.0</id><ex:dock>7</ex:dock></readPoint>
 <quantityList><quantityElement><epcClass>urn:epc:class:lgtin:6901234.012345.L1</epcClass>
 <quantity>10</quantity><uom>KGM</uom></quantityElement></quantityList>
 <ilmd><ex:bestBefore>2024-06-01</ex:bestBefore></ilmd>
 <ex:tag>1</ex:tag><ex:tag>2</ex:tag>
 </ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>"""
# The same event, its children (and the quantity element's, and the read point's) shuffled:
# the XSD declares each as an xsd:sequence, so this one is refused.
JUMBLED = """<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:ex="https://ns.example.com/epcis"
 schemaVersion="2.0" creationDate="2024-05-01T00:00:00Z"><EPCISBody><EventList><ObjectEvent>
 <ex:tag>1</ex:tag><ilmd><ex:bestBefore>2024-06-01</ex:bestBefore></ilmd>
 <quantityList><quantityElement><uom>KGM</uom><quantity>10</quantity>
 <epcClass>urn:epc:class:lgtin:6901234.012345.L1</epcClass></quantityElement></quantityList>
 <readPoint><ex:dock>7</ex:dock><id>urn:epc:id:sgln:6901234.00001.0</id></readPoint>
 <action>ADD</action><bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
 <eventTimeZoneOffset>+08:00</eventTimeZoneOffset><ex:tag>2</ex:tag>
 <epcList><epc>urn:epc:id:sgtin:6901234.012345.1</epc></epcList>
 <eventTime>2024-05-01T08:00:00+08:00</eventTime>
 </ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>"""


def _stored(engine: Engine, data: str) -> tuple[list[tuple[str, str]], list[str]]:
    with Session(engine) as session:
        outcome = service.capture(session, data.encode(), "application/xml")
        events = session.scalars(select(EpcisEvent)).all()
        stored = [(e.event_hash, _without_record_time(e.document)) for e in events]
        session.rollback()
    return stored, [f"{w.where}: {w.message}" for w in outcome.warnings]


def _without_record_time(document: str) -> str:
    loaded = json.loads(document)
    loaded.pop("recordTime")
    return json.dumps(loaded, sort_keys=True)


def test_an_xml_event_in_the_xsd_order_is_stored_without_warnings(engine: Engine) -> None:
    ordered, warnings = _stored(engine, ORDERED)
    assert len(ordered) == 1 and warnings == []
    document = json.loads(ordered[0][1])
    assert document["ex:tag"] == ["1", "2"]
    assert document["readPoint"] == {"id": "urn:epc:id:sgln:6901234.00001.0", "ex:dock": "7"}


@pytest.mark.parametrize("behaviour", ["rollback", "proceed"])
def test_a_jumbled_xml_event_is_rejected_naming_the_first_misplaced_element(
    engine: Engine, behaviour: service.ErrorBehaviour
) -> None:
    """No reordering: the XSD's xsd:sequence is the XML binding's rule (SOURCES.md)."""
    with pytest.raises(EpcisInputError) as raised, Session(engine) as session:
        service.capture(session, JUMBLED.encode(), "application/xml", behaviour=behaviour)
    problem = raised.value.problems[0]
    assert (
        problem.where == "/epcis:EPCISDocument/EPCISBody/EventList/ObjectEvent/ex:tag[1] (line 3)"
    )
    assert problem.message.startswith(
        "Element '{https://ns.example.com/epcis}tag': This element is not expected."
    )
    assert _count(engine, EpcisEvent) == 0
