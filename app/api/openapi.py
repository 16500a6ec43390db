"""The OpenAPI 3.1 document for ``/api/v1`` (a test keeps it in step with the routes)."""

from __future__ import annotations

from functools import lru_cache


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


PROBLEM = {"description": "Problem", "content": {"application/problem+json": {"schema": _ref("Problem")}}}
ERRORS = {"401": PROBLEM, "403": PROBLEM, "404": PROBLEM, "422": PROBLEM}


def _op(summary: str, responses: dict, *, body: dict | None = None, params: list | None = None,
        tag: str, auth: bool = True, multipart: bool = False) -> dict:
    op: dict = {"summary": summary, "tags": [tag], "responses": {**responses, **ERRORS}}
    if body is not None:
        ctype = "multipart/form-data" if multipart else "application/json"
        op["requestBody"] = {"required": True, "content": {ctype: {"schema": body}}}
    if params:
        op["parameters"] = params
    if not auth:
        op["security"] = []
    return op


def _path_param(name: str, schema_type: str = "string") -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": schema_type}}


def _query(name: str, schema: dict, description: str = "") -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


SCHEMAS = {
    "Problem": {
        "type": "object",
        "required": ["type", "title", "status", "detail", "error_code", "correlation_id"],
        "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
            "detail": {"type": "string"}, "instance": {"type": "string"}, "error_code": {"type": "string"},
            "correlation_id": {"type": "string"},
            "errors": {"description": "field → messages (422), or a list of file problems (deploy)"},
            "process_id": {"type": "string"}, "task_id": {"type": "string"}, "task_name": {"type": "string"},
            "line_number": {"type": "integer"},
        },
    },
    "FileProblem": {
        "type": "object",
        "properties": {"file": {"type": "string"}, "element_id": {"type": ["string", "null"]},
                       "message": {"type": "string"}, "line": {"type": ["integer", "null"]},
                       "severity": {"type": "string", "enum": ["error", "warning"]}},
    },
    "Definition": {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "key": {"type": "string"}, "version": {"type": "integer"},
                       "kind": {"type": "string", "enum": ["process", "decision"]}, "name": {"type": "string"},
                       "content_hash": {"type": "string"}, "deployed_at": {"type": "string", "format": "date-time"},
                       "deployed_by": {"type": "string"}, "comment": {"type": "string"},
                       "dependencies": {"type": "object"}, "start_events": {"type": "object"},
                       "versions": {"type": "integer"}, "xml": {"type": "string"}},
    },
    "Task": {
        "type": "object",
        "properties": {
            "id": {"type": "string"}, "instance_id": {"type": "string"}, "process_key": {"type": "string"},
            "business_key": {"type": ["string", "null"]}, "bpmn_id": {"type": "string"}, "name": {"type": "string"},
            "lane": {"type": ["string", "null"]}, "form_key": {"type": ["string", "null"]},
            "candidate_groups": {"type": "array", "items": {"type": "string"}},
            "assignee": {"type": ["string", "null"]}, "district": {"type": ["string", "null"]},
            "status": {"type": "string", "enum": ["ready", "completed", "cancelled"]},
            "due_at": {"type": ["string", "null"], "format": "date-time"}, "instructions": {"type": "string"},
            "summary": {"type": "object"},
        },
    },
    "Incident": {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "instance_id": {"type": ["string", "null"]},
                       "task_id": {"type": "string"},
                       "bpmn_id": {"type": "string"}, "task_name": {"type": "string"},
                       "kind": {"type": "string", "enum": ["script_error", "job_failed", "audit_break"]},
                       "error_code": {"type": ["string", "null"]}, "message": {"type": "string"},
                       "line_number": {"type": "integer"}, "status": {"type": "string"}},
    },
    "Instance": {
        "type": "object",
        "properties": {
            "id": {"type": "string"}, "process_key": {"type": "string"}, "version": {"type": "integer"},
            "business_key": {"type": ["string", "null"]},
            "status": {"type": "string", "enum": ["running", "completed", "error", "cancelled"]},
            "data": {"type": "object", "description": "ID and phone numbers masked unless full_ids=true"},
            "ready_tasks": {"type": "array", "items": _ref("Task")},
            "waiting_events": {"type": "array", "items": {"type": "object", "properties": {
                "bpmn_id": {"type": "string"}, "name": {"type": "string"},
                "type": {"type": "string"}, "event_name": {"type": "string"},
                "due_at": {"type": ["string", "null"], "format": "date-time"}}}},
            "service_calls": {"type": "array", "items": {"type": "object"}},
            "incidents": {"type": "array", "items": _ref("Incident")},
        },
    },
    "HistoryItem": {
        "type": "object",
        "properties": {"bpmn_id": {"type": "string"}, "name": {"type": "string"}, "type": {"type": "string"},
                       "completed_at": {"type": "string", "format": "date-time"}, "actor": {"type": "string"},
                       "process": {"type": "string"}, "task_id": {"type": "string"}},
    },
    "ApplicationForm": {
        "type": "object",
        "description": "The portal's application form; its fields and rules are forms/application.schema.json, "
                       "checked on the server with that schema (422 lists every field error).",
        "required": ["housing_type", "district", "applicant", "household", "authorization"],
        "properties": {
            "housing_type": {"type": "string", "enum": ["gongzufang", "baozufang"]},
            "district": {"type": "string"},
            "applicant": {"type": "object", "description": "name, id_number, phone, address"},
            "household": {"type": "object", "description": "type, members [{name, id_number, relation, "
                                                           "monthly_income, employer}], youfu, "
                                                           "current_housing_area"},
            "declared": {"type": "object"},
            "documents": {"type": "array", "items": {"type": "object"}},
            "authorization": {"type": "boolean", "const": True},
        },
    },
    "SupplementForm": {
        "type": "object", "required": ["documents"],
        "description": "forms/supplement.schema.json: send every missing item at once; a file only by multipart",
        "properties": {
            "documents": {"type": "array", "minItems": 1, "items": {
                "type": "object", "required": ["kind", "name"], "not": {"required": ["file_id"]},
                "properties": {"kind": {"type": "string", "description": "id_card, income_proof, …"},
                               "name": {"type": "string", "maxLength": 100}}}},
            "members": {"type": "array", "description": "the corrected household, if it was wrong",
                        "items": {"type": "object"}},
            "note": {"type": "string", "maxLength": 500},
        },
    },
    "SupplementUpload": {
        "type": "object",
        "description": "documents.<i>.file (PDF, JPG or PNG whose content matches, at most 10 MB each) with "
                       "its kind in documents.<i>.kind, i = 0, 1, …; note; a corrected household as "
                       "members.<i>.name / .id_number / .relation / .monthly_income / .employer",
        "properties": {"documents.0.file": {"type": "string", "format": "binary"},
                       "documents.0.kind": {"type": "string"}, "note": {"type": "string"}},
        "additionalProperties": {"type": "string"},
    },
    "ApplicationBrief": {
        "type": "object",
        "properties": {
            "application_no": {"type": "string"}, "case_id": {"type": "string", "description": "the case's "
                                                                "process instance (in the 201 answer)"},
            "housing_type": {"type": "string", "enum": ["gongzufang", "baozufang"]},
            "housing_type_name": {"type": "string"}, "district": {"type": "string"},
            "applicant_name": {"type": "string", "description": "masked"}, "status": {"type": "string"},
            "step": {"type": "string"}, "eligible": {"type": ["boolean", "null"]},
            "priority_score": {"type": ["number", "null"]}, "outcome": {"type": "object"},
            "submitted_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "closed_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
    "Application": {
        "allOf": [_ref("ApplicationBrief"), {"type": "object", "properties": {
            "instance_id": {"type": ["string", "null"]},
            "applicant": {"type": "object", "description": "ID and phone numbers masked"},
            "household": {"type": "object"}, "declared": {"type": "object"},
            "supplement": {"type": "object", "description": "the open 补正 request: count, items, note, deadline"},
            "suggested_opinion": {"type": "string", "description": "staff only"}}}],
    },
    "Operator": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "kind": {"type": "string"}, "description": {"type": "string"},
                       "parameters": {"type": "object", "description": "JSON Schema"},
                       "result": {"type": "object"}, "retry": {"type": "object"}, "timeout": {"type": "number"}},
    },
}


