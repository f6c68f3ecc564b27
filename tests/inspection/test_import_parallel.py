"""Reading and validating in a worker process lands exactly what the in-process import lands.

Big files are read and validated by a forked worker process while this one lands the chunks.
These tests force the worker on small files and compare every observable result with the
in-process import: summary counts, rejections, rows in file order, items and audit rows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from qcity.audit.models import AuditLog
from qcity.db import unit_of_work
from qcity.errors import InputError
from qcity.inspection import _import
from qcity.inspection._import import Importer, ImportSummary
from qcity.inspection._layouts import TEMPLATE
from qcity.inspection.models import SamplingInspection
from tests.inspection.conftest import read_csv, write_csv
from tests.inspection.test_import import count, template_row
from tests.inspection.test_import_chunks import FAILED, _landed

HEADERS = [c.header for c in TEMPLATE]


def _mixed_rows() -> list[list[str]]:
    """Rows 1-60: every 7th failed with two items, a blank row, a bad date, an unknown
    category and a duplicate of an earlier chunk's row."""
    rows = [
        template_row(
            n,
            test_items="",
            verdict="不合格" if n % 7 == 0 else "合格",
            failed_items=FAILED if n % 7 == 0 else "",
        )
        for n in range(1, 61)
    ]
    rows[12] = template_row(13, sampling_date="2025-13-45")
    rows[40] = template_row(41, category="火锅底料类")
    rows.insert(30, [""] * len(HEADERS))
    rows.append(template_row(99, report_no="GDJ2025-000005"))
    return rows


def _outcome(summary: ImportSummary) -> tuple[object, ...]:
    return (
        summary.rows_read,
        summary.landed,
        summary.rejected,
        summary.already_present,
        [(r.row, r.reason) for r in summary.rejections],
    )


def _bulk_audit(engine: Engine) -> list[tuple[str, int]]:
    with unit_of_work(engine) as session:
        rows = session.execute(
            select(AuditLog.table_name, AuditLog.after)
            .where(AuditLog.action == "bulk")
            .order_by(AuditLog.id)
        ).all()
    return [(table, after["count"]) for table, after in rows]


