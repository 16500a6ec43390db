"""The 受理 deadline stops while the applicant supplements (补正) and resumes with the days left.

The clock is moved by replacing :func:`app.engine.workdays.now_utc`, the one place the engine,
the scripts (``now()``) and the due-date expressions read the time. The dates lie ahead of the
real clock, so no timer the engine checks against real time (the 补正 period) fires on its own.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.engine import workdays
from app.services import case_service, task_service
from tests.processes.applying import apply_over_api
from tests.processes.conftest import applicant, household, ready_task, staff

ACCEPTANCE_DAYS = 5  # 受理时限 in the 初始化案件 script of both application diagrams


def _working_day_at_ten(after: datetime, days: int) -> datetime:
    """10:00 China time on the ``days``-th working day after ``after``."""
    end_of_day = workdays.add_working_days(after, days)  # 24:00 of that day
    return end_of_day - timedelta(hours=14)


@pytest.fixture
def clock(monkeypatch):
    """A settable clock: ``clock[0]`` is what ``now()`` answers."""
    start = datetime.now(workdays.CHINA_TZ).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=40)
    current = [_working_day_at_ten(start - timedelta(days=1), 1)]
    monkeypatch.setattr(workdays, "now_utc", lambda: current[0].astimezone(UTC))
    return current


def _send_back(identity, task_id: str, missing: str) -> None:
    task_service.complete(identity, task_id, {"decision": "supplement", "opinion": "材料不全",
                                              "missing_items": [missing], "supplement_note": "请补交"})


def _supplement(identity, number: str, kind: str) -> None:
    case_service.respond_to_supplement(identity, number, {"documents": [{"kind": kind, "name": f"{kind}.pdf"}]})


@pytest.mark.parametrize("key", ["eligible_single", "new_citizen_permit"])  # 公租房, 保租房
def test_the_reopened_acceptance_task_is_due_after_the_working_days_left(flow_app, clock, key):
    form, person = household(key)["form"], applicant(key)
    street = staff("street", "street_reviewer", form["district"])
    submitted_at = clock[0]
    number = apply_over_api(flow_app, person, form)["application_no"]
    first = ready_task(number, "acceptance")
    assert first.due_at == workdays.add_working_days(submitted_at, ACCEPTANCE_DAYS)

    clock[0] = _working_day_at_ten(submitted_at, 2)  # two working days spent on 受理
    assert workdays.working_days_between(submitted_at, clock[0]) == 2
    _send_back(street, first.id, "income_proof")
    case = case_service.get_case(person, number)
    assert case["status"] == "supplement_requested"
    assert case["supplement"]["deadline"] == workdays.add_working_days(clock[0], 10).isoformat()

    clock[0] = _working_day_at_ten(clock[0], 4)  # four working days waiting: they do not count
    _supplement(person, number, "income_proof")
    reopened = ready_task(number, "acceptance")
    assert reopened is not None and reopened.id != first.id
    assert reopened.due_at == workdays.add_working_days(clock[0], ACCEPTANCE_DAYS - 2)
    assert reopened.due_at < workdays.add_working_days(clock[0], ACCEPTANCE_DAYS)
    case = case_service.get_case(person, number)
    assert case["status"] == "submitted" and case["step"] == "受理" and case["supplement"] == {}

    clock[0] = _working_day_at_ten(clock[0], 1)  # one more working day, then a second send-back
    _send_back(street, reopened.id, "housing_statement")
    clock[0] = _working_day_at_ten(clock[0], 3)
    _supplement(person, number, "housing_statement")
    third = ready_task(number, "acceptance")
    assert third.due_at == workdays.add_working_days(clock[0], ACCEPTANCE_DAYS - 3)
