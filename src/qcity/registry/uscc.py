"""Unified social credit codes (统一社会信用代码), GB 32100-2015, with the embedded GB 11714 code.

Layout (18 characters): registration authority (1) · institution category (1) · administrative
division (6) · organisation code (9, GB 11714: 8-character body + check) · check character (1).
"""

from __future__ import annotations

from dataclasses import dataclass

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}

# Registration authority → allowed institution categories (GB 32100-2015 Table 1 and amendments).
AUTHORITY_CATEGORIES: dict[str, str] = {
    "1": "1239",  # 机构编制
    "2": "19",  # 外交
    "3": "123459",  # 司法行政
    "4": "19",  # 文化
    "5": "1239",  # 民政
    "6": "129",  # 旅游
    "7": "129",  # 宗教
    "8": "19",  # 工会
    "9": "123",  # 市场监管（工商）: 企业, 个体工商户, 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室
    "N": "1239",  # 农业
    "Y": "1",  # 其他
}


def uscc_check_character(first17: str) -> str:
    """The check character (position 18) for the first 17 characters (mod 31)."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_character(body: str) -> str:
    """The GB 11714 check character for an 8-character organisation-code body (mod 11)."""
    total = sum(_org_value(c) * w for c, w in zip(body, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def _org_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


@dataclass(frozen=True)
class UsccVerdict:
    """The outcome of checking one code; ``reason`` says why an invalid code fails."""

    code: str
    valid: bool
    reason: str | None = None
    expected: str | None = None

    def __str__(self) -> str:
        return f"{self.code}: valid" if self.valid else f"{self.code}: invalid: {self.reason}"


def validate_uscc(code: str) -> UsccVerdict:
    """Check a credit code and say exactly what is wrong with it.

    Examples
    --------
    >>> validate_uscc("91350100M000100Y43").valid
    True
    >>> print(validate_uscc("914403001922038217"))
    914403001922038217: invalid: check character is '7', expected '6'
    """
    failure = _first_failure(code)
    if failure is None:
        return UsccVerdict(code, True)
    reason, expected = failure
    return UsccVerdict(code, False, reason, expected)


def is_valid_uscc(code: str) -> bool:
    """Whether ``code`` is a valid unified social credit code."""
    return _first_failure(code) is None


def _first_failure(code: str) -> tuple[str, str | None] | None:
    if len(code) != 18:
        return f"wrong length ({len(code)} characters, expected 18)", None
    for position, char in enumerate(code, start=1):
        if char not in _USCC_VALUE:
            hint = " (lower case)" if char.upper() in _USCC_VALUE else ""
            return (
                f"character {char!r} at position {position} is outside the charset "
                f"{USCC_CHARSET}{hint}",
                None,
            )
    authority, category = code[0], code[1]
    if authority not in AUTHORITY_CATEGORIES:
        return f"registration authority {authority!r} at position 1 is not defined", None
    if category not in AUTHORITY_CATEGORIES[authority]:
        return (
            f"institution category {category!r} at position 2 is not defined for "
            f"registration authority {authority!r}",
            None,
        )
    if not code[2:8].isdigit():
        return f"administrative division {code[2:8]!r} (positions 3-8) is not six digits", None
    org_expected = org_code_check_character(code[8:16])
    if code[16] != org_expected:
        return (
            f"embedded organisation code {code[8:17]} has check character {code[16]!r}, "
            f"expected {org_expected!r}",
            org_expected,
        )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]!r}, expected {expected!r}", expected
    return None


def make_uscc(authority_category: str, division: str, org_body: str) -> str:
    """Assemble a valid code from its parts, computing both check characters."""
    first16 = authority_category + division + org_body
    first17 = first16 + org_code_check_character(org_body)
    return first17 + uscc_check_character(first17)
