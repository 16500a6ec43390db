"""One household, one open application: an ID number is in at most one open application per housing type."""

from __future__ import annotations

import copy
import threading

import pytest
from sqlalchemy import func, select

from app.db import db
from app.models import Application, HouseholdClaim
from app.services import case_service, task_service
from app.services.errors import Conflict
from tests.processes.applying import api_headers
from tests.processes.conftest import flow_app, household, ready_task, sandbox, staff  # noqa: F401  (fixtures)

FORM = household("eligible_single")["form"]  # 渝中区 公租房, a single applicant 500103199405120136


def _applicant(username: str):
    return staff(username, "applicant", None, "applicant")


def _cases() -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Application))


def test_a_second_open_application_for_the_same_id_number_is_refused_with_the_masked_number(flow_app):  # noqa: F811
    client = flow_app.test_client()
    first = client.post("/api/v1/applications", json=FORM, headers=api_headers(flow_app, _applicant("zhang")))
    assert first.status_code == 201, first.get_json()
    number = first.get_json()["application_no"]
    again = client.post("/api/v1/applications", json=FORM, headers=api_headers(flow_app, _applicant("zhang")))
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    problem = again.get_json()
    masked = number[:8] + "****" + number[-2:]
    assert problem["error_code"] == "duplicate_application" and problem["existing_application"] == masked
    assert masked in problem["detail"] and number not in problem["detail"]
    assert "500103********0136" in problem["detail"] and "500103199405120136" not in again.get_data(as_text=True)
    # another account declaring the same person as a household member is refused the same way
    other = copy.deepcopy(household("eligible_nuclear")["form"])
    other["household"]["members"].append({"name": "陈晓东", "id_number": "500103199405120136", "relation": "other",
                                          "monthly_income": 0, "employer": ""})
    declared = client.post("/api/v1/applications", json=other, headers=api_headers(flow_app, _applicant("li")))
    assert declared.status_code == 409 and declared.get_json()["existing_application"] == masked
    assert _cases() == 1


def test_the_other_housing_type_is_a_separate_application(flow_app):  # noqa: F811
    case_service.submit_application(_applicant("zhang"), FORM)
    baozufang = copy.deepcopy(household("new_citizen_permit")["form"])
    baozufang["applicant"] = dict(FORM["applicant"])
    baozufang["household"]["members"] = copy.deepcopy(FORM["household"]["members"])
    baozufang["household"]["type"] = "single"
    assert baozufang["housing_type"] == "baozufang"
    case_service.submit_application(_applicant("zhang"), baozufang)
    assert _cases() == 2


def test_a_rejected_application_frees_its_id_numbers(flow_app):  # noqa: F811
    form = household("over_income")["form"]
    first = case_service.submit_application(_applicant("wang"), form)
    with pytest.raises(Conflict):
        case_service.submit_application(_applicant("wang"), form)
    reviewer = staff("street", "street_reviewer", form["district"])
    task_service.complete(reviewer, ready_task(first["application_no"], "acceptance").id,
                          {"decision": "accept", "opinion": "材料齐全"})
    # the rules suggest a refusal; the street reviewer decides it in 初审
    task_service.complete(reviewer, ready_task(first["application_no"], "preliminary_review").id,
                          {"decision": "reject", "opinion": "经核实，同意系统预审意见", "reason_code": "over_income",
                           "reason_text": "家庭收入超过标准", "suggested_decision": "reject"})
    assert case_service.get_case(reviewer, first["application_no"])["status"] == "rejected"
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(HouseholdClaim)) == 0
    second = case_service.submit_application(_applicant("wang"), form)
    assert second["application_no"] != first["application_no"] and second["status"] == "submitted"


