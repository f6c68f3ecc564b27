"""Capability reproduced against published / oracle values (sources cited per value).

Fixtures are byte copies of /work/shared/reference/spc (see tests/fixtures/spc/SOURCES.md).
qcc convention: qcc 3.0 estimates sigma within as UWAVE-R = mean(R_i / d2(n_i)) with d2 from
its three-decimal table (d2(5) = 2.326, d2(4) = 2.059); qcity uses the exact d2 (2.325929...,
2.058751...). Full-precision qcc values are therefore checked with qcc's sigma passed in
``sigma_within``; the default is checked where the printed precision allows it.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qcity.spc.capability import capability, capability_indices
from qcity.spc.capability._constants import d2

FIX = Path(__file__).parents[2] / "fixtures" / "spc" / "capability"


def _json(name: str) -> Any:
    return json.loads((FIX / name).read_text(encoding="utf-8"))


def printed(actual: float | None, expected: float) -> bool:
    """True when ``actual`` agrees with ``expected`` to the precision it was printed with."""
    assert actual is not None
    exponent = Decimal(repr(expected)).as_tuple().exponent
    assert isinstance(exponent, int)
    return abs(actual - expected) <= 0.5 * 10.0**exponent * (1 + 1e-9)


@pytest.fixture(scope="module")
def pistonrings() -> np.ndarray:
    """qcc data/pistonrings.txt, groups 1-25 (the vignette's phase I), 25 x 5."""
    with (FIX / "pistonrings.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return np.array([float(r["diameter"]) for r in rows]).reshape(40, 5)[:25]


@pytest.fixture(scope="module")
def qcc_sigma(pistonrings: np.ndarray) -> float:
    """qcc UWAVE-R: R-bar / 2.326 (qcc's three-decimal d2(5))."""
    return float(np.ptp(pistonrings, axis=1).mean()) / 2.326


VIGNETTE = "processCapability pistonrings[1:25] spec 73.95-74.05"


def test_qcc_sigma_convention(pistonrings: np.ndarray, qcc_sigma: float) -> None:
    # qcc_oracle_computed.json pistonrings_sigma_methods_1_25: UWAVE-R 0.0097850386930353
    assert qcc_sigma == pytest.approx(0.0097850386930353, rel=1e-13)
    res = capability(pistonrings, lsl=73.95, usl=74.05)
    assert res.sigma_method == "r_bar"
    assert res.sigma_within == pytest.approx(qcc_sigma * 2.326 / d2(5), rel=1e-12)


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        # qcc_oracle_computed.json pistonrings_sigma_methods_1_25 (qcc uses exact c4)
        ("s_bar", 0.00982997672828933),  # UWAVE-SD
        ("pooled", 0.00988754721015943),  # RMSDF
    ],
)
def test_sigma_methods_match_qcc(pistonrings: np.ndarray, method: str, expected: float) -> None:
    res = capability(pistonrings, lsl=73.95, usl=74.05, sigma_method=method)  # type: ignore[arg-type]
    assert res.sigma_within == pytest.approx(expected, rel=1e-13)


def test_vignette_anchors_with_default_sigma(pistonrings: np.ndarray) -> None:
    # qcc_vignette_published.json "processCapability pistonrings[1:25] spec 73.95-74.05":
    # Cp 1.70, Cp_l 1.74, Cp_u 1.66, Cp_k 1.66, Cpm 1.69, CI95 Cp [1.49, 1.91], Cpk [1.45, 1.88]
    pub = _json("qcc_vignette_published.json")["cases"][VIGNETTE]
    res = capability(pistonrings, lsl=73.95, usl=74.05)
    assert res.confidence == 0.95
    assert res.target == 74.0
    for key, value in (("Cp", res.cp), ("Cp_l", res.cpl), ("Cp_u", res.cpu)):
        assert printed(value, pub[key]), key
    assert printed(res.cpk, pub["Cp_k"])
    assert printed(res.cpm, pub["Cpm"])
    assert res.cp_ci is not None
    assert printed(res.cp_ci.lower, pub["CI95_Cp"][0])
    assert printed(res.cp_ci.upper, pub["CI95_Cp"][1])
    assert printed(res.cpk_ci.lower, pub["CI95_Cpk"][0])
    assert printed(res.cpk_ci.upper, pub["CI95_Cpk"][1])


ORACLE_NAMES = {
    "Cp": "cp",
    "Cp_l": "cpl",
    "Cp_u": "cpu",
    "Cp_k": "cpk",
    "Cpm": "cpm",
    "Pp": "pp",
    "Pp_l": "ppl",
    "Pp_u": "ppu",
    "Pp_k": "ppk",
    "Ppm": "ppm_index",
}


def test_all_ten_indices_with_intervals_match_qcc_oracle(
    pistonrings: np.ndarray, qcc_sigma: float
) -> None:
    # qcc_oracle_computed.json "pistonrings_capability_73.95_74.05" (qcc R code, 15 digits)
    oracle = _json("qcc_oracle_computed.json")["pistonrings_capability_73.95_74.05"]["indices"]
    res = capability(pistonrings, lsl=73.95, usl=74.05, sigma_within=qcc_sigma)
    for row in oracle:
        name = ORACLE_NAMES[row["_row"]]
        interval = getattr(res, f"{name}_ci")
        assert getattr(res, name) == pytest.approx(row["Value"], rel=1e-12), name
        assert interval.lower == pytest.approx(row["2.5%"], rel=1e-12), name
        assert interval.upper == pytest.approx(row["97.5%"], rel=1e-12), name
        assert interval.level == 0.95


