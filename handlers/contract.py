"""The lease: the contract rendered from a template, the rent schedule, signing and move-in.

* ``lease/render_contract`` — creates the lease (``L`` + application number), its deposit and
  monthly rent schedule, and the contract PDF from ``templates/lease_contract.txt`` filled with
  the household's data (ID and phone numbers masked in the document).
* ``lease/sign`` — the applicant's electronic signature (confirmed by an SMS code, see
  :mod:`app.contracts.signing`): the contract is sealed (PAdES) and the lease becomes ``signed``;
  its unit, if in the stock, becomes let (已出租).
* ``lease/activate`` — move-in confirmed: the lease becomes ``active``, the case ``leased``.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from app.contracts.render import render_contract_pdf
from app.engine import workdays
from app.engine.operators import OperatorError, operator
from app.models import Application, Lease
from app.privacy import mask_id_number, mask_phone
from app.stock import flow as stock_flow
from handlers.records import as_date, find_case, now, transaction

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")), undefined=StrictUndefined,
                        autoescape=False, keep_trailing_newline=True)
RELATION_NAMES = {"applicant": "申请人", "spouse": "配偶", "child": "子女", "parent": "父母",
                  "co_applicant": "共同申请人", "other": "家庭成员"}
HOUSING_NAMES = {"gongzufang": "公共租赁住房", "baozufang": "保障性租赁住房"}
RENT_DAY = 5


class RenderParams(Schema):
    """Parameters of ``lease/render_contract``."""

    application_no = fields.String(required=True)
    unit = fields.Dict(required=True, metadata={"description": "{code, address, area, rent}"})
    lease_years = fields.Integer(load_default=3, validate=validate.Range(min=1, max=10))
    deposit_months = fields.Integer(load_default=2, validate=validate.Range(min=0, max=6))
    vacancy_months = fields.Integer(load_default=3)
    arrears_months = fields.Integer(load_default=3)


class SignParams(Schema):
    """Parameters of ``lease/sign`` and ``lease/activate``."""

    lease_no = fields.String(required=True)
    signer_name = fields.String(load_default="")
    moved_in_on = fields.String(load_default=None)


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def rent_schedule(starts_on: date, ends_on: date, rent: float, deposit: float) -> list[dict]:
    """The deposit at signing, then the rent due on the 5th of every month of the term."""
    out = [{"due_on": starts_on.isoformat(), "amount": round(deposit, 2), "kind": "deposit"}] if deposit else []
    year, month = starts_on.year, starts_on.month
    while True:
        due = date(year, month, RENT_DAY)
        if due > ends_on:
            break
        out.append({"due_on": max(due, starts_on).isoformat(), "amount": round(rent, 2), "kind": "rent"})
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def contract_text(case: Application, lease: dict, unit: dict, params: dict) -> str:
    """The contract text from the template."""
    schedule = [dict(item, kind_name="押金" if item["kind"] == "deposit" else "租金") for item in lease["schedule"]]
    tenant = {"application_no": case.application_no, "applicant_name": case.applicant_name,
              "applicant_id_number_masked": mask_id_number(case.applicant_id_number),
              "applicant_phone_masked": mask_phone(case.applicant_phone)}
    return TEMPLATES.get_template("lease_contract.txt").render(
        lease=lease, case=tenant, unit=unit, district=case.district, rent=f"{lease['monthly_rent']:.2f}",
        deposit=f"{lease['deposit']:.2f}", deposit_months=params["deposit_months"], lease_years=params["lease_years"],
        schedule=schedule, vacancy_months=params["vacancy_months"], arrears_months=params["arrears_months"],
        housing_name=HOUSING_NAMES.get(case.housing_type, "保障性住房"), today=date.today().isoformat(),
        members=[{"name": m.name, "relation_name": RELATION_NAMES.get(m.relation, "家庭成员")} for m in case.members])


def lease_terms(application_no: str, unit: dict, lease_years: int, deposit_months: int) -> dict:
    """Number, dates, rent, deposit and schedule of a new lease (pure)."""
    starts_on = workdays.now_utc().astimezone(workdays.CHINA_TZ).date() + timedelta(days=1)
    ends_on = add_years(starts_on, lease_years) - timedelta(days=1)
    rent = float(unit.get("rent") or 0)
    deposit = round(rent * deposit_months, 2)
    return {"lease_no": f"L{application_no}", "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
            "monthly_rent": rent, "deposit": deposit, "schedule": rent_schedule(starts_on, ends_on, rent, deposit)}


@operator("lease/render_contract", params=RenderParams)
def render_contract(params: dict, ctx) -> dict:
    """Create the lease with its schedule and render the contract PDF."""
    unit = params["unit"]
    terms = lease_terms(params["application_no"], unit, params["lease_years"], params["deposit_months"])
    with transaction(ctx) as session:
        if session is None:
            return {**{k: v for k, v in terms.items() if k != "schedule"}, "payments": len(terms["schedule"]),
                    "contract_sha256": ""}
        case = find_case(session, params["application_no"], lock=True)
        lease = session.scalar(select(Lease).where(Lease.lease_no == terms["lease_no"]))
        if lease is None:
            text = contract_text(case, terms, unit, params)
            pdf = render_contract_pdf("住房租赁合同", text, font_path=getattr(ctx.settings, "contract_font_file", ""))
            lease = Lease(lease_no=terms["lease_no"], application_id=case.id, application_no=case.application_no,
                          instance_id=ctx.instance_id, housing_type=case.housing_type, unit_code=unit["code"],
                          unit_address=unit.get("address", ""), unit_area=float(unit.get("area") or 0),
                          monthly_rent=terms["monthly_rent"], deposit=terms["deposit"],
                          starts_on=as_date(terms["starts_on"]), ends_on=as_date(terms["ends_on"]),
                          schedule=terms["schedule"], contract_pdf=pdf, contract_text=text,
                          contract_sha256=hashlib.sha256(pdf).hexdigest(), status="drafted", created_at=now())
            session.add(lease)
        case.current_step = "签约"
        return {"lease_no": lease.lease_no, "starts_on": lease.starts_on.isoformat(),
                "ends_on": lease.ends_on.isoformat(), "monthly_rent": lease.monthly_rent, "deposit": lease.deposit,
                "payments": len(lease.schedule), "contract_sha256": lease.contract_sha256}


def _lease(session, lease_no: str) -> Lease:
    lease = session.scalar(select(Lease).where(Lease.lease_no == lease_no).with_for_update())
    if lease is None:
        raise OperatorError("LeaseNotFound", f"no lease {lease_no!r}", retryable=False)
    return lease


@operator("lease/sign", params=SignParams)
def sign(params: dict, ctx) -> dict:
    """The applicant signed (with an SMS code): seal the contract with the platform's PAdES signature.

    The signer is the applicant of record, whatever name the process passes.
    """
    from app.contracts.signing import seal_contract

    signed_at = now()
    with transaction(ctx) as session:
        if session is not None:
            lease = _lease(session, params["lease_no"])
            if lease.status == "drafted":
                case = session.get(Application, lease.application_id)
                pdf = seal_contract(ctx.settings, lease, case.applicant_name,
                                    signed_at.astimezone(workdays.CHINA_TZ))
                lease.status, lease.signed_at, lease.signer_name = "signed", signed_at, case.applicant_name
                lease.signed_pdf, lease.signed_sha256 = pdf, hashlib.sha256(pdf).hexdigest()
                stock_flow.apply(session, "let", lease.unit_code, f"签订租赁合同 {lease.lease_no}",
                                 lease.application_no)
            signed_at = lease.signed_at or signed_at
    return {"lease_no": params["lease_no"], "status": "signed", "signed_at": signed_at.isoformat()}


@operator("lease/activate", params=SignParams)
def activate(params: dict, ctx) -> dict:
    """Move-in confirmed: the lease is active and the case is housed."""
    with transaction(ctx) as session:
        if session is not None:
            lease = _lease(session, params["lease_no"])
            lease.status = "active"
            lease.moved_in_at = lease.moved_in_at or now()
            case = session.get(Application, lease.application_id)
            case.status, case.current_step, case.updated_at = "leased", "已入住", now()
            from app.ledger.bills import sync_bills

            sync_bills(session, lease)  # the rent ledger starts with the move-in
    return {"lease_no": params["lease_no"], "status": "active", "moved_in_on": params["moved_in_on"]}
