"""A small hand-built supply chain in the database (both backends), and CLI/API helpers."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import typer
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from qcity._cli_support import QcityGroup
from qcity.db import unit_of_work
from qcity.registry import service as registry_service
from qcity.registry.models import MarketEntity
from qcity.settings import get_settings
from qcity.trace import repository
from qcity.trace import service as trace_service
from qcity.trace._demo import Emitter, Party, _ship_receive
from qcity.trace.cli import backward_command, forward_command, mass_balance_command, recall_app
from qcity.trace.models import Gs1Key, Product

T0 = dt.datetime(2025, 10, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
TOWNS = {"farm": "441900103000", "proc": "441900103000", "dist": "441900003000",
         "shop": "441900121000"}  # fmt: skip
USCC = {"farm": "93441900MA00000011", "proc": "91441900MA00000022",
        "dist": "91441900MA00000033", "shop": "92441900MA00000044"}  # fmt: skip
INDUSTRY = {"farm": "A", "proc": "14", "dist": "F", "shop": "F"}


def root_app() -> typer.Typer:
    """The trace commands as the lead registers them (under ``trace`` and ``recall``)."""
    root = typer.Typer(cls=QcityGroup, pretty_exceptions_enable=False, add_completion=False)
    trace_app = typer.Typer()
    trace_app.command("backward")(backward_command)
    trace_app.command("forward")(forward_command)
    trace_app.command("mass-balance")(mass_balance_command)
    root.add_typer(trace_app, name="trace")
    root.add_typer(recall_app, name="recall")

    @root.callback()
    def _root() -> None:
        """qcity."""

    return root


ROOT = root_app()


def invoke(*args: str) -> Result:
    return CliRunner().invoke(ROOT, list(args))


def invoke_json(*args: str) -> Any:
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@dataclass
class Chain:
    parties: dict[str, Party]
    farm_lot: str
    farm_lot2: str
    product: str
    split_input: str
    split_output: str
    pallet: str


def _valid_uscc(seed: str) -> str:
    import numpy as np

    from qcity.demo._entities import credit_codes

    category = np.array([seed[1]])
    return str(credit_codes(np.array([int(seed[-4:])]), category, np.array([True]), "441900")[0])


def build_chain(engine: Engine) -> Chain:
    with unit_of_work(engine) as session:
        registry_service.load_towns(
            session, registry_service.packaged_file("dongguan_towns.csv"), registry_service.DONGGUAN
        )
        registry_service.load_industries(session)
        parties: dict[str, Party] = {}
        for i, role in enumerate(("farm", "proc", "dist", "shop"), start=1):
            uscc = _valid_uscc(USCC[role])
            session.add(
                MarketEntity(
                    uscc=uscc, name=f"东莞市测试{role}有限公司", town_code=TOWNS[role],
                    industry_code=INDUSTRY[role], address="广东省东莞市", size_class="small",
                    registered_on=dt.date(2020, 1, 1), status="active", legal_representative="张三",
                )
            )  # fmt: skip
            party = Party(uscc, TOWNS[role], f"69{3_000_000 + i:07d}")
            parties[role] = party
            session.add(Gs1Key(key=party.cp, kind="company_prefix", uscc=uscc, description=role))
            session.add(Gs1Key(key=party.gln("001"), kind="gln", uscc=uscc,
                               town_code=TOWNS[role], description=role))  # fmt: skip
        farm, proc, dist, shop = (parties[r] for r in ("farm", "proc", "dist", "shop"))
        session.add(Product(gtin=farm.gtin(1), name="菜心", category="食用农产品", uom="KGM"))
        session.add(Product(gtin=proc.gtin(1), name="速冻水饺", category="食品", uom="KGM"))
        session.flush()
        out = Emitter()
        l1, l2, l3 = farm.lgtin(1, "A1"), farm.lgtin(1, "A2"), farm.lgtin(1, "A3")
        o1, o2 = proc.lgtin(1, "P1"), proc.lgtin(1, "P2")
        pallet = proc.sscc(1)
        h = dt.timedelta(hours=1)
        for k, lot in enumerate((l1, l2, l3)):
            out.emit("ObjectEvent", T0 + k * h, action="ADD", step="commissioning",
                     disposition="active", location=farm.sgln,
                     quantities=((lot, 100.0, "KGM"),))  # fmt: skip
            _ship_receive(out, T0 + 4 * h, farm, proc, ((lot, 100.0, "KGM"),), (), 10 + k)
        out.emit("TransformationEvent", T0 + 10 * h, step="commissioning", disposition="active",
                 location=proc.sgln, inputs=((l1, 100.0, "KGM"), (l2, 50.0, "KGM")),
                 outputs=((o1, 120.0, "KGM"),))  # fmt: skip
        out.emit("TransformationEvent", T0 + 11 * h, step="commissioning",
                 disposition="in_progress", location=proc.sgln, inputs=((l3, 100.0, "KGM"),),
                 xform="urn:uuid:00000000-0000-4000-8000-000000000001")  # fmt: skip
        out.emit("TransformationEvent", T0 + 13 * h, step="commissioning", disposition="active",
                 location=proc.sgln, outputs=((o2, 80.0, "KGM"),),
                 xform="urn:uuid:00000000-0000-4000-8000-000000000001")  # fmt: skip
        part = ((o1, 120.0, "KGM"),)
        out.emit("AggregationEvent", T0 + 14 * h, action="ADD", step="packing",
                 disposition="active", location=proc.sgln, parent=pallet,
                 child_quantities=part)  # fmt: skip
        arrive = _ship_receive(out, T0 + 15 * h, proc, dist, part, (pallet,), 20)
        out.emit("AggregationEvent", arrive + h, action="DELETE", step="unpacking",
                 disposition="active", location=dist.sgln, parent=pallet,
                 child_quantities=part)  # fmt: skip
        delivered = _ship_receive(out, arrive + 3 * h, dist, shop, ((o1, 40.0, "KGM"),), (), 21)
        returned = _ship_receive(out, delivered + 24 * h, shop, dist, ((o1, 5.0, "KGM"),), (),
                                 22, returned=True)  # fmt: skip
        out.emit(
            "ObjectEvent",
            returned + 24 * h,
            step="cycle_counting",
            disposition="sellable_accessible",
            location=shop.sgln,
            quantities=((o1, 30.0, "KGM"),),
        )  # fmt: skip  (35 booked: 5 short)
        repository.insert_events(session.connection(), out.events)
    trace_service.forget_index()
    return Chain(parties, l1, l2, o1, l3, o2, pallet)


@pytest.fixture
def chain(engine: Engine) -> Chain:
    return build_chain(engine)


@pytest.fixture
def configured(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[None]:
    monkeypatch.setenv("QCITY_DATABASE_URL", db_url)
    monkeypatch.setenv("QCITY_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    trace_service.forget_index()
    yield
    get_settings.cache_clear()
    trace_service.forget_index()
