"""The applicant portal (一网通办 style): apply, my applications and their progress, 补正, my tasks.

An applicant sees only their own cases: every lookup goes through a service that answers "not
found" for anyone else's, whatever id or number is in the URL.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from app.services import document_service, forms, portal_service
from app.services.errors import ValidationFailed
from app.web import schema_form
from app.web.i18n import t
from app.web.session_auth import login_required, require_user

bp = Blueprint("portal", __name__, url_prefix="/portal")
APPLICATION_FORM = "application.schema.json"
APPLICATION_UI = "application.uischema.json"
SUPPLEMENT_FORM = "supplement.schema.json"
UPLOAD_SLOTS = 4
#: application statuses (docs/case-data.md) as the applicant reads them
CASE_STATUS = {
    "submitted": "已提交", "supplement_requested": "待补正", "verifying": "联合核查中", "in_review": "审核中",
    "in_publication": "公示中", "waiting": "轮候中", "offered": "已配租", "leased": "已签约",
    "rejected": "未通过", "withdrawn": "已撤回", "exited": "已退出",
}


@bp.get("")
@login_required("applicant")
def index():
    """My applications and the tasks waiting for me."""
    from app.services import tenancy_service

    identity = require_user()
    return render_template("portal/index.html", cases=portal_service.my_cases(identity),
                           tasks=portal_service.my_tasks(identity), leases=tenancy_service.my_leases(identity))


@bp.get("/cases/<instance_id>")
@login_required("applicant")
def case(instance_id: str):
    """One of my applications with its progress timeline (404 for anyone else's)."""
    return render_template("portal/case.html", case=portal_service.my_case(require_user(), instance_id))


def _apply_page(values: dict | None = None, errors: dict | None = None, status: int = 200):
    schema, ui = forms.load_form(APPLICATION_FORM), forms.load_form(APPLICATION_UI)
    fields = [f for f in schema_form.build(schema, ui, values or {}, errors or {}) if f.name != "documents"]
    kinds = schema_form.choices_of(schema["properties"]["documents"]["items"]["properties"]["kind"]) \
        if "documents" in schema.get("properties", {}) else []
    return render_template("portal/apply.html", schema=schema, fields=fields, kinds=kinds, slots=UPLOAD_SLOTS,
                           errors=errors or {}, max_mb=document_service.MAX_BYTES // 1024 // 1024), status


@bp.get("/apply")
@login_required("applicant")
def apply_form():
    """The application form, rendered from forms/application.schema.json."""
    return _apply_page()


@bp.post("/apply")
@login_required("applicant")
def apply():
    """Check the uploads, submit the application and show its progress page."""
    from app.services import case_service

    schema = forms.load_form(APPLICATION_FORM)
    form = schema_form.parse(schema, request.form)
    try:
        documents = []
        for i in range(UPLOAD_SLOTS):
            upload = request.files.get(f"doc_file_{i}")
            if upload is not None and upload.filename:
                content = upload.stream.read(document_service.MAX_BYTES + 1)
                documents.append(document_service.store(request.form.get(f"doc_kind_{i}", "other"),
                                                        upload.filename, content))
        if documents:
            form["documents"] = documents
        case = case_service.submit_application(require_user(), form)
    except ValidationFailed as exc:
        flash(t("请检查标红的项目") + "：" + exc.detail, "error")
        return _apply_page(form, exc.errors, 422)
    flash(t("申请已提交，申请编号 {no}", no=case["application_no"]), "ok")
    return redirect(url_for("web.portal.application", application_no=case["application_no"]))


@bp.get("/applications/<application_no>")
@login_required("applicant")
def application(application_no: str):
    """One of my applications by its number: status, household, progress, what is asked of me."""
    from app.services import case_service

    identity = require_user()
    case = case_service.get_case(identity, application_no)
    timeline = portal_service.my_case(identity, case["instance_id"])["timeline"] if case.get("instance_id") else []
    return render_template("portal/application.html", case=case, timeline=timeline, statuses=CASE_STATUS,
                           tasks=[t for t in portal_service.my_tasks(identity) if t["business_key"] == application_no])


@bp.route("/applications/<application_no>/supplement", methods=["GET", "POST"])
@login_required("applicant")
def supplement(application_no: str):
    """Answer a 补正 request: every missing item at once; the same case resumes."""
    from app.services import case_service

    identity = require_user()
    case = case_service.get_case(identity, application_no)
    schema = forms.load_form(SUPPLEMENT_FORM)
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        values = schema_form.parse(schema, request.form)
        try:
            case_service.respond_to_supplement(identity, application_no, values)
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        else:
            flash(t("补正材料已提交"), "ok")
            return redirect(url_for("web.portal.application", application_no=application_no))
    return render_template("portal/supplement.html", case=case, fields=schema_form.build(schema, None, values, errors),
                           errors=errors), status


@bp.get("/leases/<lease_no>/contract.pdf")
@login_required("applicant")
def contract(lease_no: str):
    """The signed contract of one of my leases."""
    from app.services import tenancy_service

    pdf = tenancy_service.contract_pdf(require_user(), lease_no)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename={lease_no}.pdf"})


@bp.route("/leases/<lease_no>/exit", methods=["GET", "POST"])
@login_required("applicant")
def exit_lease(lease_no: str):
    """Apply to leave one of my leases (a voluntary exit)."""
    from app.services import tenancy_service

    identity = require_user()
    lease = tenancy_service.get_lease(identity, lease_no)
    schema = forms.load_form(tenancy_service.EXIT_FORM)
    fixed = {"lease_no": lease_no, "kind": "voluntary", "ground": "voluntary"}
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        values = schema_form.parse(schema, request.form) | fixed
        try:
            tenancy_service.apply_exit(identity, values)
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        else:
            flash(t("退出申请已提交"), "ok")
            return redirect(url_for("web.portal.index"))
    fields = [f for f in schema_form.build(schema, None, values, errors)
              if f.name in ("reason_text",)]
    return render_template("portal/exit.html", lease=lease, fields=fields), status
