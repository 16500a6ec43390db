"""Household facts for the eligibility tables, derived from what the sources found.

The DMN tables compare these numbers and flags with the thresholds in their cells; nothing here
decides eligibility. Where several sources speak to one thing the most telling one counts:

* a member's verified monthly income is the highest of what they declared, the average taxed
  income (税务), the base of their normal housing-fund accounts (公积金) and, when retired, their
  pension (社保) — a contribution base is not income and is left out;
* housing area is the residential area owned now (不动产), shared by the household size;
* flags (owns a business, undeclared spouse, current housing benefit …) are true when any
  member's record says so.

Sources that did not answer count as saying nothing; the reviewer sees them as unavailable.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from app.engine.workdays import CHINA_TZ, now_utc

#: the elderly age of priority tables deployed before it became their own cell (``>= 60``)
LEGACY_ELDERLY_AGE = 60


def _cell(table: dict, id_number: str, source: str) -> dict:
    return ((table.get(id_number) or {}).get(source) or {}).get("facts") or {}


def _num(value: Any) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def age_on(id_number: str, today: date) -> int:
    """Whole years since the birth date in an 18-digit ID number (0 if unreadable)."""
    try:
        born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except (ValueError, IndexError):
        return 0
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def member_income(member: dict, table: dict) -> float:
    """The verified monthly income of one member (see the module doc)."""
    number = member["id_number"]
    social = _cell(table, number, "social_insurance")
    pension = _num(social.get("pension_monthly")) if social.get("status") == "retired" else 0.0
    return max(_num(member.get("monthly_income")), _num(_cell(table, number, "tax").get("monthly_income")),
               _num(_cell(table, number, "housing_fund").get("monthly_income_estimate")), pension)


def applicant_of(members: list[dict]) -> dict:
    """The member whose relation is the applicant (else the first one listed; {} for none)."""
    return next((m for m in members if m.get("relation") == "applicant"), members[0] if members else {})


def derive_facts(household: dict, table: dict, today: date | None = None) -> dict:
    """The facts the eligibility and priority tables read (flat, JSON-ready)."""
    today = today or now_utc().astimezone(CHINA_TZ).date()
    members = household.get("members") or []
    size = max(1, len(members))
    numbers = [m["id_number"] for m in members]
    applicant = applicant_of(members).get("id_number", "")

    def any_fact(source: str, key: str) -> bool:
        return any(bool(_cell(table, n, source).get(key)) for n in numbers)

    def total(source: str, key: str) -> float:
        return sum(_num(_cell(table, n, source).get(key)) for n in numbers)

    declared_income = sum(_num(m.get("monthly_income")) for m in members)
    verified_income = sum(member_income(m, table) for m in members)
    area = total("real_estate", "total_area")
    hukou = _cell(table, applicant, "hukou")
    permit = _cell(table, applicant, "residence_permit")
    social = _cell(table, applicant, "social_insurance")
    grades = [int(_cell(table, n, "disability").get("grade") or 0) for n in numbers
              if _cell(table, n, "disability").get("disabled")]
    benefits = [b for n in numbers for b in _cell(table, n, "housing_contracts").get("benefits_received") or []]
    applicant_age = age_on(applicant, today)
    return {
        "household_type": household.get("type") or "single",
        "household_size": size,
        "declared_monthly_income": round(declared_income, 2),
        "verified_monthly_income": round(verified_income, 2),
        "declared_per_capita_income": round(declared_income / size, 2),
        "per_capita_income": round(verified_income / size, 2),
        "total_housing_area": round(area, 2),
        "per_capita_area": round(area / size, 2),
        "owns_home": any_fact("real_estate", "owns_home"),
        "property_transferred": any_fact("real_estate", "transferred_within_5y"),
        "unregistered_contract": any(_cell(table, n, "housing_contracts").get("unregistered_contracts")
                                     for n in numbers),
        "current_housing_benefit": any(b.get("current") for b in benefits),
        "max_vehicle_price": max([_num(_cell(table, n, "vehicles").get("max_vehicle_price")) for n in numbers] or [0]),
        "vehicle_count": int(total("vehicles", "vehicle_count")),
        "owns_business": any_fact("business", "owns_business"),
        "business_capital": round(total("business", "total_capital"), 2),
        "total_assets": round(total("family_assets", "total_assets"), 2),
        "undeclared_spouse": any(_cell(table, n, "marriage").get("marital_status") == "married"
                                 and _cell(table, n, "marriage").get("spouse_declared") is False for n in numbers),
        "housing_fund_loan": any_fact("housing_fund", "has_loan"),
        "local_hukou": bool(hukou.get("local_hukou")),
        "hukou_years": int(hukou.get("hukou_years") or 0) if hukou.get("local_hukou") else 0,
        "has_permit": bool(permit.get("has_permit")),
        "permit_years": int(permit.get("permit_years") or 0) if permit.get("has_permit") else 0,
        "social_insurance_months": int(social.get("months_paid") or 0),
        "social_insurance_continuous_months": int(social.get("continuous_months") or 0),
        "medical_gap_months": int(_cell(table, applicant, "medical_insurance").get("gap_months") or 0),
        "applicant_age": applicant_age,
        "dibao": any_fact("subsistence", "dibao"),
        "tekun": any_fact("subsistence", "tekun"),
        "disabled": bool(grades),
        "disability_grade": min(grades) if grades else 0,
        "youfu": bool(household.get("youfu")),
        # read only by priority tables deployed before the age became a cell of the table: cases
        # still running on those versions keep the points they were promised
        "elderly": applicant_age >= LEGACY_ELDERLY_AGE,
    }
