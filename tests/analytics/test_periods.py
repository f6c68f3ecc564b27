"""Reporting periods: parsing, labels, indices, bounds."""

from __future__ import annotations

import datetime as dt

import pytest

from qcity.analytics.periods import Period
from qcity.errors import InputError


@pytest.mark.parametrize(
    ("text", "unit", "start", "end"),
    [
        ("2025", "year", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        ("2025-Q3", "quarter", dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
        ("2024-02", "month", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2025-12", "month", dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
    ],
)
def test_parse_and_bounds(text: str, unit: str, start: dt.date, end: dt.date) -> None:
    period = Period.parse(text)
    assert (period.unit, period.label, period.start, period.end) == (unit, text, start, end)
    assert Period.from_index(period.unit, period.index) == period


def test_previous_crosses_year_boundaries() -> None:
    assert Period.parse("2025-01").previous().label == "2024-12"
    assert Period.parse("2025-Q1").previous().label == "2024-Q4"
    assert Period.parse("2025").previous().label == "2024"


def test_split_into_finer_units() -> None:
    first, last = Period.parse("2025").split("quarter")
    assert (first.label, last.label) == ("2025-Q1", "2025-Q4")
    assert Period.parse("2025-Q3").finer_or_equal("month")
    assert not Period.parse("2025-07").finer_or_equal("year")


@pytest.mark.parametrize("text", ["2025-13", "2025-Q5", "25", "2025/07", "July", ""])
def test_bad_periods_are_one_line_input_errors(text: str) -> None:
    with pytest.raises(InputError) as caught:
        Period.parse(text)
    assert "\n" not in str(caught.value)
