"""Batch import: template, row-by-row checks with a per-row report, real cases started from valid rows."""

from __future__ import annotations

import csv
import io
import time
from datetime import timedelta

import pytest
from sqlalchemy import delete, event, func, select, update

from app.cli import deploy_directory
from app.db import db, utcnow
from app.models import Application, AuditEvent, HouseholdClaim, ImportApplication, ImportJob, Job, ProcessInstance
from app.services import batch_import_checks, batch_import_rows, batch_import_service, demo_service, portal_service
from app.services.batch_import_checks import check_sheet
from app.services.user_service import authenticate, upsert_user
from tests.conftest import ROOT


@pytest.fixture
def import_app(real_forms):
    """The page app with the repository's forms and every housing process deployed."""
    deploy_directory(ROOT / "processes")
    return real_forms


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def _row(sequence: str, name: str, id17: str, account: str, district: str = "渝中区", income: str = "2000",
         relation: str = "申请人本人") -> list[str]:
    from connectors.base.identity import check_digit

    return [sequence, "公租房", district, "单身", name, id17 + check_digit(id17), relation, income, "", "13800000009",
            account, "", "0", "0", "0", "否", "否", "是"]


def _cases() -> dict[str, Application]:
    with db.session() as session:
        cases = {c.application_no: c for c in session.scalars(select(Application).order_by(Application.id))}
        for case in cases.values():
            case.members  # noqa: B018 - load the household before the session closes
        return cases


def test_the_unchanged_template_imports_cleanly_in_both_formats(import_app):
    identity = authenticate("city", "demo123")
    for name, content in (("t.csv", batch_import_rows.template_csv()), ("t.xlsx", batch_import_rows.template_xlsx())):
        job = batch_import_service.start_import(identity, name, content, background=False)
        assert job.problems == [] and job.state == "finished", (name, job.problems)
        assert [a["sequence"] for a in job.started] == ["1", "2"] and job.done == job.valid == 2
        family = _cases()[job.started[1]["application_no"]]
        assert family.housing_type == "baozufang" and family.household_type == "nuclear"
        assert [m.relation for m in family.members] == ["applicant", "spouse", "child"]
        assert family.applicant_phone == "13800000002" and family.applicant_username == "applicant2"
        with db.transaction() as session:  # the same people again: as if the first cases had been withdrawn
            session.execute(delete(HouseholdClaim))


def test_rows_start_real_cases_that_belong_to_the_applicant_and_reach_the_district_inbox(import_app, as_user):
    job = batch_import_service.start_import(authenticate("city", "demo123"), "t.csv", batch_import_rows.template_csv(),
                                            background=False)
    single, family = (a["application_no"] for a in job.started)
    cases = _cases()
    assert cases[single].applicant_username == "applicant" and cases[single].district == "渝中区"
    with db.session() as session:
        starter = select(ProcessInstance.started_by).where(ProcessInstance.business_key == single)
        assert session.scalar(starter) == "city"
        # no one waits for each start: the case is registered in the start's own transaction,
        # by the officer, not left to a worker as a job (ADR 0023)
        instance_id = session.scalar(select(ProcessInstance.id).where(ProcessInstance.business_key == single))
        assert session.scalars(select(Job.operator).where(Job.instance_id == instance_id)).all() == []
        ran = session.execute(select(AuditEvent.actor, AuditEvent.details).where(
            AuditEvent.instance_id == instance_id, AuditEvent.action == "tasks.ran_inline")).all()
        assert [(actor, [t["operator"] for t in d["tasks"]]) for actor, d in ran] == [("city", ["case/register"])]
    # the street reviewers of each district see their own case at 受理, not the other's
    yuzhong = as_user("street_yz").get("/inbox?tab=groups").get_data(as_text=True)
    jiangbei = as_user("street_jb").get("/inbox?tab=groups").get_data(as_text=True)
    assert single in yuzhong and family not in yuzhong
    assert family in jiangbei and single not in jiangbei
    # the applicant named in the sheet finds the case in the portal; the other applicant does not
    mine = [c["business_key"] for c in portal_service.my_cases(authenticate("applicant", "demo123"))]
    assert single in mine and family not in mine
    assert as_user("applicant").get(f"/portal/applications/{single}").status_code == 200
    assert as_user("applicant").get(f"/portal/applications/{family}").status_code == 404


