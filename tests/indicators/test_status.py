"""Legend bands (docs/indicators.md): met, at risk, missed, per comparator."""

from __future__ import annotations

import pytest

from qcity.indicators.service import classify, default_margin


@pytest.mark.parametrize(
    ("value", "probability", "status"),
    [
        (98.5, None, "met"),
        (99.0, 0.9, "met"),
        (99.0, 0.4, "at_risk"),  # above target now, but unlikely to stay there
        (98.0, None, "at_risk"),
        (97.5, None, "at_risk"),  # exactly target - margin
        (97.49, None, "missed"),
        (None, None, "no_data"),
    ],
)
def test_at_least(value: float | None, probability: float | None, status: str) -> None:
    assert classify(">=", 98.5, 1.0, value, probability=probability) == status


@pytest.mark.parametrize(
    ("value", "status"), [(2.0, "met"), (2.5, "at_risk"), (3.0, "at_risk"), (3.01, "missed")]
)
def test_at_most(value: float, status: str) -> None:
    assert classify("<=", 2.0, 1.0, value) == status


@pytest.mark.parametrize(
    ("value", "status"), [(4.2, "met"), (3.8, "met"), (3.65, "at_risk"), (4.41, "missed")]
)
def test_about(value: float, status: str) -> None:
    assert classify("~", 4.0, 0.2, value) == status


@pytest.mark.parametrize(
    ("value", "previous", "status"),
    [(91.0, 90.0, "met"), (90.0, 90.0, "at_risk"), (89.0, 90.0, "missed"), (89.0, None, "no_data")],
)
def test_rising(value: float, previous: float | None, status: str) -> None:
    assert classify("rising", None, 0.0, value, previous=previous) == status


def test_default_margins() -> None:
    assert default_margin(">=", 98.0, "%") == 1.0
    assert default_margin(">=", 80, "count") == 8.0
    assert default_margin("~", 4, "%") == 0.2
    assert default_margin("rising", None, "%") == 0.0
