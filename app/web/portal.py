"""The applicant portal (一网通办 style): apply, my applications and their progress, 补正, my tasks.

An applicant sees only their own cases: every lookup goes through a service that answers "not
found" for anyone else's, whatever id or number is in the URL.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, send_file, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from app.claims import DuplicateApplication
from app.notices.remedies import remedies_for
from app.services import document_service, forms, portal_service
from app.services.errors import ValidationFailed
from app.services.forms import choices_of
from app.web import schema_form
from app.web.errors import error_page
from app.web.i18n import register_catalogue, t, translate
from app.web.portal_texts import EN as PORTAL_EN
from app.web.session_auth import login_required, require_user

bp = Blueprint("portal", __name__, url_prefix="/portal")
APPLICATION_FORM = "application.schema.json"
APPLICATION_UI = "application.uischema.json"
SUPPLEMENT_FORM = "supplement.schema.json"
UPLOAD_SLOTS = 4
#: the most upload slots a page offers, and so the most the server reads (a 补正 asks for up to 12 items)
MAX_UPLOAD_SLOTS = 20
#: application statuses (docs/case-data.md) as the applicant reads them
CASE_STATUS = portal_service.STAGES
#: housing types as a letter names them
HOUSING_NAMES = {"gongzufang": "公租房", "baozufang": "保障性租赁住房"}
register_catalogue(PORTAL_EN)


@bp.get("")
@login_required("applicant")
def index():
    """My applications and the tasks waiting for me."""
    from app.choice import service as choice_service
    from app.services import tenancy_service

    identity = require_user()
    cases, tasks = portal_service.my_cases(identity), portal_service.my_tasks(identity)
    return render_template("portal/index.html", cases=cases, tasks=tasks,
                           next_steps=portal_service.next_steps(identity, cases, tasks),
                           leases=tenancy_service.my_leases(identity), choice_rounds=choice_service.my_rounds(identity))


@bp.get("/cases/<instance_id>")
@login_required("applicant")
def case(instance_id: str):
    """One of my applications with its progress timeline (404 for anyone else's)."""
    return render_template("portal/case.html", case=portal_service.my_case(require_user(), instance_id))


def _limits(slots: int = UPLOAD_SLOTS) -> dict:
    """What the upload fields tell the applicant: how many, the size of one file and of one submission."""
    total = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return {"slots": slots, "max_mb": document_service.MAX_BYTES // 1024 // 1024,
            "total_mb": total // 1024 // 1024}


def _apply_page(values: dict | None = None, errors: dict | None = None, status: int = 200,
                held: list | None = None):
    schema, ui = forms.load_form(APPLICATION_FORM), forms.load_form(APPLICATION_UI)
    fields = [f for f in schema_form.build(schema, ui, values or {}, errors or {}, growable=True)
              if f.name != "documents"]
    kinds = choices_of(schema["properties"]["documents"]["items"]["properties"]["kind"]) \
        if "documents" in schema.get("properties", {}) else []
    return render_template("portal/apply.html", schema=schema, fields=fields, kinds=kinds, errors=errors or {},
                           held=held or [], kind_names=document_service.kind_names(), **_limits()), status


def _posted_files(slots: int = UPLOAD_SLOTS) -> list:
    """The files posted in the page's ``slots`` upload slots, as (kind, file name, bytes), nothing stored yet."""
    files = []
    for i in range(min(slots, MAX_UPLOAD_SLOTS)):
        upload = request.files.get(f"doc_file_{i}")
        if upload is not None and upload.filename:
            files.append(document_service.Upload(request.form.get(f"doc_kind_{i}", "other"), upload.filename,
                                upload.stream.read(document_service.MAX_BYTES + 1)))
    return files


def _files(identity, slots: int = UPLOAD_SLOTS) -> tuple[list, list, list[str], list]:
    """The files of this post: those held from the last time the form was shown (and still
    ticked) and the new ones; the held ones as listed, their tokens, and the new ones alone."""
    tokens = request.form.getlist("held")
    kept, listed = document_service.held(identity, tokens)
    new = _posted_files(slots)
    return [*kept, *new], listed, tokens, new


def _hold_new(identity, listed: list, new: list) -> list:
    """The held files plus this post's new ones, kept for the form shown again."""
    return [*listed, *document_service.hold(identity, new)]


def _with_document_errors(errors: dict) -> dict:
    """Per-file problems (``documents.<i>.file``) shown with the upload slots, under ``documents``."""
    files = [m for key, messages in errors.items() if key.startswith("documents.") for m in messages]
    return {**errors, "documents": [*errors.get("documents", []), *files]} if files else errors


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_exc):
    """A submission over the request limit: say so in words, not a bare 413."""
    limits = _limits()
    message = t("上传的文件合计超过 {total} MB，未能提交。请压缩或减少文件后重试（每个文件不超过 {each} MB）。",
                total=limits["total_mb"], each=limits["max_mb"])
    return error_page(413, message)


@bp.get("/apply")
@login_required("applicant")
def apply_form():
    """The application form, rendered from forms/application.schema.json."""
    return _apply_page()


@bp.post("/apply")
@login_required("applicant")
def apply():
    """Check the uploads, submit the application and show its progress page.

    The add / remove member buttons (for browsers without the page script) come here too: they
    redraw the form with what was entered and one member more or less, submitting nothing.
    """
    from app.services import case_service

    identity = require_user()
    schema = forms.load_form(APPLICATION_FORM)
    uploads, listed, tokens, new = _files(identity)
    redrawn = schema_form.row_action(schema, request.form)
    if redrawn is not None:
        return _apply_page(redrawn, held=_hold_new(identity, listed, new))
    form = schema_form.parse(schema, request.form)
    form.pop("documents", None)  # documents come only from the uploads
    try:  # the service checks and keeps the files, and removes them if the application is refused
        case = case_service.submit_application(identity, form, uploads=uploads)
    except ValidationFailed as exc:
        _flash_invalid(exc)
        return _apply_page(form, _with_document_errors(exc.errors), 422, _hold_new(identity, listed, new))
    except DuplicateApplication as exc:  # the form comes back as typed, the number in question marked
        flash(t("未能提交：{detail}", detail=translate(exc.detail)), "error")
        return _apply_page(form, exc.errors, 409, _hold_new(identity, listed, new))
    document_service.release(tokens)
    flash(t("申请已提交，申请编号 {no}", no=case["application_no"]), "ok")
    return redirect(url_for("web.portal.application", application_no=case["application_no"]))


def _flash_invalid(exc: ValidationFailed) -> None:
    flash(t("请检查标红的项目：{detail}", detail=translate(exc.detail)), "error")


def supplement_notice(case: dict) -> dict | None:
    """The open 补正 request in words: the missing documents by name, the note, the deadline."""
    notice = case.get("supplement")
    if case.get("status") != "supplement_requested" and not notice:
        return None
    notice = notice if isinstance(notice, dict) else {}
    names = document_service.kind_names()
    return {"missing": [names.get(i, i) for i in requested_kinds(case)], "note": notice.get("note") or "",
            "deadline": notice.get("deadline"), "count": notice.get("count")}


def requested_kinds(case: dict) -> list[str]:
    """The kinds of document the open 补正 request asks for, in its order."""
    notice = case.get("supplement")
    items = (notice.get("items") or notice.get("missing_items")) if isinstance(notice, dict) else None
    return [i for i in items if isinstance(i, str)] if isinstance(items, list) else []


@bp.get("/applications/<application_no>")
@login_required("applicant")
def application(application_no: str):
    """One of my applications by its number: status, household, documents, progress, what is asked of me."""
    from app.services import case_service

    identity = require_user()
    case = case_service.get_case(identity, application_no)
    timeline = portal_service.my_case(identity, case["instance_id"])["timeline"] if case.get("instance_id") else []
    remedies = remedies_for(case.get("district")) if case.get("status") == "rejected" else None
    return render_template("portal/application.html", case=case, timeline=timeline, statuses=CASE_STATUS,
                           remedies=remedies, stage=portal_service.case_stage(case),
                           notice=supplement_notice(case), kind_names=document_service.kind_names(),
                           documents=document_service.case_documents(identity, application_no),
                           tasks=[t for t in portal_service.my_tasks(identity) if t["business_key"] == application_no])


@bp.get("/applications/<application_no>/decision.pdf")
@login_required("applicant")
def decision_letter(application_no: str):
    """The refusal letter of one of my refused applications (404 for any other case)."""
    from app.notices.letter import refusal_letter
    from app.services import case_service

    case = case_service.get_case(require_user(), application_no)
    if case.get("status") != "rejected":
        return error_page(404, t("该申请没有不予通过决定书"))
    pdf = refusal_letter({**case, "housing_type_name": HOUSING_NAMES.get(case.get("housing_type") or "")},
                         remedies_for(case.get("district")))
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename={application_no}-decision.pdf",
                             "Cache-Control": "private, no-store"})