def test_two_submissions_at_once_for_the_same_id_number_one_wins(flow_app, monkeypatch):  # noqa: F811
    """Both pass the early check before either commits: the unique claim decides, on PostgreSQL."""
    from app import claims

    assert not db.is_sqlite
    both_checked = threading.Barrier(2, timeout=30)
    early_check = claims.check_free

    def check_then_wait(*args, **kwargs):
        early_check(*args, **kwargs)
        both_checked.wait()

    monkeypatch.setattr(claims, "check_free", check_then_wait)
    outcomes: list[object] = []

    def submit(username: str) -> None:
        with flow_app.app_context():
            try:
                outcomes.append(case_service.submit_application(_applicant(username), FORM)["application_no"])
            except Exception as exc:  # noqa: BLE001 - the outcome is what the test reads
                outcomes.append(exc)

    threads = [threading.Thread(target=submit, args=(name,)) for name in ("zhang", "zhao")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    won = [o for o in outcomes if isinstance(o, str)]
    lost = [o for o in outcomes if not isinstance(o, str)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert getattr(lost[0], "code", None) == "duplicate_application", lost
    assert lost[0].extra["existing_application"] == won[0][:8] + "****" + won[0][-2:]
    assert _cases() == 1
    with db.session() as session:
        holders = session.scalars(select(HouseholdClaim.application_no)).all()
    assert holders == [won[0]]



def test_a_new_case_is_registered_without_looking_again_for_what_the_start_ruled_out(flow_app):  # noqa: F811
    from datetime import UTC, datetime

    from sqlalchemy import event

    from handlers.case_records import register_case

    form = case_service.forms.validate_submission(case_service.APPLICATION_FORM, copy.deepcopy(FORM))
    data = case_service.build_process_data(form, "zhang", "GZF-2026-TEST01", datetime.now(UTC))
    statements: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):
        statements.append(" ".join(statement.split()))

    def registered(new: bool) -> list[str]:
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            with db.transaction() as session:
                register_case(session, data, None, new=new)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return [s for s in statements if s.startswith("SELECT")]

    # a start has just found no case with this number: neither the case nor its claims are looked for
    first = registered(new=True)
    assert not [s for s in first if "FROM application " in s]
    assert not [s for s in first if "FROM household_claim" in s and "household_claim.application_id =" in s]
    assert [s for s in first if "FROM household_claim" in s and "household_claim.id_number IN" in s]  # still checked
    with db.session() as session:
        assert session.scalars(select(HouseholdClaim.id_number).where(
            HouseholdClaim.application_no == "GZF-2026-TEST01")).all() == ["500103199405120136"]
    # registered again (a job's retry): the case and the claims it holds are read, nothing is doubled
    again = registered(new=False)
    assert [s for s in again if "FROM application " in s]
    assert [s for s in again if "FROM household_claim" in s and "household_claim.application_id =" in s]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(HouseholdClaim).where(
            HouseholdClaim.application_no == "GZF-2026-TEST01")) == 1
        assert _cases() == 1


def test_an_unattended_start_registers_its_case_once_and_the_diagrams_registration_adds_nothing(flow_app):  # noqa: F811
    from sqlalchemy import event

    from app.models import AuditEvent, HouseholdMember

    statements: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        number = case_service.file_application(_applicant("zhang"), copy.deepcopy(FORM), unattended=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    # the diagram's case/register ran in the start's transaction (its task completed, audited) …
    with db.session() as session:
        ran = session.scalars(select(AuditEvent.details).where(AuditEvent.action == "tasks.ran_inline")).all()
        assert [[t["operator"] for t in d["tasks"]] for d in ran] == [["case/register"]]
        case = session.scalar(select(Application).where(Application.application_no == number))
        assert case.applicant_name == FORM["applicant"]["name"] and case.status == "submitted"
        assert [m.id_number for m in session.scalars(select(HouseholdMember))] == ["500103199405120136"]
    # … without reading back the case, its members and its claims the start had just written
    assert not [s for s in statements if s.startswith("SELECT") and "FROM household_member" in s]
    assert not [s for s in statements if s.startswith("SELECT") and "household_claim.application_id =" in s]
    assert len([s for s in statements if s.startswith("INSERT INTO household_claim")]) == 1
    # the start writes the case's first inbox row (受理) without looking for rows of an instance it creates
    assert ready_task(number, "acceptance") is not None
    assert not [s for s in statements if s.startswith("SELECT") and "FROM human_task" in s]
    # … and inserts the instance once, with its state, though the case's rows were flushed before it
    written = [s.split(" (")[0] for s in statements if s.startswith(("INSERT INTO process_instance (",
                                                                      "UPDATE process_instance "))]
    assert written == ["INSERT INTO process_instance"]


def test_a_registration_is_not_skipped_for_another_household_or_another_transaction(flow_app):  # noqa: F811
    from datetime import UTC, datetime

    from handlers.case_records import register_case, registered_already

    form = case_service.forms.validate_submission(case_service.APPLICATION_FORM, copy.deepcopy(FORM))
    data = case_service.build_process_data(form, "zhang", "GZF-2026-TEST02", datetime.now(UTC))
    changed = copy.deepcopy(data)
    changed["household"]["members"][0]["monthly_income"] = 99999
    with db.session() as session:
        with session.begin():
            register_case(session, data, "instance-1", new=True)
            assert registered_already(session, copy.deepcopy(data), "instance-1")
            assert not registered_already(session, changed, "instance-1")
            assert not registered_already(session, data, "instance-2")
            assert not registered_already(session, {**data, "application_no": "GZF-2026-TEST03"}, "instance-1")
            register_case(session, changed, "instance-1")  # written, not skipped
        with session.begin():  # the same session's next transaction registers again
            assert not registered_already(session, data, "instance-1")
    with db.session() as session:
        member = session.scalar(select(Application).where(Application.application_no == "GZF-2026-TEST02")).members[0]
        assert member.declared_monthly_income == 99999
