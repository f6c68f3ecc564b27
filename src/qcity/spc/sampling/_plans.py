"""Sample-size code letters and single sampling plans (GB/T 2828.1 = ISO 2859-1)."""

from __future__ import annotations

import operator
from dataclasses import asdict, dataclass

from qcity.spc.sampling import _tables

STANDARD_ISO = "GB/T 2828.1 / ISO 2859-1:1999"
STANDARD_105E = "MIL-STD-105E / ANSI Z1.4 reduced table (not ISO 2859-1:1999)"
_TABLE_NAMES = {
    "normal": "Table 2-A (normal)",
    "tightened": "Table 2-B (tightened)",
    "reduced-mil-std-105e": "MIL-STD-105E Table II-C (reduced)",
}


@dataclass(frozen=True)
class SamplingPlan:
    """A single sampling plan read from the GB/T 2828.1 tables.

    Attributes
    ----------
    code_letter : str
        Sample-size code letter from Table 1 (or as given).
    sample_size : int
        Number of items to inspect; equals ``lot_size`` when ``full_inspection``.
    accept, reject : int
        Acceptance number Ac and rejection number Re.
    inspection : str
        ``"normal"``, ``"tightened"`` or ``"reduced-mil-std-105e"``.
    aql : str
        AQL column label (percent nonconforming or nonconformities per 100 items).
    lot_size : int or None
        Lot size N, if known.
    level : str or None
        Inspection level used to find the code letter, if known.
    plan_code_letter : str
        Code letter of the row where the plan was found after following arrows.
    table_sample_size : int
        Sample size printed for ``plan_code_letter``.
    full_inspection : bool
        True when ``table_sample_size >= lot_size``: inspect every item (100 %).
    standard : str
        Standard and table the plan comes from.
    """

    code_letter: str
    sample_size: int
    accept: int
    reject: int
    inspection: str
    aql: str
    lot_size: int | None
    level: str | None
    plan_code_letter: str
    table_sample_size: int
    full_inspection: bool
    standard: str

    def to_dict(self) -> dict[str, object]:
        """Return the plan as a plain dictionary."""
        return asdict(self)

    def is_accepted(self, nonconforming: int) -> bool:
        """True when ``nonconforming`` is at most the acceptance number."""
        return _count(nonconforming) <= self.accept


def _count(value: int) -> int:
    if isinstance(value, bool):
        raise ValueError(f"count must be an integer, got {value!r}")
    try:
        count = operator.index(value)
    except TypeError:
        raise ValueError(f"count must be an integer, got {value!r}") from None
    if count < 0:
        raise ValueError(f"count must be >= 0, got {value!r}")
    return count


def _lot_size(lot_size: int) -> int:
    try:
        size = _count(lot_size)
    except ValueError:
        size = -1
    if size < 2:
        raise ValueError(f"lot size must be an integer >= 2, got {lot_size!r}")
    return size


def _level(level: str) -> str:
    if level not in _tables.LEVELS:
        raise ValueError(
            f"inspection level {level!r} is unknown; valid levels: {', '.join(_tables.LEVELS)}"
        )
    return level


def code_letter(lot_size: int, level: str = "II") -> str:
    """Sample-size code letter for a lot size and inspection level (Table 1).

    Parameters
    ----------
    lot_size : int
        Number of items in the lot, at least 2.
    level : str, default "II"
        One of ``"S-1", "S-2", "S-3", "S-4", "I", "II", "III"``.

    Returns
    -------
    str
        Code letter ``"A"`` ... ``"R"``.

    Raises
    ------
    ValueError
        For a lot size below 2 or an unknown level.

    Examples
    --------
    >>> code_letter(1000)
    'J'
    >>> code_letter(1000, level="S-3")
    'E'
    """
    size, lev = _lot_size(lot_size), _level(level)
    for low, high, letters in _tables.code_letter_rows():
        if low <= size and (high is None or size <= high):
            return letters[lev]
    raise LookupError(f"no Table 1 row covers lot size {size}")  # pragma: no cover


