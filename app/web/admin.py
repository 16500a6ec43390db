"""The admin section: incidents with retry, queue depths, connector health, process versions.

Its menu is :data:`app.web.nav.ADMIN_NAV`; a later page adds itself with ``add_admin_entry``.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.services import definition_service, incident_service, instance_service, ops_service
from app.web.i18n import t
from app.web.nav import ADMINS
from app.web.session_auth import login_required, require_user

bp = Blueprint("admin", __name__, url_prefix="/admin")
OPS = ("operator", "admin")


@bp.get("")
@login_required(*ADMINS)
def index():
    """The admin start page: the section menu and the numbers that need attention."""
    return render_template("admin/index.html", depths=ops_service.queue_depths())


@bp.get("/incidents")
@login_required(*OPS)
def incidents():
    """Open (or resolved) incidents, newest first."""
    status = request.args.get("status", "open")
    items = incident_service.list_incidents(status=status if status in ("open", "resolved") else "open")
    return render_template("admin/incidents.html", incidents=items, status=status)


@bp.post("/incidents/<int:incident_id>/retry")
@login_required(*OPS)
def retry_incident(incident_id: int):
    """Retry the failed job or script of an incident (a stuck instance: re-run its engine steps)."""
    incident = incident_service.retry(require_user(), incident_id)
    if incident["kind"] == incident_service.STUCK:
        flash(t("已重新推进异常 #{id}", id=incident_id), "ok")
    else:
        flash(t("已重试异常 #{id}", id=incident_id), "ok")
    return redirect(url_for("web.admin.incidents"))


@bp.get("/queues")
@login_required(*OPS)
def queues():
    """Jobs per state and per operator, open incidents, the broker's depth."""
    return render_template("admin/queues.html", depths=ops_service.queue_depths())


@bp.get("/timers")
@login_required(*OPS)
def timers():
    """Cases waiting for a timer, with a button to let it expire now (demos, stuck deadlines)."""
    return render_template("admin/timers.html", waiting=ops_service.waiting_timers())


@bp.post("/timers/<instance_id>/fire")
@login_required(*OPS)
def fire_timers(instance_id: str):
    """Let every timer the case waits for fire now (recorded in its audit trail)."""
    fired = instance_service.fire_timers_now(instance_id, require_user().username)["fired"]
    flash(t("已触发 {n} 个计时器", n=fired), "ok")
    return redirect(url_for("web.admin.timers"))


@bp.get("/connectors")
@login_required("operator", "integrator", "admin")
def connectors():
    """Every connector with the result of its test_connection (run when asked)."""
    check = request.args.get("check") == "1"
    return render_template("admin/connectors.html", connectors=ops_service.connector_health(check=check),
                           checked=check)


@bp.get("/processes")
@login_required("policy", "operator", "admin")
def processes():
    """Deployed processes and decisions with their newest version."""
    return render_template("admin/processes.html", definitions=definition_service.list_definitions())


@bp.get("/processes/<key>")
@login_required("policy", "operator", "admin")
def process_versions(key: str):
    """Every version of one definition; ``?version=`` shows that version's diagram."""
    versions = definition_service.list_versions(key)
    chosen = request.args.get("version", type=int) or versions[0]["version"]
    shown = definition_service.get_version(key, chosen)
    return render_template("admin/process_versions.html", key=key, versions=versions, shown=shown)
