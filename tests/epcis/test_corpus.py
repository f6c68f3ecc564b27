"""The conformance corpus: every valid document is accepted, every invalid one rejected by name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from qcity.epcis import service
from qcity.epcis._document import EpcisInputError
from qcity.epcis._validate import findings, validate
from qcity.epcis.models import EpcisEvent
from tests.epcis.conftest import (
    CORPUS,
    WARNED,
    XSD_ORDER_INVALID,
    capture_file,
    must_accept,
    must_reject,
    relative,
)

ACCEPT = must_accept()
REJECT = must_reject()


def _check(path: Path) -> int:
    document = service.parse(path.read_bytes())
    document_problems, per_event = validate(document)
    problems = document_problems + [p for i in sorted(per_event) for p in per_event[i]]
    if problems:
        raise EpcisInputError(problems, path.name)
    return len(document.events)


def test_corpus_sizes() -> None:
    """The counts reported to the lead (SOURCES.md explains each set)."""
    assert (len(ACCEPT), len(REJECT), len(WARNED)) == (204, 33, 6)
    assert set(WARNED) <= {relative(p) for p in ACCEPT}
    assert set(XSD_ORDER_INVALID) <= {relative(p) for p in REJECT}


@pytest.mark.parametrize("path", ACCEPT, ids=relative)
def test_valid_document_is_accepted(path: Path) -> None:
    assert _check(path) >= 1


@pytest.mark.parametrize("path", REJECT, ids=relative)
def test_invalid_document_is_rejected_naming_the_field(path: Path) -> None:
    with pytest.raises(EpcisInputError) as raised:
        _check(path)
    problem = raised.value.problems[0]
    # a JSON pointer, an XPath or a line: where the problem is, never an empty place
    assert problem.where and re.search(r"[/a-zA-Z]", problem.where), str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("name", sorted(WARNED), ids=lambda n: n.rsplit("/", 1)[1])
def test_tolerated_documents_are_accepted_with_a_warning_naming_the_field(name: str) -> None:
    found = findings(service.parse((CORPUS / name).read_bytes()))
    assert found.document_problems == [] and found.per_event == {}
    field, text = WARNED[name]
    assert any(w.where.endswith(field) and text in w.message for w in found.warnings), [
        str(w) for w in found.warnings
    ]
    assert all(w.event_index is not None and w.where for w in found.warnings)


_WRONG_ORDER = {
    **XSD_ORDER_INVALID,
    "openepcis-test-resources/2.0/EPCIS/XML/Capture/Invalid/"
    "ObjectEvent_with_wrong_element_order.xml": "action",
}


@pytest.mark.parametrize("name", sorted(_WRONG_ORDER), ids=lambda n: n.rsplit("/", 1)[1])
def test_xml_children_out_of_the_xsd_order_are_rejected_naming_the_element(name: str) -> None:
    """The XSD's xsd:sequence is normative: no reordering, the misplaced element is named."""
    with pytest.raises(EpcisInputError) as raised:
        service.parse((CORPUS / name).read_bytes())
    problem = raised.value.problems[0]
    element = _WRONG_ORDER[name]
    assert f"Element '{element}': This element is not expected" in problem.message, str(problem)
    assert problem.where.split(" ")[0].endswith(f"/{element}")


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("Combination_of_non_standard_bizStep_and_disposition.json", "bizStep"),
        ("ObjectEvent_with_ilmd_field_without_namespace.json", "ilmd"),
        ("ObjectEvent_with_non_standard_bizStep.json", "bizStep"),
        ("ObjectEvent_with_non_standard_bizStep_in_second_event.json", "eventList/1/bizStep"),
        ("ObjectEvent_with_non_standard_disposition.json", "disposition"),
    ],
)
def test_semantic_cases_name_their_field(name: str, field: str) -> None:
    path = CORPUS / "openepcis-test-resources/2.0/EPCIS/JSON/Capture/Invalid" / name
    with pytest.raises(EpcisInputError) as raised:
        _check(path)
    assert field in raised.value.problems[0].where


def test_every_valid_document_is_stored(engine: Engine) -> None:
    """Capture each accepted document (its own transaction, rolled back) on this backend."""
    for path in ACCEPT:
        with Session(engine) as session:
            outcome = capture_file(session, path)
            assert outcome.job.status == "success", (relative(path), outcome.job.errors)
            stored = session.scalar(select(func.count()).select_from(EpcisEvent))
            assert stored == outcome.job.events_captured >= 1, relative(path)
            session.rollback()
