"""Allocation rounds, the waiting list, leases and exits, for officers, applicants and the public.

Rounds, leases and exits are process instances (``allocation``, ``lease``, ``exit``); these
functions start them and read the tables their handlers write.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from app.auth.identity import Identity
from app.db import db
from app.models import AllocationRound, Application, Lease
from app.services import access, forms, instance_service
from app.services.case_service import can_view, next_sequence
from app.services.errors import Forbidden, NotFound

ROUND_FORM = "allocation_round.schema.json"
EXIT_FORM = "exit.schema.json"
OFFICER_GROUPS = ("allocation_officer",)
#: 在线选房: hours each household has to choose when the round form leaves it empty
DEFAULT_WINDOW_HOURS = 24


class LeaseNotFound(NotFound):
    code = "lease_not_found"
    title = "租赁合同不存在"


def _require_officer(identity: Identity) -> None:
    if not (identity.is_admin or any(g in identity.groups for g in OFFICER_GROUPS)):
        raise Forbidden("只有配租管理人员可以发起配租")


def start_allocation_round(identity: Identity, form: dict) -> dict:
    """Start an ``allocation`` round (摇号 or 选房) over units from the stock (by criteria) or typed in."""
    from app.stock.rounds import units_for_round

    _require_officer(identity)
    data = forms.validate_submission(ROUND_FORM, form)
    data["units"] = units_for_round(identity, data)
    data["households"] = int(data.get("households") or 0)  # 0: as many households as units
    data["window_hours"] = int(data.get("window_hours") or DEFAULT_WINDOW_HOURS)
    year = datetime.now(UTC).year
    round_no = f"PZ{year}-{next_sequence(f'PZ{year}'):04d}"
    data.update(round_no=round_no, title=f"配租 {round_no}", step="配租")
    instance = instance_service.start_instance("allocation", data, round_no, identity.username)
    return {"round_no": round_no, "instance_id": instance.id}


def lottery_rounds(limit: int = 20) -> list[dict]:
    """Rounds for the public page: the seed hash from the start, the seed and order once drawn."""
    with db.session() as session:
        rows = session.scalars(select(AllocationRound).order_by(AllocationRound.created_at.desc())
                               .limit(max(1, min(limit, 100)))).all()
    return [{"round_no": r.round_no, "housing_type": r.housing_type, "district": r.district, "method": r.method,
             "seed_hash": r.seed_hash, "seed": r.seed if r.status != "committed" else None,
             "participants": sorted(r.participants), "result": r.result, "status": r.status,
             "units": len(r.units), "created_at": r.created_at.isoformat(),
             "drawn_at": r.drawn_at.isoformat() if r.drawn_at else None} for r in rows]


def waiting_list(identity: Identity, housing_type: str, district: str) -> list[dict]:
    """The queue of one list, first in line first (staff)."""
    from handlers.waiting_list import queue

    if not (identity.is_staff or identity.is_admin):
        raise Forbidden("轮候名单仅供工作人员查看")
    with db.session() as session:
        entries = queue(session, housing_type, district, ("waiting", "offered"))
        return [{"position": i, "application_no": e.application_no, "score": e.score,
                 "priority_groups": e.priority_groups, "household_size": e.household_size, "status": e.status,
                 "declines": e.declines, "round_penalty": e.round_penalty,
                 "registered_at": e.registered_at.isoformat()} for i, e in enumerate(entries, start=1)]


def _lease_of(identity: Identity, lease_no: str) -> tuple[Lease, Application]:
    with db.session() as session:
        lease = session.scalar(select(Lease).where(Lease.lease_no == lease_no))
        case = session.get(Application, lease.application_id) if lease else None
        if lease is None or not can_view(identity, case):
            raise LeaseNotFound(f"租赁合同 {lease_no} 不存在")
        return lease, case


def get_lease(identity: Identity, lease_no: str) -> dict:
    """A lease with its rent schedule (without the PDF)."""
    lease, case = _lease_of(identity, lease_no)
    return access.redact(identity, {
        "lease_no": lease.lease_no, "application_no": lease.application_no, "applicant_name": case.applicant_name,
        "unit": {"code": lease.unit_code, "address": lease.unit_address, "area": lease.unit_area},
        "monthly_rent": lease.monthly_rent, "deposit": lease.deposit, "rent_basis": lease.rent_basis,
        "starts_on": lease.starts_on.isoformat(), "ends_on": lease.ends_on.isoformat(), "status": lease.status,
        "schedule": lease.schedule, "contract_sha256": lease.contract_sha256,
        "signed_at": lease.signed_at.isoformat() if lease.signed_at else None,
        "moved_in_at": lease.moved_in_at.isoformat() if lease.moved_in_at else None})


def my_leases(identity: Identity) -> list[dict]:
    """The caller's leases, newest first."""
    with db.session() as session:
        numbers = session.scalars(select(Lease.lease_no).join(Application, Application.id == Lease.application_id)
                                  .where(Application.applicant_username == identity.username)
                                  .order_by(Lease.created_at.desc())).all()
    return [get_lease(identity, n) for n in numbers]


def contract_pdf(identity: Identity, lease_no: str) -> bytes:
    """The contract PDF: the signed one once signed, else the one to read before signing."""
    lease, _case = _lease_of(identity, lease_no)
    if not (lease.signed_pdf or lease.contract_pdf):
        raise LeaseNotFound(f"租赁合同 {lease_no} 尚未生成")
    return bytes(lease.signed_pdf or lease.contract_pdf or b"")


def _arrears_months(lease: Lease, typed: int) -> int:
    """Unpaid months from the rent ledger when the lease has one; else the number typed in the form."""
    from app.ledger import bills

    with db.session() as session:
        if bills.has_ledger(session, lease.id):
            return bills.arrears(session, lease.id).months
    return typed


def apply_exit(identity: Identity, form: dict) -> dict:
    """Start an ``exit``: the tenant's voluntary exit, or a forced exit decided by staff."""
    data = forms.validate_submission(EXIT_FORM, form)
    lease, case = _lease_of(identity, data["lease_no"])
    staff = identity.is_staff or identity.is_admin
    if data["kind"] == "voluntary" and case.applicant_username != identity.username and not staff:
        raise Forbidden("只有承租人本人可以申请自愿退出")
    if data["kind"] == "forced" and not staff:
        raise Forbidden("依法退出由住房保障部门决定")
    start = {"lease_no": lease.lease_no, "application_no": case.application_no, "district": case.district,
             "housing_type": case.housing_type, "title": f"退出 {lease.lease_no}", "step": "退出",
             "applicant_name": case.applicant_name, "kind": data["kind"],
             "ground": "voluntary" if data["kind"] == "voluntary" else data["ground"],
             "reason_text": data["reason_text"], "applicant": {"phone": case.applicant_phone},
             "exit_facts": {"arrears_months": _arrears_months(lease, data.get("arrears_months", 0)),
                            "vacancy_months": data.get("vacancy_months", 0)}}
    instance = instance_service.start_instance("exit", start, f"{lease.lease_no}-exit", identity.username)
    return {"lease_no": lease.lease_no, "instance_id": instance.id}
