"""Demo users (and, where the processes exist, sample cases) for the embedded default."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from app.auth.identity import Identity
from app.claims import DuplicateApplication
from app.db import db
from app.models import Application
from app.services import context, user_service
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


#: sample cases: (fixture household in processes/stubs/households, applicant username, display name)
DEMO_CASES = [
    ("eligible_single", "applicant", "张三 (申请人)"),
    ("over_income", "applicant2", "李四 (申请人)"),
    ("eligible_nuclear", "applicant_nuclear", "刘建国 (申请人)"),
    ("undeclared_spouse", "applicant_spouse", "黄丽华 (申请人)"),
    ("new_citizen_permit", "applicant_bzf", "李娜 (保租房申请人)"),
]


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
        try:
            case = case_service.submit_application(Identity(username, name, roles=("applicant",),
                                                            groups=("applicant",)), form)
        except DefinitionNotFound:
            return created
        except DuplicateApplication:  # the household has an open application under another account
            continue
        created.append(case["application_no"])
    return created
