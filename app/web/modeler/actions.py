"""JSON actions the modeler pages call with the session and the page's CSRF token.

Each is a thin wrapper over the same service the JSON API uses; errors come back as
problem+json (never as an HTML page), with ``errors`` listing each file problem.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from app.api.errors import problem, problem_language
from app.services import (
    decision_preview_service,
    definition_service,
    modeler_service,
    scenario_trial_service,
)
from app.services.errors import DeploymentInvalid, DomainError, ValidationFailed
from app.web.errors import status_of
from app.web.modeler import EDITORS
from app.web.session_auth import current_user, login_required, require_user

bp = Blueprint("actions", __name__, url_prefix="/api")


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError):
    """Problems as JSON: the editors place each file problem on its diagram element."""
    extra = {}
    if isinstance(exc, DeploymentInvalid):
        extra["errors"] = exc.problems
    elif isinstance(exc, ValidationFailed):
        extra["errors"] = exc.errors
    lang = problem_language()
    return problem(status_of(exc), exc.title_in(lang), exc.detail_in(lang), exc.code, **extra)


@bp.before_request
def json_only_for_editors():
    """Answer 401/403 as JSON here instead of redirecting to the login page."""
    identity = current_user()
    if identity is None:
        return problem(401, "需要登录", "log in again; the session has expired", "unauthenticated")
    if not identity.has_role(*EDITORS):
        return problem(403, "无权执行此操作", f"this needs one of the roles: {', '.join(EDITORS)}", "forbidden")
    return None


def uploaded_files() -> list[tuple[str, bytes]]:
    """The edited files sent as multipart field ``files``."""
    files = [(f.filename or "", f.read()) for f in request.files.getlist("files")]
    if not files:
        raise DeploymentInvalid("send the edited .bpmn/.dmn file as multipart field 'files'", [])
    return files


@bp.get("/catalog")
@login_required(*EDITORS)
def catalog():
    """Operators, forms, process keys, decision ids and groups for the properties panel."""
    return jsonify(modeler_service.catalog())


@bp.post("/validate")
@login_required(*EDITORS)
def validate():
    """The deploy checks, without deploying."""
    problems = definition_service.validate(uploaded_files())
    return jsonify(valid=not any(p.severity == "error" for p in problems),
                   problems=[p.as_dict() for p in problems])


@bp.post("/deploy")
@login_required(*EDITORS)
def deploy():
    """Deploy the edited file as a new version, recording who and why (the comment is required)."""
    comment = request.form.get("comment", "").strip()
    if not comment:
        raise ValidationFailed("请填写部署说明：写明本次修改了什么、为什么修改，它会记录在新版本上。",
                               {"comment": ["请填写部署说明"]})
    deployed, warnings = definition_service.deploy(uploaded_files(), require_user().username, comment)
    return jsonify(items=[{"key": d.key, "version": d.version, "kind": d.kind, "name": d.name,
                           "created": d.created} for d in deployed],
                   warnings=[w.as_dict() for w in warnings]), 201


@bp.post("/scenarios/<key>")
@login_required(*EDITORS)
def scenarios(key: str):
    """Run the process's scenario files against the edited, not yet deployed files."""
    return jsonify(scenario_trial_service.run(key, uploaded_files()))


@bp.post("/preview/<decision_id>")
@login_required(*EDITORS)
def preview(decision_id: str):
    """Replay the latest decided cases through the edited table; list those that would change."""
    files = uploaded_files()
    name, content = files[0]
    limit = request.args.get("limit", default=200, type=int)
    return jsonify(decision_preview_service.preview(decision_id, content, name or "edited.dmn", limit))
