"""EWMA chart with exact time-varying limits (steady-state limits as an option)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy import signal

from ._constants import Convention
from ._result import ChartResult, Standards
from ._rules import run_rules
from ._shewhart import check_nsigmas
from ._timeweighted import location_input


def ewma_chart(
    data: ArrayLike,
    subgroup_size: int | None = None,
    labels: ArrayLike | None = None,
    *,
    lam: float = 0.2,
    nsigmas: float = 3.0,
    steady_state: bool = False,
    start: float | None = None,
    sigma_method: str | None = None,
    standards: Standards | None = None,
    new_data: ArrayLike | None = None,
    new_labels: ArrayLike | None = None,
    exclude: Sequence[int] = (),
    constants: Convention = "qcc",
) -> ChartResult:
    """Exponentially weighted moving average chart (as qcc ``ewma``).

    z_i = λ x̄_i + (1-λ) z_{i-1}, z_0 = ``start`` (default the centre).
    Limits: centre ± L σ/√n_i · sqrt(λ/(2-λ) · (1-(1-λ)^{2i})), or without the
    last factor when ``steady_state=True``. Violations are points beyond the
    limits (rule 1).

    Parameters
    ----------
    data : array_like
        Individual values (1-D) or subgroups (2-D, or flat with ``subgroup_size``
        / ``labels``).
    lam : float
        Smoothing constant λ in (0, 1].
    nsigmas : float
        L, the limit width.
    sigma_method : str, optional
        Default "MR" for individuals and "UWAVE-R" for subgroups.

    Examples
    --------
    >>> res = ewma_chart([50.0, 51.0, 49.0], lam=0.3, standards=Standards(mean=50.0, sigma=2.0))
    >>> res.points.round(2).tolist()
    [50.0, 50.3, 49.91]
    """
    lam = float(lam)
    if not 0.0 < lam <= 1.0:
        raise ValueError(f"lam (the EWMA weight) must be in (0, 1], got {lam!r}")
    nsigmas = check_nsigmas(nsigmas)
    loc = location_input(
        data, subgroup_size, labels, new_data, new_labels, sigma_method=sigma_method,
        standards=standards, exclude=exclude, constants=constants, what="EWMA chart",
    )  # fmt: skip
    z0 = loc.center if start is None else float(start)
    z = signal.lfilter([lam], [1.0, lam - 1.0], loc.means, zi=[(1.0 - lam) * z0])[0]
    i = np.arange(1, z.size + 1)
    factor = np.full(z.size, lam / (2.0 - lam))
    if not steady_state and lam < 1:
        factor *= -np.expm1(2.0 * i * np.log1p(-lam))
    se = loc.sigma / np.sqrt(loc.sizes) * np.sqrt(factor)
    lcl, ucl = loc.center - nsigmas * se, loc.center + nsigmas * se
    viol = run_rules(z, loc.center, se, rules=("we1",), nsigmas=nsigmas, lcl=lcl, ucl=ucl)
    vary = not np.all(se == se[0])
    return ChartResult(
        chart_type="ewma",
        center=loc.center,
        lcl=lcl if vary else float(lcl[0]),
        ucl=ucl if vary else float(ucl[0]),
        sigma=loc.sigma,
        points=z,
        violations=viol,
        limits_vary=bool(vary),
        se=se if vary else float(se[0]),
        sizes=loc.sizes,
        n_phase1=loc.n1,
        excluded=loc.excluded,
        standards=Standards(mean=loc.center, sigma=loc.sigma),
        rule_set="we",
        settings={"lam": lam, "nsigmas": nsigmas, "steady_state": steady_state,
                  "sigma_method": loc.method, "start": z0},
    )  # fmt: skip
