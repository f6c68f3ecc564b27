"""``/api/registry``: towns, industries, market entities, credit-code checks."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from qcity.errors import NotFound
from qcity.registry import repository, service
from qcity.registry.schemas import (
    EntityPage,
    IndustryOut,
    MarketEntityOut,
    OrgUnitOut,
    UsccCheckOut,
)

router = APIRouter(prefix="/api/registry", tags=["registry"])


def read_session(request: Request) -> Iterator[Session]:
    """A read-only session for one request."""
    with Session(request.app.state.engine) as session:
        yield session


@router.get("/towns", response_model=list[OrgUnitOut])
def list_towns(session: Session = Depends(read_session)) -> list[OrgUnitOut]:
    """The towns (org units at level 2), by code."""
    return [OrgUnitOut.model_validate(t) for t in repository.towns(session)]


@router.get("/industries", response_model=list[IndustryOut])
def list_industries(session: Session = Depends(read_session)) -> list[IndustryOut]:
    """GB/T 4754-2017 sections and manufacturing divisions."""
    return [IndustryOut.model_validate(i) for i in repository.industries(session)]


@router.get("/entities", response_model=EntityPage)
def list_entities(
    town: str | None = Query(None, description="Town code (12 digits)."),
    industry: str | None = Query(None, description="GB/T 4754 section letter or division."),
    q: str | None = Query(None, max_length=64, description="Part of the entity name."),
    offset: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=500),
    session: Session = Depends(read_session),
) -> EntityPage:
    """Market entities, filtered and paginated; legal representatives are masked."""
    rows, total = repository.entities_page(
        session, town_code=town, industry_code=industry, name_contains=q, offset=offset, limit=limit
    )
    return EntityPage(
        total=total, offset=offset, limit=limit, items=[MarketEntityOut.masked(e) for e in rows]
    )


@router.get("/entities/{uscc}", response_model=MarketEntityOut)
def get_entity(uscc: str, session: Session = Depends(read_session)) -> MarketEntityOut:
    """One market entity by credit code."""
    entity = repository.entity_by_uscc(session, uscc)
    if entity is None:
        raise NotFound(f"no market entity with credit code {uscc}")
    return MarketEntityOut.masked(entity)


@router.get("/uscc/{code}", response_model=UsccCheckOut)
def check_uscc(code: str) -> UsccCheckOut:
    """Check a unified social credit code and say what is wrong with it."""
    verdict = service.check_credit_codes([code])[0]
    return UsccCheckOut(
        code=verdict.code, valid=verdict.valid, reason=verdict.reason, expected=verdict.expected
    )
