"""The trace bench's fast row generator stores what the Emitter + insert_events would store."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

from qcity.trace import repository
from qcity.trace._demo import Emitter, fast_hash

BENCH = Path(__file__).parents[2] / "bench" / "trace.py"


def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_trace", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_trace"] = module
    spec.loader.exec_module(module)
    return module


def expected_rows(events: list[repository.StoredEvent], dialect: str) -> list[list[tuple]]:  # type: ignore[type-arg]
    rows: list[list[tuple]] = [[], [], [], []]  # type: ignore[type-arg]
    for pk, ev in enumerate(events, start=1):
        rows[0].append(
            (pk, ev.event_id, ev.event_hash, ev.event_type, ev.action,
             repository.time_text(ev.event_time, dialect), ev.time_zone_offset, "NOW",
             ev.biz_step, ev.disposition, ev.read_point, ev.biz_location, ev.parent_id,
             ev.transformation_id, False, ev.document)
        )  # fmt: skip
        rows[1] += [(pk, *o) for o in ev.objects]
        rows[2] += [(pk, *p) for p in ev.parties]
        rows[3] += [(pk, *t) for t in ev.transactions]
    return rows


def copy_text(row: tuple) -> str:  # type: ignore[type-arg]
    cells = ["\\N" if v is None else ("t" if v else "f") if isinstance(v, bool) else str(v)
             for v in row]  # fmt: skip
    return "\t".join(cells) + "\n"


def test_row_emitter_matches_the_emitter_on_both_backends() -> None:
    b = bench()
    parties = b.tiers(random.Random(5))
    reference = Emitter(hasher=fast_hash)
    for run in range(4):
        b.run_events(reference, random.Random(run), parties, run)
    for dialect in ("sqlite", "postgresql"):
        fast = b.RowEmitter(0, 1, dialect, "NOW")
        for run in range(4):
            b.run_events(fast, random.Random(run), parties, run)
        got = [fast.rows.events, fast.rows.objects, fast.rows.parties, fast.rows.transactions]
        want = expected_rows(reference.events, dialect)
        if dialect == "postgresql":
            want = [[copy_text(r) for r in table] for table in want]
        assert got == want
        assert len(fast) == len(reference.events) == 4 * 35
