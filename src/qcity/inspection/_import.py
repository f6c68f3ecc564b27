"""Importing sampling-inspection tables (.csv, .xlsx): read, validate, land, reject.

The importer reads the published layout and qcity's template (see ``_layouts``), validates a
chunk of rows column by column (each distinct date, town, category or credit code is parsed
once), and lands the good rows with ``INSERT … ON CONFLICT (natural_key) DO NOTHING``,
committing every chunk. A run killed midway and started again lands every row exactly once:
rows committed by the first run are counted as already present by the second.

Big files run on two cores: a forked worker process reads and validates chunks ahead while
this process lands them (and, on PostgreSQL, the server inserts them). Landing re-checks set-wise
that the towns, entities, categories and industries the chunk refers to are still there.
"""

from __future__ import annotations

import contextvars
import csv
import ctypes
import datetime as dt
import gc
import hashlib
import itertools
import multiprocessing
import operator
import os
import re
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import closing, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import URL, Connection, Engine, Table
from sqlalchemy.orm import Session

from qcity.audit import record_bulk
from qcity.db.engine import make_engine
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

CHUNK_SIZE = 20_000
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
_MARK_LENGTH = max(map(len, _EMPTY_MARKS))


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

_BLOCK = 4_096  # rows read from a file at a time


@dataclass
class _Source:
    headers: list[str]
    # Blocks of rows: (number of the block's first row, its rows as cells). Row numbers count
    # the header as row 1; every row has exactly ``len(headers)`` cells; blank rows included.
    blocks: Iterator[tuple[int, list[Sequence[str]]]]
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


def _text_column(values: Sequence[Any]) -> list[str]:
    """``_cell_text`` of every value, the common all-text column at C speed."""
    if set(map(type, values)) <= {str}:
        return list(map(str.strip, values))
    return list(map(_cell_text, values))


def _fit(rows: Sequence[Sequence[Any]], width: int, pad: Any) -> list[Sequence[Any]]:
    """Rows cut or padded to ``width`` cells (most files need neither)."""
    if set(map(len, rows)) == {width}:
        return list(rows)
    return [
        row if len(row) == width else [*row[:width], *[pad] * (width - len(row))] for row in rows
    ]


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

    def blocks() -> Iterator[tuple[int, list[Sequence[str]]]]:
        for start in range(1, len(table), _BLOCK):
            raw = _fit(table[start : start + _BLOCK], width, None)
            columns = [_text_column(column) for column in zip(*raw, strict=True)]
            yield start + 1, list(zip(*columns, strict=True))

    return _Source(headers, blocks(), len(table) - 1)


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

    def blocks() -> Iterator[tuple[int, list[Sequence[str]]]]:
        number = 2 + skipped  # the next row's number
        try:
            while True:
                block: list[Sequence[str]] = []
                try:
                    block.extend(itertools.islice(reader, _BLOCK))
                except (csv.Error, UnicodeDecodeError) as exc:
                    # ``extend`` keeps the rows read before the bad one.
                    raise InputError(
                        f"{path}: row {number + len(block)}: cannot read ({exc})"
                    ) from None
                if not block:
                    return
                yield number, _fit(block, width, "")
                number += len(block)
        finally:
            handle.close()

    return _Source(headers, blocks(), max(total - skipped, 0))


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


class _Entities:
    """Registered market entities by credit code and by exact name, each looked up once."""

    LIMIT = 500_000  # remembered values per kind; beyond that the memory starts afresh

    def __init__(self) -> None:
        self.by_code: dict[str, repository.EntityRef | None] = {}
        self.by_name: dict[str, repository.EntityRef | None] = {}

    def load(self, session: Session, codes: set[str], names: set[str]) -> None:
        """Look up the codes and names not seen before (a name shared by several is None)."""
        new_codes = sorted(c for c in codes if c not in self.by_code)
        if new_codes:
            found = repository.entities_by_uscc(session, new_codes)
            if len(self.by_code) + len(new_codes) > self.LIMIT:
                self.by_code.clear()
            self.by_code.update((c, found.get(c)) for c in new_codes)
        new_names = sorted(n for n in names if n not in self.by_name)
        if new_names:
            named = repository.entities_by_name(session, new_names)
            if len(self.by_name) + len(new_names) > self.LIMIT:
                self.by_name.clear()
            self.by_name.update((n, named.get(n)) for n in new_names)


