"""Importing sampling-inspection tables (.csv, .xlsx): read, validate, land, reject.

The importer reads the published layout and qcity's template (see ``_layouts``), validates a
chunk of rows column by column (each distinct date, town, category or credit code is parsed
once), and lands the good rows with ``INSERT … ON CONFLICT (natural_key) DO NOTHING``,
committing every chunk. A run killed midway and started again lands every row exactly once:
rows committed by the first run are counted as already present by the second.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.orm import Session

from qcity.db.bulk import bulk_insert
from qcity.db.session import unit_of_work
from qcity.errors import InputError
from qcity.inspection import repository
from qcity.inspection._layouts import (
    BY_FIELD,
    REASON_HEADER,
    REQUIRED_FIELDS,
    field_for_header,
)
from qcity.inspection._parse import (
    CellError,
    ItemResult,
    parse_date,
    parse_failed_items,
    parse_flag,
    parse_retest_outcome,
    parse_test_items,
    parse_verdict,
)
from qcity.inspection.models import SamplingInspection, TestItemResult
from qcity.registry.uscc import validate_uscc

CHUNK_SIZE = 10_000
SUPPORTED = (".csv", ".xlsx")

INSPECTION_COLUMNS = (
    "natural_key",
    "task_source",
    "sampling_date",
    "town_code",
    "sampled_entity_id",
    "sampled_unit_name",
    "sampled_unit_address",
    "manufacturer_name",
    "manufacturer_address",
    "manufacturer_uscc",
    "product_name",
    "brand",
    "specification",
    "production_batch",
    "category_code",
    "industry_code",
    "verdict",
    "lab_name",
    "report_no",
    "sample_no",
    "announcement_no",
    "announcement_date",
    "retest_requested",
    "retest_outcome",
    "imported_at",
)
ITEM_COLUMNS = (
    "inspection_id",
    "item",
    "result",
    "result_value",
    "unit",
    "standard_limit",
    "standard_reference",
    "verdict",
    "hazard_class",
)

_TABLE = cast(Table, SamplingInspection.__table__)
_ITEM_TABLE = cast(Table, TestItemResult.__table__)
# Text fields copied as they are, with the length the table allows.
_TEXT_FIELDS = (
    "task_source",
    "sampled_unit_name",
    "sampled_unit_address",
    "manufacturer_name",
    "manufacturer_address",
    "product_name",
    "brand",
    "specification",
    "production_batch",
    "lab_name",
    "report_no",
    "sample_no",
    "announcement_no",
)
_MAX_LENGTH = {name: int(getattr(_TABLE.c[name].type, "length", 0) or 0) for name in _TEXT_FIELDS}
_ITEM_LIMITS = {
    name: int(getattr(_ITEM_TABLE.c[name].type, "length", 0) or 0)
    for name in ("item", "result", "unit", "standard_limit", "standard_reference")
}
_EMPTY_MARKS = {"/", "-", "—", "无", "N/A", "n/a"}


@dataclass(frozen=True)
class Rejection:
    """A row that did not land: its number (header = row 1), cells and the reason."""

    row: int
    cells: tuple[str, ...]
    reason: str


@dataclass
class ImportSummary:
    """What one file's import did."""

    file: str
    rows_read: int = 0
    landed: int = 0
    rejected: int = 0
    already_present: int = 0
    rejects_file: Path | None = None
    headers: list[str] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    def line(self) -> str:
        text = (
            f"{self.file}: {self.rows_read:,} rows read, {self.landed:,} landed, "
            f"{self.rejected:,} rejected, {self.already_present:,} already present"
        )
        if self.rejects_file:
            text += f"; rejects in {self.rejects_file}"
        return text


# --------------------------------------------------------------------------- reading files


@dataclass
class _Source:
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (row number, cells)
    total: int  # rows expected (an estimate for CSV with multi-line cells)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value).strip()


