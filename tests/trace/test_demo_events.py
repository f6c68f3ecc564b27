"""The demo chains are valid EPCIS 2.0 events carrying the CBV 2.0 hash ID that capture computes."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np

from qcity.epcis import service
from qcity.epcis._validate import validate
from qcity.trace._demo import Emitter, Party, _building, _food

ROLES = ("farm", "processor", "distributor", "retail", "restaurant", "steel", "cement",
         "supplier", "site")  # fmt: skip


def _parties() -> dict[str, list[Party]]:
    serial = 0
    out: dict[str, list[Party]] = {}
    for role in ROLES:
        out[role] = []
        for _ in range(3):
            serial += 1
            out[role].append(Party(f"9144190000000{serial:05d}", "441900003000",
                                   f"69{2_000_000 + serial:07d}"))  # fmt: skip
    return out


def _emitted() -> Emitter:
    out = Emitter()
    rng = np.random.default_rng(5)
    parties = _parties()
    _food(out, rng, parties, 12)
    _building(out, rng, parties, 4)
    return out


def test_demo_events_validate_and_carry_the_capture_hash() -> None:
    out = _emitted()
    events = [json.loads(e.document) for e in out.events]
    assert {e["type"] for e in events} >= {"ObjectEvent", "AggregationEvent", "TransformationEvent"}
    document = {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2025-01-01T00:00:00Z",
        "epcisBody": {"eventList": events},
    }
    parsed = service.parse(json.dumps(document).encode())
    document_problems, per_event = validate(parsed)
    assert document_problems == [] and per_event == {}
    now = dt.datetime.now(dt.UTC)
    captured = [service.prepare(event, now).event_hash for event in parsed.events]
    assert [e.event_hash for e in out.events] == captured
    assert all(h.startswith("ni:///sha-256;") and h.endswith("?ver=CBV2.0") for h in captured)
    assert len(set(captured)) == len(captured)


def test_transformations_use_cbv_business_steps() -> None:
    steps = {e.biz_step for e in _emitted().events if e.event_type == "TransformationEvent"}
    assert steps == {"commissioning"}  # CBV 2.0 has no "transforming" (GS1 Example 9.6.4)


def test_an_identical_movement_is_moved_one_millisecond_later() -> None:
    out = Emitter()
    when = dt.datetime(2025, 9, 1, 8, 0, tzinfo=dt.UTC)
    movement = {"step": "shipping", "location": "urn:epc:id:sgln:6920000.31006.0",
                "epcs": ("urn:epc:id:sscc:6920000.00000001",)}  # fmt: skip
    out.emit("ObjectEvent", when, **movement)
    out.emit("ObjectEvent", when, **movement)
    first, second = out.events
    assert first.event_hash != second.event_hash
    assert second.event_time - first.event_time == dt.timedelta(milliseconds=1)
    assert [e.event_id for e in out.events] == [first.event_id, second.event_id]
    assert first.event_id != second.event_id
