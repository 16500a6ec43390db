"""房源库 use cases: add, edit and import units, take them off the market, list, count vacancies.

City staff see every district; district staff only their own (the units they add or import
must be in it). Every change is audited; a status change also lands in the unit's history.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.chain import record
from app.auth.identity import Identity
from app.db import db, utcnow
from app.l10n import Message
from app.services import batch_import_rows
from app.services.case_service import in_district
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.stock import flow, sheet, units
from app.stock.catalogue import HOUSING_TYPES, MANUAL, STATUSES
from app.stock.models import HousingBuilding, HousingProject, HousingUnit, UnitStatusChange

ROLES = ("city_reviewer", "district_reviewer")
MAX_LIST = 500


class UnitNotFound(NotFound):
    code = "unit_not_found"


class StatusChangeRefused(Conflict):
    code = "status_change_refused"


@dataclass(frozen=True)
class Filters:
    """What the list shows: each filter empty for all."""

    district: str = ""
    housing_type: str = ""
    layout: str = ""
    status: str = ""


def _require(identity: Identity) -> None:
    if not (identity.is_admin or identity.has_role(*ROLES)):
        raise Forbidden("只有市、区住房保障工作人员可以管理房源")


def _scope(identity: Identity, district: str) -> str:
    """The district to show: a district officer's own, whatever was asked."""
    if identity.district and not identity.is_admin:
        if district and district != identity.district:
            raise Forbidden(Message("stock.district_only", district=identity.district))
        return identity.district
    return district


def view(unit: HousingUnit, project: HousingProject | None = None, building: HousingBuilding | None = None) -> dict:
    """A unit as the pages and the API show it."""
    return {"code": unit.code, "project": project.name if project else "",
            "building": building.name if building else "", "room_no": unit.room_no,
            "address": unit.address, "district": unit.district,
            "housing_type": unit.housing_type, "layout": unit.layout, "rooms": unit.rooms,
            "usable_area": unit.usable_area, "floor": unit.floor, "rent_basis": unit.rent_basis,
            "rent_rate": unit.rent_rate, "monthly_rent": unit.monthly_rent, "facilities": list(unit.facilities),
            "has_lift": bool(building and building.has_lift), "accessible": unit.accessible, "status": unit.status,
            "held_by": unit.held_by, "updated_at": unit.updated_at.isoformat()}


def _joined():
    return (select(HousingUnit, HousingProject, HousingBuilding)
            .join(HousingProject, HousingProject.id == HousingUnit.project_id)
            .join(HousingBuilding, HousingBuilding.id == HousingUnit.building_id))


def list_units(identity: Identity, filters: Filters, limit: int = MAX_LIST) -> list[dict]:
    """Units by district, housing type, layout and status, by code."""
    _require(identity)
    query = _joined().order_by(HousingUnit.district, HousingUnit.code).limit(max(1, min(limit, MAX_LIST)))
    district = _scope(identity, filters.district)
    for column, value in ((HousingUnit.district, district), (HousingUnit.housing_type, filters.housing_type),
                          (HousingUnit.layout, filters.layout), (HousingUnit.status, filters.status)):
        if value:
            query = query.where(column == value)
    with db.session() as session:
        return [view(*row) for row in session.execute(query).all()]


def get_unit(identity: Identity, code: str) -> dict:
    """One unit with its status history, newest first."""
    _require(identity)
    with db.session() as session:
        row = session.execute(_joined().where(HousingUnit.code == code)).first()
        if row is None or not in_district(identity, row[0].district):
            raise UnitNotFound(Message("stock.not_found", code=code))
        changes = session.scalars(select(UnitStatusChange).where(UnitStatusChange.unit_id == row[0].id)
                                  .order_by(UnitStatusChange.id.desc())).all()
        return {**view(*row), "history": [
            {"from_status": c.from_status, "to_status": c.to_status, "actor": c.actor, "reason": c.reason,
             "ref": c.ref, "changed_at": c.changed_at.isoformat()} for c in changes]}


