"""Big documents are checked and hashed on several cores with the same outcome as sequentially."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qcity.epcis import _parallel, service
from qcity.epcis.models import EpcisEvent, EpcisEventObject

ROOT = Path(__file__).parents[2]


def _document(n: int) -> bytes:
    events = []
    for i in range(n):
        event = {
            "type": "ObjectEvent",
            "eventTime": f"2024-05-01T08:{(i // 60) % 60:02d}:{i % 60:02d}+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE",
            "epcList": [f"urn:epc:id:sgtin:6901234.012345.{i}"],
            "bizStep": "shipping" if i % 97 else "transforming",  # not CBV: every 97th invalid
            "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
        }
        events.append(event)
    return json.dumps(
        {
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2024-05-01T00:00:00Z",
            "epcisBody": {"eventList": events},
        }
    ).encode()


def _stored(session: Session) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    events = session.execute(
        select(EpcisEvent.event_hash, EpcisEvent.document).order_by(EpcisEvent.id)
    ).all()
    objects = session.execute(
        select(EpcisEventObject.role, EpcisEventObject.identifier).order_by(EpcisEventObject.id)
    ).all()
    return [(h, d) for h, d in events], [(r, i) for r, i in objects]


def test_how_many_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _parallel.workers_for(100_000, None) == 1  # sequential unless asked
    assert _parallel.workers_for(100_000, 1) == 1  # asked for sequential
    with monkeypatch.context() as patched:  # as in a process with no other thread
        patched.setattr(threading, "active_count", lambda: 1)
        assert _parallel.workers_for(3, 8) == 3  # never more workers than events
        assert _parallel.workers_for(100_000, 2) == 2
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:  # forking a threaded process is unsafe: sequential
        assert _parallel.workers_for(100_000, 4) == 1
    finally:
        stop.set()
        thread.join()


def compare_capture(db_url: str) -> dict[str, object]:
    """Capture one document with 1 and then 2 workers (rolled back each time) and compare."""
    from qcity.db import make_engine

    engine = make_engine(db_url)
    assert _parallel.workers_for(1_000, 2) == 2, "forking refused in a thread-free process"
    data = _document(1_000)
    now = dt.datetime(2024, 5, 2, tzinfo=dt.UTC)
    outcomes = []
    for workers in (1, 2):
        with Session(engine) as session:
            outcome = service.capture(session, data, behaviour="proceed", workers=workers, now=now)
            job = outcome.job
            outcomes.append((job.events_captured, job.errors, outcome.event_ids, _stored(session)))
            session.rollback()
    engine.dispose()
    captured, errors, _ids, (events, _objects) = outcomes[0]
    return {
        "same": outcomes[0] == outcomes[1],
        "captured": captured,
        "stored": len(events),
        "errors": len(errors),
        "errors_name_bizstep": all("bizStep" in e["where"] for e in errors),
    }


def test_parallel_capture_equals_sequential(db_url: str) -> None:
    """Same problems, same stored rows, in document order, with 2 workers as with 1.

    Run in a fresh interpreter: the test process has threads of its own (pytest-xdist, servers
    of other tests), and capture rightly refuses to fork a threaded process.
    """
    script = (
        "import json, sys\n"
        "from tests.epcis.test_parallel import compare_capture\n"
        "print(json.dumps(compare_capture(sys.argv[1])))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, db_url],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {
        "same": True,
        "captured": 1_000 - 11,
        "stored": 1_000 - 11,
        "errors": 11,
        "errors_name_bizstep": True,
    }


def test_a_prepared_event_travels_compactly_and_intact() -> None:
    document = service.parse(_document(2))  # event 0 is the invalid one
    now = dt.datetime(2024, 5, 2, tzinfo=dt.UTC)
    prepared = service.prepare(document.events[1], now)
    copy = pickle.loads(pickle.dumps(prepared))
    assert copy.document == {} and copy.document_json  # the text travelled, not the dict
    assert copy.stored_document() == prepared.document
    assert copy.canonical_document() == prepared.canonical_document()
    assert (copy.columns, copy.objects, copy.event_hash) == (
        prepared.columns,
        prepared.objects,
        prepared.event_hash,
    )