@dataclass
class _Prepared:
    rows: list[tuple[Any, ...]]  # INSPECTION_COLUMNS order
    items: dict[str, list[ItemResult]]  # by natural key
    rejections: list[Rejection]
    read: int = 0  # rows of the file in this chunk (blank rows not counted)


@dataclass
class _Stream:
    """A file being read: its header, the rows expected and its validated chunks."""

    headers: list[str]
    total: int
    chunks: Iterator[_Prepared]

    def close(self) -> None:
        """Stop reading (closes the file)."""
        close = getattr(self.chunks, "close", None)
        if close:
            close()


class Importer:
    """Imports files into one database, committing every ``chunk_size`` rows."""

    def __init__(
        self,
        engine: Engine,
        *,
        chunk_size: int = CHUNK_SIZE,
        now: dt.datetime | None = None,
        allowed_towns: Iterable[str] | None = None,
    ) -> None:
        """``allowed_towns``: when given, rows sampled in another town are rejected
        (``所在镇街: town_code … is outside your towns``); None allows every town."""
        self.engine = engine
        self.chunk_size = chunk_size
        self.now = now or dt.datetime.now(dt.UTC)
        self.allowed_towns = None if allowed_towns is None else frozenset(allowed_towns)
        self._dates = _Cache(parse_date)
        self._usccs = _Cache(_uscc)
        self._verdicts = _Cache(parse_verdict)
        self._flags = _Cache(parse_flag)
        self._outcomes = _Cache(parse_retest_outcome)
        self._failed = _Cache(parse_failed_items)
        self._tested = _Cache(parse_test_items)
        self._entities = _Entities()
        self._headers: list[str] = []

    def import_file(
        self,
        path: Path,
        *,
        rejects_dir: Path | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        display_name: str | None = None,
        parallel: bool | None = None,
    ) -> ImportSummary:
        """Import one file; see the module docstring.

        Parameters
        ----------
        path : Path
            A ``.csv`` or ``.xlsx`` file.
        rejects_dir : Path, optional
            Where the rejects file goes (default: next to ``path``).
        on_progress : callable, optional
            Called with (rows read, rows expected) after every chunk.
        display_name : str, optional
            The file's name in messages and the summary (default: ``path``).
        parallel : bool, optional
            Read and validate in a worker process while this one lands (default: for files
            of ``PARALLEL_BYTES`` or more). Only where a worker can be forked safely: on a
            platform with ``fork``, when no other thread but daemon threads runs.

        Returns
        -------
        ImportSummary
            Rows read, landed, rejected and already present, and the rejects file.
        """
        name = display_name or str(path)
        if parallel is None:
            parallel = path.is_file() and path.stat().st_size >= PARALLEL_BYTES
        if parallel and _can_fork():
            opened: _Stream = _WorkerStream(self, path, name)
        else:
            opened = self.open_stream(path, name)
        summary = ImportSummary(file=name, headers=opened.headers)
        lander = _Lander(self.engine, name, summary)
        try:
            for prepared in opened.chunks:
                summary.rows_read += prepared.read
                summary.rejected += len(prepared.rejections)
                summary.rejections += prepared.rejections
                lander.submit(prepared)
                if on_progress:
                    on_progress(summary.rows_read, max(opened.total, summary.rows_read))
            lander.wait()
        except BaseException:
            lander.wait()  # the chunk in flight lands; its error, earlier in the file, wins
            raise
        finally:
            lander.close()
            opened.close()
        if on_progress:
            on_progress(summary.rows_read, summary.rows_read)
        if summary.rejections:
            summary.rejects_file = write_rejects(
                path, rejects_dir, opened.headers, summary.rejections
            )
        return summary

    def open_stream(self, path: Path, name: str) -> _Stream:
        """Read ``path``'s header and the lookups; the chunks are validated as they are read."""
        source = read_source(path)
        fields = self._map_headers(name, source.headers)
        self._headers = source.headers
        with unit_of_work(self.engine) as session:
            lookups = Lookups(session)
        if not lookups.categories:
            raise InputError(
                "no inspection categories in the database; run `qcity inspection load-categories`"
            )
        if not lookups.town_codes:
            raise InputError("no towns in the database; run `qcity registry load-towns` first")
        chunks = self._prepared_chunks(source, fields, lookups)
        return _Stream(source.headers, source.total, chunks)

    def _prepared_chunks(
        self, source: _Source, fields: dict[str, int], lookups: Lookups
    ) -> Iterator[_Prepared]:
        seen: dict[str, int] = {}
        numbers: list[int] = []
        rows: list[Sequence[str]] = []
        for first, block in source.blocks:
            if all(map(any, block)):
                numbers += range(first, first + len(block))
                rows += block
            else:  # skip blank rows
                kept = [k for k, cells in enumerate(block) if any(cells)]
                numbers += [first + k for k in kept]
                rows += [block[k] for k in kept]
            while len(rows) >= self.chunk_size:
                size = self.chunk_size
                yield self._chunk(fields, numbers[:size], rows[:size], lookups, seen)
                del numbers[:size], rows[:size]
        if rows:
            yield self._chunk(fields, numbers, rows, lookups, seen)

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
        fields: dict[str, int],
        numbers: list[int],
        rows: list[Sequence[str]],
        lookups: Lookups,
        seen: dict[str, int],
    ) -> _Prepared:
        with unit_of_work(self.engine) as session:  # reads entities only
            prepared = self._prepare(session, fields, numbers, rows, lookups, seen)
        prepared.read = len(rows)
        return prepared

    def _prepare(
        self,
        session: Session,
        fields: dict[str, int],
        numbers: list[int],
        rows: list[Sequence[str]],
        lookups: Lookups,
        seen: dict[str, int],
    ) -> _Prepared:
        """Validate a chunk column by column; each distinct value is parsed once.

        Per-row Python is kept to the rows that need it (items, problems, towns inferred from
        addresses); whole columns go through ``map``/``zip`` and dictionaries of distinct values.
        """
        n = len(rows)
        labels = {name: self._headers[index] for name, index in fields.items()}
        empty = [""] * n
        transposed = list(zip(*rows, strict=True))

        def column(name: str) -> list[str]:
            index = fields.get(name)
            if index is None:
                return empty
            values = list(map(str.strip, transposed[index]))
            # The marks are short: long texts need no hashing against them.
            if min(map(len, values)) > _MARK_LENGTH or _EMPTY_MARKS.isdisjoint(values):
                return values
            return ["" if v in _EMPTY_MARKS else v for v in values]

        problems: dict[int, list[str]] = {}

        def flag(i: int, name: str, message: str) -> None:
            label = labels.get(name) or BY_FIELD[name].header
            problems.setdefault(i, []).append(f"{label}: {message}")

        def flag_values(name: str, values: Sequence[str], errors: dict[str, str]) -> None:
            """Flag every row whose value has an error message."""
            if errors:
                for i, value in enumerate(values):
                    if value in errors:
                        flag(i, name, errors[value])

        def parse_column(name: str, cache: _Cache, required: bool = False) -> list[Any]:
            values = column(name)
            if not any(values):
                if required:
                    for i in range(n):
                        flag(i, name, "empty")
                return [None] * n
            parsed = {v: cache(v) for v in set(values) if v}
            errors = {v: error for v, (_, error) in parsed.items() if error}
            if required and "" in values:
                errors[""] = "empty"
            flag_values(name, values, errors)
            value_of = {v: value for v, (value, _) in parsed.items()}
            value_of[""] = None
            return list(map(value_of.__getitem__, values))

        text = {name: column(name) for name in _TEXT_FIELDS}
        for name in ("product_name", "sampled_unit_name"):
            if "" in text[name]:
                flag_values(name, text[name], {"": "empty"})
        for name, limit in _MAX_LENGTH.items():
            if max(map(len, text[name])) > limit:
                for i, value in enumerate(text[name]):
                    if len(value) > limit:
                        flag(i, name, f"longer than {limit} characters")

        # Category: each distinct (抽查领域, 分类) pair is resolved once.
        pairs = list(zip(column("domain"), column("category"), strict=True))
        resolved = {pair: lookups.category(*pair) if pair[1] else None for pair in set(pairs)}
        category_codes: list[str | None] = list(map(resolved.__getitem__, pairs))
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
        with_items = sorted(
            {
                *itertools.compress(range(n), failed_cells),
                *itertools.compress(range(n), tested_cells),
            }
        )
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
        requested = list(map(bool, parse_column("retest_requested", self._flags)))
        outcomes: list[str | None] = parse_column("retest_outcome", self._outcomes)
        if any(outcomes):
            requested = [r or o is not None for r, o in zip(requested, outcomes, strict=True)]

        # Entities (by credit code, else by exact name) and towns.
        unit_names = text["sampled_unit_name"]
        addresses = text["sampled_unit_address"]
        codes = set(unit_usccs)
        codes.discard(None)
        if codes:
            names = {name for name, code in zip(unit_names, unit_usccs, strict=True) if not code}
        else:
            names = set(unit_names)
        names.discard("")
        self._entities.load(session, cast(set[str], codes), names)
        by_code, by_name = self._entities.by_code, self._entities.by_name
        if codes:
            entities = [
                by_code.get(code) if code else by_name.get(name)
                for code, name in zip(unit_usccs, unit_names, strict=True)
            ]
        else:
            entities = list(map(by_name.get, unit_names))
        entity_ids = [None if e is None else e.id for e in entities]
        town_texts = column("town")
        town_of_text = {t: lookups.town(t) for t in set(town_texts) if t}
        town_codes: list[str | None] = list(map(town_of_text.get, town_texts))
        if None in town_of_text.values():
            for i, town_text in enumerate(town_texts):
                if town_text and town_of_text[town_text] is None:
                    flag(i, "town", f"unknown town {town_text!r}")
        inferred = list(itertools.compress(range(n), map(operator.not_, town_texts)))
        town_in = {a: lookups.town_in_address(a) for a in {addresses[i] for i in inferred}}
        for i in inferred:
            town = town_in[addresses[i]]
            if town is None:
                entity = entities[i]
                if entity is not None:
                    town = entity.town_code
                else:
                    where = (
                        f"no town name in {addresses[i]!r}"
                        if addresses[i]
                        else "no address and no 所在镇街"
                    )
                    message = f"unknown town: {where}; the sampled unit is not a registered entity"
                    flag(i, "sampled_unit_address", message)
            town_codes[i] = town
        for i, town in _outside(town_codes, self.allowed_towns):
            flag(i, "town", f"town_code {town} is outside your towns")

        # Natural keys and duplicates (of accepted rows, in this chunk or earlier ones).
        report_nos, lab_names, sample_nos = text["report_no"], text["lab_name"], text["sample_no"]
        if all(report_nos):
            keys = list(map("R:".__add__, report_nos))
        else:
            keys = [
                f"R:{report_nos[i]}"
                if report_nos[i]
                else natural_key(
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
                for i in range(n)
            ]
        for i, key in enumerate(keys):
            if i in problems:
                continue
            first = seen.get(key)
            if first is None:
                seen[key] = numbers[i]
            else:
                what = {"R": "report number", "S": "lab and sample number"}.get(key[0], "content")
                problems[i] = [f"duplicate of row {first} in this file (same {what})"]
        rejections = [
            Rejection(numbers[i], tuple(rows[i]), f"row {numbers[i]}: " + "; ".join(problems[i]))
            for i in sorted(problems)
        ]

        # The rows to land, built column-wise. Dates go as ISO text: SQLAlchemy's storage
        # format on SQLite, and what COPY parses on PostgreSQL.
        iso: dict[Any, str] = {
            d: d.isoformat() for d in {*sampling_dates, *announcement_dates} if d
        }
        iso_of = iso.get
        if session.get_bind().dialect.name == "sqlite":
            imported_at = sqlite_value(self.now)
        else:  # COPY reads the ISO text (with its UTC offset) faster than it adapts a datetime
            imported_at = self.now.isoformat()
        industry_of: dict[Any, str | None] = {
            code: cat.industry_code for code, cat in lookups.categories.items()
        }
        columns: list[Iterable[Any]] = [
            keys,
            text["task_source"],
            map(iso_of, sampling_dates),
            town_codes,
            entity_ids,
            unit_names,
            addresses,
            text["manufacturer_name"],
            text["manufacturer_address"],
            manufacturer_usccs,
            text["product_name"],
            text["brand"],
            text["specification"],
            text["production_batch"],
            category_codes,
            map(industry_of.get, category_codes),
            verdicts,
            lab_names,
            [v or None for v in report_nos],
            [v or None for v in sample_nos],
            [v or None for v in text["announcement_no"]],
            map(iso_of, announcement_dates),
            requested,
            outcomes,
            itertools.repeat(imported_at, n),
        ]
        every_row = zip(*columns, strict=True)
        if problems:
            keep = [True] * n
            for i in problems:
                keep[i] = False
            out = list(itertools.compress(every_row, keep))
        else:
            out = list(every_row)
        items_out = {
            keys[i]: items for i, items in items_by_row.items() if items and i not in problems
        }
        return _Prepared(out, items_out, rejections)


def _outside(
    town_codes: Sequence[str | None], allowed: frozenset[str] | None
) -> Iterator[tuple[int, str]]:
    """The rows (index, town) whose known town is not in ``allowed`` (None: every town is).

    Set-based: the distinct towns of the chunk are checked once; rows are only visited when
    some town is outside.
    """
    if allowed is None:
        return
    outside = {t for t in set(town_codes) if t is not None and t not in allowed}
    if outside:
        for i, town in enumerate(town_codes):
            if town in outside:
                yield i, town


# --------------------------------------------------------------------------- worker process

# Files this big are read and validated in a worker process while this one lands the chunks:
# the two halves of the work then run on two cores (threads would share the GIL).
PARALLEL_BYTES = 4 << 20
_AHEAD = 2  # chunks the worker validates ahead of the one landing

_worker_stream: _Stream | None = None


def _die_with_parent(parent: int) -> None:
    """In the worker: die when the importing process dies (Linux ``PR_SET_PDEATHSIG``).

    The fork inherited the parent's database sockets: an orphaned worker would keep a killed
    import's transaction open on the server, and block a re-run on its uncommitted rows.
    """
    # Not on Linux there is no such call, and a killed import's worker may outlive it.
    with suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def _worker_open(
    url: URL,
    path: Path,
    name: str,
    chunk_size: int,
    now: dt.datetime,
    allowed_towns: frozenset[str] | None,
) -> tuple[list[str], int]:
    """In the worker: open ``path`` for reading; returns its header and the rows expected."""
    global _worker_stream
    # What the fork inherited is never garbage here: keep the collector off it (scanning it
    # would cost time and copy every page the parent shares with this process).
    gc.freeze()
    importer = Importer(
        make_engine(url), chunk_size=chunk_size, now=now, allowed_towns=allowed_towns
    )
    _worker_stream = importer.open_stream(path, name)
    return _worker_stream.headers, _worker_stream.total


def _worker_next() -> _Prepared | None:
    """In the worker: the next validated chunk, or None at the end of the file."""
    assert _worker_stream is not None
    return next(_worker_stream.chunks, None)


def _can_fork() -> bool:
    """Whether a worker can be forked safely: ``fork`` exists and every other thread is a
    daemon (a progress bar's refresh thread, say), not a server's worker thread that could
    hold a lock the child would inherit held. Forking, unlike ``spawn``, does not run the
    caller's ``__main__`` again in the worker."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    current = threading.current_thread()
    return all(thread is current or thread.daemon for thread in threading.enumerate())


class _WorkerStream(_Stream):
    """A file read and validated by a worker process, ``_AHEAD`` chunks ahead."""

    def __init__(self, importer: Importer, path: Path, name: str) -> None:
        self._pool = ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_die_with_parent,
            initargs=(os.getpid(),),
        )
        try:
            url, size, now = importer.engine.url, importer.chunk_size, importer.now
            towns = importer.allowed_towns
            opened = self._pool.submit(_worker_open, url, path, name, size, now, towns)
            headers, total = opened.result()
        except BaseException:
            self._pool.shutdown(cancel_futures=True)
            raise
        super().__init__(headers, total, self._chunks())

    def _chunks(self) -> Iterator[_Prepared]:
        ahead = deque(self._pool.submit(_worker_next) for _ in range(_AHEAD))
        while (prepared := ahead.popleft().result()) is not None:
            ahead.append(self._pool.submit(_worker_next))
            yield prepared

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


# --------------------------------------------------------------------------- landing


_SQLITE_PARAMETERS = 32_000  # bound parameters per statement (SQLite allows 32,766)


class _Lander:
    """Lands prepared chunks in file order, each in its own committed transaction.

    On PostgreSQL a single worker thread lands a chunk while the caller reads and validates
    the next one, so the server's work overlaps the Python work. The caller waits for the
    chunk in flight before handing over the next: at most one chunk is uncommitted at a time.
    """

    def __init__(self, engine: Engine, source: str, summary: ImportSummary) -> None:
        self.engine = engine
        self.source = source
        self.summary = summary
        self._worker: ThreadPoolExecutor | None = None
        if _lands_on_a_worker(engine):
            self._worker = ThreadPoolExecutor(1, thread_name_prefix="qcity-import")
        self._pending: Future[int] | None = None
        self._pending_rows = 0

    def _land(self, prepared: _Prepared) -> int:
        with unit_of_work(self.engine) as session:
            return land(session.connection(), prepared.rows, prepared.items, source=self.source)

    def submit(self, prepared: _Prepared) -> None:
        self.wait()
        if self._worker is None:
            self._count(len(prepared.rows), self._land(prepared))
            return
        context = contextvars.copy_context()  # the audit actor, among others
        self._pending = self._worker.submit(context.run, self._land, prepared)
        self._pending_rows = len(prepared.rows)

    def wait(self) -> None:
        """Wait for the chunk in flight; raises its error."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._count(self._pending_rows, pending.result())

    def _count(self, rows: int, landed: int) -> None:
        self.summary.landed += landed
        self.summary.already_present += rows - landed

    def close(self) -> None:
        if self._worker is not None:
            self._worker.shutdown(wait=True)


def _lands_on_a_worker(engine: Engine) -> bool:
    """Whether landing on a worker thread pays: on PostgreSQL the server does the work in its
    own process while the worker waits on the socket. SQLite inserts run in this process and
    need the GIL between statements; measured on two loaded cores, a worker cost more CPU than
    it overlapped, so SQLite lands in line."""
    return engine.dialect.name == "postgresql"


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
    connection: Connection,
    rows: Sequence[tuple[Any, ...]],
    items: dict[str, list[ItemResult]],
    *,
    source: str = "import",
) -> int:
    """Insert ``rows`` (``INSPECTION_COLUMNS`` order), skipping natural keys already present,
    and the test items of the rows that landed; returns how many landed.

    Each table written is audited once (``qcity.audit.record_bulk``) in the same transaction.
    """
    if not rows:
        return 0
    driver = connection.connection.driver_connection
    assert driver is not None
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        landed, ids = _land_postgresql(connection, driver, rows, items)
    else:
        landed, ids = _land_sqlite(connection, driver, rows, items)
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
        for inspection_id, key in ids
        for item in items[key]
    ]
    if item_rows:
        with closing(driver.cursor()) as cursor:
            if postgresql:
                _copy(cursor, "test_item_result", ITEM_COLUMNS, item_rows)
            else:
                _sqlite_insert(cursor, "test_item_result", ITEM_COLUMNS, item_rows)
    if landed:
        record_bulk(connection, "sampling_inspection", landed, source)
    if item_rows:
        record_bulk(connection, "test_item_result", len(item_rows), source)
    return landed