def _read_xlsx(path: Path) -> _Source:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = list(workbook.sheet_names)
        sheet = workbook.get_sheet_by_name(
            names[names.index("抽检记录")] if "抽检记录" in names else names[0]
        )
        table = sheet.to_python()
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise InputError(f"{path}: cannot read the workbook ({exc})") from None
    if not table:
        raise InputError(f"{path}: the first sheet is empty; expected a header row")
    headers = [_cell_text(v) for v in table[0]]
    width = len(headers)

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, raw in enumerate(table[1:], start=2):
            cells = [_cell_text(v) for v in raw[:width]]
            if len(cells) < width:
                cells += [""] * (width - len(cells))
            yield number, cells

    return _Source(headers, rows(), len(table) - 1)


def _csv_encoding(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            return "gb18030"
    return "utf-8-sig"


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 22):
            count += block.count(b"\n")
    return count


def _read_csv(path: Path) -> _Source:
    encoding = _csv_encoding(path)
    total = max(_count_lines(path) - 1, 0)
    handle = path.open(encoding=encoding, newline="")
    reader = csv.reader(handle)
    skipped = 0
    try:
        headers = [h.strip() for h in next(reader)]
        while headers and headers[0].startswith("#"):  # the template's column notes
            skipped += 1
            headers = [h.strip() for h in next(reader)]
    except StopIteration:
        handle.close()
        raise InputError(f"{path}: the file is empty; expected a header row") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        handle.close()
        raise InputError(f"{path}: cannot read the header row ({exc})") from None
    width = len(headers)

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1 + skipped
        try:
            for cells in reader:
                number += 1
                if len(cells) != width:
                    cells = (cells + [""] * width)[:width] if len(cells) < width else cells[:width]
                yield number, cells
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: row {number + 1}: cannot read ({exc})") from None
        finally:
            handle.close()

    return _Source(headers, rows(), max(total - skipped, 0))


def read_source(path: Path) -> _Source:
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    raise InputError(f"{path}: unsupported file type {path.suffix or '(none)'}; use .csv or .xlsx")


# --------------------------------------------------------------------------- lookups


@dataclass(frozen=True)
class _Category:
    code: str
    domain: str
    industry_code: str | None
    leaf: bool


_DOMAIN_WORDS = {
    "食品": "food",
    "食品安全": "food",
    "食品安全监督抽检": "food",
    "食用农产品": "food",
    "food": "food",
    "例行监测": "agri",
    "农产品例行监测": "agri",
    "食用农产品例行监测": "agri",
    "农产品质量安全例行监测": "agri",
    "agri": "agri",
    "工业产品": "manufactured",
    "产品质量": "manufactured",
    "工业品": "manufactured",
    "制造业产品": "manufactured",
    "manufactured": "manufactured",
    "消费品": "consumer",
    "consumer": "consumer",
    "建设工程": "construction",
    "建筑工程": "construction",
    "工程质量": "construction",
    "建材": "construction",
    "construction": "construction",
}
_KEY_CLEAN = re.compile(r"[\s（）()]")


def _key(text: str) -> str:
    return _KEY_CLEAN.sub("", text).lower()


