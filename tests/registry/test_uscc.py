"""Unified social credit codes (GB 32100-2015) and the embedded GB 11714 organisation code."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qcity.registry.uscc import (
    USCC_CHARSET,
    is_valid_uscc,
    make_uscc,
    org_code_check_character,
    uscc_check_character,
    validate_uscc,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "regulatory"
EXAMPLES = list(csv.DictReader((FIXTURES / "uscc_examples.csv").open(encoding="utf-8")))


@pytest.mark.parametrize("row", EXAMPLES, ids=[r["code"] for r in EXAMPLES])
def test_reference_examples(row: dict[str, str]) -> None:
    # Source: shared/reference/regulatory/uscc_examples.csv (published codes, GB 32100 example).
    assert validate_uscc(row["code"]).valid is (row["valid"] == "true")


def test_standard_worked_example_check_characters() -> None:
    # GB 32100-2015 worked example 91350100M000100Y43: organisation code M000100Y-4, check 3.
    assert org_code_check_character("M000100Y") == "4"
    assert uscc_check_character("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("code", "reason", "expected"),
    [
        ("9135010", "wrong length (7 characters, expected 18)", None),
        ("91350100M000100Y4I", "character 'I' at position 18 is outside the charset", None),
        ("91350100m000100Y43", "character 'm' at position 9 is outside the charset", None),
        ("914403001922038217", "check character is '7', expected '6'", "6"),
        ("91350203M0001QAY9B", "check character is 'B', expected '9'", "9"),
        ("91350100M000100Y53", "organisation code M000100Y5 has check character '5'", "4"),
        ("C1350100M000100Y43", "registration authority 'C' at position 1", None),
        ("94350100M000100Y43", "institution category '4' at position 2", None),
    ],
)
def test_failures_say_why(code: str, reason: str, expected: str | None) -> None:
    verdict = validate_uscc(code)
    assert not verdict.valid
    assert verdict.reason is not None and reason in verdict.reason
    assert verdict.expected == expected


body = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8)
division = st.text(alphabet="0123456789", min_size=6, max_size=6)
prefix = st.sampled_from(["91", "92", "93", "11", "12", "51", "52", "53", "Y1"])


@given(prefix, division, body)
def test_assembled_codes_are_valid(p: str, d: str, b: str) -> None:
    assert is_valid_uscc(make_uscc(p, d, b))


@given(prefix, division, body, st.integers(0, 17), st.sampled_from(USCC_CHARSET))
def test_any_single_substitution_is_detected(
    p: str, d: str, b: str, position: int, char: str
) -> None:
    code = make_uscc(p, d, b)
    changed = code[:position] + char + code[position + 1 :]
    assert is_valid_uscc(changed) is (changed == code)


@given(prefix, division, body, st.integers(0, 16))
def test_any_adjacent_transposition_is_detected(p: str, d: str, b: str, position: int) -> None:
    code = make_uscc(p, d, b)
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert is_valid_uscc(swapped) is (swapped == code)
