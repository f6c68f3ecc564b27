"""indicators: the plan's indicators (seeded from plan_targets.csv) and reported values

Revision ID: 20261127_0004
Revises: 20261127_0003
Create Date: 2026-11-27 21:50:00
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261127_0004"
down_revision: str | None = "20261127_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROVENANCE = (
    "东府办〔2024〕3号《东莞市质量强市建设实施方案》 clause {clause}; "
    "qcity/indicators/data/plan_targets.csv"
)
# id, name_zh_hans, name_en, comparator, target, unit, deadline, source_clause, measured_from,
# kind, at_risk_margin, domain of the records a computed pass rate counts (None: reported)
# fmt: off
PLAN_TARGETS = [
    ('agri_routine_pass_rate', '农产品质量安全例行监测合格率', 'Agricultural products routine monitoring pass rate', '>=', 98.0, '%', '2025-12-31', '一(二)', 'sampling inspections (category 食用农产品 routine monitoring)', 'pass_rate', 1.0, 'agri'),
    ('food_sampling_pass_rate', '食品抽检合格率', 'Food sampling inspection pass rate', '>=', 98.5, '%', '2025-12-31', '一(二)', 'sampling inspections (food)', 'pass_rate', 1.0, 'food'),
    ('manufacturing_pass_rate', '制造业产品质量合格率', 'Manufactured product quality pass rate', '>=', 95.0, '%', '2025-12-31', '一(二)', 'sampling inspections (manufactured products)', 'pass_rate', 1.0, 'manufactured'),
    ('consumer_goods_pass_rate', '消费品质量合格率', 'Consumer goods quality pass rate', '>=', 95.0, '%', '2025-12-31', '一(二)', 'sampling inspections (consumer goods)', 'pass_rate', 1.0, 'consumer'),
    ('construction_spotcheck_rate', '工程质量抽查符合率', 'Construction quality spot-check conformance rate', 'rising', None, '%', '2025-12-31', '一(二)', 'construction spot checks', 'pass_rate', 0.0, 'construction'),
    ('one_window_rate', '政务服务一窗综合受理率', 'Government services one-window acceptance rate', '>=', 100.0, '%', '2025-12-31', '一(二)', 'reported', 'reported', 1.0, None),
    ('online_service_rate', '政务服务网上可办率', 'Government services online availability rate', '>=', 95.0, '%', '2025-12-31', '一(二)', 'reported', 'reported', 1.0, None),
    ('mfg_quality_competitiveness_index', '制造业质量竞争力指数', 'Manufacturing quality competitiveness index', '>=', 94.0, 'index', '2025-12-31', '一(二)', 'computed from 12 indicators (weights configurable)', 'reported', 1.0, None),
    ('new_smart_factories', '新增智能工厂（车间）', 'New smart factories (workshops)', '>=', 80.0, 'count', '2025-12-31', '一(二)', 'reported', 'reported', 8.0, None),
    ('specialized_smes', '省级以上专精特新企业', 'Provincial-level or higher specialised SMEs', '>=', 600.0, 'count', '2025-12-31', '一(二)', 'reported', 'reported', 60.0, None),
    ('single_champions', '国家级制造业单项冠军企业', 'National manufacturing single-champion enterprises', '>=', 10.0, 'count', '2025-12-31', '一(二)', 'reported', 'reported', 1.0, None),
    ('patents_per_10k', '每万人口高价值发明专利拥有量', 'High-value invention patents per 10k population', '>=', 26.9, 'per 10k', '2025-12-31', '一(二)', 'reported', 'reported', 2.69, None),
    ('rd_gdp_ratio', '全社会研发费用投入占GDP比重', 'R&D expenditure share of GDP', '~', 4.0, '%', '2025-12-31', '一(二)', 'reported', 'reported', 0.2, None),
    ('provincial_quality_awards', '新增广东省政府质量奖组织', 'New Guangdong Government Quality Award organisations', '>=', 2.0, 'count', '2025-12-31', '一(二)', 'reported', 'reported', 0.2, None),
    ('china_quality_award', '中国质量奖', 'China Quality Award winners', '>=', 1.0, 'count', '2025-12-31', '一(二)', 'reported', 'reported', 0.1, None),
    ('new_gi_products', '新增地理标志保护产品', 'New geographical-indication protected products', '>=', 1.0, 'count', '2025-12-31', '一(二)', 'reported', 'reported', 0.1, None),
    ('national_engineering_awards', '鲁班奖/国家优质工程奖/詹天佑奖', 'National engineering quality awards', '>=', 4.0, 'count', '2025-12-31', '一(二)', 'reported', 'reported', 0.4, None),
    ('provincial_jinjiang_awards', '省建设工程金匠奖', 'Provincial Golden Craftsman construction awards', '>=', 40.0, 'count', '2025-12-31', '一(二)', 'reported', 'reported', 4.0, None),
    ('quality_brand_demo_zones', '全国质量品牌提升示范区', 'National quality brand demonstration zones', '>=', 1.0, 'count', '2025-12-31', '一(二)', 'reported', 'reported', 0.1, None),
    ('leading_testing_firms', '检测认证领航企业', 'Leading testing and certification enterprises', '>=', 3.0, 'count', '2025-12-31', '一(二)', 'reported', 'reported', 0.3, None),
    ('new_national_labs', '新建国家级质量标准实验室等', 'New national-level quality labs and centres', '>=', 2.0, 'count', '2025-12-31', '一(二)', 'reported', 'reported', 0.2, None),
    ('intl_standards', '新增主导或参与制定国际标准', 'New international standards led or co-drafted', '>=', 6.0, 'count', '2025-12-31', '一(二)', 'reported', 'reported', 0.6, None),
    ('national_standards', '新增国家标准', 'New national standards', '>=', 200.0, 'count', '2025-12-31', '一(二)', 'reported', 'reported', 20.0, None),
    ('industry_standards', '新增行业标准', 'New industry standards', '>=', 100.0, 'count', '2025-12-31', '一(二)', 'reported', 'reported', 10.0, None),
    ('bay_area_standards', '新增湾区标准', 'New Greater Bay Area standards', '>=', 30.0, 'count', '2025-12-31', '一(二)', 'reported', 'reported', 3.0, None),
    ('dongguan_premium_products', '东莞优品', 'Dongguan Premium Products certified', '>=', 30.0, 'count', '2025-12-31', '二(五)14', 'reported', 'reported', 3.0, None),
    ('testing_institutions', '检验检测认证机构数量', 'Testing and certification institutions', '>=', 450.0, 'count', '2025-12-31', '二(六)17', 'lab registry', 'reported', 45.0, None),
    ('testing_revenue', '检验检测认证年营业收入', 'Testing and certification annual revenue', '>=', 10000000000.0, 'CNY', '2025-12-31', '二(六)17', 'reported', 'reported', 1000000000.0, None),
    ('chief_quality_officers', '首席质量官', 'Chief quality officers appointed', '>=', 10000.0, 'count', '2025-12-31', '二(七)22', 'enterprise registry', 'reported', 1000.0, None),
]
# fmt: on


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table(
        "indicator",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name_zh_hans", sa.String(length=128), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("comparator", sa.String(length=8), nullable=False),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("source_clause", sa.String(length=32), nullable=False),
        sa.Column("measured_from", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at_risk_margin", sa.Float(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=True),
        sa.Column("provenance", sa.String(length=256), nullable=False),
        sa.CheckConstraint(
            "comparator IN ('>=', '<=', '~', 'rising')", name=op.f("ck_indicator_comparator")
        ),
        sa.CheckConstraint("kind IN ('pass_rate', 'reported')", name=op.f("ck_indicator_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator")),
    )
    op.create_table(
        "indicator_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("town_code", sa.String(length=12), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("reported_by", sa.String(length=64), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicator.id"],
            name=op.f("fk_indicator_value_indicator_id_indicator"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["town_code"], ["org_unit.code"], name=op.f("fk_indicator_value_town_code_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_value")),
    )
    with op.batch_alter_table("indicator_value", schema=None) as batch_op:
        batch_op.create_index(
            "ix_indicator_value_indicator_period",
            ["indicator_id", "period", "town_code"],
            unique=False,
        )

    # ### end Alembic commands ###
    indicator = sa.table(
        "indicator",
        *(
            sa.column(name)
            for name in (
                "id",
                "name_zh_hans",
                "name_en",
                "comparator",
                "target",
                "unit",
                "source_clause",
                "measured_from",
                "kind",
                "at_risk_margin",
                "provenance",
            )
        ),
        sa.column("definition", sa.JSON()),
        sa.column("deadline", sa.Date()),
    )
    op.bulk_insert(
        indicator,
        [
            {
                "id": id_,
                "name_zh_hans": zh,
                "name_en": en,
                "comparator": comparator,
                "target": target,
                "unit": unit,
                "deadline": dt.date.fromisoformat(deadline),
                "source_clause": clause,
                "measured_from": measured_from,
                "kind": kind,
                "at_risk_margin": margin,
                "definition": None
                if domain is None
                else {
                    "denominator": {"domain": [domain]},
                    "failures": {"verdict": ["fail"]},
                },
                "provenance": PROVENANCE.format(clause=clause),
            }
            for (
                id_,
                zh,
                en,
                comparator,
                target,
                unit,
                deadline,
                clause,
                measured_from,
                kind,
                margin,
                domain,
            ) in PLAN_TARGETS
        ],
    )


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("indicator_value", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_value_indicator_period")

    op.drop_table("indicator_value")
    op.drop_table("indicator")
    # ### end Alembic commands ###
