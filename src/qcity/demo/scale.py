"""Demo city sizes."""

from __future__ import annotations

from enum import StrEnum


class Scale(StrEnum):
    SMALL = "small"
    CITY = "city"


ENTITIES_AT_SCALE = {Scale.SMALL: 20_000, Scale.CITY: 1_600_000}
