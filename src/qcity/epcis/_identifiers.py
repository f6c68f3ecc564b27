"""EPC URNs ↔ GS1 Digital Link URIs, GS1 check digits, and qcity's lot URNs for Chinese batches.

Supported EPC schemes (GS1 Tag Data Standard 2.x) and their Digital Link keys:

============  ==========================================  ==============================
scheme        EPC URN                                     Digital Link path
============  ==========================================  ==============================
sgtin         urn:epc:id:sgtin:CP.IIR.SERIAL              /01/{GTIN-14}/21/{serial}
lgtin         urn:epc:class:lgtin:CP.IIR.LOT              /01/{GTIN-14}/10/{lot}
sgtin idpat   urn:epc:idpat:sgtin:CP.IIR.*                /01/{GTIN-14}
sscc          urn:epc:id:sscc:CP.SERIALREF                /00/{SSCC-18}
sgln          urn:epc:id:sgln:CP.LOCREF.EXT               /414/{GLN}[/254/{ext}]
pgln          urn:epc:id:pgln:CP.PARTYREF                 /417/{GLN}
grai          urn:epc:id:grai:CP.ASSETTYPE.SERIAL         /8003/0{GRAI-13}{serial}
giai          urn:epc:id:giai:CP.ASSETREF                 /8004/{CP}{assetref}
gdti          urn:epc:id:gdti:CP.DOCTYPE.SERIAL           /253/{GDTI-13}{serial}
sgcn          urn:epc:id:sgcn:CP.COUPONREF.SERIAL         /255/{GCN-13}{serial}
gsrn          urn:epc:id:gsrn:CP.SERVICEREF               /8018/{GSRN-18}
gsrnp         urn:epc:id:gsrnp:CP.SERVICEREF              /8017/{GSRN-18}
ginc          urn:epc:id:ginc:CP.CONSIGNMENTREF           /401/{CP}{ref}
gsin          urn:epc:id:gsin:CP.SHIPPERREF               /402/{GSIN-17}
cpi           urn:epc:id:cpi:CP.CPREF.SERIAL              /8010/{CP}{ref}/8011/{serial}
============  ==========================================  ==============================

Digital Link → URN needs the GS1 Company Prefix (CP) length, which the key itself does not carry.
Pass ``gcp_length``; otherwise :func:`gcp_length_for` looks the key up in the small packaged table
``data/gcp_lengths.csv`` (longest matching prefix wins) and falls back to
:data:`DEFAULT_GCP_LENGTH` (7, the most common length, and GS1 China's for prefixes 690/691).

Non-GS1 Chinese batch codes are lots scoped by the producer's unified social credit code:
``urn:qcity:lot:<USCC>:<percent-encoded batch>`` (see docs/traceability.md).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from qcity.errors import InputError
from qcity.registry.uscc import validate_uscc

DL_DOMAIN = "https://id.gs1.org"
DEFAULT_GCP_LENGTH = 7
_DATA = Path(__file__).parent / "data"


class IdentifierError(InputError):
    """An identifier is malformed (bad syntax, wrong check digit, unknown scheme)."""


# ---------------------------------------------------------------------------- check digits


@lru_cache(maxsize=1 << 16)
def gs1_check_digit(digits: str) -> str:
    """The GS1 mod-10 check digit for ``digits`` (the key without its check digit).

    >>> gs1_check_digit("0401234511111")
    '8'
    """
    odd = sum(map(int, digits[-1::-2]))
    even = sum(map(int, digits[-2::-2]))
    return str((10 - (3 * odd + even) % 10) % 10)


def _check(key: str, name: str) -> None:
    if not key.isdigit():
        raise IdentifierError(f"{name} {key!r} must be digits only")
    expected = gs1_check_digit(key[:-1])
    if key[-1] != expected:
        raise IdentifierError(
            f"{name} {key} has check digit {key[-1]}, expected {expected} (GS1 mod-10)"
        )


# ------------------------------------------------------------------------- URN → DL

_URN = re.compile(r"^urn:epc:(id|class|idpat):([a-z0-9]+):(.+)$")
# GS1 AI 82 character set (what serials, lots and asset references may contain)
_AI82 = re.compile(r"^[!%-?A-Z_a-z\"&'()*+,\-./:;<=>]*$")


def _digits(value: str, what: str, urn: str) -> str:
    if not value.isdigit():
        raise IdentifierError(f"{urn}: {what} {value!r} must be digits only")
    return value


def _parts(urn: str, fields: str, count: int) -> list[str]:
    parts = fields.split(".", count - 1)  # the last field (serial, lot…) may hold dots
    if len(parts) != count:
        raise IdentifierError(f"{urn}: expected {count} dot-separated fields, found {len(parts)}")
    return parts


_PLAIN = re.compile(r"^[A-Za-z0-9\-._]*$")


def _escape_dl(value: str) -> str:
    """A URN serial/lot (TDS escapes) as a Digital Link path segment (RFC 3986 percent-encoding)."""
    if _PLAIN.match(value):
        return value
    return quote(unquote(value), safe="!$'()*+,-.:;=@_")


def _escape_urn(value: str) -> str:
    """A Digital Link segment as an EPC URN component (TDS: escape " % & / < > ? and #)."""
    raw = unquote(value)
    return "".join(f"%{ord(c):02X}" if c in '"%&/<>?#' else c for c in raw)


@lru_cache(maxsize=1 << 17)
def urn_to_digital_link(urn: str, domain: str = DL_DOMAIN) -> str:
    """Convert an EPC URN (instance, LGTIN class or SGTIN pattern) to a GS1 Digital Link URI.

    >>> urn_to_digital_link("urn:epc:id:sgtin:4012345.011111.987")
    'https://id.gs1.org/01/04012345111118/21/987'
    """
    match = _URN.match(urn)
    if not match:
        raise IdentifierError(f"{urn!r} is not an EPC URN (urn:epc:id:…, urn:epc:class:…)")
    kind, scheme, fields = match.groups()
    path = _urn_path(urn, kind, scheme, fields)
    return domain.rstrip("/") + path


def _gtin(urn: str, cp: str, iir: str) -> str:
    _digits(cp, "company prefix", urn)
    _digits(iir, "indicator and item reference", urn)
    if len(cp) + len(iir) != 13 or not 6 <= len(cp) <= 12:
        raise IdentifierError(
            f"{urn}: company prefix + indicator/item reference must be 13 digits "
            f"(company prefix 6-12), found {len(cp)}+{len(iir)}"
        )
    body = iir[0] + cp + iir[1:]
    return body + gs1_check_digit(body)


def _key13(urn: str, cp: str, ref: str, what: str) -> str:
    _digits(cp, "company prefix", urn)
    _digits(ref, what, urn)
    if len(cp) + len(ref) != 12 or not 6 <= len(cp) <= 12:
        raise IdentifierError(
            f"{urn}: company prefix + {what} must be 12 digits, found {len(cp)}+{len(ref)}"
        )
    return cp + ref + gs1_check_digit(cp + ref)


def _urn_path(urn: str, kind: str, scheme: str, fields: str) -> str:
    if kind == "class":
        if scheme != "lgtin":
            raise IdentifierError(f"{urn}: unknown EPC class scheme {scheme!r} (lgtin)")
        cp, iir, lot = _parts(urn, fields, 3)
        return f"/01/{_gtin(urn, cp, iir)}/10/{_escape_dl(lot)}"
    if kind == "idpat":
        parts = fields.split(".")
        if scheme == "sgtin" and len(parts) == 3 and parts[2] == "*" and "*" not in parts[:2]:
            return f"/01/{_gtin(urn, parts[0], parts[1])}"
        raise IdentifierError(f"{urn}: only urn:epc:idpat:sgtin:CP.IIR.* has a Digital Link form")
    if scheme == "sgtin":
        cp, iir, serial = _parts(urn, fields, 3)
        return f"/01/{_gtin(urn, cp, iir)}/21/{_escape_dl(serial)}"
    if scheme == "sscc":
        cp, ref = _parts(urn, fields, 2)
        _digits(cp, "company prefix", urn)
        _digits(ref, "serial reference", urn)
        if len(cp) + len(ref) != 17:
            raise IdentifierError(f"{urn}: company prefix + serial reference must be 17 digits")
        body = ref[0] + cp + ref[1:]
        return f"/00/{body}{gs1_check_digit(body)}"
    if scheme == "sgln":
        cp, loc, ext = _parts(urn, fields, 3)
        gln = _key13(urn, cp, loc, "location reference")
        return f"/414/{gln}" + ("" if ext == "0" else f"/254/{_escape_dl(ext)}")
    if scheme == "pgln":
        cp, party = _parts(urn, fields, 2)
        return f"/417/{_key13(urn, cp, party, 'party reference')}"
    if scheme in ("grai", "gdti", "sgcn"):
        cp, ref, serial = _parts(urn, fields, 3)
        key = _key13(urn, cp, ref, "asset type" if scheme == "grai" else "document type")
        if scheme == "grai":
            return f"/8003/0{key}{_escape_dl(serial)}"
        if scheme == "sgcn":
            return f"/255/{key}{_digits(serial, 'serial', urn)}"
        return f"/253/{key}{_escape_dl(serial)}"
    if scheme in ("giai", "ginc"):
        cp, ref = _parts(urn, fields, 2)
        _digits(cp, "company prefix", urn)
        return f"/{'8004' if scheme == 'giai' else '401'}/{cp}{_escape_dl(ref)}"
    if scheme in ("gsrn", "gsrnp"):
        cp, ref = _parts(urn, fields, 2)
        _digits(cp + ref, "company prefix and service reference", urn)
        if len(cp) + len(ref) != 17:
            raise IdentifierError(f"{urn}: company prefix + service reference must be 17 digits")
        return f"/{'8018' if scheme == 'gsrn' else '8017'}/{cp}{ref}{gs1_check_digit(cp + ref)}"
    if scheme == "gsin":
        cp, ref = _parts(urn, fields, 2)
        _digits(cp + ref, "company prefix and shipper reference", urn)
        if len(cp) + len(ref) != 16:
            raise IdentifierError(f"{urn}: company prefix + shipper reference must be 16 digits")
        return f"/402/{cp}{ref}{gs1_check_digit(cp + ref)}"
    if scheme == "cpi":
        cp, ref, serial = _parts(urn, fields, 3)
        return f"/8010/{_digits(cp, 'company prefix', urn)}{_escape_dl(ref)}/8011/{serial}"
    raise IdentifierError(f"{urn}: EPC scheme {scheme!r} has no Digital Link conversion here")


# ------------------------------------------------------------------------- DL → URN

_ALIASES = {
    "gtin": "01",
    "sscc": "00",
    "gln": "414",
    "party": "417",
    "grai": "8003",
    "giai": "8004",
    "gdti": "253",
    "ser": "21",
    "lot": "10",
    "cpv": "22",
    "glnx": "254",
}
_PRIMARY = {"00", "01", "253", "255", "401", "402", "414", "417", "8003", "8004", "8006", "8010",
            "8017", "8018"}  # fmt: skip
_QUALIFIERS = {"01": ("22", "10", "21"), "414": ("254",), "8006": ("22", "10", "21"),
               "8010": ("8011",)}  # fmt: skip
_KEY_LENGTH = {"00": 18, "01": 14, "414": 13, "417": 13, "8018": 18, "8017": 18, "402": 17}


@dataclass(frozen=True, slots=True)
class DigitalLink:
    """A parsed GS1 Digital Link URI: the primary key and its qualifiers (AI → value)."""

    primary: str
    key: str
    qualifiers: tuple[tuple[str, str], ...]

    def qualifier(self, ai: str) -> str | None:
        return next((v for k, v in self.qualifiers if k == ai), None)

    def canonical(self) -> str:
        """The constrained canonical URI (id.gs1.org, no query, primary key + qualifiers)."""
        tail = "".join(f"/{ai}/{_escape_dl(v)}" for ai, v in self.qualifiers)
        return f"{DL_DOMAIN}/{self.primary}/{self.key}{tail}"


def parse_digital_link(uri: str, *, check_serialised: bool = True) -> DigitalLink:
    """Parse a GS1 Digital Link URI (any domain, optional path prefix, query string ignored).

    Check digits are verified for every key; ``check_serialised=False`` skips the keys that
    carry a serial after their check digit (GDTI 253, GCN 255, GRAI 8003).
    """
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise IdentifierError(f"{uri!r} is not a GS1 Digital Link URI (https://…/01/…)")
    segments = [s for s in parts.path.split("/") if s]
    segments = [_ALIASES.get(s, s) for s in segments]
    start = next(
        (
            i
            for i in range(len(segments) - 1)
            if segments[i] in _PRIMARY and (len(segments) - i) % 2 == 0
        ),
        None,
    )
    if start is None:
        raise IdentifierError(f"{uri!r} carries no GS1 primary key (/01/, /00/, /414/ …)")
    primary, key = segments[start], unquote(segments[start + 1])
    pairs = [(segments[i], unquote(segments[i + 1])) for i in range(start + 2, len(segments), 2)]
    allowed = _QUALIFIERS.get(primary, ())
    for ai, _ in pairs:
        if ai not in allowed:
            raise IdentifierError(f"{uri}: AI {ai} may not qualify AI {primary}")
    length = _KEY_LENGTH.get(primary)
    if length is not None:
        if primary == "01" and key.isdigit() and len(key) in (8, 12, 13):
            key = key.zfill(14)
        if len(key) != length or not key.isdigit():
            raise IdentifierError(f"{uri}: AI ({primary}) must be {length} digits, got {key!r}")
        _check(key, f"AI ({primary})")
    if check_serialised and primary in ("253", "255", "8003"):
        first = key[1:14] if primary == "8003" else key[:13]
        if len(first) == 13 and first.isdigit():
            _check(first, f"AI ({primary})")
        else:
            raise IdentifierError(f"{uri}: AI ({primary}) must start with a 13-digit key")
    order = {ai: i for i, ai in enumerate(allowed)}
    pairs.sort(key=lambda p: order[p[0]])
    return DigitalLink(primary, key, tuple(pairs))


def is_digital_link(value: str) -> bool:
    try:
        parse_digital_link(value)
    except IdentifierError:
        return False
    return True


@lru_cache(maxsize=1)
def _gcp_table() -> tuple[tuple[str, int], ...]:
    path = _DATA / "gcp_lengths.csv"
    with path.open(encoding="utf-8") as handle:
        rows = [(r["prefix"], int(r["gcp_length"])) for r in csv.DictReader(handle)]
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


_URN_PREFIX = re.compile(rb"urn:epc:(?:id|class|idpat):[a-z]+:(\d{6,12})\.")


def company_prefixes_in(data: bytes) -> frozenset[str]:
    """The GS1 company prefixes that EPC URNs in ``data`` spell out (their lengths are known)."""
    return frozenset(m.decode() for m in _URN_PREFIX.findall(data))


def gcp_length_for(digits: str, known: frozenset[str] = frozenset()) -> int:
    """The GS1 Company Prefix length for a key's digits (without GTIN indicator / SSCC extension).

    The longest of the ``known`` company prefixes (those written out in EPC URNs of the same
    document) that starts the key, else the longest matching prefix in ``data/gcp_lengths.csv``,
    else :data:`DEFAULT_GCP_LENGTH`.
    """
    matches = [len(p) for p in known if digits.startswith(p)]
    if matches:
        return max(matches)
    for prefix, length in _gcp_table():
        if digits.startswith(prefix):
            return length
    return DEFAULT_GCP_LENGTH


def digital_link_to_urn(
    uri: str, gcp_length: int | None = None, known: frozenset[str] = frozenset()
) -> str:
    """Convert a GS1 Digital Link URI to its EPC URN (class URN for /01/…/10/… and bare GTINs).

    >>> digital_link_to_urn("https://id.gs1.org/01/04012345111118/21/987")
    'urn:epc:id:sgtin:4012345.011111.987'
    """
    dl = parse_digital_link(uri)
    key = dl.key
    if dl.primary in ("01", "00"):
        body = key[1:-1]
    elif dl.primary == "8003":
        body = key[1:13]
    else:
        body = key
    cp_len = gcp_length if gcp_length is not None else gcp_length_for(body, known)
    if not 6 <= cp_len <= 12:
        raise IdentifierError(f"GS1 company prefix length {cp_len} is outside 6-12")
    if dl.primary == "01":
        cp, iir = body[:cp_len], key[0] + body[cp_len:]
        serial, lot = dl.qualifier("21"), dl.qualifier("10")
        if serial is not None:
            return f"urn:epc:id:sgtin:{cp}.{iir}.{_escape_urn(serial)}"
        if lot is not None:
            return f"urn:epc:class:lgtin:{cp}.{iir}.{_escape_urn(lot)}"
        return f"urn:epc:idpat:sgtin:{cp}.{iir}.*"
    if dl.primary == "00":
        return f"urn:epc:id:sscc:{body[:cp_len]}.{key[0]}{body[cp_len:]}"
    if dl.primary in ("414", "417"):
        cp, ref = key[:cp_len], key[cp_len:12]
        if dl.primary == "417":
            return f"urn:epc:id:pgln:{cp}.{ref}"
        return f"urn:epc:id:sgln:{cp}.{ref}.{_escape_urn(dl.qualifier('254') or '0')}"
    if dl.primary == "8003":
        cp, ref, serial = key[1 : 1 + cp_len], key[1 + cp_len : 13], key[14:]
        return f"urn:epc:id:grai:{cp}.{ref}.{_escape_urn(serial)}"
    if dl.primary in ("253", "255"):
        cp, ref, serial = key[:cp_len], key[cp_len:12], key[13:]
        scheme = "gdti" if dl.primary == "253" else "sgcn"
        return f"urn:epc:id:{scheme}:{cp}.{ref}.{_escape_urn(serial)}"
    if dl.primary in ("8004", "401"):
        scheme = "giai" if dl.primary == "8004" else "ginc"
        return f"urn:epc:id:{scheme}:{key[:cp_len]}.{_escape_urn(key[cp_len:])}"
    if dl.primary in ("8018", "8017", "402"):
        scheme = {"8018": "gsrn", "8017": "gsrnp", "402": "gsin"}[dl.primary]
        return f"urn:epc:id:{scheme}:{key[:cp_len]}.{key[cp_len:-1]}"
    if dl.primary == "8010":
        serial = dl.qualifier("8011")
        if serial is None:
            raise IdentifierError(f"{uri}: a CPI needs its serial (/8011/) to be an EPC")
        return f"urn:epc:id:cpi:{key[:cp_len]}.{_escape_urn(key[cp_len:])}.{serial}"
    raise IdentifierError(f"{uri}: AI ({dl.primary}) has no EPC URN form here")


# ------------------------------------------------------------------- qcity lot URNs

QCITY_LOT_PREFIX = "urn:qcity:lot:"


def qcity_lot_urn(uscc: str, batch: str) -> str:
    """The lot URN for a producer's own (non-GS1) batch code, e.g. ``2024年3月批``.

    >>> qcity_lot_urn("91350100M000100Y43", "A1")
    'urn:qcity:lot:91350100M000100Y43:A1'
    """
    verdict = validate_uscc(uscc)
    if not verdict.valid:
        raise IdentifierError(f"lot producer: {verdict}")
    if not batch.strip():
        raise IdentifierError("lot batch code is empty")
    return f"{QCITY_LOT_PREFIX}{uscc}:{quote(batch.strip(), safe='-._~')}"


def parse_qcity_lot(urn: str) -> tuple[str, str]:
    """``(uscc, batch)`` of a ``urn:qcity:lot:`` URN, checking the credit code."""
    if not urn.startswith(QCITY_LOT_PREFIX):
        raise IdentifierError(f"{urn!r} is not a qcity lot URN ({QCITY_LOT_PREFIX}<USCC>:<batch>)")
    rest = urn[len(QCITY_LOT_PREFIX) :]
    uscc, sep, batch = rest.partition(":")
    if not sep or not batch:
        raise IdentifierError(f"{urn}: expected {QCITY_LOT_PREFIX}<USCC>:<batch>")
    verdict = validate_uscc(uscc)
    if not verdict.valid:
        raise IdentifierError(f"{urn}: {verdict}")
    if re.search(r"%(?![0-9A-Fa-f]{2})", batch):
        raise IdentifierError(f"{urn}: batch {batch!r} has a malformed percent-escape")
    if any(ord(c) > 126 or c in " /?#" for c in batch):
        raise IdentifierError(f"{urn}: batch must be percent-encoded (UTF-8), got {batch!r}")
    return uscc, unquote(batch)


# -------------------------------------------------------------- validation and normalisation


_CONVERTIBLE = frozenset(
    [
        "sgtin",
        "sscc",
        "sgln",
        "pgln",
        "grai",
        "giai",
        "gdti",
        "sgcn",
        "gsrn",
        "gsrnp",
        "ginc",
        "gsin",
        "cpi",
    ]
)


@lru_cache(maxsize=1 << 17)
def check_identifier(value: str) -> None:
    """Raise :class:`IdentifierError` when an EPC URN, Digital Link or qcity lot is malformed.

    At capture, check digits are verified on the fixed-length keys (GTIN, SSCC, GLN, GSRN, GSIN);
    keys with a serial after the check digit (GRAI, GDTI, GCN) are checked for syntax only, as
    real feeds carry them unverified. EPC schemes not converted here (itip, upui…) are checked
    for URN syntax. Other absolute URIs (private schemes) are accepted as they are.
    """
    match = _URN.match(value)
    if match and match.group(1) == "id" and match.group(2) not in _CONVERTIBLE:
        return
    if value.startswith("urn:epc:id:") or value.startswith("urn:epc:class:"):
        urn_to_digital_link(value)
    elif value.startswith("urn:epc:idpat:"):
        if not re.match(r"^urn:epc:idpat:[a-z0-9]+:[^\s]+$", value):
            raise IdentifierError(f"{value!r} is not an EPC pattern URN")
    elif value.startswith(QCITY_LOT_PREFIX):
        parse_qcity_lot(value)
    elif _looks_like_digital_link(value):
        parse_digital_link(value, check_serialised=False)


_DL_HINT = re.compile(
    r"^https?://[^/]+(/[^?#]*)?/(01|00|414|417|8003|8004|253|255|401|402|8006|8010|8017|8018|gtin|sscc)/\d"
)


def _looks_like_digital_link(value: str) -> bool:
    return bool(_DL_HINT.match(value))


@lru_cache(maxsize=1 << 17)
def to_storage_identifier(
    value: str, gcp_length: int | None = None, known: frozenset[str] = frozenset()
) -> str:
    """The form stored in ``epcis_event_object.identifier``: a Digital Link becomes its EPC URN.

    Identifiers of no GS1 key (and Digital Links without an EPC form) are kept as given.
    """
    if value.startswith("urn:"):
        return value
    if _looks_like_digital_link(value):
        try:
            return digital_link_to_urn(value, gcp_length, known)
        except IdentifierError:
            return value
    return value


@lru_cache(maxsize=1 << 17)
def canonical_digital_link(value: str) -> str | None:
    """The constrained canonical Digital Link for an EPC URN or Digital Link (CBV §8.9), or None."""
    if value.startswith(("urn:epc:id:", "urn:epc:class:", "urn:epc:idpat:")):
        try:
            return urn_to_digital_link(value)
        except IdentifierError:
            return None
    if _looks_like_digital_link(value):
        try:
            return parse_digital_link(value).canonical()
        except IdentifierError:
            return None
    return None


def pattern_to_like(pattern: str) -> tuple[str, bool]:
    """A MATCH_* pattern as an SQL LIKE pattern and whether it is exact (no wildcard).

    ``urn:epc:idpat:sgtin:4012345.011111.*`` → ``urn:epc:id:sgtin:4012345.011111.%`` (and the
    class form ``urn:epc:class:lgtin:4012345.011111.%`` is matched by :func:`pattern_variants`).
    A trailing ``*`` in any URI is a prefix match.
    """
    if "*" not in pattern:
        return pattern, True
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%"), False


def pattern_variants(pattern: str, gcp_length: int | None = None) -> list[str]:
    """The stored-identifier patterns a MATCH_* value stands for (DL → URN, idpat → id/class)."""
    value = pattern
    if not value.startswith("urn:") and _looks_like_digital_link(value):
        value = to_storage_identifier(value, gcp_length)
    variants = [value]
    match = re.match(r"^urn:epc:idpat:([a-z0-9]+):(.*)$", value)
    if match:
        scheme, fields = match.groups()
        variants = [f"urn:epc:id:{scheme}:{fields}"]
        if scheme == "sgtin":
            variants.append(f"urn:epc:class:lgtin:{fields}")
            variants.append(value)
    return variants
