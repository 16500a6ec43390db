"""Moving waiting cases to a newer version: the plan (who can move, who cannot and why), then
the move of the chosen cases with a report per case."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from app.services import definition_service, migration_service
from app.web.modeler import EDITORS
from app.web.session_auth import login_required, require_user

bp = Blueprint("migration", __name__, url_prefix="/migrate")


def _target(key: str) -> int:
    chosen = request.values.get("to_version", type=int)
    return chosen or definition_service.list_versions(key)[0]["version"]


@bp.get("/<key>")
@login_required(*EDITORS)
def plan(key: str):
    """Running cases of ``key`` not on the target version, each with whether it can move."""
    to_version = _target(key)
    return render_template("modeler/migrate.html", key=key, plan=migration_service.plan(key, to_version),
                           versions=definition_service.list_versions(key), report=None)


@bp.post("/<key>")
@login_required(*EDITORS)
def migrate(key: str):
    """Move the ticked cases; show what moved and why the others did not."""
    to_version = _target(key)
    ids = request.form.getlist("instance_id")
    before = migration_service.plan(key, to_version)
    names = {i["instance_id"]: i["business_key"] for i in before["instances"]}
    report = migration_service.migrate(key, ids, to_version, require_user().username) if ids else None
    return render_template("modeler/migrate.html", key=key, plan=migration_service.plan(key, to_version),
                           versions=definition_service.list_versions(key), report=report, names=names,
                           nothing_chosen=not ids)
