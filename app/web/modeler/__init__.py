"""The modeler: policy staff redraw BPMN flows and DMN tables in the browser and deploy them.

Pages (``/admin/modeler``): the list of definitions, the BPMN and DMN editors (bpmn-js / dmn-js
from npm, bundled by ``npm run build`` into ``app/web/static/build/modeler``), the version list
with a visual diff, and the migration of waiting cases. The editors talk to the JSON actions
under ``/admin/modeler/api`` with the session and the page's CSRF token; those call the same
services as the JSON API (validation, deploy, scenarios, policy preview), so nothing a policy
officer types is ever evaluated in the browser.

Only the roles in :data:`EDITORS` may open an editor, deploy or migrate; :data:`READERS` may
read versions and diffs.
"""

from __future__ import annotations

from flask import Blueprint

EDITORS = ("policy", "admin")
READERS = ("policy", "operator", "admin")

bp = Blueprint("modeler", __name__, url_prefix="/admin/modeler")

from app.web.modeler import actions, migration, pages  # noqa: E402  (routes attach to bp)

bp.register_blueprint(actions.bp)
bp.register_blueprint(migration.bp)

__all__ = ["EDITORS", "READERS", "bp", "pages"]
