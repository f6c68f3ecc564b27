"""Fixtures for the control-chart tests (reference copies in tests/fixtures/spc/charts/)."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

FIXTURES = Path(__file__).parents[2] / "fixtures" / "spc" / "charts"


def load_json(name: str) -> dict[str, Any]:
    """A reference JSON file from the fixtures folder."""
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def load_csv(name: str) -> list[dict[str, str]]:
    """Rows of a reference CSV file."""
    with (FIXTURES / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def decimals(value: float) -> int:
    """Decimals printed in a reference value (as it appears in the JSON)."""
    text = repr(float(value))
    if "e" in text:
        mant, exp = text.split("e")
        frac = mant.split(".")[1] if "." in mant else ""
        return max(0, len(frac.rstrip("0")) - int(exp))
    frac = text.split(".")[1]
    return 0 if frac == "0" else len(frac)


def assert_printed(actual: float, printed: float, places: int | None = None) -> None:
    """``actual`` rounds to ``printed`` at its printed precision (half a unit in the last place)."""
    k = decimals(printed) if places is None else places
    half = 0.5 * 10.0 ** (-k)
    assert math.isfinite(actual)
    assert abs(actual - printed) <= half * (1 + 1e-9), (actual, printed, k)


@pytest.fixture(scope="session")
def vignette() -> dict[str, Any]:
    """charts/qcc_vignette_published.json -> cases."""
    cases: dict[str, Any] = load_json("qcc_vignette_published.json")["cases"]
    return cases


@pytest.fixture(scope="session")
def oracle() -> dict[str, Any]:
    """charts/qcc_oracle_computed.json."""
    return load_json("qcc_oracle_computed.json")


@pytest.fixture(scope="session")
def pistonrings() -> np.ndarray:
    """charts/pistonrings.csv as 40 x 5 (groups in order of `sample`)."""
    rows = load_csv("pistonrings.csv")
    out = np.empty((40, 5))
    counts = [0] * 40
    for r in rows:
        g = int(r["sample"]) - 1
        out[g, counts[g]] = float(r["diameter"])
        counts[g] += 1
    return out


@pytest.fixture(scope="session")
def viscosity() -> tuple[np.ndarray, np.ndarray]:
    """charts/viscosity.csv -> (values, trial flag)."""
    rows = load_csv("viscosity.csv")
    v = np.array([float(r["viscosity"]) for r in rows])
    return v, np.array([r["trial"] == "TRUE" for r in rows])


def attribute(name: str, x: str = "x") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(counts, sizes, trial) of a qcc attribute data set (trial all True if absent)."""
    rows = load_csv(name)
    counts = np.array([float(r[x]) for r in rows])
    sizes = np.array([float(r["size"]) for r in rows])
    trial = np.array([r.get("trial", "TRUE") == "TRUE" for r in rows])
    return counts, sizes, trial
