"""Run rules against charts/run_rule_test_vectors.json (qcc test-rules.R) and properties."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcity.spc.charts import resolve_rules, run_rules, u_chart

from .conftest import load_json

VECTORS = load_json("run_rule_test_vectors.json")


def _fired(x: list[float], rule: int, rule_set: str) -> list[int]:
    v = run_rules(x, 0.0, 1.0, rules=[rule], rule_set=rule_set)
    return (v[:, 1] + 1).tolist()  # the JSON is 1-based


@pytest.mark.parametrize(
    "case", [c for c in VECTORS["western_electric"] if isinstance(c["rule"], int)],
    ids=lambda c: f"we{c['rule']}",
)  # fmt: skip
def test_western_electric_vectors(case: dict[str, Any]) -> None:
    # run_rule_test_vectors.json western_electric[rule]["violating"]
    assert _fired(case["x"], case["rule"], "we") == case["violating"]


def test_we_precedence_vector() -> None:
    # run_rule_test_vectors.json western_electric["precedence 4,3,2,1"]: lowest rule wins
    case = next(c for c in VECTORS["western_electric"] if c["rule"] == "precedence 4,3,2,1")
    v = run_rules(case["x"], 0.0, 1.0, rules="we")
    per_point: list[int | None] = [None] * len(case["x"])
    for rule, idx in v.tolist():
        per_point[idx] = rule
    assert per_point == case["rule_per_point"]


@pytest.mark.parametrize(
    "case", [c for c in VECTORS["nelson"] if isinstance(c["rule"], int)],
    ids=lambda c: f"nelson{c['rule']}-{len(c['x'])}",
)  # fmt: skip
def test_nelson_vectors(case: dict[str, Any]) -> None:
    # run_rule_test_vectors.json nelson[rule]["violating"]
    assert _fired(case["x"], case["rule"], "nelson") == case["violating"]


def test_we4_vs_nelson2_discriminator() -> None:
    # run_rule_test_vectors.json nelson["WE4 vs Nelson2"] (capstat rules.yaml@1e7a3028)
    case = next(c for c in VECTORS["nelson"] if c["rule"] == "WE4 vs Nelson2")
    assert (len(_fired(case["x"], 4, "we")) > 0) == case["WE4_fires"]
    assert (len(_fired(case["x"], 2, "nelson")) > 0) == case["Nelson2_fires"]


def test_on_the_boundary_is_not_a_violation() -> None:
    # a point exactly on a limit / zone boundary does not count (strict inequalities)
    assert run_rules([3.0, -3.0], 0.0, 1.0, rules="we1").size == 0
    assert run_rules([2.0, 2.0, 2.0], 0.0, 1.0, rules="we2").size == 0
    assert run_rules([1.0] * 5, 0.0, 1.0, rules="we3").size == 0
    assert run_rules([0.0] * 10, 0.0, 1.0, rules="we4").size == 0


def test_false_alarm_rates_simulated() -> None:
    # run_rule_test_vectors.json false_alarm_rates_simulated_capstat (rel tolerance 0.35)
    ref = VECTORS["false_alarm_rates_simulated_capstat"]
    x = np.random.default_rng(11).standard_normal(400_000)
    for rules, key in [("nelson1", "nelson_rule1_only"), ("nelson", "all_nelson"),
                       ("we", "all_western_electric")]:  # fmt: skip
        rate = run_rules(x, 0.0, 1.0, rules=rules).shape[0] / x.size
        assert abs(rate - ref[key]) <= ref["tolerance_rel"] * ref[key], (key, rate)


def test_per_point_zones_u_chart() -> None:
    # with per-point limits each point is judged against its own zones
    counts = np.array([10.0, 10, 10, 10, 40])
    sizes = np.array([10.0, 10, 10, 10, 20])
    res = u_chart(counts, sizes, rules="we1")
    u = counts.sum() / sizes.sum()
    ucl = u + 3 * np.sqrt(u / sizes)
    assert res.out_of_control.tolist() == np.flatnonzero(counts / sizes > ucl).tolist()
    z = run_rules([1.0, 1.0], 0.0, [0.5, 2.0], rules="we1")
    assert z.tolist() == []  # 1.0 < 3·0.5 and < 3·2
    z = run_rules([1.6, 1.6], 0.0, [0.5, 2.0], rules="we1")
    assert z.tolist() == [[1, 0]]


def test_rule_spec_forms() -> None:
    assert resolve_rules("we") == ("we", (1, 2, 3, 4))
    assert resolve_rules(("nelson",)) == ("nelson", tuple(range(1, 9)))
    assert resolve_rules({2, 5}, rule_set="nelson") == ("nelson", (2, 5))
    assert resolve_rules(["nelson3", 7]) == ("nelson", (3, 7))
    assert resolve_rules(None) == ("we", ())
    with pytest.raises(ValueError, match="unknown rule set"):
        resolve_rules([1], rule_set="minitab")


def test_precedence_off_reports_all() -> None:
    x = [2.5] * 7 + [3.2]
    every = run_rules(x, 0.0, 1.0, rules="we", precedence=False)
    assert [1, 7] in every.tolist() and [2, 7] in every.tolist() and [4, 7] in every.tolist()


def _loop_reference(x: np.ndarray, rule: int) -> list[int]:
    """Straightforward per-point implementation of the Nelson rules (σ = 1, centre 0)."""
    out = []
    for i in range(len(x)):
        w = x[max(0, i - 14) : i + 1]
        fire = False
        if rule == 1:
            fire = abs(x[i]) > 3
        elif rule == 2 and i >= 8:
            fire = bool(np.all(x[i - 8 : i + 1] > 0) or np.all(x[i - 8 : i + 1] < 0))
        elif rule == 3 and i >= 5:
            d = np.diff(x[i - 5 : i + 1])
            fire = bool(np.all(d > 0) or np.all(d < 0))
        elif rule == 4 and i >= 13:
            d = np.diff(x[i - 13 : i + 1])
            fire = bool(np.all(d[1:] * d[:-1] < 0))
        elif rule == 5 and i >= 2:
            w = x[i - 2 : i + 1]
            fire = (x[i] > 2 and (w > 2).sum() >= 2) or (x[i] < -2 and (w < -2).sum() >= 2)
        elif rule == 6 and i >= 4:
            w = x[i - 4 : i + 1]
            fire = (x[i] > 1 and (w > 1).sum() >= 4) or (x[i] < -1 and (w < -1).sum() >= 4)
        elif rule == 7 and i >= 14:
            fire = bool(np.all(np.abs(x[i - 14 : i + 1]) <= 1))
        elif rule == 8 and i >= 7:
            w = x[i - 7 : i + 1]
            fire = bool(np.all(np.abs(w) > 1) and (w > 1).any() and (w < -1).any())
        if fire:
            out.append(i)
    return out


series = st.lists(
    st.sampled_from([-3.5, -2.5, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5]),
    min_size=0,
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(series, st.integers(1, 8))
def test_vectorised_equals_loop(values: list[float], rule: int) -> None:
    x = np.array(values, dtype=float)
    got = run_rules(x, 0.0, 1.0, rules=[rule], rule_set="nelson")[:, 1].tolist()
    assert got == _loop_reference(x, rule)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(-40, 40), min_size=1, max_size=80),
    st.floats(0.1, 100.0),
    st.floats(-1e3, 1e3),
)
def test_invariant_to_affine_transformation(values: list[int], scale: float, shift: float) -> None:
    # values on a 1/8 grid (many exactly on zone boundaries) and a power-of-two scale with an
    # integer shift, so the transformed points and boundaries are exact in floating point
    a = 2.0 ** round(np.log2(scale))
    x = np.array(values) / 8.0
    base = run_rules(x, 0.0, 1.0, rules="nelson", precedence=False)
    moved = run_rules(a * x + round(shift), round(shift), a, rules="nelson", precedence=False)
    np.testing.assert_array_equal(base, moved)
    flipped = run_rules(-x, 0.0, 1.0, rules="nelson", precedence=False)
    np.testing.assert_array_equal(base, flipped)  # all rules are symmetric
