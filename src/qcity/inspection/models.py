"""Sampling inspections (抽检): categories, inspection records and their test-item results.

``sampling_inspection`` is written by bulk imports (never per-row ORM objects on the hot path);
the ORM classes serve reads, the API and tests. Pass-rate queries by town, category and date are
served by the composite indexes declared here.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qcity.db.base import Base


class Domain(enum.StrEnum):
    """What kind of product a category belongs to (and which plan indicator counts it)."""

    FOOD = "food"  # 食品 (the 34 categories of the national sampling rules)
    AGRI = "agri"  # 食用农产品例行监测 (routine monitoring)
    MANUFACTURED = "manufactured"  # 工业产品 by GB/T 4754 division
    CONSUMER = "consumer"  # 消费品
    CONSTRUCTION = "construction"  # 建设工程质量抽查 (materials and works)


class Verdict(enum.StrEnum):
    PASS = "pass"  # 合格
    FAIL = "fail"  # 不合格


class RetestOutcome(enum.StrEnum):
    PENDING = "pending"  # 复检中
    UPHELD = "upheld"  # 维持原检验结论
    OVERTURNED = "overturned"  # 改变原检验结论


class HazardClass(enum.StrEnum):
    """The hazard classes SAMR reports failed food samples by."""

    PESTICIDE_RESIDUE = "pesticide_residue"  # 农药残留
    MICROBIAL = "microbial"  # 微生物污染
    ADDITIVE = "additive"  # 超范围超限量使用食品添加剂
    ORGANIC_CONTAMINANT = "organic_contaminant"  # 有机物污染
    VETERINARY_DRUG = "veterinary_drug"  # 兽药残留
    HEAVY_METAL = "heavy_metal"  # 重金属等元素污染
    QUALITY_INDEX = "quality_index"  # 质量指标
    SAFETY = "safety"  # 安全性能 (non-food: electrical, mechanical, chemical safety)
    OTHER = "other"


class InspectionCategory(Base):
    """A category of sampled product: a tree whose roots are the five domains."""

    __tablename__ = "inspection_category"
    __table_args__ = (
        CheckConstraint(
            "domain IN ('food', 'agri', 'manufactured', 'consumer', 'construction')",
            name="domain",
        ),
    )

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    domain: Mapped[str] = mapped_column(String(16), index=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("inspection_category.code"))
    name_zh_hans: Mapped[str] = mapped_column(String(64))
    name_zh_hant: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(96))
    # The GB/T 4754 division of a manufactured-product category (13-43), else None.
    industry_code: Mapped[str | None] = mapped_column(ForeignKey("industry.code"))
    # Other names the 分类 column of published tables uses for this category, "|"-separated.
    aliases: Mapped[str] = mapped_column(String(255), default="")


class SamplingInspection(Base):
    """One sample taken, tested and judged (抽检), with its announcement and any retest."""

    __tablename__ = "sampling_inspection"
    __table_args__ = (
        Index("ux_sampling_inspection_natural_key", "natural_key", unique=True),
        # Pass rates by period, town and category: one covering index (date first for ranges;
        # filters on town or category alone scan it). Every extra index on this table costs
        # import speed (random-order B-tree inserts), so there are deliberately few.
        Index(
            "ix_sampling_inspection_date_town_category",
            "sampling_date",
            "town_code",
            "category_code",
            "verdict",
        ),
        Index("ix_sampling_inspection_sampled_entity_id", "sampled_entity_id"),
        CheckConstraint("verdict IN ('pass', 'fail')", name="verdict"),
        CheckConstraint(
            "retest_outcome IS NULL OR retest_outcome IN ('pending', 'upheld', 'overturned')",
            name="retest_outcome",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Report number ("R:<report_no>"), else lab + sample number ("S:<lab>|<sample_no>").
    natural_key: Mapped[str] = mapped_column(String(200))
    task_source: Mapped[str] = mapped_column(String(128))  # 任务来源 / 项目名称
    sampling_date: Mapped[dt.date] = mapped_column(Date)
    town_code: Mapped[str] = mapped_column(ForeignKey("org_unit.code"))
    sampled_entity_id: Mapped[int | None] = mapped_column(ForeignKey("market_entity.id"))
    sampled_unit_name: Mapped[str] = mapped_column(String(128))
    sampled_unit_address: Mapped[str] = mapped_column(String(256))
    manufacturer_name: Mapped[str] = mapped_column(String(128))  # 标称生产企业名称
    manufacturer_address: Mapped[str] = mapped_column(String(256))
    manufacturer_uscc: Mapped[str | None] = mapped_column(String(18))
    product_name: Mapped[str] = mapped_column(String(128))
    brand: Mapped[str] = mapped_column(String(64))  # 商标
    specification: Mapped[str] = mapped_column(String(128))  # 规格型号
    production_batch: Mapped[str] = mapped_column(String(64))  # 生产日期/批号
    category_code: Mapped[str] = mapped_column(ForeignKey("inspection_category.code"))
    industry_code: Mapped[str | None] = mapped_column(ForeignKey("industry.code"))
    verdict: Mapped[str] = mapped_column(String(8))  # pass | fail
    lab_name: Mapped[str] = mapped_column(String(128))  # 检验机构
    report_no: Mapped[str | None] = mapped_column(String(64))
    sample_no: Mapped[str | None] = mapped_column(String(64))
    announcement_no: Mapped[str | None] = mapped_column(String(64))
    announcement_date: Mapped[dt.date | None] = mapped_column(Date)
    retest_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    retest_outcome: Mapped[str | None] = mapped_column(String(16))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    category: Mapped[InspectionCategory] = relationship(viewonly=True)
    items: Mapped[list[TestItemResult]] = relationship(
        back_populates="inspection",
        order_by="TestItemResult.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class TestItemResult(Base):
    """One tested parameter of an inspection, with its result and the limit it was judged by."""

    __tablename__ = "test_item_result"
    __test__ = False  # not a pytest test class
    __table_args__ = (
        Index("ix_test_item_result_inspection_id", "inspection_id"),
        CheckConstraint("verdict IN ('pass', 'fail')", name="verdict"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("sampling_inspection.id", ondelete="CASCADE")
    )
    item: Mapped[str] = mapped_column(String(128))  # 检验项目
    result: Mapped[str] = mapped_column(String(64))  # 检验结果, as printed (e.g. 检出/50cm2)
    result_value: Mapped[float | None] = mapped_column(Float)  # numeric part when there is one
    unit: Mapped[str] = mapped_column(String(32))
    standard_limit: Mapped[str] = mapped_column(String(64))  # 标准值, as printed (e.g. ≤0.5)
    standard_reference: Mapped[str] = mapped_column(String(128))  # GB 2763-2021 …
    verdict: Mapped[str] = mapped_column(String(8))  # pass | fail
    hazard_class: Mapped[str | None] = mapped_column(String(24))

    inspection: Mapped[SamplingInspection] = relationship(back_populates="items")
