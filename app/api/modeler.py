"""What the modeler needs beyond deploy and validate: the choices for its properties panel,
the diff of two versions, and scenario runs on edited, undeployed files."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from app.api.auth import requires
from app.api.definitions import DEPLOYERS, _uploaded_files
from app.services import definition_diff_service, modeler_service, scenario_trial_service
from app.services.errors import ValidationFailed

bp = Blueprint("modeler", __name__)


@bp.get("/modeler/catalog")
@requires(*DEPLOYERS)
def catalog():
    """Operators, forms in forms/, deployed process keys and decision ids, candidate groups."""
    return jsonify(modeler_service.catalog())


@bp.get("/process-definitions/<key>/diff")
@requires()
def diff(key: str):
    """Elements added, removed, changed and moved between two versions."""
    from_version = request.args.get("from_version", type=int)
    to_version = request.args.get("to_version", type=int)
    if from_version is None or to_version is None:
        raise ValidationFailed("name both versions", {"from_version": ["required"], "to_version": ["required"]})
    return jsonify(definition_diff_service.diff_versions(key, from_version, to_version))


@bp.post("/process-definitions/<key>/scenarios")
@requires(*DEPLOYERS)
def scenarios(key: str):
    """Run the scenario files of ``key`` (or of the processes using decision ``key``) against the
    uploaded, not yet deployed files (multipart field 'files')."""
    return jsonify(scenario_trial_service.run(key, _uploaded_files()))
