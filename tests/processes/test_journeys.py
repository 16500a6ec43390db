"""The clerk's journey through real cases: a case stays with its clerk through steps of one role,
batch 受理 checks the documents as a single 受理 shows them, and every demo case can be worked."""

from __future__ import annotations

from sqlalchemy import select

from app.db import db
from app.models import Application, User
from app.services import batch_approval_service, case_service, demo_service, document_service, task_service
from app.services.user_service import authenticate
from tests.processes.conftest import applicant, household, ready_task, staff, submit


def test_the_next_step_of_the_same_role_stays_with_the_clerk_until_released(flow_app):
    demo_service.load_demo_users()
    clerk = authenticate("street_yz", demo_service.DEMO_PASSWORD)
    number = submit("eligible_single")["application_no"]
    task_service.complete(clerk, ready_task(number, "acceptance").id, {"decision": "accept", "opinion": "材料齐全"})
    review = ready_task(number, "preliminary_review")
    assert review.assignee == "street_yz"
    task_service.unclaim(clerk, review.id)  # released: back in the pool for the group
    assert ready_task(number, "preliminary_review").assignee is None


def test_batch_acceptance_refuses_what_a_single_acceptance_shows_missing(flow_app):
    street = staff("street", "street_reviewer", "渝中区")
    listed_only = submit("eligible_single")["application_no"]  # documents named, no file sent
    task = ready_task(listed_only, "acceptance")
    [outcome] = batch_approval_service.batch_approve(street, [task.id], "材料齐全，予以受理")
    assert not outcome.ok and "材料不齐" in outcome.message and "身份证（文件缺失）" in outcome.message
    assert ready_task(listed_only, "acceptance").id == task.id  # still waiting for a person

    form = household("eligible_nuclear")["form"]
    uploads = [document_service.Upload(d["kind"], d["name"], demo_service.sample_pdf(d["kind"]))
               for d in form["documents"]]
    complete = case_service.submit_application(applicant("eligible_nuclear"), {**form, "documents": []},
                                               uploads=uploads)["application_no"]
    reviewer = staff("street", "street_reviewer", "沙坪坝区")
    [outcome] = batch_approval_service.batch_approve(reviewer, [ready_task(complete, "acceptance").id], "材料齐全")
    assert outcome.ok, outcome.message
    assert ready_task(complete, "acceptance") is None


def test_every_demo_case_has_its_files_and_reviewers_in_its_district(flow_app):
    demo_service.load_demo_users()
    created = demo_service.load_demo_cases()
    assert len(created) == len(demo_service.DEMO_CASES)
    with db.session() as session:
        cases = session.scalars(select(Application).where(Application.application_no.in_(created))).all()
        users = session.scalars(select(User)).all()
    for case in cases:
        admin = staff("city", "city_reviewer", None, "city_reviewer")
        documents = document_service.case_documents(admin, case.application_no)
        assert documents and all(d["size"] for d in documents), (case.application_no, documents)
        groups = {g for u in users if u.district == case.district for g in u.groups}
        assert {"street_reviewer", "district_reviewer"} <= groups, case.district
