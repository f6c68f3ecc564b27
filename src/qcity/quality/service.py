"""SPC analyses over ``qcity.spc`` with user-facing errors, and HACCP record keeping.

The SPC functions take plain arrays and return the library's result objects; a ``ValueError``
from the library becomes an :class:`InputError` carrying its message. HACCP functions take a
session and never commit: the caller's unit of work does.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sqlalchemy.orm import Session

from qcity.errors import InputError, NotFound, QcityError
from qcity.quality import repository
from qcity.quality._chart_dispatch import RUNNERS, ChartSpec, check_spec
from qcity.quality._tabular import Table
from qcity.quality.models import (
    Ccp,
    CorrectiveAction,
    Deviation,
    DeviationDirection,
    MonitoringRecord,
    Verification,
)
from qcity.registry.uscc import validate_uscc
from qcity.spc import msa, sampling
from qcity.spc.capability import CapabilityResult, capability
from qcity.spc.charts import ChartResult, make_subgroups
from qcity.spc.msa import GaugeRRResult
from qcity.spc.sampling import SamplingPlan

GAUGE_RR_METHODS = ("anova", "xbar-r")
INTERACTION_MODES = ("auto", "keep", "pool")


@contextmanager
def library_errors() -> Iterator[None]:
    """Turn a ``ValueError`` from the statistics library into an :class:`InputError`."""
    try:
        yield
    except ValueError as exc:
        raise InputError(str(exc)) from None


def control_chart(values: ArrayLike, spec: ChartSpec) -> ChartResult:
    """Run the control chart ``spec.chart_type`` on ``values``.

    Parameters
    ----------
    values : array_like
        Measurements (variables charts) or counts (attribute charts), in time order.
    spec : ChartSpec
        Chart type, subgrouping and options.

    Returns
    -------
    ChartResult
        Use ``to_dict()`` for the JSON form.

    Raises
    ------
    InputError
        For an unknown type, an option the chart does not take, or data the chart refuses.
    """
    check_spec(spec)
    with library_errors():
        x = np.asarray(values, dtype=np.float64)
        return RUNNERS[spec.chart_type](x, spec)


def process_capability(
    values: ArrayLike,
    *,
    lsl: float | None,
    usl: float | None,
    target: float | None = None,
    subgroup_size: int | None = None,
    subgroup_labels: Sequence[str] | None = None,
) -> CapabilityResult:
    """Process capability (Cp ... Ppk, PPM) of ``values`` against the specification.

    Parameters
    ----------
    values : array_like
        Measurements in time order.
    lsl, usl : float, optional
        Specification limits; at least one, and ``lsl < usl``.
    target : float, optional
        Target for Cpm (default: the midpoint of two-sided specs).
    subgroup_size, subgroup_labels : optional
        Subgroups for the within sigma (R-bar/d2); individuals (moving range) without.
    """
    if subgroup_size is not None and subgroup_labels is not None:
        raise InputError("give either a subgroup size or a subgroup column, not both")
    with library_errors():
        data = np.asarray(values, dtype=np.float64)
        if subgroup_size is not None:
            data = make_subgroups(data, subgroup_size)
        labels = None if subgroup_labels is None else np.asarray(subgroup_labels)
        return capability(data, lsl=lsl, usl=usl, target=target, subgroups=labels)


def gauge_rr(
    values: ArrayLike,
    parts: Sequence[str],
    operators: Sequence[str],
    *,
    tolerance: float | None = None,
    method: str = "anova",
    interaction: str = "auto",
    alpha: float = 0.05,
) -> GaugeRRResult:
    """Crossed gauge R&R study by ANOVA (default) or by average and range (``"xbar-r"``).

    Parameters
    ----------
    values, parts, operators : sequences of equal length
        One row per reading.
    tolerance : float, optional
        USL - LSL, for %Tolerance.
    method : {"anova", "xbar-r"}
    interaction : {"auto", "keep", "pool"}
        ANOVA only: pool the operator x part interaction when its p-value >= ``alpha``
        (``"auto"``), never, or always.
    """
    if method not in GAUGE_RR_METHODS:
        raise InputError(f"unknown gauge R&R method {method!r}; use {', '.join(GAUGE_RR_METHODS)}")
    if interaction not in INTERACTION_MODES:
        raise InputError(f"unknown interaction mode {interaction!r}; use one of auto, keep, pool")
    with library_errors():
        y = np.asarray(values, dtype=np.float64)
        if method == "xbar-r":
            return msa.gauge_rr_xbar_r(y, parts, operators, tolerance=tolerance)
        mode: Any = interaction
        return msa.gauge_rr_anova(
            y, parts, operators, tolerance=tolerance, interaction=mode, alpha=alpha
        )


def sampling_plan(
    lot_size: int, aql: float | str, level: str = "II", inspection: str = "normal"
) -> SamplingPlan:
    """The GB/T 2828.1 single sampling plan for a lot (code letter, n, Ac, Re)."""
    with library_errors():
        return sampling.single_plan(lot_size, aql, level=level, inspection=inspection)


def chart_from_table(
    table: Table,
    spec: ChartSpec,
    *,
    column: str,
    subgroup_column: str | None = None,
    size_column: str | None = None,
) -> ChartResult:
    """:func:`control_chart` on columns of a file (subgroup labels and sizes optional)."""
    labels = None if subgroup_column is None else table.labels(subgroup_column)
    sizes = None if size_column is None else table.numbers(size_column)
    values = table.numbers(column)
    return control_chart(values, replace(spec, subgroup_labels=labels, sizes=sizes))


def capability_from_table(
    table: Table,
    *,
    column: str,
    lsl: float | None,
    usl: float | None,
    target: float | None = None,
    subgroup_column: str | None = None,
    subgroup_size: int | None = None,
) -> CapabilityResult:
    """:func:`process_capability` on columns of a file."""
    labels = None if subgroup_column is None else table.labels(subgroup_column)
    values = table.numbers(column)
    return process_capability(
        values, lsl=lsl, usl=usl, target=target, subgroup_size=subgroup_size, subgroup_labels=labels
    )


def gauge_rr_from_table(
    table: Table, *, part: str, operator: str, value: str, **options: Any
) -> GaugeRRResult:
    """:func:`gauge_rr` on the part, operator and value columns of a file."""
    parts, operators = table.labels(part), table.labels(operator)
    return gauge_rr(table.numbers(value), parts, operators, **options)


def jsonable(value: Any) -> Any:
    """``value`` with NumPy scalars made plain and NaN/infinity made None, recursively."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# --- HACCP -------------------------------------------------------------------------------


