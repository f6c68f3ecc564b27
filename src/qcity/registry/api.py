"""``/api/registry``: towns, industries, market entities, credit-code checks."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from qcity.accounts import (
    UNMASK,
    Forbidden,
    PersonalRef,
    Principal,
    Role,
    can_see_entity,
    current_user,
    personal,
    require,
    visible_towns,
)
from qcity.db import unit_of_work
from qcity.errors import NotFound
from qcity.registry import repository, service
from qcity.registry.models import MarketEntity
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


def _scope(user: Principal) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    """(towns, credit codes) ``user`` may list; None is unrestricted.

    Anonymous visitors see the public register (masked); an enterprise user sees only its own
    entity, an inspector only the entities in their towns.
    """
    if not user.is_authenticated:
        return None, None
    if user.role == Role.ENTERPRISE:
        return None, frozenset({user.uscc} if user.uscc else ())
    return visible_towns(user), None


def _visible(user: Principal, entity: MarketEntity) -> bool:
    return not user.is_authenticated or can_see_entity(user, entity.uscc, entity.town_code)


def _out(session: Session, entity: MarketEntity, user: Principal, unmask: bool) -> MarketEntityOut:
    out = MarketEntityOut.model_validate(entity)
    ref = PersonalRef("market_entity", entity.id, "legal_representative", "registry API")
    shown = personal(session, entity.legal_representative, "name", user, ref, unmask=unmask)
    return out.model_copy(update={"legal_representative": shown})


@router.get("/entities", response_model=EntityPage)
def list_entities(
    request: Request,
    town: str | None = Query(None, description="Town code (12 digits)."),
    industry: str | None = Query(None, description="GB/T 4754 section letter or division."),
    q: str | None = Query(None, max_length=64, description="Part of the entity name."),
    offset: int = Query(0, ge=0, le=2**31 - 1),
    limit: int = Query(50, ge=1, le=500),
    unmask: bool = Query(False, description="Show legal representatives in clear (audited)."),
    user: Principal = Depends(current_user),
) -> EntityPage:
    """Market entities in the caller's scope, filtered and paginated; legal representatives
    are masked unless the caller holds unmask_personal_data and asks ``unmask=true``."""
    if unmask:
        require(user, UNMASK)
    towns, usccs = _scope(user)
    if town and towns is not None and town not in towns:
        raise Forbidden(f"town {town} is outside your towns")
    with unit_of_work(request.app.state.engine) as session:
        rows, total = repository.entities_page(
            session,
            town_code=town,
            industry_code=industry,
            name_contains=q,
            offset=offset,
            limit=limit,
            town_codes=towns,
            usccs=usccs,
        )
        items = [_out(session, e, user, unmask) for e in rows]
    return EntityPage(total=total, offset=offset, limit=limit, items=items)


@router.get("/entities/{uscc}", response_model=MarketEntityOut)
def get_entity(
    request: Request,
    uscc: str,
    unmask: bool = Query(False, description="Show the legal representative in clear (audited)."),
    user: Principal = Depends(current_user),
) -> MarketEntityOut:
    """One market entity by credit code (not found when outside the caller's scope)."""
    if unmask:
        require(user, UNMASK)
    with unit_of_work(request.app.state.engine) as session:
        entity = repository.entity_by_uscc(session, uscc)
        if entity is None or not _visible(user, entity):
            raise NotFound(f"no market entity with credit code {uscc}")
        return _out(session, entity, user, unmask)


@router.get("/uscc/{code}", response_model=UsccCheckOut)
def check_uscc(code: str) -> UsccCheckOut:
    """Check a unified social credit code and say what is wrong with it."""
    verdict = service.check_credit_codes([code])[0]
    return UsccCheckOut(
        code=verdict.code, valid=verdict.valid, reason=verdict.reason, expected=verdict.expected
    )