class Lookups:
    """Categories and towns, loaded once per import; entities are looked up per chunk."""

    def __init__(self, session: Session) -> None:
        cats = repository.categories(session)
        parents = {c.parent_code for c in cats if c.parent_code}
        self.categories: dict[str, _Category] = {}
        self._by_name: dict[str, list[_Category]] = {}
        for c in cats:
            cat = _Category(c.code, c.domain, c.industry_code, c.code not in parents)
            self.categories[c.code] = cat
            names = {c.code, c.name_zh_hans, c.name_zh_hant, c.name_en, *c.aliases.split("|")}
            for name in names:
                if name:
                    self._by_name.setdefault(_key(name), []).append(cat)
        self.town_codes: set[str] = set()
        town_names: dict[str, str] = {}
        for t in repository.towns(session):
            self.town_codes.add(t.code)
            for name in (t.code, t.name_zh_hans, t.name_zh_hant, t.name_en.lower()):
                town_names[name] = t.code
            for suffix in ("街道", "镇"):
                if t.name_zh_hans.endswith(suffix) and len(t.name_zh_hans) > len(suffix) + 1:
                    town_names.setdefault(t.name_zh_hans.removesuffix(suffix), t.code)
        self._town_names = town_names
        names_in_text = sorted(
            (n for n in town_names if not n.isdigit() and not n.isascii()), key=len, reverse=True
        )
        self._town_pattern = (
            re.compile("|".join(map(re.escape, names_in_text))) if names_in_text else None
        )
        self._category_cache: dict[tuple[str, str], str | None] = {}

    def category(self, domain_text: str, category_text: str) -> str | None:
        cache_key = (domain_text, category_text)
        if cache_key in self._category_cache:
            return self._category_cache[cache_key]
        found = self._resolve_category(domain_text, category_text)
        self._category_cache[cache_key] = found
        return found

    def _resolve_category(self, domain_text: str, category_text: str) -> str | None:
        candidates = self._by_name.get(_key(category_text), [])
        domain = _DOMAIN_WORDS.get(_key(domain_text))
        if domain:
            in_domain = [c for c in candidates if c.domain == domain]
            candidates = in_domain or candidates
        if len(candidates) > 1:
            candidates = [c for c in candidates if c.leaf] or candidates
        return candidates[0].code if len(candidates) == 1 else None

    def town(self, text: str) -> str | None:
        value = text.strip()
        return self._town_names.get(value) or self._town_names.get(value.lower())

    def town_in_address(self, address: str) -> str | None:
        if not self._town_pattern:
            return None
        match = self._town_pattern.search(address)
        return self._town_names[match.group(0)] if match else None


# --------------------------------------------------------------------------- validation


class _Cache:
    """Parse each distinct value once; remember failures as messages."""

    def __init__(self, parse: Callable[[str], Any]) -> None:
        self.parse = parse
        self.values: dict[str, tuple[Any, str | None]] = {}

    def __call__(self, text: str) -> tuple[Any, str | None]:
        hit = self.values.get(text)
        if hit is None:
            try:
                hit = (self.parse(text), None)
            except CellError as exc:
                hit = (None, str(exc))
            if len(self.values) < 200_000:
                self.values[text] = hit
        return hit


def _uscc(text: str) -> str:
    code = text.strip().upper()
    verdict = validate_uscc(code)
    if not verdict.valid:
        raise CellError(f"invalid credit code {code!r}: {verdict.reason}")
    return code


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


def natural_key(report_no: str, lab: str, sample_no: str, *identity: str) -> str:
    """Report number; else lab + sample number; else a digest of the identifying fields."""
    if report_no:
        return f"R:{report_no}"
    if sample_no:
        return f"S:{lab}|{sample_no}"[:200]
    return f"H:{_digest(*identity)}"


@dataclass
class _Prepared:
    rows: list[tuple[Any, ...]]  # INSPECTION_COLUMNS order
    items: dict[str, list[ItemResult]]  # by natural key
    rejections: list[Rejection]


