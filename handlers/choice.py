"""在线选房: the turns of an online choice round, as the ``allocation`` diagram calls them.

The diagram draws the loop (``docs/adr/0018-online-choice.md``): ``choice/next_turn`` gives the
next household in rank order its window, the household's ``choose_unit`` task takes a unit
(:func:`app.choice.service.choose`, atomically in the database), ``choice/taken`` records the
pick, the boundary timer's ``choice/missed`` counts a decline and passes the turn, and
``choice/close`` ends the round with the offers the leases start from.

Every turn is an :class:`~app.models.Offer` row of the round: ``choosing`` while its window is
open, then ``accepted`` (a unit taken), ``expired`` (the window passed) or ``passed`` (no unit
left that the household's band allows; it stays on the waiting list). Each operator is
idempotent, since a job may run twice.
"""

from __future__ import annotations

from datetime import timedelta

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from app.engine import workdays
from app.engine.operators import OperatorError, operator
from app.models import AllocationRound, Application, Offer, WaitingListEntry
from app.stock import flow as stock_flow
from app.stock import matching
from app.stock.models import HousingUnit
from handlers.records import dry_run, now, transaction

OPEN = "choosing"


class TurnParams(Schema):
    """Parameters of ``choice/next_turn``."""

    round_no = fields.String(required=True)
    window_hours = fields.Integer(required=True, validate=validate.Range(min=1, max=720),
                                  metadata={"description": "hours each household has to choose"})


class TakenParams(Schema):
    """Parameters of ``choice/taken``."""

    round_no = fields.String(required=True)
    application_no = fields.String(required=True)
    unit_code = fields.String(required=True)


class MissedParams(Schema):
    """Parameters of ``choice/missed``."""

    round_no = fields.String(required=True)
    application_no = fields.String(required=True)
    max_declines = fields.Integer(load_default=2, validate=validate.Range(min=1, max=10))


class CloseParams(Schema):
    """Parameters of ``choice/close``."""

    round_no = fields.String(required=True)


def _round(session, round_no: str) -> AllocationRound:
    row = session.scalar(select(AllocationRound).where(AllocationRound.round_no == round_no).with_for_update())
    if row is None:
        raise OperatorError("RoundNotFound", f"no allocation round {round_no!r}", retryable=False)
    return row


def _entry(session, number: str) -> WaitingListEntry:
    return session.scalar(select(WaitingListEntry).where(WaitingListEntry.application_no == number))


def units_left(session, row: AllocationRound, band: matching.Band) -> list[HousingUnit]:
    """The round's units still vacant that ``band`` allows, by code."""
    codes = [u.get("code") for u in row.units]
    units = session.scalars(select(HousingUnit).where(HousingUnit.code.in_(codes), HousingUnit.status == "vacant")
                            .order_by(HousingUnit.code))
    return [u for u in units if band.allows(u)]


def band_of(session, row: AllocationRound, entry: WaitingListEntry | None) -> matching.Band:
    """What the household of ``entry`` may choose (the ``unit_matching`` decisions)."""
    if entry is None:
        return matching.NOTHING
    return matching.band_for(session, matching.facts_of(row.housing_type, entry.household_size,
                                                        entry.priority_groups))


def _turn(session, row: AllocationRound, offer: Offer, window_hours: int) -> dict:
    case = session.get(Application, offer.application_id)
    deadline = offer.offered_at + timedelta(hours=window_hours)
    local = deadline.astimezone(workdays.CHINA_TZ)
    return {"done": False, "application_no": offer.application_no, "rank": offer.rank,
            "applicant_username": case.applicant_username, "applicant_name": case.applicant_name_masked,
            "deadline": deadline.isoformat(), "deadline_text": local.strftime("%Y-%m-%d %H:%M")}


def open_round(session, row: AllocationRound) -> None:
    """First turn of the round: the queue order is the choosing order; the households are in a round."""
    row.result, row.status, row.drawn_at = list(row.participants), OPEN, now()
    for number in row.result:
        entry = _entry(session, number)
        case = session.get(Application, entry.application_id) if entry else None
        if entry is not None and case is not None:
            entry.status, case.status, case.current_step = "offered", "offered", "选房"