# The parents a landed row refers to: (its column, table, key, what to call it).
_REFERENCES = (
    (INSPECTION_COLUMNS.index("town_code"), "org_unit", "code", "town"),
    (INSPECTION_COLUMNS.index("sampled_entity_id"), "market_entity", "id", "market entity"),
    (INSPECTION_COLUMNS.index("category_code"), "inspection_category", "code", "category"),
    (INSPECTION_COLUMNS.index("industry_code"), "industry", "code", "industry"),
)


def _check_references(cursor: Any, rows: Sequence[tuple[Any, ...]], postgresql: bool) -> None:
    """Refuse the chunk if a town, entity, category or industry it refers to is gone.

    The importer resolved them when it validated the chunk; this set-wise check (one query
    per table inside the landing transaction, holding the parents' key-share locks on
    PostgreSQL and the write lock on SQLite) keeps that true until the chunk commits, without
    relying on the per-row foreign-key checks.
    """
    for position, table, key, what in _REFERENCES:
        wanted = {row[position] for row in rows}
        wanted.discard(None)
        values = sorted(wanted)
        found: set[Any] = set()
        for start in range(0, len(values), _SQLITE_PARAMETERS):
            batch = values[start : start + _SQLITE_PARAMETERS]
            if postgresql:
                sql = f"SELECT {key} FROM {table} WHERE {key} = ANY(%s) FOR KEY SHARE"
                found.update(r[0] for r in cursor.execute(sql, (batch,)).fetchall())
            else:
                sql = f"SELECT {key} FROM {table} WHERE {key} IN ({', '.join('?' * len(batch))})"
                found.update(r[0] for r in cursor.execute(sql, batch).fetchall())
        missing = sorted(wanted - found)
        if missing:
            raise InputError(
                f"{what} {missing[0]!r} was removed from the database during the import; "
                "run the import again (its rows will be rejected)"
            )


