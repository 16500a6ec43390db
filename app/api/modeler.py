"""What the modeler needs beyond deploy and validate: the choices for its properties panel,
the diff of two versions, and scenario runs on edited, undeployed files."""

from __future__ import annotations

from flask import Blueprint, request

from app.api import responses as r
from app.api.auth import requires
from app.api.definitions import DEPLOYERS, _uploaded_files
from app.api.openapi import operation
from app.api.schemas import DefinitionUpload, DiffQuery
from app.services import definition_diff_service, modeler_service, scenario_trial_service

bp = Blueprint("modeler", __name__)


@bp.get("/modeler/catalog")
@requires(*DEPLOYERS)
@operation("Choices for the modeler's properties panel: operators, forms, process keys, decisions, groups",
           tag="modeler", responses={200: r.Catalog})
def catalog():
    """Operators, forms in forms/, deployed process keys and decision ids, candidate groups."""
    return modeler_service.catalog()


@bp.get("/process-definitions/<key>/diff")
@requires()
@operation("Elements added, removed, changed and moved between two versions", tag="modeler", query=DiffQuery,
           responses={200: r.VersionDiff})
def diff(key: str):
    """Elements added, removed, changed and moved between two versions."""
    q = DiffQuery().load(request.args.to_dict())
    return definition_diff_service.diff_versions(key, q["from_version"], q["to_version"])


@bp.post("/process-definitions/<key>/scenarios")
@requires(*DEPLOYERS)
@operation("Run the scenario files of a process (or of the processes using a decision) on edited files",
           tag="modeler", multipart=DefinitionUpload, responses={200: r.ScenarioRun})
def scenarios(key: str):
    """Run the scenario files of ``key`` (or of the processes using decision ``key``) against the
    uploaded, not yet deployed files (multipart field 'files')."""
    return scenario_trial_service.run(key, _uploaded_files())
