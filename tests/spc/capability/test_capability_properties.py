"""Property tests: invariances of the capability indices (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcity.spc.capability import boxcox_capability, boxcox_lambda, capability

seeds = st.integers(min_value=0, max_value=2**32 - 1)
INDICES = ("cp", "cpk", "cpm", "pp", "ppk", "ppm_index")


@settings(max_examples=60, deadline=None)
@given(
    seed=seeds,
    a=st.floats(min_value=1e-3, max_value=1e3),
    b=st.floats(min_value=-1e4, max_value=1e4),
    method=st.sampled_from(["r_bar", "s_bar", "pooled", "moving_range"]),
)
def test_indices_invariant_under_increasing_affine_map(
    seed: int, a: float, b: float, method: str
) -> None:
    x = np.random.default_rng(seed).normal(5.0, 1.0, size=(20, 4))
    base = capability(x, lsl=1.0, usl=8.0, target=4.5, sigma_method=method)  # type: ignore[arg-type]
    moved = capability(
        a * x + b,
        lsl=a * 1.0 + b,
        usl=a * 8.0 + b,
        target=a * 4.5 + b,
        sigma_method=method,  # type: ignore[arg-type]
    )
    for name in (*INDICES, "cpl", "cpu", "ppl", "ppu"):
        assert getattr(moved, name) == pytest.approx(getattr(base, name), rel=1e-8, abs=1e-10)
    assert moved.cpk_ci.lower == pytest.approx(base.cpk_ci.lower, rel=1e-8, abs=1e-10)
    assert moved.ppm_expected_overall.total == pytest.approx(
        base.ppm_expected_overall.total, rel=1e-6, abs=1e-9
    )
    assert moved.normality is not None and base.normality is not None
    assert moved.normality.statistic == pytest.approx(base.normality.statistic, rel=1e-7)


@settings(max_examples=40, deadline=None)
@given(seed=seeds, a=st.floats(min_value=1e-2, max_value=1e2))
def test_reflection_swaps_lower_and_upper(seed: int, a: float) -> None:
    x = np.random.default_rng(seed).normal(5.0, 1.0, size=(20, 5))
    base = capability(x, lsl=1.0, usl=8.0)
    mirrored = capability(-a * x, lsl=-a * 8.0, usl=-a * 1.0)
    assert mirrored.cpl == pytest.approx(base.cpu, rel=1e-9)
    assert mirrored.cpu == pytest.approx(base.cpl, rel=1e-9)
    assert mirrored.ppk == pytest.approx(base.ppk, rel=1e-9)
    assert mirrored.cp == pytest.approx(base.cp, rel=1e-9)


@settings(max_examples=25, deadline=None)
@given(seed=seeds, sdlog=st.floats(min_value=0.3, max_value=1.0))
def test_boxcox_of_lognormal_data_picks_lambda_near_zero(seed: int, sdlog: float) -> None:
    # Simulated sd of lambda-hat for n = 2000 is about 0.0185 / sdlog; allow 6 sd.
    x = np.random.default_rng(seed).lognormal(1.0, sdlog, size=2000)
    assert abs(boxcox_lambda(x)) < 6 * 0.0185 / sdlog


@settings(max_examples=30, deadline=None)
@given(seed=seeds, c=st.floats(min_value=1e-2, max_value=1e2))
def test_boxcox_capability_is_scale_invariant(seed: int, c: float) -> None:
    # lambda-hat is scale equivariant and (cx)^l - 1)/l is an increasing affine map of
    # (x^l - 1)/l, so every index is unchanged when data and specs are scaled together.
    x = np.random.default_rng(seed).gamma(4.0, 2.0, size=(25, 4))
    base = boxcox_capability(x, lsl=1.0, usl=30.0)
    scaled = boxcox_capability(c * x, lsl=c * 1.0, usl=c * 30.0)
    assert scaled.parameters["lambda"] == pytest.approx(base.parameters["lambda"], abs=1e-6)
    for name in ("cp", "cpk", "pp", "ppk"):
        got, want = getattr(scaled.capability, name), getattr(base.capability, name)
        assert got == pytest.approx(want, rel=1e-5)
