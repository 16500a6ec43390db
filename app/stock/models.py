"""房源库: housing projects (小区), their buildings, the units and every unit's status history.

A unit's ``status`` changes only through :mod:`app.stock.flow`: an offer reserves it, a signed
lease lets it, a declined offer or an exit frees it; staff may only take a vacant unit off the
market (维修中, 已下架) and put it back. Every change is a :class:`UnitStatusChange` row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class HousingProject(Base):
    """A 小区: where its units are and what is around them."""

    __tablename__ = "housing_project"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    district: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    #: gongzufang | baozufang
    housing_type: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HousingBuilding(Base):
    """A building (楼栋) of a project; whether it has a lift decides the upper floors' accessibility."""

    __tablename__ = "housing_building"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("housing_project.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(32))
    has_lift: Mapped[bool] = mapped_column(default=False)


class HousingUnit(Base):
    """One rentable unit (房源)."""

    __tablename__ = "housing_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("housing_project.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("housing_building.id", ondelete="CASCADE"), index=True)
    room_no: Mapped[str] = mapped_column(String(16))
    #: the full address shown in offers and leases
    address: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(64))
    housing_type: Mapped[str] = mapped_column(String(16))
    #: 一室 | 一室一厅 | 两室一厅 | … (see app.stock.catalogue.LAYOUTS); rooms is its number of bedrooms
    layout: Mapped[str] = mapped_column(String(16))
    rooms: Mapped[int] = mapped_column(default=1)
    usable_area: Mapped[float] = mapped_column(default=0.0)
    floor: Mapped[int] = mapped_column(default=1)
    #: per_m2 (rent_rate × usable_area) | fixed (rent_rate is the monthly rent)
    rent_basis: Mapped[str] = mapped_column(String(8), default="per_m2")
    rent_rate: Mapped[float] = mapped_column(default=0.0)
    monthly_rent: Mapped[float] = mapped_column(default=0.0)
    #: facilities and transport: ["地铁2号线临江门站 500米", "人和街小学", …]
    facilities: Mapped[list] = mapped_column(default=list)
    #: a lift to the unit, or the ground floor
    accessible: Mapped[bool] = mapped_column(default=False)
    #: vacant | reserved | let | repair | withdrawn
    status: Mapped[str] = mapped_column(String(16), default="vacant")
    #: the offer or lease that holds the unit (round/application, lease number)
    held_by: Mapped[str] = mapped_column(String(64), default="")
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class UnitStatusChange(Base):
    """Who changed a unit's status, when and why."""

    __tablename__ = "housing_unit_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("housing_unit.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    #: the round, offer or lease behind the change ("" for staff changes)
    ref: Mapped[str] = mapped_column(String(64), default="")
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_housing_unit_filter", HousingUnit.district, HousingUnit.housing_type, HousingUnit.status)
Index("uq_housing_project_name", HousingProject.district, HousingProject.name, unique=True)
Index("uq_housing_building_name", HousingBuilding.project_id, HousingBuilding.name, unique=True)