class Importer:
    """Imports files into one database, committing every ``chunk_size`` rows."""

    def __init__(
        self,
        engine: Engine,
        *,
        chunk_size: int = CHUNK_SIZE,
        now: dt.datetime | None = None,
    ) -> None:
        self.engine = engine
        self.chunk_size = chunk_size
        self.now = now or dt.datetime.now(dt.UTC)
        self._dates = _Cache(parse_date)
        self._usccs = _Cache(_uscc)
        self._verdicts = _Cache(parse_verdict)
        self._flags = _Cache(parse_flag)
        self._outcomes = _Cache(parse_retest_outcome)
        self._failed = _Cache(parse_failed_items)
        self._tested = _Cache(parse_test_items)
        self._headers: list[str] = []

    def import_file(
        self,
        path: Path,
        *,
        rejects_dir: Path | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        display_name: str | None = None,
    ) -> ImportSummary:
        source = read_source(path)
        name = display_name or str(path)
        fields = self._map_headers(name, source.headers)
        self._headers = source.headers
        summary = ImportSummary(file=name, headers=source.headers)
        seen: dict[str, int] = {}
        with unit_of_work(self.engine) as session:
            lookups = Lookups(session)
        if not lookups.categories:
            raise InputError(
                "no inspection categories in the database; run `qcity inspection load-categories`"
            )
        if not lookups.town_codes:
            raise InputError("no towns in the database; run `qcity registry load-towns` first")
        chunk: list[tuple[int, list[str]]] = []
        for numbered in source.rows:
            if not any(numbered[1]):
                continue
            chunk.append(numbered)
            if len(chunk) >= self.chunk_size:
                self._chunk(name, fields, chunk, lookups, seen, summary)
                chunk = []
                if on_progress:
                    on_progress(summary.rows_read, max(source.total, summary.rows_read))
        if chunk:
            self._chunk(name, fields, chunk, lookups, seen, summary)
        if on_progress:
            on_progress(summary.rows_read, summary.rows_read)
        if summary.rejections:
            summary.rejects_file = write_rejects(
                path, rejects_dir, source.headers, summary.rejections
            )
        return summary

    @staticmethod
    def _map_headers(name: str, headers: Sequence[str]) -> dict[str, int]:
        fields: dict[str, int] = {}
        for index, header in enumerate(headers):
            target = field_for_header(header)
            if target and target not in fields:
                fields[target] = index
        missing = [BY_FIELD[f].header for f in REQUIRED_FIELDS if f not in fields]
        if missing:
            raise InputError(
                f"{name}: missing column(s) {', '.join(missing)}; found "
                f"{', '.join(h for h in headers if h) or 'no headers'} "
                "(`qcity inspection template` writes the expected layout)"
            )
        if "sampling_date" not in fields and "announcement_date" not in fields:
            raise InputError(f"{name}: needs a 抽样日期 or 公告日期 column")
        return fields

    def _chunk(
        self,
        name: str,
        fields: dict[str, int],
        chunk: list[tuple[int, list[str]]],
        lookups: Lookups,
        seen: dict[str, int],
        summary: ImportSummary,
    ) -> None:
        summary.rows_read += len(chunk)
        with unit_of_work(self.engine) as session:
            prepared = self._prepare(session, fields, chunk, lookups, seen)
            landed = land(session.connection(), prepared.rows, prepared.items)
        summary.landed += landed
        summary.already_present += len(prepared.rows) - landed
        summary.rejected += len(prepared.rejections)
        summary.rejections += prepared.rejections

    def _prepare(
        self,
        session: Session,
        fields: dict[str, int],
        chunk: list[tuple[int, list[str]]],
        lookups: Lookups,
        seen: dict[str, int],
    ) -> _Prepared:
        """Validate a chunk column by column; each distinct value is parsed once."""
        n = len(chunk)
        labels = {name: self._headers[index] for name, index in fields.items()}
        numbers = [number for number, _ in chunk]
        rows = [cells for _, cells in chunk]
        empty = [""] * n
        transposed = list(zip(*rows, strict=True))

        def column(name: str) -> list[str]:
            index = fields.get(name)
            if index is None:
                return empty
            values = list(map(str.strip, transposed[index]))
            if _EMPTY_MARKS.isdisjoint(values):
                return values
            return ["" if v in _EMPTY_MARKS else v for v in values]

        problems: dict[int, list[str]] = {}

        def flag(i: int, name: str, message: str) -> None:
            label = labels.get(name) or BY_FIELD[name].header
            problems.setdefault(i, []).append(f"{label}: {message}")

        def parse_column(name: str, cache: _Cache, required: bool = False) -> list[Any]:
            values = column(name)
            if not any(values):
                if required:
                    for i in range(n):
                        flag(i, name, "empty")
                return [None] * n
            parsed = [cache(v) if v else (None, "empty" if required else None) for v in values]
            for i, (_, error) in enumerate(parsed):
                if error:
                    flag(i, name, error)
            return [value for value, _ in parsed]

        text = {name: column(name) for name in _TEXT_FIELDS}
        for name in ("product_name", "sampled_unit_name"):
            if "" in text[name]:
                for i, value in enumerate(text[name]):
                    if not value:
                        flag(i, name, "empty")
        for name, limit in _MAX_LENGTH.items():
            if max(map(len, text[name])) > limit:
                for i, value in enumerate(text[name]):
                    if len(value) > limit:
                        flag(i, name, f"longer than {limit} characters")

        # Category: each distinct (抽查领域, 分类) pair is resolved once.
        pairs = list(zip(column("domain"), column("category"), strict=True))
        resolved = {pair: lookups.category(*pair) if pair[1] else None for pair in set(pairs)}
        category_codes = [resolved[pair] for pair in pairs]
        if None in resolved.values():
            for i, code in enumerate(category_codes):
                if code is None:
                    c = pairs[i][1]
                    flag(i, "category", f"unknown category {c!r}" if c else "empty")

        # Dates and credit codes.
        date_field = "sampling_date" if "sampling_date" in fields else "announcement_date"
        sampling_dates: list[dt.date | None] = parse_column(date_field, self._dates, True)
        if date_field == "announcement_date":
            announcement_dates = sampling_dates
        else:
            announcement_dates = parse_column("announcement_date", self._dates)
        manufacturer_usccs: list[str | None] = parse_column("manufacturer_uscc", self._usccs)
        unit_usccs: list[str | None] = parse_column("sampled_unit_uscc", self._usccs)

        # Verdict and items.
        declared: list[str | None] = parse_column("verdict", self._verdicts)
        verdicts: list[str] = ["pass" if v is None else v for v in declared]
        items_by_row: dict[int, list[ItemResult]] = {}
        failed_cells = column("failed_items")
        tested_cells = column("test_items")
        with_items = [i for i in range(n) if failed_cells[i] or tested_cells[i]]
        for i in with_items:
            items: list[ItemResult] = []
            if tested_cells[i]:
                tested, error = self._tested(tested_cells[i])
                if error:
                    flag(i, "test_items", error)
                items += tested or []
            if failed_cells[i]:
                failed, error = self._failed(failed_cells[i])
                if error:
                    flag(i, "failed_items", error)
                listed = {item.item for item in items if item.verdict == "fail"}
                items += [item for item in failed or [] if item.item not in listed]
            failing = [item.item for item in items if item.verdict == "fail"]
            if declared[i] == "pass" and failing:
                flag(i, "verdict", f"合格 but item {failing[0]!r} failed")
            elif declared[i] == "fail" and items and not failing:
                flag(i, "verdict", "不合格 but no test item failed")
            elif declared[i] is None:
                verdicts[i] = "fail" if failing else "pass"
            for item in items:
                for part, limit in _ITEM_LIMITS.items():
                    if len(getattr(item, part)) > limit:
                        where = "test_items" if tested_cells[i] else "failed_items"
                        flag(i, where, f"item {item.item[:20]!r}: {part} too long (> {limit})")
            items_by_row[i] = items

        # Retest.
        requested = [bool(v) for v in parse_column("retest_requested", self._flags)]
        outcomes: list[str | None] = parse_column("retest_outcome", self._outcomes)
        requested = [r or o is not None for r, o in zip(requested, outcomes, strict=True)]

        # Entities (by credit code, else by exact name) and towns.
        unit_names = text["sampled_unit_name"]
        addresses = text["sampled_unit_address"]
        wanted_codes = sorted({c for c in unit_usccs if c})
        by_code = repository.entities_by_uscc(session, wanted_codes) if wanted_codes else {}
        wanted_names = sorted(
            {name for name, code in zip(unit_names, unit_usccs, strict=True) if name and not code}
        )
        by_name = repository.entities_by_name(session, wanted_names) if wanted_names else {}
        entities = [
            by_code.get(code) if code else by_name.get(name)
            for code, name in zip(unit_usccs, unit_names, strict=True)
        ]
        entity_ids = [e.id if e else None for e in entities]
        town_texts = column("town")
        town_of_text = {t: lookups.town(t) for t in set(town_texts) if t}
        town_codes: list[str | None] = []
        for i in range(n):
            if town_texts[i]:
                town = town_of_text[town_texts[i]]
                if town is None:
                    flag(i, "town", f"unknown town {town_texts[i]!r}")
            else:
                town = lookups.town_in_address(addresses[i])
                entity = entities[i]
                if town is None and entity is not None:
                    town = entity.town_code
                if town is None:
                    where = (
                        f"no town name in {addresses[i]!r}"
                        if addresses[i]
                        else "no address and no 所在镇街"
                    )
                    message = f"unknown town: {where}; the sampled unit is not a registered entity"
                    flag(i, "sampled_unit_address", message)
            town_codes.append(town)

        # Natural keys, duplicates, and the rows to land.
        sqlite = session.get_bind().dialect.name == "sqlite"
        imported_at: Any = self.now
        stored_dates: list[Any] = sampling_dates
        stored_announced: list[Any] = announcement_dates
        if sqlite:  # SQLAlchemy's storage format for Date and DateTime on SQLite
            imported_at = sqlite_value(self.now)
            iso = {d: d.isoformat() for d in {*sampling_dates, *announcement_dates} if d}
            stored_dates = [iso.get(d) if d else None for d in sampling_dates]
            stored_announced = [iso.get(d) if d else None for d in announcement_dates]
        report_nos, lab_names, sample_nos = text["report_no"], text["lab_name"], text["sample_no"]
        out: list[tuple[Any, ...]] = []
        items_out: dict[str, list[ItemResult]] = {}
        rejections: list[Rejection] = []
        for i in range(n):
            if report_nos[i]:
                key = f"R:{report_nos[i]}"
            else:
                key = natural_key(
                    "",
                    lab_names[i],
                    sample_nos[i],
                    text["announcement_no"][i],
                    unit_names[i],
                    text["manufacturer_name"][i],
                    text["product_name"][i],
                    text["specification"][i],
                    text["production_batch"][i],
                    str(sampling_dates[i]),
                    category_codes[i] or "",
                )
            first = seen.get(key)
            if first is not None and i not in problems:
                what = {"R": "report number", "S": "lab and sample number"}.get(key[0], "content")
                problems[i] = [f"duplicate of row {first} in this file (same {what})"]
            if i in problems:
                reason = f"row {numbers[i]}: " + "; ".join(problems[i])
                rejections.append(Rejection(numbers[i], tuple(rows[i]), reason))
                continue
            seen[key] = numbers[i]
            category = lookups.categories[cast(str, category_codes[i])]
            out.append(
                (
                    key,
                    text["task_source"][i],
                    stored_dates[i],
                    town_codes[i],
                    entity_ids[i],
                    unit_names[i],
                    addresses[i],
                    text["manufacturer_name"][i],
                    text["manufacturer_address"][i],
                    manufacturer_usccs[i],
                    text["product_name"][i],
                    text["brand"][i],
                    text["specification"][i],
                    text["production_batch"][i],
                    category.code,
                    category.industry_code,
                    verdicts[i],
                    lab_names[i],
                    report_nos[i] or None,
                    sample_nos[i] or None,
                    text["announcement_no"][i] or None,
                    stored_announced[i],
                    requested[i],
                    outcomes[i],
                    imported_at,
                )
            )
            if items_by_row.get(i):
                items_out[key] = items_by_row[i]
        return _Prepared(out, items_out, rejections)


