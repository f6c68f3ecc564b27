"""Three years of seeded demo inspections (2023-01-01 .. 2025-12-31) for the demo city.

Failure rates follow the national figures (``national_food_sampling_stats.csv``: food 2.73 %
in 2023, 2.96 % in 2024, the 2024 rate reused for 2025; the share of failed food samples by
hazard class per year), agricultural routine monitoring fails about 1.5-2 %, manufactured
products about 6 % (93.65 % passed nationally in 2023), consumer goods 6-7 % and construction
spot checks 3-5 %. Failures are drawn first and then attached to sampled units in proportion to
sampling intensity × size-class risk (national 2023: large 0.8 %, medium 2.2 %, small 13.2 %)
× a seeded town factor, so small firms fail more and towns differ; microbial failures peak in
summer. Test items and limits come from ``test_items.csv`` (plus ``demo_items.csv`` for a few
categories it lacks, marked illustrative); a failed item's result violates its limit and a
passed one satisfies it.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Table, select
from sqlalchemy.orm import Session

from qcity.db.bulk import bulk_insert, deferred_indexes
from qcity.inspection import repository
from qcity.inspection._import import INSPECTION_COLUMNS, ITEM_COLUMNS
from qcity.inspection.models import SamplingInspection, TestItemResult
from qcity.registry.models import EntityStatus, MarketEntity

FIRST_DAY = dt.date(2023, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)
INSPECTIONS_AT_SCALE = {"small": 30_000, "city": 300_000}  # city: ~100k a year, a city of 10M

DOMAIN_SHARE = {
    "food": 0.60,
    "agri": 0.15,
    "manufactured": 0.13,
    "consumer": 0.08,
    "construction": 0.04,
}
# Failure rates (%) per year: food from the national statistics (2025 = 2024), the rest as
# the plan's domains are reported (agri 1.5-2 %, manufactured ~6 %, consumer 6-7 %,
# construction 3-5 %).
FAILURE_PCT: dict[str, dict[int, float]] = {
    "agri": {2023: 2.0, 2024: 1.8, 2025: 1.7},
    "manufactured": {2023: 6.35, 2024: 6.07, 2025: 5.8},
    "consumer": {2023: 6.8, 2024: 6.5, 2025: 6.2},
    "construction": {2023: 4.6, 2024: 4.0, 2025: 3.5},
}
HAZARDS = (
    "pesticide_residue",
    "microbial",
    "additive",
    "organic_contaminant",
    "veterinary_drug",
    "heavy_metal",
    "quality_index",
    "other",
)
SAMPLING_INTENSITY = {"large": 8.0, "medium": 4.0, "small": 2.0, "micro": 1.0}
# Relative failure risk by size class: national 2023 manufactured-product figures.
SIZE_RISK = {"large": 0.8, "medium": 2.2, "small": 13.2, "micro": 13.2}
FOOD_SIZE_RISK = {"large": 0.6, "medium": 0.8, "small": 1.0, "micro": 1.2}
MICROBIAL_SUMMER_AMPLITUDE = 0.6  # microbial share × (1 + 0.6 cos(2π(month − 7.5)/12))
TOWN_SIGMA = 0.3  # log-normal spread of the towns' failure factors

FOOD_CATEGORY_WEIGHT = {
    "食用农产品": 35,
    "餐饮食品": 10,
    "糕点": 6,
    "粮食加工品": 6,
    "肉制品": 5,
    "饮料": 5,
    "调味品": 5,
    "食用油、油脂及其制品": 4,
    "酒类": 3,
    "蔬菜制品": 3,
    "水果制品": 2,
    "炒货食品及坚果制品": 2,
    "淀粉及淀粉制品": 2,
    "速冻食品": 2,
    "饼干": 1.5,
    "冷冻饮品": 1.5,
    "蜂产品": 1,
    "茶叶及相关制品": 2,
    "方便食品": 1,
    "糖果制品": 1,
    "乳制品": 2,
    "罐头": 1,
    "薯类和膨化食品": 1,
    "豆制品": 2,
    "蛋制品": 1,
    "水产制品": 1,
}
AGRI_KINDS = (  # (category code, keywords in the product name, weight)
    (
        "A01",
        (
            "韭菜",
            "豇豆",
            "菜豆",
            "芹菜",
            "菠菜",
            "白菜",
            "空心菜",
            "辣椒",
            "姜",
            "萝卜",
            "叶菜",
            "菜心",
            "茄子",
        ),
        45,
    ),
    ("A02", ("香蕉", "柑橘", "橙", "荔枝"), 15),
    ("A03", ("牛肉", "猪肉", "鸡肉", "猪肝", "畜禽"), 15),
    ("A04", ("鱼", "贝", "虾", "甲壳"), 12),
    ("A05", ("鸡蛋", "鲜蛋"), 5),
    ("A06", ("大米", "玉米"), 4),
    ("A07", ("豆芽",), 3),
    ("A08", ("花生",), 1),
)
# Non-food item categories → (demo category, manufacturer division, weight within domain).
MANUFACTURED = {
    "建筑用钢筋": ("M31", "31", 10),
    "水泥": ("M30", "30", 8),
    "电线电缆": ("M38", "38", 16),
    "涂料": ("M26", "26", 8),
    "人造板": ("M20", "20", 6),
    "石油产品": ("M25", "25", 6),
    "金属制品": ("M33", "33", 16),
    "电子设备": ("M39", "39", 20),
    "塑料制品": ("M29", "29", 10),
}
CONSUMER = {
    "婴幼儿及儿童服装": ("C01", "18", 14),
    "纺织服装": ("C03", "18", 20),
    "家用电器": ("C05", "38", 16),
    "家具": ("C06", "21", 10),
    "玩具": ("C02", "24", 12),
    "日用品": ("C07", "22", 6),
    "食品相关产品": ("C09", "29", 8),
    "电动自行车": ("C10", "37", 6),
    "鞋类": ("C04", "19", 6),
    "电子产品": ("C08", "39", 12),
}
CONSTRUCTION = {
    "建筑用钢筋": ("K01", "31", 16),
    "水泥": ("K02", "30", 12),
    "混凝土": ("K03", "30", 16),
    "电线电缆": ("K04", "38", 10),
    "防水材料": ("K05", "30", 10),
    "涂料": ("K06", "26", 6),
    "保温材料": ("K07", "29", 5),
    "塑料制品": ("K08", "29", 5),
    "门窗": ("K09", "33", 5),
    "房屋建筑工程实体": ("K50", None, 12),
    "市政基础设施工程实体": ("K51", None, 5),
}

LABS = {
    "food": (
        "东莞市食品药品检验所",
        "广东省食品检验所",
        "广州检验检测认证集团有限公司",
        "华测检测认证集团股份有限公司",
        "谱尼测试集团股份有限公司",
    ),
    "agri": ("东莞市农产品质量安全监督检验测试中心", "广东省农业科学院农产品公共监测中心"),
    "manufactured": (
        "东莞市质量监督检测中心",
        "广东产品质量监督检验研究院",
        "国家电线电缆产品质量检验检测中心（广东）",
    ),
    "consumer": ("东莞市质量监督检测中心", "广东产品质量监督检验研究院", "广州海关技术中心"),
    "construction": ("东莞市建设工程检测中心", "广东省建筑科学研究院集团股份有限公司"),
}
TASKS = {
    "food": (
        "东莞市市场监督管理局{y}年食品安全监督抽检",
        "广东省市场监督管理局{y}年食品安全监督抽检",
        "国家市场监督管理总局{y}年食品安全监督抽检",
    ),
    "agri": ("东莞市农业农村局{y}年农产品质量安全例行监测",),
    "manufactured": (
        "东莞市市场监督管理局{y}年产品质量市级监督抽查",
        "广东省市场监督管理局{y}年产品质量省级监督抽查",
        "国家市场监督管理总局{y}年产品质量国家监督抽查",
    ),
    "consumer": (
        "东莞市市场监督管理局{y}年消费品质量监督抽查",
        "广东省市场监督管理局{y}年产品质量省级监督抽查",
    ),
    "construction": ("东莞市住房和城乡建设局{y}年建设工程质量监督抽查",),
}
TASK_WEIGHTS = (0.7, 0.22, 0.08)
OTHER_CITIES = ("广州市", "深圳市", "佛山市", "惠州市", "中山市", "江门市", "长沙市", "成都市")
FOOD_BRAND_CHARS = "金龙鑫福康香满园味佳美好家乐嘉宝润丰顺源鸿达"
REPORT_PREFIX = {
    "food": "SP",
    "agri": "NC",
    "manufactured": "CP",
    "consumer": "XF",
    "construction": "JS",
}


@dataclass(frozen=True)
class Item:
    item: str
    operator: str  # <=, <, >=, not_detected, range
    low: float
    high: float
    unit: str
    standard: str
    hazard: str
    limit_value: str = ""  # as printed in the source table


@dataclass
class Product:
    domain: str
    category: str
    example: str
    names: tuple[str, ...]
    items: list[int]
    weight: float
    maker_division: str | None = None
    hazards: set[str] = field(default_factory=set)


def _float(text: str) -> float:
    return float(text) if text else 0.0


def load_items() -> tuple[list[Item], list[tuple[str, str, str, int]]]:
    """Items of test_items.csv and demo_items.csv, and (domain, category, product, index)."""
    from qcity.inspection._parse import hazard_class
    from qcity.inspection.service import packaged_file

    items: list[Item] = []
    owners: list[tuple[str, str, str, int]] = []
    for name in ("test_items.csv", "demo_items.csv"):
        with packaged_file(name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                operator, value = row["limit_operator"], row["limit_value"]
                if operator == "range":
                    match = re.fullmatch(r"(-?[\d.]+)-(-?[\d.]+)", value)
                    assert match, value
                    low, high = float(match.group(1)), float(match.group(2))
                else:
                    low = high = _float(value)
                hazard = hazard_class(row["item"]) or "other"
                if row["domain"] not in ("food", "agri") and hazard not in HAZARDS:
                    hazard = "safety"
                items.append(
                    Item(
                        row["item"],
                        operator,
                        low,
                        high,
                        row["unit"],
                        row["standard"],
                        hazard,
                        value.replace("-", "~") if operator == "range" else value,
                    )
                )
                owners.append(
                    (row["domain"], row["category"], row["product_example"], len(items) - 1)
                )
    return items, owners


_GENERIC = re.compile(r"类|制品|器具|用|以|≤|>|品$|[A-Za-z0-9]")


def product_names(example: str) -> tuple[str, ...]:
    """Names a product of this kind is sampled under: '淡水鱼(草鱼)' -> ('草鱼',)."""
    match = re.match(r"^(.*?)[(（](.*)[)）]$", example)
    if not match:
        return (example,)
    base, inner = match.group(1).strip(), match.group(2).strip()
    if _GENERIC.search(inner):
        return (base,)
    return tuple(p for p in re.split(r"[、，,]", inner) if p) or (base,)


def build_products(items: list[Item], owners: list[tuple[str, str, str, int]]) -> list[Product]:
    grouped: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for domain, category, example, index in owners:
        grouped[(domain, category, example)].append(index)
    food_codes = _food_codes()
    products: list[Product] = []
    per_food_category: dict[str, int] = defaultdict(int)
    for (domain, category, _example), _ in grouped.items():
        if domain in ("food", "agri"):
            per_food_category["食用农产品" if domain == "agri" else category] += 1
    for (domain, category, example), indices in grouped.items():
        names = product_names(example)
        if domain in ("food", "agri"):
            name = "食用农产品" if domain == "agri" else category
            weight = FOOD_CATEGORY_WEIGHT.get(name, 0.5) / per_food_category[name]
            products.append(Product("food", food_codes[name], example, names, indices, weight))
            if domain == "agri":
                for code, words, kind_weight in AGRI_KINDS:
                    if any(w in example for w in words):
                        products.append(
                            Product("agri", code, example, names, indices, float(kind_weight))
                        )
                        break
            continue
        for target, table in (
            ("manufactured", MANUFACTURED),
            ("consumer", CONSUMER),
            ("construction", CONSTRUCTION),
        ):
            if category in table:
                code, division, weight = table[category]
                products.append(
                    Product(target, code, example, names, indices, float(weight), division)
                )
    by_category: dict[tuple[str, str], int] = defaultdict(int)
    for p in products:
        by_category[(p.domain, p.category)] += 1
    for p in products:
        if p.domain != "food":
            p.weight /= by_category[(p.domain, p.category)]
        p.hazards = {items[i].hazard for i in p.items}
    return products


def _food_codes() -> dict[str, str]:
    from qcity.inspection.service import packaged_file

    with packaged_file("categories.csv").open(encoding="utf-8") as handle:
        return {
            r["name_zh_hans"]: r["code"] for r in csv.DictReader(handle) if r["domain"] == "food"
        }


# --------------------------------------------------------------------------- entities


@dataclass
class Pool:
    """Entities a kind of sample is taken from, with their draw weights for pass and fail."""

    index: npt.NDArray[np.int64]  # rows of the entity arrays
    pass_cdf: npt.NDArray[np.float64]
    fail_cdf: npt.NDArray[np.float64]


@dataclass
class Entities:
    id: npt.NDArray[np.int64]
    uscc: list[str]
    name: list[str]
    address: list[str]
    town: list[str]
    industry: npt.NDArray[np.str_]
    size: npt.NDArray[np.str_]


def load_entities(session: Session) -> Entities:
    sections = ("A", "E", "F", "H", *(str(d) for d in range(13, 44)))
    rows = session.execute(
        select(
            MarketEntity.id,
            MarketEntity.uscc,
            MarketEntity.name,
            MarketEntity.address,
            MarketEntity.town_code,
            MarketEntity.industry_code,
            MarketEntity.size_class,
        )
        .where(MarketEntity.status == EntityStatus.ACTIVE, MarketEntity.industry_code.in_(sections))
        .order_by(MarketEntity.id)
    ).all()
    return Entities(
        np.array([r[0] for r in rows], dtype=np.int64),
        [r[1] for r in rows],
        [r[2] for r in rows],
        [r[3] for r in rows],
        [r[4] for r in rows],
        np.array([r[5] for r in rows], dtype=str),
        np.array([str(r[6]) for r in rows], dtype=str),
    )


def _cdf(weights: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    total = np.cumsum(weights)
    return total / total[-1] if len(total) and total[-1] > 0 else total


def make_pool(
    ents: Entities,
    mask: npt.NDArray[np.bool_],
    town_factor: dict[str, float],
    risk: dict[str, float],
) -> Pool | None:
    index = np.flatnonzero(mask)
    if len(index) == 0:
        return None
    sizes = ents.size[index]
    intensity = np.array([SAMPLING_INTENSITY[s] for s in sizes.tolist()])
    towns = np.array([town_factor.get(ents.town[i], 1.0) for i in index.tolist()])
    hazard = intensity * towns * np.array([risk[s] for s in sizes.tolist()])
    return Pool(index, _cdf(intensity), _cdf(hazard))


# --------------------------------------------------------------------------- results


def _fmt(value: float) -> str:
    if abs(value) >= 1000:
        return str(round(value))
    text = f"{value:.3g}"
    return text if "e" not in text else f"{value:.6f}".rstrip("0").rstrip(".")


def _limit_text(it: Item) -> str:
    unit = it.unit if it.unit not in ("", "ratio", "pH") else ""
    if it.operator == "not_detected":
        return "不得检出" + (unit if unit.startswith("/") else "")
    if it.operator == "range":
        return f"{_fmt(it.low)}~{_fmt(it.high)}{unit}"
    sign = {"<=": "≤", "<": "<", ">=": "≥"}[it.operator]
    return f"{sign}{it.limit_value or _fmt(it.high)}{unit}"


def item_result(it: Item, fail: bool, u: float) -> tuple[str, float | None]:
    """The printed result and its value for a draw ``u`` in [0, 1)."""
    per_sample = it.unit.startswith("/")
    if it.operator == "not_detected":
        if not it.unit or it.unit in ("ratio", "pH"):
            return ("不符合" if fail else "符合"), None
        if not fail:
            return ("未检出" + (it.unit if per_sample else "")), None
        if per_sample:
            return "检出" + it.unit, None
        value = float(_fmt(0.5 + 50 * u)) if "μg" in it.unit else float(_fmt(0.005 + 0.5 * u))
        return f"{_fmt(value)}{it.unit}", value
    limit = it.high
    if it.operator == "range":
        span = it.high - it.low
        if fail:
            value = (
                it.low - span * (0.05 + 0.3 * u) if u < 0.5 else it.high + span * (0.05 + 0.3 * u)
            )
        else:
            value = it.low + span * (0.05 + 0.9 * u)
    elif it.operator in ("<=", "<"):
        scale = abs(limit) if limit else 1.0
        value = limit + scale * (0.1 + 2.0 * u) if fail else limit - scale * (0.1 + 0.85 * u)
        if not fail and limit > 0:
            value = max(value, limit * 0.02)
    else:  # >=
        scale = abs(limit) if limit else 1.0
        value = limit - scale * (0.03 + 0.3 * u) if fail else limit + scale * (0.02 + 0.35 * u)
    value = float(_fmt(value))
    if (
        not fail
        and it.operator in ("<=", "<")
        and not fail
        and u < 0.35
        and it.unit in ("mg/kg", "μg/kg", "g/kg")
    ):
        return "未检出", None
    unit = it.unit if it.unit not in ("ratio", "pH", "") else ""
    return f"{_fmt(value)}{unit}", value


def violates(it: Item, value: float | None, result: str) -> bool:
    """Whether a result breaks the item's limit (for checks and tests)."""
    if it.operator == "not_detected":
        return not result.startswith(("未检出", "符合"))
    if value is None:
        return False
    if it.operator == "<=":
        return value > it.high
    if it.operator == "<":
        return value >= it.high
    if it.operator == ">=":
        return value < it.high
    return not it.low <= value <= it.high


