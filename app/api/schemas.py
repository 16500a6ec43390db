"""Request schemas (marshmallow): views parse with these before calling a service, and the
OpenAPI document describes each request with the same class (see :mod:`app.api.openapi`)."""

from __future__ import annotations

from marshmallow import INCLUDE, RAISE, Schema, fields, validate

#: the largest value of an integer key or version in the database
INT32_MAX = 2**31 - 1
VERSION = validate.Range(min=1, max=INT32_MAX)


def _file(description: str, **kw) -> fields.Raw:
    """A file part of a multipart body (documentation only: views read ``request.files``)."""
    return fields.Raw(metadata={"type": "string", "format": "binary", "description": description}, **kw)


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
    to_version = fields.Integer(load_default=None, allow_none=True, validate=VERSION)


class InstanceQuery(StrictSchema):
    full_ids = fields.Boolean(load_default=False,
                              metadata={"description": "show whole ID numbers to roles that may see them (audited)"})


class MigrationPlanQuery(StrictSchema):
    to_version = fields.Integer(load_default=None, validate=VERSION,
                                metadata={"description": "default: the newest version"})


class DiffQuery(StrictSchema):
    """Both versions to compare; without one of them, both are named as required."""

    from_version = fields.Integer(required=True, validate=VERSION, error_messages={"required": "required"})
    to_version = fields.Integer(required=True, validate=VERSION, error_messages={"required": "required"})

    def handle_error(self, error, data, *, many, **kwargs):
        if isinstance(error.messages, dict) and ["required"] in error.messages.values():
            for name in ("from_version", "to_version"):
                error.messages.setdefault(name, ["required"])


class PreviewQuery(StrictSchema):
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=5000),
                           metadata={"description": "how many of the latest decided cases to replay"})


class DefinitionUpload(Schema):
    """BPMN/DMN files as multipart field ``files`` (any other file field is taken too)."""

    files = fields.List(_file("a .bpmn or .dmn file"), required=True)
    comment = fields.String(metadata={"description": "kept with the deployment (deploy only)"})


class DecisionUpload(Schema):
    """The edited decision table as multipart field ``file``."""

    file = _file("the edited .dmn file")


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


def _described(schema_type: str, description: str, **metadata) -> fields.Raw:
    """A field the form's JSON Schema checks, not marshmallow: documented, passed through as sent."""
    return fields.Raw(metadata={"type": schema_type, "description": description, **metadata})


class ApplicationRequest(Schema):
    """An application form as the portal submits it (``housing_type``, ``district``, ``applicant``,
    ``household`` …). Only its shape is checked here: the fields are the business of the form's
    JSON Schema in forms/, which the service applies, so both ways in accept the same data
    (422 lists every field error)."""

    class Meta:
        unknown = INCLUDE

    housing_type = _described("string", "gongzufang or baozufang", enum=["gongzufang", "baozufang"])
    district = _described("string", "the district applied in")
    applicant = _described("object", "name, id_number, phone, address")
    household = _described("object", "type, members [{name, id_number, relation, monthly_income, employer}], "
                                     "youfu, current_housing_area")
    declared = _described("object", "declared facts")
    documents = _described("array", "documents listed with the application")
    authorization = _described("boolean", "consent to the data checks; must be true")


class SupplementRequest(Schema):
    """A 补正 answer sent as JSON: ``documents`` (kind and name; the view lets only a written
    explanation, kind ``other``, come without a file), ``members``, ``note``.

    Like :class:`ApplicationRequest`, the fields are the business of forms/supplement.schema.json,
    applied by the service. A file travels only as an upload (multipart/form-data); the service
    refuses an entry that names a stored file (it would attach a file this answer never sent).
    """

    class Meta:
        unknown = INCLUDE

    documents = _described("array", "[{kind, name}]: only written explanations (kind other) come without a file")
    members = _described("array", "the corrected household, if it was wrong")
    note = _described("string", "a note to the reviewer", maxLength=500)


class SupplementUpload(Schema):
    """A 补正 answer as multipart/form-data: ``documents.<i>.file`` (PDF, JPG or PNG whose content
    matches, at most 10 MB each) with its kind in ``documents.<i>.kind``, i = 0, 1, …; ``note``;
    a corrected household as ``members.<i>.name`` / ``.id_number`` / ``.relation`` /
    ``.monthly_income`` / ``.employer``."""

    document_file = _file("the first file; the next ones are documents.1.file, …", data_key="documents.0.file")
    document_kind = fields.String(data_key="documents.0.kind", metadata={"description": "id_card, income_proof, …"})
    note = fields.String(validate=validate.Length(max=500))

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
    step = fields.String(allow_none=True)
    eligible = fields.Boolean(allow_none=True)
    priority_score = fields.Float(allow_none=True)
    outcome = fields.Dict(allow_none=True)
    submitted_at = fields.String()
    updated_at = fields.String()
    closed_at = fields.String(allow_none=True)


class ApplicationCreated(ApplicationBrief):
    """A new application: its number, status and the case (process instance) it started."""

    case_id = fields.String(attribute="instance_id")