def _inspection(inspection: str) -> str:
    if inspection == "reduced":
        raise ValueError(
            "reduced plans of ISO 2859-1:1999 are not shipped (the reference table is "
            "MIL-STD-105E, which differs); use inspection='reduced-mil-std-105e' knowingly; "
            f"valid choices: {', '.join(_tables.INSPECTIONS)}"
        )
    if inspection not in _tables.INSPECTIONS:
        raise ValueError(
            f"inspection {inspection!r} is unknown; valid choices: {', '.join(_tables.INSPECTIONS)}"
        )
    return inspection


def _code(letter: str) -> str:
    valid = _tables.codes("normal")
    if letter not in valid:
        raise ValueError(f"code letter {letter!r} is unknown; valid letters: {', '.join(valid)}")
    return letter


def plan_from_code_letter(
    letter: str,
    aql: float | str,
    *,
    inspection: str = "normal",
    lot_size: int | None = None,
    level: str | None = None,
) -> SamplingPlan:
    """Single sampling plan for a code letter and AQL, following the table's arrows.

    Parameters
    ----------
    letter : str
        Sample-size code letter ``"A"`` ... ``"R"``.
    aql : float or str
        AQL from the preferred series (0.010 ... 1000), e.g. ``1.0`` or ``"0.65"``.
    inspection : str, default "normal"
        ``"normal"``, ``"tightened"``, or ``"reduced-mil-std-105e"`` (MIL-STD-105E reduced
        table, which differs from ISO 2859-1:1999; ``"reduced"`` is refused).
    lot_size : int, optional
        Lot size; when the sample size reaches it, every item is inspected.
    level : str, optional
        Inspection level, recorded in the result.

    Returns
    -------
    SamplingPlan

    Examples
    --------
    >>> plan = plan_from_code_letter("A", 0.010)
    >>> plan.plan_code_letter, plan.sample_size, plan.accept, plan.reject
    ('Q', 1250, 0, 1)
    """
    insp, code, label = _inspection(inspection), _code(letter), _tables.aql_label(aql)
    size = None if lot_size is None else _lot_size(lot_size)
    level = None if level is None else _level(level)
    found = _tables.table_plan(insp, code, label)
    full = size is not None and found.sample_size >= size
    standard = STANDARD_105E if insp == "reduced-mil-std-105e" else STANDARD_ISO
    return SamplingPlan(
        code_letter=code,
        sample_size=size if full and size is not None else found.sample_size,
        accept=found.accept,
        reject=found.reject,
        inspection=insp,
        aql=label,
        lot_size=size,
        level=level,
        plan_code_letter=found.code_letter,
        table_sample_size=found.sample_size,
        full_inspection=full,
        standard=f"{standard}, {_TABLE_NAMES[insp]}",
    )


def single_plan(
    lot_size: int, aql: float | str, level: str = "II", inspection: str = "normal"
) -> SamplingPlan:
    """Single sampling plan for a lot (Table 1, then Table 2-A or 2-B with arrows followed).

    Parameters
    ----------
    lot_size : int
        Lot size N, at least 2.
    aql : float or str
        AQL from the preferred series (0.010 ... 1000).
    level : str, default "II"
        Inspection level ``"S-1"`` ... ``"S-4"``, ``"I"``, ``"II"``, ``"III"``.
    inspection : str, default "normal"
        ``"normal"``, ``"tightened"`` or ``"reduced-mil-std-105e"``.

    Returns
    -------
    SamplingPlan
        If the sample size is at least the lot size, ``full_inspection`` is True and
        ``sample_size == lot_size`` (inspect 100 %).

    Raises
    ------
    ValueError
        For an AQL not in the table, an unknown level or inspection, or a lot size < 2.

    Examples
    --------
    >>> plan = single_plan(1000, 2.5)
    >>> plan.code_letter, plan.sample_size, plan.accept, plan.reject
    ('J', 80, 5, 6)
    >>> single_plan(10, 0.65).full_inspection
    True
    """
    letter = code_letter(lot_size, level)
    return plan_from_code_letter(letter, aql, inspection=inspection, lot_size=lot_size, level=level)


def tighter_accept_number(plan: SamplingPlan) -> int | None:
    """Ac of the same table row at the next tighter AQL (for the switching score).

    Returns None when the plan's AQL is already the tightest column.
    """
    labels = _tables.aql_labels()
    index = labels.index(plan.aql)
    if index == 0:
        return None
    tighter = _tables.table_plan(plan.inspection, plan.plan_code_letter, labels[index - 1])
    return tighter.accept
