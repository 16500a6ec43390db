"""Process and decision definitions: deploy, list, read a version."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from app.api.auth import current_identity, requires
from app.api.schemas import MigrateRequest
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
def deploy():
    """Deploy BPMN/DMN files; each changed process or decision gets a new version."""
    identity = current_identity()
    deployed, warnings = definition_service.deploy(_uploaded_files(), identity.username,
                                                   request.form.get("comment", ""))
    return jsonify(
        items=[{"key": d.key, "version": d.version, "kind": d.kind, "name": d.name, "created": d.created,
                "id": d.definition_id} for d in deployed],
        warnings=[w.as_dict() for w in warnings],
    ), 201


@bp.post("/process-definitions/validate")
@requires(*DEPLOYERS)
def validate():
    """Report every problem of the files without deploying them."""
    problems = definition_service.validate(_uploaded_files())
    return jsonify(valid=not any(p.severity == "error" for p in problems),
                   problems=[p.as_dict() for p in problems])


@bp.get("/process-definitions")
@requires()
def list_definitions():
    """Every definition with its newest version."""
    return jsonify(items=definition_service.list_definitions())


@bp.get("/process-definitions/<key>/versions")
@requires()
def list_versions(key: str):
    """Every version of one definition, newest first."""
    return jsonify(items=definition_service.list_versions(key))


@bp.get("/process-definitions/<key>/versions/<int:version>")
@requires()
def get_version(key: str, version: int):
    """Metadata and XML of one version."""
    return jsonify(definition_service.get_version(key, version))


@bp.get("/process-definitions/<key>/migration-plan")
@requires(*DEPLOYERS)
def migration_plan(key: str):
    """Which running instances could move to a version (default: the newest), and why not."""
    version = request.args.get("to_version", type=int)
    return jsonify(migration_service.plan(key, version))


@bp.post("/process-definitions/<key>/migrations")
@requires(*DEPLOYERS)
def migrate(key: str):
    """Move the given waiting instances to a version; a report per instance."""
    body = MigrateRequest().load(request.get_json(silent=True) or {})
    return jsonify(migration_service.migrate(key, body["instance_ids"], body["to_version"],
                                             current_identity().username))


@bp.post("/decisions/<decision_id>/preview")
@requires(*DEPLOYERS)
def preview_decision(decision_id: str):
    """Replay the latest decided cases through an edited table (multipart 'file') and list
    the cases whose outcome would change."""
    upload = request.files.get("file")
    if upload is None:
        raise DeploymentInvalid("send the edited .dmn file as multipart field 'file'", [])
    limit = request.args.get("limit", default=500, type=int)
    return jsonify(decision_preview_service.preview(decision_id, upload.read(), upload.filename or "edited.dmn",
                                                    limit))
