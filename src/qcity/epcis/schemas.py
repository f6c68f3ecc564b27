"""API shapes: the REST binding's capture job and the query document (for OpenAPI)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class CaptureProblem(BaseModel):
    """A problem (an error, or a warning about an accepted event)."""

    where: str = Field(description="JSON pointer, XPath or event index of the problem.")
    message: str
    event_index: int | None = None


class CaptureJobOut(BaseModel):
    """The EPCIS 2.0 REST binding's CaptureJob (plus counts)."""

    model_config = ConfigDict(populate_by_name=True)

    captureID: str  # noqa: N815 - the binding's names
    createdAt: str  # noqa: N815
    finishedAt: str | None  # noqa: N815
    running: bool
    success: bool
    captureErrorBehaviour: str  # noqa: N815
    errors: list[CaptureProblem]
    warnings: list[CaptureProblem] = Field(
        default=[], description="Accepted, but worth knowing (draft measurement types, XML order)."
    )
    eventsSubmitted: int  # noqa: N815
    eventsCaptured: int  # noqa: N815
    eventsAlreadyStored: int  # noqa: N815


class EventCapturedOut(BaseModel):
    """``POST /epcis/events``: the stored event's ID and the warnings about it."""

    eventID: str  # noqa: N815 - the binding's name
    warnings: list[CaptureProblem] = []


class ProblemOut(BaseModel):
    """A 4xx body: the first problem in ``detail``, all of them in ``problems``."""

    detail: str
    problems: list[CaptureProblem] = []


class QueryDocumentOut(BaseModel):
    """An EPCISQueryDocument (JSON-LD); ``epcisBody.queryResults.resultsBody.eventList``."""

    model_config = ConfigDict(extra="allow")

    type: str = "EPCISQueryDocument"
    schemaVersion: str = "2.0"  # noqa: N815
    creationDate: str  # noqa: N815
    epcisBody: dict[str, Any]  # noqa: N815
