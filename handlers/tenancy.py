"""After the offer: lease instances, yearly reviews, renewals, market rent, exits.

Each lease, each lease-year's review and each exit is its own process instance linked to the
case by its business key (``L<application no>``, ``L<application no>-<year>``), so years of
tenancy never grow one workflow.

* ``lease/start`` — starts a ``lease`` instance for every accepted offer.
* ``annual_review/start_due`` — (the daily schedule) starts an ``annual_review`` instance for
  every active lease whose anniversary (or expiry) falls within ``days_before`` days and that has
  no review for that year: one review per lease per year, each its own instance.
* ``annual_review/decide`` — records the review's outcome.
* ``lease/renew`` / ``lease/market_rent`` — a new term / the rent without subsidy.
* ``exit/open`` / ``exit/settle`` — the moving period (搬迁期) and the deposit settlement; the
  unit returned is vacant (空置) again in the stock.
"""

from __future__ import annotations

from datetime import timedelta

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from app import claims
from app.engine import workdays
from app.engine.operators import OperatorError, operator
from app.models import AnnualReview, Application, Lease, ProcessInstance, TenancyExit
from app.stock import flow as stock_flow
from handlers.contract import add_years, rent_schedule
from handlers.records import dry_run, now, transaction

EXIT_KINDS = ("voluntary", "forced")
EXIT_GROUNDS = ("voluntary", "fraud", "sublet", "arrears", "vacancy", "ineligible")
#: a review's "renewed" extends the term only for a lease ending this soon (the anniversary at expiry)
RENEWAL_WINDOW_DAYS = 120


class StartLeasesParams(Schema):
    """Parameters of ``lease/start``."""

    offers = fields.Dict(required=True, metadata={"description": "application_no → offer (from allocation/draw)"})
    accepted = fields.List(fields.String(), required=True)
    housing_type = fields.String(required=True)
    district = fields.String(required=True)


class DueParams(Schema):
    """Parameters of ``annual_review/start_due``."""

    days_before = fields.Integer(load_default=30, validate=validate.Range(min=1, max=180))


class DecideParams(Schema):
    """Parameters of ``annual_review/decide``."""

    lease_no = fields.String(required=True)
    year = fields.Integer(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(("renewed", "market_rent", "exit")))
    eligibility = fields.Dict(load_default=dict)


class LeaseChangeParams(Schema):
    """Parameters of ``lease/renew`` and ``lease/market_rent``."""

    lease_no = fields.String(required=True)
    lease_years = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10))
    window_days = fields.Integer(load_default=RENEWAL_WINDOW_DAYS, validate=validate.Range(min=1, max=366),
                                 metadata={"description": "renew only a lease ending within this many days; "
                                                          "a review on an earlier anniversary keeps the term"})
    rent_factor = fields.Float(load_default=1.0, validate=validate.Range(min=1.0, max=10.0),
                               metadata={"description": "market rent as a multiple of the subsidised rent"})


class ExitOpenParams(Schema):
    """Parameters of ``exit/open``."""

    lease_no = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(EXIT_KINDS))
    ground = fields.String(required=True, validate=validate.OneOf(EXIT_GROUNDS))
    reason_text = fields.String(load_default="")
    moving_days = fields.Integer(required=True, validate=validate.Range(min=0, max=365))


class ExitSettleParams(Schema):
    """Parameters of ``exit/settle``."""

    lease_no = fields.String(required=True)
    damages = fields.List(fields.Dict(), load_default=list, metadata={"description": "[{item, amount}]"})
    arrears_amount = fields.Float(load_default=0.0)


def _start(process_key: str, data: dict, business_key: str) -> str:
    """Start an instance unless one with that business key exists (a job may run twice)."""
    from app.db import db
    from app.services import instance_service

    with db.session() as session:
        existing = session.scalar(select(ProcessInstance.id).where(ProcessInstance.process_key == process_key,
                                                                   ProcessInstance.business_key == business_key))
    if existing:
        return existing
    return instance_service.start_instance(process_key, data, business_key, "system").id


