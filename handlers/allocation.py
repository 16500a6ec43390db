"""配租 rounds: who takes part, the committed draw, the offers and the answers.

* ``allocation/commit`` — opens a round over the units offered: the participants are the
  waiting households of that housing type and district (for 选房 the first as many as there
  are units, in queue order; for 摇号 the whole list); a lottery commits to its seed by
  publishing the seed's hash (:func:`app.lottery.service.commit_seed`, audited).
  For 在线选房 (``choice``) the first ``households`` of the queue take part; their turns are
  :mod:`handlers.choice`.
* ``allocation/draw`` — reveals the seed and draws (摇号, :func:`app.lottery.service.draw`,
  audited; ``docs/lottery.md``), or takes the queue order (选房), and offers the units in that
  order, each household only a unit the ``unit_matching`` decisions allow it
  (:mod:`app.stock.matching`); a stock unit offered is reserved. Returns the offers keyed by
  application number.
* ``allocation/settle`` — records each household's answer. A decline is counted; a household
  that has declined ``max_declines`` times goes to the back of the queue. A declined (or
  unanswered) offer frees its stock unit.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from app.engine.operators import OperatorError, operator
from app.lottery import service as lottery_service
from app.models import AllocationRound, Application, Offer, WaitingListEntry
from app.stock import flow as stock_flow
from app.stock import matching
from handlers import choice
from handlers.records import dry_run, now, transaction
from handlers.waiting_list import queue

METHODS = ("lottery", "selection", "choice")


class CommitParams(Schema):
    """Parameters of ``allocation/commit``."""

    round_no = fields.String(required=True)
    housing_type = fields.String(required=True)
    district = fields.String(required=True)
    method = fields.String(required=True, validate=validate.OneOf(METHODS))
    units = fields.List(fields.Dict(), required=True, validate=validate.Length(min=1),
                        metadata={"description": "[{code, address, area, rent}]"})
    households = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1000),
                                metadata={"description": "choice: households taking part (0: as many as units)"})


class DrawParams(Schema):
    """Parameters of ``allocation/draw``."""

    round_no = fields.String(required=True)


class SettleParams(Schema):
    """Parameters of ``allocation/settle``."""

    round_no = fields.String(required=True)
    responses = fields.Dict(required=True, metadata={"description": "application_no → {decision, reason}"})
    max_declines = fields.Integer(load_default=2, validate=validate.Range(min=1, max=10))


def _round(session, round_no: str, lock: bool = False) -> AllocationRound:
    query = select(AllocationRound).where(AllocationRound.round_no == round_no)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise OperatorError("RoundNotFound", f"no allocation round {round_no!r}", retryable=False)
    return row


@operator("allocation/commit", params=CommitParams)
def commit(params: dict, ctx) -> dict:
    """Open the round: participants and (for a lottery) the published hash of a secret seed."""
    if dry_run(ctx):
        return {"round_no": params["round_no"], "method": params["method"], "participants": [], "seed_hash": ""}
    with transaction(ctx) as session:
        row = session.scalar(select(AllocationRound).where(AllocationRound.round_no == params["round_no"]))
        if row is None:
            # a choice round takes its households out of the queue: a round committed at the same
            # moment on another job worker waits for this one and then takes the next households
            waiting = queue(session, params["housing_type"], params["district"], lock=params["method"] == "choice")
            if params["method"] == "selection":
                waiting = waiting[:len(params["units"])]
            elif params["method"] == "choice":
                waiting = waiting[:params["households"] or len(params["units"])]
            row = AllocationRound(round_no=params["round_no"], instance_id=ctx.instance_id,
                                  housing_type=params["housing_type"], district=params["district"],
                                  method=params["method"], units=params["units"], seed_hash="", seed=None,
                                  participants=[e.application_no for e in waiting], result=[], status="committed",
                                  created_at=now())
            session.add(row)
            if row.method == "lottery":
                lottery_service.commit_seed(session, row, ctx.instance_id)
            elif row.method == "choice":  # in this round from now on: a parallel round takes the next households
                choice.open_round(session, row)
        return {"round_no": row.round_no, "method": row.method, "participants": sorted(row.participants),
                "seed_hash": row.seed_hash}


def _matched(session, row: AllocationRound) -> list[tuple[str, dict]]:
    """Households in drawn order paired with the units the matching decisions allow them."""
    entries = {e.application_no: e for e in session.scalars(
        select(WaitingListEntry).where(WaitingListEntry.application_no.in_(row.result)))}
    households = [(n, entries[n].household_size, entries[n].priority_groups) for n in row.result if n in entries]
    return matching.assign(session, row.housing_type, households, row.units)


@operator("allocation/draw", params=DrawParams)
def draw(params: dict, ctx) -> dict:
    """Draw (or rank) and offer the units in order; the seed is public from now on."""
    if dry_run(ctx):
        raise OperatorError("ScenarioStubRequired", "allocation/draw reads the waiting list", retryable=False)
    with transaction(ctx) as session:
        row = _round(session, params["round_no"], lock=True)
        if row.status == "committed":
            row.result = (lottery_service.draw(session, row, ctx.instance_id) if row.method == "lottery"
                          else list(row.participants))
            row.status, row.drawn_at = "drawn", now()
            for rank, (number, unit) in enumerate(_matched(session, row), start=1):
                case = session.scalar(select(Application).where(Application.application_no == number))
                stock_flow.apply(session, "reserve", unit["code"], f"配租 {row.round_no} 第{rank}位获配", number)
                session.add(Offer(round_id=row.id, application_id=case.id, application_no=number, rank=rank,
                                  unit_code=unit["code"], unit_address=unit.get("address", ""),
                                  unit_area=float(unit.get("area") or 0), monthly_rent=float(unit.get("rent") or 0),
                                  status="offered", decline_reason="", offered_at=now()))
                entry = session.scalar(select(WaitingListEntry).where(WaitingListEntry.application_no == number))
                entry.status, case.status, case.current_step = "offered", "offered", "选房"
            session.flush()
        offers = {}
        for offer in session.scalars(select(Offer).where(Offer.round_id == row.id).order_by(Offer.rank)):
            case = session.get(Application, offer.application_id)
            offers[offer.application_no] = {
                "offer_id": offer.id, "rank": offer.rank, "application_no": offer.application_no,
                "applicant_username": case.applicant_username, "applicant_name": case.applicant_name_masked,
                "phone": case.applicant_phone, "unit_code": offer.unit_code, "unit_address": offer.unit_address,
                "unit_area": offer.unit_area, "monthly_rent": offer.monthly_rent}
        return {"round_no": row.round_no, "seed": row.seed, "seed_hash": row.seed_hash, "order": row.result,
                "offers": offers}


@operator("allocation/settle", params=SettleParams)
def settle(params: dict, ctx) -> dict:
    """Record every answer: accepted offers go to lease, declines are counted."""
    accepted = {n: r for n, r in params["responses"].items() if (r or {}).get("decision") == "accept"}
    declined = sorted(n for n in params["responses"] if n not in accepted)
    result = {"accepted": sorted(accepted), "declined": declined, "requeued": []}
    with transaction(ctx) as session:
        if session is None:
            return result
        row = _round(session, params["round_no"], lock=True)
        for offer in session.scalars(select(Offer).where(Offer.round_id == row.id, Offer.status == "offered")):
            response = params["responses"].get(offer.application_no) or {}
            entry = session.scalar(
                select(WaitingListEntry).where(WaitingListEntry.application_no == offer.application_no))
            case = session.get(Application, offer.application_id)
            offer.responded_at = now()
            if offer.application_no in accepted:
                offer.status, entry.status, case.status, case.current_step = "accepted", "housed", "offered", "签约"
                continue
            offer.status, offer.decline_reason = "declined", response.get("reason") or ""
            stock_flow.apply(session, "release", offer.unit_code, f"配租 {row.round_no} 放弃或逾期未确认",
                             offer.application_no)
            entry.declines += 1
            entry.status, case.status, case.current_step = "waiting", "waiting", "轮候"
            if entry.declines >= params["max_declines"]:
                entry.round_penalty += 1
                entry.declines = 0
                result["requeued"].append(offer.application_no)
            entry.updated_at = now()
        row.status = "closed"
    return result
