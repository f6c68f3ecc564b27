"""Seeded demo supply chains as EPCIS 2.0 events, for the demo city.

Food: farms and fisheries (section A) → processors (divisions 13/14) → distributors (section F,
wholesale) → markets, supermarkets (F, retail) and restaurants (H) in the towns. Building
materials: steel (31/33) and cement (30) producers → suppliers (F) → construction sites (E).

Each chosen entity gets a GS1 Company Prefix (``69`` + 7 digits, 9 digits long, as GS1 China
assigns) recorded in ``trace_gs1_key`` with its party GLN and its site GLN (in its town).
Lots are LGTINs, steel bundles SGTINs, pallets SSCCs. Events: commissioning, shipping and
receiving with source/destination lists and business transactions (purchase order, despatch
advice), transforming (a few split over two events sharing a transformationID), packing and
unpacking (AggregationEvent ADD/DELETE), inventory counts (some short, for mass balance), and
returns. Same scale and seed, same events.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qcity.epcis._hash import event_hash
from qcity.epcis._identifiers import gs1_check_digit
from qcity.epcis.models import EpcisBizTransaction, EpcisEvent, EpcisEventObject, EpcisEventParty
from qcity.registry.models import EntityStatus, MarketEntity
from qcity.trace import repository
from qcity.trace.models import Gs1Key, Product, RecallCase
from qcity.trace.repository import StoredEvent

EVENT_PREFIX = "urn:qcity:demo:trace:"
RUNS_AT_SCALE = {"small": (520, 400), "city": (2500, 1600)}  # (food runs, building batches)
START = dt.datetime(2025, 9, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
DAYS = 87
FARM_PRODUCTS = (("菜心", "KGM"), ("生猪", "KGM"), ("鲜活草鱼", "KGM"), ("大米", "KGM"),
                 ("鸡蛋", "KGM"), ("荔枝", "KGM"))  # fmt: skip
FOOD_PRODUCTS = (("速冻水饺", "KGM"), ("鱼丸", "KGM"), ("广式腊肠", "KGM"), ("东莞米粉", "KGM"),
                 ("蛋卷", "KGM"), ("冷鲜猪肉", "KGM"))  # fmt: skip
STEEL = ("热轧带肋钢筋 HRB400E", "EA")
CEMENT = ("普通硅酸盐水泥 P·O 42.5", "KGM")
TZ = "+08:00"


def demo_hash(document: str) -> str:
    """A content hash of the canonical JSON text, marked ``ver=qcity-demo``.

    Not the CBV 2.0 §8.9 event hash: only for bench rows (10⁷ generated events stored raw, where
    the canonical hash would dominate generation). Demo events carry the CBV hash.
    """
    return f"ni:///sha-256;{hashlib.sha256(document.encode()).hexdigest()}?ver=qcity-demo"


def cbv_hash(event: dict[str, Any], document: str) -> str:
    """The CBV 2.0 §8.9 event hash ID, as the capture service computes it."""
    return event_hash(event)


def fast_hash(event: dict[str, Any], document: str) -> str:
    """:func:`demo_hash` of the document (bench rows)."""
    return demo_hash(document)


@dataclass
class Party:
    uscc: str
    town: str
    cp: str

    @property
    def pgln(self) -> str:
        return f"urn:epc:id:pgln:{self.cp}.000"

    @property
    def sgln(self) -> str:
        return f"urn:epc:id:sgln:{self.cp}.001.0"

    def gln(self, ref: str) -> str:
        return self.cp + ref + gs1_check_digit(self.cp + ref)

    def gtin(self, item: int) -> str:
        body = f"0{self.cp}{item:03d}"[:13]
        return body + gs1_check_digit(body)

    def lgtin(self, item: int, lot: str) -> str:
        return f"urn:epc:class:lgtin:{self.cp}.0{item:03d}.{lot}"

    def sgtin(self, item: int, serial: int) -> str:
        return f"urn:epc:id:sgtin:{self.cp}.0{item:03d}.{serial}"

    def sscc(self, serial: int) -> str:
        return f"urn:epc:id:sscc:{self.cp}.0{serial % 10_000_000:07d}"


@dataclass
class Emitter:
    """Builds each event twice: the EPCIS JSON document and the normalised rows.

    ``hasher`` gives the stored event hash: the CBV 2.0 hash ID by default (what capture stores),
    :func:`fast_hash` for bench rows.
    """

    events: list[StoredEvent] = field(default_factory=list)
    serial: int = 0
    hasher: Callable[[dict[str, Any], str], str] = cbv_hash
    _hashes: set[str] = field(default_factory=set, repr=False)

    def emit(self, event_type: str, when: dt.datetime, **fields: Any) -> None:
        """Add one event. An event identical to an earlier one (same CBV hash: two equal
        movements at the same instant) is moved 1 ms later, as capture would otherwise store
        the two as one and the demo's quantities would no longer balance."""
        while True:
            event = self._build(event_type, when, **fields)
            if event.event_hash not in self._hashes:
                break
            self.serial -= 1
            when += dt.timedelta(milliseconds=1)
        self._hashes.add(event.event_hash)
        self.events.append(event)

    def _build(
        self,
        event_type: str,
        when: dt.datetime,
        *,
        action: str | None = "OBSERVE",
        step: str | None = None,
        disposition: str | None = None,
        location: str | None = None,
        epcs: tuple[str, ...] = (),
        quantities: tuple[tuple[str, float, str], ...] = (),
        parent: str | None = None,
        children: tuple[str, ...] = (),
        child_quantities: tuple[tuple[str, float, str], ...] = (),
        inputs: tuple[tuple[str, float, str], ...] = (),
        outputs: tuple[tuple[str, float, str], ...] = (),
        sources: tuple[tuple[str, str], ...] = (),
        destinations: tuple[tuple[str, str], ...] = (),
        transactions: tuple[tuple[str, str], ...] = (),
        xform: str | None = None,
    ) -> StoredEvent:
        self.serial += 1
        event_id = f"{EVENT_PREFIX}{self.serial}"
        doc: dict[str, Any] = {
            "type": event_type,
            "eventID": event_id,
            "eventTime": when.isoformat(timespec="milliseconds"),
            "eventTimeZoneOffset": TZ,
        }
        objects: list[tuple[str, str, bool, float | None, str | None]] = []

        def qlist(key: str, role: str, items: tuple[tuple[str, float, str], ...]) -> None:
            if items:
                doc[key] = [{"epcClass": i, "quantity": q, "uom": u} for i, q, u in items]
                objects.extend((role, i, True, q, u) for i, q, u in items)

        if event_type != "TransformationEvent":
            doc["action"] = action
        if parent:
            doc["parentID"] = parent
            objects.append(("parent", parent, False, None, None))
        if epcs:
            doc["epcList"] = list(epcs)
            objects.extend(("epc", e, False, None, None) for e in epcs)
        qlist("quantityList", "epc", quantities)
        if children:
            doc["childEPCs"] = list(children)
            objects.extend(("child", c, False, None, None) for c in children)
        qlist("childQuantityList", "child", child_quantities)
        qlist("inputQuantityList", "input", inputs)
        qlist("outputQuantityList", "output", outputs)
        if xform:
            doc["transformationID"] = xform
        if step:
            doc["bizStep"] = step
        if disposition:
            doc["disposition"] = disposition
        if location:
            doc["readPoint"] = {"id": location}
            doc["bizLocation"] = {"id": location}
        if transactions:
            doc["bizTransactionList"] = [{"type": t, "bizTransaction": b} for t, b in transactions]
        if sources:
            doc["sourceList"] = [{"type": t, "source": s} for t, s in sources]
        if destinations:
            doc["destinationList"] = [{"type": t, "destination": d} for t, d in destinations]
        document = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return StoredEvent(
                event_id=event_id, event_hash=self.hasher(doc, document), event_type=event_type,
                action=None if event_type == "TransformationEvent" else action,
                event_time=when.astimezone(dt.UTC), biz_step=step, disposition=disposition,
                biz_location=location, read_point=location, parent_id=parent,
                transformation_id=xform, time_zone_offset=TZ,
                document=document,
                objects=objects,
                parties=[("source", t, s) for t, s in sources]
                + [("destination", t, d) for t, d in destinations],
                transactions=[(t, b) for t, b in transactions],
            )  # fmt: skip


