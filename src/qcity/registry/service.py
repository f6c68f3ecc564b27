"""Registry logic: loading org units and industries, and the per-town overview. Never commits."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from sqlalchemy.orm import Session

from qcity.errors import InputError
from qcity.registry import repository
from qcity.registry.models import Industry, IndustryLevel, OrgUnit, OrgUnitLevel
from qcity.registry.uscc import UsccVerdict, validate_uscc

TOWN_KINDS = ("subdistrict", "town", "zone")
TOWN_COLUMNS = ("code", "name_zh_hans", "name_zh_hant", "name_en", "kind")
INDUSTRY_COLUMNS = ("code", "level", "parent_code", "name_zh_hans", "name_zh_hant", "name_en")
_DIVISION_CODE = re.compile(r"^\d{12}$")


def packaged_file(name: str) -> Path:
    """A reference file shipped inside ``qcity/registry/data``."""
    return Path(str(resources.files("qcity.registry") / "data" / name))


@dataclass(frozen=True)
class CityName:
    zh_hans: str
    zh_hant: str
    en: str


DONGGUAN = CityName("东莞市", "東莞市", "Dongguan")


def _read_csv(path: Path, columns: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a UTF-8 CSV with their 1-based line numbers; missing columns are an error."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
        return [
            (reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}) for row in reader
        ]


def _raise_if_any(path: Path, problems: list[str]) -> None:
    if problems:
        shown = "; ".join(problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise InputError(f"{path}: {shown}{more}")


def read_towns(path: Path) -> list[OrgUnit]:
    """Parse a towns file (code, names, kind); every town must belong to the same city."""
    problems: list[str] = []
    units: list[OrgUnit] = []
    seen: set[str] = set()
    for line, row in _read_csv(path, TOWN_COLUMNS):
        code = row["code"]
        if not _DIVISION_CODE.match(code):
            problems.append(f"row {line}, field code: {code!r} is not a 12-digit division code")
        elif code in seen:
            problems.append(f"row {line}, field code: {code} appears twice")
        if row["kind"] not in TOWN_KINDS:
            problems.append(
                f"row {line}, field kind: {row['kind']!r} is not one of {', '.join(TOWN_KINDS)}"
            )
        problems += [
            f"row {line}, field {name}: empty"
            for name in ("name_zh_hans", "name_zh_hant", "name_en")
            if not row[name]
        ]
        seen.add(code)
        units.append(
            OrgUnit(
                code=code,
                level=OrgUnitLevel.TOWN,
                kind=row["kind"],
                name_zh_hans=row["name_zh_hans"],
                name_zh_hant=row["name_zh_hant"],
                name_en=row["name_en"],
            )
        )
    prefixes = {u.code[:6] for u in units if _DIVISION_CODE.match(u.code)}
    if len(prefixes) > 1:
        problems.append(f"towns belong to several cities ({', '.join(sorted(prefixes))})")
    if not units:
        problems.append("no towns")
    _raise_if_any(path, problems)
    return units


def load_towns(session: Session, path: Path, city: CityName) -> int:
    """Load the org-unit tree city → towns from ``path``; returns the number of towns."""
    towns = read_towns(path)
    city_code = towns[0].code[:6] + "000000"
    city_unit = OrgUnit(
        code=city_code,
        level=OrgUnitLevel.CITY,
        kind="city",
        name_zh_hans=city.zh_hans,
        name_zh_hant=city.zh_hant,
        name_en=city.en,
    )
    for town in towns:
        town.parent_code = city_code
    repository.save_org_units(session, [city_unit, *towns])
    return len(towns)


def read_industries(path: Path) -> list[Industry]:
    """Parse a GB/T 4754 file of sections (letters) and divisions (two digits)."""
    problems: list[str] = []
    rows = _read_csv(path, INDUSTRY_COLUMNS)
    sections = {row["code"] for _, row in rows if row["level"] == IndustryLevel.SECTION}
    industries: list[Industry] = []
    for line, row in rows:
        level, code, parent = row["level"], row["code"], row["parent_code"] or None
        if level == IndustryLevel.SECTION and not re.fullmatch(r"[A-T]", code):
            problems.append(f"row {line}, field code: section {code!r} is not a letter A-T")
        elif level == IndustryLevel.DIVISION and not re.fullmatch(r"\d{2}", code):
            problems.append(f"row {line}, field code: division {code!r} is not two digits")
        elif level not in (IndustryLevel.SECTION, IndustryLevel.DIVISION):
            problems.append(f"row {line}, field level: {level!r} is not section or division")
        if level == IndustryLevel.DIVISION and parent not in sections:
            problems.append(f"row {line}, field parent_code: {parent!r} is not a section")
        industries.append(
            Industry(
                code=code,
                level=level,
                parent_code=parent,
                name_zh_hans=row["name_zh_hans"],
                name_zh_hant=row["name_zh_hant"],
                name_en=row["name_en"],
            )
        )
    _raise_if_any(path, problems)
    return industries


def load_industries(session: Session, path: Path | None = None) -> int:
    """Load GB/T 4754-2017 sections and divisions (the packaged file by default)."""
    industries = read_industries(path or packaged_file("gbt4754_2017.csv"))
    repository.save_industries(session, industries)
    return len(industries)


def check_credit_codes(codes: Sequence[str]) -> list[UsccVerdict]:
    """A verdict per code (surrounding whitespace ignored)."""
    return [validate_uscc(code.strip()) for code in codes]


@dataclass
class TownRow:
    """One town of the overview: total entities, counts per section and top manufacturing."""

    town: OrgUnit
    total: int = 0
    by_section: dict[str, int] = field(default_factory=dict)
    by_division: dict[str, int] = field(default_factory=dict)

    def top_divisions(self, n: int = 3) -> list[tuple[str, int]]:
        return sorted(self.by_division.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


@dataclass
class TownOverview:
    city: OrgUnit | None
    towns: list[TownRow]
    industries: dict[str, Industry]
    sections_present: list[str]

    @property
    def total(self) -> int:
        return sum(row.total for row in self.towns)


def town_overview(session: Session) -> TownOverview:
    """Entity counts by town and industry (section, and division within manufacturing)."""
    industries = {i.code: i for i in repository.industries(session)}
    rows = {t.code: TownRow(t) for t in repository.towns(session)}
    for town_code, industry_code, count in repository.counts_by_town_and_industry(session):
        row = rows.get(town_code)
        industry = industries.get(industry_code)
        if row is None or industry is None:
            continue
        row.total += count
        section = industry.parent_code or industry.code
        row.by_section[section] = row.by_section.get(section, 0) + count
        if industry.level == IndustryLevel.DIVISION:
            row.by_division[industry.code] = row.by_division.get(industry.code, 0) + count
    section_totals: dict[str, int] = defaultdict(int)
    for row in rows.values():
        for section, count in row.by_section.items():
            section_totals[section] += count
    present = sorted(section_totals, key=lambda s: (-section_totals[s], s))
    return TownOverview(repository.city(session), list(rows.values()), industries, present)
