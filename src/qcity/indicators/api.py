"""``/api/pass-rates`` and ``/api/indicators``: pass rates, plan indicators, reported values.

Authorisation: every route needs a logged-in user or an API token (401). Pass rates: admins
and analysts see every town; inspectors only their towns (the figures are cut to them, and a
town outside them is not found, 404); enterprise users none (403: town figures describe other
businesses, as on the towns page). Indicators are read by any logged-in user; reporting a value
needs ``view_all_entities`` (admins, analysts; 403 otherwise) and records the authenticated
user as the reporter, whatever the client sends as ``reported_by``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field
from sqlalchemy.orm import Session

from qcity.accounts._authz import (
    VIEW_ALL,
    Forbidden,
    Principal,
    require_login,
    require_permission,
    visible_towns,
)
from qcity.accounts.models import Role
from qcity.analytics import service as analytics
from qcity.analytics.mart import open_mart
from qcity.analytics.queries import PassRateQuery
from qcity.db import unit_of_work
from qcity.errors import NotFound
from qcity.indicators import repository, service
from qcity.indicators.schemas import (
    IndicatorOut,
    IndicatorPage,
    IndicatorValueIn,
    IndicatorValueOut,
    IndicatorValuePage,
    PassRateOut,
    PassRatePage,
)

router = APIRouter(prefix="/api", tags=["indicators"])

PERIOD_HELP = "A year (2025), quarter (2025-Q3) or month (2025-07)."


class ValueReport(IndicatorValueIn):
    """A reported value; the reporter is the authenticated user."""

    reported_by: str | None = Field(  # type: ignore[assignment]
        None, max_length=64, description="Ignored: the authenticated user is recorded."
    )


def read_session(request: Request) -> Iterator[Session]:
    """A read-only session for one request."""
    with Session(request.app.state.engine) as session:
        yield session


@router.get("/pass-rates", response_model=PassRatePage)
def pass_rates(
    by: str | None = Query(
        None, description="Comma-separated: town,category,industry,period,source."
    ),
    period: str | None = Query(None, description=PERIOD_HELP),
    domain: str | None = Query(
        None, description="food, agri, manufactured, consumer or construction."
    ),
    period_unit: str | None = Query(
        None, description="month, quarter or year (implies grouping by period)."
    ),
    town: str | None = Query(None, description="Only this town (code)."),
    mart: bool = Query(False, description="Read the analytics mart instead of the records."),
    offset: int = Query(0, ge=0, le=2**31 - 1),
    limit: int = Query(500, ge=1, le=5000),
    session: Session = Depends(read_session),
    user: Principal = Depends(require_login),
) -> PassRatePage:
    """Samples, failures, pass rate with its Wilson 95 % interval, and the change against the
    previous period, per group, over the towns the caller sees; rates are fractions 0..1."""
    query = _in_scope(PassRateQuery.parse(by, period, domain, period_unit, town), user)
    if query is None:
        return PassRatePage(total=0, offset=offset, limit=limit, items=[])
    if mart:
        with open_mart() as con:
            rows = analytics.pass_rates_from_mart(con, query)
    else:
        rows = analytics.pass_rates(session, query)
    items = [PassRateOut(**r.to_dict()) for r in rows[offset : offset + limit]]
    return PassRatePage(total=len(rows), offset=offset, limit=limit, items=items)


def _in_scope(query: PassRateQuery, user: Principal) -> PassRateQuery | None:
    """``query`` cut to the towns ``user`` sees (None: no town at all).

    Raises
    ------
    Forbidden
        For users who see no town figures (enterprise users).
    NotFound
        For a town filter outside an inspector's towns.
    """
    towns = visible_towns(user)
    if towns is None:
        return query
    if user.role != Role.INSPECTOR:
        raise Forbidden("pass rates by town describe other businesses; your account sees none")
    asked = query.filters.towns
    outside = sorted(set(asked) - towns)
    if outside:
        raise NotFound(f"no town {outside[0]} among your towns")
    if asked:
        return query
    if not towns:
        return None
    return replace(query, filters=replace(query.filters, towns=tuple(sorted(towns))))


@router.get("/indicators", response_model=IndicatorPage)
def list_indicators(
    period: str | None = Query(None, description=PERIOD_HELP + " Default: the deadline's year."),
    town: str | None = Query(None, description="Town code; omit for the whole city."),
    as_of: dt.date | None = Query(None, description="Evaluate as on this day (default today)."),
    offset: int = Query(0, ge=0, le=2**31 - 1),
    limit: int = Query(100, ge=1, le=500),
    session: Session = Depends(read_session),
    _user: Principal = Depends(require_login),
) -> IndicatorPage:
    """Every plan indicator with its value, status band, trend and, for pass rates, the
    probability of meeting the target at the deadline."""
    items = service.show(session, period, town, as_of)
    return IndicatorPage(
        total=len(items), offset=offset, limit=limit, items=items[offset : offset + limit]
    )


@router.get("/indicators/{indicator_id}", response_model=IndicatorOut)
def get_indicator(
    indicator_id: str,
    period: str | None = Query(None, description=PERIOD_HELP),
    town: str | None = Query(None),
    as_of: dt.date | None = Query(None),
    session: Session = Depends(read_session),
    _user: Principal = Depends(require_login),
) -> IndicatorOut:
    """One indicator evaluated for a period and town."""
    return service.get(session, indicator_id, period, town, as_of)


@router.get("/indicators/{indicator_id}/values", response_model=IndicatorValuePage)
def list_values(
    indicator_id: str,
    offset: int = Query(0, ge=0, le=2**31 - 1),
    limit: int = Query(50, ge=1, le=500),
    session: Session = Depends(read_session),
    _user: Principal = Depends(require_login),
) -> IndicatorValuePage:
    """Reported values of an indicator, newest report first (who and when)."""
    service.get(session, indicator_id)  # 404 for an unknown indicator
    rows, total = repository.values_page(session, indicator_id, offset, limit)
    return IndicatorValuePage(
        total=total,
        offset=offset,
        limit=limit,
        items=[IndicatorValueOut.model_validate(r) for r in rows],
    )


@router.post("/indicators/{indicator_id}/values", response_model=IndicatorValueOut, status_code=201)
def report_value(
    indicator_id: str,
    body: ValueReport,
    request: Request,
    user: Principal = Depends(require_permission(VIEW_ALL)),
) -> IndicatorValueOut:
    """Report a value for a period (and town), recording the authenticated user as the reporter
    and when (admins and analysts)."""
    with unit_of_work(request.app.state.engine) as session:
        record = service.report_value(
            session,
            indicator_id,
            period=body.period,
            value=body.value,
            reported_by=user.username,
            town=body.town_code,
            note=body.note,
        )
        return IndicatorValueOut.model_validate(record)
