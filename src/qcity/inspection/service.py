"""Inspection logic: categories, imports, periods, publishing. Never commits a caller's session.

``import_files`` is the one exception by design: an import commits every chunk (its own units
of work) so that a run killed midway keeps what it landed and a re-run completes it.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from qcity.errors import InputError
from qcity.inspection import repository
from qcity.inspection._import import CHUNK_SIZE, Importer, ImportSummary
from qcity.inspection.models import Domain, InspectionCategory
from qcity.registry import service as registry_service
from qcity.registry.models import Industry

CATEGORY_COLUMNS = (
    "code",
    "domain",
    "parent_code",
    "name_zh_hans",
    "name_zh_hant",
    "name_en",
    "industry_code",
    "aliases",
)
_CATEGORY_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,16}$")
DOMAINS = tuple(d.value for d in Domain)


def packaged_file(name: str) -> Path:
    """A reference file shipped inside ``qcity/inspection/data``."""
    return Path(str(resources.files("qcity.inspection") / "data" / name))


def read_categories(path: Path) -> list[InspectionCategory]:
    """Parse a categories file; every problem is named by row and field."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in CATEGORY_COLUMNS[:6] if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
        rows = [
            (reader.line_num, {k: (v or "").strip() for k, v in r.items() if k}) for r in reader
        ]
    problems: list[str] = []
    codes = [row["code"] for _, row in rows]
    categories: list[InspectionCategory] = []
    seen: set[str] = set()
    for line, row in rows:
        code = row["code"]
        if not _CATEGORY_CODE.match(code):
            problems.append(f"row {line}, field code: {code!r} is not 1-16 letters or digits")
        elif code in seen:
            problems.append(f"row {line}, field code: {code} appears twice")
        seen.add(code)
        if row["domain"] not in DOMAINS:
            problems.append(
                f"row {line}, field domain: {row['domain']!r} is not one of {', '.join(DOMAINS)}"
            )
        parent = row.get("parent_code") or None
        if parent and parent not in codes:
            problems.append(f"row {line}, field parent_code: {parent!r} is not a category")
        problems += [
            f"row {line}, field {name}: empty"
            for name in ("name_zh_hans", "name_zh_hant", "name_en")
            if not row[name]
        ]
        categories.append(
            InspectionCategory(
                code=code,
                domain=row["domain"],
                parent_code=parent,
                name_zh_hans=row["name_zh_hans"],
                name_zh_hant=row["name_zh_hant"],
                name_en=row["name_en"],
                industry_code=row.get("industry_code") or None,
                aliases=row.get("aliases", ""),
            )
        )
    if not categories:
        problems.append("no categories")
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise InputError(f"{path}: {'; '.join(problems[:5])}{more}")
    return categories


def load_categories(session: Session, path: Path | None = None) -> int:
    """Load inspection categories (the packaged list by default); re-running updates in place.

    GB/T 4754 industries are loaded first when the categories refer to ones not yet present.
    """
    source = path or packaged_file("categories.csv")
    categories = read_categories(source)
    wanted = {c.industry_code for c in categories if c.industry_code}
    if wanted:
        present = set(session.scalars(select(Industry.code).where(Industry.code.in_(wanted))))
        if wanted - present:
            registry_service.load_industries(session)
            present = set(session.scalars(select(Industry.code).where(Industry.code.in_(wanted))))
        unknown = sorted(wanted - present)
        if unknown:
            raise InputError(f"{source}: unknown GB/T 4754 industry code(s) {', '.join(unknown)}")
    repository.save_categories(session, categories)
    return len(categories)


def import_files(
    engine: Engine,
    paths: Sequence[Path],
    *,
    rejects_dir: Path | None = None,
    chunk_size: int = CHUNK_SIZE,
    on_file: Callable[[Path], Callable[[int, int], None] | None] | None = None,
    allowed_towns: Iterable[str] | None = None,
) -> list[ImportSummary]:
    """Import each file, committing every ``chunk_size`` rows (idempotent on the natural key).

    Parameters
    ----------
    engine : Engine
        The database the rows land in.
    paths : sequence of Path
        ``.csv`` or ``.xlsx`` files, imported in order.
    rejects_dir : Path, optional
        Where the rejects files go (default: next to each file).
    chunk_size : int
        Rows validated and committed together.
    on_file : callable, optional
        Called with each path before its import; may return a progress callback.
    allowed_towns : iterable of str, optional
        Town codes the rows may be sampled in (an inspector's towns); rows of other towns
        are rejected with the reason ``town_code … is outside your towns``. None: any town.

    Returns
    -------
    list of ImportSummary
        One per file.
    """
    if chunk_size < 1:
        raise InputError("--chunk-size must be at least 1")
    for path in paths:
        if not path.is_file():
            raise InputError(f"{path}: no such file")
    importer = Importer(engine, chunk_size=chunk_size, allowed_towns=allowed_towns)
    summaries = []
    for path in paths:
        progress = on_file(path) if on_file else None
        summaries.append(importer.import_file(path, rejects_dir=rejects_dir, on_progress=progress))
    return summaries


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date


_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(\d{1,2})))?$", re.IGNORECASE)


def parse_period(text: str) -> Period:
    """``2025`` (a year), ``2025-Q3`` (a quarter) or ``2025-07`` (a month)."""
    match = _PERIOD.match(text.strip())
    if not match:
        raise InputError(f"--period {text!r}: use a year (2025), a quarter (2025-Q3) or 2025-07")
    year = int(match.group(1))
    if match.group(2):
        quarter = int(match.group(2))
        start = dt.date(year, 3 * quarter - 2, 1)
        end = _month_end(year, 3 * quarter)
        return Period(f"{year}-Q{quarter}", start, end)
    if match.group(3):
        month = int(match.group(3))
        if not 1 <= month <= 12:
            raise InputError(f"--period {text!r}: month {month} is not 1-12")
        return Period(f"{year}-{month:02d}", dt.date(year, month, 1), _month_end(year, month))
    return Period(str(year), dt.date(year, 1, 1), dt.date(year, 12, 31))


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)
