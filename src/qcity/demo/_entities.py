"""Vectorised generation of demo market entities with valid credit codes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from qcity.demo import _profiles as p
from qcity.registry.uscc import ORG_CODE_WEIGHTS, USCC_CHARSET, USCC_WEIGHTS

ENTITY_COLUMNS = (
    "uscc", "name", "town_code", "industry_code", "address", "size_class",
    "registered_on", "status", "legal_representative",
)  # fmt: skip
SIZE_CLASSES = ("large", "medium", "small", "micro")
STATUSES = tuple(p.STATUS_SHARE)
LAST_REGISTRATION = np.datetime64("2026-10-31")
NEW_CODE_FROM = np.datetime64("2016-01-01")  # after the reform, organisation codes start "MA"

_CHARSET = np.array([ord(c) for c in USCC_CHARSET], dtype=np.uint32)
_VALUE_OF = np.full(128, -1, dtype=np.int64)
_VALUE_OF[_CHARSET] = np.arange(31)
_NEW_SPACE = 31**6  # "MA" + six characters
_OLD_SPACE = 10**8  # eight digits
_NEW_MULTIPLIER = 610_351_813  # coprime with 31**6: serial → code is a bijection
_OLD_MULTIPLIER = 48_271_211  # coprime with 10**8


@dataclass(frozen=True)
class Town:
    code: str
    name: str  # zh-Hans, as used in addresses and names


def _gb11714_values(chars: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
    values = chars.astype(np.int64) - ord("0")
    letters = chars >= ord("A")
    values[letters] = chars[letters].astype(np.int64) - ord("A") + 10
    return values


def credit_codes(
    serials: npt.NDArray[np.int64],
    category: npt.NDArray[np.str_],
    new_style: npt.NDArray[np.bool_],
    division: str,
) -> npt.NDArray[np.str_]:
    """Distinct valid codes for distinct ``serials`` (below 10**8 and 31**6)."""
    n = len(serials)
    chars = np.empty((n, 18), dtype=np.uint32)
    chars[:, 0] = ord("9")
    chars[:, 1] = np.frombuffer("".join(category).encode("utf-32-le"), dtype=np.uint32)
    chars[:, 2:8] = [ord(c) for c in division]
    new = (serials * _NEW_MULTIPLIER + 123_456_789) % _NEW_SPACE
    old = (serials * _OLD_MULTIPLIER + 10_000_000) % _OLD_SPACE
    powers31 = 31 ** np.arange(5, -1, -1)
    powers10 = 10 ** np.arange(7, -1, -1)
    new_body = _CHARSET[(new[:, None] // powers31) % 31]
    old_body = (old[:, None] // powers10) % 10 + ord("0")
    chars[:, 8:16] = np.where(new_style[:, None], 0, old_body)
    chars[new_style, 8] = ord("M")
    chars[new_style, 9] = ord("A")
    chars[new_style, 10:16] = new_body[new_style]
    org_sum = (_gb11714_values(chars[:, 8:16]) * np.array(ORG_CODE_WEIGHTS)).sum(axis=1)
    org_check = 11 - org_sum % 11
    chars[:, 16] = np.where(
        org_check == 10, ord("X"), np.where(org_check == 11, 48, org_check + 48)
    )
    uscc_sum = (_VALUE_OF[chars[:, :17]] * np.array(USCC_WEIGHTS)).sum(axis=1)
    chars[:, 17] = _CHARSET[(31 - uscc_sum % 31) % 31]
    return np.ascontiguousarray(chars).view("<U18").ravel()


def _choose(rng: np.random.Generator, cdf: npt.NDArray[np.float64], n: int) -> npt.NDArray[np.intp]:
    """Draw one category per row from per-row cumulative distributions ``cdf`` (n x k)."""
    u = rng.random(n)[:, None]
    indices: npt.NDArray[np.intp] = np.minimum((u > cdf).sum(axis=1), cdf.shape[1] - 1)
    return indices


def _draw(
    rng: np.random.Generator, weights: npt.NDArray[np.float64], n: int
) -> npt.NDArray[np.intp]:
    """Draw ``n`` indices from one discrete distribution with the given (unnormalised) weights."""
    indices: npt.NDArray[np.intp] = np.searchsorted(_cdf(weights), rng.random(n), side="right")
    return indices


def _cdf(weights: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    cdf = np.cumsum(weights, axis=-1)
    return cdf / cdf[..., -1:]


def town_weights(towns: Sequence[Town]) -> npt.NDArray[np.float64]:
    return np.array([p.TOWN_WEIGHT.get(t.code, p.DEFAULT_TOWN_WEIGHT) for t in towns])


def _section_cdf(towns: Sequence[Town]) -> tuple[list[str], npt.NDArray[np.float64]]:
    sections = list(p.SECTION_SHARE)
    base = np.array([p.SECTION_SHARE[s] for s in sections])
    weights = np.tile(base, (len(towns), 1))
    c = sections.index("C")
    weights[:, c] *= [p.MANUFACTURING_FACTOR.get(t.code, 1.0) for t in towns]
    return sections, _cdf(weights)


def _division_cdf(towns: Sequence[Town]) -> tuple[list[str], npt.NDArray[np.float64]]:
    divisions = list(p.DIVISION_SHARE)
    weights = np.tile([p.DIVISION_SHARE[d] for d in divisions], (len(towns), 1))
    for i, town in enumerate(towns):
        for division, factor in p.CLUSTERS.get(town.code, {}).items():
            weights[i, divisions.index(division)] *= factor
    return divisions, _cdf(weights)


def generate_entities(
    rng: np.random.Generator, towns: Sequence[Town], first_serial: int, n: int, division: str
) -> list[tuple[str, ...]]:
    """``n`` entity rows (``ENTITY_COLUMNS`` order) for serial numbers from ``first_serial``."""
    town_idx = _draw(rng, town_weights(towns), n)
    sections, section_cdf = _section_cdf(towns)
    section_idx = _choose(rng, section_cdf[town_idx], n)
    section = np.array(sections)[section_idx]
    divisions, division_cdf = _division_cdf(towns)
    division_code = np.array(divisions)[_choose(rng, division_cdf[town_idx], n)]
    industry = np.where(section == "C", division_code, section)

    individual_p = np.array(
        [p.INDIVIDUAL_SHARE.get(s, p.DEFAULT_INDIVIDUAL_SHARE) for s in sections]
    )
    is_individual = rng.random(n) < individual_p[section_idx]
    category = np.where(is_individual, "2", "1")
    cooperative = (
        (section == "A") & ~is_individual & (rng.random(n) < p.COOPERATIVE_SHARE_IN_AGRICULTURE)
    )
    category[cooperative] = "3"

    size = _sizes(rng, n, section == "C", is_individual)
    age_days = np.minimum(rng.exponential(7.5 * 365.25, n), 36 * 365.25).astype("timedelta64[D]")
    registered = LAST_REGISTRATION - age_days
    status = np.array(STATUSES)[_draw(rng, np.array(list(p.STATUS_SHARE.values())), n)]

    serials = np.arange(first_serial, first_serial + n, dtype=np.int64)
    codes = credit_codes(serials, category, registered >= NEW_CODE_FROM, division)
    names = _names(rng, towns, town_idx, industry, is_individual, category == "3")
    addresses = _addresses(rng, towns, town_idx)
    people = _people(rng, n)
    town_codes = np.array([t.code for t in towns])[town_idx]
    return list(
        zip(
            codes.tolist(), names, town_codes.tolist(), industry.tolist(), addresses,
            size.tolist(), registered.astype(str).tolist(), status.tolist(), people,
            strict=True,
        )
    )  # fmt: skip


def _sizes(
    rng: np.random.Generator,
    n: int,
    manufacturing: npt.NDArray[np.bool_],
    individual: npt.NDArray[np.bool_],
) -> npt.NDArray[np.str_]:
    cdf_m = _cdf(np.array([p.SIZE_SHARE_MANUFACTURING[s] for s in SIZE_CLASSES]))
    cdf_o = _cdf(np.array([p.SIZE_SHARE_OTHER[s] for s in SIZE_CLASSES]))
    cdf = np.where(manufacturing[:, None], cdf_m, cdf_o)
    size = np.array(SIZE_CLASSES)[_choose(rng, cdf, n)]
    size[individual] = "micro"
    return size


def _names(
    rng: np.random.Generator,
    towns: Sequence[Town],
    town_idx: npt.NDArray[np.intp],
    industry: npt.NDArray[np.str_],
    individual: npt.NDArray[np.bool_],
    cooperative: npt.NDArray[np.bool_],
) -> list[str]:
    n = len(town_idx)
    chars = np.array(list(p.TRADE_NAME_CHARS))
    trade = np.char.add(
        chars[rng.integers(0, len(chars), n)], chars[rng.integers(0, len(chars), n)]
    )
    pick = rng.integers(0, 1 << 30, n)
    short = [t.name.removesuffix("街道").removesuffix("镇") for t in towns]
    suffix = p.INDIVIDUAL_SUFFIX
    names = []
    for i, (tn, ind, ind_flag, coop, k) in enumerate(
        zip(town_idx.tolist(), industry.tolist(), individual.tolist(), cooperative.tolist(),
            pick.tolist(), strict=True)
    ):  # fmt: skip
        words = p.TRADE_WORDS.get(ind, ("实业",))
        word = words[k % len(words)]
        if ind_flag:
            names.append(f"东莞市{short[tn]}{trade[i]}{word}{suffix[k % len(suffix)]}")
        elif coop:
            names.append(f"东莞市{short[tn]}{trade[i]}{word}专业合作社")
        else:
            names.append(f"东莞市{trade[i]}{word}有限公司")
    return names


def _addresses(
    rng: np.random.Generator, towns: Sequence[Town], town_idx: npt.NDArray[np.intp]
) -> list[str]:
    n = len(town_idx)
    road = np.array(p.ROADS)[rng.integers(0, len(p.ROADS), n)].tolist()
    number = rng.integers(1, 400, n).tolist()
    names = [t.name for t in towns]
    return [
        f"广东省东莞市{names[t]}{r}{k}号"
        for t, r, k in zip(town_idx.tolist(), road, number, strict=True)
    ]


def _people(rng: np.random.Generator, n: int) -> list[str]:
    surnames = np.array(list(p.SURNAMES))[rng.integers(0, len(p.SURNAMES), n)]
    given = np.array(list(p.GIVEN_NAME_CHARS))
    first = given[rng.integers(0, len(given), n)]
    second = np.where(rng.random(n) < 0.7, given[rng.integers(0, len(given), n)], "")
    names: list[str] = np.char.add(np.char.add(surnames, first), second).tolist()
    return names