def test_bad_rows_are_reported_by_row_and_column_and_start_nothing(import_app):
    for username in ("applicant3", "applicant4", "applicant5"):
        upsert_user(username, "王五", "demo123", ["applicant"], ["applicant"], None)
    rows = batch_import_rows.template_rows()[:2]                      # row 2: application 1, fine
    rows[1][5] = "50010319900307123"                                    # … but its ID number is too short
    rows.append(_row("3", "孙七", "50010319850101001", "nobody"))       # row 3: unknown account
    rows.append(_row("4", "周八", "50010319850101002", "city"))         # row 4: not an applicant account
    rows.append(_row("5", "吴九", "50010319850101003", ""))             # row 5: no account
    rows.append(_row("6", "郑十", "50010319850101004", "applicant4", income="abc"))  # row 6: income not a number
    rows.append(_row("7", "钱一", "50010319850101005", "applicant3"))   # row 7: fine
    rows.append(_row("8", "冯二", "50010319850101006", "applicant3"))   # row 8: account used on row 7
    bad_digit = _row("9", "陈三", "50010319850101007", "applicant2")
    bad_digit[5] = bad_digit[5][:17] + ("0" if bad_digit[5][17] != "0" else "1")
    rows.append(bad_digit)                                               # row 9: wrong check digit
    short = _row("10", "王", "50010319850101008", "applicant5")
    short[9] = "12345"
    rows.append(short)                                                   # row 10: name and phone too short
    job = batch_import_service.start_import(authenticate("city", "demo123"), "x.csv", _csv(rows), background=False)
    report = {(r, c): m for r, c, m in job.problems}
    assert "应为 18 位身份证号码" in report[(2, "身份证号码")]
    assert report[(10, "成员姓名")] == "至少 2 个字" and "11 位手机号码" in report[(10, "申请人手机号码")]
    assert "nobody" in report[(3, "申请人账号")] and "不存在" in report[(3, "申请人账号")]
    assert "不是申请人账号" in report[(4, "申请人账号")]
    assert "必填" in report[(5, "申请人账号")]
    assert (6, "月收入（元）") in report
    assert "第 7 行" in report[(8, "申请人账号")]
    assert "校验位" in report[(9, "身份证号码")]
    assert [a["sequence"] for a in job.started] == ["7"] and job.valid == 1
    assert [c.applicant_username for c in _cases().values()] == ["applicant3"]


def test_an_id_number_with_an_open_application_is_a_row_problem(import_app, monkeypatch):
    """Open elsewhere already, twice in the sheet, or opened between the upload and the start."""
    identity = authenticate("city", "demo123")
    for username in ("applicant3", "applicant4", "applicant5"):
        upsert_user(username, "王五", "demo123", ["applicant"], ["applicant"], None)
    first = batch_import_service.start_import(identity, "a.csv", _csv(
        [batch_import_rows.TITLES, _row("1", "孙七", "50010319850101001", "applicant3")]), background=False)
    [number] = [a["application_no"] for a in first.started]
    masked = number[:8] + "****" + number[-2:]
    rows = [batch_import_rows.TITLES,
            _row("1", "孙七", "50010319850101001", "applicant4"),   # row 2: open in the first import
            _row("2", "周八", "50010319850101002", "applicant5"),   # row 3: fine
            _row("3", "周八", "50010319850101002", "applicant")]    # row 4: the same person as row 3
    job = batch_import_service.start_import(identity, "b.csv", _csv(rows), background=False)
    report = {(r, c): m for r, c, m in job.problems}
    assert masked in report[(2, "身份证号码")] and "尚未办结" in report[(2, "身份证号码")]
    assert number not in report[(2, "身份证号码")]
    assert "第 3 行" in report[(4, "身份证号码")]
    assert [a["sequence"] for a in job.started] == ["2"] and len(_cases()) == 2
    # opened by someone else after the upload was checked, before its turn: refused at its start, on its row
    monkeypatch.setattr(batch_import_checks, "_check_open_applications", lambda applications: None)
    late = batch_import_service.start_import(identity, "c.csv", _csv(
        [batch_import_rows.TITLES, _row("1", "周八", "50010319850101002", "applicant")]), background=False)
    assert late.started == [] and late.valid == 1
    assert "尚未办结" in {(r, c): m for r, c, m in late.problems}[(2, "身份证号码")]
    assert len(_cases()) == 2


def test_a_district_reviewer_imports_only_their_district_and_nothing_else_starts(import_app):
    rows = [batch_import_rows.TITLES, _row("1", "孙七", "50010319850101001", "applicant"),
            _row("2", "周八", "50010519850101002", "applicant2", district="江北区")]
    job = batch_import_service.start_import(authenticate("district_yz", "demo123"), "x.csv", _csv(rows),
                                            background=False)
    assert [(r, c) for r, c, _m in job.problems] == [(3, "申请区县")]
    assert "渝中区" in job.problems[0][2] and "未能立案" not in job.problems[0][2]
    assert [c.district for c in _cases().values()] == ["渝中区"]
    assert len(job.started) == 1 and job.state == "finished"


