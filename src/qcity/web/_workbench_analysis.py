"""What the SPC workbench computes: a chart and a capability report from a table and a form.

The numbers come from :mod:`qcity.quality.service` (over :mod:`qcity.spc`) unchanged; this
module only picks the columns, checks the layout with messages a user can act on, and shapes the
result for the page (ECharts payload) and the CSV download.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from qcity.errors import InputError
from qcity.quality import service
from qcity.quality._chart_dispatch import ChartSpec
from qcity.quality._tabular import Table
from qcity.spc.capability import CapabilityResult
from qcity.spc.charts import ChartResult
from qcity.web import _workbench_data as data

Gettext = Callable[[str], str]
VARIABLES = ("i-mr", "xbar-r", "xbar-s", "ewma", "cusum")
ATTRIBUTES = ("p", "np", "c", "u")
CHARTS = (*VARIABLES, *ATTRIBUTES)
RULE_CHOICES = ("default", "we", "nelson", "none")
MIN_POINTS = 5
FEW_POINTS = 20
CSV_COLUMNS = ("chart", "point", "label", "value", "center", "lcl", "ucl", "rule", "violation")


@dataclass(frozen=True)
class Choice:
    """What the user asked for (already parsed from the form)."""

    chart: str
    columns: tuple[str, ...]
    subgroup_column: str | None = None
    subgroup_size: int | None = None
    size_column: str | None = None
    rules: str = "default"
    lsl: float | None = None
    usl: float | None = None
    target: float | None = None


@dataclass(frozen=True)
class Analysis:
    """A chart, its point labels and (with a specification) the capability."""

    choice: Choice
    chart: ChartResult
    labels: list[str]
    values: NDArray[np.float64]
    capability: CapabilityResult | None


def rule_names(_: Gettext) -> dict[str, dict[int, str]]:
    """What each run rule means, by rule set and number."""
    return {
        "we": {
            1: _("one point beyond the 3σ limits"),
            2: _("two of three points beyond 2σ on one side"),
            3: _("four of five points beyond 1σ on one side"),
            4: _("eight points in a row on one side of the centre line"),
        },
        "nelson": {
            1: _("one point beyond the 3σ limits"),
            2: _("nine points in a row on one side of the centre line"),
            3: _("six points in a row steadily increasing or decreasing"),
            4: _("fourteen points in a row alternating up and down"),
            5: _("two of three points beyond 2σ on one side"),
            6: _("four of five points beyond 1σ on one side"),
            7: _("fifteen points in a row within 1σ of the centre line"),
            8: _("eight points in a row beyond 1σ on either side"),
        },
    }


def rule_code(rule_set: str, rule: int) -> str:
    """``WE1`` or ``Nelson 3``."""
    return f"WE{rule}" if rule_set == "we" else f"Nelson {rule}"


def _check_layout(choice: Choice, _: Gettext) -> None:
    if choice.chart not in CHARTS:
        raise InputError(_("Choose one of the listed charts."))
    if not choice.columns:
        raise InputError(_("Choose the column that holds the measurements or counts."))
    grouped = choice.subgroup_column is not None or choice.subgroup_size is not None
    if len(choice.columns) > 1 and (grouped or choice.chart not in ("xbar-r", "xbar-s")):
        raise InputError(
            _(
                "Several measurement columns make one subgroup per row: use them with the X̄-R or "
                "X̄-S chart and leave the subgroup column and size empty."
            )
        )
    if choice.subgroup_column is not None and choice.subgroup_size is not None:
        raise InputError(_("Give either a subgroup column or a subgroup size, not both."))
    if choice.chart in ("i-mr", "c") and grouped:
        raise InputError(
            _("This chart takes one value per row; leave the subgroup column and size empty.")
        )
    if choice.chart in ("xbar-r", "xbar-s") and len(choice.columns) == 1 and not grouped:
        raise InputError(
            _(
                "The X̄ charts need subgroups: choose a subgroup column, a subgroup size, or "
                "several measurement columns."
            )
        )
    if choice.chart in ("p", "np", "u"):
        if choice.subgroup_column is not None:
            raise InputError(_("Attribute charts take sample sizes, not a subgroup column."))
        if choice.size_column is None and choice.subgroup_size is None:
            raise InputError(
                _(
                    "This chart needs sample sizes: choose a sample size column or give a "
                    "constant subgroup size."
                )
            )
    if choice.lsl is not None and choice.usl is not None and choice.lsl >= choice.usl:
        raise InputError(_("The lower specification limit must be below the upper one."))


def _values(table: Table, choice: Choice, _: Gettext) -> tuple[NDArray[np.float64], list[str]]:
    """The values in time order and one label per plotted point."""
    rows = [str(i + 1) for i in range(len(table.rows))]  # point numbers
    if len(choice.columns) > 1:
        matrix = np.column_stack([data.numbers(table, c, _) for c in choice.columns])
        return matrix.ravel(), rows
    values = data.numbers(table, choice.columns[0], _)
    if choice.subgroup_column is not None:
        seen = dict.fromkeys(data.labels(table, choice.subgroup_column, _))
        return values, list(seen)
    size = choice.subgroup_size
    if size is not None and choice.chart in VARIABLES:
        if values.size % size:
            raise InputError(
                _(
                    "{file}: {count} values do not split into subgroups of {size}; add or remove "
                    "rows, or use a subgroup column."
                ).format(file=table.source, count=values.size, size=size)
            )
        return values, [str(i + 1) for i in range(values.size // size)]
    return values, rows


def analyse(table: Table, choice: Choice, _: Gettext) -> Analysis:
    """Compute the chart (and the capability when a specification limit is given).

    Raises
    ------
    InputError
        For a layout that does not fit the chart, a bad cell, too few points, or data the
        statistics library refuses (its reason is quoted).
    """
    _check_layout(choice, _)
    values, labels = _values(table, choice, _)
    if len(labels) < MIN_POINTS:
        raise InputError(
            _(
                "{file}: {count} points are too few for a control chart; give at least {minimum} "
                "(20 to 25 subgroups are usual)."
            ).format(file=table.source, count=len(labels), minimum=MIN_POINTS)
        )
    sizes = None if choice.size_column is None else data.numbers(table, choice.size_column, _)
    size = len(choice.columns) if len(choice.columns) > 1 else choice.subgroup_size
    group_labels = (
        None if choice.subgroup_column is None else data.labels(table, choice.subgroup_column, _)
    )
    spec = ChartSpec(
        chart_type=choice.chart,
        subgroup_size=size,
        subgroup_labels=group_labels,
        sizes=sizes,
        rules=_rules(choice),
    )
    try:
        chart = service.control_chart(values, spec)
        capability = _capability(values, choice, size, group_labels)
    except InputError as exc:
        raise InputError(
            _("{file}: the chart could not be computed: {reason}").format(
                file=table.source, reason=exc
            )
        ) from None
    return Analysis(choice, chart, labels, values, capability)


def _rules(choice: Choice) -> str | None:
    if choice.chart in ("ewma", "cusum") or choice.rules == "default":
        return None
    return choice.rules


def _capability(
    values: NDArray[np.float64], choice: Choice, size: int | None, labels: list[str] | None
) -> CapabilityResult | None:
    if choice.chart not in VARIABLES or (choice.lsl is None and choice.usl is None):
        return None
    return service.process_capability(
        values,
        lsl=choice.lsl,
        usl=choice.usl,
        target=choice.target,
        subgroup_size=size,
        subgroup_labels=labels,
    )


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _limit_at(limit: Any, i: int) -> float | None:
    if isinstance(limit, np.ndarray) and limit.ndim > 0:
        return _finite(limit[i])
    return _finite(limit)


def csv_rows(analysis: Analysis, _: Gettext) -> list[list[object]]:
    """One row per plotted point of the chart and its secondary chart, with any violation."""
    names = rule_names(_)
    rows: list[list[object]] = []
    for result in (analysis.chart, analysis.chart.secondary):
        if result is None:
            continue
        fired = {int(i): int(r) for r, i in result.violations.tolist()}
        for i, point in enumerate(result.points.tolist()):
            rule = fired.get(i)
            rows.append(
                [
                    result.chart_type,
                    i + 1,
                    _label(analysis.labels, i),
                    _finite(point),
                    _finite(result.center),
                    _limit_at(result.lcl, i),
                    _limit_at(result.ucl, i),
                    "" if rule is None else rule_code(result.rule_set, rule),
                    "" if rule is None else names[result.rule_set].get(rule, ""),
                ]
            )
    return rows


def _label(labels: list[str], i: int) -> str:
    return labels[i] if i < len(labels) else str(i + 1)


def _series(result: ChartResult, labels: list[str], names: dict[str, dict[int, str]]) -> Any:
    out = service.jsonable(result.to_dict())
    out["labels"] = [_label(labels, i) for i in range(len(result.points))]
    out["violations"] = [
        {
            "index": int(i),
            "rule": rule_code(result.rule_set, int(r)),
            "text": names[result.rule_set].get(int(r), ""),
        }
        for r, i in result.violations.tolist()
    ]
    return out


def histogram(values: NDArray[np.float64]) -> dict[str, list[float]]:
    """Bin edges and counts (Sturges' rule), for the capability histogram."""
    bins = max(5, math.ceil(math.log2(max(values.size, 1)) + 1))
    counts, edges = np.histogram(values, bins=bins)
    return {"edges": edges.tolist(), "counts": counts.astype(float).tolist()}


def payload(analysis: Analysis, _: Gettext) -> dict[str, Any]:
    """What ``workbench.js`` draws: the chart, the secondary chart and the histogram."""
    names = rule_names(_)
    chart = _series(analysis.chart, analysis.labels, names)
    secondary = analysis.chart.secondary
    out: dict[str, Any] = {
        "chart": chart,
        "secondary": None if secondary is None else _series(secondary, analysis.labels, names),
        "spec": {
            "lsl": analysis.choice.lsl,
            "usl": analysis.choice.usl,
            "target": analysis.choice.target,
        },
        "histogram": histogram(analysis.values) if analysis.capability is not None else None,
    }
    return out