@operator("lease/start", params=StartLeasesParams)
def start_leases(params: dict, ctx) -> dict:
    """One ``lease`` instance per accepted offer."""
    started = []
    for number in params["accepted"]:
        offer = params["offers"][number]
        data = {"application_no": number, "housing_type": params["housing_type"], "district": params["district"],
                "title": f"租赁签约 {number}", "step": "签约", "applicant_name": offer.get("applicant_name", ""),
                "applicant_username": offer["applicant_username"], "phone": offer.get("phone") or "",
                "unit": {"code": offer["unit_code"], "address": offer["unit_address"], "area": offer["unit_area"],
                         "rent": offer["monthly_rent"]}}
        instance_id = None if dry_run(ctx) else _start("lease", data, f"L{number}")
        started.append({"application_no": number, "instance_id": instance_id})
    return {"started": started}


@operator("annual_review/start_due", params=DueParams)
def start_due(params: dict, ctx) -> dict:
    """Start the yearly review of every active lease ending within ``days_before`` days."""
    if dry_run(ctx):
        return {"started": []}
    today = workdays.now_utc().astimezone(workdays.CHINA_TZ).date()
    started = []
    with transaction(ctx) as session:
        leases = session.scalars(select(Lease).where(Lease.status == "active"))
        due = []
        for lease in leases:
            year = review_year(lease.starts_on, lease.ends_on, today, params["days_before"])
            if year is None:
                continue
            if session.scalar(select(AnnualReview).where(AnnualReview.lease_id == lease.id, AnnualReview.year == year)):
                continue
            session.add(AnnualReview(lease_id=lease.id, year=year, status="started", findings=[], started_at=now()))
            case = session.get(Application, lease.application_id)
            due.append((f"{lease.lease_no}-{year}", {
                "lease_no": lease.lease_no, "year": year, "application_no": case.application_no,
                "housing_type": case.housing_type, "district": case.district,
                "title": f"年审 {lease.lease_no} {year}", "step": "年审", "applicant_name": case.applicant_name,
                "applicant": {"name": case.applicant_name, "id_number": case.applicant_id_number,
                              "phone": case.applicant_phone, "username": case.applicant_username},
                "household": {"type": case.household_type, "members": [
                    {"name": m.name, "id_number": m.id_number, "relation": m.relation,
                     "monthly_income": m.declared_monthly_income, "employer": m.employer} for m in case.members]}}))
    for business_key, data in due:
        instance_id = _start("annual_review", data, business_key)
        started.append({"business_key": business_key, "instance_id": instance_id})
    return {"started": started}


def review_year(starts_on, ends_on, today, days_before: int) -> int | None:
    """The year of the review due for a lease on ``today``: its latest anniversary (or its expiry)
    that is at most ``days_before`` days ahead, and not before the lease started; None if none is."""
    horizon = today + timedelta(days=days_before)
    if ends_on <= horizon:  # the anniversary at expiry: the renewal review
        return (ends_on + timedelta(days=1)).year
    years, latest = 1, None
    while (day := add_years(starts_on, years)) <= horizon:
        latest, years = day, years + 1
    return latest.year if latest is not None else None


@operator("annual_review/decide", params=DecideParams)
def decide(params: dict, ctx) -> dict:
    """Record the outcome of a yearly review."""
    failed = [r for r in params["eligibility"].get("rules") or [] if r.get("verdict") == "fail"]
    with transaction(ctx) as session:
        if session is not None:
            lease = _lease(session, params["lease_no"])
            review = session.scalar(select(AnnualReview).where(AnnualReview.lease_id == lease.id,
                                                               AnnualReview.year == params["year"]))
            if review is None:
                review = AnnualReview(lease_id=lease.id, year=params["year"], started_at=now())
                session.add(review)
            review.status, review.eligible = params["outcome"], not failed
            review.findings, review.decided_at = failed, now()
    return {"lease_no": params["lease_no"], "year": params["year"], "outcome": params["outcome"]}


def _lease(session, lease_no: str) -> Lease:
    lease = session.scalar(select(Lease).where(Lease.lease_no == lease_no))
    if lease is None:
        raise OperatorError("LeaseNotFound", f"no lease {lease_no!r}", retryable=False)
    return lease


