"""Complaints on PostgreSQL with the SMS gateway in the sandbox: filed on the public page, routed,
escalated when overdue, answered, rated low, reopened once, answered again and closed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.complaints import service
from app.complaints.models import Complaint
from app.db import db
from app.factory import create_app
from app.jobs.runner import InlineRunner
from app.models import AuditEvent, HumanTask, Job, ProcessInstance
from app.services import definition_service, demo_service, instance_service, job_service, timer_service
from tests.conftest import close, make_settings, truncate
from tests.processes.conftest import PROCESSES, ROOT, ready_task
from tests.web.conftest import Browserless, csrf_of

NAME, PHONE = "王小明", "13983001001"
CONTENT = "我的公租房申请提交已经两个月，审核结果一直没有告知。"
FORM = {"category": "审核结果", "content": CONTENT, "district": "渝中区", "application_no": "GZF2026-000123",
        "complainant_name": NAME, "complainant_phone": PHONE}


def login(app, username: str) -> Browserless:
    client = Browserless(app, username)
    client.refresh_token()
    return client


def file_publicly(app, form: dict) -> tuple[str, str]:
    """File on the public page as a visitor; returns (complaint number, follow-up path)."""
    visitor = Browserless(app)
    response = visitor.post("/complaints/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    path = response.headers["Location"]
    page = visitor.get(path).get_data(as_text=True)
    number = re.search(r'data-testid="complaint-no">([^<]+)<', page).group(1)
    return number, path


def rate(app, path: str, rating: int) -> str:
    visitor = Browserless(app)
    response = visitor.post(f"{path}/rating", data={"rating": str(rating), "comment": "答复不具体"})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return visitor.get(path).get_data(as_text=True)


def reply(app, username: str, task: HumanTask, text: str) -> None:
    handler = login(app, username)
    assert handler.get(f"/tasks/{task.id}").headers["Location"].endswith(f"/complaints/tasks/{task.id}")
    response = handler.post(f"/complaints/tasks/{task.id}", data={"action": "reply", "reply": text})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]


@pytest.fixture
def complaint_app(flow_app):
    with flow_app.app_context():
        demo_service.load_demo_users()
        yield flow_app


def test_a_public_complaint_is_routed_escalated_answered_reopened_and_closed(complaint_app):
    app = complaint_app
    number, follow_up = file_publicly(app, FORM)
    with db.session() as session:
        row = session.scalar(select(Complaint).where(Complaint.complaint_no == number))
    assert (row.channel, row.complainant_name, row.complainant_phone) == ("public", NAME, PHONE)

    # routed to the district's housing review office, due in 3 working days
    task = ready_task(number, "handle_complaint", "district_reviewer")
    assert task is not None and task.district == "渝中区"
    assert task.due_at - task.created_at >= timedelta(days=3)
    assert ready_task(number, "handle_complaint", "city_reviewer") is None

    # the handler's page: the complaint and its category, not the person; another district sees nothing
    page = login(app, "district_yz").get(f"/complaints/tasks/{task.id}").get_data(as_text=True)
    assert CONTENT in page and "审核结果" in page and "投诉人信息已保密" in page
    assert NAME not in page and PHONE not in page and "139****1001" not in page and "王*明" not in page
    assert login(app, "district_jb").get(f"/complaints/tasks/{task.id}").status_code == 404

    # left overdue: the boundary timer puts a supervision task in the supervisors' inbox, the work order stays
    with db.session() as session:
        armed = session.get(ProcessInstance, row.instance_id).next_timer_due_at
    assert abs(armed - task.due_at) < timedelta(seconds=1)  # the escalation waits for the deadline
    assert timer_service.fire_due_timers(now=task.due_at - timedelta(minutes=1)) == 0
    assert instance_service.fire_timers_now(row.instance_id, "scheduler") == {"fired": 1}
    supervision = ready_task(number, "supervise_overdue", "complaint_supervisor")
    assert supervision is not None
    assert ready_task(number, "handle_complaint", "district_reviewer").id == task.id
    supervisor = login(app, "ducha")
    supervisor_page = supervisor.get(f"/complaints/tasks/{supervision.id}").get_data(as_text=True)
    assert "王*明" in supervisor_page and "139****1001" in supervisor_page and NAME not in supervisor_page
    assert supervisor.post(f"/complaints/tasks/{supervision.id}",
                           data={"supervision_note": "请今日内答复"}).status_code == 302

    # answered: the SMS goes out through the gateway, the follow-up page shows the reply and asks for a rating
    reply(app, "district_yz", task, "经核查，您的申请已通过复审，将于下周公示。")
    with db.session() as session:
        sms = session.scalars(select(Job).where(Job.instance_id == row.instance_id,
                                                Job.operator == "sms/send")).all()
    assert [(j.state, j.params["phone"], j.params["template"]) for j in sms] == [("applied", PHONE, "COMPLAINT_REPLY")]
    page = Browserless(app).get(follow_up).get_data(as_text=True)
    assert "经核查，您的申请已通过复审，将于下周公示。" in page and 'data-testid="rating-form"' in page

    # rated 2: reopened once, back in the same department's inbox with a new deadline
    rate(app, follow_up, 2)
    again = ready_task(number, "handle_complaint", "district_reviewer")
    assert again is not None and again.id != task.id
    reopened_page = login(app, "district_yz").get(f"/complaints/tasks/{again.id}").get_data(as_text=True)
    assert "投诉人对答复不满意（2分），请重新办理" in reopened_page

    reply(app, "district_yz", again, "已与复审科核实：结论为符合条件，公示期为下周一至周五。")
    page = rate(app, follow_up, 2)  # a second low rating does not reopen again
    assert "已办结" in page and "您的评价：2分" in page
    with db.session() as session:
        instance = session.get(ProcessInstance, row.instance_id)
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.instance_id == row.instance_id)))
        stored = session.get(Complaint, row.id)
    assert instance.status == "completed" and stored.rating == 2
    assert actions.count("task.completed") == 3 and actions.count("message.received") == 2
    assert "instance.started" in actions and "instance.completed" in actions
    assert ready_task(number, "handle_complaint") is None


def test_portal_and_desk_channels_and_transfer_with_more_information(complaint_app):
    app = complaint_app
    applicant = login(app, "applicant")
    response = applicant.post("/complaints/portal/new", data=FORM | {"category": "房屋质量", "district": "江北区",
                                                                      "application_no": "",
                                                                      "content": "卫生间漏水，报修一周无人处理。"})
    assert response.status_code == 302
    number = response.headers["Location"].rsplit("/", 1)[1]
    assert number in applicant.get("/complaints/mine").get_data(as_text=True)
    task = ready_task(number, "handle_complaint", "allocation_officer")
    city = login(app, "city")
    assert city.post(f"/complaints/tasks/{task.id}",
                     data={"action": "transfer", "transfer_to": "district_reviewer"}).status_code == 302
    moved = ready_task(number, "handle_complaint", "district_reviewer")
    assert moved.district == "江北区"
    jb = login(app, "district_jb")
    assert jb.post(f"/complaints/tasks/{moved.id}",
                   data={"action": "more_info", "info_request": "请提供房屋地址"}).status_code == 302
    page = applicant.get(f"/complaints/mine/{number}").get_data(as_text=True)
    assert "请提供房屋地址" in page and 'data-testid="info-form"' in page
    assert applicant.post(f"/complaints/mine/{number}/info", data={"text": "观音桥小区3栋502"}).status_code == 302
    back = ready_task(number, "handle_complaint", "district_reviewer")
    assert "观音桥小区3栋502" in jb.get(f"/complaints/tasks/{back.id}").get_data(as_text=True)
    # nobody else's complaint is visible in the portal
    assert login(app, "applicant2").get(f"/complaints/mine/{number}").status_code == 404

    desk = login(app, "operator")
    response = desk.post("/complaints/desk", data=FORM | {"channel": "window", "category": "工作人员态度"})
    assert response.status_code == 302
    with db.session() as session:
        row = session.scalar(select(Complaint).where(Complaint.channel == "window"))
    assert row.recorded_by == "operator" and row.username is None
    receipt = desk.get("/complaints/desk").get_data(as_text=True)
    link = re.search(r"http://localhost(/complaints/t/[\w-]+)", receipt).group(1)
    assert row.complaint_no in Browserless(app).get(link).get_data(as_text=True)
    assert ready_task(row.complaint_no, "handle_complaint", "city_reviewer") is not None


def test_bad_input_is_a_readable_error_and_a_rating_needs_a_waiting_reply(complaint_app):
    app = complaint_app
    visitor = Browserless(app)
    response = visitor.post("/complaints/new", data=FORM | {"complainant_phone": "123", "complainant_name": ""})
    assert response.status_code == 422
    assert "投诉人姓名" in response.get_data(as_text=True)
    number, follow_up = file_publicly(app, FORM)
    response = Browserless(app).post(f"{follow_up}/rating", data={"rating": "4"})
    assert response.status_code == 409 and "当前没有待评价的答复" in response.get_data(as_text=True)
    assert Browserless(app).post(f"{follow_up}/rating", data={"rating": "9"}).status_code == 422
    assert Browserless(app).get("/complaints/t/not-a-token").status_code == 404
    with pytest.raises(service.ComplaintNotFound):
        service.view_by_token("")


@pytest.fixture
def limited_app(pg_url):
    """Only the complaint files deployed, and one public complaint per address per hour."""
    runner = InlineRunner(job_service.execute_batch, synchronous=True)
    app = create_app(make_settings(pg_url, forms_dir=str(ROOT / "forms"), complaint_limit="1/hour"), runner=runner)
    with app.app_context():
        files = [(n, (PROCESSES / n).read_bytes()) for n in ("complaint.bpmn", "complaint_routing.dmn")]
        deployed, _ = definition_service.deploy(files, "test")
        assert {d.key for d in deployed} == {"complaint", "complaint_routing"}
        yield app
    close(app)
    truncate(pg_url)


def test_the_public_form_needs_the_csrf_token_and_is_limited_per_address(limited_app):
    visitor = Browserless(limited_app)
    assert visitor.client.post("/complaints/new", data=FORM).status_code == 400  # no CSRF token
    token = csrf_of(visitor.get("/complaints/new").get_data(as_text=True))
    assert visitor.post("/complaints/new", data=FORM | {"csrf_token": token}).status_code == 302
    assert visitor.post("/complaints/new", data=FORM | {"csrf_token": token}).status_code == 429
    with db.session() as session:
        assert len(session.scalars(select(Complaint)).all()) == 1


def test_the_complaint_pages_read_in_english(complaint_app):
    number, follow_up = file_publicly(complaint_app, FORM)
    visitor = Browserless(complaint_app)
    visitor.get("/lang/en")
    page = visitor.get(follow_up).get_data(as_text=True)
    assert "Complaint progress" in page and "Review result" in page and "Public page" in page
    form = visitor.get("/complaints/new").get_data(as_text=True)
    assert "Submit the complaint" in form and "Your name" in form and "Staff attitude" in form
    handler = login(complaint_app, "district_yz")
    handler.get("/lang/en")
    task = ready_task(number, "handle_complaint", "district_reviewer")
    order = handler.get(f"/complaints/tasks/{task.id}").get_data(as_text=True)
    assert "Handle the complaint" in order and "Kept confidential" in order and "Reply to the complainant" in order
