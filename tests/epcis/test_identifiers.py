"""EPC URNs ↔ GS1 Digital Link, check digits, company-prefix lengths and qcity lot URNs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qcity.epcis._identifiers import (
    IdentifierError,
    check_identifier,
    digital_link_to_urn,
    gcp_length_for,
    gs1_check_digit,
    parse_qcity_lot,
    qcity_lot_urn,
    urn_to_digital_link,
)

# Worked examples from the GS1 Tag Data Standard / EPCIS 2.0 examples (GCP length 7).
EXAMPLES = [
    ("urn:epc:id:sgtin:4012345.011111.987", "https://id.gs1.org/01/04012345111118/21/987"),
    ("urn:epc:class:lgtin:4012345.012345.998877", "https://id.gs1.org/01/04012345123456/10/998877"),
    ("urn:epc:idpat:sgtin:4012345.011111.*", "https://id.gs1.org/01/04012345111118"),
    ("urn:epc:id:sscc:0614141.1234567890", "https://id.gs1.org/00/106141412345678908"),
    ("urn:epc:id:sgln:0614141.12345.400", "https://id.gs1.org/414/0614141123452/254/400"),
    ("urn:epc:id:sgln:4012345.00225.0", "https://id.gs1.org/414/4012345002256"),
    ("urn:epc:id:pgln:4012345.00225", "https://id.gs1.org/417/4012345002256"),
    ("urn:epc:id:grai:0614141.12345.400", "https://id.gs1.org/8003/00614141123452400"),
    ("urn:epc:id:giai:4000001.111", "https://id.gs1.org/8004/4000001111"),
    ("urn:epc:id:gdti:0614141.00001.1618034", "https://id.gs1.org/253/06141410000121618034"),
]


@pytest.mark.parametrize(("urn", "link"), EXAMPLES)
def test_urn_to_digital_link_and_back(urn: str, link: str) -> None:
    assert urn_to_digital_link(urn) == link
    assert digital_link_to_urn(link, gcp_length=7) == urn


def test_check_digit() -> None:
    assert gs1_check_digit("0401234511111") == "8"  # GTIN 04012345111118
    assert gs1_check_digit("690123412345") == "6"  # EAN-13 6901234123456


def test_wrong_check_digit_is_a_clear_error() -> None:
    with pytest.raises(IdentifierError, match="check digit 9, expected 8"):
        digital_link_to_urn("https://id.gs1.org/01/04012345111119/21/987")
    with pytest.raises(IdentifierError, match=r"AI \(414\)"):
        check_identifier("https://id.gs1.org/414/4012345002257")


def test_digital_link_with_custom_domain_path_and_query() -> None:
    link = "https://example.com/shop/01/04012345111118/21/987?linkType=all"
    assert digital_link_to_urn(link) == "urn:epc:id:sgtin:4012345.011111.987"


def test_company_prefix_length_table_and_default() -> None:
    """Packaged table (GS1 China 690/691: 7 digits, 692/693: 8); default 7 otherwise."""
    assert gcp_length_for("690123412345") == 7
    assert gcp_length_for("692123412345") == 8
    assert gcp_length_for("401234511111") == 7
    link = urn_to_digital_link("urn:epc:id:sgtin:69212345.01234.X1")
    assert digital_link_to_urn(link) == "urn:epc:id:sgtin:69212345.01234.X1"


def test_malformed_urns_are_refused() -> None:
    with pytest.raises(IdentifierError, match="13 digits"):
        urn_to_digital_link("urn:epc:id:sgtin:4012345.0111.987")
    with pytest.raises(IdentifierError, match="not an EPC URN"):
        urn_to_digital_link("urn:isbn:123")


def test_qcity_lot_with_chinese_batch() -> None:
    urn = qcity_lot_urn("91350100M000100Y43", "2024年3月第2批")
    assert urn == "urn:qcity:lot:91350100M000100Y43:2024%E5%B9%B43%E6%9C%88%E7%AC%AC2%E6%89%B9"
    assert parse_qcity_lot(urn) == ("91350100M000100Y43", "2024年3月第2批")
    check_identifier(urn)


def test_qcity_lot_checks_the_credit_code() -> None:
    with pytest.raises(IdentifierError, match="check character"):
        qcity_lot_urn("914403001922038217", "A1")
    with pytest.raises(IdentifierError, match="percent-encoded"):
        parse_qcity_lot("urn:qcity:lot:91350100M000100Y43:批次")


_SERIAL = st.text(
    alphabet="ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789-._",
    min_size=1,
    max_size=20,
)


@st.composite
def _prefix_and_ref(draw: st.DrawFn, total: int) -> tuple[str, str]:
    cp_len = draw(st.integers(6, 12 if total > 12 else 11))
    cp = draw(st.from_regex(rf"\A[1-9][0-9]{{{cp_len - 1}}}\Z"))
    ref = draw(st.from_regex(rf"\A[0-9]{{{total - cp_len}}}\Z"))
    return cp, ref


@given(_prefix_and_ref(13), _SERIAL)
def test_sgtin_round_trip(parts: tuple[str, str], serial: str) -> None:
    cp, ref = parts
    urn = f"urn:epc:id:sgtin:{cp}.{ref}.{serial}"
    assert digital_link_to_urn(urn_to_digital_link(urn), gcp_length=len(cp)) == urn


@given(_prefix_and_ref(13), _SERIAL)
def test_lgtin_round_trip(parts: tuple[str, str], lot: str) -> None:
    cp, ref = parts
    urn = f"urn:epc:class:lgtin:{cp}.{ref}.{lot}"
    assert digital_link_to_urn(urn_to_digital_link(urn), gcp_length=len(cp)) == urn


@given(_prefix_and_ref(17))
def test_sscc_round_trip(parts: tuple[str, str]) -> None:
    cp, ref = parts
    urn = f"urn:epc:id:sscc:{cp}.{ref}"
    assert digital_link_to_urn(urn_to_digital_link(urn), gcp_length=len(cp)) == urn


@given(_prefix_and_ref(12), st.sampled_from(["0", "1", "400", "A7"]))
def test_sgln_and_pgln_round_trip(parts: tuple[str, str], extension: str) -> None:
    cp, ref = parts
    for urn in (f"urn:epc:id:sgln:{cp}.{ref}.{extension}", f"urn:epc:id:pgln:{cp}.{ref}"):
        assert digital_link_to_urn(urn_to_digital_link(urn), gcp_length=len(cp)) == urn


@given(_prefix_and_ref(12), _SERIAL)
def test_grai_round_trip(parts: tuple[str, str], serial: str) -> None:
    cp, ref = parts
    urn = f"urn:epc:id:grai:{cp}.{ref}.{serial}"
    assert digital_link_to_urn(urn_to_digital_link(urn), gcp_length=len(cp)) == urn


@given(st.integers(6, 12), _SERIAL)
def test_giai_round_trip(cp_len: int, asset: str) -> None:
    cp = "9" * cp_len
    urn = f"urn:epc:id:giai:{cp}.{asset}"
    assert digital_link_to_urn(urn_to_digital_link(urn), gcp_length=cp_len) == urn