# --------------------------------------------------------------------------- landing


_SQLITE_BATCH = 32_000 // len(INSPECTION_COLUMNS)


def sqlite_value(value: Any) -> Any:
    """A date or timestamp as SQLAlchemy stores it on SQLite (ISO text, UTC)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def land(
    connection: Connection, rows: Sequence[tuple[Any, ...]], items: dict[str, list[ItemResult]]
) -> int:
    """Insert ``rows`` (``INSPECTION_COLUMNS`` order), skipping natural keys already present,
    and the test items of the rows that landed; returns how many landed."""
    if not rows:
        return 0
    columns = ", ".join(INSPECTION_COLUMNS)
    landed: list[Any] = []  # (id, natural key) of the rows inserted
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            "CREATE TEMP TABLE IF NOT EXISTS _inspection_stage ON COMMIT DELETE ROWS AS "
            f"SELECT {columns} FROM sampling_inspection WITH NO DATA"
        )
        bulk_insert(connection, "_inspection_stage", INSPECTION_COLUMNS, rows)
        driver = connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO sampling_inspection ({columns}) SELECT {columns} "
                "FROM _inspection_stage ON CONFLICT (natural_key) DO NOTHING "
                "RETURNING id, natural_key"
            )
            landed = cursor.fetchall()
            cursor.execute("TRUNCATE _inspection_stage")
    else:
        # A big page cache keeps the indexes in memory; checkpoint the WAL less often.
        connection.exec_driver_sql("PRAGMA cache_size = -262144")
        connection.exec_driver_sql("PRAGMA wal_autocheckpoint = 16384")
        row_sql = "(" + ", ".join("?" for _ in INSPECTION_COLUMNS) + ")"
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        for start in range(0, len(rows), _SQLITE_BATCH):
            batch = rows[start : start + _SQLITE_BATCH]
            params = tuple(itertools.chain.from_iterable(batch))
            sql = (
                f"INSERT INTO sampling_inspection ({columns}) VALUES "
                + ", ".join([row_sql] * len(batch))
                + " ON CONFLICT (natural_key) DO NOTHING RETURNING id, natural_key"
            )
            cursor.execute(sql, params)
            landed += cursor.fetchall()
    item_rows = [
        (
            inspection_id,
            item.item,
            item.result,
            item.result_value,
            item.unit,
            item.standard_limit,
            item.standard_reference,
            item.verdict,
            item.hazard_class,
        )
        for inspection_id, key in landed
        for item in items.get(key, ())
    ]
    bulk_insert(connection, "test_item_result", ITEM_COLUMNS, item_rows)
    return len(landed)


# --------------------------------------------------------------------------- rejects


def rejects_path(path: Path, rejects_dir: Path | None) -> Path:
    directory = rejects_dir or path.parent
    return directory / f"{path.stem}.rejects{path.suffix.lower()}"


def write_rejects(
    path: Path, rejects_dir: Path | None, headers: Sequence[str], rejections: Sequence[Rejection]
) -> Path:
    """The rejected rows in the input's format: its columns plus ``拒收原因``."""
    out = rejects_path(path, rejects_dir)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        header = [*headers, REASON_HEADER]
        if out.suffix == ".xlsx":
            from openpyxl import Workbook

            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("拒收记录")
            sheet.append(header)
            for r in rejections:
                sheet.append([*r.cells, r.reason])
            workbook.save(out)
        else:
            with out.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(header)
                writer.writerows([*r.cells, r.reason] for r in rejections)
    except OSError as exc:
        raise InputError(f"{out}: cannot write the rejects file ({exc.strerror})") from None
    return out
