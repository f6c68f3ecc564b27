"""The column layouts qcity reads and writes: the one cities publish and qcity's own template.

Both use the published Chinese headers; the template adds the columns a complete record needs
(sampling date, report number, verdict, every test item, credit codes, retest). Headers are
matched after removing spaces and unifying the ║ separator, so ``不合格项目‖检验结果‖标准值``
and ``食品名称`` / ``产品名称`` are all understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ITEM_SEPARATOR = "║"
REASON_HEADER = "拒收原因"


@dataclass(frozen=True)
class Column:
    field: str  # the record field it fills
    header: str  # the header qcity writes (zh-Hans)
    aliases: tuple[str, ...]  # other headers read as the same column
    required: bool
    description: str
    example: str


# The template, in order. Every header of the published layout is among them.
TEMPLATE: tuple[Column, ...] = (
    Column("seq", "序号", (), False, "行号，仅供查阅，导入时不使用。", "1"),
    Column(
        "report_no",
        "报告编号",
        ("检验报告编号", "报告号"),
        False,
        "检验报告编号。有报告编号时以它识别记录（重复导入不会重复入库）。",
        "GDJ2025-070301",
    ),
    Column(
        "sample_no",
        "抽样单编号",
        ("样品编号", "抽样编号", "抽样单号"),
        False,
        "抽样单编号。没有报告编号时，以“检验机构 + 抽样单编号”识别记录。",
        "DC25441900001234",
    ),
    Column(
        "sampling_date",
        "抽样日期",
        ("抽检日期", "采样日期"),
        False,
        "抽样日期：2025-07-03、2025/7/3、2025年7月3日或 Excel 日期。缺少此列时以公告日期代替。",
        "2025-07-03",
    ),
    Column(
        "task_source",
        "任务来源/项目名称",
        ("任务来源", "项目名称"),
        False,
        "下达抽检任务的计划或项目（国抽、省抽、市抽、例行监测等）。",
        "东莞市市场监督管理局2025年食品安全监督抽检",
    ),
    Column(
        "domain",
        "抽查领域",
        ("抽检领域", "领域"),
        False,
        "食品、食用农产品（例行监测）、工业产品、消费品或建设工程；用于区分同名分类。",
        "食品",
    ),
    Column(
        "category",
        "分类",
        ("食品分类", "产品分类", "产品类别", "类别", "食品类别"),
        True,
        "抽检分类：34 类食品大类、食用农产品细类、GB/T 4754 行业大类、消费品或建材名称"
        "（见 `qcity inspection categories`）。",
        "糕点",
    ),
    Column(
        "town",
        "所在镇街",
        ("镇街", "镇（街）", "所属镇街", "镇街名称"),
        False,
        "被抽样单位所在镇街（名称、简称或 12 位代码）。"
        "为空时从被抽样单位地址或登记的市场主体推断。",
        "虎门镇",
    ),
    Column(
        "sampled_unit_name",
        "被抽样单位名称",
        ("被抽样单位", "被抽检单位名称"),
        True,
        "抽样所在的经营者或生产者。",
        "东莞市虎门鸿福食品店",
    ),
    Column(
        "sampled_unit_address",
        "被抽样单位地址",
        ("被抽样单位所在地址", "被抽检单位地址"),
        False,
        "被抽样单位地址。",
        "广东省东莞市虎门镇连升路12号",
    ),
    Column(
        "sampled_unit_uscc",
        "被抽样单位统一社会信用代码",
        ("被抽样单位信用代码",),
        False,
        "18 位统一社会信用代码（GB 32100-2015），用于关联登记的市场主体。",
        "",
    ),
    Column(
        "manufacturer_name",
        "标称生产企业名称",
        ("标称生产者名称", "生产企业名称"),
        False,
        "标签标称的生产企业。",
        "东莞市华盛食品有限公司",
    ),
    Column(
        "manufacturer_address",
        "标称生产企业地址",
        ("标称生产者地址", "生产企业地址"),
        False,
        "标签标称的生产企业地址。",
        "广东省东莞市茶山镇工业路8号",
    ),
    Column(
        "manufacturer_uscc",
        "标称生产企业统一社会信用代码",
        ("标称生产企业信用代码",),
        False,
        "已知时填写；不符合 GB 32100-2015 的代码会被拒收并说明原因。",
        "",
    ),
    Column(
        "product_name",
        "产品名称",
        ("食品名称", "食品名称/产品名称", "样品名称"),
        True,
        "样品名称。",
        "蛋糕",
    ),
    Column("brand", "商标", ("品牌",), False, "商标；无商标填“/”或留空。", "/"),
    Column("specification", "规格型号", ("规格", "型号"), False, "规格型号。", "500g/袋"),
    Column(
        "production_batch",
        "生产日期/批号",
        ("生产日期", "批号", "生产日期或批号"),
        False,
        "生产日期或批号，原样保存。",
        "2025-06-28",
    ),
    Column(
        "verdict",
        "检验结论",
        ("结论", "判定结论", "检验结果判定"),
        False,
        "合格 或 不合格。为空时：有不合格项目即不合格，否则合格。",
        "不合格",
    ),
    Column(
        "failed_items",
        "不合格项目║检验结果║标准值",
        ("不合格项目",),
        False,
        "不合格项目，格式“项目║检验结果║标准值”，多个项目用换行或；分隔。",
        "大肠菌群║检出/50cm2║不得检出/50cm2",
    ),
    Column(
        "test_items",
        "检验项目明细",
        ("检验项目",),
        False,
        "全部检验项目，每项“项目║结果║标准值║单位║依据标准║合格/不合格”，多项用换行或；分隔。",
        "菌落总数║2.1×10³║≤100000║CFU/g║GB 7099-2015║合格",
    ),
    Column(
        "lab_name",
        "检验机构",
        ("检验检测机构", "承检机构", "检测机构"),
        False,
        "检验机构。",
        "东莞市食品药品检验所",
    ),
    Column(
        "announcement_no",
        "公告号",
        ("公告期号", "通告号"),
        False,
        "抽检信息公告的编号。",
        "2025年第15期",
    ),
    Column(
        "announcement_date", "公告日期", ("通告日期", "发布日期"), False, "公告日期。", "2025-08-15"
    ),
    Column(
        "retest_requested",
        "是否申请复检",
        ("申请复检", "复检申请"),
        False,
        "是 或 否（为空视为否）。",
        "否",
    ),
    Column(
        "retest_outcome",
        "复检结论",
        ("复检结果",),
        False,
        "维持原结论、改变原结论 或 复检中；未申请复检时留空。",
        "",
    ),
)

# The layout cities publish for failed samples (and `qcity inspection publish` writes).
PUBLISHED_HEADERS: tuple[str, ...] = (
    "序号",
    "抽查领域",
    "标称生产企业名称",
    "标称生产企业地址",
    "被抽样单位名称",
    "被抽样单位地址",
    "食品名称",
    "规格型号",
    "生产日期/批号",
    "不合格项目║检验结果║标准值",
    "分类",
    "公告号",
    "公告日期",
    "任务来源/项目名称",
    "检验机构",
    "商标",
)

BY_FIELD = {c.field: c for c in TEMPLATE}
REQUIRED_FIELDS = tuple(c.field for c in TEMPLATE if c.required)
_SPACES = re.compile(r"\s+")


def normalise_header(header: str) -> str:
    text = _SPACES.sub("", str(header)).replace("／", "/").replace("（", "(").replace("）", ")")
    return re.sub(r"[‖|｜]+", ITEM_SEPARATOR, text)


_HEADER_TO_FIELD: dict[str, str] = {}
for _column in TEMPLATE:
    for _name in (_column.header, *_column.aliases):
        _HEADER_TO_FIELD[normalise_header(_name)] = _column.field


def field_for_header(header: str) -> str | None:
    """The record field a header fills, or None for columns qcity ignores (备注 …)."""
    return _HEADER_TO_FIELD.get(normalise_header(header))


def header_label(field: str, headers: dict[str, str] | None = None) -> str:
    """The header to name in messages: the file's own header when known, else the template's."""
    if headers and field in headers:
        return headers[field]
    return BY_FIELD[field].header
