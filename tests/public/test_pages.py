"""The public-service pages as a visitor and as policy staff see them (Flask test client)."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.db import db
from app.models import AuditEvent
from app.public import demo, ratelimit
from app.public.models import PolicyDocument
from tests.public.conftest import ID_NUMBER, PHONE, deploy_income_line, make_case
from tests.web.conftest import Browserless


def logged_in(app, username: str | None = None) -> Browserless:
    b = Browserless(app, username)
    if username:
        b.refresh_token()
    return b


def income_row(html: str, size: int) -> str:
    match = re.search(rf'data-testid="income-line-{size}">(.*?)</tr>', html, re.S)
    assert match, f"no income line for {size} people on the page"
    return re.sub(r"<[^>]+>", " ", match.group(1))


def test_the_guide_shows_the_deployed_income_line_and_follows_a_new_version(deployed):
    visitor = logged_in(deployed)
    html = visitor.get("/service/guide").get_data(as_text=True)
    assert "公租房申请服务指南" in html and "申请条件" in html and "所需材料" in html and "办理步骤和时限" in html
    assert "3人" in income_row(html, 3) and "4148" in income_row(html, 3)
    assert "身份证" in html and "受理审查" in html and "5 个工作日" in html and "3–5 个工作日" in html
    deploy_income_line(4321)
    html = visitor.get("/service/guide").get_data(as_text=True)
    assert "4321" in income_row(html, 3) and "4148" not in html


def test_the_baozufang_guide_says_there_is_no_income_line(deployed):
    html = logged_in(deployed).get("/service/guide?type=baozufang").get_data(as_text=True)
    assert "保租房不设收入线" in html and "社会保险最低缴费月数" in html
    assert logged_in(deployed).get("/service/guide?type=villa").status_code == 404


def test_the_library_lists_searches_and_shows_published_documents(public_app):
    demo.load()
    visitor = logged_in(public_app)
    html = visitor.get("/service/policies").get_data(as_text=True)
    assert "公共租赁住房管理办法" in html and "住房和城乡建设部令第11号" in html and "国办发〔2021〕22号" in html
    html = visitor.get("/service/policies?q=新市民").get_data(as_text=True)
    assert "保障性租赁住房" in html and "公共租赁住房管理办法" not in html
    assert "没有找到符合条件的政策文件" in visitor.get("/service/policies?q=不存在的词").get_data(as_text=True)
    with db.session() as session:
        doc_id = session.scalar(select(PolicyDocument.id).where(PolicyDocument.title == "公共租赁住房管理办法"))
    html = visitor.get(f"/service/policies/{doc_id}").get_data(as_text=True)
    assert "第一条 为了加强对公共租赁住房的管理" in html and "发布机关" in html
    assert visitor.get("/service/policies/99999").status_code == 404


def test_the_faq_and_the_landing_page(public_app):
    demo.load()
    visitor = logged_in(public_app)
    assert "公租房和保租房有什么区别？" in visitor.get("/service/faq").get_data(as_text=True)
    landing = visitor.get("/service").get_data(as_text=True)
    for text in ("政策文件库", "服务指南", "常见问题", "办理进度查询"):
        assert text in landing
    assert 'href="/service"' in visitor.get("/publicity").get_data(as_text=True)  # linked from 公示


def test_a_progress_query_shows_the_masked_stage_only_for_the_right_suffix(public_app):
    number = make_case()
    visitor = logged_in(public_app)
    wrong = visitor.post("/service/progress", data={"application_no": number, "id_suffix": "999999"})
    unknown = visitor.post("/service/progress", data={"application_no": "GZF2026-654321", "id_suffix": "071234"})
    for response in (wrong, unknown):
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "未查询到办理信息" in html
        assert "张*丰" not in html and "初审" not in html
    right = visitor.post("/service/progress", data={"application_no": number, "id_suffix": ID_NUMBER[-6:]})
    html = right.get_data(as_text=True)
    assert "张*丰" in html and "初审" in html and "审核中" in html and "2026-11-02" in html
    for secret in ("张三丰", ID_NUMBER, ID_NUMBER[-6:], PHONE, "内部意见", "解放碑"):
        assert secret not in html
    bad = visitor.post("/service/progress", data={"application_no": "x", "id_suffix": ""})
    assert bad.status_code == 422 and "申请编号格式应如" in bad.get_data(as_text=True)


def test_progress_queries_are_rate_limited(public_app):
    visitor = logged_in(public_app)
    for _ in range(ratelimit.BY_ADDRESS.amount):
        visitor.post("/service/progress", data={"application_no": "GZF2026-000001", "id_suffix": "123456"})
    limited = visitor.post("/service/progress", data={"application_no": "GZF2026-000002", "id_suffix": "123456"})
    assert limited.status_code == 429 and "查询过于频繁" in limited.get_data(as_text=True)


def test_policy_staff_create_and_publish_a_document_in_the_admin_pages(public_app):
    staff = logged_in(public_app, "policy")
    assert "政策文件" in staff.get("/admin").get_data(as_text=True)  # the admin menu links the editor
    form = {"title": "重庆市公租房管理实施细则", "issuer": "重庆市住房和城乡建设委员会", "issued_on": "2024-06-01",
            "housing_type": "gongzufang", "city": "重庆市", "summary": "细化申请、配租和退出。", "body": "第一条 ……"}
    bad = staff.post("/admin/public/policies/new", data=form | {"title": ""})
    assert bad.status_code == 422 and "必填" in bad.get_data(as_text=True)
    assert staff.post("/admin/public/policies/new", data=form).status_code == 302
    with db.session() as session:
        doc_id = session.scalar(select(PolicyDocument.id))
    assert "重庆市公租房管理实施细则" not in logged_in(public_app).get("/service/policies").get_data(as_text=True)
    assert staff.post(f"/admin/public/policies/{doc_id}/publish").status_code == 302
    assert "重庆市公租房管理实施细则" in logged_in(public_app).get("/service/policies").get_data(as_text=True)
    refused = staff.post(f"/admin/public/policies/{doc_id}/delete")
    assert refused.status_code == 409 and "请先撤回再删除" in refused.get_data(as_text=True)
    with db.session() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "policy_document")).all()
    assert actions == ["policy.created", "policy.published"]


def test_only_policy_staff_reach_the_editor(public_app):
    assert logged_in(public_app, "street_yz").get("/admin/public/policies").status_code == 403
    anonymous = logged_in(public_app).get("/admin/public/faq")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_the_pages_have_english(deployed):
    visitor = logged_in(deployed)
    visitor.get("/lang/en")
    html = visitor.get("/service/guide").get_data(as_text=True)
    assert "Service guide: applying for Public rental housing" in html and "Monthly income line per person" in html
    assert "Acceptance check" in html
    html = visitor.post("/service/progress", data={"application_no": "GZF2026-000001", "id_suffix": "123456"})
    assert "No matching application" in html.get_data(as_text=True)


def test_policy_staff_edit_the_faq(public_app):
    staff = logged_in(public_app, "policy")
    assert "问题" in staff.get("/admin/public/faq/new").get_data(as_text=True)
    form = {"question": "申请后多久能知道结果？", "answer": "以服务指南列出的时限为准。", "housing_type": "general",
            "position": "1"}
    assert staff.post("/admin/public/faq/new", data=form).status_code == 302
    listing = staff.get("/admin/public/faq").get_data(as_text=True)
    entry_id = re.search(r'data-testid="admin-faq-(\d+)"', listing).group(1)
    assert staff.post(f"/admin/public/faq/{entry_id}/publish").status_code == 302
    assert "申请后多久能知道结果？" in logged_in(public_app).get("/service/faq").get_data(as_text=True)