def test_a_start_that_fails_leaves_no_case_and_its_row_failed_with_the_number_kept(import_app, monkeypatch):
    """The row is marked started in the case's own start transaction: a start rolled back after
    that mark (here, while it registers the case) leaves the row failed and no case."""
    from app.services import instance_service

    def broken(step):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(instance_service, "run_inline", broken)
    job = batch_import_service.start_import(authenticate("city", "demo123"), "t.csv",
                                            batch_import_rows.template_csv(), background=False)
    assert job.state == "finished" and job.started == [] and job.done == 2
    assert [m for _row, _column, m in job.problems] == ["未能立案：系统错误"] * 2
    with db.session() as session:
        rows = session.execute(select(ImportApplication.state, ImportApplication.application_no)
                               .where(ImportApplication.job_id == job.id)
                               .order_by(ImportApplication.position)).all()
        assert [state for state, _no in rows] == ["failed", "failed"]
        assert all(no and no.startswith(("GZF", "BZF")) for _state, no in rows), rows  # reserved when claimed
        assert session.scalar(select(func.count()).select_from(Application)) == 0
        assert session.scalar(select(func.count()).select_from(ProcessInstance)) == 0


def test_a_wrong_file_is_refused_before_anything_starts(import_app):
    identity = authenticate("city", "demo123")
    for name, content, message in (("x.txt", b"a,b", "只接受"), ("x.csv", b"foo,bar\n1,2\n", "表头"),
                                   ("x.xlsx", b"not a zip", "XLSX")):
        with pytest.raises(batch_import_service.ValidationFailed) as info:
            batch_import_service.start_import(identity, name, content, background=False)
        assert message in info.value.detail
    assert batch_import_service.recent(identity) == [] and _cases() == {}


def test_an_interrupted_import_resumes_without_starting_a_case_twice(import_app, as_user):
    identity = authenticate("city", "demo123")
    upsert_user("applicant3", "王五", "demo123", ["applicant"], ["applicant"], None)
    rows = [batch_import_rows.TITLES, _row("1", "孙七", "50010319850101001", "applicant"),
            _row("2", "周八", "50010319850101002", "applicant2")]
    job = batch_import_service.start_import(identity, "x.csv", _csv(rows), background=False)
    numbers = [a["application_no"] for a in job.started]
    # what a server stopped mid-import leaves: a case started but not yet recorded (1), a case started
    # after a runner was taken for dead and its application handed out again (2), one not started (3)
    waiting = check_sheet(identity, batch_import_rows.read_sheet("y.csv", _csv(
        [batch_import_rows.TITLES, _row("3", "吴九", "50010319850101003", "applicant3")])))[0]
    assert waiting.valid
    with db.transaction() as session:
        for position, state in enumerate(("starting", "pending")):
            session.execute(update(ImportApplication).where(ImportApplication.job_id == job.id,
                                                            ImportApplication.position == position)
                            .values(state=state, form=dict(waiting.form)))
        session.add(ImportApplication(job_id=job.id, position=2, sequence="3", row_numbers=[4], head_row=4,
                                      applicant_username="applicant3", district="渝中区", state="pending",
                                      form=waiting.form))
        session.execute(update(ImportJob).where(ImportJob.id == job.id)
                        .values(state="running", heartbeat_at=utcnow() - timedelta(minutes=10)))
    b = as_user("city")
    page = b.get(f"/batch-import/{job.id}").get_data(as_text=True)
    assert "导入已中断" in page and "import-resume" in page
    assert b.get(f"/batch-import/{job.id}/status").get_json()["state"] == "interrupted"
    resumed = batch_import_service.resume(identity, job.id, background=False)
    assert resumed.state == "finished" and resumed.done == 3 and resumed.problems == []
    assert [a["application_no"] for a in resumed.started][:2] == numbers
    cases = _cases()
    assert len(cases) == 3 and sorted(c.applicant_username for c in cases.values()) == [
        "applicant", "applicant2", "applicant3"]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(ProcessInstance)
                              .where(ProcessInstance.business_key.in_(numbers))) == 2
    assert batch_import_service.resume(identity, job.id, background=False).done == 3  # a second resume does nothing


