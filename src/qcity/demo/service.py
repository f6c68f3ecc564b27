"""Building the demo city: Dongguan's towns, GB/T 4754 industries and seeded market entities."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import numpy as np
from sqlalchemy import Engine, Table, delete

from qcity.db.bulk import bulk_insert, deferred_indexes
from qcity.db.session import unit_of_work
from qcity.demo._entities import ENTITY_COLUMNS, Town, generate_entities
from qcity.demo.scale import ENTITIES_AT_SCALE, Scale
from qcity.errors import QcityError
from qcity.inspection import _demo as inspection_demo
from qcity.registry import repository as registry_repository
from qcity.registry import service as registry_service
from qcity.registry.models import MarketEntity
from qcity.trace import _demo as trace_demo

CHUNK = 100_000
DIVISION = "441900"


@dataclass(frozen=True)
class DemoSummary:
    towns: int
    industries: int
    entities: int
    skipped: bool = False


class DemoPresent(QcityError):
    """The database already holds entities and the caller did not ask to replace them."""


def build_demo(
    engine: Engine,
    scale: Scale = Scale.SMALL,
    seed: int = 2024,
    *,
    replace: bool = False,
    if_missing: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Load Dongguan's org units and industries, then generate entities in one transaction.

    Re-running with the same ``scale`` and ``seed`` produces the same records.
    """
    total = ENTITIES_AT_SCALE[scale]
    with unit_of_work(engine) as session:
        present = registry_repository.entity_count(session)
        if present and if_missing:
            return DemoSummary(0, 0, present, skipped=True)
        if present and not replace:
            raise DemoPresent(
                f"the database already holds {present:,} market entities; "
                "pass --replace to rebuild the demo city"
            )
        towns = registry_service.load_towns(
            session, registry_service.packaged_file("dongguan_towns.csv"), registry_service.DONGGUAN
        )
        industries = registry_service.load_industries(session)
        inspection_demo.clear(session)  # inspections refer to entities
        session.execute(delete(MarketEntity))
        town_list = [Town(t.code, t.name_zh_hans) for t in registry_repository.towns(session)]
        connection = session.connection()
        rng = np.random.default_rng(seed)
        with deferred_indexes(connection, cast(Table, MarketEntity.__table__)):
            for start in range(0, total, CHUNK):
                size = min(CHUNK, total - start)
                rows = generate_entities(rng, town_list, start, size, DIVISION)
                bulk_insert(connection, MarketEntity.__tablename__, ENTITY_COLUMNS, rows)
                if on_progress:
                    on_progress(start + size, total)
        inspection_demo.build_inspections(session, scale.value, seed)
        trace_demo.build_chains(session, scale.value, seed)  # EPCIS supply chains
    return DemoSummary(towns, industries, total)
