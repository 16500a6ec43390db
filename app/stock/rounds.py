"""The units of a new allocation round: chosen from the stock by criteria, or typed by hand.

The round page sends either ``source = "stock"`` with a district, housing type, layouts and
(optionally) a number of units, or ``source = "manual"`` with the units typed in (older
callers send only ``units``). The round then carries ``[{code, address, area, rent}]`` as
before; the draw offers each household only the stock units its band allows
(:func:`app.stock.matching.assign`) and reserves them.
"""

from __future__ import annotations

from sqlalchemy import select

from app.auth.identity import Identity
from app.db import db
from app.services.case_service import in_district
from app.services.errors import Forbidden, ValidationFailed
from app.stock.models import HousingUnit


def units_for_round(identity: Identity, data: dict) -> list[dict]:
    """The units the round offers; :class:`ValidationFailed` when there are none."""
    source = data.get("source") or ("manual" if data.get("units") else "stock")
    if source == "manual" and data.get("method") == "choice":
        message = "在线选房需从房源库选取房源（选房页面展示户型、楼层和配套）"
        raise ValidationFailed(message, errors={"source": [message]})
    if source == "manual":
        if not data.get("units"):
            raise ValidationFailed("请至少录入一套房源", errors={"units": ["请至少录入一套房源"]})
        return list(data["units"])
    if not in_district(identity, data["district"]):
        raise Forbidden(f"只能为本区县（{identity.district}）发起配租")
    query = (select(HousingUnit).where(HousingUnit.district == data["district"],
                                       HousingUnit.housing_type == data["housing_type"],
                                       HousingUnit.status == "vacant").order_by(HousingUnit.code))
    if data.get("layouts"):
        query = query.where(HousingUnit.layout.in_(data["layouts"]))
    if data.get("unit_count"):
        query = query.limit(int(data["unit_count"]))
    with db.session() as session:
        found = [{"code": u.code, "address": u.address, "area": u.usable_area, "rent": u.monthly_rent,
                  "layout": u.layout} for u in session.scalars(query)]
    if not found:
        message = "房源库中没有符合条件的空置房源"
        raise ValidationFailed(message, errors={"layouts": [message]})
    return found