@operator("lease/renew", params=LeaseChangeParams)
def renew(params: dict, ctx) -> dict:
    """Extend the lease by ``lease_years`` with the same rent."""
    with transaction(ctx) as session:
        if session is None:
            return {"lease_no": params["lease_no"], "renewed": True}
        lease = _lease(session, params["lease_no"])
        old_end = lease.ends_on
        today = workdays.now_utc().astimezone(workdays.CHINA_TZ).date()
        if old_end > today + timedelta(days=params["window_days"]):  # a mid-term anniversary: the term goes on
            return {"lease_no": lease.lease_no, "renewed": False, "ends_on": old_end.isoformat()}
        lease.ends_on = add_years(old_end + timedelta(days=1), params["lease_years"]) - timedelta(days=1)
        lease.schedule = lease.schedule + rent_schedule(old_end + timedelta(days=1), lease.ends_on,
                                                        lease.monthly_rent, 0)
        from app.ledger.bills import has_ledger, sync_bills

        if has_ledger(session, lease.id):
            sync_bills(session, lease)  # the new term's months
        return {"lease_no": lease.lease_no, "renewed": True, "ends_on": lease.ends_on.isoformat()}


@operator("lease/market_rent", params=LeaseChangeParams)
def market_rent(params: dict, ctx) -> dict:
    """The household stays at market rent (the subsidy ends)."""
    with transaction(ctx) as session:
        if session is None:
            return {"lease_no": params["lease_no"], "rent_basis": "market"}
        lease = _lease(session, params["lease_no"])
        if lease.rent_basis != "market":
            lease.rent_basis = "market"
            lease.monthly_rent = round(lease.monthly_rent * params["rent_factor"], 2)
        return {"lease_no": lease.lease_no, "rent_basis": "market", "monthly_rent": lease.monthly_rent}


@operator("exit/open", params=ExitOpenParams)
def open_exit(params: dict, ctx) -> dict:
    """Record the exit and its moving deadline (搬迁期, in working days)."""
    deadline_at = workdays.add_working_days(workdays.now_utc(), params["moving_days"])
    deadline = (deadline_at - timedelta(seconds=1)).astimezone(workdays.CHINA_TZ).date()
    result = {"lease_no": params["lease_no"], "moving_deadline": deadline.isoformat(),
              "moving_deadline_at": deadline_at.isoformat()}
    with transaction(ctx) as session:
        if session is not None:
            lease = _lease(session, params["lease_no"])
            row = session.scalar(select(TenancyExit).where(TenancyExit.instance_id == ctx.instance_id))
            if row is None:
                session.add(TenancyExit(lease_id=lease.id, instance_id=ctx.instance_id, kind=params["kind"],
                                        ground=params["ground"], reason_text=params["reason_text"],
                                        moving_deadline=deadline, deductions=[], status="moving", created_at=now()))
    return result


@operator("exit/settle", params=ExitSettleParams)
def settle_exit(params: dict, ctx) -> dict:
    """The unit is back: keep damages and arrears from the deposit, end the lease."""
    from app.ledger import settlement

    deductions = [{"item": d.get("item", ""), "amount": float(d.get("amount") or 0)} for d in params["damages"]]
    arrears_amount = float(params["arrears_amount"] or 0)
    with transaction(ctx) as session:
        if session is None:
            if arrears_amount:
                deductions.append({"item": "欠缴租金", "amount": arrears_amount})
            return {"lease_no": params["lease_no"], "deductions": deductions,
                    "kept": round(sum(d["amount"] for d in deductions), 2)}
        lease = _lease(session, params["lease_no"])
        # with a rent ledger the arrears and the deposit held come from it, not from the form
        deposit, arrears_amount = settlement.settle_deposit(session, lease, deductions, arrears_amount)
        if arrears_amount:
            deductions.append({"item": "欠缴租金", "amount": arrears_amount})
        kept = round(sum(d["amount"] for d in deductions), 2)
        refund = round(max(0.0, deposit - kept), 2)
        lease.status, lease.ended_at = "ended", lease.ended_at or now()
        case = session.get(Application, lease.application_id)
        case.status, case.current_step, case.updated_at = "exited", "已退出", now()
        claims.release(session, case.id)  # the household may apply again
        stock_flow.apply(session, "vacate", lease.unit_code, f"退出 {lease.lease_no}，房屋已收回",
                         lease.application_no)
        row = session.scalar(select(TenancyExit).where(TenancyExit.instance_id == ctx.instance_id))
        if row is not None:
            row.status, row.returned_at, row.closed_at = "settled", row.returned_at or now(), now()
            row.deposit_refund, row.deductions = refund, deductions
        return {"lease_no": lease.lease_no, "deductions": deductions, "kept": kept, "refund": refund}
