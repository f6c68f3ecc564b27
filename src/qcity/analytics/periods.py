"""Reporting periods: a year (2025), a quarter (2025-Q3) or a month (2025-07).

Every period of a unit has an integer index so that "the previous period" is index - 1:
month ``year * 12 + month - 1``, quarter ``year * 4 + quarter - 1``, year ``year``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from qcity.errors import InputError

PeriodUnit = Literal["month", "quarter", "year"]
UNITS: tuple[PeriodUnit, ...] = ("month", "quarter", "year")
_MONTHS_PER: dict[str, int] = {"month": 1, "quarter": 3, "year": 12}
_PATTERN = re.compile(r"^(\d{4})(?:-Q([1-4])|-(\d{2}))?$")


def parse_unit(text: str) -> PeriodUnit:
    if text not in UNITS:
        raise InputError(f"period unit {text!r} is not one of {', '.join(UNITS)}")
    return text


@dataclass(frozen=True, order=True)
class Period:
    """One calendar period; ``number`` is the month (1-12), quarter (1-4) or 1 for a year."""

    unit: PeriodUnit
    year: int
    number: int = 1

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2025``, ``2025-Q3`` or ``2025-07``; anything else is a one-line InputError."""
        match = _PATTERN.match(text.strip())
        if not match:
            raise InputError(
                f"period {text!r} is not a year, quarter or month; "
                "use e.g. 2025, 2025-Q3 or 2025-07"
            )
        year = int(match.group(1))
        if match.group(2):
            return cls("quarter", year, int(match.group(2)))
        if match.group(3):
            month = int(match.group(3))
            if not 1 <= month <= 12:
                raise InputError(f"period {text!r} has no month {month:02d}; use 01 to 12")
            return cls("month", year, month)
        return cls("year", year, 1)

    @classmethod
    def from_index(cls, unit: PeriodUnit, index: int) -> Period:
        if unit == "month":
            return cls("month", index // 12, index % 12 + 1)
        if unit == "quarter":
            return cls("quarter", index // 4, index % 4 + 1)
        return cls("year", index, 1)

    @classmethod
    def containing(cls, unit: PeriodUnit, day: dt.date) -> Period:
        if unit == "month":
            return cls("month", day.year, day.month)
        if unit == "quarter":
            return cls("quarter", day.year, (day.month - 1) // 3 + 1)
        return cls("year", day.year, 1)

    @property
    def index(self) -> int:
        if self.unit == "month":
            return self.year * 12 + self.number - 1
        if self.unit == "quarter":
            return self.year * 4 + self.number - 1
        return self.year

    @property
    def label(self) -> str:
        if self.unit == "month":
            return f"{self.year}-{self.number:02d}"
        if self.unit == "quarter":
            return f"{self.year}-Q{self.number}"
        return str(self.year)

    def __str__(self) -> str:
        return self.label

    @property
    def start(self) -> dt.date:
        first_month = (
            1
            if self.unit == "year"
            else (self.number if self.unit == "month" else 3 * self.number - 2)
        )
        return dt.date(self.year, first_month, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the period."""
        return self.next().start - dt.timedelta(days=1)

    def next(self) -> Period:
        return Period.from_index(self.unit, self.index + 1)

    def previous(self) -> Period:
        return Period.from_index(self.unit, self.index - 1)

    def finer_or_equal(self, unit: PeriodUnit) -> bool:
        """Whether periods of ``unit`` tile this period (a year into quarters, not the reverse)."""
        return _MONTHS_PER[unit] <= _MONTHS_PER[self.unit]

    def split(self, unit: PeriodUnit) -> tuple[Period, Period]:
        """The first and last period of ``unit`` inside this one."""
        return Period.containing(unit, self.start), Period.containing(unit, self.end)
