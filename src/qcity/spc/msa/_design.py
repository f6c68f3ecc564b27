"""Validate a crossed gauge R&R design and arrange it as a parts x operators x trials cube."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray


@dataclass(frozen=True)
class CrossedDesign:
    """Balanced crossed design: ``cube[i, j, k]`` = trial k of part i by operator j."""

    cube: NDArray[np.float64]
    parts: tuple[object, ...]
    operators: tuple[object, ...]

    @property
    def shape(self) -> tuple[int, int, int]:
        """(parts, operators, trials)."""
        p, o, r = self.cube.shape
        return int(p), int(o), int(r)


def crossed_design(measurement: ArrayLike, part: ArrayLike, operator: ArrayLike) -> CrossedDesign:
    """Check the design is crossed and balanced (2+ parts, 2+ operators, 2+ trials per cell)."""
    y = np.asarray(measurement, dtype=np.float64).ravel()
    parts = np.asarray(part).ravel()
    ops = np.asarray(operator).ravel()
    if not (y.size == parts.size == ops.size):
        raise ValueError(
            "measurement, part and operator must have the same length, got "
            f"{y.size}, {parts.size} and {ops.size}"
        )
    if not np.isfinite(y).all():
        raise ValueError("measurements must be finite numbers (no NaN or infinity)")
    part_levels, part_idx = np.unique(parts, return_inverse=True)
    op_levels, op_idx = np.unique(ops, return_inverse=True)
    if part_levels.size < 2:
        raise ValueError(f"a gauge R&R study needs at least 2 parts, got {part_levels.size}")
    if op_levels.size < 2:
        raise ValueError(f"a gauge R&R study needs at least 2 operators, got {op_levels.size}")
    counts = np.zeros((part_levels.size, op_levels.size), dtype=np.intp)
    np.add.at(counts, (part_idx, op_idx), 1)
    _check_counts(counts, part_levels, op_levels)
    order = np.lexsort((op_idx, part_idx))
    cube = y[order].reshape(part_levels.size, op_levels.size, int(counts[0, 0]))
    return CrossedDesign(cube, tuple(part_levels.tolist()), tuple(op_levels.tolist()))


def _check_counts(
    counts: NDArray[np.intp], part_levels: NDArray[np.generic], op_levels: NDArray[np.generic]
) -> None:
    missing = np.argwhere(counts == 0)
    if missing.size:
        cells = ", ".join(
            f"part {part_levels[i].item()!r} x operator {op_levels[j].item()!r}"
            for i, j in missing[:5]
        )
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise ValueError(f"the design is not crossed: no measurements for {cells}{more}")
    low, high = int(counts.min()), int(counts.max())
    if low != high:
        raise ValueError(
            "the design is unbalanced: every part x operator cell needs the same number of "
            f"trials, found between {low} and {high}"
        )
    if low < 2:
        raise ValueError("each part x operator cell needs at least 2 trials (repeat readings)")
