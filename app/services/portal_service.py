"""The applicant's own view: my applications, their real stage, the next thing to do, progress.

An applicant sees a case only if they started it (or it names them as its applicant); anything
else answers "not found", whatever id is tried.

One application is several process instances (the application, its lease ``L<no>``, the lease's
exit and yearly reviews); the applicant's list has one row per application, and its stage is
the application's own status and step (``application`` table), which those instances keep
up to date — not the summary of the application instance, which stops at 公示 when it ends.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from app.auth.identity import Identity
from app.db import db
from app.models import Application, HumanTask, Lease, ProcessInstance, User
from app.services import case_file_service, instance_service
from app.services.errors import InstanceNotFound

#: history actions an applicant sees on their timeline
PUBLIC_ACTIONS = ("instance.started", "task.completed", "instance.completed")
#: messages an applicant sees on their timeline (their own 补正; not objections, which are staff's)
PUBLIC_MESSAGES = ("supplement_submitted",)
#: decisions whose opinion is the reason the applicant is given; every other opinion (a 退回 to
#: another reviewer, an approval passed up the line) is a remark between staff and stays internal
PUBLIC_OPINION_DECISIONS = ("reject", "rejected", "not_eligible", "upheld")
#: application statuses (docs/case-data.md) as the applicant reads them
STAGES = {
    "submitted": "已提交", "supplement_requested": "待补正", "verifying": "联合核查中", "in_review": "审核中",
    "in_publication": "公示中", "waiting": "轮候中", "offered": "待选房", "leased": "已入住",
    "rejected": "未通过", "withdrawn": "已撤回", "exited": "已退出",
}
#: statuses after the application process: its last step name (公示) no longer says where the case is
AFTER_APPLICATION = ("waiting", "offered", "leased", "exited", "rejected", "withdrawn")
#: who did a step, as the applicant may read it: the group's role, never a staff member's login
ROLE_LABELS = {
    "street_reviewer": "街道初审", "district_reviewer": "区住房保障复审", "city_reviewer": "市住房保障中心",
    "dept_minzheng": "民政部门", "dept_zhujian": "住建部门", "dept_renshe": "人社部门",
    "investigator": "异议核查", "allocation_officer": "配租办理", "complaint_supervisor": "投诉督办",
    "operator": "系统运维",
}
SYSTEM_ACTORS = ("system", "scheduler")


def stage_of(status: str | None, step: str | None = None, lease_status: str | None = None) -> str:
    """The case's real stage in the applicant's words (轮候中, 待选房, 待签约, 待入住, 已入住 …)."""
    if status == "offered" and step == "签约":
        return "待入住" if lease_status == "signed" else "待签约"
    return STAGES.get(status or "", status or "—")


def _mine(identity: Identity):
    return or_(ProcessInstance.started_by == identity.username,
               ProcessInstance.summary["applicant_username"].as_string() == identity.username)


def my_cases(identity: Identity, limit: int = 50) -> list[dict]:
    """The identity's cases, newest first: one row per application with its real stage, then any
    other process of theirs that belongs to no application (a lease's exit is the application's)."""
    with db.session() as session:
        apps = session.scalars(select(Application).where(Application.applicant_username == identity.username)
                               .order_by(Application.submitted_at.desc(), Application.id.desc()).limit(limit)).all()
        leases = _lease_status(session, [a.id for a in apps])
        instances = session.scalars(
            select(ProcessInstance).where(_mine(identity), ProcessInstance.parent_instance_id.is_(None))
            .order_by(ProcessInstance.started_at.desc()).limit(limit)
        ).all()
    numbers = {a.application_no for a in apps}
    rows: list[dict] = [
        {"id": a.instance_id, "business_key": a.application_no, "application_no": a.application_no,
         "process_key": None, "housing_type": a.housing_type, "status": a.status, "step": a.current_step,
         "stage": stage_of(a.status, a.current_step, leases.get(a.id)), "started_at": a.submitted_at,
         "summary": {}} for a in apps]
    rows += [{"id": r.id, "business_key": r.business_key, "application_no": None, "process_key": r.process_key,
              "housing_type": (r.summary or {}).get("housing_type"), "status": r.status,
              "step": (r.summary or {}).get("step"), "stage": None, "started_at": r.started_at,
              "summary": r.summary or {}}
             for r in instances if _case_number(r) not in numbers]
    return rows[:limit]


def _case_number(instance: ProcessInstance) -> str | None:
    """The application an instance belongs to (its own number, or the one its lease names)."""
    number = (instance.summary or {}).get("application_no")
    if number:
        return str(number)
    key = instance.business_key or ""
    return key[1:].split("-exit")[0] if key.startswith("L") else key


def _lease_status(session, application_ids: list[int]) -> dict[int, str]:
    if not application_ids:
        return {}
    rows = session.execute(select(Lease.application_id, Lease.status).where(Lease.application_id.in_(application_ids))
                           .order_by(Lease.created_at)).all()
    return {r.application_id: r.status for r in rows}


def case_stage(case: dict) -> dict:
    """The stage and the step to show for one application (``case_service.get_case``'s view)."""
    with db.session() as session:
        row = session.execute(select(Application.id, Application.current_step)
                              .where(Application.application_no == case["application_no"])).first()
        lease = _lease_status(session, [row.id]).get(row.id) if row else None
    step = row.current_step if row else None
    live = step if case.get("status") in AFTER_APPLICATION else (case.get("step") or step)
    return {"stage": stage_of(case.get("status"), step, lease), "step": live}


def my_tasks(identity: Identity) -> list[dict]:
    """Ready tasks assigned to the identity (supplements, offers, leases …)."""
    with db.session() as session:
        rows = session.scalars(
            select(HumanTask).where(HumanTask.assignee == identity.username, HumanTask.status == "ready")
            .order_by(HumanTask.created_at)
        ).all()
    return [instance_service.task_brief(t) for t in rows]


def next_steps(identity: Identity, cases: list[dict], tasks: list[dict]) -> list[dict]:
    """What the applicant should do next, first things first: each ready task of theirs, then each
    open 补正 request. Each: ``{kind, task_id?, application_no, name, due_at}``."""
    out = [{"kind": "task", "task_id": t["id"], "application_no": (t.get("summary") or {}).get("application_no")
            or t.get("business_key"), "name": t["name"], "due_at": t.get("due_at")} for t in tasks]
    out += [{"kind": "supplement", "application_no": c["application_no"], "name": "补正材料", "due_at": None}
            for c in cases if c.get("status") == "supplement_requested"]
    return out


def my_case(identity: Identity, instance_id: str) -> dict:
    """One of the identity's cases with its progress timeline; 404 for anyone else's."""
    with db.session() as session:
        row = session.scalar(select(ProcessInstance).where(ProcessInstance.id == instance_id, _mine(identity)))
        if row is None:
            raise InstanceNotFound(f"process instance {instance_id} does not exist")
    details = instance_service.get_instance(instance_id)
    timeline = public_history(identity, case_file_service.case_history(instance_id))
    waiting = [t for t in details["ready_tasks"]]
    return {"instance": details, "timeline": timeline, "current": waiting, "summary": details["summary"] or {}}


def public_history(identity: Identity, history: list[dict]) -> list[dict]:
    """A case's history as the applicant may read it: their steps, who acted as a role (街道初审,
    本人, 系统) rather than a staff login, and no remark meant for other staff."""
    shown = [dict(h) for h in history if h["action"] in PUBLIC_ACTIONS or h.get("message") in PUBLIC_MESSAGES]
    roles = actor_roles({h["actor"] for h in shown if h.get("actor")}, identity)
    for h in shown:
        h["actor"] = roles.get(h.get("actor") or "", "")
        if h.get("decision_value") not in PUBLIC_OPINION_DECISIONS:
            h["opinion"] = None
    return shown


def actor_roles(usernames: set[str], identity: Identity) -> dict[str, str]:
    """Each username as the applicant reads it: 本人, 系统, or the role of the staff member's group."""
    out = {u: ("本人" if u == identity.username else "系统") for u in usernames
           if u == identity.username or u in SYSTEM_ACTORS}
    rest = usernames - set(out)
    if rest:
        with db.session() as session:
            users = {u.username: u for u in session.scalars(select(User).where(User.username.in_(rest)))}
        for name in rest:
            user = users.get(name)
            groups = list(user.groups or []) if user else []
            label = next((ROLE_LABELS[g] for g in groups if g in ROLE_LABELS), None)
            if user is not None and "applicant" in (user.roles or []) and label is None:
                label = "申请人"
            out[name] = label or "工作人员"
    return out