def _place(session: Session, data: dict) -> tuple[HousingProject, HousingBuilding]:
    """The project and building of ``data``, created on first use."""
    project = session.scalar(select(HousingProject).where(HousingProject.district == data["district"],
                                                          HousingProject.name == data["project"]))
    if project is None:
        project = HousingProject(name=data["project"], district=data["district"], address=data["address"],
                                 housing_type=data["housing_type"], created_at=utcnow())
        session.add(project)
        session.flush()
    building = session.scalar(select(HousingBuilding).where(HousingBuilding.project_id == project.id,
                                                            HousingBuilding.name == data["building"]))
    if building is None:
        building = HousingBuilding(project_id=project.id, name=data["building"], has_lift=data["has_lift"])
        session.add(building)
        session.flush()
    building.has_lift = data["has_lift"]
    return project, building


def _fill(unit: HousingUnit, data: dict, project: HousingProject, building: HousingBuilding) -> None:
    unit.project_id, unit.building_id = project.id, building.id
    for key in ("room_no", "address", "district", "housing_type", "layout", "rooms", "usable_area", "floor",
                "rent_basis", "rent_rate", "monthly_rent", "facilities", "accessible"):
        setattr(unit, key, data[key])
    unit.updated_at = utcnow()


def _checked(identity: Identity, values: dict) -> tuple[dict, dict[str, list[str]]]:
    data, errors = units.check(values)
    if data.get("district") and not in_district(identity, data["district"]):
        errors.setdefault("district", []).append(Message("stock.register_district_only", district=identity.district))
    return data, errors


def add_unit(identity: Identity, values: dict) -> dict:
    """Add one unit (vacant); 422 with the problems per field."""
    _require(identity)
    data, errors = _checked(identity, values)
    if errors:
        raise ValidationFailed("房源信息有误", errors=errors)
    with db.transaction() as session:
        if session.scalar(select(HousingUnit.id).where(HousingUnit.code == data["code"])):
            raise ValidationFailed("房源信息有误", errors={"code": [Message("stock.code_exists", code=data["code"])]})
        _store(session, identity, data)
    return get_unit(identity, data["code"])


def _store(session: Session, identity: Identity, data: dict) -> HousingUnit:
    project, building = _place(session, data)
    unit = HousingUnit(code=data["code"], status="vacant", held_by="", created_by=identity.username,
                       created_at=utcnow())
    _fill(unit, data, project, building)
    session.add(unit)
    session.flush()
    session.add(UnitStatusChange(unit_id=unit.id, from_status="", to_status="vacant", actor=identity.username,
                                 reason="登记房源", ref="", changed_at=utcnow()))
    record(session, identity.username, "stock.unit_added", "housing_unit", data["code"],
           {"district": data["district"], "layout": data["layout"], "usable_area": data["usable_area"]})
    return unit


def edit_unit(identity: Identity, code: str, values: dict) -> dict:
    """Change a unit's data (not its code nor its status)."""
    _require(identity)
    data, errors = _checked(identity, {**values, "code": code})
    if errors:
        raise ValidationFailed("房源信息有误", errors=errors)
    with db.transaction() as session:
        unit = flow.locked_unit(session, code)
        if unit is None or not in_district(identity, unit.district):
            raise UnitNotFound(Message("stock.not_found", code=code))
        project, building = _place(session, data)
        _fill(unit, data, project, building)
        record(session, identity.username, "stock.unit_edited", "housing_unit", code,
               {k: data[k] for k in ("district", "layout", "usable_area", "monthly_rent")})
    return get_unit(identity, code)