def _copy(cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _land_postgresql(
    connection: Connection,
    driver: Any,
    rows: Sequence[tuple[Any, ...]],
    items: dict[str, list[ItemResult]],
) -> tuple[int, list[tuple[int, str]]]:
    """COPY straight into the table; if a natural key is already there, roll that back and
    insert through a staging table with ``ON CONFLICT (natural_key) DO NOTHING`` instead.

    Returns how many rows landed and the (id, natural key) of those landed that have items.
    """
    from psycopg.errors import UniqueViolation

    columns = ", ".join(INSPECTION_COLUMNS)
    with driver.cursor() as cursor:
        _check_references(cursor, rows, postgresql=True)
        cursor.execute("SAVEPOINT inspection_copy")
        try:
            _copy(cursor, "sampling_inspection", INSPECTION_COLUMNS, rows)
        except UniqueViolation:  # some rows are present: a re-run, or another import
            cursor.execute("ROLLBACK TO SAVEPOINT inspection_copy")
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS _inspection_stage ON COMMIT DELETE ROWS AS "
                f"SELECT {columns} FROM sampling_inspection WITH NO DATA"
            )
            _copy(cursor, "_inspection_stage", INSPECTION_COLUMNS, rows)
            cursor.execute(
                f"INSERT INTO sampling_inspection ({columns}) SELECT {columns} "
                "FROM _inspection_stage ON CONFLICT (natural_key) DO NOTHING "
                "RETURNING id, natural_key"
            )
            landed = cursor.fetchall()
            cursor.execute("TRUNCATE _inspection_stage")
            return len(landed), sorted((i, key) for i, key in landed if key in items)
        cursor.execute("RELEASE SAVEPOINT inspection_copy")
        ids: list[tuple[int, str]] = []
        if items:
            cursor.execute(
                "SELECT id, natural_key FROM sampling_inspection WHERE natural_key = ANY(%s)",
                (list(items),),
            )
            ids = sorted(cursor.fetchall())
    return len(rows), ids


