"""Public surface, result objects and JSON form."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qcity.spc.charts as charts
from qcity.spc.charts import (
    ChartResult,
    Standards,
    cusum_chart,
    hotelling_t2_chart,
    imr_chart,
    make_subgroups,
    p_chart,
    xbar_r_chart,
)

PUBLIC = {
    "INDIVIDUAL_METHODS", "SUBGROUP_METHODS", "ChartConstants", "ChartResult", "Standards",
    "c4", "c_chart", "chart_constants", "cusum_arl", "cusum_chart", "d2", "d3", "ewma_arl",
    "ewma_chart", "g_chart", "hotelling_t2_chart", "imr_chart", "laney_p_chart",
    "laney_u_chart", "make_subgroups", "median_mr_factor", "np_chart", "p_chart", "phase2",
    "resolve_rules", "run_rules", "shewhart_arl", "shewhart_oc",
    "shewhart_signal_probability", "sigma_individuals", "sigma_within", "t2_limits",
    "u_chart", "xbar_r_chart", "xbar_s_chart",
}  # fmt: skip


def test_public_surface_is_pinned() -> None:
    assert set(charts.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(charts, name).__doc__, name


def test_to_dict_shape_and_json() -> None:
    res = xbar_r_chart(np.random.default_rng(1).normal(size=(20, 5)), rules="nelson")
    d = res.to_dict()
    assert list(d) == ["type", "center", "lcl", "ucl", "sigma", "points", "violations", "secondary"]
    assert d["type"] == "xbar-r" and isinstance(d["lcl"], float)
    assert set(d["secondary"]) == {"type", "center", "lcl", "ucl", "points"}
    assert all(set(v) == {"rule", "index"} for v in d["violations"])
    json.dumps(d, allow_nan=False)


def test_to_dict_nan_becomes_none_and_vary_lists() -> None:
    res = imr_chart([1.0, 2.0, 1.5, 1.7])
    d = res.to_dict()
    assert d["secondary"]["points"][0] is None  # first moving range
    p = p_chart([10, 20, 30], [100, 200, 300]).to_dict()
    assert isinstance(p["lcl"], list) and isinstance(p["ucl"], list)
    assert p["secondary"] is None
    t = hotelling_t2_chart(np.random.default_rng(2).normal(size=(20, 2))).to_dict()
    assert t["sigma"] is None and t["type"] == "t2"
    json.dumps(t, allow_nan=False)


def test_type_names() -> None:
    rng = np.random.default_rng(4)
    assert cusum_chart(rng.normal(size=30)).to_dict()["type"] == "cusum"
    assert {charts.laney_p_chart([3, 4, 5], [50, 60, 70]).chart_type,
            charts.laney_u_chart([3, 4, 5], [5, 6, 7]).chart_type,
            charts.g_chart([3, 4, 5]).chart_type, charts.c_chart([3, 4]).chart_type,
            charts.np_chart([3, 4], 20).chart_type, charts.u_chart([3, 4], 2).chart_type,
            charts.ewma_chart(rng.normal(size=9)).chart_type,
            charts.xbar_s_chart(rng.normal(size=(5, 3))).chart_type} == {
        "laney-p", "laney-u", "g", "c", "np", "u", "ewma", "xbar-s"}  # fmt: skip


def test_results_are_frozen() -> None:
    res = imr_chart([1.0, 2.0, 3.0])
    assert isinstance(res, ChartResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.center = 0.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Standards(mean=1.0).mean = 2.0  # type: ignore[misc]


def test_violations_array_shape() -> None:
    res = imr_chart([0.0, 0.1, -0.1, 0.05, 9.0, 0.0])
    assert res.violations.dtype == np.int64 and res.violations.shape[1] == 2
    for rule, index in res.violations:
        assert int(rule) == 1 and int(index) == 4


def test_make_subgroups_labels_first_appearance() -> None:
    out = make_subgroups([1, 2, 3, 4, 5], labels=["b", "a", "b", "c", "a"])
    assert out[:, 0].tolist() == [1.0, 2.0, 4.0]
    assert out[0].tolist() == [1.0, 3.0]
    assert math.isnan(out[2, 1])
    with pytest.raises(ValueError, match="exactly one"):
        make_subgroups([1, 2])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=10, max_size=60).filter(
        lambda v: np.ptp(v) > 1e-3
    ),
    st.floats(1.0, 4.0),
)
def test_limits_symmetric_about_center(values: list[float], nsigmas: float) -> None:
    n = len(values) - len(values) % 2
    res = xbar_r_chart(np.asarray(values[:n]).reshape(-1, 2), nsigmas=nsigmas)
    assert res.ucl - res.center == pytest.approx(res.center - res.lcl, rel=1e-9, abs=1e-9)  # type: ignore[operator]
    assert res.ucl - res.center == pytest.approx(nsigmas * res.sigma / math.sqrt(2), rel=1e-9)  # type: ignore[operator]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0.01, 100.0), st.floats(-1e3, 1e3))
def test_chart_affine_equivariance(seed: int, scale: float, shift: float) -> None:
    x = np.random.default_rng(seed).normal(size=(15, 4))
    a, b = xbar_r_chart(x, rules="nelson"), xbar_r_chart(scale * x + shift, rules="nelson")
    assert b.center == pytest.approx(scale * a.center + shift, rel=1e-9, abs=1e-9)
    assert b.sigma == pytest.approx(scale * a.sigma, rel=1e-9)
    assert b.violations.tolist() == a.violations.tolist()
