"""系统管理 → 审计校验: the last verifications and the last checkpoint, and a button to verify now."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from app.audit import service
from app.audit.texts import PROBLEM_LABELS
from app.web.i18n import t
from app.web.nav import NavEntry, add_admin_entry
from app.web.session_auth import login_required

bp = Blueprint("audit", __name__, url_prefix="/admin/audit", template_folder="templates")
OPS = ("operator", "admin")


def init_web(web: Blueprint) -> None:
    """Hang the page under the ``web`` blueprint and add it to the admin menu."""
    add_admin_entry(NavEntry("审计校验", "web.audit.index", OPS))
    web.register_blueprint(bp)


@bp.get("")
@login_required(*OPS)
def index():
    """The last verification (with every break it found), the history, the last checkpoint."""
    return render_template("audit/index.html", status=service.status(), labels=PROBLEM_LABELS)


@bp.post("/verify")
@login_required(*OPS)
def verify_now():
    """Verify the whole trail now (recorded like a scheduled run)."""
    report, _ = service.run_verification(trigger="page")
    if report.ok:
        flash(t("审计链完整：{subjects} 个主体、{events} 个事件", subjects=report.subjects, events=report.events), "ok")
    else:
        flash(t("审计链被破坏：{n} 处", n=len(report.breaks)), "error")
    return redirect(url_for("web.audit.index"))
