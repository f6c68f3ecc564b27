"""Switching rules of GB/T 2828.1 clause 9 (= ISO 2859-1:1999 clause 9) as a state machine.

Clause summary (single sampling; "not accepted" means on original inspection,
resubmitted lots are ignored):

* 9.1 Inspection starts on **normal** unless the responsible authority directs otherwise.
* 9.3.1 normal -> **tightened** as soon as 2 lots out of 5 or fewer consecutive lots are
  not accepted.
* 9.3.2 tightened -> **normal** when 5 consecutive lots are accepted.
* 9.3.3 normal -> **reduced** when all hold: (a) the switching score is at least 30,
  (b) production is at a steady rate, (c) the responsible authority considers reduced
  inspection desirable.
* 9.3.3.2 Switching score: set to 0 at the start of normal inspection and updated after
  each lot on normal inspection. When Ac >= 2, add 3 if the lot would have been accepted
  at the AQL one step tighter, otherwise reset to 0. When Ac is 0 or 1, add 2 if the lot
  is accepted, otherwise reset to 0.
* 9.3.4 reduced -> **normal** if (a) a lot is not accepted, (b) production becomes
  irregular or delayed, or (c) other conditions warrant it.
* 9.4 **Discontinue** when the cumulative number of lots not accepted in a sequence of
  consecutive lots on tightened inspection reaches 5. Inspection resumes only after the
  supplier has acted and the authority agrees; it then restarts on tightened as if 9.3.1
  had been invoked (:meth:`SwitchingState.resume`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

from qcity.spc.sampling._plans import SamplingPlan, tighter_accept_number

State = Literal["normal", "tightened", "reduced", "discontinued"]
SCORE_TO_REDUCED = 30
WINDOW_NORMAL = 5
RUN_TO_NORMAL = 5
LIMIT_TIGHTENED = 5


@dataclass(frozen=True)
class LotResult:
    """Outcome of one lot on original inspection, as fed to :class:`SwitchingState`.

    Attributes
    ----------
    accepted : bool
        Whether the lot was accepted.
    nonconforming : int
        Nonconforming items (or nonconformities) found in the sample.
    accept_number : int or None
        Ac of the plan used; needed on normal inspection for the switching score.
    tighter_accept_number : int or None
        Ac at the AQL one step tighter (same sample); needed when ``accept_number >= 2``.
    production_steady : bool
        False when production is irregular or delayed (blocks / ends reduced inspection).
    reduced_approved : bool
        The responsible authority considers reduced inspection desirable.
    reinstate_normal : bool
        Other conditions warrant normal inspection (9.3.4 c).
    """

    accepted: bool
    nonconforming: int = 0
    accept_number: int | None = None
    tighter_accept_number: int | None = None
    production_steady: bool = True
    reduced_approved: bool = False
    reinstate_normal: bool = False


def lot_result(
    plan: SamplingPlan,
    nonconforming: int,
    *,
    production_steady: bool = True,
    reduced_approved: bool = False,
    reinstate_normal: bool = False,
) -> LotResult:
    """Judge a lot with ``plan`` and build the :class:`LotResult` for the switching rules.

    With the MIL-STD-105E reduced table, a count between Ac and Re accepts the lot but
    reinstates normal inspection (MIL-STD-105E 10.1.4).

    Examples
    --------
    >>> from qcity.spc.sampling import single_plan
    >>> result = lot_result(single_plan(1000, 2.5), nonconforming=2)
    >>> result.accepted, result.accept_number, result.tighter_accept_number
    (True, 5, 3)
    """
    accepted = plan.is_accepted(nonconforming)
    between = accepted is False and nonconforming < plan.reject
    return LotResult(
        accepted=accepted or between,
        nonconforming=nonconforming,
        accept_number=plan.accept,
        tighter_accept_number=tighter_accept_number(plan),
        production_steady=production_steady,
        reduced_approved=reduced_approved,
        reinstate_normal=reinstate_normal or between,
    )


def _score(score: int, lot: LotResult) -> int:
    if lot.accept_number is None:
        raise ValueError("a lot on normal inspection needs accept_number for the switching score")
    if not lot.accepted:
        return 0
    if lot.accept_number <= 1:
        return score + 2
    if lot.tighter_accept_number is None:
        raise ValueError("Ac >= 2 needs tighter_accept_number for the switching score")
    return score + 3 if lot.nonconforming <= lot.tighter_accept_number else 0


@dataclass(frozen=True)
class SwitchingState:
    """Immutable state of the GB/T 2828.1 switching scheme; :meth:`feed` returns the next.

    Attributes
    ----------
    inspection : {"normal", "tightened", "reduced", "discontinued"}
        Severity for the next lot.
    switching_score : int
        Current switching score (normal inspection only).
    normal_window : tuple of bool
        Acceptance of the last lots (at most 5) since normal inspection started.
    tightened_run : int
        Consecutive lots accepted on tightened inspection.
    tightened_not_accepted : int
        Lots not accepted since tightened inspection started.
    lots : int
        Lots fed so far.
    reason : str
        Why the last lot left the state where it is (clause cited).

    Examples
    --------
    >>> state = SwitchingState()
    >>> for accepted in (False, True, False):
    ...     state = state.feed(LotResult(accepted, accept_number=1))
    >>> state.inspection
    'tightened'
    """

    inspection: State = "normal"
    switching_score: int = 0
    normal_window: tuple[bool, ...] = ()
    tightened_run: int = 0
    tightened_not_accepted: int = 0
    lots: int = 0
    reason: str = "9.1: start on normal inspection"

    def feed(self, lot: LotResult) -> SwitchingState:
        """Apply the switching rules to the result of the next lot."""
        if self.inspection == "discontinued":
            raise ValueError("inspection is discontinued (9.4); call resume() once approved")
        if self.inspection == "normal":
            nxt = self._on_normal(lot)
        elif self.inspection == "tightened":
            nxt = self._on_tightened(lot)
        else:
            nxt = self._on_reduced(lot)
        return replace(nxt, lots=self.lots + 1)

    def resume(self) -> SwitchingState:
        """Restart after discontinuation, on tightened inspection as if 9.3.1 applied."""
        if self.inspection != "discontinued":
            raise ValueError(f"resume() applies only when discontinued, not {self.inspection}")
        return _enter(self, "tightened", "9.4: resumed on tightened inspection")

    def _on_normal(self, lot: LotResult) -> SwitchingState:
        window = (*self.normal_window, lot.accepted)[-WINDOW_NORMAL:]
        if window.count(False) >= 2:
            return _enter(self, "tightened", "9.3.1: 2 of 5 or fewer consecutive lots not accepted")
        score = _score(self.switching_score, lot)
        ready = score >= SCORE_TO_REDUCED and lot.production_steady and lot.reduced_approved
        if ready:
            return _enter(self, "reduced", "9.3.3: score >= 30, steady production, approved")
        return replace(self, normal_window=window, switching_score=score, reason="9.2: continue")

    def _on_tightened(self, lot: LotResult) -> SwitchingState:
        rejected = self.tightened_not_accepted + (not lot.accepted)
        if rejected >= LIMIT_TIGHTENED:
            return _enter(self, "discontinued", "9.4: 5 lots not accepted on tightened")
        run = self.tightened_run + 1 if lot.accepted else 0
        if run >= RUN_TO_NORMAL:
            return _enter(self, "normal", "9.3.2: 5 consecutive lots accepted on tightened")
        return replace(self, tightened_run=run, tightened_not_accepted=rejected, reason="9.2")

    def _on_reduced(self, lot: LotResult) -> SwitchingState:
        if not lot.accepted:
            return _enter(self, "normal", "9.3.4 a): lot not accepted on reduced")
        if not lot.production_steady:
            return _enter(self, "normal", "9.3.4 b): production irregular or delayed")
        if lot.reinstate_normal:
            return _enter(self, "normal", "9.3.4 c): other conditions warrant normal")
        return replace(self, reason="9.2: continue")


def _enter(state: SwitchingState, inspection: State, reason: str) -> SwitchingState:
    """Switch to ``inspection`` with all per-severity counters reset."""
    return SwitchingState(inspection=inspection, lots=state.lots, reason=reason)


def run_switching(
    lots: Iterable[LotResult], start: SwitchingState | None = None
) -> tuple[SwitchingState, ...]:
    """Feed lots in order; return the state after each lot (the transition log).

    Examples
    --------
    >>> log = run_switching([LotResult(False, accept_number=1)] * 2)
    >>> [s.inspection for s in log]
    ['normal', 'tightened']
    """
    state = SwitchingState() if start is None else start
    states = []
    for lot in lots:
        state = state.feed(lot)
        states.append(state)
    return tuple(states)
