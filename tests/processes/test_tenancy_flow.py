"""After approval, on PostgreSQL with the sandbox: a lottery round, the lease, a yearly review, an exit."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.db import db
from app.engine import workdays
from app.ledger import service as ledger_service
from app.models import AnnualReview, Application, HouseholdClaim, Lease, ProcessInstance, StartTimer, TenancyExit
from app.services import case_service, instance_service, tenancy_service, timer_service
from handlers import lottery
from tests.processes.conftest import applicant, complete, ready_task, review_through_countersign, staff, submit
from tests.support.signing import sign

OFFICER = staff("city", "allocation_officer", None, "city_reviewer")
UNIT = {"code": "BB-0301", "address": "北碚区天生路3号3-1", "area": 50.0, "rent": 500.0}


def approve(key: str) -> str:
    case = submit(key)
    review_through_countersign(case["application_no"], case["district"])
    instance_service.fire_timers_now(case["instance_id"], "test")  # the 公示 period ends
    assert case_service.get_case(applicant(key), case["application_no"])["status"] == "waiting"
    return case["application_no"]


def test_from_the_waiting_list_to_a_lease_a_renewal_and_an_exit(flow_app, sandbox):
    numbers = {approve("dibao_priority"): "dibao_priority", approve("yibao_gap"): "yibao_gap"}
    waiting = tenancy_service.waiting_list(OFFICER, "gongzufang", "北碚区")
    assert [w["position"] for w in waiting] == [1, 2] and waiting[0]["score"] >= waiting[1]["score"]

    started = tenancy_service.start_allocation_round(OFFICER, {
        "housing_type": "gongzufang", "district": "北碚区", "method": "lottery", "units": [UNIT]})
    [before] = tenancy_service.lottery_rounds()
    assert before["seed"] is None and len(before["seed_hash"]) == 64
    assert sorted(before["participants"]) == sorted(numbers)
    complete(OFFICER, started["round_no"], "confirm_draw", {"confirm": True, "witness": "公证员"})
    [drawn] = tenancy_service.lottery_rounds()
    assert lottery.verify(drawn["seed"], drawn["seed_hash"], drawn["participants"], drawn["result"])
    winner = drawn["result"][0]
    key = numbers[winner]
    complete(applicant(key), started["round_no"], "respond_offer", {"response": {"decision": "accept"}})

    lease_key = f"L{winner}"
    sign(applicant(key), ready_task(lease_key, "sign_lease").id, sandbox[1])
    complete(OFFICER, lease_key, "confirm_move_in", {"moved_in_on": "2026-12-01", "keys_handed": True})
    lease = tenancy_service.get_lease(applicant(key), lease_key)
    assert lease["status"] == "active" and lease["deposit"] == 1000.0 and lease["schedule"][0]["kind"] == "deposit"
    assert tenancy_service.contract_pdf(applicant(key), lease_key).startswith(b"%PDF-")
    assert case_service.get_case(applicant(key), winner)["status"] == "leased"
    held = select(func.count()).select_from(HouseholdClaim).where(HouseholdClaim.application_no == winner)
    with db.session() as session:  # a tenant's household may not apply for the same type again
        assert session.scalar(held) >= 1

    today = workdays.now_utc().astimezone(workdays.CHINA_TZ).date()
    with db.transaction() as session:
        row = session.scalar(select(Lease).where(Lease.lease_no == lease_key))
        row.ends_on = today + timedelta(days=10)
    with db.session() as session:
        due = session.get(StartTimer, "annual_review_schedule").next_due_at
    assert timer_service.fire_start_timers(now=due)  # the daily schedule, as the scheduler fires it
    with db.session() as session:
        review = session.scalar(select(AnnualReview))
        renewed = session.scalar(select(Lease).where(Lease.lease_no == lease_key))
    assert review.status == "renewed" and review.eligible is True
    assert renewed.ends_on > today + timedelta(days=300)

    # the deposit was paid at the counter (the rent ledger holds it until the exit)
    ledger_service.record_payment(OFFICER, lease_key, {"amount": "1000", "paid_on": today.isoformat()})
    tenancy_service.apply_exit(applicant(key), {"lease_no": lease_key, "kind": "voluntary", "ground": "voluntary",
                                                "reason_text": "已购买住房，申请退出"})
    complete(OFFICER, f"{lease_key}-exit", "return_unit",
             {"returned_on": "2027-01-10", "keys_returned": True, "damages": [{"item": "纱窗", "amount": 100}]})
    with db.session() as session:
        exited = session.scalar(select(TenancyExit))
        case = session.scalar(select(Application).where(Application.application_no == winner))
        statuses = set(session.scalars(select(ProcessInstance.status)))
    assert exited.status == "settled" and exited.deposit_refund == 900.0
    assert case.status == "exited" and statuses == {"completed"} | ({"running"} & statuses)
    with db.session() as session:  # after the exit it may
        assert session.scalar(held) == 0


def test_a_household_that_declines_too_often_goes_to_the_back_of_the_queue(flow_app):
    from app.engine.operators import OperatorContext
    from app.models import AllocationRound, Offer, WaitingListEntry
    from handlers.allocation import settle

    numbers = [approve("dibao_priority"), approve("yibao_gap")]
    first = tenancy_service.waiting_list(OFFICER, "gongzufang", "北碚区")[0]["application_no"]
    ctx = OperatorContext(idempotency_key="t", instance_id="t")
    for round_number in (1, 2):
        with db.transaction() as session:
            row = AllocationRound(round_no=f"PZ-T{round_number}", housing_type="gongzufang", district="北碚区",
                                  method="selection", units=[UNIT], participants=numbers, result=numbers,
                                  status="drawn")
            session.add(row)
            session.flush()
            case = session.scalar(select(Application).where(Application.application_no == first))
            session.add(Offer(round_id=row.id, application_id=case.id, application_no=first, rank=1,
                              unit_code=UNIT["code"]))
        result = settle({"round_no": f"PZ-T{round_number}", "max_declines": 2,
                         "responses": {first: {"decision": "decline", "reason": "太远"}}}, ctx)
        assert result["declined"] == [first]
    assert result["requeued"] == [first]
    queue = tenancy_service.waiting_list(OFFICER, "gongzufang", "北碚区")
    assert queue[-1]["application_no"] == first and queue[-1]["round_penalty"] == 1
    with db.session() as session:
        status = session.scalar(select(WaitingListEntry.status).where(WaitingListEntry.application_no == first))
    assert status == "waiting"