def _land_sqlite(
    connection: Connection,
    driver: Any,
    rows: Sequence[tuple[Any, ...]],
    items: dict[str, list[ItemResult]],
) -> tuple[int, list[tuple[int, str]]]:
    """``INSERT … ON CONFLICT (natural_key) DO NOTHING``, holding the write lock from before
    the check of which rows with items are new.

    Returns how many rows landed and the (id, natural key) of those landed that have items.
    """
    # A big page cache keeps the indexes in memory; checkpoint the WAL less often.
    connection.exec_driver_sql("PRAGMA cache_size = -262144")
    connection.exec_driver_sql("PRAGMA wal_autocheckpoint = 16384")
    with closing(driver.cursor()) as cursor:
        # Writing first takes the database write lock until this chunk commits, so the rows
        # found present below cannot change before the insert.
        cursor.execute("UPDATE sampling_inspection SET id = id WHERE 0")
        _check_references(cursor, rows, postgresql=False)
        wanted = list(items)
        present = {key for _, key in _sqlite_ids(cursor, wanted)}
        landed = _sqlite_insert(
            cursor,
            "sampling_inspection",
            INSPECTION_COLUMNS,
            rows,
            " ON CONFLICT (natural_key) DO NOTHING",
        )
        ids = sorted(_sqlite_ids(cursor, [key for key in wanted if key not in present]))
    return landed, ids


def _sqlite_insert(
    cursor: Any,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    suffix: str = "",
) -> int:
    """Many rows per ``INSERT`` statement; returns the rows inserted.

    Unlike ``executemany`` (which takes the GIL back for every row), each statement runs in
    one ``sqlite3_step`` without the GIL, so the importer's validation thread is not held up.
    """
    row_sql = "(" + ", ".join("?" * len(columns)) + ")"
    per_statement = _SQLITE_PARAMETERS // len(columns)
    inserted = 0
    for start in range(0, len(rows), per_statement):
        batch = rows[start : start + per_statement]
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
            + ", ".join([row_sql] * len(batch))
            + suffix,
            tuple(itertools.chain.from_iterable(batch)),
        )
        inserted += cursor.rowcount
    return inserted


def _sqlite_ids(cursor: Any, keys: Sequence[str]) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for start in range(0, len(keys), _SQLITE_PARAMETERS):
        batch = keys[start : start + _SQLITE_PARAMETERS]
        marks = ", ".join("?" * len(batch))
        found += cursor.execute(
            f"SELECT id, natural_key FROM sampling_inspection WHERE natural_key IN ({marks})",
            batch,
        ).fetchall()
    return found


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