@pytest.mark.parametrize(
    ("case", "kwargs"),
    [
        ("processCapability spec 73.95-74.05 target 74.02", {"target": 74.02}),
        ("processCapability spec 73.99-74.01", {}),
        ("processCapability spec 73.99-74.1 (target midpoint 74.045)", {}),
    ],
)
def test_other_vignette_cases(
    pistonrings: np.ndarray, qcc_sigma: float, case: str, kwargs: dict[str, float]
) -> None:
    # qcc_vignette_published.json cases[case]; spec limits are in the case name
    pub = _json("qcc_vignette_published.json")["cases"][case]
    lsl, usl = (73.95, 74.05) if "73.95" in case else (73.99, 74.01 if "74.01" in case else 74.1)
    res = capability(pistonrings, lsl=lsl, usl=usl, sigma_within=qcc_sigma, **kwargs)
    got = {"Cp": res.cp, "Cp_l": res.cpl, "Cp_u": res.cpu, "Cp_k": res.cpk, "Cpm": res.cpm}
    for key, value in got.items():
        assert printed(value, pub[key]), key
    if "Exp<LSL" in pub:  # printed as signif(percent, 2)
        within, observed = res.ppm_expected_within, res.ppm_observed
        pairs = [
            (within.below_lsl, pub["Exp<LSL"]),
            (within.above_usl, pub["Exp>USL"]),
            (observed.below_lsl, pub["Obs<LSL"]),
            (observed.above_usl, pub["Obs>USL"]),
        ]
        for ppm, text in pairs:
            assert ppm is not None
            assert float(f"{ppm / 1e4:.2g}") == float(text.rstrip("%"))


def test_qcc_unit_test_small_sample() -> None:
    # qcc_vignette_published.json capability_unit_test (qcc tests/testthat/test-capability.R)
    ref = _json("qcc_vignette_published.json")["capability_unit_test"]
    groups = np.array(ref["data_3groups_x4"])
    sigma = float(np.ptp(groups, axis=1).mean()) / 2.059  # qcc three-decimal d2(4)
    lsl, usl = ref["spec"]
    res = capability(groups, lsl=lsl, usl=usl, target=ref["target"], sigma_within=sigma)
    for key, (value, lo, hi) in ref["indices_value_lo95_hi95"].items():
        name = ORACLE_NAMES[key]
        interval = getattr(res, f"{name}_ci")
        assert printed(getattr(res, name), value), name
        assert printed(interval.lower, lo), name
        assert printed(interval.upper, hi), name
    off = capability(groups, lsl=lsl, usl=usl, target=10.02, sigma_within=sigma)
    for key, (value, lo, hi) in ref["off_target_10.02"].items():
        name = ORACLE_NAMES[key]
        interval = getattr(off, f"{name}_ci")
        assert printed(getattr(off, name), value), name
        assert printed(interval.lower, lo), name
        assert printed(interval.upper, hi), name


def test_sixsigma_ss_data_ca_overall_indices() -> None:
    # ss.data.ca.expected.json: SixSigma ss.ca.cp/ss.ca.cpk use the overall sd -> Pp/Ppk
    ref = _json("ss.data.ca.expected.json")
    with (FIX / "ss.data.ca.csv").open(encoding="utf-8") as fh:
        volume = [float(r["Volume"]) for r in csv.DictReader(fh)]
    res = capability(volume, lsl=740, usl=760)
    assert res.pp == pytest.approx(ref["expected"]["Cp"], rel=1e-13)  # 1.58413633507089
    assert res.ppk == pytest.approx(ref["expected"]["Cpk"], rel=1e-13)  # 1.54651309711296
    assert res.sigma_overall == pytest.approx(ref["recomputed_here"]["sd"], rel=1e-13)


def test_nist_6_1_6_from_summary_statistics() -> None:
    # capability_6.1.6.json: NIST/SEMATECH e-Handbook 6.1.6, USL 20, LSL 8, mean 16, sigma 2
    ref = _json("capability_6.1.6.json")
    inp, exp = ref["input"], ref["expected"]
    res = capability_indices(inp["mean"], inp["sigma"], lsl=inp["LSL"], usl=inp["USL"])
    for key in ("Cp", "Cpk", "Cpu", "Cpl"):
        assert printed(getattr(res, key.lower()), exp[key]), key


def test_individuals_use_moving_range_like_qcc_xbar_one() -> None:
    # qcc_oracle_computed.json viscosity_I_MR_trial: std_dev_MR 0.507652108995894 = MR-bar/1.128
    with (FIX / "viscosity.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["trial"] == "TRUE"]
    x = [float(r["viscosity"]) for r in rows]
    res = capability(x, lsl=30.0, usl=38.0)
    assert res.sigma_method == "moving_range"
    assert res.sigma_within * d2(2) / 1.128 == pytest.approx(0.507652108995894, rel=1e-13)
