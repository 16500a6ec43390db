"""Cases run through the production topology: gunicorn ×3, two job workers, two schedulers, the
sandbox over HTTP, PostgreSQL and Redis — every step a request on a new connection, with web and
job workers restarted between steps (see conftest.py and topology.py).

Each scenario checks the case's final state, every decision and opinion in its history (the
instance data, the completed steps with their actors, and the audit trail), and that no instance
anywhere is left running with nothing to wait for.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import date, timedelta

import pytest

from bench.countersign.run import run
from bench.verification.run import sheet_rows
from connectors.sandbox import fixtures
from tests.conftest import fixture_bytes
from tests.production.client import CSRF, request, wait_for
from tests.production.steps import (
    HOUSEHOLDS,
    Case,
    accept,
    add_users,
    apply,
    assert_countersigned,
    countersign,
    countersign_case,
    end_publication,
    review,
    upload,
)

#: the first test also starts the topology (half a minute, more on a busy machine)
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("settled"), pytest.mark.timeout(600)]


def assert_history(case: Case, database) -> None:
    """Every decision taken over HTTP is in the audit trail, by whom and with its opinion, in order
    (the departments of one countersign in any order)."""
    recorded = database.decisions(case.business_keys)
    assert Counter(recorded) == Counter(case.decisions), (recorded, case.decisions)
    steps = [d for d in recorded if d[0] != "countersign"]
    assert steps == [d for d in case.decisions if d[0] != "countersign"]


# -- the countersign, again and again ---------------------------------------------------------------

def test_countersign_five_times_in_a_row(topology, people):
    """The bench's run (``python -m bench.countersign.run --cases 50``), five cases long: every case
    rejected by the third department once all three signatures are merged. First in the module,
    so that its households are free when the scenarios below apply for them again."""
    summary = run(topology, people, 5)
    assert summary["passed"] == 5, summary["failures"]


def test_countersign_one_by_one_each_after_a_web_restart(topology, people, database):
    case = countersign_case(people, "eligible_nuclear", before_each=topology.restart_web)
    final = end_publication(case)
    assert final["outcome"]["status"] == "approved" and final["outcome"]["step"] == "轮候"
    assert_countersigned(case)
    assert_history(case, database)


def test_countersign_by_three_departments_at_once_after_a_web_restart(topology, people, database):
    case = apply(people, "multi_generation")
    accept(case)
    review(case)
    topology.restart_web()
    countersign(case, concurrently=True)
    case.wait_for_status("in_publication", timeout=60)
    assert_countersigned(case)
    final = end_publication(case)
    assert final["outcome"]["status"] == "approved"
    assert_history(case, database)


# -- 公租房 from submission to the lease, then the annual review and the exit ----------------------

UNIT = {"units.0.code": "YZ-1-0301", "units.0.address": "渝中区公租房小区1栋3单元301", "units.0.area": "45",
        "units.0.rent": "520"}


@pytest.fixture(scope="module")
def leased(topology, people):
    """The sandbox's eligible single applicant in 渝中区, from the application to the signed lease and
    move-in, with the job workers restarted while the checks run and the web workers before the
    signature."""
    case = apply(people, "eligible_single")
    accept(case)
    topology.restart_workers()  # the 14 checks finish on job workers started after they were queued
    review(case)
    countersign(case)
    case.wait_for_status("in_publication", timeout=60)
    listing = people.pages().get("/publicity").text
    assert case.number in listing and "陈*东" in listing and "500103199405120136" not in listing
    assert end_publication(case)["outcome"]["status"] == "approved"

    people.pages("city").post_form("/allocation/rounds", {"housing_type": "gongzufang", "district": "渝中区",
                                                          "method": "selection", **UNIT},
                                   form_path="/allocation?housing_type=gongzufang&district=渝中区")
    offer = people("applicant").wait_for_task(None, "respond_offer")
    case.complete("applicant", "respond_offer", {"response": {"decision": "accept"}}, offer["business_key"])
    lease_no = f"L{case.number}"
    topology.restart_web()
    case.sign_lease(lease_no, topology.sandbox_url)
    case.complete("city", "confirm_move_in", {"moved_in_on": "2026-12-01", "keys_handed": True}, lease_no)
    case.wait_for_status("leased")
    return case, lease_no


def test_a_household_goes_from_its_application_to_a_signed_lease(leased, people, database):
    case, lease_no = leased
    final = case.view()
    assert final["status"] == "leased" and final["outcome"]["status"] == "approved"
    [lease] = database.rows("SELECT status, unit_code, monthly_rent, deposit, signed_at FROM lease WHERE lease_no = %s",
                            lease_no)
    assert lease["status"] == "active" and lease["unit_code"] == "YZ-1-0301" and lease["signed_at"] is not None
    assert lease["monthly_rent"] == 520.0 and lease["deposit"] > 0
    contract = people.pages("applicant").get(f"/portal/leases/{lease_no}/contract.pdf")
    assert contract.content.startswith(b"%PDF")
    assert_countersigned(case)
    data = case.instance()["data"]
    assert data["preliminary_review_result"]["opinion"] == "经入户核查，家庭情况与申报一致"
    assert data["district_review_result"]["opinion"] == "复审通过，提交会签"
    assert_history(case, database)


def test_the_annual_review_renews_the_lease_and_the_tenant_then_leaves(leased, topology, people, database):
    case, lease_no = leased
    ends_on = date.today() + timedelta(days=10)
    # time moves on: the lease ends within 30 days and the daily review schedule is due
    database.execute("UPDATE lease SET ends_on = %s WHERE lease_no = %s", ends_on, lease_no)
    database.execute("UPDATE start_timer SET next_due_at = now() - interval '1 second' "
                     "WHERE process_key = 'annual_review_schedule'")
    review_row = wait_for(lambda: database.rows(
        "SELECT r.status, r.eligible FROM annual_review r JOIN lease l ON l.id = r.lease_id "
        "WHERE l.lease_no = %s AND r.status <> 'started'", lease_no), 180, "the annual review's decision")
    assert review_row == [{"status": "renewed", "eligible": True}]
    wait_for(lambda: database.rows("SELECT ends_on FROM lease WHERE lease_no = %s AND ends_on > %s", lease_no,
                                   ends_on + timedelta(days=300)), 60, "the lease renewed for another year")

    topology.restart_web()
    # the deposit paid at the counter goes into the rent ledger, which settles it at the exit
    [lease] = database.rows("SELECT deposit FROM lease WHERE lease_no = %s", lease_no)
    people.pages("city").post_form(f"/ledger/{lease_no}", {"amount": f"{lease['deposit']:.2f}", "method": "counter",
                                                          "paid_on": date.today().isoformat()})
    people.pages("applicant").post_form(f"/portal/leases/{lease_no}/exit", {"reason_text": "工作调动至外地，自愿退出"})
    case.complete("city", "return_unit", {"returned_on": "2027-01-10", "keys_returned": True,
                                          "damages": [{"item": "纱窗", "amount": 100}]}, f"{lease_no}-exit")
    assert case.wait_for_status("exited")["status"] == "exited"
    [settled] = database.rows("SELECT x.status, x.deposit_refund, x.kind FROM tenancy_exit x JOIN lease l "
                              "ON l.id = x.lease_id WHERE l.lease_no = %s", lease_no)
    [lease] = database.rows("SELECT status, deposit FROM lease WHERE lease_no = %s", lease_no)
    assert settled["status"] == "settled" and settled["kind"] == "voluntary"
    assert settled["deposit_refund"] == lease["deposit"] - 100
    for key in (case.number, lease_no, f"{lease_no}-exit"):
        wait_for(lambda k=key: {i["status"] for i in database.instances(k)} == {"completed"}, 60, f"{key} to end")
    assert_history(case, database)


# -- 补正 twice, an objection upheld, a source outage ---------------------------------------------

def test_an_application_sent_back_twice_for_missing_items_is_then_approved(topology, people, database):
    case = apply(people, "dibao_priority")
    street = people.street(case.district).username
    for missing, kind, name in ((["income_proof", "housing_statement"], "income_proof", "收入证明.pdf"),
                                (["housing_statement"], "housing_statement", "住房情况声明.pdf")):
        case.complete(street, "acceptance", {"decision": "supplement", "opinion": f"请补交：{'、'.join(missing)}",
                                             "missing_items": missing})
        asked = case.wait_until(lambda c: c["status"] == "supplement_requested", "a 补正 request")
        assert all(item in json.dumps(asked["supplement"]) for item in missing), asked["supplement"]
        topology.restart_web()
        people(case.applicant).post(f"/applications/{case.number}/supplement",
                                    data={"documents.0.kind": kind, "note": "已补交"},
                                    files={"documents.0.file": upload(name)})
        case.wait_for_step("受理", timeout=60)
    accept(case)
    review(case)
    countersign(case)
    case.wait_for_status("in_publication", timeout=60)
    final = end_publication(case)
    assert final["outcome"]["status"] == "approved"
    data = case.instance()["data"]
    assert data["supplement_count"] == 2
    assert {"income_proof", "housing_statement"} <= set(data["provided_documents"])
    assert [d[2] for d in case.decisions if d[0] == "acceptance"] == ["supplement", "supplement", "accept"]
    assert_countersigned(case)
    assert_history(case, database)


def test_an_objection_upheld_during_publication_rejects_the_application(topology, people, database):
    case = countersign_case(people, "disabled_member")
    topology.restart_web()
    people.pages().post_form(f"/publicity/objection/{case.number}", {
        "objector_name": "王五", "objector_id_number": "500103199001011234", "objector_phone": "13800000000",
        "content": "该户在江北区另有住房一套，请予核查。"})
    topology.restart_workers()
    case.complete("city", "investigate", {"decision": "upheld", "reason_code": "owns_property",
                                          "finding_text": "经不动产登记核实，该户隐瞒江北区住房一套"})
    final = case.wait_for_status("rejected")
    assert final["outcome"]["reason_code"] == "owns_property" and final["outcome"]["step"] == "公示"
    assert "隐瞒江北区住房一套" in final["outcome"]["reason_text"]
    wait_for(lambda: {i["status"] for i in database.instances(case.number)} == {"completed"}, 60,
             "the case's instance to end")
    assert_history(case, database)


def test_a_source_outage_goes_to_a_manual_check_and_the_case_goes_on(topology, people, database):
    sandbox = topology.sandbox_url + "/__sandbox/faults"
    request("POST", sandbox, expect=200, json={"source": "tax", "fault": "5xx", "times": 0})
    try:
        case = apply(people, "yibao_gap")
        accept(case)
        people("renshe").wait_for_task(case.number, "manual_check", timeout=180)
    finally:
        request("DELETE", sandbox, expect=200)
    assert case.view()["step"] == "联合核查"
    # the worker's resume after 受理 asked the 14 sources itself (ADR 0025): 13 answered there; the
    # tax platform's failure was its job's first attempt, a worker made the last, and the diagram
    # sent it to 人工核查
    jobs = database.rows("SELECT j.operator, j.state, j.attempts, j.error_code FROM job j JOIN application a "
                         "ON a.instance_id = j.instance_id WHERE a.application_no = %s", case.number)
    checks = {r["operator"]: r for r in jobs if r["operator"].endswith("/check")}
    assert len(checks) == 14 and all(r["state"] == "applied" for r in checks.values()), checks
    assert (checks["tax/check"]["attempts"], checks["tax/check"]["error_code"]) == (2, "SourceUnavailable"), checks
    assert all((r["attempts"], r["error_code"]) == (1, None) for o, r in checks.items() if o != "tax/check"), checks
    called = database.rows("SELECT e.details FROM audit_event e JOIN application a ON a.instance_id = e.instance_id "
                           "WHERE a.application_no = %s AND e.action = 'jobs.called_in_step'", case.number)
    assert [sorted(j["operator"] for j in r["details"]["jobs"]) for r in called] == [
        sorted(o for o in checks if o != "tax/check")], called
    topology.restart_web()
    members = people("renshe").case(case.number)["household"]["members"]  # the facts, member by member
    facts = [{"name": m.get("name") or "成员", "found": True, "monthly_income": 2500 if i == 0 else 0,
              "months_taxed": 12 if i == 0 else 0, "total_income": 30000 if i == 0 else 0, "tax_paid": 0}
             for i, m in enumerate(members)]
    case.complete("renshe", "manual_check", {"manual_finding": {
        "verdict": "pass", "summary": "经函询区税务局，家庭成员近12个月个税申报与申报收入一致", "members": facts}})
    review(case)
    countersign(case)
    case.wait_for_status("in_publication", timeout=60)
    final = end_publication(case)
    assert final["outcome"]["status"] == "approved"
    tax = database.rows("SELECT v.verdict, v.method, v.checked_by FROM verification_result v JOIN application a "
                        "ON a.id = v.application_id WHERE a.application_no = %s AND v.source = 'tax'", case.number)
    assert tax and all(r["verdict"] == "pass" and r["method"] == "manual" for r in tax), tax
    assert_countersigned(case)
    assert_history(case, database)



def test_a_process_started_through_the_api_is_answered_as_committed_and_a_worker_carries_it_on(people, database):
    """``POST /api/v1/process-instances`` across gunicorn workers: the answer is the instance as its
    start committed it (its 户籍 check queued for a worker, nothing of it run yet), and an RQ
    worker then calls the sandbox and finishes the instance."""
    admin, reviewer = people("admin"), people("street_yz")
    deployed = admin.post("/process-definitions", expect=201, files=[
        ("files", ("connector_fault_caught.bpmn", fixture_bytes("connector_fault_caught.bpmn")))])
    assert [(i["key"], i["kind"]) for i in deployed["items"]] == [("connector_fault_caught", "process")]
    members = fixtures.declared_members("eligible_nuclear")
    started = reviewer.post("/process-instances", expect=201, json={
        "process_key": "connector_fault_caught", "data": {"members": members}, "business_key": "API-START-1"})
    assert started["status"] == "running" and started["started_by"] == "street_yz"
    assert started["data"]["district"] == "渝中区"  # a district's reviewer starts for their district
    assert [(c["bpmn_id"], c["state"], c["attempts"]) for c in started["service_calls"]] == [
        ("check_hukou", "queued", 0)]
    assert "hukou" not in started["data"] and started["incidents"] == []

    def finished() -> dict | None:
        seen = reviewer.get(f"/process-instances/{started['id']}")
        return seen if seen["status"] == "completed" else None

    done = wait_for(finished, 60, "the worker to finish the instance started through the API")
    assert [(c["bpmn_id"], c["state"], c["attempts"]) for c in done["service_calls"]] == [
        ("check_hukou", "applied", 1)]
    assert done["data"]["hukou"] and "hukou_fault" not in done["data"]
    nodes = [n["bpmn_id"] for n in reviewer.get(f"/process-instances/{started['id']}/history")["items"]]
    assert nodes[-2:] == ["check_hukou", "checked"]
    assert database.rows("SELECT actor FROM audit_event WHERE instance_id = %s AND action = 'instance.started'",
                         started["id"]) == [{"actor": "street_yz"}]


# -- the batch import ---------------------------------------------------------------------------------

def _household_forms() -> list[dict]:
    """The sandbox households' forms, in the order the verification bench's sheet rows take them."""
    return [json.loads(path.read_text(encoding="utf-8"))["form"] for path in sorted(HOUSEHOLDS.glob("*.json"))]


def _import_sheet(topology, people, cases: list[int]) -> tuple:
    """Accounts for ``cases`` and their sheet in that order (the verification bench's rows), uploaded
    by a city officer's page session: (the session, the job's page path)."""
    from app.services.batch_import_rows import TITLES, csv_bytes

    forms = _household_forms()
    add_users(topology, [(f"bench_a{i:06d}", f"申请人{i}", ["applicant"], ["applicant"], None) for i in cases])
    officer = people.pages("city")
    token = CSRF.search(officer.get("/batch-import").text)[1]
    sheet = csv_bytes([TITLES, *(row for i in cases for row in sheet_rows(forms, i))])
    answer = request("POST", topology.url + "/batch-import", expect=302, cookies=officer.cookies,
                     data={"csrf_token": token}, files={"file": ("申请.csv", sheet, "text/csv")})
    return officer, answer.headers["Location"]


def _numbered_once(database, cases: list[int]) -> list[dict]:
    """The cases of ``cases``' accounts: one each, each housing type's numbers one after another."""
    rows = database.rows("SELECT application_no, applicant_username FROM application WHERE applicant_username "
                         "= ANY(%s)", [f"bench_a{i:06d}" for i in cases])
    assert sorted(c["applicant_username"] for c in rows) == sorted(f"bench_a{i:06d}" for i in cases)
    for prefix in ("GZF", "BZF"):
        serials = sorted(int(c["application_no"].rsplit("-", 1)[1]) for c in rows
                         if c["application_no"].startswith(prefix))
        assert serials == list(range(serials[0], serials[0] + len(serials))), (prefix, serials)
    return rows


def test_an_import_cut_by_a_web_restart_is_resumed_and_starts_each_application_once(topology, people, database):
    """The web workers are replaced while an import runs in one of them: the import shows as
    interrupted (once its heartbeat is old), the officer resumes it, and every application becomes
    one case, with the numbers its claims had reserved."""
    cases = list(range(100, 230))
    officer, job = _import_sheet(topology, people, cases)
    topology.restart_web()
    job_id = job.rsplit("/", 1)[1]
    assert database.rows("SELECT state FROM import_job WHERE id = %s", job_id) == [{"state": "running"}]
    database.rows("UPDATE import_job SET heartbeat_at = heartbeat_at - interval '10 minutes' WHERE id = %s", job_id)
    officer = people.pages("city")  # the session outlives the restart; a new login all the same
    page = officer.get(job).text
    assert "导入已中断" in page
    started_before = officer.get(job + "/status").json()["started"]
    assert started_before < len(cases)
    officer.post_form(job + "/resume", {}, form_path=job)
    done = wait_for(lambda: (s := officer.get(job + "/status").json())["state"] == "finished" and s, 180,
                    "the resumed import to finish")
    assert done["done"] == done["total"] == done["started"] == len(cases), done
    assert "已完成" in officer.get(job).text
    _numbered_once(database, cases)


def test_two_sheets_imported_side_by_side_start_each_application_once(topology, people, database):
    """Two uploads at once, each imported by the web worker that took it, ten applications per claim,
    both housing types in each sheet (in opposite orders): every application becomes one case at 受理,
    each type's numbers follow one another without a gap or a repeat, and each report says it is done."""
    forms = _household_forms()
    first = list(range(len(forms)))
    second = sorted(range(len(forms), 2 * len(forms)),  # its 保租房 households first
                    key=lambda i: forms[i % len(forms)]["housing_type"] != "baozufang")
    assert [forms[cases[0] % len(forms)]["housing_type"] for cases in (first, second)] == ["gongzufang", "baozufang"]
    uploaded: list[tuple] = []
    threads = [threading.Thread(target=lambda cases=cases: uploaded.append(_import_sheet(topology, people, cases)))
               for cases in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(uploaded) == 2
    for officer, job in uploaded:
        done = wait_for(lambda officer=officer, job=job: (s := officer.get(job + "/status").json())["state"]
                        == "finished" and s, 120, f"the import {job} to finish")
        assert done["done"] == done["total"] == done["started"] == len(forms), done
        page = officer.get(job).text
        assert "已完成" in page and "导入已中断" not in page
    cases = _numbered_once(database, first + second)
    at_acceptance = database.rows("SELECT count(*) AS n FROM human_task WHERE bpmn_id = 'acceptance' AND "
                                  "status = 'ready' AND business_key = ANY(%s)", [c["application_no"] for c in cases])
    assert at_acceptance == [{"n": len(cases)}]
