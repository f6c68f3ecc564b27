"""The city's registry: org units (city → towns), industries and market entities."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Date, Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from qcity.db.base import Base


class OrgUnitLevel(enum.IntEnum):
    CITY = 1
    TOWN = 2


class OrgUnit(Base):
    """A node of the org-unit tree (DHIS2's term): the city at level 1, its towns at level 2."""

    __tablename__ = "org_unit"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("org_unit.code"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # city, subdistrict, town, zone
    name_zh_hans: Mapped[str] = mapped_column(String(64))
    name_zh_hant: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))


class IndustryLevel(enum.StrEnum):
    SECTION = "section"
    DIVISION = "division"


class Industry(Base):
    """A GB/T 4754-2017 section (letter) or division (two digits)."""

    __tablename__ = "industry"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    level: Mapped[str] = mapped_column(String(8))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("industry.code"))
    name_zh_hans: Mapped[str] = mapped_column(String(64))
    name_zh_hant: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(96))


class SizeClass(enum.StrEnum):
    LARGE = "large"
    MEDIUM = "medium"
    SMALL = "small"
    MICRO = "micro"


class EntityStatus(enum.StrEnum):
    ACTIVE = "active"  # 存续（在营、开业、在册）
    REVOKED = "revoked"  # 吊销
    DEREGISTERED = "deregistered"  # 注销
    MOVED_OUT = "moved_out"  # 迁出


class MarketEntity(Base):
    """A registered business: enterprise, individual business or farmers' cooperative."""

    __tablename__ = "market_entity"
    __table_args__ = (
        Index("ix_market_entity_town_industry", "town_code", "industry_code"),
        Index("ux_market_entity_uscc", "uscc", unique=True),
        CheckConstraint("length(uscc) = 18", name="uscc_length"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(128), index=True)
    town_code: Mapped[str] = mapped_column(ForeignKey("org_unit.code"))
    industry_code: Mapped[str] = mapped_column(ForeignKey("industry.code"), index=True)
    address: Mapped[str] = mapped_column(String(256))
    size_class: Mapped[SizeClass] = mapped_column(
        Enum(SizeClass, native_enum=False, length=8, values_callable=lambda e: [m.value for m in e])
    )
    registered_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[EntityStatus] = mapped_column(
        Enum(
            EntityStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    legal_representative: Mapped[str] = mapped_column(String(64))