class OpenDeviations(QcityError):
    """A CCP period cannot be signed off while deviations in it lack a corrective action."""

    exit_code = 1
    http_status = 409


def _text(value: str, name: str, max_length: int) -> str:
    text = value.strip()
    if not text:
        raise InputError(f"{name} is empty")
    if len(text) > max_length:
        raise InputError(f"{name} is longer than {max_length} characters")
    return text


def _aware(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(f"{name} {value.isoformat()} has no time zone; add one, e.g. +08:00")
    return value.astimezone(dt.UTC)


def _finite(value: float | None, name: str) -> float | None:
    if value is not None and not math.isfinite(value):
        raise InputError(f"{name} must be a finite number, got {value}")
    return value


def _check_uscc(uscc: str) -> str:
    verdict = validate_uscc(uscc.strip())
    if not verdict.valid:
        raise InputError(f"enterprise credit code {uscc!r} is invalid: {verdict.reason}")
    return verdict.code


def create_ccp(
    session: Session,
    *,
    uscc: str,
    product: str,
    step: str,
    hazard: str,
    lower_limit: float | None,
    upper_limit: float | None,
    unit: str,
    monitoring_frequency: str,
    now: dt.datetime | None = None,
) -> Ccp:
    """Register a critical control point with its critical limits (one or both sides).

    Raises
    ------
    InputError
        For an invalid credit code, an empty field, no limit, or ``lower_limit > upper_limit``.
    """
    lower, upper = _finite(lower_limit, "lower limit"), _finite(upper_limit, "upper limit")
    if lower is None and upper is None:
        raise InputError("a critical control point needs a lower or an upper critical limit")
    if lower is not None and upper is not None and lower > upper:
        raise InputError(f"lower critical limit {lower} is above upper critical limit {upper}")
    ccp = Ccp(
        uscc=_check_uscc(uscc),
        product=_text(product, "product", 128),
        step=_text(step, "step", 128),
        hazard=_text(hazard, "hazard", 256),
        lower_limit=lower,
        upper_limit=upper,
        unit=_text(unit, "unit", 32),
        monitoring_frequency=_text(monitoring_frequency, "monitoring frequency", 64),
        created_at=_aware(now or dt.datetime.now(dt.UTC), "creation time"),
    )
    repository.add(session, ccp)
    return ccp


def get_ccp(session: Session, ccp_id: int) -> Ccp:
    """The CCP ``ccp_id`` or :class:`NotFound`."""
    ccp = repository.ccp(session, ccp_id)
    if ccp is None:
        raise NotFound(f"no critical control point with id {ccp_id}")
    return ccp


def get_deviation(session: Session, deviation_id: int) -> Deviation:
    """The deviation ``deviation_id`` or :class:`NotFound`."""
    deviation = repository.deviation(session, deviation_id)
    if deviation is None:
        raise NotFound(f"no deviation with id {deviation_id}")
    return deviation


def breach(ccp: Ccp, value: float) -> tuple[DeviationDirection, float] | None:
    """Which critical limit ``value`` breaks, if any; a value exactly on a limit is within."""
    if ccp.lower_limit is not None and value < ccp.lower_limit:
        return DeviationDirection.BELOW, ccp.lower_limit
    if ccp.upper_limit is not None and value > ccp.upper_limit:
        return DeviationDirection.ABOVE, ccp.upper_limit
    return None


def record_monitoring(
    session: Session, ccp_id: int, *, value: float, measured_at: dt.datetime, recorded_by: str
) -> tuple[MonitoringRecord, Deviation | None]:
    """Save a monitoring record; a value outside the critical limits opens a deviation."""
    ccp = get_ccp(session, ccp_id)
    checked = _finite(value, "value")
    assert checked is not None
    record = MonitoringRecord(
        ccp_id=ccp.id,
        value=checked,
        measured_at=_aware(measured_at, "measurement time"),
        recorded_by=_text(recorded_by, "recorded by", 64),
    )
    repository.add(session, record)
    found = breach(ccp, checked)
    if found is None:
        return record, None
    deviation = Deviation(
        record_id=record.id, ccp_id=ccp.id, direction=found[0], breached_limit=found[1]
    )
    repository.add(session, deviation)
    return record, deviation


def add_corrective_action(
    session: Session,
    deviation_id: int,
    *,
    action: str,
    taken_by: str,
    taken_at: dt.datetime,
    product_disposition: str | None = None,
) -> CorrectiveAction:
    """Record what was done about a deviation; this closes it."""
    deviation = get_deviation(session, deviation_id)
    when = _aware(taken_at, "action time")
    if when < deviation.record.measured_at:
        raise InputError(
            f"the corrective action ({when.isoformat()}) predates the deviation it corrects "
            f"({deviation.record.measured_at.isoformat()})"
        )
    disposition = product_disposition.strip() if product_disposition else ""
    corrective = CorrectiveAction(
        deviation_id=deviation.id,
        action=_text(action, "action", 4000),
        product_disposition=_text(disposition, "product disposition", 256) if disposition else None,
        taken_by=_text(taken_by, "taken by", 64),
        taken_at=when,
    )
    repository.add(session, corrective)
    session.refresh(deviation, ["corrective_actions"])
    return corrective


def sign_off(
    session: Session,
    ccp_id: int,
    *,
    period_start: dt.datetime,
    period_end: dt.datetime,
    verified_by: str,
    verified_at: dt.datetime,
    notes: str = "",
) -> Verification:
    """Sign off a CCP's records for ``[period_start, period_end]``.

    Raises
    ------
    OpenDeviations
        While a deviation in the period has no corrective action.
    InputError
        For a reversed period or a sign-off dated before the period ends.
    """
    ccp = get_ccp(session, ccp_id)
    start, end = _aware(period_start, "period start"), _aware(period_end, "period end")
    when = _aware(verified_at, "verification time")
    if start > end:
        raise InputError(
            f"the period starts ({start.isoformat()}) after it ends ({end.isoformat()})"
        )
    if when < end:
        raise InputError("a period can only be verified once it has ended")
    still_open = repository.deviations(session, ccp_id=ccp.id, open_only=True, start=start, end=end)
    if still_open:
        ids = ", ".join(str(d.id) for d in still_open)
        raise OpenDeviations(
            f"cannot sign off CCP {ccp.id}: {len(still_open)} open deviation(s) ({ids}) in the "
            "period; record their corrective actions first"
        )
    verification = Verification(
        ccp_id=ccp.id,
        period_start=start,
        period_end=end,
        verified_by=_text(verified_by, "verified by", 64),
        verified_at=when,
        notes=notes.strip(),
    )
    repository.add(session, verification)
    return verification