def _pick(
    session: Session, rng: np.random.Generator, codes: tuple[str, ...], n: int
) -> list[tuple[str, str]]:
    rows = session.execute(
        select(MarketEntity.uscc, MarketEntity.town_code)
        .where(MarketEntity.industry_code.in_(codes), MarketEntity.status == EntityStatus.ACTIVE)
        .order_by(MarketEntity.id)
        .limit(5000)
    ).all()
    if not rows:
        return []
    index = rng.choice(len(rows), size=min(n, len(rows)), replace=False)
    return [(rows[i][0], rows[i][1]) for i in sorted(index.tolist())]


def clear(session: Session) -> None:
    """Remove the demo's events, keys, products and recalls (re-running replaces them)."""
    session.execute(delete(RecallCase))
    session.execute(delete(Gs1Key))
    session.execute(delete(Product))
    ids = select(EpcisEvent.id).where(EpcisEvent.event_id.like(f"{EVENT_PREFIX}%"))
    for child in (EpcisEventObject, EpcisEventParty, EpcisBizTransaction):
        session.execute(
            delete(child).where(child.event_pk.in_(ids)),
            execution_options={"synchronize_session": False},
        )
    session.execute(
        delete(EpcisEvent).where(EpcisEvent.event_id.like(f"{EVENT_PREFIX}%")),
        execution_options={"synchronize_session": False},
    )


