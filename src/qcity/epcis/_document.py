"""What the JSON and XML readers produce: events in EPCIS JSON form, and the errors they raise."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from qcity.errors import InputError

EVENT_TYPES = (
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or, as a warning, odd): where (JSON pointer or XPath), what, and which
    event (None: the document)."""

    where: str
    message: str
    event_index: int | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def to_dict(self) -> dict[str, Any]:
        return {"where": self.where, "message": self.message, "event_index": self.event_index}


class EpcisInputError(InputError):
    """A document or event is malformed or invalid; carries every problem found."""

    http_status = 400

    def __init__(self, problems: list[Problem], source: str = "") -> None:
        self.problems = problems
        self.source = source
        first = str(problems[0]) if problems else "invalid EPCIS input"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        prefix = f"{source}: " if source else ""
        super().__init__(f"{prefix}{first}{more}")


@dataclass(slots=True)
class ParsedEvent:
    """One event in EPCIS JSON form with the namespace prefixes its extension keys use."""

    data: dict[str, Any]
    namespaces: dict[str, str]
    where: str  # JSON pointer or XPath of the event in its document
    index: int


@dataclass(slots=True)
class ParsedDocument:
    format: Literal["json", "xml"]
    kind: Literal["document", "event"]
    events: list[ParsedEvent]
    raw: dict[str, Any] | None = None  # the JSON document, for schema validation
    problems: list[Problem] = field(default_factory=list)  # document-level (e.g. XSD) problems
