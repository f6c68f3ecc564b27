"""The public portal: announced failed samples and recall notices only, no personal data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qcity.db import unit_of_work
from qcity.inspection import service as inspection_service
from qcity.inspection.models import SamplingInspection, TestItemResult
from qcity.registry import service as registry_service
from qcity.trace.models import RecallCase, RecallHolder, RecallLot, RecallProgress
from qcity.web._portal_cache import TtlCache
from tests.accounts.helpers import add_user, login, make_client

DONGCHENG, NANCHENG = "441900003000", "441900004000"
TODAY = dt.date.today()
LONG_AGO = dt.date(2025, 3, 10)
# Personal data seeded where it must never surface.
OWNER_PHONE = "13912345678"
INSPECTOR_NAME = "王秘密"
NOTE = "内部备注：联系人李小红"


def _inspection(
    ident: int,
    *,
    verdict: str = "fail",
    announced: dt.date | None = LONG_AGO,
    day: dt.date = LONG_AGO,
    town: str = DONGCHENG,
    category: str = "F01",
    product: str = "",
) -> SamplingInspection:
    return SamplingInspection(
        id=ident,
        natural_key=f"R:T{ident}",
        task_source="东莞市市场监督管理局2025年食品安全监督抽检",
        sampling_date=day,
        town_code=town,
        sampled_unit_name=f"东莞市测试超市{ident}",
        sampled_unit_address=f"东莞市东城区测试路{ident}号 电话{OWNER_PHONE}",
        manufacturer_name=f"东莞测试食品厂{ident}",
        manufacturer_address="东莞市南城区工业路1号",
        product_name=product or f"测试产品{ident}",
        brand="测试牌",
        specification="500g/袋",
        production_batch="2025-02-01",
        category_code=category,
        verdict=verdict,
        lab_name="东莞市质量检验所",
        report_no=f"T{ident}",
        announcement_no=f"2025年第{ident}期" if announced else None,
        announcement_date=announced,
        imported_at=dt.datetime(2025, 4, 1, tzinfo=dt.UTC),
        items=[
            TestItemResult(
                item="铅(以Pb计)",
                result="0.9",
                unit="mg/kg",
                standard_limit="≤0.2",
                standard_reference="GB 2762-2022",
                verdict=verdict,
            )
        ],
    )


def _seed(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        registry_service.load_towns(
            session,
            registry_service.packaged_file("dongguan_towns.csv"),
            registry_service.DONGGUAN,
        )
        registry_service.load_industries(session)
        inspection_service.load_categories(session)
        session.add_all(
            [
                _inspection(1, product="已公告大米"),
                _inspection(2, product="另一镇酱油", town=NANCHENG, category="F03"),
                _inspection(3, product="未公告面粉", announced=None),
                _inspection(4, product="将来公告饼干", announced=TODAY + dt.timedelta(days=30)),
                _inspection(5, product="合格的食用油", verdict="pass"),
            ]
        )
        case = RecallCase(
            root="urn:epc:class:lgtin:6901234.012345.LOT7",
            scope="forward",
            reason=f"铅超标，消费者投诉电话{OWNER_PHONE}",
            hazard="重金属",
            started_by=INSPECTOR_NAME,
            started_at=dt.datetime(2025, 5, 1, 9, tzinfo=dt.UTC),
            status="open",
            lots=1,
            holders=1,
            recalled_events=0,
        )
        session.add(case)
        session.flush()
        session.add(
            RecallLot(
                case_id=case.id,
                identifier="urn:epc:class:lgtin:6901234.012345.LOT7",
                product="召回酱油",
                depth=0,
                holder="91441900MA00000022",
                town_code=DONGCHENG,
                quantity=100.0,
            )
        )
        holder = RecallHolder(
            case_id=case.id,
            holder="91441900MA00000022",
            name="张三丰个体店",
            town_code=DONGCHENG,
            lots=1,
            quantity=100.0,
            state="removed",
            notified_at=dt.datetime(2025, 5, 1, 9, tzinfo=dt.UTC),
        )
        session.add(holder)
        session.flush()
        session.add(
            RecallProgress(
                holder_id=holder.id,
                state="removed",
                quantity=100.0,
                reported_by=INSPECTOR_NAME,
                reported_at=dt.datetime(2025, 5, 2, tzinfo=dt.UTC),
                note=NOTE,
            )
        )


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    _seed(engine)
    with make_client(engine) as test_client:
        yield test_client


PAGES = ("/public", "/public/announcements", "/public/recalls", "/public/recalls/1")


@pytest.mark.parametrize("path", PAGES)
def test_pages_open_to_anonymous_without_personal_data(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    html = response.text
    for secret in (OWNER_PHONE, INSPECTOR_NAME, "李小红", "张三丰", "未公告面粉", "将来公告饼干"):
        assert secret not in html, f"{secret} leaked into {path}"
    assert "合格的食用油" not in html  # passed samples are not announced


def test_announcements_list_only_announced_failures(client: TestClient) -> None:
    html = client.get("/public/announcements").text
    assert "已公告大米" in html and "另一镇酱油" in html
    assert "139****5678" in html  # the phone in the address is masked, as publish does
    assert "铅(以Pb计): 0.9 (≤0.2, GB 2762-2022)" in html
    assert 'data-total="2"' in html
    assert "12315" in html


def test_announcements_filter_by_town_category_and_period(client: TestClient) -> None:
    by_town = client.get(f"/public/announcements?town={NANCHENG}").text
    assert "另一镇酱油" in by_town and "已公告大米" not in by_town
    by_category = client.get("/public/announcements?category=F01").text
    assert "已公告大米" in by_category and "另一镇酱油" not in by_category
    by_domain = client.get("/public/announcements?category=F").text  # parent: all food
    assert 'data-total="2"' in by_domain
    empty = client.get("/public/announcements?period=2024-Q1").text
    assert 'data-total="0"' in empty and "清除筛选" in empty


def test_bad_filters_say_what_to_fix(client: TestClient) -> None:
    response = client.get("/public/announcements?period=last-year&town=999")
    assert response.status_code == 400
    assert "2025-Q3" in response.text and "last-year" in response.text
    assert "未知的镇街" in response.text


def test_keyset_pages_cover_every_row_once(engine: Engine) -> None:
    _seed(engine)
    with unit_of_work(engine) as session:
        session.add_all(
            _inspection(100 + i, day=LONG_AGO - dt.timedelta(days=i % 3)) for i in range(30)
        )
    seen: list[str] = []
    with make_client(engine) as client:
        url = "/public/announcements"
        for _ in range(5):
            html = client.get(url).text
            seen += [part.split('"')[0] for part in html.split('data-announcement="')[1:]]
            if 'rel="next"' not in html:
                break
            url = "/public/announcements" + html.split('rel="next" href="')[1].split('"')[0]
            url = url.replace("&amp;", "&")
    assert len(seen) == 32 and len(set(seen)) == 32


def test_recall_notice_explains_what_to_do(client: TestClient) -> None:
    html = client.get("/public/recalls/1").text
    assert "召回酱油" in html and "LOT7" in html and "铅超标" in html
    assert "东城街道" in html
    assert "12315" in html and "零售商" in html
    assert "1 家中已有 1 家下架" in html


def test_unknown_recall_is_a_page_not_a_traceback(client: TestClient) -> None:
    for path in ("/public/recalls/999", "/public/recalls/abc", "/public/recalls/" + "9" * 30):
        response = client.get(path)
        assert response.status_code == 404
        assert "/public/recalls" in response.text


def test_headline_pass_rates_against_plan_targets(client: TestClient) -> None:
    html = client.get("/public?lang=en").text
    assert 'data-domain="food"' in html
    row = html.split('data-domain="food"')[1].split("</tr>")[0]
    # 2025: five food samples, two announced failures plus one unannounced and one future.
    assert "≥ 98.5%" in row
    assert "Target missed" in row


def test_english_and_traditional(client: TestClient) -> None:
    assert "Failed samples announced" in client.get("/public/announcements?lang=en").text
    assert "召回" in client.get("/public/recalls?lang=zh_Hant").text


def test_internal_pages_stay_closed_to_anonymous(client: TestClient) -> None:
    for path in ("/account", "/admin/audit"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code in (303, 401, 403), path


def test_conditional_get_returns_304(client: TestClient) -> None:
    first = client.get("/public/recalls")
    assert first.headers["cache-control"].startswith("private, max-age=")
    again = client.get("/public/recalls", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_logged_in_users_see_the_same_public_data(engine: Engine) -> None:
    _seed(engine)
    add_user(engine, "ana", "analyst")
    with make_client(engine) as client:
        assert login(client, "ana").status_code == 303
        html = client.get("/public/announcements").text
    assert 'data-total="2"' in html and "未公告面粉" not in html


def test_ttl_cache_expires_and_bounds_entries() -> None:
    cache = TtlCache(ttl=0.0, max_entries=2)
    calls: list[int] = []
    assert cache.get("a", lambda: calls.append(1) or 1) == 1
    assert cache.get("a", lambda: calls.append(2) or 2) == 2  # expired at once
    lasting = TtlCache(ttl=60, max_entries=2)
    for key in ("a", "b", "c"):
        lasting.get(key, lambda k=key: k)
    assert lasting.get("a", lambda: "recomputed") == "recomputed"  # evicted (oldest)
    assert lasting.get("c", lambda: "recomputed") == "c"