def build_chains(session: Session, scale: str, seed: int) -> int:
    """Generate and store the demo chains; returns the number of events."""
    clear(session)
    rng = np.random.default_rng(seed + 204)
    food_runs, building_batches = RUNS_AT_SCALE.get(scale, RUNS_AT_SCALE["small"])
    big = scale != "small"
    groups = {
        "farm": _pick(session, rng, ("A",), 80 if big else 30),
        "processor": _pick(session, rng, ("13", "14"), 40 if big else 10),
        "distributor": _pick(session, rng, ("F",), 60 if big else 12),
        "retail": _pick(session, rng, ("F",), 1200 if big else 120),
        "restaurant": _pick(session, rng, ("H",), 600 if big else 60),
        "steel": _pick(session, rng, ("31", "33"), 20 if big else 5),
        "cement": _pick(session, rng, ("30",), 12 if big else 4),
        "supplier": _pick(session, rng, ("F",), 40 if big else 8),
        "site": _pick(session, rng, ("E",), 400 if big else 40),
    }
    parties: dict[str, list[Party]] = {}
    seen: set[str] = set()
    keys: list[Gs1Key] = []
    serial = 0
    for role, members in groups.items():
        parties[role] = []
        for uscc, town in members:
            if uscc in seen:
                continue
            seen.add(uscc)
            serial += 1
            party = Party(uscc, town, f"69{2_000_000 + serial:07d}")
            parties[role].append(party)
            keys.append(Gs1Key(key=party.cp, kind="company_prefix", uscc=uscc, town_code=None,
                               description=role))  # fmt: skip
            keys.append(Gs1Key(key=party.gln("000"), kind="gln", uscc=uscc, town_code=town,
                               description=f"{role} party"))  # fmt: skip
            keys.append(Gs1Key(key=party.gln("001"), kind="gln", uscc=uscc, town_code=town,
                               description=f"{role} site"))  # fmt: skip
    if any(not parties[r] for r in ("farm", "processor", "distributor", "retail")):
        return 0
    products: list[Product] = []
    for p in parties["farm"]:
        for item, (name, uom) in enumerate(FARM_PRODUCTS, start=1):
            products.append(Product(gtin=p.gtin(item), name=name, category="食用农产品", uom=uom))
    for p in parties["processor"]:
        for item, (name, uom) in enumerate(FOOD_PRODUCTS, start=1):
            products.append(Product(gtin=p.gtin(item), name=name, category="食品", uom=uom))
    for p in parties["steel"]:
        products.append(Product(gtin=p.gtin(1), name=STEEL[0], category="建筑材料", uom="EA"))
    for p in parties["cement"]:
        products.append(Product(gtin=p.gtin(1), name=CEMENT[0], category="建筑材料", uom="KGM"))
    repository.add(session, *keys, *products)
    out = Emitter()
    _food(out, rng, parties, food_runs)
    _building(out, rng, parties, building_batches)
    out.events.sort(key=lambda e: (e.event_time, e.event_id))
    repository.insert_events(session.connection(), out.events, defer_indexes=True)
    return len(out.events)


def _trade(kind: str, party: Party, n: int) -> tuple[str, str]:
    return (kind, f"urn:epcglobal:cbv:bt:{party.gln('000')}:{kind.upper()}{n:06d}")