def set_status(identity: Identity, code: str, to_status: str, reason: str) -> dict:
    """Take a vacant unit off the market (维修中, 已下架) or put it back; offers and leases do the rest."""
    _require(identity)
    reason = (reason or "").strip()
    if to_status not in STATUSES:
        raise ValidationFailed("房源状态有误", errors={"status": [Message("stock.unknown_status", status=to_status)]})
    if not 2 <= len(reason) <= 500:
        raise ValidationFailed("请填写变更原因", errors={"reason": ["请填写变更原因（2–500个字）"]})
    with db.transaction() as session:
        unit = flow.locked_unit(session, code)
        if unit is None or not in_district(identity, unit.district):
            raise UnitNotFound(Message("stock.not_found", code=code))
        if (unit.status, to_status) not in MANUAL:
            raise StatusChangeRefused(Message("stock.status_change_refused", code=code,
                                              status=Message(STATUSES[unit.status]), to=Message(STATUSES[to_status])))
        record(session, identity.username, "stock.status_changed", "housing_unit", code,
               {"from": unit.status, "to": to_status, "reason": reason})
        flow.change(session, unit, to_status, identity.username, reason)
    return get_unit(identity, code)


def import_units(identity: Identity, filename: str, content: bytes) -> dict:
    """Import a CSV / XLSX sheet: valid rows are added, every problem is reported by row and column.

    Returns ``{"created": [codes], "problems": [{"row", "column", "message"}]}``; a file that
    cannot be read at all raises :class:`ValidationFailed`.
    """
    _require(identity)
    try:
        rows = batch_import_rows.read_sheet(filename, content, sheet.COLUMNS)
    except batch_import_rows.SheetError as exc:
        raise ValidationFailed(str(exc), errors={"file": [str(exc)]}) from None
    checked = []
    seen: dict[str, int] = {}
    for row in rows:
        data, errors = _checked(identity, row.values)
        if data["code"] in seen:
            errors.setdefault("code", []).append(Message("stock.duplicate_row", row=seen[data["code"]]))
        seen.setdefault(data["code"], row.number)
        checked.append((row, data, errors))
    created: list[str] = []
    with db.transaction() as session:
        existing = set(session.scalars(select(HousingUnit.code).where(HousingUnit.code.in_(list(seen)))))
        for _row, data, errors in checked:
            if data["code"] in existing:
                errors.setdefault("code", []).append(Message("stock.code_in_stock", code=data["code"]))
            if not errors:
                _store(session, identity, data)
                created.append(data["code"])
        record(session, identity.username, "stock.imported", "housing_import", filename[:100],
               {"created": len(created), "rows": len(rows)})
    problems = [{"row": row.number, "column": sheet.TITLES[key], "message": message}
                for row, _data, errors in checked for key, messages in errors.items() for message in messages]
    return {"created": created, "rows": len(rows), "problems": problems}


def vacancy(identity: Identity, district: str = "") -> dict:
    """Unit counts by district, housing type and status, and the vacancy rate of each district."""
    _require(identity)
    district = _scope(identity, district)
    query = select(HousingUnit.district, HousingUnit.housing_type, HousingUnit.status, func.count()) \
        .group_by(HousingUnit.district, HousingUnit.housing_type, HousingUnit.status)
    if district:
        query = query.where(HousingUnit.district == district)
    with db.session() as session:
        counts = session.execute(query).all()
    rows: dict[tuple[str, str], Counter] = {}
    for d, housing_type, status, n in counts:
        rows.setdefault((d, housing_type), Counter())[status] += n
    out = []
    for (d, housing_type), by_status in sorted(rows.items()):
        total = sum(by_status.values())
        out.append({"district": d, "housing_type": housing_type, "total": total,
                    **{s: by_status.get(s, 0) for s in STATUSES},
                    "vacancy_rate": round(100 * by_status.get("vacant", 0) / total, 1) if total else 0.0})
    totals: Counter[str] = Counter()
    for r in out:
        totals.update({k: r[k] for k in ("total", *STATUSES)})
    return {"district": district, "rows": out, "totals": {k: totals.get(k, 0) for k in ("total", *STATUSES)},
            "housing_types": HOUSING_TYPES, "statuses": STATUSES}


def districts(identity: Identity) -> list[str]:
    """The districts with units that the identity may see."""
    if identity.district and not identity.is_admin:
        return [identity.district]
    with db.session() as session:
        return list(session.scalars(select(HousingUnit.district).distinct().order_by(HousingUnit.district)))
