"""Western Electric (1-4) and Nelson (1-8) run rules, vectorised with cumulative sums.

Conventions (as qcc 3.0 ``rules.R`` and Minitab):

* the index reported is the point at which a rule fires (0-based here);
* a point exactly on a limit or zone boundary is not beyond it (strict ``>``/``<``);
* zone boundaries are ``center ± (nsigmas·k/3)·se`` for k = 1, 2, so with
  per-point standard errors the zones are per point;
* when a point violates several rules the lowest-numbered rule is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

RuleSpec = str | int | Iterable[str | int] | None

_SET_ALIASES = {
    "we": "we",
    "western-electric": "we",
    "western_electric": "we",
    "westernelectric": "we",
    "nelson": "nelson",
}
_RULE_COUNT = {"we": 4, "nelson": 8}

Bool = NDArray[np.bool_]


def _norm_set(name: str) -> str:
    key = name.strip().lower()
    if key not in _SET_ALIASES:
        raise ValueError(f"unknown rule set {name!r}: use 'we' (Western Electric) or 'nelson'")
    return _SET_ALIASES[key]


def _parse_item(item: str | int, rule_set: str | None) -> tuple[str | None, tuple[int, ...]]:
    if isinstance(item, bool):
        raise ValueError(f"invalid rule {item!r}")
    if isinstance(item, int | np.integer):
        return rule_set, (int(item),)
    text = str(item).strip().lower()
    if text in _SET_ALIASES:
        s = _SET_ALIASES[text]
        return s, tuple(range(1, _RULE_COUNT[s] + 1))
    for prefix in ("nelson", "we"):
        if text.startswith(prefix) and text[len(prefix) :].strip("-_ ").isdigit():
            return prefix, (int(text[len(prefix) :].strip("-_ ")),)
    if text.isdigit():
        return rule_set, (int(text),)
    raise ValueError(
        f"invalid rule {item!r}: use 'we', 'nelson', 'we1'..'we4', 'nelson1'..'nelson8'"
    )


def resolve_rules(rules: RuleSpec, rule_set: str | None = None) -> tuple[str, tuple[int, ...]]:
    """Normalise a rule specification to ``(rule_set, sorted rule numbers)``.

    ``rules`` may be ``None`` (no rules), ``"we"``, ``"nelson"``, ``"we2"``,
    ``"nelson5"``, an int, or an iterable of those. Integers are read in
    ``rule_set`` (default ``"we"``). Mixing the two sets raises ``ValueError``.

    Examples
    --------
    >>> resolve_rules(("nelson",))
    ('nelson', (1, 2, 3, 4, 5, 6, 7, 8))
    >>> resolve_rules([1, 4])
    ('we', (1, 4))
    """
    given = _norm_set(rule_set) if rule_set is not None else None
    if rules is None:
        return given or "we", ()
    items: Iterable[str | int] = (rules,) if isinstance(rules, str | int | np.integer) else rules
    sets: set[str] = set()
    numbers: set[int] = set()
    for item in items:
        s, nums = _parse_item(item, given)
        if s is not None:
            sets.add(s)
        numbers.update(nums)
    if given is not None:
        sets.add(given)
    if len(sets) > 1:
        raise ValueError("rules mix Western Electric and Nelson numbers; choose one rule set")
    chosen = sets.pop() if sets else "we"
    bad = sorted(n for n in numbers if not 1 <= n <= _RULE_COUNT[chosen])
    if bad:
        top = _RULE_COUNT[chosen]
        raise ValueError(f"rule numbers {bad} do not exist in rule set {chosen!r} (1..{top})")
    return chosen, tuple(sorted(numbers))


def _shift_or(b: Bool, steps: int) -> Bool:
    """True where ``b`` holds at least once in the window of ``steps + 1`` points ending here."""
    return ~_run(~b, steps + 1)


def _run(b: Bool, length: int) -> Bool:
    """True where ``b`` has held for ``length`` consecutive points (ending here).

    Window doubling: ``out`` covers ``have`` points; AND-ing it with itself shifted
    by ``step <= have`` covers ``have + step`` points (O(n log length), no loop per point).
    """
    out = b.copy()
    have = 1
    while have < length:
        step = min(have, length - have)
        nxt = np.zeros_like(out)
        np.logical_and(out[step:], out[:-step], out=nxt[step:])
        out, have = nxt, have + step
    return out


def _count(b: Bool, w: int) -> NDArray[np.uint8]:
    """Number of True among the last ``w`` points (w small), 0 for incomplete windows."""
    c = b.astype(np.uint8)
    for s in range(1, w):
        c[s:] += b[:-s]
    c[: w - 1] = 0
    return c


def _k_of_w(side: Bool, k: int, w: int) -> Bool:
    """Current point on ``side`` and at least k of the last w points on that side."""
    out: Bool = side & (_count(side, w) >= k)
    return out


Level = float | NDArray[np.float64]


@dataclass(frozen=True)
class _Zones:
    x: NDArray[np.float64]
    center: float
    lcl: Level
    ucl: Level
    up1: Level
    lo1: Level
    up2: Level
    lo2: Level


def _rule_beyond(z: _Zones) -> Bool:
    out: Bool = (z.x > z.ucl) | (z.x < z.lcl)
    return out


def _rule_2of3(z: _Zones) -> Bool:
    return _k_of_w(z.x > z.up2, 2, 3) | _k_of_w(z.x < z.lo2, 2, 3)


def _rule_4of5(z: _Zones) -> Bool:
    return _k_of_w(z.x > z.up1, 4, 5) | _k_of_w(z.x < z.lo1, 4, 5)


def _same_side(length: int) -> Callable[[_Zones], Bool]:
    def rule(z: _Zones) -> Bool:
        return _run(z.x > z.center, length) | _run(z.x < z.center, length)

    return rule


def _shifted(flags: Bool, shift: int, n: int) -> Bool:
    out = np.zeros(n, dtype=bool)
    if flags.size:
        out[shift:] = flags
    return out


def _rule_trend(z: _Zones) -> Bool:
    d = np.diff(z.x)
    return _shifted(_run(d > 0, 5) | _run(d < 0, 5), 1, z.x.size)


def _rule_alternating(z: _Zones) -> Bool:
    d = np.diff(z.x)
    alt = d[1:] * d[:-1] < 0
    return _shifted(_run(alt, 12), 2, z.x.size)


def _rule_hugging(z: _Zones) -> Bool:
    return _run((z.x >= z.lo1) & (z.x <= z.up1), 15)


def _rule_mixture(z: _Zones) -> Bool:
    above, below = z.x > z.up1, z.x < z.lo1
    out: Bool = _run(above | below, 8) & _shift_or(above, 7) & _shift_or(below, 7)
    return out


_RULES: dict[str, dict[int, Callable[[_Zones], Bool]]] = {
    "we": {1: _rule_beyond, 2: _rule_2of3, 3: _rule_4of5, 4: _same_side(8)},
    "nelson": {
        1: _rule_beyond,
        2: _same_side(9),
        3: _rule_trend,
        4: _rule_alternating,
        5: _rule_2of3,
        6: _rule_4of5,
        7: _rule_hugging,
        8: _rule_mixture,
    },
}


def _level(a: ArrayLike | None, default: Level, n: int) -> Level:
    if a is None:
        return default
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim == 0:
        return float(arr)
    if arr.shape != (n,):
        raise ValueError(f"limits must be one value or one per point ({n}), got shape {arr.shape}")
    return arr


def run_rules(
    points: ArrayLike,
    center: float,
    se: ArrayLike,
    *,
    rules: RuleSpec = "we",
    rule_set: str | None = None,
    nsigmas: float = 3.0,
    lcl: ArrayLike | None = None,
    ucl: ArrayLike | None = None,
    bounds: tuple[float, float] = (-np.inf, np.inf),
    precedence: bool = True,
) -> NDArray[np.int64]:
    """Find run-rule violations in a sequence of plotted points.

    Parameters
    ----------
    points : array_like
        Plotted statistic (NaN never violates and breaks runs).
    center : float
        Centre line.
    se : float or array_like
        Standard error of each point (the sigma unit of the zones).
    rules, rule_set
        See :func:`resolve_rules`.
    nsigmas : float
        Width of the control limits in ``se``; zones are at nsigmas/3 and 2·nsigmas/3.
    lcl, ucl : float or array_like, optional
        Control limits for rule 1 (default ``center ∓ nsigmas·se`` within ``bounds``).
    bounds : (float, float)
        Range of the statistic (e.g. (0, 1) for a proportion); zones are clipped to it.
    precedence : bool
        If True (default) report one rule per point, the lowest-numbered one;
        otherwise every (rule, index) pair.

    Returns
    -------
    ndarray of shape (k, 2)
        Rows (rule, index), 0-based indices, sorted by index then rule.

    Examples
    --------
    >>> run_rules([0, 3.2, -3.5, 2.9], 0.0, 1.0, rules="we1").tolist()
    [[1, 1], [1, 2]]
    """
    chosen, numbers = resolve_rules(rules, rule_set)
    x = np.asarray(points, dtype=np.float64).ravel()
    n = x.size
    s = _level(se, 0.0, n)
    lo, hi = bounds

    def zone(k: float) -> tuple[Level, Level]:
        half = (nsigmas * k / 3.0) * s
        if isinstance(half, np.ndarray):
            return np.minimum(center + half, hi), np.maximum(center - half, lo)
        return min(center + half, hi), max(center - half, lo)

    up3, lo3 = zone(3.0)
    up2, lo2 = zone(2.0)
    up1, lo1 = zone(1.0)
    z = _Zones(x, center, _level(lcl, lo3, n), _level(ucl, up3, n), up1, lo1, up2, lo2)
    return _collect({r: _RULES[chosen][r](z) for r in numbers}, n, precedence)


def _collect(fired: dict[int, Bool], n: int, precedence: bool) -> NDArray[np.int64]:
    if not fired:
        return np.empty((0, 2), dtype=np.int64)
    if precedence:
        code = np.zeros(n, dtype=np.int64)
        for r in sorted(fired, reverse=True):
            code[fired[r]] = r
        idx = np.flatnonzero(code)
        return np.column_stack((code[idx], idx)).astype(np.int64)
    parts = [np.column_stack((np.full(f.sum(), r), np.flatnonzero(f))) for r, f in fired.items()]
    allv = np.concatenate(parts).astype(np.int64)
    order = np.lexsort((allv[:, 0], allv[:, 1]))
    out: NDArray[np.int64] = allv[order]
    return out
