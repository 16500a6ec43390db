"""Response schemas (marshmallow): every API answer is dumped through one of these, and the
OpenAPI document is generated from the same classes, so the two cannot drift apart.

Dumping keeps only the declared fields: a field a service starts returning appears in the API
once it is declared here. Free-form parts (process data, form answers, evidence) are
``fields.Dict``; nullable fields say ``allow_none=True`` so the document says ``null`` is possible.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from app.api.schemas import ApplicationBrief, ApplicationCreated

__all__ = ["ApplicationBrief", "ApplicationCreated"]

Str = fields.String
Int = fields.Integer
Obj = fields.Dict


def _maybe(field: type[fields.Field], **kw) -> fields.Field:
    return field(allow_none=True, **kw)


def _list(inner: fields.Field | type[Schema], **kw) -> fields.List:
    item = fields.Nested(inner) if isinstance(inner, type) and issubclass(inner, Schema) else inner
    return fields.List(item, **kw)


class Problem(Schema):
    """An RFC 7807 problem (``application/problem+json``), the body of every error."""

    type = Str(required=True)
    title = Str(required=True)
    status = Int(required=True)
    detail = Str(required=True)
    instance = Str()
    error_code = Str(required=True)
    correlation_id = Str(required=True)
    errors = fields.Raw(metadata={"description": "field → messages (422), or a list of file problems (deploy)"})
    process_id = _maybe(Str)
    task_id = _maybe(Str)
    task_name = _maybe(Str)
    line_number = _maybe(Int)
    allowed = fields.List(Str(), metadata={"description": "405: the methods the path allows (also in Allow)"})
    process_key = Str(metadata={"description": "403 start_not_permitted: the process refused"})
    required_roles = fields.List(Str(), metadata={"description": "403 start_not_permitted: roles that may start it"})
    existing_application = Str(metadata={"description": "409 duplicate_application: the open application, masked"})
    housing_type = Str(metadata={"description": "409 duplicate_application: the housing type"})
    id_number = Str(metadata={"description": "409 duplicate_application: the ID number, masked"})
    size = Int(metadata={"description": "422 instance_data_too_large: bytes the step would have stored"})
    limit = Int(metadata={"description": "422 instance_data_too_large: HOUSING_MAX_INSTANCE_DATA_BYTES"})


class Token(Schema):
    access_token = Str(required=True)
    token_type = Str(required=True)
    expires_in = Int(required=True)
    refresh_token = Str(required=True)
    refresh_expires_in = Int(required=True)
    user = fields.Nested(lambda: Me())


class SignedOut(Schema):
    """Every token and page session of the caller has ended."""

    signed_out = fields.Boolean(required=True)


class Me(Schema):
    username = Str(required=True)
    display_name = _maybe(Str)
    roles = fields.List(Str())
    groups = fields.List(Str())
    district = _maybe(Str)


class Operator(Schema):
    name = Str()
    kind = Str()
    description = _maybe(Str)
    parameters = Obj(metadata={"description": "JSON Schema of the parameters"})
    result = _maybe(Obj)
    retry = Obj()
    timeout = _maybe(fields.Float)
    inline = fields.Boolean(metadata={"description": "an internal handler a background step (a job's resume, "
                                                     "a timer) that reaches its task runs in its own transaction "
                                                     "(PostgreSQL), not as a queued job"})
    query = fields.Boolean(metadata={"description": "a connector operation that only reads from its system (a data "
                                                    "source's check): a background step that reaches its task calls "
                                                    "it at once and writes the call as a job (PostgreSQL)"})


class Operators(Schema):
    items = _list(Operator)


class SpecDocument(Schema):
    """The OpenAPI document itself."""

    openapi = Str()
    info = Obj()
    servers = fields.List(Obj())
    security = fields.List(Obj())
    paths = Obj()
    components = Obj()
    tags = fields.List(Obj())


class FileProblem(Schema):
    file = Str()
    element_id = _maybe(Str)
    message = Str()
    line = _maybe(Int)
    severity = Str(metadata={"enum": ["error", "warning"]})


class Definition(Schema):
    id = Int()
    key = Str()
    version = Int()
    kind = Str(metadata={"enum": ["process", "decision"]})
    name = _maybe(Str)
    content_hash = Str()
    executable = _maybe(fields.Boolean)
    dependencies = _maybe(Obj)
    start_events = _maybe(fields.Raw)
    deployed_at = Str(metadata={"format": "date-time"})
    deployed_by = _maybe(Str)
    comment = _maybe(Str)
    versions = Int(metadata={"description": "in the list of definitions: how many versions there are"})
    created = fields.Boolean(metadata={"description": "on deploy: a new version (false: unchanged)"})
    file_name = Str()
    xml = Str()


class Definitions(Schema):
    items = _list(Definition)


class Deployed(Schema):
    items = _list(Definition)
    warnings = _list(FileProblem)


class Validation(Schema):
    valid = fields.Boolean()
    problems = _list(FileProblem)


class MigrationCandidate(Schema):
    instance_id = Str()
    business_key = _maybe(Str)
    from_version = _maybe(Int)
    waiting_at = fields.List(Str(), metadata={"description": "bpmn ids the instance waits at"})
    can_migrate = fields.Boolean()
    missing_elements = fields.List(Str())
    missing_waiting = fields.List(Str(), metadata={"description": "waiting elements the version lacks"})
    missing_completed = fields.List(Str(), metadata={"description": "completed steps the version lacks"})
    reason = _maybe(Str, metadata={"description": "why it cannot move, in Chinese"})


class MigrationPlan(Schema):
    process_key = Str()
    to_version = Int()
    instances = _list(MigrationCandidate)


class MigrationResult(Schema):
    instance_id = Str()
    migrated = fields.Boolean()
    reason = _maybe(Str)


class MigrationReport(Schema):
    process_key = Str()
    to_version = Int()
    results = _list(MigrationResult)


class DecisionPreview(Schema):
    decision_id = Str()
    cases = Int(metadata={"description": "decided cases replayed"})
    changed = fields.List(Obj(), metadata={"description": "cases whose decisions change: the changed decisions "
                                                          "(before / after, matched rows), eligibility before / after"})
    eligibility_changed = Int()
    intermediate_changed = Int()
    failed = fields.List(Obj())
    warnings = fields.List(Obj())


class CatalogEntry(Schema):
    key = Str()
    name = _maybe(Str)
    version = Int()


class Catalog(Schema):
    operators = _list(Operator)
    forms = fields.List(Obj())
    processes = _list(CatalogEntry)
    decisions = _list(CatalogEntry)
    groups = fields.List(Str())


class VersionDiff(Schema):
    key = Str()
    kind = Str()
    from_version = Int()
    to_version = Int()
    from_file = _maybe(Str)
    to_file = _maybe(Str)
    added = fields.List(Obj())
    removed = fields.List(Obj())
    changed = fields.List(Obj())
    moved = fields.List(Str())


class ScenarioRun(Schema):
    key = Str()
    processes = fields.List(Str())
    scenarios = fields.List(Obj())
    passed = Int()
    failed = Int()
    warnings = fields.List(Obj())


class Task(Schema):
    id = Str()
    instance_id = Str()
    process_key = Str()
    business_key = _maybe(Str)
    bpmn_id = Str()
    name = _maybe(Str)
    lane = _maybe(Str)
    form_key = _maybe(Str)
    ui_form_key = _maybe(Str)
    instructions = _maybe(Str)
    candidate_groups = _maybe(fields.List, cls_or_instance=Str())
    assignee = _maybe(Str)
    district = _maybe(Str)
    status = Str(metadata={"enum": ["ready", "completed", "cancelled"]})
    due_at = _maybe(Str, metadata={"format": "date-time"})
    created_at = Str(metadata={"format": "date-time"})
    summary = _maybe(Obj)
    completed_at = _maybe(Str, metadata={"format": "date-time"})
    completed_by = _maybe(Str)


class TaskPage(Schema):
    items = _list(Task)
    next_cursor = _maybe(Str)


class Incident(Schema):
    id = Int()
    instance_id = Str()
    process_key = _maybe(Str)
    task_id = _maybe(Str)
    bpmn_id = _maybe(Str)
    task_name = _maybe(Str)
    job_id = _maybe(Str)
    kind = Str(metadata={"enum": ["script_error", "job_failed", "stuck"]})
    error_code = _maybe(Str)
    message = _maybe(Str)
    line_number = _maybe(Int)
    status = Str(metadata={"enum": ["open", "resolved"]})
    created_at = Str(metadata={"format": "date-time"})
    resolved_at = _maybe(Str, metadata={"format": "date-time"})


class Incidents(Schema):
    items = _list(Incident)


class ServiceCall(Schema):
    id = Str()
    task_id = _maybe(Str)
    bpmn_id = _maybe(Str)
    task_name = _maybe(Str)
    operator = Str()
    state = Str()
    attempts = Int()
    max_attempts = Int()
    error_code = _maybe(Str)
    last_error = _maybe(Str)


class WaitingEvent(Schema):
    task_id = Str()
    bpmn_id = Str()
    name = _maybe(Str)
    type = Str()
    event_name = _maybe(Str)
    due_at = _maybe(Str, metadata={"format": "date-time"})


class Instance(Schema):
    id = Str()
    process_key = Str()
    version = _maybe(Int)
    definition_id = Int()
    bundle = _maybe(fields.List, cls_or_instance=fields.Raw(),
                    metadata={"description": "the definition versions this instance runs"})
    business_key = _maybe(Str)
    status = Str(metadata={"enum": ["running", "completed", "error", "cancelled"]})
    started_at = Str(metadata={"format": "date-time"})
    started_by = _maybe(Str)
    completed_at = _maybe(Str, metadata={"format": "date-time"})
    parent_instance_id = _maybe(Str)
    summary = _maybe(Obj)
    data = Obj(metadata={"description": "ID and phone numbers masked unless full_ids=true"})
    ready_tasks = _list(Task)
    waiting_events = _list(WaitingEvent)
    service_calls = _list(ServiceCall)
    incidents = _list(Incident)


class HistoryItem(Schema):
    task_id = Str()
    bpmn_id = Str()
    name = Str()
    type = Str()
    process = Str()
    completed_at = Str(metadata={"format": "date-time"})
    actor = Str()


class History(Schema):
    items = _list(HistoryItem)


class TimersFired(Schema):
    fired = Int()


class MessageDelivered(Schema):
    correlated = fields.List(Str(), metadata={"description": "instances that received the message"})
    started = fields.List(Str(), metadata={"description": "instances the message started"})


class Applications(Schema):
    items = _list(ApplicationBrief)


class Application(ApplicationBrief):
    """One application in full: household, declarations, the open 补正 request."""

    instance_id = _maybe(Str)
    applicant = Obj(metadata={"description": "name, id_number (masked), phone (masked), username"})
    household = Obj(metadata={"description": "type, size, members"})
    declared = _maybe(Obj)
    supplement = _maybe(Obj, metadata={"description": "the open 补正 request: count, items, note, deadline"})
    suggested_opinion = _maybe(Str, metadata={"description": "staff only"})


class SigningCodeSent(Schema):
    """A one-time signing code went to the tenant's registered phone."""

    lease_no = Str(required=True)
    phone_masked = Str(required=True, metadata={"description": "the phone it went to, masked (139****1001)"})
    expires_in = Int(required=True, metadata={"description": "seconds the code stays valid"})
