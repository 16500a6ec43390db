"""Process and decision definitions: deploy, list, read a version."""

from __future__ import annotations

from flask import Blueprint, request

from app.api import responses as r
from app.api.auth import current_identity, requires
from app.api.openapi import operation
from app.api.schemas import (
    DecisionUpload,
    DefinitionUpload,
    MigrateRequest,
    MigrationPlanQuery,
    PreviewQuery,
)
from app.services import decision_preview_service, definition_service, migration_service
from app.services.errors import DeploymentInvalid

bp = Blueprint("definitions", __name__)
DEPLOYERS = ("policy", "admin")


def _uploaded_files() -> list[tuple[str, bytes]]:
    files = [(f.filename or "", f.read()) for f in request.files.getlist("files")]
    files += [(f.filename or name, f.read()) for name, f in request.files.items() if name != "files"]
    if not files:
        raise DeploymentInvalid("send one or more .bpmn/.dmn files as multipart field 'files'", [])
    return files


@bp.post("/process-definitions")
@requires(*DEPLOYERS)
@operation("Deploy .bpmn/.dmn files (multipart field 'files')", tag="definitions", multipart=DefinitionUpload,
           responses={201: r.Deployed})
def deploy():
    """Deploy BPMN/DMN files; each changed process or decision gets a new version."""
    identity = current_identity()
    deployed, warnings = definition_service.deploy(_uploaded_files(), identity.username,
                                                   request.form.get("comment", ""))
    return {
        "items": [{"key": d.key, "version": d.version, "kind": d.kind, "name": d.name, "created": d.created,
                   "id": d.definition_id} for d in deployed],
        "warnings": [w.as_dict() for w in warnings],
    }, 201


@bp.post("/process-definitions/validate")
@requires(*DEPLOYERS)
@operation("Validate files without deploying", tag="definitions", multipart=DefinitionUpload,
           responses={200: r.Validation})
def validate():
    """Report every problem of the files without deploying them."""
    problems = definition_service.validate(_uploaded_files())
    return {"valid": not any(p.severity == "error" for p in problems), "problems": [p.as_dict() for p in problems]}


@bp.get("/process-definitions")
@requires()
@operation("Definitions with their newest version", tag="definitions", responses={200: r.Definitions})
def list_definitions():
    """Every definition with its newest version."""
    return {"items": definition_service.list_definitions()}


@bp.get("/process-definitions/<key>/versions")
@requires()
@operation("Every version of a definition", tag="definitions", responses={200: r.Definitions})
def list_versions(key: str):
    """Every version of one definition, newest first."""
    return {"items": definition_service.list_versions(key)}


@bp.get("/process-definitions/<key>/versions/<int:version>")
@requires()
@operation("One version with its XML", tag="definitions", responses={200: r.Definition})
def get_version(key: str, version: int):
    """Metadata and XML of one version."""
    return definition_service.get_version(key, version)


@bp.get("/process-definitions/<key>/migration-plan")
@requires(*DEPLOYERS)
@operation("Running instances that could move to a version, and the elements that stop the others",
           tag="definitions", query=MigrationPlanQuery, responses={200: r.MigrationPlan})
def migration_plan(key: str):
    """Which running instances could move to a version (default: the newest), and why not."""
    version = MigrationPlanQuery().load(request.args.to_dict())["to_version"]
    return migration_service.plan(key, version)


@bp.post("/process-definitions/<key>/migrations")
@requires(*DEPLOYERS)
@operation("Move waiting instances to a version; a report per instance", tag="definitions", body=MigrateRequest,
           responses={200: r.MigrationReport})
def migrate(key: str):
    """Move the given waiting instances to a version; a report per instance."""
    body = MigrateRequest().load(request.get_json(silent=True) or {})
    return migration_service.migrate(key, body["instance_ids"], body["to_version"], current_identity().username)


@bp.post("/decisions/<decision_id>/preview")
@requires(*DEPLOYERS)
@operation("Replay the latest decided cases through an edited table; list the cases that would change",
           tag="definitions", query=PreviewQuery, multipart=DecisionUpload, responses={200: r.DecisionPreview})
def preview_decision(decision_id: str):
    """Replay the latest decided cases through an edited table (multipart 'file') and list
    the cases whose outcome would change."""
    upload = request.files.get("file")
    if upload is None:
        raise DeploymentInvalid("send the edited .dmn file as multipart field 'file'", [])
    limit = PreviewQuery().load(request.args.to_dict())["limit"]
    return decision_preview_service.preview(decision_id, upload.read(), upload.filename or "edited.dmn", limit)