def _ship_receive(
    out: Emitter,
    when: dt.datetime,
    src: Party,
    dst: Party,
    quantities: tuple[tuple[str, float, str], ...],
    epcs: tuple[str, ...],
    n: int,
    *,
    returned: bool = False,
) -> dt.datetime:
    txs = (_trade("po", dst, n), _trade("desadv", src, n))
    parties_src = (("owning_party", src.pgln), ("location", src.sgln))
    parties_dst = (("owning_party", dst.pgln), ("location", dst.sgln))
    disposition = "returned" if returned else "in_transit"
    out.emit("ObjectEvent", when, step="shipping", disposition=disposition, location=src.sgln,
             epcs=epcs, quantities=quantities, sources=parties_src, destinations=parties_dst,
             transactions=txs)  # fmt: skip
    arrive = when + dt.timedelta(hours=3)
    out.emit("ObjectEvent", arrive, step="receiving",
             disposition="returned" if returned else "in_progress", location=dst.sgln,
             epcs=epcs, quantities=quantities, sources=parties_src, destinations=parties_dst,
             transactions=txs)  # fmt: skip
    return arrive


def _food(
    out: Emitter, rng: np.random.Generator, parties: dict[str, list[Party]], runs: int
) -> None:
    farms, processors = parties["farm"], parties["processor"]
    distributors = parties["distributor"]
    outlets = parties["retail"] + parties["restaurant"]
    n = 0
    counts: list[tuple[Party, str, dt.datetime, bool]] = []
    for run in range(runs):
        day = START + dt.timedelta(days=int(rng.integers(0, DAYS)), hours=6)
        proc = processors[int(rng.integers(len(processors)))]
        stamp = (day + dt.timedelta(days=1)).strftime("%Y%m%d")
        inputs = []
        for k in range(int(rng.integers(1, 3)) + 1):
            farm = farms[int(rng.integers(len(farms)))]
            item = int(rng.integers(len(FARM_PRODUCTS))) + 1
            lot = farm.lgtin(item, f"{day.strftime('%Y%m%d')}{run:04d}{k}")
            qty = float(rng.integers(20, 80)) * 10
            t = day + dt.timedelta(minutes=int(rng.integers(0, 120)))
            out.emit("ObjectEvent", t, action="ADD", step="commissioning", disposition="active",
                     location=farm.sgln, quantities=((lot, qty, "KGM"),))  # fmt: skip
            n += 1
            arrive = _ship_receive(out, t + dt.timedelta(hours=2), farm, proc,
                                   ((lot, qty, "KGM"),), (), n)  # fmt: skip
            inputs.append((lot, qty, arrive))
        t = max(a for _, _, a in inputs) + dt.timedelta(hours=2)
        item = int(rng.integers(len(FOOD_PRODUCTS))) + 1
        product = proc.lgtin(item, f"{stamp}{run:04d}")
        made = round(sum(q for _, q, _ in inputs) * float(rng.uniform(0.7, 0.9)), 1)
        ins = tuple((lot, q, "KGM") for lot, q, _ in inputs)
        if run % 10 == 0:  # a continuous process: inputs and outputs in two events
            xform = f"urn:uuid:{_uuid(run)}"
            out.emit("TransformationEvent", t, step="commissioning", disposition="in_progress",
                     location=proc.sgln, inputs=ins, xform=xform)  # fmt: skip
            out.emit("TransformationEvent", t + dt.timedelta(hours=1), step="commissioning",
                     disposition="active", location=proc.sgln,
                     outputs=((product, made, "KGM"),), xform=xform)  # fmt: skip
        else:
            out.emit("TransformationEvent", t, step="commissioning", disposition="active",
                     location=proc.sgln, inputs=ins, outputs=((product, made, "KGM"),))  # fmt: skip
        t += dt.timedelta(hours=2)
        pallets = 2 if made > 300 else 1
        share = round(made / pallets, 1)
        for p in range(pallets):
            sscc = proc.sscc(run * 4 + p)
            part = ((product, share, "KGM"),)
            out.emit("AggregationEvent", t, action="ADD", step="packing", disposition="active",
                     location=proc.sgln, parent=sscc, child_quantities=part)  # fmt: skip
            dist = distributors[int(rng.integers(len(distributors)))]
            n += 1
            arrive = _ship_receive(out, t + dt.timedelta(hours=1), proc, dist, part, (sscc,), n)
            t_dist = arrive + dt.timedelta(hours=1)
            out.emit("AggregationEvent", t_dist, action="DELETE", step="unpacking",
                     disposition="active", location=dist.sgln, parent=sscc,
                     child_quantities=part)  # fmt: skip
            k = int(rng.integers(3, 6))
            portion = round(share / k, 1)
            for j in range(k):
                shop = outlets[int(rng.integers(len(outlets)))]
                n += 1
                when = t_dist + dt.timedelta(hours=2 + j)
                delivered = _ship_receive(out, when, dist, shop, ((product, portion, "KGM"),),
                                          (), n)  # fmt: skip
                roll = float(rng.random())
                if roll < 0.04:  # some comes back
                    back = round(portion * 0.25, 1)
                    n += 1
                    _ship_receive(out, delivered + dt.timedelta(days=1), shop, dist,
                                  ((product, back, "KGM"),), (), n, returned=True)  # fmt: skip
                elif roll < 0.30:  # an inventory count later, a few of them short
                    counts.append((shop, product, delivered + dt.timedelta(days=2), roll < 0.05))
    _counts(out, counts)


