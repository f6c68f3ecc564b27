"""The SPC workbench: upload measurements, choose a chart, read the capability report.

``GET /spc`` shows the form, ``POST /spc`` analyses an uploaded CSV/XLSX file (or the dataset a
result page posts back), ``POST /spc/results.csv`` downloads the points, limits and violations,
``GET /spc/sample.csv`` is an example file. Uploads are never stored on the server: the parsed
table travels in the user's own page (see :mod:`qcity.web._workbench_data`).
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import numpy as np
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from qcity.accounts._authz import current_user
from qcity.accounts.api import login_redirect, render_page
from qcity.errors import InputError
from qcity.quality._tabular import Table
from qcity.web import _workbench_analysis as analysis
from qcity.web import _workbench_data as data
from qcity.web import i18n

router = APIRouter(include_in_schema=False)


def gettext_for(request: Request) -> data.Gettext:
    """The page locale's ``gettext``."""
    locale = getattr(request.state, "locale", i18n.DEFAULT_LOCALE)
    return i18n.translations(locale).gettext


def _number(text: str, label: str, _: data.Gettext) -> float | None:
    value = text.strip().replace(",", "")
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise InputError(_("{field}: “{value}” is not a number").format(field=label, value=text))
    return number


def _size(text: str, _: data.Gettext) -> int | None:
    value = text.strip()
    if not value:
        return None
    if not value.isdigit() or not 2 <= int(value) <= 1000:
        raise InputError(
            _("Subgroup size: “{value}” is not a whole number from 2 to 1000").format(value=text)
        )
    return int(value)


def _choice(form: dict[str, Any], _: data.Gettext) -> analysis.Choice:
    columns = tuple(c for c in form.get("columns", []) if c)
    rules = form.get("rules") or "default"
    return analysis.Choice(
        chart=form.get("chart") or "i-mr",
        columns=columns,
        subgroup_column=form.get("subgroup_column") or None,
        subgroup_size=_size(form.get("subgroup_size", ""), _),
        size_column=form.get("size_column") or None,
        rules=rules if rules in analysis.RULE_CHOICES else "default",
        lsl=_number(form.get("lsl", ""), _("Lower specification limit (LSL)"), _),
        usl=_number(form.get("usl", ""), _("Upper specification limit (USL)"), _),
        target=_number(form.get("target", ""), _("Target"), _),
    )


def _table(file: UploadFile | None, dataset: str, _: data.Gettext) -> Table | None:
    if file is not None and file.filename:
        content = file.file.read(data.MAX_BYTES + 1)
        return data.parse_upload(content, file.filename, _)
    if dataset:
        return data.load_dataset(dataset, _)
    return None


class ChartForm(BaseModel):
    """The chart fields both ``POST /spc`` and ``POST /spc/results.csv`` take (as posted text).

    ``dataset`` is the table a result page posts back; the other fields are the chart choice,
    parsed and checked by :func:`_choice`.
    """

    dataset: str = ""
    chart: str = "xbar-r"
    columns: list[str] = []
    subgroup_column: str = ""
    subgroup_size: str = ""
    size_column: str = ""
    rules: str = "default"
    lsl: str = ""
    usl: str = ""
    target: str = ""

    def fields(self) -> dict[str, Any]:
        """The chart choice as the page shows it again (blank columns dropped)."""
        fields = self.model_dump(exclude={"dataset"})
        fields["columns"] = [c.strip() for c in self.columns if c.strip()]
        return fields


def _page(request: Request, status: int = 200, **context: Any) -> Response:
    base: dict[str, Any] = {
        "form": {"chart": "xbar-r", "columns": [], "rules": "default"},
        "table": None,
        "dataset": "",
        "numeric": [],
        "result": None,
        "error": None,
        "charts": analysis.CHARTS,
        "fmt": _fmt,
        "min_points": analysis.MIN_POINTS,
        "max_mb": data.MAX_BYTES // 1048576,
    }
    base.update(context)
    return render_page(request, "spc.html", status_code=status, **base)


def _fmt(value: float | None, digits: int = 7) -> str:
    """A statistic with ``digits`` significant digits (— when undefined)."""
    if value is None or not math.isfinite(float(value)):
        return "—"
    return f"{float(value):.{digits}g}"


@router.get("/spc", response_class=HTMLResponse)
def workbench(request: Request) -> Response:
    """The empty workbench: what to upload, with a sample file."""
    if not current_user(request).is_authenticated:
        return login_redirect(request)
    return _page(request)


@router.post("/spc", response_class=HTMLResponse)
def analyse(
    request: Request,
    posted: Annotated[ChartForm, Form()],
    file: UploadFile | None = File(None),
) -> Response:
    """Read the upload (or the posted-back dataset) and draw the chosen chart."""
    if not current_user(request).is_authenticated:
        return login_redirect(request)
    _ = gettext_for(request)
    form = posted.fields()
    table: Table | None = None
    context: dict[str, Any] = {"form": form}
    try:
        table = _table(file, posted.dataset, _)
        if table is None:
            raise InputError(_("Choose a CSV or XLSX file to upload first."))
        context |= {
            "table": table,
            "dataset": data.dump_dataset(table),
            "numeric": data.numeric_columns(table),
            "preview": data.preview(table),
        }
        if not form["columns"]:
            return _page(request, **context)
        result = analysis.analyse(table, _choice(form, _), _)
    except InputError as exc:
        return _page(request, status=422, error=str(exc), **context)
    return _page(request, result=result, chart_data=analysis.payload(result, _), **context)


@router.post("/spc/results.csv")
def results_csv(request: Request, posted: Annotated[ChartForm, Form()]) -> Response:
    """The analysed points, limits and violations as CSV (UTF-8 with a byte-order mark)."""
    if not current_user(request).is_authenticated:
        return login_redirect(request)
    _ = gettext_for(request)
    form = posted.fields()
    try:
        table = data.load_dataset(posted.dataset, _)
        result = analysis.analyse(table, _choice(form, _), _)
    except InputError as exc:
        return _page(request, status=422, error=str(exc), form=form)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(analysis.CSV_COLUMNS)
    writer.writerows(analysis.csv_rows(result, _))
    name = f"{Path(table.source).stem}-{result.chart.chart_type}.csv"
    return Response(
        ("\ufeff" + buffer.getvalue()).encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def sample_csv() -> str:
    """An example: 25 subgroups of 5 fill weights (g), drifting upward in the last subgroups."""
    rng = np.random.default_rng(20251127)
    lines = ["样本组,净含量_g"]
    for group in range(1, 26):
        shift = 1.8 if group >= 22 else 0.0
        for value in rng.normal(500.0 + shift, 1.0, 5):
            lines.append(f"{group},{value:.2f}")
    return "\n".join(lines) + "\n"


@router.get("/spc/sample.csv")
def sample() -> Response:
    """The example file linked from the empty workbench."""
    return Response(
        ("\ufeff" + sample_csv()).encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": "attachment; filename=spc-sample.csv"},
    )
