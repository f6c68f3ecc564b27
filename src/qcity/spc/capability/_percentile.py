"""ISO 22514-2 percentile (quantile) method on a best-fitting distribution."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from qcity.spc.capability._fits import DISTRIBUTIONS, DistributionFit, fit_distribution
from qcity.spc.capability._indices import check_specs, observed_ppm
from qcity.spc.capability._results import PPM
from qcity.spc.capability._transformed import finite_values, raw_array

Distribution = Literal["auto", "normal", "lognormal", "weibull", "gamma"]
LOWER_P, UPPER_P = 0.00135, 0.99865


@dataclass(frozen=True)
class PercentileCapability:
    """ISO 22514-2 percentile-method indices from a fitted distribution.

    Pp = (USL - LSL)/(X99.865 - X0.135), Ppu = (USL - X50)/(X99.865 - X50),
    Ppl = (X50 - LSL)/(X50 - X0.135), Ppk = min of the defined ones; None where undefined.

    Attributes
    ----------
    distribution : str
        The distribution used (the best AD fit when chosen automatically).
    fits : tuple of DistributionFit
        Every candidate fitted, in the order normal, lognormal, Weibull, gamma (the
        positive-only ones are left out when the data are not all positive).
    """

    distribution: str
    fits: tuple[DistributionFit, ...]
    n: int
    lsl: float | None
    usl: float | None
    x_lower: float
    x_median: float
    x_upper: float
    pp: float | None
    ppl: float | None
    ppu: float | None
    ppk: float
    ppm_expected: PPM
    ppm_observed: PPM

    def to_dict(self) -> dict[str, Any]:
        """Plain dict; ``fits`` as a list of dicts, PPM as dicts."""
        return {
            "distribution": self.distribution,
            "fits": [f.to_dict() for f in self.fits],
            "n": self.n,
            "lsl": self.lsl,
            "usl": self.usl,
            "x_lower": self.x_lower,
            "x_median": self.x_median,
            "x_upper": self.x_upper,
            "pp": self.pp,
            "ppl": self.ppl,
            "ppu": self.ppu,
            "ppk": self.ppk,
            "ppm_expected": self.ppm_expected.to_dict(),
            "ppm_observed": self.ppm_observed.to_dict(),
        }


def percentile_capability(
    data: ArrayLike,
    *,
    lsl: float | None = None,
    usl: float | None = None,
    distribution: Distribution = "auto",
) -> PercentileCapability:
    """Capability by the ISO 22514-2 percentile method.

    With ``distribution="auto"`` the normal, lognormal, Weibull and gamma distributions
    (two-parameter, maximum likelihood; the last three only for positive data) are fitted
    and the one with the smallest Anderson-Darling statistic is used.

    Parameters
    ----------
    data : array_like
        Observations (at least 8; NaN dropped; subgroup structure is ignored).
    lsl, usl : float, optional
        Specification limits; at least one.
    distribution : {"auto", "normal", "lognormal", "weibull", "gamma"}
        Force one distribution instead of choosing by goodness of fit.

    Examples
    --------
    >>> import numpy as np
    >>> from qcity.spc.capability import percentile_capability
    >>> x = np.random.default_rng(6).weibull(2.0, size=500)
    >>> res = percentile_capability(x, usl=3.0)
    >>> res.distribution, res.pp is None
    ('weibull', True)
    """
    check_specs(lsl, usl, None)
    values = np.sort(finite_values(raw_array(data)))
    if values.size < 8:
        raise ValueError(f"the percentile method needs at least 8 values, got {values.size}")
    if float(np.ptp(values)) == 0.0:
        raise ValueError("all values are equal; no distribution can be fitted")
    names = _candidates(distribution, bool(values[0] > 0.0))
    fits = tuple(fit_distribution(name, values) for name in names)
    chosen = min(fits, key=lambda f: f.ad_statistic)
    dist = chosen.frozen()
    x_lo, x_med, x_hi = (float(v) for v in dist.ppf([LOWER_P, 0.5, UPPER_P]))
    ppl = None if lsl is None else (x_med - lsl) / (x_med - x_lo)
    ppu = None if usl is None else (usl - x_med) / (x_hi - x_med)
    pp = None if lsl is None or usl is None else (usl - lsl) / (x_hi - x_lo)
    below = None if lsl is None else 1e6 * float(dist.cdf(lsl))
    above = None if usl is None else 1e6 * float(dist.sf(usl))
    return PercentileCapability(
        distribution=chosen.name,
        fits=fits,
        n=int(values.size),
        lsl=lsl,
        usl=usl,
        x_lower=x_lo,
        x_median=x_med,
        x_upper=x_hi,
        pp=pp,
        ppl=ppl,
        ppu=ppu,
        ppk=min(v for v in (ppl, ppu) if v is not None),
        ppm_expected=PPM(below, above, (below or 0.0) + (above or 0.0)),
        ppm_observed=observed_ppm(values, lsl, usl),
    )


def _candidates(distribution: str, positive: bool) -> tuple[str, ...]:
    if distribution == "auto":
        return DISTRIBUTIONS if positive else ("normal",)
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"unknown distribution {distribution!r}; choose one of {DISTRIBUTIONS}")
    if distribution != "normal" and not positive:
        raise ValueError(f"the {distribution} distribution needs strictly positive data")
    return (distribution,)
