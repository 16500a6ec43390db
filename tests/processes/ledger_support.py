"""A moved-in lease with a rent schedule that began months ago, for the ledger tests."""

from __future__ import annotations

from datetime import timedelta

from app.auth.identity import Identity
from app.db import db
from app.ledger import bills
from app.models import Application, Lease
from handlers.contract import add_years, rent_schedule

TENANT = Identity("tenant_ledger", "王租户", roles=("applicant",), groups=("applicant",))
OFFICER = Identity("officer_ledger", "李专管", roles=("city_reviewer",), groups=("allocation_officer",))


def make_lease(number: str = "GZF2026-900001", months_ago: int = 5, rent: float = 500.0,
               phone: str = "13800138000", username: str = TENANT.username) -> str:
    """An active lease that started ``months_ago`` months ago (deposit two months' rent); its lease no."""
    starts_on = bills.today().replace(day=1) - timedelta(days=30 * months_ago)
    ends_on = add_years(starts_on, 3) - timedelta(days=1)
    with db.transaction() as session:
        case = Application(application_no=number, housing_type="gongzufang", district="北碚区",
                           applicant_username=username, applicant_name="王租户", applicant_name_masked="王*户",
                           applicant_id_number="500109199001011234", applicant_phone=phone,
                           household_type="single", status="leased", current_step="已入住")
        session.add(case)
        session.flush()
        session.add(Lease(lease_no=f"L{number}", application_id=case.id, application_no=number,
                          housing_type="gongzufang", unit_code="BB-0101", unit_address="北碚区天生路1号1-1",
                          unit_area=45.0, monthly_rent=rent, deposit=rent * 2, starts_on=starts_on, ends_on=ends_on,
                          schedule=rent_schedule(starts_on, ends_on, rent, rent * 2), status="active"))
    return f"L{number}"
