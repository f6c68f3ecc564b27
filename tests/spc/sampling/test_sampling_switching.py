"""Switching rules, GB/T 2828.1 = ISO 2859-1:1999 clause 9.

Expected states are derived by hand from the clause text summarised in
``qcity.spc.sampling._switching`` (9.3.1-9.3.4, 9.3.3.2 switching score, 9.4).
"""

from __future__ import annotations

import pytest

from qcity.spc.sampling import (
    LotResult,
    SwitchingState,
    lot_result,
    run_switching,
    single_plan,
)

OK = LotResult(accepted=True, nonconforming=0, accept_number=1)  # Ac 0/1 plan, accepted
NO = LotResult(accepted=False, nonconforming=2, accept_number=1)  # not accepted


def _states(lots: list[LotResult], start: SwitchingState | None = None) -> list[str]:
    return [s.inspection for s in run_switching(lots, start)]


def _tightened() -> SwitchingState:
    state = run_switching([NO, NO])[-1]
    assert state.inspection == "tightened"
    return state


def test_starts_normal() -> None:
    state = SwitchingState()
    assert (state.inspection, state.switching_score, state.lots) == ("normal", 0, 0)


@pytest.mark.parametrize(
    ("lots", "expected_last"),
    [
        ([NO, NO], "tightened"),  # 2 of 2
        ([NO, OK, OK, OK, NO], "tightened"),  # 2 of 5
        ([NO, OK, OK, OK, OK, NO], "normal"),  # the two are 6 lots apart
        ([OK, NO, OK, OK, OK, OK, NO], "normal"),
        ([OK, OK, NO, OK, NO], "tightened"),  # 2 of 3
    ],
)
def test_normal_to_tightened_9_3_1(lots: list[LotResult], expected_last: str) -> None:
    states = _states(lots)
    assert states[-1] == expected_last
    assert set(states[:-1]) == {"normal"}


def test_tightened_to_normal_after_5_consecutive_accepted_9_3_2() -> None:
    states = _states([OK] * 5, _tightened())
    assert states == ["tightened"] * 4 + ["normal"]


def test_tightened_run_restarts_after_a_rejection() -> None:
    states = _states([OK, OK, OK, OK, NO, OK, OK, OK, OK, OK], _tightened())
    assert states == ["tightened"] * 9 + ["normal"]


def test_discontinue_after_5_not_accepted_on_tightened_9_4() -> None:
    lots = [NO, OK, NO, OK, OK, NO, OK, NO, OK, OK, OK, OK, NO]
    log = run_switching(lots, _tightened())
    assert [s.inspection for s in log] == ["tightened"] * 12 + ["discontinued"]
    assert log[-2].tightened_not_accepted == 4
    assert log[-1].reason.startswith("9.4")
    with pytest.raises(ValueError, match="discontinued"):
        log[-1].feed(OK)
    resumed = log[-1].resume()
    assert (resumed.inspection, resumed.tightened_not_accepted, resumed.tightened_run) == (
        "tightened",
        0,
        0,
    )
    assert _states([OK] * 5, resumed)[-1] == "normal"


def test_resume_only_when_discontinued() -> None:
    with pytest.raises(ValueError, match="resume"):
        SwitchingState().resume()


def test_back_on_normal_starts_fresh_window_and_score() -> None:
    state = run_switching([OK] * 5, _tightened())[-1]
    assert (state.inspection, state.switching_score, state.normal_window) == ("normal", 0, ())
    assert _states([NO, OK, OK, OK, OK, NO], state)[-1] == "normal"


def test_score_ac_0_or_1_adds_2_when_accepted_9_3_3_2() -> None:
    one_found = LotResult(accepted=True, nonconforming=1, accept_number=1)
    log = run_switching([OK, one_found, OK, NO, OK])
    assert [s.switching_score for s in log] == [2, 4, 6, 0, 2]


def test_score_ac_2_or_more_uses_one_step_tighter_aql_9_3_3_2() -> None:
    plan = single_plan(1000, 2.5)  # Table 2-A: J, 80, 5/6; one step tighter (1.5): Ac 3
    counts = [0, 3, 4, 1, 6, 2]
    log = run_switching([lot_result(plan, d) for d in counts])
    assert [s.switching_score for s in log] == [3, 6, 0, 3, 0, 3]


def test_normal_to_reduced_needs_score_30_steady_and_approval_9_3_3() -> None:
    approved = LotResult(True, 0, accept_number=1, reduced_approved=True)
    assert _states([approved] * 15) == ["normal"] * 14 + ["reduced"]  # 15 x 2 = 30
    assert _states([OK] * 15 + [approved]) == ["normal"] * 15 + ["reduced"]
    unsteady = LotResult(True, 0, accept_number=1, reduced_approved=True, production_steady=False)
    states = run_switching([OK] * 20 + [unsteady])
    assert states[-1].inspection == "normal"
    assert states[-1].switching_score == 42


def test_score_30_with_ac_2_plans() -> None:
    plan = single_plan(1000, 2.5)
    lots = [lot_result(plan, 1, reduced_approved=True) for _ in range(10)]
    assert _states(lots) == ["normal"] * 9 + ["reduced"]


def _reduced() -> SwitchingState:
    approved = LotResult(True, 0, accept_number=1, reduced_approved=True)
    state = run_switching([approved] * 15)[-1]
    assert state.inspection == "reduced"
    return state


@pytest.mark.parametrize(
    ("lot", "clause"),
    [
        (NO, "9.3.4 a)"),
        (LotResult(True, 0, production_steady=False), "9.3.4 b)"),
        (LotResult(True, 0, reinstate_normal=True), "9.3.4 c)"),
    ],
)
def test_reduced_to_normal_9_3_4(lot: LotResult, clause: str) -> None:
    state = _reduced().feed(lot)
    assert state.inspection == "normal"
    assert state.reason.startswith(clause)
    assert state.switching_score == 0


def test_reduced_continues_while_lots_accepted() -> None:
    assert _states([OK] * 10, _reduced()) == ["reduced"] * 10


def test_mil_std_105e_reduced_gap_accepts_but_reinstates_normal() -> None:
    plan = single_plan(1000, 1.0, inspection="reduced-mil-std-105e")  # 32, 1/3
    lot = lot_result(plan, 2)
    assert lot.accepted
    assert lot.reinstate_normal
    assert _reduced().feed(lot).inspection == "normal"


def test_normal_lot_needs_accept_numbers() -> None:
    with pytest.raises(ValueError, match="accept_number"):
        SwitchingState().feed(LotResult(True, 0))
    with pytest.raises(ValueError, match="tighter_accept_number"):
        SwitchingState().feed(LotResult(True, 0, accept_number=3))


def test_states_are_immutable_and_count_lots() -> None:
    start = SwitchingState()
    after = start.feed(OK)
    assert (start.lots, after.lots) == (0, 1)
    assert run_switching([OK, NO, NO, OK])[-1].lots == 4