def _items(schema: dict) -> dict:
    return {"type": "object", "properties": {"items": {"type": "array", "items": schema}}}


def _paths() -> dict:
    inst = [_path_param("instance_id")]
    task = [_path_param("task_id")]
    return {
        "/auth/token": {"post": _op("Exchange username/password for a bearer token", {
            "200": _json({"type": "object", "properties": {"access_token": {"type": "string"},
                                                           "expires_in": {"type": "integer"}}})},
            body={"type": "object", "required": ["username", "password"],
                  "properties": {"username": {"type": "string"}, "password": {"type": "string"}}},
            tag="auth", auth=False) | {"description": "10 failed attempts a minute per address, then 429"}},
        "/me": {"get": _op("The caller's identity", {"200": _json({"type": "object"})}, tag="auth")},
        "/operators": {"get": _op("Registered operators with parameter schemas",
                                  {"200": _json(_items(_ref("Operator")))}, tag="operators")},
        "/openapi.json": {"get": _op("This document", {"200": _json({"type": "object"})}, tag="meta", auth=False)},
        "/process-definitions": {
            "post": _op("Deploy .bpmn/.dmn files (multipart field 'files')", {
                "201": _json({"type": "object", "properties": {
                    "items": {"type": "array", "items": _ref("Definition")},
                    "warnings": {"type": "array", "items": _ref("FileProblem")}}}, "Deployed")},
                body={"type": "object", "properties": {
                    "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    "comment": {"type": "string"}}}, multipart=True, tag="definitions"),
            "get": _op("Definitions with their newest version", {"200": _json(_items(_ref("Definition")))},
                       tag="definitions"),
        },
        "/process-definitions/validate": {"post": _op("Validate files without deploying", {
            "200": _json({"type": "object", "properties": {"valid": {"type": "boolean"}, "problems": {
                "type": "array", "items": _ref("FileProblem")}}})},
            body={"type": "object", "properties": {"files": {"type": "array", "items": {
                "type": "string", "format": "binary"}}}}, multipart=True, tag="definitions")},
        "/process-definitions/{key}/versions": {"get": _op(
            "Every version of a definition", {"200": _json(_items(_ref("Definition")))},
            params=[_path_param("key")], tag="definitions")},
        "/process-definitions/{key}/versions/{version}": {"get": _op(
            "One version with its XML", {"200": _json(_ref("Definition"))},
            params=[_path_param("key"), _path_param("version", "integer")], tag="definitions")},
        "/process-definitions/{key}/migration-plan": {"get": _op(
            "Running instances that could move to a version, and the elements that stop the others",
            {"200": _json({"type": "object", "properties": {
                "process_key": {"type": "string"}, "to_version": {"type": "integer"},
                "instances": {"type": "array", "items": {"type": "object", "properties": {
                    "instance_id": {"type": "string"}, "business_key": {"type": ["string", "null"]},
                    "from_version": {"type": "integer"},
                    "waiting_at": {"type": "array", "items": {"type": "string"},
                                   "description": "bpmn ids the instance waits at"},
                    "can_migrate": {"type": "boolean"},
                    "missing_waiting": {"type": "array", "items": {"type": "string"},
                                        "description": "waiting elements the version lacks"},
                    "missing_completed": {"type": "array", "items": {"type": "string"},
                                          "description": "completed steps the version lacks"},
                    "missing_elements": {"type": "array", "items": {"type": "string"}},
                    "reason": {"type": ["string", "null"], "description": "why it cannot move, in Chinese"},
                }}}}})},
            params=[_path_param("key"), _query("to_version", {"type": "integer"})], tag="definitions")},
        "/process-definitions/{key}/migrations": {"post": _op(
            "Move waiting instances to a version", {"200": _json({"type": "object", "properties": {
                "process_key": {"type": "string"}, "to_version": {"type": "integer"},
                "results": {"type": "array", "items": {"type": "object", "properties": {
                    "instance_id": {"type": "string"}, "migrated": {"type": "boolean"},
                    "reason": {"type": "string"}}}}}})},
            body={"type": "object", "required": ["instance_ids"], "properties": {
                "instance_ids": {"type": "array", "items": {"type": "string"}},
                "to_version": {"type": ["integer", "null"]}}},
            params=[_path_param("key")], tag="definitions")},
        "/decisions/{decision_id}/preview": {"post": _op(
            "Replay the latest decided cases through an edited table; list the cases that would change",
            {"200": _json({"type": "object", "properties": {
                "decision_id": {"type": "string"},
                "cases": {"type": "integer", "description": "decided cases replayed"},
                "changed": {"type": "array", "items": {"type": "object"},
                            "description": "cases whose decisions change: the changed decisions (before / after, "
                                           "matched rows) and eligibility before / after"},
                "eligibility_changed": {"type": "integer", "description": "cases whose eligibility flips"},
                "intermediate_changed": {"type": "integer",
                                         "description": "cases where only an intermediate value changes"},
                "failed": {"type": "array", "items": {"type": "object"}},
                "warnings": {"type": "array", "items": {"type": "object"}}}})},
            body={"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}},
            multipart=True, params=[_path_param("decision_id"), _query("limit", {"type": "integer"})],
            tag="definitions")},
        "/modeler/catalog": {"get": _op(
            "Choices for the modeler's properties panel: operators, forms, process keys, decisions, groups",
            {"200": _json({"type": "object", "properties": {
                "operators": {"type": "array", "items": _ref("Operator")},
                "forms": {"type": "array", "items": {"type": "object"}},
                "processes": {"type": "array", "items": {"type": "object"}},
                "decisions": {"type": "array", "items": {"type": "object"}},
                "groups": {"type": "array", "items": {"type": "string"}}}})}, tag="modeler")},
        "/process-definitions/{key}/diff": {"get": _op(
            "Elements added, removed, changed and moved between two versions", {"200": _json({
                "type": "object",
                "properties": {n: {"type": "array"} for n in ("added", "removed", "changed", "moved")}})},
            params=[_path_param("key"), _query("from_version", {"type": "integer"}),
                    _query("to_version", {"type": "integer"})], tag="modeler")},
        "/process-definitions/{key}/scenarios": {"post": _op(
            "Run the scenario files of a process (or of the processes using a decision) on edited files",
            {"200": _json({"type": "object", "properties": {
                "scenarios": {"type": "array", "items": {"type": "object"}},
                "passed": {"type": "integer"}, "failed": {"type": "integer"}}})},
            body={"type": "object", "properties": {"files": {"type": "array", "items": {
                "type": "string", "format": "binary"}}}}, multipart=True,
            params=[_path_param("key")], tag="modeler")},
        "/process-instances": {"post": _op("Start an instance", {"201": _json(_ref("Instance"), "Started")},
            body={"type": "object", "required": ["process_key"], "properties": {
                "process_key": {"type": "string"}, "business_key": {"type": ["string", "null"]},
                "data": {"type": "object"}}}, tag="instances")},
        "/process-instances/{instance_id}": {"get": _op(
            "Status, version, data, ready tasks, waiting events, incidents", {"200": _json(_ref("Instance"))},
            params=inst + [_query("full_ids", {"type": "boolean"}, "show whole ID numbers (audited)")],
            tag="instances")},
        "/process-instances/{instance_id}/history": {"get": _op(
            "Completed flow nodes in order", {"200": _json(_items(_ref("HistoryItem")))}, params=inst,
            tag="instances")},
        "/process-instances/{instance_id}/timers/fire": {"post": _op(
            "Fire the instance's waiting timers now", {"200": _json({"type": "object"})}, params=inst,
            tag="instances")},
        "/applications": {
            "post": _op("Apply (applicants): the portal's application form; the case starts at 受理", {
                "201": _json(_ref("ApplicationBrief"), "Submitted; Location names the application")},
                body=_ref("ApplicationForm"), tag="applications"),
            "get": _op("The caller's own applications; staff: the cases in their district (filters apply)",
                       {"200": _json(_items(_ref("ApplicationBrief")))},
                       params=[_query("status", {"type": "string"}), _query("district", {"type": "string"}),
                               _query("housing_type", {"type": "string", "enum": ["gongzufang", "baozufang"]}),
                               _query("limit", {"type": "integer", "maximum": 200})], tag="applications"),
        },
        "/applications/{application_no}": {"get": _op(
            "Status and progress of one application (404 for anyone else's)", {"200": _json(_ref("Application"))},
            params=[_path_param("application_no")], tag="applications")},
        "/applications/{application_no}/supplement": {"post": _op(
            "Answer the open 补正 request of one's own application (applicants); the case goes back to 受理. "
            "404 for anyone else's application, 409 when no 补正 is asked for, 422 with the field errors; "
            "a refused answer keeps none of its files",
            {"200": _json(_ref("Application")), "409": PROBLEM, "413": PROBLEM},
            params=[_path_param("application_no")], tag="applications") | {"requestBody": {
                "required": True, "content": {"multipart/form-data": {"schema": _ref("SupplementUpload")},
                                              "application/json": {"schema": _ref("SupplementForm")}}}}},
        "/tasks": {"get": _op("Tasks visible to the caller (keyset-paginated)", {"200": _json({
            "type": "object", "properties": {"items": {"type": "array", "items": _ref("Task")},
                                             "next_cursor": {"type": ["string", "null"]}}})},
            params=[_query(n, {"type": "string"}) for n in (
                "candidate_group", "assignee", "status", "process_key", "business_key", "bpmn_id", "district",
                "sort", "cursor")] + [_query("overdue", {"type": "boolean"}), _query("mine", {"type": "boolean"}),
                                      _query("limit", {"type": "integer", "maximum": 200})],
            tag="tasks")},
        "/tasks/{task_id}": {"get": _op("One task", {"200": _json(_ref("Task"))}, params=task, tag="tasks")},
        "/tasks/{task_id}/claim": {"post": _op("Claim a task", {"200": _json(_ref("Task")), "409": PROBLEM},
                                               params=task, tag="tasks")},
        "/tasks/{task_id}/unclaim": {"post": _op("Release a task", {"200": _json(_ref("Task")), "409": PROBLEM},
                                                 params=task, tag="tasks")},
        "/tasks/{task_id}/complete": {"post": _op(
            "Complete a task; 409 if no longer ready, 422 if data does not match its form",
            {"200": _json(_ref("Task")), "409": PROBLEM},
            body={"type": "object", "properties": {"data": {"type": "object"}}}, params=task, tag="tasks")},
        "/messages": {"post": _op("Correlate a message by name and business key (only to instances the caller "
                                  "may see; supplement_submitted and objection_filed come through their own "
                                  "endpoints, so only an admin may send them here)", {"202": _json({
            "type": "object", "properties": {"correlated": {"type": "array", "items": {"type": "string"}},
                                             "started": {"type": "array", "items": {"type": "string"}}}})},
            body={"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string"}, "business_key": {"type": ["string", "null"]},
                "payload": {"type": "object"}}}, tag="messages")},
        "/incidents": {"get": _op("Incidents", {"200": _json(_items(_ref("Incident")))},
                                  params=[_query("status", {"type": "string", "enum": ["open", "resolved", ""]}),
                                          _query("instance_id", {"type": "string"}),
                                          _query("limit", {"type": "integer"})], tag="incidents")},
        "/incidents/{incident_id}/retry": {"post": _op("Retry an incident's job or task", {
            "200": _json(_ref("Incident")), "409": PROBLEM}, params=[_path_param("incident_id", "integer")],
            tag="incidents")},
    }


@lru_cache(maxsize=1)
def spec() -> dict:
    """The OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Housing approval API", "version": "1.0.0",
                 "description": "Engine host for public rental housing approval: applications, definitions, "
                                "instances, tasks, messages, incidents. Errors are RFC 7807 problem+json."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
