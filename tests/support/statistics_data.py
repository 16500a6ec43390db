"""Manufactured cases with known figures for the statistics dashboard's tests.

March 2025 (China time): 3 Mar is a Monday, 7 Mar a Friday, 10 Mar the next Monday.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from app.complaints.models import Complaint
from app.db import db
from app.models import Application, HumanTask, Job, ProcessInstance, VerificationResult
from app.models.allocation import AllocationRound, Offer, WaitingListEntry


def at(day: int, hour: int = 10) -> datetime:
    """``day`` March 2025, ``hour`` o'clock China time, as UTC."""
    return datetime(2025, 3, day, hour - 8, 0, tzinfo=UTC)


def _instance(session, definition_id: int, no: str, district: str, housing: str) -> str:
    iid = f"00000000-0000-4000-8000-{int(no[-4:]):012d}"
    session.add(ProcessInstance(id=iid, definition_id=definition_id, process_key="stat_case", business_key=no,
                                status="running", state="", summary={"district": district, "housing_type": housing},
                                started_by="applicant"))
    return iid


def _case(session, definition_id: int, no: str, district: str, outcome: dict | None = None,
          closed: datetime | None = None, household: str = "nuclear") -> Application:
    iid = _instance(session, definition_id, no, district, "gongzufang")
    case = Application(application_no=no, housing_type="gongzufang", district=district, instance_id=iid,
                       applicant_username="applicant", applicant_name="张三", applicant_name_masked="张*",
                       applicant_id_number="110101199001011234", household_type=household, household_size=2,
                       status="in_review", declared={}, outcome=outcome or {}, supplement={}, submitted_at=at(3),
                       updated_at=at(3), closed_at=closed)
    session.add(case)
    session.flush()
    return case


def _task(session, iid: str, n: int, name: str, district: str, created: datetime, completed: datetime | None,
          due: datetime | None) -> None:
    session.add(HumanTask(id=f"00000000-0000-4000-9000-{n:012d}", instance_id=iid, process_key="stat_case",
                          bpmn_id="t", name=name, candidate_groups=[], district=district,
                          status="completed" if completed else "ready", due_at=due, created_at=created,
                          completed_at=completed, summary={"housing_type": "公租房", "step": name}))


def _job(session, iid: str, n: int, operator: str, state: str, attempts: int, millis: int) -> None:
    session.add(Job(id=f"job-{n}", instance_id=iid, task_id="t", bpmn_id="t", operator=operator, params={},
                    result_variable="r", idempotency_key=f"stat-{n}", state=state, attempts=attempts,
                    created_at=at(3), updated_at=at(3) + timedelta(milliseconds=millis)))


def seed() -> None:
    """渝中区: 4 cases (1 approved, 2 rejected for income, 1 in review); 江北区: 2 (1 rejected, 1 open)."""
    with db.transaction() as session:
        file_id = session.execute(text(
            "INSERT INTO definition_file (file_name, kind, content, content_hash, created_at) "
            "VALUES ('s.bpmn', 'bpmn', '', 'stat', now()) RETURNING id")).scalar()
        definition = session.execute(text(
            "INSERT INTO process_definition (key, version, kind, name, file_id, content_hash, executable, "
            "dependencies, start_events, deployed_at, deployed_by, comment) VALUES ('stat_case', 1, 'process', "
            "'s', :f, 'stat', true, '{}', '{}', now(), 't', '') RETURNING id"), {"f": file_id}).scalar()
        income = {"status": "rejected", "reason_code": "INCOME", "reason_text": "家庭收入超过标准"}
        approved = _case(session, definition, "GZF20250001", "渝中区",
                         {"status": "approved", "decided_at": at(10).isoformat()}, household="single")
        _case(session, definition, "GZF20250002", "渝中区", income, closed=at(5))
        _case(session, definition, "GZF20250003", "渝中区", income, closed=at(7))
        _case(session, definition, "GZF20250004", "渝中区")
        _case(session, definition, "GZF20250005", "江北区",
              {"status": "rejected", "reason_code": "HOME", "reason_text": "名下有房"}, closed=at(4))
        jb_open = _case(session, definition, "GZF20250006", "江北区")
        yz = approved.instance_id
        # 初审 in 渝中区: 2 working days on time, 5 late, 1 (over the weekend) without a deadline
        _task(session, yz, 1, "初审", "渝中区", at(3), at(5), at(7, 23))
        _task(session, yz, 2, "初审", "渝中区", at(3), at(10), at(7, 23))
        _task(session, yz, 3, "初审", "渝中区", at(7), at(10), None)
        # 复审 in 江北区: 3 working days, on time
        _task(session, jb_open.instance_id, 4, "复审", "江北区", at(3), at(6), at(10))
        # open now: one overdue 初审 in 渝中区, one not yet due
        now = datetime.now(UTC)
        _task(session, yz, 5, "初审", "渝中区", at(3), None, now - timedelta(days=2))
        _task(session, yz, 6, "初审", "渝中区", at(3), None, now + timedelta(days=2))
        # verification calls of 渝中区's case: hukou 2 fine (120 ms, 180 ms) and 1 failed; marriage retried
        _job(session, yz, 1, "hukou/check", "applied", 1, 120)
        _job(session, yz, 2, "hukou/check", "applied", 1, 180)
        _job(session, yz, 3, "hukou/check", "incident", 3, 30000)
        _job(session, yz, 4, "marriage/check", "applied", 2, 2600)
        _job(session, jb_open.instance_id, 5, "hukou/check", "failed", 3, 400)
        for number, method in (("110101199001011234", "automatic"), ("110101199001015678", "manual")):
            session.add(VerificationResult(application_id=approved.id, source="hukou", source_name="户籍",
                                           id_number=number, member_name="张三", relation="applicant",
                                           verdict="pass", method=method, checked_at=at(4)))
        session.add(WaitingListEntry(application_id=approved.id, application_no=approved.application_no,
                                     housing_type="gongzufang", district="渝中区", priority_groups=["低保", "残疾"],
                                     registered_at=now - timedelta(days=10)))
        rnd = AllocationRound(round_no="R1", housing_type="gongzufang", district="渝中区", method="lottery")
        session.add(rnd)
        session.flush()
        session.add(Offer(round_id=rnd.id, application_id=approved.id, application_no=approved.application_no,
                          unit_code="U1", status="accepted", offered_at=at(12)))
    seed_complaints(definition)


