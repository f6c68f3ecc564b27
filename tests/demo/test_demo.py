"""The demo city: reproducible, valid credit codes, Dongguan's shape and clusters."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from sqlalchemy import Engine, select

from qcity.db import unit_of_work
from qcity.demo._entities import Town, credit_codes, generate_entities
from qcity.demo.service import DemoPresent, Scale, build_demo
from qcity.registry import repository, service
from qcity.registry.models import MarketEntity
from qcity.registry.uscc import is_valid_uscc

CLUSTERS = {
    "441900121000": "18",  # 虎门: garments
    "441900122000": "21",  # 厚街: furniture
    "441900113000": "17",  # 大朗: knitwear (textiles)
    "441900401000": "39",  # 松山湖: electronics
    "441900106000": "29",  # 横沥: plastic products and moulds
    "441900103000": "14",  # 茶山: food
}


def _towns() -> list[Town]:
    path = service.packaged_file("dongguan_towns.csv")
    return [Town(t.code, t.name_zh_hans) for t in service.read_towns(path)]


def test_credit_codes_are_valid_and_distinct() -> None:
    n = 50_000
    serials = np.arange(n, dtype=np.int64)
    category = np.where(np.arange(n) % 3 == 0, "2", "1")
    new_style = np.arange(n) % 2 == 0
    codes = credit_codes(serials, category, new_style, "441900")
    assert len(set(codes.tolist())) == n
    assert all(is_valid_uscc(c) for c in codes.tolist())
    assert all(c.startswith("91441900MA") or c.startswith("92441900MA") for c in codes[new_style])


def test_generation_is_reproducible_and_seed_dependent() -> None:
    towns = _towns()
    first = generate_entities(np.random.default_rng(7), towns, 0, 500, "441900")
    again = generate_entities(np.random.default_rng(7), towns, 0, 500, "441900")
    other = generate_entities(np.random.default_rng(8), towns, 0, 500, "441900")
    assert first == again
    assert first != other


def test_clusters_lead_manufacturing_in_their_towns() -> None:
    rows = generate_entities(np.random.default_rng(1), _towns(), 0, 200_000, "441900")
    by_town: dict[str, Counter[str]] = {}
    for row in rows:
        if row[3].isdigit():
            by_town.setdefault(row[2], Counter())[row[3]] += 1
    for town, division in CLUSTERS.items():
        assert by_town[town].most_common(1)[0][0] == division, town
    towns = Counter(row[2] for row in rows)
    assert towns["441900119000"] > 5 * towns["441900125000"]  # 长安 far larger than 洪梅


def test_build_small_demo_then_refuse_or_skip_or_replace(engine: Engine) -> None:
    summary = build_demo(engine, Scale.SMALL, seed=3)
    assert (summary.towns, summary.industries, summary.entities) == (35, 51, 20_000)
    with unit_of_work(engine) as session:
        assert repository.entity_count(session) == 20_000
        sample = session.scalars(select(MarketEntity).order_by(MarketEntity.id).limit(200)).all()
        overview = service.town_overview(session)
    assert all(is_valid_uscc(e.uscc) for e in sample)
    assert all(e.uscc[2:8] == "441900" for e in sample)
    assert {e.size_class for e in sample} <= {"large", "medium", "small", "micro"}
    assert overview.total == 20_000 and len(overview.towns) == 35
    assert build_demo(engine, Scale.SMALL, seed=3, if_missing=True).skipped
    with pytest.raises(DemoPresent, match="--replace"):
        build_demo(engine, Scale.SMALL, seed=3)
    build_demo(engine, Scale.SMALL, seed=4, replace=True)
    with unit_of_work(engine) as session:
        assert repository.entity_count(session) == 20_000
