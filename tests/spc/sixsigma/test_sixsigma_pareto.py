"""Pareto analysis against the qcc vignette and by construction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcity.spc.sixsigma import pareto

FIX = Path(__file__).parents[2] / "fixtures" / "spc" / "capability"


def test_qcc_vignette_pareto() -> None:
    # qcc_vignette_published.json "paretoChart defect c(80,27,66,94,33)"; names from the
    # vignette call: price code, schedule date, supplier code, contact num., part num.
    pub = json.loads((FIX / "qcc_vignette_published.json").read_text(encoding="utf-8"))
    case = pub["cases"]["paretoChart defect c(80,27,66,94,33)"]
    names = ["price code", "schedule date", "supplier code", "contact num.", "part num."]
    res = pareto(dict(zip(names, [80, 27, 66, 94, 33], strict=True)))
    assert [i.category for i in res.items] == case["sorted"]
    assert [i.count for i in res.items] == case["freq"]
    for item, cum in zip(res.items, case["cum_pct"], strict=True):
        assert abs(100 * item.cumulative_share - cum) <= 0.005  # printed to 2 decimals
    assert res.vital_few == ("contact num.", "price code", "supplier code")  # 80.00 % reached
    assert res.total == 300


def test_ties_are_sorted_by_name_and_other_is_last() -> None:
    res = pareto([("b", 5), ("a", 5), ("c", 9), ("d", 1), ("e", 1)], other_below=0.1)
    assert [i.category for i in res.items] == ["c", "a", "b", "Other"]
    assert res.items[-1].count == 2
    assert res.items[-1].cumulative_share == pytest.approx(1.0)
    no_bucket = pareto({"x": 1, "y": 1, "z": 1}, other_below=0.2)
    assert [i.category for i in no_bucket.items] == ["x", "y", "z"]


def test_cutoff() -> None:
    counts = {"a": 50, "b": 30, "c": 15, "d": 5}
    assert pareto(counts).vital_few == ("a", "b")
    assert pareto(counts, cutoff=0.81).vital_few == ("a", "b", "c")
    assert pareto(counts, cutoff=1.0).vital_few == ("a", "b", "c", "d")
    d = pareto(counts).to_dict()
    assert d["vital_few"] == ["a", "b"] and d["items"][0]["share"] == 0.5


@settings(max_examples=100, deadline=None)
@given(
    counts=st.dictionaries(
        st.text(min_size=1, max_size=5), st.integers(min_value=0, max_value=1000), min_size=1
    ).filter(lambda d: sum(d.values()) > 0),
    cutoff=st.floats(min_value=0.05, max_value=1.0),
)
def test_pareto_invariants(counts: dict[str, int], cutoff: float) -> None:
    res = pareto(counts, cutoff=cutoff)
    keys = [(-i.count, i.category) for i in res.items]
    assert keys == sorted(keys)
    assert res.items[-1].cumulative_share == pytest.approx(1.0)
    assert sum(i.share for i in res.items) == pytest.approx(1.0)
    vital = res.vital_few
    assert vital == tuple(i.category for i in res.items[: len(vital)])
    assert res.items[len(vital) - 1].cumulative_share >= cutoff - 1e-12
    if len(vital) > 1:
        assert res.items[len(vital) - 2].cumulative_share < cutoff


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ({}, {}, "positive count"),
        ({"a": 0}, {}, "positive count"),
        ({"a": -1}, {}, "non-negative"),
        ({"a": 1}, {"cutoff": 0.0}, "cutoff"),
        ({"a": 1, "b": 1}, {"other_below": 1.5}, "other_below"),
        ({"Other": 5, "b": 1}, {"other_below": 0.3}, "already named"),
    ],
)
def test_bad_input_raises(args: dict[str, int], kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pareto(args, **kwargs)  # type: ignore[arg-type]


def test_duplicate_names_raise() -> None:
    with pytest.raises(ValueError, match="unique"):
        pareto([("a", 1), ("a", 2)])
