"""HACCP records on SQLite and PostgreSQL: limits, deviations, corrective actions, sign-off."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from qcity.db import unit_of_work
from qcity.errors import InputError, NotFound
from qcity.quality import repository, service
from qcity.quality.models import Ccp, DeviationDirection
from tests.quality.conftest import VALID_USCC

CST = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 11, 27, 8, 0, tzinfo=CST)


def _ccp(engine: Engine, lower: float | None = 72.0, upper: float | None = 75.0) -> int:
    with unit_of_work(engine) as session:
        ccp = service.create_ccp(
            session, uscc=VALID_USCC, product="巴氏杀菌乳", step="pasteurisation",
            hazard="survival of pathogens", lower_limit=lower, upper_limit=upper, unit="°C",
            monitoring_frequency="every batch",
        )  # fmt: skip
        return ccp.id


def _record(engine: Engine, ccp_id: int, value: float, minutes: int) -> int | None:
    with unit_of_work(engine) as session:
        _, deviation = service.record_monitoring(
            session, ccp_id, value=value, measured_at=T0 + dt.timedelta(minutes=minutes),
            recorded_by="李工",
        )  # fmt: skip
        return None if deviation is None else deviation.id


def test_values_on_a_limit_are_within_and_outside_open_deviations(engine: Engine) -> None:
    ccp_id = _ccp(engine)
    assert _record(engine, ccp_id, 72.0, 0) is None  # exactly on the lower limit
    assert _record(engine, ccp_id, 75.0, 10) is None  # exactly on the upper limit
    low = _record(engine, ccp_id, 71.9, 20)
    high = _record(engine, ccp_id, 75.1, 30)
    assert low is not None and high is not None
    with unit_of_work(engine) as session:
        found = repository.deviations(session, ccp_id=ccp_id, open_only=True)
        assert [(d.id, d.direction, d.breached_limit) for d in found] == [
            (low, DeviationDirection.BELOW, 72.0),
            (high, DeviationDirection.ABOVE, 75.0),
        ]
        assert all(d.is_open for d in found)
        assert len(repository.records(session, ccp_id)) == 4


def test_one_sided_limits(engine: Engine) -> None:
    ccp_id = _ccp(engine, lower=None, upper=4.0)  # e.g. cold storage at most 4 °C
    assert _record(engine, ccp_id, -30.0, 0) is None
    assert _record(engine, ccp_id, 4.5, 5) is not None


def test_a_corrective_action_closes_the_deviation(engine: Engine) -> None:
    ccp_id = _ccp(engine)
    deviation_id = _record(engine, ccp_id, 70.0, 0)
    assert deviation_id is not None
    with unit_of_work(engine) as session:
        service.add_corrective_action(
            session, deviation_id, action="re-pasteurised the batch; steam valve repaired",
            taken_by="王主管", taken_at=T0 + dt.timedelta(minutes=15),
            product_disposition="batch 20261127-01 held and re-processed",
        )  # fmt: skip
    with unit_of_work(engine) as session:
        assert repository.deviations(session, ccp_id=ccp_id, open_only=True) == []
        (closed,) = repository.deviations(session, ccp_id=ccp_id)
        assert not closed.is_open and closed.corrective_actions[0].taken_by == "王主管"
        assert closed.corrective_actions[0].taken_at == T0 + dt.timedelta(minutes=15)


def test_sign_off_is_refused_while_deviations_are_open(engine: Engine) -> None:
    ccp_id = _ccp(engine)
    _record(engine, ccp_id, 73.0, 0)
    deviation_id = _record(engine, ccp_id, 76.0, 60)
    assert deviation_id is not None
    period = {"period_start": T0, "period_end": T0 + dt.timedelta(hours=8)}
    signed = {"verified_by": "质量部 张三", "verified_at": T0 + dt.timedelta(hours=9)}
    with unit_of_work(engine) as session, pytest.raises(service.OpenDeviations) as refused:
        service.sign_off(session, ccp_id, **period, **signed)
    assert f"open deviation(s) ({deviation_id})" in str(refused.value)
    assert refused.value.http_status == 409
    with unit_of_work(engine) as session:  # the period before the deviation can be signed off
        early = {"period_start": T0, "period_end": T0 + dt.timedelta(minutes=30)}
        service.sign_off(session, ccp_id, **early, **signed)
        service.add_corrective_action(
            session, deviation_id, action="cooled and re-checked", taken_by="王主管",
            taken_at=T0 + dt.timedelta(hours=2),
        )  # fmt: skip
    with unit_of_work(engine) as session:
        done = service.sign_off(session, ccp_id, **period, **signed, notes="records reviewed")
        assert done.id is not None
    with unit_of_work(engine) as session:
        verified = repository.verifications(session, ccp_id)
        assert [v.notes for v in verified] == ["", "records reviewed"]
        assert verified[1].period_end == T0 + dt.timedelta(hours=8)
        assert verified[1].period_end.tzinfo is not None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"uscc": "91350100M000100Y44"}, "enterprise credit code"),
        ({"lower_limit": None, "upper_limit": None}, "needs a lower or an upper critical limit"),
        ({"lower_limit": 80.0, "upper_limit": 75.0}, "lower critical limit 80.0 is above"),
        ({"hazard": "  "}, "hazard is empty"),
        ({"upper_limit": float("nan")}, "upper limit must be a finite number"),
    ],
)
def test_invalid_ccps_are_refused(engine: Engine, fields: dict[str, object], message: str) -> None:
    values: dict[str, object] = {
        "uscc": VALID_USCC, "product": "乳", "step": "杀菌", "hazard": "致病菌",
        "lower_limit": 72.0, "upper_limit": 75.0, "unit": "°C", "monitoring_frequency": "每批",
    }  # fmt: skip
    with unit_of_work(engine) as session, pytest.raises(InputError, match=message):
        service.create_ccp(session, **{**values, **fields})  # type: ignore[arg-type]


def test_times_need_a_zone_and_actions_cannot_predate_deviations(engine: Engine) -> None:
    ccp_id = _ccp(engine)
    deviation_id = _record(engine, ccp_id, 60.0, 0)
    assert deviation_id is not None
    with unit_of_work(engine) as session, pytest.raises(InputError, match="no time zone"):
        service.record_monitoring(
            session, ccp_id, value=73.0, measured_at=dt.datetime(2026, 1, 1), recorded_by="x"
        )
    with unit_of_work(engine) as session, pytest.raises(InputError, match="predates"):
        service.add_corrective_action(
            session, deviation_id, action="x", taken_by="y", taken_at=T0 - dt.timedelta(hours=1)
        )
    with unit_of_work(engine) as session, pytest.raises(NotFound, match="no deviation with id"):
        service.add_corrective_action(session, 999, action="x", taken_by="y", taken_at=T0)
    with unit_of_work(engine) as session, pytest.raises(NotFound):
        service.record_monitoring(session, 999, value=1.0, measured_at=T0, recorded_by="x")
    with unit_of_work(engine) as session, pytest.raises(InputError, match=r"starts .* after"):
        service.sign_off(
            session, ccp_id, period_start=T0, period_end=T0 - dt.timedelta(days=1),
            verified_by="x", verified_at=T0,
        )  # fmt: skip


def test_service_never_commits(engine: Engine) -> None:
    with Session(engine) as session:  # closed without commit
        service.create_ccp(
            session, uscc=VALID_USCC, product="p", step="s", hazard="h", lower_limit=1.0,
            upper_limit=None, unit="u", monitoring_frequency="f",
        )  # fmt: skip
    with unit_of_work(engine) as session:
        assert session.query(Ccp).count() == 0
