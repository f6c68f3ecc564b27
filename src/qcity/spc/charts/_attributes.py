"""Attribute charts: p, np, c, u, g and Laney p′ / u′."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from ._constants import Convention, check_convention, d2
from ._result import ChartResult, Standards
from ._rules import RuleSpec
from ._shewhart import DEFAULT_RULES, Fit, build, check_nsigmas, phase1

Vec = NDArray[np.float64]
Bool = NDArray[np.bool_]


@dataclass(frozen=True)
class _Counts:
    x: Vec
    n: Vec
    n1: int


def _vector(a: ArrayLike, name: str) -> Vec:
    try:
        v = np.asarray(a, dtype=np.float64).ravel()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numbers") from exc
    if v.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} contain missing or infinite values")
    if np.any(v < 0):
        raise ValueError(f"{name} must not be negative (found {float(v[v < 0][0])})")
    return v


def _sizes(sizes: ArrayLike | None, m: int, name: str) -> Vec:
    if sizes is None:
        raise ValueError(f"{name} are required for this chart")
    s = _vector(sizes, name)
    if s.size == 1:
        s = np.full(m, s[0])
    if s.size != m:
        raise ValueError(f"got {m} counts but {s.size} {name}; give one size per subgroup")
    if np.any(s <= 0):
        raise ValueError(f"{name} must be positive")
    return s


def _counts(
    counts: ArrayLike,
    sizes: ArrayLike | None,
    new_counts: ArrayLike | None,
    new_sizes: ArrayLike | None,
    *,
    need_sizes: bool,
    binomial: bool,
) -> _Counts:
    x = _vector(counts, "counts")
    n = _sizes(sizes, x.size, "sizes") if need_sizes else np.ones(x.size)
    n1 = x.size
    if new_counts is not None:
        x2 = _vector(new_counts, "new counts")
        if need_sizes:
            n2 = _sizes(new_sizes if new_sizes is not None else sizes, x2.size, "new sizes")
        else:
            n2 = np.ones(x2.size)
        x, n = np.concatenate((x, x2)), np.concatenate((n, n2))
    if binomial and np.any(x > n):
        i = int(np.flatnonzero(x > n)[0])
        raise ValueError(f"subgroup {i} has {x[i]:g} nonconforming out of only {n[i]:g} items")
    return _Counts(x, n, n1)


def _rate(c: _Counts, keep: Bool, given: float | None, name: str) -> float:
    if given is not None:
        return float(given)
    k = np.flatnonzero(keep)
    total = float(np.sum(c.n[k]))
    value = float(np.sum(c.x[k])) / total
    if value <= 0:
        raise ValueError(f"all counts are zero, so the {name} is 0 and no limits can be set")
    return value


def _check_p(p: float) -> float:
    if not 0.0 < p < 1.0:
        raise ValueError(f"the fraction nonconforming must be strictly between 0 and 1, got {p:g}")
    return p


def _run(
    fit_fn: object,
    c: _Counts,
    *,
    nsigmas: float,
    rules: RuleSpec,
    rule_set: str | None,
    exclude: Sequence[int],
    iterate: bool,
    settings: dict[str, object] | None = None,
) -> ChartResult:
    nsigmas = check_nsigmas(nsigmas)
    fits, excluded = phase1(fit_fn, c.n1, exclude=exclude, iterate=iterate, nsigmas=nsigmas)  # type: ignore[arg-type]
    return build(
        fits[0], nsigmas=nsigmas, rules=rules, rule_set=rule_set, n_phase1=c.n1,
        excluded=excluded, sizes=c.n, settings=settings,
    )  # fmt: skip


def p_chart(
    counts: ArrayLike,
    sizes: ArrayLike,
    *,
    nsigmas: float = 3.0,
    rules: RuleSpec = DEFAULT_RULES,
    rule_set: str | None = None,
    standards: Standards | None = None,
    new_counts: ArrayLike | None = None,
    new_sizes: ArrayLike | None = None,
    exclude: Sequence[int] = (),
    iterate: bool = False,
) -> ChartResult:
    """p chart of the fraction nonconforming; unequal sizes give per-point limits.

    p̄ = Σx/Σn, se_i = sqrt(p̄(1-p̄)/n_i), limits clipped to [0, 1];
    ``sigma`` is sqrt(p̄(1-p̄)). ``standards=Standards(p=...)`` fixes p̄.

    Examples
    --------
    >>> res = p_chart([3, 5, 2, 4], 50)
    >>> round(res.center, 3)
    0.07
    """
    c = _counts(counts, sizes, new_counts, new_sizes, need_sizes=True, binomial=True)
    given = None if standards is None else standards.p

    def fit_fn(keep: Bool) -> tuple[Fit]:
        p = _check_p(_rate(c, keep, given, "fraction nonconforming"))
        sd = float(np.sqrt(p * (1 - p)))
        return (Fit("p", c.x / c.n, p, sd / np.sqrt(c.n), sd, Standards(p=p), (0.0, 1.0)),)

    return _run(
        fit_fn, c, nsigmas=nsigmas, rules=rules, rule_set=rule_set, exclude=exclude,
        iterate=iterate,
    )  # fmt: skip


def np_chart(
    counts: ArrayLike,
    size: int | float,
    *,
    nsigmas: float = 3.0,
    rules: RuleSpec = DEFAULT_RULES,
    rule_set: str | None = None,
    standards: Standards | None = None,
    new_counts: ArrayLike | None = None,
    exclude: Sequence[int] = (),
    iterate: bool = False,
) -> ChartResult:
    """np chart of the number nonconforming, for a constant subgroup ``size``.

    Centre n·p̄, se sqrt(n p̄ (1-p̄)), limits clipped to [0, n].

    Examples
    --------
    >>> res = np_chart([3, 5, 2, 4], 50)
    >>> round(res.center, 2)
    3.5
    """
    if np.ndim(size) != 0:
        raise ValueError(
            "an np chart needs one constant subgroup size; use a p chart for unequal sizes"
        )
    c = _counts(counts, size, new_counts, None, need_sizes=True, binomial=True)
    n = float(size)
    given = None if standards is None else standards.p

    def fit_fn(keep: Bool) -> tuple[Fit]:
        p = _check_p(_rate(c, keep, given, "fraction nonconforming"))
        se = float(np.sqrt(n * p * (1 - p)))
        sd = float(np.sqrt(p * (1 - p)))
        return (Fit("np", c.x, n * p, np.full(c.x.size, se), sd, Standards(p=p), (0.0, n)),)

    return _run(
        fit_fn, c, nsigmas=nsigmas, rules=rules, rule_set=rule_set, exclude=exclude,
        iterate=iterate,
    )  # fmt: skip


def c_chart(
    counts: ArrayLike,
    *,
    nsigmas: float = 3.0,
    rules: RuleSpec = DEFAULT_RULES,
    rule_set: str | None = None,
    standards: Standards | None = None,
    new_counts: ArrayLike | None = None,
    exclude: Sequence[int] = (),
    iterate: bool = False,
) -> ChartResult:
    """c chart of nonconformities per inspection unit (Poisson): c̄ ± L·sqrt(c̄), LCL >= 0.

    Examples
    --------
    >>> res = c_chart([4, 6, 5, 3, 7])
    >>> res.center
    5.0
    """
    c = _counts(counts, None, new_counts, None, need_sizes=False, binomial=False)
    given = None if standards is None else standards.rate

    def fit_fn(keep: Bool) -> tuple[Fit]:
        lam = _rate(c, keep, given, "mean count")
        sd = float(np.sqrt(lam))
        return (Fit("c", c.x, lam, np.full(c.x.size, sd), sd, Standards(rate=lam), (0.0, np.inf)),)

    return _run(
        fit_fn, c, nsigmas=nsigmas, rules=rules, rule_set=rule_set, exclude=exclude,
        iterate=iterate,
    )  # fmt: skip


def u_chart(
    counts: ArrayLike,
    sizes: ArrayLike,
    *,
    nsigmas: float = 3.0,
    rules: RuleSpec = DEFAULT_RULES,
    rule_set: str | None = None,
    standards: Standards | None = None,
    new_counts: ArrayLike | None = None,
    new_sizes: ArrayLike | None = None,
    exclude: Sequence[int] = (),
    iterate: bool = False,
) -> ChartResult:
    """u chart of nonconformities per unit; unequal sizes give per-point limits.

    ū = Σx/Σn, se_i = sqrt(ū/n_i), LCL >= 0; ``sigma`` is sqrt(ū).

    Examples
    --------
    >>> res = u_chart([10, 12, 8], [5, 5, 4])
    >>> res.limits_vary
    True
    """
    c = _counts(counts, sizes, new_counts, new_sizes, need_sizes=True, binomial=False)
    given = None if standards is None else standards.rate

    def fit_fn(keep: Bool) -> tuple[Fit]:
        u = _rate(c, keep, given, "mean count per unit")
        sd = float(np.sqrt(u))
        return (Fit("u", c.x / c.n, u, sd / np.sqrt(c.n), sd, Standards(rate=u), (0.0, np.inf)),)

    return _run(
        fit_fn, c, nsigmas=nsigmas, rules=rules, rule_set=rule_set, exclude=exclude,
        iterate=iterate,
    )  # fmt: skip


def g_chart(
    counts: ArrayLike,
    *,
    nsigmas: float = 3.0,
    conf: float | None = None,
    rules: RuleSpec = ("we1",),
    rule_set: str | None = None,
    standards: Standards | None = None,
    new_counts: ArrayLike | None = None,
    exclude: Sequence[int] = (),
    iterate: bool = False,
) -> ChartResult:
    """g chart: number of conforming items (or opportunities) between events.

    The counts follow a geometric law on 0, 1, 2, ... with p = 1/(ḡ+1), so the
    mean is ḡ and the standard deviation sqrt(ḡ(ḡ+1)) (Kaminsky et al. 1992,
    Benneyan 2001). Limits are ḡ ± nsigmas·sd (LCL >= 0), or with ``conf``
    the geometric probability limits (conf/2 in each tail).

    Examples
    --------
    >>> res = g_chart([12, 30, 7, 45, 22, 3, 18])
    >>> round(res.center, 3), res.lcl
    (19.571, 0.0)
    """
    c = _counts(counts, None, new_counts, None, need_sizes=False, binomial=False)
    given = None if standards is None else standards.rate
    if conf is not None and not 0.0 < conf < 1.0:
        raise ValueError(f"conf must be strictly between 0 and 1, got {conf!r}")

    def fit_fn(keep: Bool) -> tuple[Fit]:
        g = _rate(c, keep, given, "mean count between events")
        sd = float(np.sqrt(g * (g + 1.0)))
        se = np.full(c.x.size, sd)
        lcl = ucl = None
        if conf is not None:
            law = stats.geom(1.0 / (g + 1.0), loc=-1)
            lcl = np.full(c.x.size, float(law.ppf((1 - conf) / 2)))
            ucl = np.full(c.x.size, float(law.ppf(1 - (1 - conf) / 2)))
        return (Fit("g", c.x, g, se, sd, Standards(rate=g), (0.0, np.inf), lcl, ucl),)

    return _run(
        fit_fn, c, nsigmas=nsigmas, rules=rules, rule_set=rule_set, exclude=exclude,
        iterate=iterate, settings={"conf": conf},
    )  # fmt: skip


def _laney(
    kind: str,
    c: _Counts,
    keep: Bool,
    standards: Standards | None,
    constants: Convention,
) -> Fit:
    std = standards or Standards()
    if kind == "laney-p":
        rate = _check_p(_rate(c, keep, std.p, "fraction nonconforming"))
        sd_unit = float(np.sqrt(rate * (1 - rate)))
        out = Standards(p=rate)
        bounds = (0.0, 1.0)
    else:
        rate = _rate(c, keep, std.rate, "mean count per unit")
        sd_unit = float(np.sqrt(rate))
        out = Standards(rate=rate)
        bounds = (0.0, np.inf)
    points = c.x / c.n
    sd_i = sd_unit / np.sqrt(c.n)
    sigma_z = std.sigma_z
    if sigma_z is None:
        z = ((points - rate) / sd_i)[: c.n1][keep]
        if z.size < 2:
            raise ValueError("Laney charts need at least 2 subgroups to estimate sigma_z")
        sigma_z = float(np.mean(np.abs(np.diff(z))) / d2(2, constants))
    std_out = Standards(p=out.p, rate=out.rate, sigma_z=sigma_z)
    return Fit(kind, points, rate, sd_i * sigma_z, sd_unit * sigma_z, std_out, bounds)


def laney_p_chart(
    counts: ArrayLike,
    sizes: ArrayLike,
    *,
    nsigmas: float = 3.0,
    rules: RuleSpec = DEFAULT_RULES,
    rule_set: str | None = None,
    standards: Standards | None = None,
    new_counts: ArrayLike | None = None,
    new_sizes: ArrayLike | None = None,
    exclude: Sequence[int] = (),
    iterate: bool = False,
    constants: Convention = "qcc",
) -> ChartResult:
    """Laney p′ chart (Laney 2002) for over- or under-dispersed proportions.

    z_i = (p_i - p̄)/σ_pi with σ_pi = sqrt(p̄(1-p̄)/n_i); σ_z = mean|Δz|/d2(2);
    limits p̄ ± nsigmas·σ_pi·σ_z clipped to [0, 1]. ``sigma`` is sqrt(p̄(1-p̄))·σ_z.

    Examples
    --------
    >>> res = laney_p_chart([30, 42, 25, 51, 38], [1000, 1100, 900, 1200, 1000])
    >>> res.chart_type
    'laney-p'
    """
    check_convention(constants)
    c = _counts(counts, sizes, new_counts, new_sizes, need_sizes=True, binomial=True)

    def fit_fn(keep: Bool) -> tuple[Fit]:
        return (_laney("laney-p", c, keep, standards, constants),)

    return _run(
        fit_fn, c, nsigmas=nsigmas, rules=rules, rule_set=rule_set, exclude=exclude,
        iterate=iterate,
    )  # fmt: skip


def laney_u_chart(
    counts: ArrayLike,
    sizes: ArrayLike,
    *,
    nsigmas: float = 3.0,
    rules: RuleSpec = DEFAULT_RULES,
    rule_set: str | None = None,
    standards: Standards | None = None,
    new_counts: ArrayLike | None = None,
    new_sizes: ArrayLike | None = None,
    exclude: Sequence[int] = (),
    iterate: bool = False,
    constants: Convention = "qcc",
) -> ChartResult:
    """Laney u′ chart: as :func:`laney_p_chart` with σ_ui = sqrt(ū/n_i).

    Examples
    --------
    >>> res = laney_u_chart([30, 42, 25, 51], [100, 110, 90, 120])
    >>> res.chart_type
    'laney-u'
    """
    check_convention(constants)
    c = _counts(counts, sizes, new_counts, new_sizes, need_sizes=True, binomial=False)

    def fit_fn(keep: Bool) -> tuple[Fit]:
        return (_laney("laney-u", c, keep, standards, constants),)

    return _run(
        fit_fn, c, nsigmas=nsigmas, rules=rules, rule_set=rule_set, exclude=exclude,
        iterate=iterate,
    )  # fmt: skip