def _counts(out: Emitter, counts: list[tuple[Party, str, dt.datetime, bool]]) -> None:
    """Inventory counts: what came in up to then, less what went back (20 % short at a few)."""
    moves: dict[tuple[str, str], list[tuple[dt.datetime, float]]] = {}
    for ev in out.events:
        if ev.biz_step != "receiving":
            continue
        dst = next(p for k, _t, p in ev.parties if k == "destination")
        src = next(p for k, _t, p in ev.parties if k == "source")
        for _role, ident, _c, qty, _u in ev.objects:
            if qty is not None:
                moves.setdefault((dst, ident), []).append((ev.event_time, qty))
                moves.setdefault((src, ident), []).append((ev.event_time, -qty))
    for shop, product, when, short in counts:
        held = sum(q for t, q in moves.get((shop.pgln, product), []) if t <= when)
        if held <= 0:
            continue
        counted = round(held * 0.8, 1) if short else round(held, 1)
        out.emit("ObjectEvent", when, step="cycle_counting", disposition="sellable_accessible",
                 location=shop.sgln, quantities=((product, counted, "KGM"),))  # fmt: skip


def _building(
    out: Emitter, rng: np.random.Generator, parties: dict[str, list[Party]], batches: int
) -> None:
    producers = [("steel", p) for p in parties["steel"]] + [
        ("cement", p) for p in parties["cement"]
    ]
    suppliers, sites = parties["supplier"], parties["site"]
    if not producers or not suppliers or not sites:
        return
    n = 500_000
    for b in range(batches):
        kind, maker = producers[int(rng.integers(len(producers)))]
        t = START + dt.timedelta(days=int(rng.integers(0, DAYS)), hours=7)
        sscc = maker.sscc(b)
        supplier = suppliers[int(rng.integers(len(suppliers)))]
        epcs: tuple[str, ...] = ()
        part: tuple[tuple[str, float, str], ...] = ()
        if kind == "steel":
            epcs = tuple(maker.sgtin(1, b * 100 + i) for i in range(int(rng.integers(4, 9))))
            out.emit("ObjectEvent", t, action="ADD", step="commissioning", disposition="active",
                     location=maker.sgln, epcs=epcs)  # fmt: skip
            out.emit("AggregationEvent", t + dt.timedelta(hours=1), action="ADD", step="packing",
                     disposition="active", location=maker.sgln, parent=sscc,
                     children=epcs)  # fmt: skip
        else:
            lot = maker.lgtin(1, f"{t.strftime('%Y%m%d')}{b:04d}")
            part = ((lot, float(rng.integers(20, 40)) * 1000, "KGM"),)
            out.emit("ObjectEvent", t, action="ADD", step="commissioning", disposition="active",
                     location=maker.sgln, quantities=part)  # fmt: skip
            out.emit("AggregationEvent", t + dt.timedelta(hours=1), action="ADD", step="packing",
                     disposition="active", location=maker.sgln, parent=sscc,
                     child_quantities=part)  # fmt: skip
        n += 1
        arrive = _ship_receive(out, t + dt.timedelta(hours=2), maker, supplier, part,
                               (sscc, *epcs), n)  # fmt: skip
        t2 = arrive + dt.timedelta(hours=2)
        out.emit("AggregationEvent", t2, action="DELETE", step="unpacking", disposition="active",
                 location=supplier.sgln, parent=sscc, children=epcs,
                 child_quantities=part)  # fmt: skip
        k = 3
        for j in range(k):
            site = sites[int(rng.integers(len(sites)))]
            n += 1
            share_epcs = epcs[j::k]
            share = tuple((i, round(q / k, 1), u) for i, q, u in part)
            if share_epcs or share:
                _ship_receive(out, t2 + dt.timedelta(hours=3 + j), supplier, site, share,
                              share_epcs, n)  # fmt: skip


def _uuid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"
