"""Request schemas (marshmallow): views parse with these before calling a service."""

from __future__ import annotations

from marshmallow import INCLUDE, RAISE, Schema, fields, validate


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class TokenRequest(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class RefreshRequest(StrictSchema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=4096))


class StartInstanceRequest(StrictSchema):
    process_key = fields.String(required=True, validate=validate.Length(min=1, max=255))
    business_key = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255))
    data = fields.Dict(keys=fields.String(), load_default=dict)


class CompleteTaskRequest(StrictSchema):
    data = fields.Dict(keys=fields.String(), load_default=dict)


class MessageRequest(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    business_key = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255))
    payload = fields.Dict(keys=fields.String(), load_default=dict)


class MigrateRequest(StrictSchema):
    instance_ids = fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=500))
    to_version = fields.Integer(load_default=None, allow_none=True)


class TaskQuery(Schema):
    class Meta:
        unknown = RAISE

    candidate_group = fields.String()
    assignee = fields.String()
    status = fields.String(load_default="ready",
                           validate=validate.OneOf(["ready", "completed", "cancelled", ""]))
    process_key = fields.String()
    business_key = fields.String()
    bpmn_id = fields.String()
    district = fields.String()
    overdue = fields.Boolean(load_default=False)
    mine = fields.Boolean(load_default=False)
    sort = fields.String(load_default="due_at", validate=validate.OneOf(["due_at", "created_at"]))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String()


class IncidentQuery(Schema):
    class Meta:
        unknown = RAISE

    status = fields.String(load_default="open", validate=validate.OneOf(["open", "resolved", ""]))
    instance_id = fields.String()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class ApplicationRequest(Schema):
    """An application form as the portal submits it (``housing_type``, ``district``, ``applicant``,
    ``household`` …). Only its shape is checked here: the fields are the business of the form's
    JSON Schema in forms/, which the service applies, so both ways in accept the same data."""

    class Meta:
        unknown = INCLUDE


class SupplementRequest(Schema):
    """A 补正 answer sent as JSON: ``documents`` (kind and name; the view lets only a written
    explanation, kind ``other``, come without a file), ``members``, ``note``.

    Like :class:`ApplicationRequest`, the fields are the business of forms/supplement.schema.json,
    applied by the service. A file travels only as an upload (multipart/form-data); the service
    refuses an entry that names a stored file (it would attach a file this answer never sent).
    """

    class Meta:
        unknown = INCLUDE


class ApplicationQuery(Schema):
    class Meta:
        unknown = RAISE

    status = fields.String()
    district = fields.String()
    housing_type = fields.String(validate=validate.OneOf(["gongzufang", "baozufang"]))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class ApplicationBrief(Schema):
    """An application in a list, or just submitted: no ID numbers, the name masked."""

    application_no = fields.String()
    housing_type = fields.String()
    housing_type_name = fields.String()
    district = fields.String()
    applicant_name = fields.String()
    status = fields.String()
    step = fields.String()
    eligible = fields.Boolean(allow_none=True)
    priority_score = fields.Float(allow_none=True)
    outcome = fields.Dict()
    submitted_at = fields.String()
    updated_at = fields.String()
    closed_at = fields.String(allow_none=True)


class ApplicationCreated(ApplicationBrief):
    """A new application: its number, status and the case (process instance) it started."""

    case_id = fields.String(attribute="instance_id")
