"""The recall scope as a sortable spreadsheet: FSMA 204 key data elements per tracking event.

One row per (critical tracking event, traced lot named by it): traceability lot code, product
description, quantity and unit of measure, location description, date, the immediate previous
source (receiving) or immediate subsequent recipient (shipping), and the reference document type
and number (the event's bizTransactionList). ``.xlsx`` files get an autofilter and a frozen
header, plus a second sheet with every affected lot and its current holder; ``.csv`` files are
UTF-8 with a byte-order mark (Excel opens them with the right encoding).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from qcity.errors import InputError
from qcity.trace import repository
from qcity.trace.schemas import TraceLotOut
from qcity.trace.service import Describer, lot_code

KDE_COLUMNS = (
    "critical_tracking_event", "event_id", "date", "time_utc", "traceability_lot_code",
    "identifier", "product_description", "quantity", "unit_of_measure", "location_description",
    "location", "town", "immediate_previous_source", "immediate_subsequent_recipient",
    "reference_document_type", "reference_document_number", "disposition",
)  # fmt: skip
LOT_COLUMNS = (
    "identifier", "traceability_lot_code", "product_description", "depth", "quantity",
    "unit_of_measure", "current_holder", "holder_name", "location", "town",
)  # fmt: skip
CTE = {
    "shipping": "shipping", "receiving": "receiving", "transforming": "transformation",
    "commissioning": "initial packing", "packing": "packing", "unpacking": "unpacking",
    "harvesting": "harvesting", "cooling": "cooling", "returning": "shipping (return)",
}  # fmt: skip
PARTY_ORDER = ("possessing_party", "owning_party", "location")


def _party(parties: list[tuple[str, str]]) -> str | None:
    for wanted in PARTY_ORDER:
        for kind, identifier in parties:
            if kind == wanted:
                return identifier
    return parties[0][1] if parties else None


def kde_rows(
    session: Session, event_pks: Sequence[int], lots: Sequence[TraceLotOut]
) -> list[list[object]]:
    """The KDE table for the events of a trace, restricted to the traced lots."""
    traced = {lot.id for lot in lots}
    details = repository.event_details(session, list(event_pks))
    parties: set[str | None] = set()
    for d in details:
        parties.update({d.biz_location, _party(d.sources), _party(d.destinations)})
    describe = Describer.load(session, traced, parties)
    rows: list[list[object]] = []
    for d in details:
        step = d.biz_step or ""
        if d.event_type == "TransformationEvent":
            cte = "transformation"
        else:
            cte = CTE.get(step) or step or d.event_type
        source = _party(d.sources)
        recipient = _party(d.destinations)
        location = d.biz_location
        where = describe.name(location) or describe.name(source if step == "shipping" else None)
        town = describe.town(None, location)
        doc_types = "; ".join(t or "" for t, _ in d.transactions)
        doc_numbers = "; ".join(n for _, n in d.transactions)
        moment = d.event_time
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        moment = moment.astimezone(dt.UTC)
        for role, identifier, quantity, uom in d.objects:
            if identifier not in traced or (role == "parent" and d.event_type != "ObjectEvent"):
                continue
            previous = _describe_party(describe, source) if step != "shipping" else ""
            subsequent = _describe_party(describe, recipient) if step != "receiving" else ""
            rows.append(
                [
                    cte, d.event_id, moment.date().isoformat(), moment.strftime("%H:%M:%S"),
                    lot_code(identifier), identifier, describe.product(identifier),
                    1.0 if quantity is None else quantity, uom or "EA",
                    where, location or "", town or "", previous, subsequent,
                    doc_types, doc_numbers, d.disposition or "",
                ]
            )  # fmt: skip
    return rows


def _describe_party(describe: Describer, party: str | None) -> str:
    if not party:
        return ""
    name = describe.name(party)
    return f"{name} ({party})" if name else party


def lot_rows(session: Session, lots: Sequence[TraceLotOut]) -> list[list[object]]:
    describe = Describer.load(session, set(), {lot.holder for lot in lots})
    return [
        [
            lot.id, lot_code(lot.id), lot.product, lot.depth, lot.quantity, lot.uom or "EA",
            lot.holder or "", describe.name(lot.holder), lot.location or "", lot.town or "",
        ]
        for lot in lots
    ]  # fmt: skip


def write(
    path: Path, kde: list[list[object]], lots: list[list[object]], title: str = "recall scope"
) -> None:
    """Write ``.xlsx`` (two sheets) or ``.csv`` (the KDE table) according to the suffix."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(KDE_COLUMNS)
            writer.writerows(kde)
        return
    if suffix != ".xlsx":
        raise InputError(f"{path.name}: write a .xlsx or .csv file")
    from openpyxl import Workbook  # imported here: most commands never write a spreadsheet
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    for name, columns, rows in (("KDE", KDE_COLUMNS, kde), ("lots", LOT_COLUMNS, lots)):
        sheet = book.create_sheet(name)
        sheet.freeze_panes = "A2"
        last = get_column_letter(len(columns))
        sheet.auto_filter.ref = f"A1:{last}{max(1, len(rows) + 1)}"
        for i, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = min(48, max(12, len(column) + 2))
        sheet.append(list(columns))
        for row in rows:
            sheet.append(row)
    book.properties.title = title
    book.save(path)