@operator("choice/next_turn", params=TurnParams)
def next_turn(params: dict, ctx) -> dict:
    """Open the next household's window (rank order); ``done`` when every household has had its turn."""
    if dry_run(ctx):
        raise OperatorError("ScenarioStubRequired", "choice/next_turn reads the round", retryable=False)
    with transaction(ctx) as session:
        row = _round(session, params["round_no"])
        if row.status == "committed":
            open_round(session, row)
        offers = {o.application_no: o for o in session.scalars(select(Offer).where(Offer.round_id == row.id))}
        current = next((o for o in offers.values() if o.status == OPEN), None)
        if current is not None:  # the job ran twice: the same turn, the same deadline
            return _turn(session, row, current, params["window_hours"])
        for rank, number in enumerate(row.result, start=1):
            if number in offers:
                continue
            entry = _entry(session, number)
            case = session.get(Application, entry.application_id) if entry else None
            if entry is None or case is None:
                continue
            fits = bool(units_left(session, row, band_of(session, row, entry)))
            offer = Offer(round_id=row.id, application_id=case.id, application_no=number, rank=rank, unit_code="",
                          status=OPEN if fits else "passed", decline_reason="" if fits else "没有符合条件的剩余房源",
                          offered_at=now())
            session.add(offer)
            session.flush()
            if fits:
                return _turn(session, row, offer, params["window_hours"])
            entry.status, case.status, case.current_step = "waiting", "waiting", "轮候"
            offer.responded_at = now()
        return {"done": True, "round_no": row.round_no}


def _offer(session, row: AllocationRound, number: str) -> Offer:
    offer = session.scalar(select(Offer).where(Offer.round_id == row.id, Offer.application_no == number)
                           .with_for_update())
    if offer is None:
        raise OperatorError("TurnNotFound", f"{number} has had no turn in {row.round_no}", retryable=False)
    return offer


@operator("choice/taken", params=TakenParams)
def taken(params: dict, ctx) -> dict:
    """Record the unit a household took in its window; the household goes on to sign the lease."""
    if dry_run(ctx):
        return {"application_no": params["application_no"], "unit_code": params["unit_code"]}
    with transaction(ctx) as session:
        row = _round(session, params["round_no"])
        offer = _offer(session, row, params["application_no"])
        if offer.status == OPEN:
            unit = session.scalar(select(HousingUnit).where(HousingUnit.code == params["unit_code"]))
            held = stock_flow.apply(session, "reserve", params["unit_code"],
                                    f"在线选房 {row.round_no} 第{offer.rank}位选定", offer.application_no)
            if unit is None or not held or unit.held_by != offer.application_no:
                raise OperatorError("UnitNotHeld", f"{params['unit_code']} is not held by {offer.application_no}",
                                    retryable=False)
            offer.unit_code, offer.unit_address, offer.unit_area = unit.code, unit.address, unit.usable_area
            offer.monthly_rent, offer.status, offer.responded_at = unit.monthly_rent, "accepted", now()
            entry = _entry(session, offer.application_no)
            case = session.get(Application, offer.application_id)
            entry.status, entry.updated_at = "housed", now()
            case.status, case.current_step = "offered", "签约"
        return {"application_no": offer.application_no, "unit_code": offer.unit_code, "rank": offer.rank}


@operator("choice/missed", params=MissedParams)
def missed(params: dict, ctx) -> dict:
    """The window passed without a pick: a decline is counted, too many send the household to the back."""
    if dry_run(ctx):
        return {"application_no": params["application_no"], "requeued": False}
    with transaction(ctx) as session:
        row = _round(session, params["round_no"])
        offer = _offer(session, row, params["application_no"])
        entry = _entry(session, offer.application_no)
        requeued = False
        if offer.status == OPEN:
            offer.status, offer.decline_reason, offer.responded_at = "expired", "选房时限内未选定房源", now()
            case = session.get(Application, offer.application_id)
            entry.declines += 1
            if entry.declines >= params["max_declines"]:
                entry.round_penalty += 1
                entry.declines = 0
                requeued = True
            entry.status, entry.updated_at = "waiting", now()
            case.status, case.current_step = "waiting", "轮候"
        return {"application_no": offer.application_no, "declines": entry.declines if entry else 0,
                "requeued": requeued}


@operator("choice/close", params=CloseParams)
def close(params: dict, ctx) -> dict:
    """End the round: the households who took a unit (with their offers, for the leases) and those who did not."""
    if dry_run(ctx):
        return {"accepted": [], "declined": [], "passed": [], "offers": {}}
    with transaction(ctx) as session:
        row = _round(session, params["round_no"])
        row.status = "closed"
        result: dict = {"accepted": [], "declined": [], "passed": [], "offers": {}}
        for offer in session.scalars(select(Offer).where(Offer.round_id == row.id).order_by(Offer.rank)):
            if offer.status == "accepted":
                case = session.get(Application, offer.application_id)
                result["accepted"].append(offer.application_no)
                result["offers"][offer.application_no] = {
                    "offer_id": offer.id, "rank": offer.rank, "application_no": offer.application_no,
                    "applicant_username": case.applicant_username, "applicant_name": case.applicant_name_masked,
                    "phone": case.applicant_phone, "unit_code": offer.unit_code, "unit_address": offer.unit_address,
                    "unit_area": offer.unit_area, "monthly_rent": offer.monthly_rent}
            else:
                result["passed" if offer.status == "passed" else "declined"].append(offer.application_no)
        return result
