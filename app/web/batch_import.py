"""Batch import of applications from CSV / XLSX: template, upload, progress, per-row errors."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for

from app.services import batch_import_rows, batch_import_service
from app.services.errors import ValidationFailed
from app.web.i18n import t, translate
from app.web.session_auth import login_required, require_user

bp = Blueprint("batch_import", __name__, url_prefix="/batch-import")
ROLES = ("city_reviewer", "district_reviewer", "operator")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("")
@login_required(*ROLES)
def index():
    """The upload form, the template links and this user's recent imports."""
    identity = require_user()
    return render_template("batch_import/index.html", imports=batch_import_service.recent(identity),
                           scope=None if identity.is_admin else identity.district,
                           max_mb=batch_import_rows.MAX_BYTES // 1024 // 1024, max_rows=batch_import_rows.MAX_ROWS)


@bp.get("/template.<fmt>")
@login_required(*ROLES)
def template(fmt: str):
    """The sheet to fill in, as CSV or XLSX."""
    if fmt == "xlsx":
        body, mimetype = batch_import_rows.template_xlsx(), XLSX
    else:
        body, mimetype = batch_import_rows.template_csv(), "text/csv; charset=utf-8"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename=application-import-template.{fmt}"})


@bp.post("")
@login_required(*ROLES)
def upload():
    """Check the uploaded sheet and start its valid applications."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(t("请选择要上传的文件"), "error")
        return redirect(url_for("web.batch_import.index"))
    content = upload.stream.read(batch_import_rows.MAX_BYTES + 1)
    try:
        job = batch_import_service.start_import(require_user(), upload.filename, content)
    except ValidationFailed as exc:
        flash(translate(exc.detail), "error")
        return redirect(url_for("web.batch_import.index"))
    return redirect(url_for("web.batch_import.show", job_id=job.id))


@bp.get("/<job_id>")
@login_required(*ROLES)
def show(job_id: str):
    """One import: progress while it runs, then what was started and every row's problems."""
    return render_template("batch_import/show.html", job=batch_import_service.status(require_user(), job_id))


@bp.get("/<job_id>/status")
@login_required(*ROLES)
def progress(job_id: str):
    """Progress as JSON, polled by the page."""
    job = batch_import_service.progress(require_user(), job_id)
    return jsonify(state=job.state, done=job.done, total=job.valid, started=job.counts.get("started", 0))


@bp.post("/<job_id>/resume")
@login_required(*ROLES)
def resume(job_id: str):
    """Start the rest of an import that a server restart interrupted."""
    batch_import_service.resume(require_user(), job_id)
    return redirect(url_for("web.batch_import.show", job_id=job_id))


@bp.get("/<job_id>/errors.csv")
@login_required(*ROLES)
def errors_csv(job_id: str):
    """The per-row error report as CSV."""
    job = batch_import_service.status(require_user(), job_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["行号", "列", "问题"])
    writer.writerows(job.problems)
    return Response(("\ufeff" + out.getvalue()).encode("utf-8"), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=import-errors-{job.id[:8]}.csv"})
