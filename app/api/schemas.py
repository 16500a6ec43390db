"""Request schemas (marshmallow): views parse with these before calling a service."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class TokenRequest(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


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