def _complaint(session, definition_id: int, n: int, district: str, category: str, channel: str, filed: datetime,
               orders: list[tuple[datetime | None, datetime]], rating: int | None = None,
               awaiting_info: bool = False, reopened_from: int | None = None) -> None:
    """A complaint with its work orders ``(completed or None, due)``, each created when the one before
    it was completed (the first when it was filed); the orders from index ``reopened_from`` on are in
    the step a low rating reopens it in."""
    iid = f"00000000-0000-4000-a000-{n:012d}"
    session.add(ProcessInstance(id=iid, definition_id=definition_id, process_key="complaint",
                                business_key=f"TS2025-{n:06d}", status="running", state="",
                                summary={"district": district}, started_by="public"))
    session.add(Complaint(complaint_no=f"TS2025-{n:06d}", channel=channel, category=category, content="投诉内容",
                          district=district, complainant_name="李四", complainant_phone="13800000000",
                          token_hash=f"{n:064d}", instance_id=iid, rating=rating,
                          rated_at=at(12) if rating else None, filed_at=filed))
    session.flush()
    for i, (completed, due) in enumerate(orders):
        session.add(HumanTask(id=f"00000000-0000-4000-b{n:03d}-{i:012d}", instance_id=iid, process_key="complaint",
                              bpmn_id="handle_complaint", name="办理投诉", candidate_groups=[], district=district,
                              status="completed" if completed else "ready", due_at=due,
                              created_at=orders[i - 1][0] or filed if i else filed,
                              completed_at=completed,
                              summary={"step": "重新办理" if reopened_from is not None and i >= reopened_from
                                       else "投诉办理"}))
    if awaiting_info:
        session.execute(text("INSERT INTO message_subscription (instance_id, message_name, business_key) "
                             "VALUES (:i, 'complaint_info_added', :k)"), {"i": iid, "k": f"TS2025-{n:06d}"})


def seed_complaints(definition_id: int) -> None:
    """Six complaints filed in March: 3 answered (2, 5 and 1 working days; the 5 late and then reopened),
    rated 5, 2 and 4; 2 open (one overdue, in 江北区); 1 waiting for the complainant's information."""
    now = datetime.now(UTC)
    with db.transaction() as session:
        _complaint(session, definition_id, 1, "渝中区", "审核结果", "portal", at(3), [(at(5), at(6))], rating=5)
        _complaint(session, definition_id, 2, "渝中区", "审核结果", "hotline", at(3),
                   [(at(4), at(6)), (at(10), at(6)), (at(12), at(13))], rating=2,
                   reopened_from=2)  # transferred, answered late, reopened
        _complaint(session, definition_id, 3, "江北区", "物业", "window", at(7), [(at(10), at(12))], rating=4)
        _complaint(session, definition_id, 4, "江北区", "物业", "public", at(3), [(None, now - timedelta(days=2))])
        _complaint(session, definition_id, 5, "渝中区", "其他", "portal", at(4), [(at(5), at(7))],
                   awaiting_info=True)
        _complaint(session, definition_id, 6, "渝中区", "物业", "portal", at(3), [(None, now + timedelta(days=2))])


MARCH = {"start": "2025-03-01", "end": "2025-03-31"}
