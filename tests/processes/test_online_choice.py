"""在线选房 through the real ``allocation`` diagram on PostgreSQL: a city officer imports 200 units
(the stock's CSV import), starts a choice round over 30 households of the waiting list, and the
households choose in rank order; a missed window (the timer fired by the scheduler's service)
counts as a decline and passes the turn; of two households racing for one unit over real
concurrent HTTP requests exactly one wins."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.identity import Identity
from app.choice import service as choice_service
from app.db import db
from app.models import AllocationRound, HumanTask, Offer, ProcessInstance, WaitingListEntry
from app.services import instance_service, task_service, tenancy_service, timer_service
from app.services.errors import ValidationFailed
from app.stock import service as stock_service
from app.stock.models import HousingUnit, UnitStatusChange
from tests.processes.conftest import ready_task
from tests.support.lottery_data import DISTRICT, seed_queue, units_csv
from tests.support.users import bearer_for

OFFICER = Identity("city", "市住保", roles=("city_reviewer",), groups=("allocation_officer",))


def household(number: str) -> Identity:
    return Identity(f"u{int(number[-6:])}", "申请人", roles=("applicant",), groups=("applicant",))


def start(households: int, window_hours: int = 2) -> str:
    return tenancy_service.start_allocation_round(OFFICER, {
        "housing_type": "gongzufang", "district": DISTRICT, "method": "choice", "source": "stock",
        "households": households, "window_hours": window_hours})["round_no"]


def turn_of(round_no: str) -> HumanTask:
    task = ready_task(round_no, "choose_unit")
    assert task is not None, f"no open turn in {round_no}"
    return task


def test_thirty_households_choose_in_rank_order_and_a_missed_window_passes_the_turn(flow_app):
    imported = stock_service.import_units(OFFICER, "房源.csv", units_csv(200))
    assert len(imported["created"]) == 200 and imported["problems"] == []
    numbers = seed_queue(32, declines={4: 1})  # the fifth has declined once before
    round_no = start(30, window_hours=2)
    with db.session() as session:
        row = session.scalar(select(AllocationRound).where(AllocationRound.round_no == round_no))
        assert row.method == "choice" and row.result == numbers[:30] and len(row.units) == 200
        assert session.scalar(select(WaitingListEntry.status).where(
            WaitingListEntry.application_no == numbers[30])) == "waiting"  # not in this round

    # the second household cannot choose while it is the first's turn
    second = choice_service.for_household(household(numbers[1]), round_no)
    assert (second["rank"], second["my_turn"], second["current"]["rank"]) == (2, False, 1)
    with pytest.raises(choice_service.NotYourTurn) as out_of_turn:
        choice_service.choose(household(numbers[1]), round_no, second["units"][0]["code"])
    assert "现在不是您的选房时间" in out_of_turn.value.detail

    chosen: dict[str, str] = {}
    for rank, number in enumerate(numbers[:30], start=1):
        task = turn_of(round_no)
        assert task.assignee == household(number).username
        window = task.due_at - task.created_at
        assert 7190 <= window.total_seconds() <= 7210  # two hours, from the round's window_hours
        if rank in (3, 5):  # the window passes: the scheduler fires the boundary timer
            with db.session() as session:
                armed = session.get(ProcessInstance, task.instance_id).next_timer_due_at
            assert abs((armed - task.due_at).total_seconds()) < 1  # the scheduler fires it at the window's end
            assert timer_service.fire_due_timers(now=task.due_at - timedelta(minutes=1)) == 0
            assert instance_service.fire_timers_now(task.instance_id, "scheduler") == {"fired": 1}
            continue
        view = choice_service.for_household(household(number), round_no)
        assert view["my_turn"] and view["current"]["seconds_left"] > 7000
        codes = [u["code"] for u in view["units"]]
        assert len(codes) == 200 - len(chosen) and not set(codes) & set(chosen.values())
        pick = codes[rank % len(codes)]
        assert choice_service.choose(household(number), round_no, pick)["unit_code"] == pick
        chosen[number] = pick

    assert ready_task(round_no, "choose_unit") is None
    with db.session() as session:
        row = session.scalar(select(AllocationRound).where(AllocationRound.round_no == round_no))
        instance = session.get(ProcessInstance, row.instance_id)
        assert row.status == "closed" and instance.status == "completed"
        offers = {o.application_no: o for o in session.scalars(select(Offer).where(Offer.round_id == row.id))}
        assert {n: o.unit_code for n, o in offers.items() if o.status == "accepted"} == chosen
        assert [n for n, o in offers.items() if o.status == "expired"] == [numbers[2], numbers[4]]
        entries = {e.application_no: e for e in session.scalars(select(WaitingListEntry))}
        # a missed window is a decline; the second decline sends the household to the back of the queue
        assert (entries[numbers[2]].declines, entries[numbers[2]].round_penalty, entries[numbers[2]].status) == (
            1, 0, "waiting")
        assert (entries[numbers[4]].declines, entries[numbers[4]].round_penalty) == (0, 1)
        assert all(entries[n].status == "housed" for n in chosen)
        held = dict(session.execute(select(HousingUnit.code, HousingUnit.held_by)
                                    .where(HousingUnit.status == "reserved")).all())
        assert held == {code: number for number, code in chosen.items()}
        assert session.scalar(select(func.count()).select_from(HousingUnit)
                              .where(HousingUnit.status == "vacant")) == 172
        leases = set(session.scalars(select(ProcessInstance.business_key).where(
            ProcessInstance.process_key == "lease")))
    assert leases == {f"L{n}" for n in chosen}
    queue = [w["application_no"] for w in tenancy_service.waiting_list(OFFICER, "gongzufang", DISTRICT)]
    assert queue[-1] == numbers[4] and numbers[2] in queue

    progress = choice_service.progress(OFFICER, round_no)
    assert progress["counts"]["accepted"] == 28 and progress["counts"]["expired"] == 2
    assert progress["round_status"] == "closed" and progress["units_left"] == 172


def test_two_households_racing_for_one_unit_exactly_one_wins(flow_app):
    stock_service.import_units(OFFICER, "房源.csv", units_csv(6))
    numbers = seed_queue(4)
    first, second = start(2), start(2)  # two rounds in parallel over the same stock
    assert (turn_of(first).assignee, turn_of(second).assignee) == (household(numbers[0]).username,
                                                                   household(numbers[2]).username)
    client = flow_app.test_client()
    racers = [(first, bearer_for(flow_app, household(numbers[0]))),
              (second, bearer_for(flow_app, household(numbers[2])))]
    target = choice_service.for_household(household(numbers[0]), first)["units"][0]["code"]
    gate = threading.Barrier(len(racers))
    answers: list = [None] * len(racers)

    def race(i: int) -> None:
        round_no, headers = racers[i]
        with flow_app.app_context():
            gate.wait()
            answer = client.post(f"/api/v1/choice/rounds/{round_no}/choice", json={"unit_code": target},
                                 headers=headers)
            answers[i] = (answer.status_code, answer.get_json())

    threads = [threading.Thread(target=race, args=(i,)) for i in range(len(racers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    statuses = sorted(a[0] for a in answers)
    assert statuses == [200, 409], answers
    winner = next(i for i, a in enumerate(answers) if a[0] == 200)
    loser = 1 - winner
    problem = answers[loser][1]
    assert problem["error_code"] == "unit_taken" and problem["title"] == "该房源已被其他家庭选定"
    assert f"房源 {target} 已被其他家庭选定" in problem["detail"]
    with db.session() as session:
        unit = session.scalar(select(HousingUnit).where(HousingUnit.code == target))
        assert unit.status == "reserved" and unit.held_by == numbers[0 if winner == 0 else 2]
        assert session.scalar(select(func.count()).select_from(UnitStatusChange).where(
            UnitStatusChange.unit_id == unit.id, UnitStatusChange.to_status == "reserved")) == 1

    # the loser's turn is still open; the list it reads again no longer has the unit, and it takes another
    loser_round, loser_headers = racers[loser]
    view = client.get(f"/api/v1/choice/rounds/{loser_round}", headers=loser_headers).get_json()
    assert view["my_turn"] and target not in [u["code"] for u in view["units"]] and len(view["units"]) == 5
    again = client.post(f"/api/v1/choice/rounds/{loser_round}/choice", json={"unit_code": view["units"][0]["code"]},
                        headers=loser_headers)
    assert again.status_code == 200 and again.get_json()["unit_code"] == view["units"][0]["code"]
    out_of_turn = client.post(f"/api/v1/choice/rounds/{loser_round}/choice", json={"unit_code": target},
                              headers=loser_headers)
    assert out_of_turn.status_code == 409 and out_of_turn.get_json()["error_code"] == "not_your_turn"
    assert out_of_turn.get_json()["detail"] == "您的选房时间已结束"  # its turn is over, not still to come
    staff = client.get(f"/api/v1/choice/rounds/{loser_round}", headers=bearer_for(flow_app, OFFICER))
    assert staff.status_code == 200, staff.get_json()
    assert (staff.get_json()["units_total"], staff.get_json()["units_left"]) == (6, 4)


def test_a_household_no_unit_fits_is_passed_over_and_the_plain_task_form_cannot_take_a_unit(flow_app):
    stock_service.import_units(OFFICER, "房源.csv", units_csv(4))
    big, small = seed_queue(2)
    with db.transaction() as session:  # a family of six: the shipped band is two or three bedrooms, 60–100 m²
        session.scalars(select(WaitingListEntry).where(WaitingListEntry.application_no == big)).one() \
            .household_size = 6
    with pytest.raises(ValidationFailed) as typed:
        tenancy_service.start_allocation_round(OFFICER, {
            "housing_type": "gongzufang", "district": DISTRICT, "method": "choice", "source": "manual",
            "units": [{"code": "TYPED-1", "address": "渝中区手工录入1号", "area": 45, "rent": 450}]})
    assert typed.value.errors == {"source": ["在线选房需从房源库选取房源（选房页面展示户型、楼层和配套）"]}
    round_no = start(2)
    task = turn_of(round_no)
    assert task.assignee == household(small).username  # the family of six was passed over
    passed = choice_service.for_household(household(big), round_no)
    assert passed["status"] == "passed" and passed["units"] == []
    with db.session() as session:
        assert session.scalar(select(WaitingListEntry.status).where(WaitingListEntry.application_no == big)) \
            == "waiting"
    with pytest.raises(ValidationFailed) as plain:  # the generic task form would skip the atomic take
        task_service.complete(household(small), task.id, {"unit_code": "YZ-XF-1-0101"})
    assert plain.value.errors == {"unit_code": ["请在在线选房页面选定房源"]}
    with pytest.raises(ValidationFailed) as elsewhere:
        choice_service.choose(household(small), round_no, "NOT-IN-ROUND")
    assert elsewhere.value.errors == {"unit_code": ["本轮没有这套房源"]}
    with pytest.raises(choice_service.RoundNotFound):
        choice_service.for_household(Identity("u999", "申请人", roles=("applicant",)), round_no)
    assert turn_of(round_no).id == task.id  # none of this used up the window
