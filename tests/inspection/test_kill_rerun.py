"""An import killed with SIGKILL midway, then run again, lands every row exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from qcity.db import unit_of_work
from qcity.inspection._layouts import TEMPLATE
from qcity.inspection.models import SamplingInspection, TestItemResult
from tests.inspection.conftest import CLI_SCRIPT, write_csv

ROWS = 40_000
FAILED_EVERY = 20  # every 20th row fails with two items


def _rows() -> list[list[str]]:
    rows = []
    for n in range(1, ROWS + 1):
        failed = n % FAILED_EVERY == 0
        values = {
            "seq": str(n),
            "report_no": f"KILL-{n:07d}",
            "sample_no": "",
            "sampling_date": "2025-03-01",
            "task_source": "市抽",
            "domain": "食品",
            "category": "糕点",
            "town": "虎门",
            "sampled_unit_name": f"店{n}",
            "sampled_unit_address": "",
            "sampled_unit_uscc": "",
            "manufacturer_name": "",
            "manufacturer_address": "",
            "manufacturer_uscc": "",
            "product_name": "蛋糕",
            "brand": "",
            "specification": "",
            "production_batch": "",
            "verdict": "不合格" if failed else "合格",
            "failed_items": "菌落总数║2.1×10⁵CFU/g║≤1×10⁵CFU/g；霉菌║220CFU/g║≤150CFU/g"
            if failed
            else "",
            "test_items": "",
            "lab_name": "实验室",
            "announcement_no": "",
            "announcement_date": "",
            "retest_requested": "",
            "retest_outcome": "",
        }
        rows.append([values[c.field] for c in TEMPLATE])
    return rows


def _count(engine: Engine) -> int:
    with unit_of_work(engine) as session:
        return session.scalar(select(func.count()).select_from(SamplingInspection)) or 0


def _run(path: Path, db_url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "QCITY_DATABASE_URL": db_url}
    command = [
        sys.executable,
        "-c",
        CLI_SCRIPT,
        "inspection",
        "import",
        str(path),
        "--chunk-size",
        "1000",
    ]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.mark.slow
def test_sigkill_midway_then_rerun_lands_every_row_once(
    prepared: Engine, db_url: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "big.csv", [c.header for c in TEMPLATE], _rows())
    process = _run(path, db_url)
    deadline = time.monotonic() + 120
    landed_before_kill = 0
    while time.monotonic() < deadline:
        landed_before_kill = _count(prepared)
        if landed_before_kill >= 3_000:
            break
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)
    assert process.poll() is None, "the import finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    after_kill = _count(prepared)
    assert 0 < after_kill < ROWS  # committed chunks survive, the rest is missing

    rerun = _run(path, db_url)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert f"{ROWS:,} rows read, {ROWS - after_kill:,} landed, 0 rejected, " in out
    assert f"{after_kill:,} already present" in out
    with unit_of_work(prepared) as session:
        total, distinct = session.execute(
            select(func.count(), func.count(func.distinct(SamplingInspection.natural_key)))
        ).one()
        items = session.scalar(select(func.count()).select_from(TestItemResult))
        fails = session.scalar(
            select(func.count())
            .select_from(SamplingInspection)
            .where(SamplingInspection.verdict == "fail")
        )
    assert total == distinct == ROWS
    assert fails == ROWS // FAILED_EVERY
    assert items == 2 * fails  # no item landed twice or went missing
