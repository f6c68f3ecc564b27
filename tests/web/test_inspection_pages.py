"""The inspections browser (/inspections): filters, keyset pages, detail, scope, masked exports."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from qcity.accounts._authz import Principal
from qcity.audit.models import AuditLog
from qcity.db import unit_of_work
from qcity.inspection import _browse as browse
from qcity.inspection.models import SamplingInspection
from tests.accounts.helpers import DONGCHENG, NANCHENG, add_user
from tests.web.analysis_data import PHONE, City, expected, fast_hasher, logged_in, seed_city

__all__ = ["fast_hasher"]
HTMX = {"HX-Request": "true", "HX-Target": "analysis-results"}


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-inspection="(\d+)"', html)]


def _total(html: str) -> int:
    match = re.search(r'data-total="(\d+)"', html)
    assert match, "no total"
    return int(match.group(1))


def _newest_first(city: City, **where: object) -> list[int]:
    rows = [
        r
        for r in city.rows
        if all((r.day.year if k == "year" else getattr(r, k)) == v for k, v in where.items())
    ]
    return [r.id for r in sorted(rows, key=lambda r: (r.day, r.id), reverse=True)]


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ("", {}),
        ("verdict=fail", {"verdict": "fail"}),
        ("period=2024", {"year": 2024}),
        (f"town={NANCHENG}", {"town": NANCHENG}),
        ("domain=manufactured", {"domain": "manufactured"}),
        (
            "period=2025&verdict=fail&domain=food",
            {"year": 2025, "verdict": "fail", "domain": "food"},
        ),
    ],
)
def test_filters_match_an_independent_selection(
    engine: Engine, tmp_path: Path, query: str, where: dict[str, object]
) -> None:
    city = seed_city(engine)
    client = logged_in(engine, tmp_path, "analyst")
    html = client.get(f"/inspections?{query}&lang=en").text
    wanted = _newest_first(city, **where)
    assert _ids(html) == wanted
    assert _total(html) == len(wanted) == expected(city.rows, **where)[0]  # type: ignore[arg-type]


def test_text_category_and_source_filters(engine: Engine, tmp_path: Path) -> None:
    city = seed_city(engine)
    client = logged_in(engine, tmp_path, "analyst")
    assert _ids(client.get("/inspections?q=T0007").text) == [7]  # report number
    mooncakes = _ids(client.get("/inspections?q=月饼").text)  # product name
    assert sorted(mooncakes) == [r.id for r in city.rows if r.product.startswith("月饼")]
    category = _ids(client.get(f"/inspections?category={city.manufactured}").text)
    assert sorted(category) == [r.id for r in city.rows if r.category == city.manufactured]
    odd = _ids(client.get("/inspections?task_source=东莞市").text)
    assert sorted(odd) == [r.id for r in city.rows if r.id % 2]
    unit = _ids(client.get(f"/inspections?unit={city.registry.uscc_b}").text)
    assert sorted(unit) == [r.id for r in city.rows if r.entity == city.registry.uscc_b]


def test_htmx_gets_only_the_results(engine: Engine, tmp_path: Path) -> None:
    city = seed_city(engine)
    client = logged_in(engine, tmp_path, "analyst")
    partial = client.get("/inspections?verdict=fail&lang=en", headers=HTMX)
    assert "<html" not in partial.text and 'id="inspection-filters"' not in partial.text
    assert (
        _total(partial.text) == expected(city.rows, verdict="fail")[0] == 6
        and "export.csv?verdict=fail" in partial.text
    )
    full = client.get("/inspections?verdict=fail&lang=en")
    assert "<html" in full.text and 'hx-get="/inspections"' in full.text
    assert 'method="get" action="/inspections"' in full.text  # works without JavaScript


def test_keyset_pages_walk_every_row_both_ways(engine: Engine) -> None:
    city = seed_city(engine)
    scope = browse.scope_of(Principal("a", "analyst", user_id=1))
    walked: list[int] = []
    cursors = []
    with Session(engine) as session:
        page = browse.page(session, browse.BrowseFilter(), scope, size=10)
        while True:
            walked += [r.id for r in page.rows]
            cursors.append(page)
            if page.older is None:
                break
            page = browse.page(session, browse.BrowseFilter(), scope, after=page.older, size=10)
        assert walked == _newest_first(city)
        back = browse.page(session, browse.BrowseFilter(), scope, before=cursors[-1].newer, size=10)
    assert [r.id for r in back.rows] == [r.id for r in cursors[-2].rows]
    assert page.total == 33 and [len(p.rows) for p in cursors] == [10, 10, 10, 3]


def test_older_link_continues_the_list(engine: Engine, tmp_path: Path) -> None:
    city = seed_city(engine)
    client = logged_in(engine, tmp_path, "analyst")
    newest = _newest_first(city)
    row = next(r for r in city.rows if r.id == newest[4])
    html = client.get(f"/inspections?after={row.day.isoformat()}.{row.id}").text
    assert _ids(html) == newest[5:]
    assert client.get("/inspections?after=yesterday").status_code == 422


def test_row_expands_to_failed_items(engine: Engine, tmp_path: Path) -> None:
    city = seed_city(engine)
    client = logged_in(engine, tmp_path, "analyst")
    failed = next(r for r in city.rows if r.verdict == "fail")
    html = client.get(f"/inspections/{failed.id}/items?lang=en").text
    assert "<html" not in html
    for text in ("菌落总数", f"{1000 + failed.id}", "CFU/g", "≤100", "GB 2726-2016", "Fail"):
        assert text in html
    assert "铅(以Pb计)" not in html  # the passed item is not a failed item
    passed = next(r for r in city.rows if r.verdict == "pass")
    assert "all 1 items tested passed" in client.get(f"/inspections/{passed.id}/items?lang=en").text


def test_enterprise_sees_its_own_inspections_only(engine: Engine, tmp_path: Path) -> None:
    city = seed_city(engine)
    a, c = city.registry.uscc_a, city.registry.uscc_c
    own_a = _newest_first(city)
    own_a = [
        i for i in own_a if any(r.id == i and a in (r.entity, r.manufacturer) for r in city.rows)
    ]
    client = logged_in(engine, tmp_path, "ent_a")
    assert _ids(client.get("/inspections").text) == own_a and len(own_a) == 24  # 18 + 6 as maker
    other = logged_in(engine, tmp_path, "ent_c")
    assert sorted(_ids(other.get("/inspections").text)) == [
        r.id for r in city.rows if r.entity == c
    ]
    refused = own_a[0]
    assert other.get(f"/inspections/{refused}").status_code == 404
    assert other.get(f"/inspections/{refused}/items").status_code == 404
    exported = other.get(f"/inspections/export.csv?q=T{refused:04d}").text
    assert f"T{refused:04d}" not in exported
    assert client.get(f"/inspections/{refused}").status_code == 200


def test_inspector_sees_own_towns(engine: Engine, tmp_path: Path) -> None:
    city = seed_city(engine)
    client = logged_in(engine, tmp_path, "inspector")  # Nancheng
    assert _ids(client.get("/inspections").text) == _newest_first(city, town=NANCHENG)
    assert _ids(client.get(f"/inspections?town={DONGCHENG}").text) == []
    dongcheng = next(r for r in city.rows if r.town == DONGCHENG)
    assert client.get(f"/inspections/{dongcheng.id}").status_code == 404


def test_csv_export_is_the_filter_with_personal_data_masked(engine: Engine, tmp_path: Path) -> None:
    city = seed_city(engine)
    client = logged_in(engine, tmp_path, "admin")  # may unmask on a page, never in exports
    response = client.get(f"/inspections/export.csv?town={DONGCHENG}&lang=en")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["Report number"] for r in rows] == [
        f"T{i:04d}" for i in _newest_first(city, town=DONGCHENG)
    ]
    assert {r["Legal representative"] for r in rows} == {"张*丰", "李*"}
    assert "张三丰" not in text and PHONE not in text and "138****5678" in text
    failed = next(r for r in rows if r["Verdict"] == "Fail")
    assert "菌落总数" in failed["Failed items"]


def test_xlsx_export(engine: Engine, tmp_path: Path) -> None:
    city = seed_city(engine)
    client = logged_in(engine, tmp_path, "analyst")
    response = client.get("/inspections/export.xlsx?verdict=fail")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = list(sheet.values)
    assert len(values) - 1 == expected(city.rows, verdict="fail")[0]
    assert "张三丰" not in str(values) and "张*丰" in str(values)


def test_detail_masks_and_audits_an_unmask(engine: Engine, tmp_path: Path) -> None:
    city = seed_city(engine)
    record = next(r for r in city.rows if r.entity == city.registry.uscc_a)
    analyst = logged_in(engine, tmp_path, "analyst")
    masked = analyst.get(f"/inspections/{record.id}?unmask=true&lang=en").text
    assert "张*丰" in masked and "张三丰" not in masked and "data-unmask" not in masked
    assert PHONE not in masked
    admin = logged_in(engine, tmp_path, "admin")
    offer = admin.get(f"/inspections/{record.id}?lang=en").text
    assert "张*丰" in offer and "data-unmask" in offer
    clear = admin.get(f"/inspections/{record.id}?unmask=true&lang=en").text
    assert "张三丰" in clear
    with Session(engine) as session:
        unmasks = session.scalars(select(AuditLog).where(AuditLog.action == "unmask")).all()
    assert [(u.actor, u.table_name) for u in unmasks] == [("user:admin", "market_entity")]


def test_empty_state_and_login(engine: Engine, tmp_path: Path) -> None:
    add_user(engine, "analyst", "analyst")
    client = logged_in(engine, tmp_path, "analyst")
    html = client.get("/inspections?lang=en").text
    assert 'data-empty="no-results"' in html and "qcity inspection import" in html
    from tests.web.analysis_data import client_for

    anonymous = client_for(engine, tmp_path)
    for url in ("/inspections", "/inspections/1", "/inspections/export.csv"):
        response = anonymous.get(url, follow_redirects=False)
        assert response.status_code == 303, url


def test_remembered_pages_follow_new_rows_and_each_users_scope(
    engine: Engine, tmp_path: Path
) -> None:
    """The results are remembered per data version and scope: a later import shows at once,
    and an inspector asking right after an analyst sees only its own towns."""
    city = seed_city(engine)
    analyst = logged_in(engine, tmp_path, "analyst")
    inspector = logged_in(engine, tmp_path, "inspector")  # Nancheng
    assert _ids(analyst.get("/inspections").text) == _newest_first(city)
    assert _ids(inspector.get("/inspections").text) == _newest_first(city, town=NANCHENG)
    newest = max(city.rows, key=lambda r: (r.day, r.id))
    with Session(engine) as session:
        copy = session.get(SamplingInspection, newest.id)
        assert copy is not None
    added = len(city.rows) + 1
    with unit_of_work(engine) as session:
        fields = {c.key: getattr(copy, c.key) for c in SamplingInspection.__table__.columns}
        session.add(SamplingInspection(**{**fields, "id": added, "natural_key": "R:NEW"}))
    page = analyst.get("/inspections").text
    assert _ids(page)[0] == added and _total(page) == len(city.rows) + 1
    assert 'data-user="analyst"' in page and 'data-user="inspector"' not in page
