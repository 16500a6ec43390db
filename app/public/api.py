"""The progress query as JSON, unauthenticated: ``POST /api/v1/public/progress``.

Same service, same limits, same single refusal as the page (404 ``progress_not_matched`` for a
wrong suffix and an unknown number alike).
"""

from __future__ import annotations

from flask import Blueprint, request
from marshmallow import Schema, fields, validate

from app.api.input_guard import refuse_unstorable_input
from app.api.openapi import operation
from app.api.schemas import StrictSchema
from app.public import progress_service, ratelimit

bp = Blueprint("public_api", __name__, url_prefix="/api/v1/public")
bp.before_request(refuse_unstorable_input)


class ProgressQuery(StrictSchema):
    application_no = fields.String(required=True, validate=[
        validate.Length(min=7, max=32), validate.Regexp(r"^[A-Za-z]{2,8}[0-9]{4}-[0-9]{1,10}$")],
        metadata={"description": "The application number, e.g. GZF2026-000123"})
    id_suffix = fields.String(required=True, validate=[
        validate.Length(equal=6), validate.Regexp(r"^[0-9]{5}[0-9Xx]$")],
        metadata={"description": "The last 6 characters of the applicant's ID number"})


class ProgressAnswer(Schema):
    application_no = fields.String(required=True)
    housing_type = fields.String(required=True, metadata={"description": "gongzufang | baozufang"})
    applicant = fields.String(required=True, metadata={"description": "The masked name, e.g. 张*丰"})
    status = fields.String(required=True)
    step = fields.String(required=True, metadata={"description": "The current step, e.g. 初审"})
    submitted_on = fields.String(required=True)
    updated_on = fields.String(required=True)
    closed_on = fields.String(allow_none=True)
    supplement_deadline = fields.String(allow_none=True)


@bp.post("/progress")
@operation("Query an application's progress (masked)", tag="public", body=ProgressQuery,
           responses={200: ProgressAnswer}, errors=(404, 429), auth=False,
           description="No login. A wrong ID suffix and an unknown number both give 404 progress_not_matched; "
                       "20 queries per address in 10 minutes and 10 per application number an hour, then 429. "
                       "Every query is audited.")
def progress():
    """The masked stage and dates of one case."""
    body = ProgressQuery().load(request.get_json(silent=True) or {})
    return progress_service.query(body["application_no"], body["id_suffix"], ratelimit.caller()).as_dict()
