"""Applications for 公租房 / 保租房: an applicant applies and follows their own cases.

The same use cases as the applicant portal (:mod:`app.services.case_service`): the body is the
portal's application form, checked by the same JSON Schema in forms/; an applicant sees only
their own applications (anyone else's number answers 404), staff the cases in their district.
An applicant answers a 补正 request with files (multipart/form-data, checked like the portal's
uploads) or, for a written explanation (kind ``other``) that needs no file, with JSON: a proof
listed without its file would count as provided.
"""

from __future__ import annotations

import re

from flask import Blueprint, request

from app.api import responses as r
from app.api.auth import current_identity, requires
from app.api.openapi import operation
from app.api.schemas import (
    ApplicationCreated,
    ApplicationQuery,
    ApplicationRequest,
    SupplementRequest,
    SupplementUpload,
)
from app.services import case_service, document_service, forms
from app.services.errors import ValidationFailed
from app.web import schema_form

bp = Blueprint("applications", __name__)
#: the multipart field of the i-th file of a 补正 answer (its kind in ``documents.<i>.kind``);
#: the index is a short plain number, more than any answer has files
FILE_FIELD = re.compile(r"^documents\.([0-9]{1,4})\.file$")
#: the form's objection to the kind of a document entry, by its place in the answer's documents
STORED_KIND = re.compile(r"^documents\.([0-9]{1,4})\.kind$")


@bp.post("/applications")
@requires("applicant")
@operation("Apply (applicants): the portal's application form; the case starts at 受理", tag="applications",
           body=ApplicationRequest, responses={201: ApplicationCreated}, errors=(404, 409))
def submit():
    """Submit the caller's own application; the case starts at 受理."""
    form = ApplicationRequest().load(request.get_json(silent=True) or {})
    case = case_service.submit_application(current_identity(), form)
    number = case["application_no"]
    return case, 201, {"Location": f"/api/v1/applications/{number}"}


@bp.get("/applications")
@requires()
@operation("The caller's own applications; staff: the cases in their district (filters apply)",
           tag="applications", query=ApplicationQuery, responses={200: r.Applications})
def list_applications():
    """The caller's own applications, newest first; staff: the cases in their scope, filtered."""
    query = ApplicationQuery().load(request.args.to_dict())
    items = case_service.list_visible_cases(current_identity(), **query)
    return {"items": items}


@bp.get("/applications/<application_no>")
@requires()
@operation("Status and progress of one application (404 for anyone else's)", tag="applications",
           responses={200: r.Application})
def get(application_no: str):
    """Status, current step, household, outcome and any open 补正 request of one application."""
    return case_service.get_case(current_identity(), application_no)


@bp.post("/applications/<application_no>/supplement")
@requires("applicant")
@operation("Answer the open 补正 request of one's own application (applicants); the case goes back to 受理",
           tag="applications", body=SupplementRequest, multipart=SupplementUpload, responses={200: r.Application},
           errors=(409,), description="404 for anyone else's application, 409 when no 补正 is asked for, 422 with "
                                      "the field errors; a refused answer keeps none of its files")
def supplement(application_no: str):
    """Answer the open 补正 request of one's own application; the case goes back to 受理."""
    if request.mimetype == "multipart/form-data":
        form, uploads = _multipart_supplement()
    else:
        form, uploads = _json_supplement(), []
    try:
        case = case_service.respond_to_supplement(current_identity(), application_no, form, uploads)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.detail, _as_sent(exc.errors, uploads), **exc.extra) from None
    return case


def _as_sent(errors: dict, uploads: list[document_service.Upload]) -> dict:
    """The form's objections to the kind of the i-th file's entry (``documents.<i>.kind``, where
    ``i`` is its place among the files) named after the field the client sent it in."""
    def sent(key: str) -> str:
        match = STORED_KIND.match(key)
        field = uploads[int(match[1])].field if match and int(match[1]) < len(uploads) else None
        return field.removesuffix(".file") + ".kind" if field else key

    named: dict[str, list] = {}
    for key, messages in errors.items():
        named.setdefault(sent(key), []).extend(messages)
    return named


def _json_supplement() -> dict:
    """A 补正 answer sent as JSON, whose documents can only be written explanations: any other
    kind needs its file, which only multipart/form-data carries."""
    form = SupplementRequest().load(request.get_json(silent=True) or {})
    documents = form.get("documents")
    fileless = {f"documents.{i}.file": ["此类材料须附文件，请以 multipart/form-data 上传 documents.<序号>.file；"
                                        "不附文件的只能是书面说明（other）"]
                for i, d in enumerate(documents if isinstance(documents, list) else [])
                if isinstance(d, dict) and isinstance(d.get("kind"), str) and d["kind"] != "other"
                and "file_id" not in d}  # one naming a stored file is refused by the service
    if fileless:
        raise ValidationFailed("补交的材料须附文件，只有书面说明（other）可以不附文件", fileless)
    return form


def _multipart_supplement() -> tuple[dict, list[document_service.Upload]]:
    """The form fields as the portal names them, and the files ``documents.<i>.file`` in index order,
    each with the name it was sent under, which its problems name."""
    form = schema_form.parse(forms.load_form(case_service.SUPPLEMENT_FORM), request.form)
    form.pop("documents", None)  # documents come only from the files
    unknown = {key: ["未知的文件字段，文件请用 documents.<序号>.file"] for key in request.files
               if not FILE_FIELD.match(key)}
    if unknown:
        raise ValidationFailed("有无法识别的文件字段", unknown)
    uploads = []
    for i in sorted(int(FILE_FIELD.match(key)[1]) for key in request.files):
        field = f"documents.{i}.file"
        upload = request.files[field]
        uploads.append(document_service.Upload(request.form.get(f"documents.{i}.kind", ""), upload.filename or "",
                                           upload.stream.read(document_service.MAX_BYTES + 1), field))
    return form, uploads
