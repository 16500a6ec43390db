"""The task page: case data, history, diagram, the task's form and its actions."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from lxml import etree

from app.engine.parser import BPMN_NS
from app.services import case_file_service, document_service, task_service
from app.services.errors import NotFound, ValidationFailed
from app.web import schema_form
from app.web.case_panels import VERDICTS, panels_for, suggested_values
from app.web.i18n import current_lang, step_name, t
from app.web.nav import REVIEWERS, home_endpoint
from app.web.portal import send_document
from app.web.session_auth import login_required, require_user

bp = Blueprint("task_page", __name__, url_prefix="/tasks")


def _render(case: case_file_service.CaseFile, values: dict | None = None, errors: dict | None = None,
            status: int = 200):
    identity = require_user()
    panels = panels_for(identity, case)
    if panels.get("application"):
        panels["documents"] = _documents(identity, case)
        panels["kind_names"] = document_service.kind_names()
    initial = values if values is not None else suggested_values(case, panels)
    fields = schema_form.build(case.form, case.ui, initial, errors) if case.form else []
    decisions = schema_form.decision_choices(case.form) if case.form else []
    fields = [f for f in fields if not (decisions and f.name == schema_form.DECISION_FIELD)]
    return render_template("task.html", case=case, task=case.task, fields=fields, decisions=decisions,
                           errors=errors or {}, panels=panels,
                           staff=identity.is_staff, verdicts=VERDICTS), status


@bp.get("/<task_id>")
@login_required()
def show(task_id: str):
    """The task with its case (ID numbers masked); a complaint's work order and 在线选房 have their own pages."""
    task = task_service.get_task(require_user(), task_id)
    if task.bpmn_id == "choose_unit":  # 在线选房 has its own live page (the take is atomic there)
        return redirect(url_for("web_choice.round_page", round_no=task.business_key))
    case = case_file_service.open_task(require_user(), task_id)
    if case.task["process_key"] == "complaint":
        return redirect(url_for("web_complaints.work_order", task_id=task_id))
    return _render(case)


def _documents(identity, case: case_file_service.CaseFile) -> list[dict]:
    try:
        return document_service.case_documents(identity, case.task["business_key"])
    except NotFound:
        return []


@bp.post("/<task_id>/full-ids")
@login_required()
def full_ids(task_id: str):
    """The same page with whole ID numbers; each such view is an audit event.

    Who may is decided in one place, ``Identity.can_view_full_id`` (the same test shows the
    button); anyone else gets 403 from :func:`case_file_service.record_full_view`.
    """
    return _render(case_file_service.open_task(require_user(), task_id, full_ids=True))


@bp.get("/<task_id>/documents/<file_id>")
@login_required()
def document(task_id: str, file_id: str):
    """A document of the task's case, for those who may see the case (404 otherwise); audited."""
    identity = require_user()
    case = case_file_service.open_task(identity, task_id)
    return send_document(document_service.open_document(identity, case.task["business_key"] or "", file_id))


@bp.post("/<task_id>/complete")
@login_required()
def complete(task_id: str):
    """Submit the task's form; a failed validation shows the form again with its errors."""
    identity = require_user()
    case = case_file_service.open_task(identity, task_id)
    data = schema_form.parse(case.form, request.form) if case.form else {}
    if case.form and request.form.get(schema_form.DECISION_FIELD):
        data[schema_form.DECISION_FIELD] = request.form[schema_form.DECISION_FIELD]
    try:
        task_service.complete(identity, task_id, data)
    except ValidationFailed as exc:
        flash(t("请检查标红的项目"), "error")
        return _render(case, values=data, errors=exc.errors, status=422)
    flash(t("已办理：{name}", name=step_name(case.task["name"])), "ok")
    return redirect(url_for(home_endpoint(identity)))


@bp.get("/<task_id>/evidence/<source>")
@login_required(*REVIEWERS)
def evidence(task_id: str, source: str):
    """The raw answers one data source gave for each member of the task's case (masked)."""
    from app.services import case_service

    identity = require_user()
    case = case_file_service.open_task(identity, task_id)
    answers = case_service.verification_evidence(identity, case.task["business_key"] or "", source)
    from connectors.base.registry import CONNECTORS

    name = CONNECTORS[source].title if source in CONNECTORS else source
    return render_template("evidence.html", task=case.task, source=source, source_name=name, answers=answers)


@bp.get("/<task_id>/diagram")
@login_required()
def diagram(task_id: str):
    """The diagram XML and the current / completed element ids of the task's case.

    In English the names drawn on the diagram (steps, events, lanes, flow labels) are translated.
    """
    case = case_file_service.open_task(require_user(), task_id)
    shown = case_file_service.diagram(require_user(), case.instance["id"])
    if current_lang() == "en":
        shown["xml"] = _names_translated(shown["xml"])
    return jsonify(shown)


def _names_translated(xml: str) -> str:
    root = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    for element in root.iter(f"{{{BPMN_NS}}}*"):
        if element.get("name"):
            element.set("name", step_name(element.get("name")))
    return etree.tostring(root, encoding="unicode")
