"""水电气 utilities: a unit's monthly water, electricity and gas use and its registered occupant.

Platform: the city's utilities data-sharing gateway (HMAC-SHA256, REST envelope).
``POST /api/v1/yhyl/query`` with ``{"hh": unit code, "ys": months}`` answers ``{"hh", "cxlsh"
query serial, "yhmc" / "yhzjhm" the registered account holder's name and ID number, "yl": [{"ny"
month, "ysl" water m³, "ydl" electricity kWh, "yql" gas m³}]}`` for the last whole months, oldest
first.

Facts (in ``details``): the months, how many of the latest months in a row show near-zero use of
all three (a vacancy sign), the ratio of the latest three months' electricity to the months
before (a sudden change of pattern is a sublet sign), and whether the account holder is the
tenant. The thresholds of "near zero" are connector options, the months that make a warning are
policy (``supervision_risk.dmn``).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from app.privacy import mask_name
from connectors.base import Connector, operation, register_connector
from connectors.base.call import Call
from connectors.base.envelope import REST
from connectors.base.outbound import ReceiptSchema, receipt
from connectors.base.source import id_number_field

#: below all three a month counts as "no use" (per month; connector options may change them)
NEAR_ZERO = {"water_m3": 0.5, "electricity_kwh": 5.0, "gas_m3": 0.5}


class UsageParams(Schema):
    """Parameters of ``utilities/usage``."""

    unit_code = fields.String(required=True, validate=validate.Length(min=1, max=32),
                              metadata={"description": "the unit (房屋编号) as the lease names it"})
    tenant_id_number = id_number_field("the tenant, to compare with the account holder",
                                       load_default=None, allow_none=True)
    months = fields.Integer(load_default=6, validate=validate.Range(min=3, max=24),
                            metadata={"description": "whole months to read back"})


def vacant_run(months: list[dict[str, Any]], near_zero: dict[str, float]) -> int:
    """How many of the latest months in a row show near-zero use of water, electricity and gas."""
    run = 0
    for month in reversed(months):
        if all(float(month[k]) < near_zero[k] for k in near_zero):
            run += 1
        else:
            break
    return run


def change_ratio(months: list[dict[str, Any]]) -> float:
    """Electricity of the latest three months over the average before them (1.0 with no history)."""
    recent, before = months[-3:], months[:-3]
    if not before:
        return 1.0
    base = sum(float(m["electricity_kwh"]) for m in before) / len(before)
    now = sum(float(m["electricity_kwh"]) for m in recent) / len(recent)
    return round(now / base, 2) if base > 0 else (1.0 if now == 0 else 99.0)


@register_connector
class UtilitiesConnector(Connector):
    """水电气: monthly use per unit and the registered account holder."""

    name = "utilities"
    title = "水电气用量"
    signing = "hmac_sha256"
    sandbox_prefix = "/shuidianqi"
    demo_credential = {"app_key": "SDQ-DEMO-APP", "app_secret": "5d1f0e7c3b9a48d2a6c4e1f7"}
    envelope = REST
    default_options = {"near_zero": NEAR_ZERO}
    samples = {"usage": {"unit_code": "YZ-0101-0502", "tenant_id_number": "500103199005124517", "months": 6}}

    @operation("usage", params=UsageParams, result=ReceiptSchema,
               description="monthly water, electricity and gas use of a unit, and its account holder")
    def usage(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        """Read the months back; the receipt id is the platform's query serial ``cxlsh``."""
        data = call.post("/api/v1/yhyl/query", {"hh": params["unit_code"], "ys": params["months"]}, label="yhyl")
        months = [{"month": str(r["ny"]), "water_m3": float(r["ysl"]), "electricity_kwh": float(r["ydl"]),
                   "gas_m3": float(r["yql"])} for r in data["yl"]]
        near_zero = {**NEAR_ZERO, **(self.options.get("near_zero") or {})}
        holder = data.get("yhzjhm") or None
        tenant = params.get("tenant_id_number")
        matches = None if not holder or not tenant else holder.upper() == tenant.upper()
        return receipt(self, call, data["cxlsh"], unit_code=params["unit_code"], months=months,
                       vacant_months=vacant_run(months, near_zero), usage_change_ratio=change_ratio(months),
                       holder_name=mask_name(data.get("yhmc") or "") or "", holder_is_tenant=matches)
