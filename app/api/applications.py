"""Applications for 公租房 / 保租房: an applicant applies and follows their own cases.

The same use cases as the applicant portal (:mod:`app.services.case_service`): the body is the
portal's application form, checked by the same JSON Schema in forms/; an applicant sees only
their own applications (anyone else's number answers 404), staff the cases in their district.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from app.api.auth import current_identity, requires
from app.api.schemas import ApplicationBrief, ApplicationCreated, ApplicationQuery, ApplicationRequest
from app.services import case_service

bp = Blueprint("applications", __name__)


@bp.post("/applications")
@requires("applicant")
def submit():
    """Submit the caller's own application; the case starts at 受理."""
    form = ApplicationRequest().load(request.get_json(silent=True) or {})
    case = case_service.submit_application(current_identity(), form)
    number = case["application_no"]
    return jsonify(ApplicationCreated().dump(case)), 201, {"Location": f"/api/v1/applications/{number}"}


@bp.get("/applications")
@requires()
def list_applications():
    """The caller's own applications, newest first; staff: the cases in their scope, filtered."""
    query = ApplicationQuery().load(request.args.to_dict())
    items = case_service.list_visible_cases(current_identity(), **query)
    return jsonify(items=ApplicationBrief(many=True).dump(items))


@bp.get("/applications/<application_no>")
@requires()
def get(application_no: str):
    """Status, current step, household, outcome and any open 补正 request of one application."""
    return jsonify(case_service.get_case(current_identity(), application_no))
