"""Parsing of single cells: dates, verdicts, test-item cells, retest fields, hazard classes.

Every parser returns a value or raises :class:`CellError` whose message says what is wrong;
the importer adds the file, row and column.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from qcity.inspection._layouts import ITEM_SEPARATOR


class CellError(ValueError):
    """A cell cannot be read; ``str()`` says why (without file, row or column)."""


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_ISO = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_CHINESE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{4,5}(?:\.0+)?$")


def parse_date(text: str) -> dt.date:
    """2025-07-03, 2025/7/3, 2025.7.3, 2025年7月3日, 20250703 or an Excel serial (45841)."""
    value = text.strip()
    match = _ISO.match(value) or _CHINESE.match(value) or _COMPACT.match(value)
    if match:
        year, month, day = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise CellError(f"{value!r} is not a calendar date") from None
    if _SERIAL.match(value):
        serial = int(float(value))
        if 20_000 <= serial <= 80_000:  # 1954 … 2119
            return _EXCEL_EPOCH + dt.timedelta(days=serial)
    if not value:
        raise CellError("empty")
    raise CellError(f"cannot read {value!r} as a date (use 2025-07-03, 2025/7/3 or 2025年7月3日)")


_PASS_WORDS = {"合格", "pass", "passed", "符合", "合格品", "通过"}
_FAIL_WORDS = {"不合格", "fail", "failed", "不符合", "不合格品", "问题"}


def parse_verdict(text: str) -> str | None:
    """'pass', 'fail', or None when empty."""
    value = text.strip().lower()
    if not value:
        return None
    if value in _PASS_WORDS:
        return "pass"
    if value in _FAIL_WORDS:
        return "fail"
    raise CellError(f"{text.strip()!r} is not 合格 or 不合格")


_YES = {"是", "y", "yes", "true", "1", "已申请", "申请"}
_NO = {"否", "n", "no", "false", "0", "未申请", "无", "/", "-"}


def parse_flag(text: str) -> bool:
    value = text.strip().lower()
    if not value or value in _NO:
        return False
    if value in _YES:
        return True
    raise CellError(f"{text.strip()!r} is not 是 or 否")


_OUTCOMES = {
    "维持原结论": "upheld",
    "维持原检验结论": "upheld",
    "维持": "upheld",
    "upheld": "upheld",
    "复检合格": "overturned",
    "改变原结论": "overturned",
    "改变原检验结论": "overturned",
    "撤销原结论": "overturned",
    "overturned": "overturned",
    "复检不合格": "upheld",
    "复检中": "pending",
    "待复检": "pending",
    "pending": "pending",
}


def parse_retest_outcome(text: str) -> str | None:
    value = text.strip()
    if not value or value in ("/", "-", "无"):
        return None
    outcome = _OUTCOMES.get(value.lower())
    if outcome is None:
        raise CellError(f"{value!r} is not 维持原结论, 改变原结论 or 复检中")
    return outcome


@dataclass(frozen=True)
class ItemResult:
    """One test item read from a cell."""

    item: str
    result: str
    result_value: float | None
    unit: str
    standard_limit: str
    standard_reference: str
    verdict: str
    hazard_class: str | None


_ITEM_SPLIT = re.compile(r"[\r\n；;]+")
_PART_SPLIT = re.compile(r"[║‖]|\|\|?|｜")
_NUMBER = re.compile(
    r"^\s*([<>≤≥]?\s*[-+]?\d+(?:\.\d+)?)\s*(?:[×xX*]\s*10\^?([-+]?\d+|[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+))?"
)
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def split_result(text: str) -> tuple[float | None, str]:
    """The numeric value and the unit of a printed result: '0.53mg/kg' -> (0.53, 'mg/kg')."""
    match = _NUMBER.match(text)
    if not match:
        return None, ""
    number = match.group(1).lstrip("<>≤≥ ")
    value = float(number)
    if match.group(2):
        value *= 10.0 ** int(match.group(2).translate(_SUPERSCRIPT))
    unit = text[match.end() :].strip()
    return value, unit


def _parts(entry: str) -> list[str]:
    return [p.strip() for p in _PART_SPLIT.split(entry)]


def parse_failed_items(text: str) -> list[ItemResult]:
    """The published cell: ``项目║检验结果║标准值`` entries separated by newlines or ；/;."""
    items: list[ItemResult] = []
    for entry in _ITEM_SPLIT.split(text):
        if not entry.strip():
            continue
        parts = _parts(entry)
        if len(parts) > 3 or not parts[0]:
            raise CellError(
                f"cannot read {entry.strip()!r}: expected 项目{ITEM_SEPARATOR}检验结果"
                f"{ITEM_SEPARATOR}标准值"
            )
        parts += [""] * (3 - len(parts))
        value, unit = split_result(parts[1])
        items.append(
            ItemResult(
                parts[0], parts[1], value, unit, parts[2], "", "fail", hazard_class(parts[0])
            )
        )
    return items


def parse_test_items(text: str) -> list[ItemResult]:
    """The template's cell: ``项目║结果║标准值║单位║依据标准║合格/不合格`` entries."""
    items: list[ItemResult] = []
    for entry in _ITEM_SPLIT.split(text):
        if not entry.strip():
            continue
        parts = _parts(entry)
        if len(parts) != 6 or not parts[0]:
            raise CellError(
                f"cannot read {entry.strip()!r}: expected 6 parts "
                "项目║结果║标准值║单位║依据标准║结论"
            )
        verdict = parse_verdict(parts[5])
        if verdict is None:
            raise CellError(f"item {parts[0]!r} has no 合格/不合格")
        value, unit = split_result(parts[1])
        items.append(
            ItemResult(
                parts[0],
                parts[1],
                value,
                parts[3] or unit,
                parts[2],
                parts[4],
                verdict,
                hazard_class(parts[0]),
            )
        )
    return items