def test_a_runner_stopped_inside_a_claimed_batch_leaves_its_numbers_to_the_resume(import_app, monkeypatch):
    """A runner takes several applications at once: their numbers are reserved in the sheet's order,
    and those it had not started when it stopped are started by the resume with those numbers."""
    identity = authenticate("city", "demo123")
    upsert_user("applicant3", "王五", "demo123", ["applicant"], ["applicant"], None)
    rows = [batch_import_rows.TITLES, _row("1", "孙七", "50010319850101001", "applicant"),
            _row("2", "周八", "50010319850101002", "applicant2"), _row("3", "吴九", "50010319850101003", "applicant3")]
    monkeypatch.setattr(batch_import_service, "_launch", lambda job_id, background: None)  # no runner yet
    job = batch_import_service.start_import(identity, "x.csv", _csv(rows), background=False)
    claimed = batch_import_service._claim_batch(job.id)
    assert [c.form["household"]["members"][0]["name"] for c in claimed] == ["孙七", "周八", "吴九"]
    prefix, first = claimed[0].application_no.rsplit("-", 1)
    assert [c.application_no for c in claimed] == [f"{prefix}-{int(first) + i:06d}" for i in range(3)]
    assert batch_import_service._claim_batch(job.id) == []  # a second runner finds nothing left to take
    batch_import_service._start_one(claimed[0])  # the runner starts one, then its server stops
    with db.transaction() as session:
        session.execute(update(ImportJob).where(ImportJob.id == job.id)
                        .values(heartbeat_at=utcnow() - timedelta(minutes=10)))
    monkeypatch.undo()
    resumed = batch_import_service.resume(identity, job.id, background=False)
    assert resumed.state == "finished" and resumed.done == 3 and resumed.problems == []
    numbers = [c.application_no for c in claimed]
    assert sorted(a["application_no"] for a in resumed.started) == numbers
    assert {no: c.applicant_username for no, c in _cases().items()} == dict(zip(numbers, ["applicant", "applicant2",
                                                                                        "applicant3"], strict=True))
    with db.session() as session:  # each started once
        assert session.scalar(select(func.count()).select_from(ProcessInstance)
                              .where(ProcessInstance.business_key.in_(numbers))) == 3


def test_runners_lock_the_number_counters_in_one_order_whatever_their_sheets_order(import_app, monkeypatch):
    """Two runners whose batches hold both housing types must take the two counters in the same
    order, or each holds one and waits for the other's."""
    identity = authenticate("city", "demo123")
    template = batch_import_rows.template_rows()  # 公租房, then 保租房 (a family of three)
    monkeypatch.setattr(batch_import_service, "_launch", lambda job_id, background: None)
    locked: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):
        if "FROM case_counter" in statement:
            locked.append(params["prefix_1"][:3])

    orders = []
    for rows in (template, [template[0], *template[2:], template[1]]):
        job = batch_import_service.start_import(identity, "x.csv", _csv(rows), background=False)
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            claimed = batch_import_service._claim_batch(job.id)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        assert len(claimed) == 2
        orders.append([c.form["housing_type"] for c in claimed])
        with db.transaction() as session:  # the same people again in the next sheet
            session.execute(update(ImportApplication).where(ImportApplication.job_id == job.id)
                            .values(state="failed"))
    assert orders == [["gongzufang", "baozufang"], ["baozufang", "gongzufang"]]  # each in its sheet's order
    assert locked == ["BZF", "GZF", "BZF", "GZF"]


def test_the_pages_offer_templates_upload_and_show_the_report(import_app, as_user):
    b = as_user("city")
    assert b.get("/batch-import/template.xlsx").data.startswith(b"PK")
    assert "申请人账号" in b.get("/batch-import/template.csv").get_data(as_text=True)
    rows = batch_import_rows.template_rows()
    rows[1][17] = "也许"
    response = b.post("/batch-import", data={"file": (io.BytesIO(_csv(rows[:2])), "one.csv")},
                      content_type="multipart/form-data")
    assert response.status_code == 302
    location = response.headers["Location"]
    page = b.get(location).get_data(as_text=True)
    assert "请填“是”或“否”" in page and "已签署核查授权书" in page
    assert "2,已签署核查授权书" in b.get(location + "/errors.csv").get_data(as_text=True)
    assert b.get(location + "/status").get_json() == {"state": "finished", "done": 0, "total": 0, "started": 0}
    assert "one.csv" in b.get("/batch-import").get_data(as_text=True)
    assert as_user("street_yz").get("/batch-import").status_code == 403
    assert as_user("district_yz").get(location).status_code == 404


def test_the_embedded_default_imports_in_the_background_on_sqlite(sqlite_app):
    settings = sqlite_app.extensions["housing.settings"]
    sqlite_app.extensions["housing.settings"] = settings.with_(forms_dir=str(ROOT / "forms"))
    demo_service.load_demo_users()
    deploy_directory(ROOT / "processes")
    identity = authenticate("city", "demo123")
    job = batch_import_service.start_import(identity, "t.csv", batch_import_rows.template_csv())
    deadline = time.monotonic() + 60
    while job.state == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
        job = batch_import_service.progress(identity, job.id)
    job = batch_import_service.status(identity, job.id)
    assert job.state == "finished" and job.problems == [] and len(job.started) == 2
    assert sorted(c.applicant_username for c in _cases().values()) == ["applicant", "applicant2"]
