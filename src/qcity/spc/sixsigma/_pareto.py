"""Pareto analysis of categories with counts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_EPS = 1e-12


@dataclass(frozen=True)
class ParetoItem:
    """One bar: count, share of the total, cumulative share and whether it is vital."""

    category: str
    count: float
    share: float
    cumulative_share: float
    vital: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the attributes."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class ParetoResult:
    """Categories sorted by count (descending; ties by name; "other" bucket last)."""

    items: tuple[ParetoItem, ...]
    total: float
    cutoff: float

    @property
    def vital_few(self) -> tuple[str, ...]:
        """Categories up to and including the one whose cumulative share reaches ``cutoff``."""
        return tuple(item.category for item in self.items if item.vital)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict with ``items`` as a list of dicts and ``vital_few``."""
        return {
            "items": [item.to_dict() for item in self.items],
            "total": self.total,
            "cutoff": self.cutoff,
            "vital_few": list(self.vital_few),
        }


def _pairs(counts: Mapping[str, float] | Iterable[tuple[str, float]]) -> list[tuple[str, float]]:
    pairs = list(counts.items() if isinstance(counts, Mapping) else counts)
    names = [str(name) for name, _ in pairs]
    if len(set(names)) != len(names):
        raise ValueError("category names must be unique")
    out = []
    for name, count in pairs:
        value = float(count)
        if not (value >= 0.0 and value != float("inf")):
            raise ValueError(f"count of {name!r} must be a non-negative number, got {count}")
        out.append((str(name), value))
    return out


def pareto(
    counts: Mapping[str, float] | Iterable[tuple[str, float]],
    *,
    cutoff: float = 0.8,
    other_below: float | None = None,
    other_label: str = "Other",
) -> ParetoResult:
    """Pareto analysis: sort, shares, cumulative shares and the vital few.

    Parameters
    ----------
    counts : mapping or iterable of (category, count)
        Non-negative counts with unique category names.
    cutoff : float, default 0.8
        Vital few = categories up to the first whose cumulative share reaches ``cutoff``.
    other_below : float, optional
        Merge categories whose share is below this into one ``other_label`` bucket, kept
        last whatever its size.
    other_label : str, default "Other"

    Examples
    --------
    >>> from qcity.spc.sixsigma import pareto
    >>> res = pareto({"scratch": 40, "dent": 30, "stain": 20, "crack": 10})
    >>> res.vital_few
    ('scratch', 'dent', 'stain')
    """
    if not 0.0 < cutoff <= 1.0:
        raise ValueError(f"cutoff must be in (0, 1], got {cutoff}")
    pairs = _pairs(counts)
    total = sum(count for _, count in pairs)
    if not pairs or total <= 0.0:
        raise ValueError("give at least one category with a positive count")
    ordered = sorted(pairs, key=lambda kv: (-kv[1], kv[0]))
    if other_below is not None:
        ordered = _bucket(ordered, total, other_below, other_label)
    items: list[ParetoItem] = []
    running, reached = 0.0, False
    for name, count in ordered:
        running += count
        cumulative = running / total
        items.append(ParetoItem(name, count, count / total, cumulative, not reached))
        reached = reached or cumulative >= cutoff - _EPS
    return ParetoResult(tuple(items), total, cutoff)


def _bucket(
    ordered: list[tuple[str, float]], total: float, threshold: float, label: str
) -> list[tuple[str, float]]:
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"other_below must be a share between 0 and 1, got {threshold}")
    keep = [(n, c) for n, c in ordered if c / total >= threshold]
    rest = [(n, c) for n, c in ordered if c / total < threshold]
    if not rest:
        return ordered
    if any(n == label for n, _ in keep):
        raise ValueError(f"a category is already named {label!r}; choose another other_label")
    return [*keep, (label, sum(c for _, c in rest))]