_HAZARD_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "veterinary_drug",
        (
            "沙星",
            "霉素",
            "磺胺",
            "克伦特罗",
            "莱克多巴胺",
            "沙丁胺醇",
            "孔雀石绿",
            "硝唑",
            "氯霉素",
            "呋喃",
            "氟苯尼考",
            "地西泮",
            "五氯酚",
            "四环素",
            "金霉素",
            "土霉素",
            "喹乙醇",
            "尼卡巴嗪",
        ),
    ),
    ("microbial", ("菌", "霉菌", "酵母", "致病", "大肠", "李斯特", "单胞")),
    ("heavy_metal", ("铅", "镉", "砷", "汞", "铬", "镍", "铝的残留")),
    (
        "organic_contaminant",
        ("黄曲霉", "苯并", "玉米赤霉烯酮", "脱氧雪腐", "赭曲霉", "3-氯", "多氯联苯", "溴酸盐"),
    ),
    (
        "additive",
        (
            "苯甲酸",
            "山梨酸",
            "脱氢乙酸",
            "糖精",
            "甜蜜素",
            "环己基",
            "二氧化硫",
            "亚硝酸",
            "胭脂红",
            "柠檬黄",
            "日落黄",
            "安赛蜜",
            "三氯蔗糖",
            "防腐剂",
            "色素",
            "硫磺",
            "过氧化苯甲酰",
            "丙酸",
            "纳他霉素",
            "6-苄基",
            "4-氯苯氧乙酸",
            "赤霉素",
        ),
    ),
    (
        "quality_index",
        (
            "酸价",
            "过氧化值",
            "蛋白质",
            "氨基酸态氮",
            "总酸",
            "极性组分",
            "酒精度",
            "水分",
            "灰分",
            "固形物",
            "净含量",
            "干燥失重",
        ),
    ),
)
_NAMED = {
    "多菌灵": "pesticide_residue",
    "百菌清": "pesticide_residue",
    "腐霉利": "pesticide_residue",
    "嘧霉胺": "pesticide_residue",
    "异菌脲": "pesticide_residue",
    "甲霜灵": "pesticide_residue",
    "草甘膦": "pesticide_residue",
    "毒死蜱": "pesticide_residue",
    "阿维菌素": "pesticide_residue",
    "脱氧雪腐": "organic_contaminant",
    "赤霉烯酮": "organic_contaminant",
    "赤霉素": "additive",
    "重金属": "heavy_metal",
    "洗涤剂": "other",
    "余氯": "other",
}
_PESTICIDES = (
    "磷",
    "威",
    "菊酯",
    "虫",
    "腈",
    "胺",
    "唑",
    "灵",
    "菌灵",
    "草甘膦",
    "乐果",
    "啶",
    "嗪",
    "螨",
    "霉利",
    "百菌清",
    "多菌灵",
    "克",
    "醚",
)
_SAFETY = (
    "电",
    "泄漏",
    "接地",
    "发热",
    "绝缘",
    "强度",
    "屈服",
    "伸长",
    "抗拉",
    "附件",
    "绳带",
    "小零件",
    "甲醛",
    "增塑剂",
    "邻苯",
    "迁移",
    "pH",
    "色牢度",
    "芳香胺",
    "车速",
    "质量",
    "电阻",
    "厚度",
    "凝结",
    "凝时间",
    "氯离子",
    "氧化镁",
    "三氧化硫",
    "VOC",
    "硫含量",
    "苯含量",
    "闪点",
    "尿素",
    "脱色",
    "高锰酸钾",
    "异味",
    "纤维含量",
    "功率",
    "电压",
    "标识",
    "尺寸",
    "外观",
)


def hazard_class(item: str) -> str | None:
    """The SAMR hazard class of a test item, from its name (None when unknown)."""
    for word, cls in _NAMED.items():
        if word in item:
            return cls
    for cls, words in _HAZARD_KEYWORDS:
        if any(w in item for w in words):
            return cls
    if any(w in item for w in _SAFETY):
        return "safety"
    if any(w in item for w in _PESTICIDES):
        return "pesticide_residue"
    return None