@bp.get("/applications/<application_no>/documents/<file_id>")
@login_required("applicant")
def document(application_no: str, file_id: str):
    """A document of one of my applications (404 for anyone else's)."""
    return send_document(document_service.open_document(require_user(), application_no, file_id))


def send_document(doc: dict):
    """A stored document as a download, never rendered by the browser as a page."""
    response = send_file(doc["path"], mimetype=doc["mimetype"], as_attachment=True, download_name=doc["name"],
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/applications/<application_no>/supplement", methods=["GET", "POST"])
@login_required("applicant")
def supplement(application_no: str):
    """Answer a 补正 request with the files it asks for (every missing item at once); the same case resumes."""
    from app.services import case_service

    identity = require_user()
    case = case_service.get_case(identity, application_no)
    schema = forms.load_form(SUPPLEMENT_FORM)
    # a slot for each item asked for, already set to its kind, so all can be sent at once
    chosen = requested_kinds(case)
    slots = min(max(UPLOAD_SLOTS, len(chosen)), MAX_UPLOAD_SLOTS)
    values, errors, status, held = {}, {}, 200, []
    if request.method == "POST":
        uploads, listed, tokens, new = _files(identity, slots)
        redrawn = schema_form.row_action(schema, request.form)
        if redrawn is not None:
            values = redrawn
        else:
            values = schema_form.parse(schema, request.form)
            values.pop("documents", None)  # documents come only from the uploads
            try:  # the service checks and keeps the files, and removes them if the answer is refused
                case_service.respond_to_supplement(identity, application_no, values, uploads)
            except ValidationFailed as exc:
                errors, status = _with_document_errors(exc.errors), 422
                _flash_invalid(exc)
            except DuplicateApplication as exc:
                errors, status = exc.errors, 409
                flash(t("未能提交：{detail}", detail=translate(exc.detail)), "error")
            else:
                document_service.release(tokens)
                flash(t("补正材料已提交"), "ok")
                return redirect(url_for("web.portal.application", application_no=application_no))
        held = _hold_new(identity, listed, new)
    fields = [f for f in schema_form.build(schema, None, values, errors, growable=True) if f.name != "documents"]
    kinds = choices_of(schema["properties"]["documents"]["items"]["properties"]["kind"])
    return render_template("portal/supplement.html", case=case, fields=fields, errors=errors, kinds=kinds,
                           notice=supplement_notice(case), held=held,
                           chosen=[k for k in chosen if k not in {h["kind"] for h in held}],
                           kind_names=document_service.kind_names(), **_limits(slots)), status


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
            flash(t("退租申请已提交"), "ok")
            return redirect(url_for("web.portal.index"))
    fields = [f for f in schema_form.build(schema, None, values, errors)
              if f.name in ("reason_text",)]
    return render_template("portal/exit.html", lease=lease, fields=fields), status
