"""Hotelling T² against the qcc vignette (charts/qcc_vignette_published.json, mqcc cases)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import stats

from qcity.spc.charts import Standards, hotelling_t2_chart, phase2

from .conftest import FIXTURES, assert_printed, load_csv


@pytest.fixture(scope="module")
def ryan() -> np.ndarray:
    out = np.empty((20, 4, 2))
    for r in load_csv("RyanMultivar.csv"):
        out[int(r["sample"]) - 1, int(r["obs"]) - 1] = [float(r["X1"]), float(r["X2"])]
    return out


@pytest.fixture(scope="module")
def boiler() -> np.ndarray:
    return np.loadtxt(FIXTURES / "boiler.csv", delimiter=",", skiprows=1)


def test_ryan_subgroups(ryan: np.ndarray, vignette: dict[str, Any]) -> None:
    res = hotelling_t2_chart(ryan)
    case = vignette["mqcc T2 RyanMultivar (20 groups x 4, p=2)"]
    mean = np.asarray(res.standards.mean)
    cov = np.asarray(res.standards.cov)
    for got, want in zip(mean, case["center"], strict=True):
        assert_printed(float(got), want)
    for i in range(2):
        for j in range(2):
            assert_printed(float(cov[i, j]), case["cov"][i][j])
    assert_printed(float(np.linalg.det(cov)), case["det_S"])
    assert_printed(res.ucl, case["UCL"])  # type: ignore[arg-type]
    assert_printed(res.settings["upl_phase2"], case["UPL_pred"])
    assert res.lcl == 0.0


def test_boiler_individuals(boiler: np.ndarray, vignette: dict[str, Any]) -> None:
    res = hotelling_t2_chart(boiler, conf=0.999)
    case = vignette["mqcc T2.single boiler conf 0.999"]
    for got, want in zip(np.asarray(res.standards.mean), case["center"], strict=True):
        assert_printed(float(got), want)
    assert_printed(float(np.linalg.det(np.asarray(res.standards.cov))), case["det_S"])
    assert_printed(res.ucl, case["UCL"])  # type: ignore[arg-type]
    assert_printed(res.settings["upl_phase2"], case["UPL_pred"])


def test_t2_statistic_formula(boiler: np.ndarray) -> None:
    res = hotelling_t2_chart(boiler)
    dev = boiler - boiler.mean(axis=0)
    inv = np.linalg.inv(np.cov(boiler, rowvar=False))
    np.testing.assert_allclose(res.points, np.einsum("ij,jk,ik->i", dev, inv, dev), rtol=1e-10)


def test_new_data_and_phase2(ryan: np.ndarray) -> None:
    res = hotelling_t2_chart(ryan[:15], new_data=ryan[15:])
    assert res.limits_vary and isinstance(res.ucl, np.ndarray)
    assert res.ucl[0] == res.settings["ucl_phase1"] and res.ucl[-1] == res.settings["upl_phase2"]
    ref = hotelling_t2_chart(ryan[:15])
    new = phase2(ref, ryan[15:])
    np.testing.assert_allclose(new.points, res.points[15:], rtol=1e-13)
    assert new.ucl == ref.settings["upl_phase2"]


def test_known_standards_chi2(ryan: np.ndarray) -> None:
    res = hotelling_t2_chart(ryan, standards=Standards(mean=np.zeros(2) + 60, cov=np.eye(2) * 50))
    assert res.ucl == pytest.approx(stats.chi2.ppf((1 - 0.0027) ** 2, 2), rel=1e-14)


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="2-D"):
        hotelling_t2_chart(np.ones(5))
    with pytest.raises(ValueError, match="singular"):
        hotelling_t2_chart(np.column_stack([np.arange(10.0), np.arange(10.0)]))
    with pytest.raises(ValueError, match="more than"):
        hotelling_t2_chart(np.random.default_rng(1).normal(size=(3, 2)))
