"""Gauge R&R (ANOVA and X-bar/R) against published values; sources cited per value.

Fixtures are byte copies of /work/shared/reference/spc (see tests/fixtures/spc/SOURCES.md).
"""

from __future__ import annotations

import csv
import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import qcity.spc.msa as msa_pkg
from qcity.spc.msa import gauge_rr_anova, gauge_rr_xbar_r, xbar_r_constants

FIX = Path(__file__).parents[2] / "fixtures" / "spc" / "msa"


def printed(actual: float | None, expected: float) -> bool:
    """True when ``actual`` agrees with ``expected`` to the precision it was printed with."""
    assert actual is not None
    exponent = Decimal(repr(expected)).as_tuple().exponent
    assert isinstance(exponent, int)
    return abs(actual - expected) <= 0.5 * 10.0**exponent * (1 + 1e-9)


def _load(name: str) -> list[dict[str, str]]:
    with (FIX / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _json(name: str) -> Any:
    return json.loads((FIX / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ss_rr() -> tuple[list[float], list[str], list[str]]:
    rows = _load("ss.data.rr.csv")
    return (
        [float(r["time1"]) for r in rows],
        [r["prototype"] for r in rows],
        [r["operator"] for r in rows],
    )


@pytest.fixture(scope="module")
def spc_excel() -> tuple[list[float], list[str], list[str]]:
    rows = _load("spcforexcel_5parts_3ops_3trials.csv")
    return (
        [float(r["value"]) for r in rows],
        [r["part"] for r in rows],
        [r["operator"] for r in rows],
    )


def test_public_surface() -> None:
    assert sorted(msa_pkg.__all__) == sorted(
        [
            "COMPONENT_NAMES", "AnovaRow", "AnovaTable", "GaugeRRResult", "VarianceComponent",
            "gauge_rr_anova", "gauge_rr_xbar_r", "xbar_r_constants",
        ]
    )  # fmt: skip


def _check_table(table: Any, expected: dict[str, Any], sources: list[str]) -> None:
    for i, source in enumerate(sources):
        row = table.row(source)
        assert row.df == expected["Df"][i], source
        assert printed(row.ss, expected["SumSq"][i]), source
        if expected["MeanSq"][i] is not None:
            assert printed(row.ms, expected["MeanSq"][i]), source
        if expected["F"][i] is not None:
            assert printed(row.f, expected["F"][i]), source
            assert printed(row.p, expected["p"][i]), source


def test_sixsigma_ss_rr_anova_tables(ss_rr: tuple[list[float], list[str], list[str]]) -> None:
    # ss.data.rr.expected.json: SixSigma tests/testthat/test-ss-rr.R (errorTerm="interaction")
    exp = _json("ss.data.rr.expected.json")["expected"]
    res = gauge_rr_anova(*ss_rr, tolerance=0.1)
    assert res.anova_full is not None and res.anova_reduced is not None
    full_rows = ["part", "operator", "part:operator", "repeatability", "total"]
    _check_table(res.anova_full, exp["anova_full"], full_rows)
    _check_table(res.anova_reduced, exp["anova_reduced"], ["part", "operator", "repeatability"])
    assert res.anova_reduced.row("total").ss == res.anova_full.row("total").ss
    assert res.interaction_pooled is True  # p = 0.44619 >= 0.05


SS_RR_ROWS = ["gage_rr", "repeatability", "reproducibility", "operator", "part", "total"]


def test_sixsigma_ss_rr_variance_components(
    ss_rr: tuple[list[float], list[str], list[str]],
) -> None:
    # ss.data.rr.expected.json varComp / studyVar (rows: Total Gage R&R, Repeatability,
    # Reproducibility, operator, Part-To-Part, Total Variation); lsl 0.7, usl 0.8; ncat 2
    exp = _json("ss.data.rr.expected.json")["expected"]
    res = gauge_rr_anova(*ss_rr, tolerance=0.1)
    for i, name in enumerate(SS_RR_ROWS):
        c = res.component(name)
        assert printed(c.variance, exp["varComp"]["VarComp"][i]), name
        assert printed(c.pct_contribution, exp["varComp"]["pct_contribution"][i]), name
        assert printed(c.sd, exp["studyVar"]["StdDev"][i]), name
        assert printed(c.study_var, exp["studyVar"]["StudyVar_6sd"][i]), name
        assert printed(c.pct_study_var, exp["studyVar"]["pct_study_var"][i]), name
        pct_tol = exp["studyVar"]["pct_tolerance_usl_minus_lsl_0.1"][i]
        assert printed(c.pct_tolerance, pct_tol), name
    assert res.ndc == exp["ncat"] == 2
    d = res.to_dict()
    assert printed(d["pct_contribution_gage_rr"], 25.38)
    assert printed(d["pct_contribution_part"], 74.62)
    assert printed(d["pct_study_var_gage_rr"], 50.38)
    assert d["interaction_pooled"] is True


def test_spcforexcel_pooled_components(
    spc_excel: tuple[list[float], list[str], list[str]],
) -> None:
    # spcforexcel_5parts_3ops_3trials.expected.json (SPC for Excel "ANOVA Gage R&R Part 3")
    ref = _json("spcforexcel_5parts_3ops_3trials.expected.json")
    exp = ref["expected"]
    res = gauge_rr_anova(*spc_excel)
    assert printed(res.interaction_p_value, exp["interaction_pvalue"])  # 0.9964
    assert res.interaction_pooled is (not exp["interaction_included"])
    names = {
        "var_repeatability": "repeatability",
        "var_operator": "operator",
        "var_interaction": "operator_part",
        "var_part": "part",
        "var_gage_rr": "gage_rr",
        "var_total": "total",
    }
    for key, name in names.items():
        assert printed(res.component(name).variance, exp[key]), key
    for key in ("grr", "repeatability", "reproducibility", "part"):
        name = "gage_rr" if key == "grr" else key
        assert printed(res.component(name).pct_contribution, exp["pct_contribution"][key]), key
        assert printed(res.component(name).pct_study_var, exp["pct_study_var"][key]), key
    assert res.ndc == exp["ndc"] == 4
    # anova_full_model_recomputed (independent numpy ANOVA by the reference curator)
    full = ref["anova_full_model_recomputed"]
    assert res.anova_full is not None
    for source, key in (("part", "SS_part"), ("operator", "SS_operator"),
                        ("part:operator", "SS_interaction"),
                        ("repeatability", "SS_repeatability"), ("total", "SS_total")):  # fmt: skip
        assert printed(res.anova_full.row(source).ss, full[key]), source
    assert [r.df for r in res.anova_full.rows] == full["df"]
    assert printed(res.anova_full.row("part:operator").f, full["F_interaction"])


def test_qualitytools_anova_and_text() -> None:
    # qualitytools_3ops_10parts_2meas.expected.json: qualityTools gageRR example; it keeps
    # the interaction and tests every term against the residual.
    ref = _json("qualitytools_3ops_10parts_2meas.expected.json")
    pub = ref["published_anova"]
    rows = _load("qualitytools_3ops_10parts_2meas.csv")
    res = gauge_rr_anova(
        [float(r["value"]) for r in rows],
        [r["part"] for r in rows],
        [r["operator"] for r in rows],
        interaction="keep",
        error_term="repeatability",
    )
    assert res.anova_full is not None
    _check_table(res.anova_full, pub, ["operator", "part", "part:operator", "repeatability"])
    assert res.interaction_pooled is False
    # published_text "48% totalRR: 35% repeatability, 13% reproducibility" (whole percents;
    # the prose rounds 34.83 -> 35 but gives 13 for 13.54, so compare within one percent)
    for name, pct in (("gage_rr", 48), ("repeatability", 35), ("reproducibility", 13)):
        assert abs(res.component(name).pct_contribution - pct) < 1.0, name
    recomputed = ref["recomputed_here_interaction_kept"]
    assert printed(res.component("operator_part").variance, recomputed["var_int"])


def test_pooling_modes_and_alpha(ss_rr: tuple[list[float], list[str], list[str]]) -> None:
    auto = gauge_rr_anova(*ss_rr)  # p_int = 0.446 >= 0.05
    kept = gauge_rr_anova(*ss_rr, alpha=0.5)  # p_int < 0.5 -> interaction kept
    assert auto.interaction_pooled and not kept.interaction_pooled
    assert gauge_rr_anova(*ss_rr, interaction="keep").interaction_pooled is False
    assert gauge_rr_anova(*ss_rr, interaction="pool").var_gage_rr == auto.var_gage_rr
    full = kept.anova_full
    assert full is not None
    ms = {r.source: r.ms for r in full.rows}
    # full-model components; (MSint - MSE)/r is negative here and clamped to 0
    assert kept.component("operator_part").variance == 0.0
    assert kept.var_repeatability == pytest.approx(ms["repeatability"])
    assert kept.component("operator").variance == pytest.approx(
        (ms["operator"] - ms["part:operator"]) / 9
    )
    assert kept.var_part == pytest.approx((ms["part"] - ms["part:operator"]) / 9)


def test_study_var_multiplier_and_tolerance(
    spc_excel: tuple[list[float], list[str], list[str]],
) -> None:
    six = gauge_rr_anova(*spc_excel, tolerance=10.0)
    other = gauge_rr_anova(*spc_excel, tolerance=10.0, study_var_multiplier=5.15)
    g6, g5 = six.component("gage_rr"), other.component("gage_rr")
    assert g5.pct_study_var == pytest.approx(g6.pct_study_var)
    assert g5.study_var == pytest.approx(5.15 * g6.sd)
    assert g5.pct_tolerance == pytest.approx(100 * 5.15 * g6.sd / 10.0)
    assert gauge_rr_anova(*spc_excel).component("gage_rr").pct_tolerance is None


def test_row_order_does_not_matter(spc_excel: tuple[list[float], list[str], list[str]]) -> None:
    y, p, o = (np.asarray(v) for v in spc_excel)
    perm = np.random.default_rng(0).permutation(y.size)
    a, b = gauge_rr_anova(y, p, o), gauge_rr_anova(y[perm], p[perm], o[perm])
    assert a.var_gage_rr == pytest.approx(b.var_gage_rr, rel=1e-12)
    assert a.ndc == b.ndc


def test_required_dict_keys(spc_excel: tuple[list[float], list[str], list[str]]) -> None:
    keys = {
        "var_repeatability", "var_reproducibility", "var_gage_rr", "var_part", "var_total",
        "pct_contribution_gage_rr", "pct_study_var_gage_rr", "ndc", "interaction_pooled",
    }  # fmt: skip
    assert keys <= gauge_rr_anova(*spc_excel).to_dict().keys()
    assert keys <= gauge_rr_xbar_r(*spc_excel).to_dict().keys()


def test_xbar_r_constants_reproduce_aiag_tables() -> None:
    # AIAG MSA 4th ed. (2010) average-and-range K tables, printed to 4 decimals:
    # K1 (trials 2, 3) 0.8862, 0.5908; K2 (operators 2, 3) 0.7071, 0.5231;
    # K3 (parts 2..10) 0.7071 0.5231 0.4467 0.4030 0.3742 0.3534 0.3375 0.3249 0.3146
    assert printed(xbar_r_constants(2, 2, 2)[0], 0.8862)
    assert printed(xbar_r_constants(3, 2, 2)[0], 0.5908)
    assert printed(xbar_r_constants(2, 2, 2)[1], 0.7071)
    assert printed(xbar_r_constants(2, 3, 2)[1], 0.5231)
    k3 = [0.7071, 0.5231, 0.4467, 0.4030, 0.3742, 0.3534, 0.3375, 0.3249, 0.3146]
    for parts, value in zip(range(2, 11), k3, strict=True):
        assert printed(xbar_r_constants(2, 2, parts)[2], value), parts


def test_xbar_r_against_hand_computation(
    spc_excel: tuple[list[float], list[str], list[str]],
) -> None:
    # Independent loop computation with the printed AIAG constants for 3 trials,
    # 3 operators, 5 parts (K1 0.5908, K2 0.5231, K3 0.4030); those are rounded to 4 dp,
    # so sds agree to about 1e-4 relative.
    y, parts, ops = spc_excel
    cells: dict[tuple[str, str], list[float]] = {}
    for v, p, o in zip(y, parts, ops, strict=True):
        cells.setdefault((p, o), []).append(v)
    r_bar = sum(max(v) - min(v) for v in cells.values()) / len(cells)
    op_means = [np.mean([v for v, o in zip(y, ops, strict=True) if o == k]) for k in "123"]
    part_means = [np.mean([v for v, p in zip(y, parts, strict=True) if p == k]) for k in "12345"]
    ev = r_bar * 0.5908
    av = math.sqrt(max((max(op_means) - min(op_means)) * 0.5231, 0) ** 2 - ev**2 / (5 * 3))
    pv = (max(part_means) - min(part_means)) * 0.4030
    grr = math.sqrt(ev**2 + av**2)
    res = gauge_rr_xbar_r(y, parts, ops)
    assert res.component("repeatability").sd == pytest.approx(ev, rel=2e-4)
    assert res.component("reproducibility").sd == pytest.approx(av, rel=2e-4)
    assert res.component("part").sd == pytest.approx(pv, rel=2e-4)
    assert res.component("gage_rr").sd == pytest.approx(grr, rel=2e-4)
    assert res.ndc == max(1, math.floor(1.41 * pv / grr))
    assert res.interaction_pooled is None and res.anova_full is None


def test_xbar_r_recovers_simulated_components() -> None:
    # 30 parts x 3 operators x 3 trials, sd part 1.0, operator 0.3, repeatability 0.2.
    # The X-bar/R estimates are noisy; compare gage R&R sd within 30 % (about 3 SE).
    rng = np.random.default_rng(99)
    p, o, r = 30, 3, 3
    part = np.repeat(np.arange(p), o * r)
    op = np.tile(np.repeat(np.arange(o), r), p)
    y = rng.normal(0, 1.0, p)[part] + rng.normal(0, 0.3, o)[op] + rng.normal(0, 0.2, p * o * r)
    res = gauge_rr_xbar_r(y, part, op)
    anova = gauge_rr_anova(y, part, op)
    assert res.component("repeatability").sd == pytest.approx(0.2, rel=0.3)
    assert res.component("repeatability").sd == pytest.approx(
        anova.component("repeatability").sd, rel=0.15
    )


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda y, p, o: (y[1:], p[1:], o[1:]), "unbalanced"),
        (lambda y, p, o: (y[3:], p[3:], o[3:]), "not crossed: no measurements for part '1'"),
        (lambda y, p, o: (y, p, np.full(o.shape, "A")), "at least 2 operators"),
        (lambda y, p, o: (y, np.full(p.shape, "P"), o), "at least 2 parts"),
        (lambda y, p, o: (y[::3], p[::3], o[::3]), "at least 2 trials"),
        (lambda y, p, o: (y[:-1], p, o), "same length"),
        (lambda y, p, o: (np.where(np.arange(y.size) == 4, np.nan, y), p, o), "finite"),
    ],
)
def test_malformed_designs_raise(
    spc_excel: tuple[list[float], list[str], list[str]], mutate: Any, message: str
) -> None:
    y, p, o = (np.asarray(v) for v in spc_excel)
    args = mutate(y.astype(float), p, o)
    with pytest.raises(ValueError, match=message):
        gauge_rr_anova(*args)
    with pytest.raises(ValueError, match=message):
        gauge_rr_xbar_r(*args)


def test_bad_options_raise(spc_excel: tuple[list[float], list[str], list[str]]) -> None:
    with pytest.raises(ValueError, match="alpha"):
        gauge_rr_anova(*spc_excel, alpha=1.5)
    with pytest.raises(ValueError, match="interaction must be"):
        gauge_rr_anova(*spc_excel, interaction="maybe")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="error_term"):
        gauge_rr_anova(*spc_excel, error_term="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="study_var_multiplier"):
        gauge_rr_anova(*spc_excel, study_var_multiplier=0.0)
    with pytest.raises(ValueError, match="tolerance"):
        gauge_rr_anova(*spc_excel, tolerance=-1.0)
    _, p, o = spc_excel
    cells = {(pp, oo) for pp, oo in zip(p, o, strict=True)}
    const = [float(sorted(cells).index((pp, oo))) for pp, oo in zip(p, o, strict=True)]
    with pytest.raises(ValueError, match="no repeatability variation"):
        gauge_rr_anova(const, p, o)
