"""Demo users (and, where the processes exist, sample cases) for the embedded default."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from app.auth.identity import Identity
from app.claims import DuplicateApplication
from app.db import db
from app.models import Application
from app.services import context, document_service, user_service
from app.services.errors import DefinitionNotFound

DEMO_PASSWORD = "demo123"

#: username, display name, roles, groups, district
DEMO_USERS = [
    ("applicant", "张三 (申请人)", ["applicant"], ["applicant"], None),
    ("applicant2", "李四 (申请人)", ["applicant"], ["applicant"], None),
    ("street_yz", "王芳 (渝中区街道审核)", ["reviewer"], ["street_reviewer"], "渝中区"),
    ("street_jb", "赵强 (江北区街道审核)", ["reviewer"], ["street_reviewer"], "江北区"),
    ("district_yz", "陈敏 (渝中区住保复审)", ["district_reviewer"], ["district_reviewer"], "渝中区"),
    ("district_jb", "刘洋 (江北区住保复审)", ["district_reviewer"], ["district_reviewer"], "江北区"),
    # a street and a district reviewer in every district a sample case is in (DEMO_CASES)
    ("street_spb", "马超 (沙坪坝区街道审核)", ["reviewer"], ["street_reviewer"], "沙坪坝区"),
    ("district_spb", "袁芳 (沙坪坝区住保复审)", ["district_reviewer"], ["district_reviewer"], "沙坪坝区"),
    ("street_ddk", "邓凯 (大渡口区街道审核)", ["reviewer"], ["street_reviewer"], "大渡口区"),
    ("district_ddk", "唐敏 (大渡口区住保复审)", ["district_reviewer"], ["district_reviewer"], "大渡口区"),
    ("street_yb", "许亮 (渝北区街道审核)", ["reviewer"], ["street_reviewer"], "渝北区"),
    ("district_yb", "韩梅 (渝北区住保复审)", ["district_reviewer"], ["district_reviewer"], "渝北区"),
    ("minzheng", "孙丽 (民政会签)", ["dept_reviewer"], ["dept_minzheng"], None),
    ("zhujian", "周杰 (住建会签)", ["dept_reviewer"], ["dept_zhujian"], None),
    ("renshe", "吴静 (人社会签)", ["dept_reviewer"], ["dept_renshe"], None),
    ("city", "郑伟 (市住保中心)", ["city_reviewer"], ["city_reviewer", "investigator", "allocation_officer"],
     None),
    ("policy", "冯雪 (政策人员)", ["policy"], ["policy"], None),
    ("integrator", "何涛 (集成人员)", ["integrator"], ["integrator"], None),
    ("ducha", "钱进 (投诉督办)", ["reviewer"], ["complaint_supervisor"], None),
    ("jianguan_yz", "罗军 (渝中区动态监管)", ["reviewer"], ["supervision_officer"], "渝中区"),
    ("jianguan_jb", "唐静 (江北区动态监管)", ["reviewer"], ["supervision_officer"], "江北区"),
    ("operator", "高远 (运维人员)", ["operator"], ["operator"], None),
    ("manager_city", "钱进 (市住房保障统计)", ["manager"], ["manager"], None),
    ("manager_yz", "林静 (渝中区住房保障统计)", ["manager"], ["manager"], "渝中区"),
    ("admin", "系统管理员", ["admin"], ["admin"], None),
]


def load_demo_users(password: str = DEMO_PASSWORD) -> list[str]:
    """Create or refresh the demo users; returns their usernames."""
    for username, name, roles, groups, district in DEMO_USERS:
        user_service.upsert_user(username, name, password, roles, groups, district)
    return [u[0] for u in DEMO_USERS]


def load_demo_public_content() -> tuple[int, int]:
    """Demo policy documents and FAQ entries for the public-service pages (see ``app.public.demo``)."""
    from app.public import demo

    return demo.load()


def load_demo_stock() -> list[str]:
    """Demo housing projects and units for the 房源库 pages (see ``app.stock.demo``)."""
    from app.stock import demo

    return demo.load()


#: sample cases: (fixture household in processes/stubs/households, applicant username, display name)
DEMO_CASES = [
    ("eligible_single", "applicant", "张三 (申请人)"),
    ("over_income", "applicant2", "李四 (申请人)"),
    ("eligible_nuclear", "applicant_nuclear", "刘建国 (申请人)"),
    ("undeclared_spouse", "applicant_spouse", "黄丽华 (申请人)"),
    ("new_citizen_permit", "applicant_bzf", "李娜 (保租房申请人)"),
]


def sample_pdf(kind: str) -> bytes:
    """A small, valid PDF standing in for a scanned document of ``kind``."""
    text = f"Sample document: {kind}".encode("ascii", "replace")
    stream = b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def load_demo_cases(password: str = DEMO_PASSWORD) -> list[str]:
    """Submit one application for each sample household whose applicant has none yet (nor has the
    household an open application under another account).

    The households are the sandbox's fixture households, so with the sandbox running the 14
    checks find their records. Needs the processes deployed; returns the new application
    numbers (none when the processes are not deployed).
    """
    from app.services import case_service

    folder = Path(context.settings().processes_dir) / "stubs" / "households"
    created: list[str] = []
    for key, username, name in DEMO_CASES:
        path = folder / f"{key}.json"
        if not path.is_file():
            continue
        user_service.upsert_user(username, name, password, ["applicant"], ["applicant"], None)
        with db.session() as session:
            if session.scalar(select(Application.id).where(Application.applicant_username == username)):
                continue
        form = json.loads(path.read_text(encoding="utf-8"))["form"]
        uploads = [document_service.Upload(d["kind"], d["name"], sample_pdf(d["kind"]))
                   for d in form.pop("documents", None) or [] if isinstance(d, dict)]
        try:  # the listed documents are uploaded as files, so reviewers can open every one
            case = case_service.submit_application(Identity(username, name, roles=("applicant",),
                                                            groups=("applicant",)), form, uploads=uploads)
        except DefinitionNotFound:
            return created
        except DuplicateApplication:  # the household has an open application under another account
            continue
        created.append(case["application_no"])
    return created