# --------------------------------------------------------------------------- generation


@dataclass
class DemoInspections:
    inspections: int
    items: int


def _month_hazard_table(stats: dict[int, dict[str, float]]) -> dict[int, npt.NDArray[np.float64]]:
    """Per year, a 12 × hazards table of failure-class probabilities (microbes peak in summer)."""
    tables = {}
    micro = HAZARDS.index("microbial")
    for year, shares in stats.items():
        base = np.array([shares.get(h, 0.0) for h in HAZARDS])
        table = np.tile(base, (12, 1))
        for month in range(12):
            table[month, micro] *= 1 + MICROBIAL_SUMMER_AMPLITUDE * math.cos(
                2 * math.pi * (month + 1 - 7.5) / 12
            )
        tables[year] = table / table.sum(axis=1, keepdims=True)
    return tables


def _food_stats() -> tuple[dict[int, float], dict[int, dict[str, float]]]:
    from qcity.inspection.service import packaged_file

    rates: dict[int, float] = {}
    shares: dict[int, dict[str, float]] = {}
    with packaged_file("national_food_sampling_stats.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            year = int(row["year"])
            rates[year] = float(row["failure_rate_pct"])
            if row["microbial_share_pct"]:
                values = {h: float(row[f"{h}_share_pct"]) for h in HAZARDS if h != "other"}
                values["other"] = max(0.0, 100 - sum(values.values()))
                shares[year] = values
    last = max(shares)
    for year in (2023, 2024, 2025):
        rates.setdefault(year, rates[max(rates)])
        shares.setdefault(year, shares[last])
    return rates, {y: shares[y] for y in (2023, 2024, 2025)}


def generate(
    session: Session, rng: np.random.Generator, total: int, first_id: int = 1
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Inspection rows (id + ``INSPECTION_COLUMNS``) and item rows (``ITEM_COLUMNS``)."""
    items, owners = load_items()
    products = build_products(items, owners)
    ents = load_entities(session)
    towns = sorted(t.code for t in repository.towns(session))
    town_factor = dict(
        zip(towns, np.exp(rng.normal(0, TOWN_SIGMA, len(towns))).tolist(), strict=True)
    )
    food_rates, food_shares = _food_stats()
    hazard_tables = _month_hazard_table(food_shares)

    names = ents.name
    industry = ents.industry

    def has_word(words: tuple[str, ...]) -> npt.NDArray[np.bool_]:
        return np.array([any(w in n for w in words) for n in names], dtype=bool)

    def pool(mask: npt.NDArray[np.bool_], risk: dict[str, float]) -> Pool | None:
        return make_pool(ents, mask, town_factor, risk)

    food_retail_mask = (industry == "F") & has_word(("食品", "百货", "商贸", "贸易"))
    pools: dict[str, Pool | None] = {
        "food_retail": pool(food_retail_mask, FOOD_SIZE_RISK),
        "catering": pool(industry == "H", FOOD_SIZE_RISK),
        "food_maker": pool(np.isin(industry, ["13", "14", "15"]), FOOD_SIZE_RISK),
        "farm": pool(industry == "A", FOOD_SIZE_RISK),
        "goods_retail": pool(
            (industry == "F") & has_word(("百货", "五金", "电器", "商贸")), SIZE_RISK
        ),
        "site": pool(industry == "E", SIZE_RISK),
    }
    for division in {p.maker_division for p in products if p.maker_division}:
        pools[f"maker{division}"] = pool(industry == division, SIZE_RISK)
    makers = {  # manufacturers named on labels (any size)
        d: np.flatnonzero(industry == d) for d in ("13", "14", "15")
    }

    # Dates: weekdays, uniform over the three years.
    days = np.arange((LAST_DAY - FIRST_DAY).days + 1)
    weekday = (np.array([FIRST_DAY.toordinal()]) + days) % 7  # 0 = Monday ... (ordinal 1 = Mon)
    day_weight = np.where(np.isin(weekday, [6, 0]), 0.15, 1.0)  # ordinal%7: 6 = Sat, 0 = Sun
    domain_names = list(DOMAIN_SHARE)
    domain_of = rng.choice(len(domain_names), total, p=np.array(list(DOMAIN_SHARE.values())))
    day_of = rng.choice(days, total, p=day_weight / day_weight.sum())
    dates = [FIRST_DAY + dt.timedelta(days=int(d)) for d in day_of.tolist()]
    years = np.array([d.year for d in dates])
    months = np.array([d.month for d in dates])

    # Failure flags.
    p_fail = np.zeros(total)
    food = np.flatnonzero(domain_of == domain_names.index("food"))
    micro = HAZARDS.index("microbial")
    for year in (2023, 2024, 2025):
        base = food_rates[year] / 100
        shares = np.array([food_shares[year].get(h, 0.0) for h in HAZARDS]) / 100
        for month in range(1, 13):
            season = 1 + shares[micro] * MICROBIAL_SUMMER_AMPLITUDE * math.cos(
                2 * math.pi * (month - 7.5) / 12
            )
            sel = food[(years[food] == year) & (months[food] == month)]
            p_fail[sel] = base * season
    for name, rates in FAILURE_PCT.items():
        sel = domain_of == domain_names.index(name)
        for year, pct in rates.items():
            p_fail[sel & (years == year)] = pct / 100
    fail = rng.random(total) < p_fail

    # Products (failed food samples: hazard class first, then a product having it).
    product_of = np.zeros(total, dtype=np.int64)
    failing_item = np.full(total, -1, dtype=np.int64)
    by_domain: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(products):
        by_domain[p.domain].append(i)
    for d_index, name in enumerate(domain_names):
        candidates = np.array(by_domain[name])
        weights = np.array([products[i].weight for i in candidates])
        passed = np.flatnonzero((domain_of == d_index) & ~fail)
        product_of[passed] = candidates[
            rng.choice(len(candidates), len(passed), p=weights / weights.sum())
        ]
        failed = np.flatnonzero((domain_of == d_index) & fail)
        if name != "food":
            chosen = candidates[rng.choice(len(candidates), len(failed), p=weights / weights.sum())]
            product_of[failed] = chosen
            for row, prod in zip(failed.tolist(), chosen.tolist(), strict=True):
                options = products[prod].items
                failing_item[row] = options[int(rng.integers(len(options)))]
            continue
        for row in failed.tolist():
            table = hazard_tables[int(years[row])]
            hazard = HAZARDS[int(rng.choice(len(HAZARDS), p=table[int(months[row]) - 1]))]
            having = [i for i in candidates.tolist() if hazard in products[i].hazards]
            if not having:
                having = candidates.tolist()
            w = np.array([products[i].weight for i in having])
            prod = having[int(rng.choice(len(having), p=w / w.sum()))]
            product_of[row] = prod
            options = [i for i in products[prod].items if items[i].hazard == hazard] or products[
                prod
            ].items
            failing_item[row] = options[int(rng.integers(len(options)))]

    # Sampled units.
    stage = np.empty(total, dtype=object)
    u = rng.random(total)
    for row in range(total):
        p = products[int(product_of[row])]
        if p.domain == "food":
            if p.category == "F31":
                stage[row] = "catering"
            elif p.category == "F32":
                stage[row] = "food_retail" if u[row] < 0.8 else "catering"
            else:
                stage[row] = (
                    "food_retail"
                    if u[row] < 0.65
                    else ("food_maker" if u[row] < 0.9 else "catering")
                )
        elif p.domain == "agri":
            stage[row] = "food_retail" if u[row] < 0.6 else "farm"
        elif p.domain == "manufactured":
            stage[row] = f"maker{p.maker_division}"
        elif p.domain == "consumer":
            stage[row] = f"maker{p.maker_division}" if u[row] < 0.6 else "goods_retail"
        else:
            stage[row] = "site"
        if pools.get(stage[row]) is None:
            stage[row] = "food_retail" if p.domain in ("food", "agri") else "goods_retail"
    entity_row = np.zeros(total, dtype=np.int64)
    for name in set(stage.tolist()):
        chosen_pool = pools.get(name)
        if chosen_pool is None:
            chosen_pool = next(p for p in pools.values() if p is not None)
        for flag in (False, True):
            rows = np.flatnonzero((stage == name) & (fail == flag))
            cdf = chosen_pool.fail_cdf if flag else chosen_pool.pass_cdf
            picks = np.searchsorted(cdf, rng.random(len(rows)), side="right")
            entity_row[rows] = chosen_pool.index[np.minimum(picks, len(cdf) - 1)]

    return _rows(
        rng,
        total,
        first_id,
        dates,
        domain_names,
        domain_of,
        fail,
        product_of,
        failing_item,
        stage,
        entity_row,
        products,
        items,
        ents,
        pools,
        makers,
    )


def _rows(
    rng: np.random.Generator,
    total: int,
    first_id: int,
    dates: list[dt.date],
    domain_names: list[str],
    domain_of: npt.NDArray[np.int64],
    fail: npt.NDArray[np.bool_],
    product_of: npt.NDArray[np.int64],
    failing_item: npt.NDArray[np.int64],
    stage: npt.NDArray[Any],
    entity_row: npt.NDArray[np.int64],
    products: Sequence[Product],
    items: Sequence[Item],
    ents: Entities,
    pools: dict[str, Pool | None],
    makers: dict[str, npt.NDArray[np.int64]],
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    limits = [_limit_text(it) for it in items]
    draws = rng.random((total, 8))
    extra_fail = rng.random(total) < 0.1
    lab_pick = rng.integers(0, 1 << 30, total)
    brand_pick = rng.integers(0, len(FOOD_BRAND_CHARS), (total, 2))
    batch_days = rng.integers(1, 90, total)
    announce_gap = rng.integers(25, 60, total)
    retest_u = rng.random(total)
    imported_at = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    inspection_rows: list[tuple[Any, ...]] = []
    item_rows: list[tuple[Any, ...]] = []
    serials: dict[tuple[str, int], int] = defaultdict(int)
    task_cdf = {n: _cdf(np.array(TASK_WEIGHTS[:n])) for n in (1, 2, 3)}
    for row in range(total):
        inspection_id = first_id + row
        domain = domain_names[int(domain_of[row])]
        prod = products[int(product_of[row])]
        e = int(entity_row[row])
        day = dates[row]
        year = day.year
        failed = bool(fail[row])
        k = int(lab_pick[row])
        name = prod.names[k % len(prod.names)]
        # Manufacturer named on the label.
        maker_name = maker_address = ""
        maker_uscc: str | None = None
        if domain == "food" and stage[row] == "food_maker":
            maker_name, maker_address, maker_uscc = ents.name[e], ents.address[e], ents.uscc[e]
        elif domain == "food" and prod.category not in ("F31", "F32"):
            pool_rows = makers["14"] if len(makers["14"]) else makers["13"]
            if len(pool_rows) and draws[row, 0] < 0.6:
                m = int(pool_rows[k % len(pool_rows)])
                maker_name, maker_address, maker_uscc = ents.name[m], ents.address[m], ents.uscc[m]
            else:
                city = OTHER_CITIES[k % len(OTHER_CITIES)]
                trade = FOOD_BRAND_CHARS[k % 17] + FOOD_BRAND_CHARS[(k >> 5) % 17]
                maker_name = f"{city}{trade}食品有限公司"
                maker_address = (
                    f"广东省{city}工业大道{k % 300 + 1}号"
                    if city[:2] in ("广州", "深圳", "佛山", "惠州", "中山", "江门")
                    else f"{city}经济开发区{k % 90 + 1}号"
                )
        elif domain in ("manufactured", "consumer") or (
            domain == "construction" and prod.maker_division
        ):
            if str(stage[row]).startswith("maker"):
                m = e
            else:
                maker_pool = pools.get(f"maker{prod.maker_division}")
                m = int(maker_pool.index[k % len(maker_pool.index)]) if maker_pool else e
            maker_name, maker_address, maker_uscc = ents.name[m], ents.address[m], ents.uscc[m]
        # Items and results.
        chosen_items = list(prod.items)
        failing = {int(failing_item[row])} if failed else set()
        if failed and extra_fail[row] and len(chosen_items) > 1:
            failing.add(chosen_items[int(draws[row, 1] * len(chosen_items))])
        for j, index in enumerate(chosen_items):
            it = items[index]
            is_fail = index in failing
            result, value = item_result(it, is_fail, float(draws[row, (j + 2) % 8]))
            item_rows.append(
                (
                    inspection_id,
                    it.item,
                    result,
                    value,
                    it.unit,
                    limits[index],
                    it.standard,
                    "fail" if is_fail else "pass",
                    it.hazard,
                )
            )
        # Identity, labels, announcement, retest.
        prefix = REPORT_PREFIX[domain]
        serials[(prefix, year)] += 1
        serial = serials[(prefix, year)]
        report_no = f"{prefix}{year}4419{serial:07d}"
        sample_no = f"DC{year % 100:02d}4419{inspection_id:09d}"
        labs = LABS[domain]
        tasks = TASKS[domain]
        task = tasks[min(int(np.searchsorted(task_cdf[len(tasks)], draws[row, 6])), len(tasks) - 1)]
        if domain in ("food",) and prod.category not in ("F31", "F32"):
            brand = (
                FOOD_BRAND_CHARS[int(brand_pick[row, 0])]
                + FOOD_BRAND_CHARS[int(brand_pick[row, 1])]
            )
            spec = ("500g/袋", "250mL/瓶", "1kg/袋", "400g/盒", "5L/桶", "称重")[k % 6]
            batch = (day - dt.timedelta(days=int(batch_days[row]))).isoformat()
        elif domain in ("food", "agri"):
            brand, spec, batch = (
                "/",
                "散装" if prod.category != "F31" else "/",
                (day - dt.timedelta(days=int(batch_days[row]) % 3)).isoformat(),
            )
        else:
            brand = (maker_name[3:5] if maker_name.startswith("东莞市") else maker_name[:2]) or "/"
            spec = name if len(name) <= 40 else name[:40]
            made = day - dt.timedelta(days=int(batch_days[row]))
            batch = f"{made.strftime('%Y%m%d')}-{k % 97 + 1:02d}"
        announced = day + dt.timedelta(days=int(announce_gap[row]))
        announce_date: dt.date | None = dt.date(announced.year, announced.month, 15)
        announcement_no: str | None = f"{announced.year}年第{announced.month}期"
        if announced > dt.date(2026, 1, 31):  # not yet announced when the demo is dated
            announcement_no, announce_date = None, None
        announce_date_value = announce_date
        retest_requested = failed and retest_u[row] < 0.08
        outcome = None
        if retest_requested:
            r = retest_u[row] / 0.08
            outcome = "upheld" if r < 0.85 else ("overturned" if r < 0.93 else "pending")
        inspection_rows.append(
            (
                inspection_id,
                f"R:{report_no}",
                task.format(y=year),
                day,
                ents.town[e],
                int(ents.id[e]),
                ents.name[e],
                ents.address[e],
                maker_name,
                maker_address,
                maker_uscc,
                name[:128],
                brand,
                spec,
                batch,
                prod.category,
                prod.maker_division if domain == "manufactured" else None,
                "fail" if failed else "pass",
                labs[k % len(labs)],
                report_no,
                sample_no,
                announcement_no,
                announce_date_value,
                retest_requested,
                outcome,
                imported_at,
            )
        )
    return inspection_rows, item_rows


def clear(session: Session) -> None:
    """Delete every inspection and test item (before the demo replaces the entities)."""
    connection = session.connection()
    connection.execute(cast(Table, TestItemResult.__table__).delete())
    connection.execute(cast(Table, SamplingInspection.__table__).delete())


def build_inspections(
    session: Session, scale: str, seed: int, total: int | None = None
) -> DemoInspections:
    """Replace every inspection with the demo's (needs towns, categories and entities)."""
    from qcity.inspection.service import load_categories

    load_categories(session)
    clear(session)
    connection = session.connection()
    count = total if total is not None else INSPECTIONS_AT_SCALE[scale]
    rng = np.random.default_rng([seed, 20231])
    rows, item_rows = generate(session, rng, count)
    _insert(connection, rows, item_rows)
    return DemoInspections(len(rows), len(item_rows))


def _insert(
    connection: Connection, rows: list[tuple[Any, ...]], item_rows: list[tuple[Any, ...]]
) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        rows = [
            tuple(
                v.isoformat()
                if isinstance(v, dt.date) and not isinstance(v, dt.datetime)
                else (v.replace(tzinfo=None).isoformat(" ") if isinstance(v, dt.datetime) else v)
                for v in r
            )
            for r in rows
        ]
    inspections = cast(Table, SamplingInspection.__table__)
    results = cast(Table, TestItemResult.__table__)
    with deferred_indexes(connection, inspections), deferred_indexes(connection, results):
        bulk_insert(connection, "sampling_inspection", ("id", *INSPECTION_COLUMNS), rows)
        bulk_insert(connection, "test_item_result", ITEM_COLUMNS, item_rows)
    if not sqlite:
        for table in ("sampling_inspection", "test_item_result"):
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
