"""Single sampling plans: spot checks, 100 % inspection, errors, result objects."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcity.spc.sampling import (
    AQLS,
    LEVELS,
    SamplingPlan,
    code_letter,
    plan_from_code_letter,
    single_plan,
    tighter_accept_number,
)


# Spot checks from /work/shared/reference/spc/README.md, section iso2859/
# (ISO 2859-1 Table 1 and Table 2-A): lot 501-1200, level II -> J, n = 80.
@pytest.mark.parametrize(("aql", "accept", "reject"), [(1.0, 2, 3), (2.5, 5, 6), (4.0, 7, 8)])
def test_readme_spot_checks_lot_501_1200(aql: float, accept: int, reject: int) -> None:
    for lot in (501, 800, 1200):
        plan = single_plan(lot, aql)
        assert (plan.code_letter, plan.sample_size) == ("J", 80)
        assert (plan.accept, plan.reject) == (accept, reject)


def test_readme_spot_check_lot_3201_10000() -> None:
    # README iso2859/: lot 3201-10000, level II -> L, n = 200; AQL 2.5 -> 10/11.
    for lot in (3201, 5000, 10000):
        plan = single_plan(lot, 2.5)
        assert (plan.code_letter, plan.sample_size, plan.accept, plan.reject) == ("L", 200, 10, 11)


def test_to_dict_has_required_keys_and_is_frozen() -> None:
    plan = single_plan(1000, "2.5", level="II", inspection="tightened")
    data = plan.to_dict()
    assert {"code_letter", "sample_size", "accept", "reject"} <= set(data)
    # Table II-B (AQLSchemes single_tightened_resolved.csv): J, AQL 2.5 -> 80, 3/4.
    assert (data["code_letter"], data["sample_size"], data["accept"], data["reject"]) == (
        "J",
        80,
        3,
        4,
    )
    assert data["inspection"] == "tightened"
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.accept = 9  # type: ignore[misc]


def test_full_inspection_when_sample_reaches_lot_size() -> None:
    # Rule (README iso2859/): if n >= lot size, inspect 100 %.
    plan = single_plan(10, 0.65)  # Table 2-A: code B, arrow down to F, n = 20 > N = 10
    assert plan.full_inspection
    assert (plan.sample_size, plan.table_sample_size, plan.lot_size) == (10, 20, 10)
    assert plan.accept == 0
    assert not single_plan(1000, 2.5).full_inspection


def test_full_inspection_when_sample_equals_lot_size() -> None:
    plan = single_plan(2, 40)  # code A, n = 2 (Table 2-A, AQL 40: 2/3)
    assert plan.full_inspection
    assert plan.sample_size == 2


def test_arrows_change_the_code_letter_of_the_plan() -> None:
    plan = single_plan(30, 0.10)  # code D, arrow down to K (n = 125, 0/1)
    assert (plan.code_letter, plan.plan_code_letter, plan.table_sample_size) == ("D", "K", 125)


@pytest.mark.parametrize("aql", [0.3, 0.5, 2.0, "abc", -1.0, float("nan"), True, None])
def test_unknown_aql_names_value_and_lists_choices(aql: object) -> None:
    with pytest.raises(ValueError, match="AQL") as err:
        single_plan(1000, aql)  # type: ignore[arg-type]
    assert repr(aql) in str(err.value)
    assert "0.010" in str(err.value)
    assert "1000" in str(err.value)


@pytest.mark.parametrize("level", ["IV", "ii", "S-5", ""])
def test_unknown_level_names_value_and_lists_choices(level: str) -> None:
    with pytest.raises(ValueError, match="level") as err:
        code_letter(1000, level)
    assert repr(level) in str(err.value)
    assert all(valid in str(err.value) for valid in LEVELS)


@pytest.mark.parametrize("lot", [1, 0, -5, 2.5, True, "100"])
def test_bad_lot_size_names_value(lot: object) -> None:
    with pytest.raises(ValueError, match="lot size") as err:
        single_plan(lot, 1.0)  # type: ignore[arg-type]
    assert repr(lot) in str(err.value)
    assert ">= 2" in str(err.value)


def test_reduced_is_refused_unless_labelled_mil_std_105e() -> None:
    with pytest.raises(ValueError, match="reduced-mil-std-105e"):
        single_plan(1000, 1.0, inspection="reduced")
    with pytest.raises(ValueError, match="valid choices"):
        single_plan(1000, 1.0, inspection="lenient")
    plan = single_plan(1000, 1.0, inspection="reduced-mil-std-105e")
    assert "MIL-STD-105E" in plan.standard
    assert "not ISO" in plan.standard
    # MIL-STD-105E Table II-C (AQLSchemes single_reduced_resolved.csv): J, AQL 1.0 -> 32, 1/3.
    assert (plan.sample_size, plan.accept, plan.reject) == (32, 1, 3)


def test_level_checked_when_given_with_code_letter() -> None:
    with pytest.raises(ValueError, match="level 'IV'"):
        plan_from_code_letter("J", 1.0, level="IV")


def test_unknown_code_letter() -> None:
    with pytest.raises(ValueError, match="code letter 'I'"):
        plan_from_code_letter("I", 1.0)
    with pytest.raises(ValueError, match="code letter 'S'"):
        plan_from_code_letter("S", 1.0)  # S exists only as an arrow target in Table 2-B


def test_is_accepted() -> None:
    plan = single_plan(1000, 2.5)
    assert plan.is_accepted(5)
    assert not plan.is_accepted(6)
    with pytest.raises(ValueError, match="count"):
        plan.is_accepted(-1)


@pytest.mark.parametrize("inspection", ["normal", "tightened"])
def test_tighter_step_keeps_sample_size_when_ac_at_least_2(inspection: str) -> None:
    # Clause 9.3.3.2 compares with the AQL one step tighter for the same sample.
    for letter in "ABCDEFGHJKLMNPQR":
        for aql in AQLS:
            plan = plan_from_code_letter(letter, aql, inspection=inspection)
            if plan.accept >= 2:
                tighter = plan_from_code_letter(
                    plan.plan_code_letter, AQLS[AQLS.index(aql) - 1], inspection=inspection
                )
                assert tighter.table_sample_size == plan.table_sample_size
                assert tighter_accept_number(plan) == tighter.accept < plan.accept


def test_tighter_accept_number_none_at_tightest_aql() -> None:
    assert tighter_accept_number(plan_from_code_letter("Q", "0.010")) is None


def test_result_type() -> None:
    assert isinstance(single_plan(1000, 1.0), SamplingPlan)


LETTERS = "ABCDEFGHJKLMNPQR"


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.integers(2, 2_000_000), min_size=2, max_size=10),
    level=st.sampled_from(LEVELS),
)
def test_code_letter_monotone_in_lot_size(sizes: list[int], level: str) -> None:
    letters = [LETTERS.index(code_letter(size, level)) for size in sorted(sizes)]
    assert letters == sorted(letters)


@settings(max_examples=100, deadline=None)
@given(size=st.integers(2, 2_000_000))
def test_code_letter_monotone_in_level(size: int) -> None:
    general = [LETTERS.index(code_letter(size, level)) for level in ("I", "II", "III")]
    special = [LETTERS.index(code_letter(size, level)) for level in ("S-1", "S-2", "S-3", "S-4")]
    assert general == sorted(general)
    assert special == sorted(special)