def _clear(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        session.query(SamplingInspection).delete()  # items go by ON DELETE CASCADE


def test_worker_process_lands_what_the_in_process_import_lands(
    prepared: Engine, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "mixed.csv", HEADERS, _mixed_rows())
    in_process = Importer(prepared, chunk_size=8).import_file(path, parallel=False)
    expected_rows = _landed(prepared)
    expected_rejects = read_csv(in_process.rejects_file) if in_process.rejects_file else []
    _clear(prepared)

    progress: list[tuple[int, int]] = []
    summary = Importer(prepared, chunk_size=8).import_file(
        path, parallel=True, on_progress=lambda done, total: progress.append((done, total))
    )

    assert _outcome(summary) == _outcome(in_process)
    assert (summary.rows_read, summary.landed, summary.rejected) == (61, 58, 3)
    assert _landed(prepared) == expected_rows
    assert summary.rejects_file is not None
    assert read_csv(summary.rejects_file) == expected_rejects
    assert [done for done, _ in progress] == [8, 16, 24, 32, 40, 48, 56, 61, 61]
    assert progress[-1] == (61, 61)

    again = Importer(prepared, chunk_size=8).import_file(path, parallel=True)
    assert (again.landed, again.already_present, again.rejected) == (0, 58, 3)
    assert _landed(prepared) == expected_rows


def test_worker_process_audits_each_chunk_like_the_in_process_import(
    prepared: Engine, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "mixed.csv", HEADERS, _mixed_rows())
    first = len(_bulk_audit(prepared))
    Importer(prepared, chunk_size=8).import_file(path, parallel=False)
    in_process = _bulk_audit(prepared)[first:]
    _clear(prepared)
    second = len(_bulk_audit(prepared))
    Importer(prepared, chunk_size=8).import_file(path, parallel=True)
    assert _bulk_audit(prepared)[second:] == in_process
    assert ("test_item_result", 4) in in_process  # rows 7 and 14, two items each


def test_an_unreadable_row_is_a_one_line_error_after_the_chunks_before_it_land(
    prepared: Engine, tmp_path: Path
) -> None:
    rows = [template_row(n, test_items="") for n in range(1, 5001)]
    rows[4500] = template_row(4501, brand="华" * 200_000)  # row 4502: over the reader's limit
    path = write_csv(tmp_path / "huge.csv", HEADERS, rows)
    with pytest.raises(InputError, match=r"huge\.csv: row 4502: cannot read") as error:
        Importer(prepared, chunk_size=1000).import_file(path, parallel=True)
    assert "\n" not in str(error.value)
    # Rows are read 4,096 at a time: the four chunks of the first block land.
    assert count(prepared, SamplingInspection) == 4000


def test_a_missing_column_in_the_worker_is_the_same_one_line_error(
    prepared: Engine, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "cols.csv", ["序号", "产品名称"], [["1", "蛋糕"]])
    with pytest.raises(InputError, match=r"cols\.csv: missing column\(s\) ") as error:
        Importer(prepared).import_file(path, parallel=True)
    assert "\n" not in str(error.value)


def _with_thread(daemon: bool) -> tuple[threading.Thread, threading.Event]:
    release = threading.Event()
    thread = threading.Thread(target=release.wait, daemon=daemon)
    thread.start()
    return thread, release


def _only_threads(monkeypatch: pytest.MonkeyPatch, *others: threading.Thread) -> None:
    """Let the rule see exactly this thread and ``others`` (the suite runs threads of its own)."""
    threads = [threading.current_thread(), *others]
    monkeypatch.setattr(threading, "enumerate", lambda: list(threads))


def test_no_worker_is_forked_while_a_non_daemon_thread_runs(
    prepared: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _only_threads(monkeypatch)
    assert _import._can_fork()
    other, release = _with_thread(daemon=False)  # a web server's worker thread, say
    try:
        _only_threads(monkeypatch, other)
        assert not _import._can_fork()
        path = write_csv(tmp_path / "t.csv", HEADERS, [template_row(n) for n in range(1, 6)])
        summary = Importer(prepared).import_file(path, parallel=True)  # read in this process
        assert summary.landed == 5
    finally:
        release.set()
        other.join()


def test_a_daemon_thread_such_as_a_progress_bar_still_allows_the_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other, release = _with_thread(daemon=True)  # Rich's refresh thread is a daemon
    try:
        _only_threads(monkeypatch, other)
        assert _import._can_fork()
    finally:
        release.set()
        other.join()


def _processes_running(marker: str) -> list[int]:
    """Processes whose command line holds ``marker`` (a forked worker keeps its parent's)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if marker.encode() in cmdline and state != "Z":
                found.append(int(entry.name))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_the_worker_dies_with_a_killed_import(
    prepared: Engine, db_url: str, tmp_path: Path
) -> None:
    rows = [template_row(n, test_items="") for n in range(1, 20_001)]
    path = write_csv(tmp_path / "kill.csv", HEADERS, rows)
    marker = f"qcity-worker-test-{os.getpid()}"
    script = (
        f"# {marker}\n"
        "import sys\n"
        "from pathlib import Path\n"
        "from qcity.db import make_engine\n"
        "from qcity.inspection._import import Importer\n"
        "Importer(make_engine(sys.argv[1]), chunk_size=500).import_file(\n"
        "    Path(sys.argv[2]), parallel=True)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script, db_url, str(path)])
    deadline = time.monotonic() + 120
    while count(prepared, SamplingInspection) < 1_000 and time.monotonic() < deadline:
        assert process.poll() is None, "the import ended before it could be killed"
        time.sleep(0.02)
    assert len(_processes_running(marker)) == 2  # the import and its worker
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    deadline = time.monotonic() + 10
    while _processes_running(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_running(marker) == []
    # Nothing is left holding the killed run's transaction: a re-run completes.
    summary = Importer(prepared, chunk_size=5_000).import_file(path, parallel=True)
    assert summary.landed + summary.already_present == 20_000
    assert count(prepared, SamplingInspection) == 20_000
