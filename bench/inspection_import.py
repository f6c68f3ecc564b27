"""Sampling-inspection import speed: rows/s for 10^6 CSV rows and 10^5 .xlsx rows.

Targets (2-core machine): 10^6 CSV rows in under 60 s, 10^5 .xlsx rows in under 20 s.

The files are seeded and written in qcity's template layout (with about 3 % failed samples, a
failed-items cell in the published ║ format, dates in the four accepted spellings, towns named
in 所在镇街 or only in the address, and 0.5 % bad rows that must be rejected). The database holds
the `small` demo city first, so entity look-ups and the unique index work against real data.

Baseline: the same rows imported the ordinary way, one ORM object per inspection and per test
item, with a per-row existence check on the natural key and a flush every 1,000 rows, timed on
a 10^4-row sample and extrapolated. The ratio is our rows/s over the baseline's rows/s.

Run: .venv/bin/python bench/inspection_import.py [--csv-rows N] [--xlsx-rows N]
     [--backends sqlite,postgresql]   (PostgreSQL: QCITY_DATABASE_URL's server if it is a
     postgresql URL, else a temporary server started like the test suite does)
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).parents[1]))

from qcity.db import make_engine, unit_of_work, upgrade
from qcity.demo.service import Scale, build_demo
from qcity.inspection._import import Importer, natural_key
from qcity.inspection._layouts import TEMPLATE
from qcity.inspection._parse import parse_date, parse_failed_items
from qcity.inspection.models import SamplingInspection, TestItemResult
from qcity.registry import repository as registry_repository
from qcity.registry.service import packaged_file as registry_packaged_file
from tests.pgserver import PostgresServer

BASELINE_ROWS = 10_000
HEADERS = [c.header for c in TEMPLATE]
CATEGORIES = (
    "糕点",
    "餐饮食品",
    "食用农产品",
    "肉制品",
    "饮料",
    "调味品",
    "粮食加工品",
    "蔬菜",
    "水果",
    "电线电缆",
    "玩具",
    "纺织服装",
    "家用电器",
    "钢筋",
    "水泥",
)
FAILED = (
    "大肠菌群║检出/50cm2║不得检出/50cm2",
    "菌落总数║2.1×10⁵CFU/g║≤1×10⁵CFU/g",
    "腐霉利║0.53mg/kg║≤0.2mg/kg",
    "脱氢乙酸及其钠盐(以脱氢乙酸计)║0.62g/kg║≤0.5g/kg",
    "甲醛含量║35mg/kg║≤20mg/kg\npH值║8.1║4.0~7.5",
)
PRODUCTS = (
    "蛋糕",
    "复用餐饮具(碗)",
    "韭菜",
    "酱卤肉",
    "果汁饮料",
    "酱油",
    "小麦粉",
    "豇豆",
    "沃柑",
    "BV 2.5mm²电线",
    "毛绒玩具",
    "针织T恤",
    "电热水壶",
    "HRB400钢筋",
    "P·O 42.5水泥",
)


def towns() -> list[str]:
    with registry_packaged_file("dongguan_towns.csv").open(encoding="utf-8") as f:
        return [row["name_zh_hans"] for row in csv.DictReader(f)]


def generate_rows(n: int, seed: int) -> list[list[str]]:
    """``n`` template rows, seeded; about 0.5 % carry an error the importer must reject."""
    rng = np.random.default_rng(seed)
    town_names = towns()
    day0 = dt.date(2023, 1, 1).toordinal()
    days = rng.integers(0, 1095, n)
    town = rng.integers(0, len(town_names), n)
    cat = rng.integers(0, len(CATEGORIES), n)
    fail = rng.random(n) < 0.03
    bad = rng.random(n) < 0.005
    style = rng.integers(0, 4, n)
    explicit_town = rng.random(n) < 0.5
    unit = rng.integers(0, 50_000, n)
    rows = []
    for i in range(n):
        d = dt.date.fromordinal(day0 + int(days[i]))
        s = int(style[i])
        date = (
            d.isoformat(),
            f"{d.year}/{d.month}/{d.day}",
            f"{d.year}年{d.month}月{d.day}日",
            str((d - dt.date(1899, 12, 30)).days),
        )[s]
        tn = town_names[int(town[i])]
        c = int(cat[i])
        row = [
            str(i + 1),
            f"BJ{seed}-{i:08d}",
            "",
            date,
            "东莞市2025年食品安全监督抽检",
            "",
            CATEGORIES[c],
            tn if explicit_town[i] else "",
            f"东莞市{tn[:2]}鸿福商行{int(unit[i])}",
            f"广东省东莞市{tn}振兴路{int(unit[i]) % 300 + 1}号",
            "",
            "东莞市华盛食品有限公司",
            "广东省东莞市茶山镇工业路8号",
            "",
            PRODUCTS[c],
            "华盛",
            "500g/袋",
            d.isoformat(),
            "不合格" if fail[i] else "合格",
            FAILED[c % len(FAILED)] if fail[i] else "",
            "",
            "东莞市食品药品检验所",
            f"{d.year}年第{d.month}期",
            "",
            "否",
            "",
        ]
        if bad[i]:
            kind = i % 4
            if kind == 0:
                row[3] = "2025-13-45"
            elif kind == 1:
                row[6] = "火锅底料类"
            elif kind == 2:
                row[13] = "91440300192203821X"
            else:
                row[18] = "合格" if fail[i] else "不合格"
                row[19] = FAILED[0]
        rows.append(row)
    return rows


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)


def write_xlsx(path: Path, rows: list[list[str]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("抽检记录")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def prepare(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    build_demo(engine, Scale.SMALL, seed=2024, replace=True)
    engine.dispose()


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the importer's worker process)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def ours(url: str, path: Path) -> tuple[float, float, str]:
    """Seconds and CPU seconds (this process and the worker, not a database server)."""
    engine = make_engine(url)
    cpu = cpu_seconds()
    started = time.perf_counter()
    summary = Importer(engine).import_file(path, rejects_dir=path.parent / "rejects")
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds() - cpu
    engine.dispose()
    return elapsed, cpu, summary.line()


def baseline(url: str, rows: list[list[str]]) -> float:
    """Per-row ORM import of ``rows``: existence check, one object per record and item."""
    engine = make_engine(url)
    index = {h: i for i, h in enumerate(HEADERS)}
    with unit_of_work(engine) as session:
        town_codes = {t.name_zh_hans: t.code for t in registry_repository.towns(session)}
    started = time.perf_counter()
    with Session(engine) as session:
        now = dt.datetime.now(dt.UTC)
        for i, row in enumerate(rows, start=1):

            def get(header: str, row: list[str] = row) -> str:
                return row[index[header]]

            try:
                day = parse_date(get("抽样日期"))
                items = parse_failed_items(get("不合格项目║检验结果║标准值"))
            except ValueError:
                continue
            town = town_codes.get(get("所在镇街")) or next(
                (code for name, code in town_codes.items() if name in get("被抽样单位地址")), None
            )
            key = natural_key(get("报告编号"), get("检验机构"), get("抽样单编号"))
            exists = session.scalar(
                select(SamplingInspection.id).where(SamplingInspection.natural_key == key)
            )
            if exists or town is None:
                continue
            record = SamplingInspection(
                natural_key=key,
                task_source=get("任务来源/项目名称"),
                sampling_date=day,
                town_code=town,
                sampled_unit_name=get("被抽样单位名称"),
                sampled_unit_address=get("被抽样单位地址"),
                manufacturer_name=get("标称生产企业名称"),
                manufacturer_address=get("标称生产企业地址"),
                product_name=get("产品名称"),
                brand=get("商标"),
                specification=get("规格型号"),
                production_batch=get("生产日期/批号"),
                category_code="F24",
                verdict="fail" if items else "pass",
                lab_name=get("检验机构"),
                report_no=get("报告编号"),
                imported_at=now,
                retest_requested=False,
            )
            record.items = [
                TestItemResult(
                    item=it.item,
                    result=it.result,
                    result_value=it.result_value,
                    unit=it.unit,
                    standard_limit=it.standard_limit,
                    standard_reference="",
                    verdict="fail",
                    hazard_class=it.hazard_class,
                )
                for it in items
            ]
            session.add(record)
            if i % 1000 == 0:
                session.flush()
        session.commit()
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def postgres_urls(server: PostgresServer | None) -> tuple[str, str]:
    """(admin URL, URL template with {db}) for the PostgreSQL runs."""
    configured = os.environ.get("QCITY_DATABASE_URL", "")
    if configured.startswith("postgres"):
        url = make_url(configured)
        return (
            url.set(database="postgres").render_as_string(hide_password=False),
            url.set(database="{db}").render_as_string(hide_password=False),
        )
    assert server is not None
    return server.url("postgres"), server.url("{db}")


def fresh_url(backend: str, workdir: Path, name: str, pg: tuple[str, str] | None) -> str:
    if backend == "sqlite":
        return f"sqlite:///{workdir / f'{name}.sqlite3'}"
    assert pg is not None
    admin = make_engine(pg[0], isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    return pg[1].replace("{db}", name).replace("%7Bdb%7D", name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--csv-rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    backends = args.backends.split(",")
    configured = os.environ.get("QCITY_DATABASE_URL", "").startswith("postgres")
    server = PostgresServer() if "postgresql" in backends and not configured else None
    if server:
        server.start()
    try:
        pg = postgres_urls(server) if "postgresql" in backends else None
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            started = time.perf_counter()
            csv_rows = generate_rows(args.csv_rows, seed=1)
            csv_path = workdir / "inspections.csv"
            write_csv(csv_path, csv_rows)
            xlsx_path = workdir / "inspections.xlsx"
            write_xlsx(xlsx_path, generate_rows(args.xlsx_rows, seed=2))
            sample = generate_rows(BASELINE_ROWS, seed=3)
            print(f"generated files in {time.perf_counter() - started:.1f} s", flush=True)
            print(
                f"{'backend':<11} {'file':<6} {'rows':>10} {'seconds':>8} {'rows/s':>9}"
                f" {'baseline/s':>11} {'ratio':>6}  target"
            )
            for backend in backends:
                url = fresh_url(backend, workdir, "bench_inspection_base", pg)
                prepare(url)
                base_rate = BASELINE_ROWS / baseline(url, sample)
                for label, path, n, target in (
                    ("csv", csv_path, args.csv_rows, 60),
                    ("xlsx", xlsx_path, args.xlsx_rows, 20),
                ):
                    url = fresh_url(backend, workdir, f"bench_inspection_{label}", pg)
                    prepare(url)
                    seconds, cpu, line = ours(url, path)
                    rate = n / seconds
                    scaled_target = target * n / (1_000_000 if label == "csv" else 100_000)
                    verdict = "ok" if seconds < scaled_target else "SLOW"
                    print(
                        f"{backend:<11} {label:<6} {n:>10,} {seconds:>8.1f} {rate:>9,.0f}"
                        f" {base_rate:>11,.0f} {rate / base_rate:>5.1f}x  <{scaled_target:.0f} s"
                        f" {verdict}  (load {os.getloadavg()[0]:.1f}, {cpu:.1f} CPU s)",
                        flush=True,
                    )
                    print(f"    {line}", flush=True)
            print(
                f"baseline: per-row ORM import with an existence check per row and a flush "
                f"every 1,000 rows, timed on {BASELINE_ROWS:,} rows; load is the 1-minute load "
                f"average on {os.cpu_count()} CPUs (a shared machine times slower); CPU s is "
                "the importer's own CPU time (main and worker process, not the database server)"
            )
    finally:
        if server:
            server.stop()


if __name__ == "__main__":
    main()
