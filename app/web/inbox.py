"""The reviewer inbox (审核工作台): tabs, filters, claim / release, batch approval."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.services import batch_approval_service, inbox_service, task_service
from app.services.errors import DomainError
from app.web.i18n import step_name, t, translate
from app.web.nav import REVIEWERS
from app.web.session_auth import login_required, require_user

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
FILTER_KEYS = ("housing_type", "step", "district", "application_no", "overdue")


def _query() -> inbox_service.InboxQuery:
    args = request.args
    return inbox_service.InboxQuery(
        tab=args.get("tab", "mine"), housing_type=args.get("housing_type") or None,
        step=args.get("step") or None, district=args.get("district") or None,
        overdue=args.get("overdue") == "1", application_no=args.get("application_no") or None,
        cursor=args.get("cursor") or None, limit=args.get("limit", inbox_service.PAGE_SIZE, type=int),
    )


def _back() -> str:
    """The inbox URL the user came from (tab and filters kept)."""
    keep = {k: v for k, v in request.form.items() if k.startswith("keep_")}
    return url_for("web.inbox.index", **{k[5:]: v for k, v in keep.items() if v})


@bp.get("")
@login_required(*REVIEWERS)
def index():
    """One page of the chosen tab, filtered, ordered by deadline."""
    identity = require_user()
    q = _query()
    page = inbox_service.inbox(identity, q)
    if "tab" not in request.args and inbox_service.lands_on_pool(page):
        q.tab = "groups"  # nothing claimed yet, but the pool has work: open it instead of an empty tab
        page = inbox_service.inbox(identity, q)
    filters = {k: request.args.get(k, "") for k in FILTER_KEYS}
    return render_template("inbox.html", page=page, q=q, filters=filters, tabs=inbox_service.TABS,
                           choices=inbox_service.filter_choices(), city_level=not identity.district)


@bp.post("/<task_id>/claim")
@login_required(*REVIEWERS)
def claim(task_id: str):
    """Take a task from the group pool."""
    task = task_service.claim(require_user(), task_id)
    flash(t("已认领：{name}", name=step_name(task["name"])), "ok")
    return redirect(request.form.get("next_url") or _back())


@bp.post("/<task_id>/unclaim")
@login_required(*REVIEWERS)
def unclaim(task_id: str):
    """Put a claimed task back in the group's pool (no decision: the case is not sent back)."""
    task = task_service.unclaim(require_user(), task_id)
    flash(t("已放回任务池：{name}，同组人员可认领", name=step_name(task["name"])), "ok")
    return redirect(request.form.get("next_url") or _back())


@bp.post("/batch-approve")
@login_required(*REVIEWERS)
def batch_approve():
    """Approve every selected task with one opinion (each gets its own audit event)."""
    try:
        outcomes = batch_approval_service.batch_approve(
            require_user(), request.form.getlist("task_id"), request.form.get("opinion", ""))
    except DomainError as exc:
        flash(translate(exc.detail), "error")
        return redirect(_back())
    done = [o for o in outcomes if o.ok]
    flash(t("批量通过 {n} 件", n=len(done)), "ok")
    for o in outcomes:
        if not o.ok:
            flash(t("未通过 {key}：{message}", key=o.business_key or o.task_id[:8], message=translate(o.message)),
                  "error")
    return redirect(_back())
