"""Complaint pages: the public and portal forms, the desk entry for calls and visits, the
complainant's follow-up page (rating, more information) and the handler's work order.

Views parse the form and call :mod:`app.complaints.service`; the public form is protected like
the objection form: the session's CSRF token (checked for every page) and a per-address limit.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from app.complaints import limits, service
from app.services import forms
from app.services.errors import ValidationFailed
from app.web import errors, schema_form
from app.web.i18n import step_name, t
from app.web.nav import REVIEWERS, home_endpoint
from app.web.session_auth import login_required, require_user

#: the name starts with "web" so the pages get the site's menu and user (see app.web._template_globals)
bp = Blueprint("web_complaints", __name__, url_prefix="/complaints", template_folder="templates")
errors.register(bp)
UI = "complaint.uischema.json"
#: who enters hotline calls and window visits
DESK_ROLES = ("operator", *REVIEWERS)
CHANNEL_NAMES = {"portal": "网上门户", "public": "公开页面", "hotline": "热线电话", "window": "窗口来访"}


def _form_page(template: str, values: dict, errs: dict, status: int = 200, **extra):
    schema = forms.load_form(service.FORM)
    fields = schema_form.build(schema, forms.load_form(UI), values, errs)
    return render_template(template, schema=schema, fields=fields, channels=CHANNEL_NAMES, **extra), status


def _file(via: str, actor: str, username: str | None, template: str, **extra):
    schema = forms.load_form(service.FORM)
    values = schema_form.parse(schema, request.form)
    try:
        filed = service.file_complaint(values, via, actor, username)
    except ValidationFailed as exc:
        flash(t("请检查标红的项目"), "error")
        return _form_page(template, values, exc.errors, 422, **extra)
    return filed


@bp.route("/new", methods=["GET", "POST"])
def public_form():
    """The public complaint form (name and phone required; limited per address)."""
    if request.method == "POST":
        if not limits.complaint_allowed():
            abort(429)
        filed = _file("public", "public", None, "complaints/file.html")
        if isinstance(filed, tuple):
            return filed
        flash(t("投诉已受理，编号 {no}。请保存本页链接，用于查看答复和评价。", no=filed["complaint_no"]), "ok")
        return redirect(url_for(".follow_up", token=filed["token"]))
    return _form_page("complaints/file.html", {}, {})


@bp.route("/portal/new", methods=["GET", "POST"])
@login_required("applicant")
def portal_form():
    """The logged-in applicant's complaint form."""
    identity = require_user()
    if request.method == "POST":
        filed = _file("portal", identity.username, identity.username, "complaints/file.html", portal=True)
        if isinstance(filed, tuple):
            return filed
        flash(t("投诉已受理，编号 {no}", no=filed["complaint_no"]), "ok")
        return redirect(url_for(".mine", complaint_no=filed["complaint_no"]))
    return _form_page("complaints/file.html", {}, {}, portal=True)


@bp.route("/desk", methods=["GET", "POST"])
@login_required(*DESK_ROLES)
def desk_form():
    """Staff enter a complaint taken by hotline or at a window (the channel is recorded)."""
    identity = require_user()
    channel = request.form.get("channel") or request.args.get("channel") or "hotline"
    if channel not in service.DESK_CHANNELS:
        channel = "hotline"
    if request.method == "POST":
        filed = _file(channel, identity.username, None, "complaints/file.html", desk=True, channel=channel)
        if isinstance(filed, tuple):
            return filed
        link = url_for(".follow_up", token=filed["token"], _external=True)
        flash(t("已登记{channel}投诉，编号 {no}。请将查询和评价链接交给投诉人：{link}",
                channel=t(CHANNEL_NAMES[channel]), no=filed["complaint_no"], link=link), "ok")
        return redirect(url_for(".desk_form", channel=channel))
    return _form_page("complaints/file.html", {}, {}, desk=True, channel=channel)


@bp.get("/t/<token>")
def follow_up(token: str):
    """The public complainant's page: the replies, and the rating or information asked for."""
    return render_template("complaints/status.html", complaint=service.view_by_token(token),
                           rate_url=url_for(".rate_by_token", token=token),
                           info_url=url_for(".info_by_token", token=token), channels=CHANNEL_NAMES)


@bp.post("/t/<token>/rating")
def rate_by_token(token: str):
    """Rate the reply 1–5 through the follow-up link."""
    service.rate_by_token(token, request.form.get("rating"), request.form.get("comment", ""))
    flash(t("感谢您的评价"), "ok")
    return redirect(url_for(".follow_up", token=token))


@bp.post("/t/<token>/info")
def info_by_token(token: str):
    """Send the information the handler asked for."""
    service.add_info_by_token(token, request.form.get("text", ""))
    flash(t("补充情况已提交"), "ok")
    return redirect(url_for(".follow_up", token=token))


@bp.get("/mine")
@login_required("applicant")
def my_list():
    """The applicant's complaints."""
    return render_template("complaints/mine.html", complaints=service.list_mine(require_user()))


@bp.get("/mine/<complaint_no>")
@login_required("applicant")
def mine(complaint_no: str):
    """One of the applicant's complaints."""
    return render_template("complaints/status.html", complaint=service.view_mine(require_user(), complaint_no),
                           rate_url=url_for(".rate_mine", complaint_no=complaint_no),
                           info_url=url_for(".info_mine", complaint_no=complaint_no), channels=CHANNEL_NAMES)


@bp.post("/mine/<complaint_no>/rating")
@login_required("applicant")
def rate_mine(complaint_no: str):
    """Rate the reply to one's own complaint."""
    service.rate_mine(require_user(), complaint_no, request.form.get("rating"), request.form.get("comment", ""))
    flash(t("感谢您的评价"), "ok")
    return redirect(url_for(".mine", complaint_no=complaint_no))


@bp.post("/mine/<complaint_no>/info")
@login_required("applicant")
def info_mine(complaint_no: str):
    """Answer a request for more information on one's own complaint."""
    service.add_info_mine(require_user(), complaint_no, request.form.get("text", ""))
    flash(t("补充情况已提交"), "ok")
    return redirect(url_for(".mine", complaint_no=complaint_no))


def _order_page(task_id: str, values: dict | None = None, errs: dict | None = None, status: int = 200):
    order = service.work_order(require_user(), task_id)
    task = order["task"]
    schema = forms.load_form(task["form_key"]) if task["form_key"] else None
    ui = forms.load_form(task["ui_form_key"]) if task["ui_form_key"] else None
    fields = schema_form.build(schema, ui, values or {}, errs) if schema else []
    return render_template("complaints/work_order.html", order=order, task=task, fields=fields,
                           channels=CHANNEL_NAMES), status


@bp.get("/tasks/<task_id>")
@login_required()
def work_order(task_id: str):
    """The handler's work order: the complaint and its category, not the complainant."""
    return _order_page(task_id)


@bp.post("/tasks/<task_id>")
@login_required()
def handle(task_id: str):
    """Reply, transfer, ask for more, or record the supervision note."""
    identity = require_user()
    order = service.work_order(identity, task_id)
    schema = forms.load_form(order["task"]["form_key"])
    data = schema_form.parse(schema, request.form)
    try:
        service.handle(identity, task_id, data)
    except ValidationFailed as exc:
        flash(t("请检查标红的项目"), "error")
        return _order_page(task_id, data, exc.errors, 422)
    flash(t("已办理：{name}", name=step_name(order["task"]["name"])), "ok")
    return redirect(url_for(home_endpoint(identity)))

