"""Pages of signed contracts: the SMS code for the signing task, and the public verification page.

``/contracts/verify`` needs no login: a contract number, or an uploaded PDF, is checked for an
intact signature by the platform and a hash equal to the stored one. It shows no personal data.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from app.contracts import signing
from app.services.errors import DomainError
from app.web.i18n import t, translate
from app.web.session_auth import login_required, require_user

bp = Blueprint("contracts", __name__, url_prefix="/contracts", template_folder="templates")
MAX_UPLOAD = 10 * 1024 * 1024
REASONS = {
    "hash_mismatch": "文件的哈希值与平台存档不一致",
    "unreadable": "文件不是可读取的 PDF",
    "unsigned": "文件中没有电子签章",
    "modified": "签署后文件内容被修改",
    "bad_signature": "签名无效",
    "untrusted": "签名证书不是本平台的签章证书",
    "not_entire_file": "签名没有覆盖整个文件（签署后被追加了内容）",
    "unknown_contract": "平台没有与此文件一致的已签署合同",
}


@bp.app_template_global("contract_signing")
def contract_signing(task: dict) -> dict | None:
    """For the task page: the signing facts of a ``sign_lease`` task (``None`` for other tasks)."""
    if task.get("form_key") != signing.FORM_KEY or task.get("status") != "ready":
        return None
    try:
        return signing.signing_view(require_user(), task["id"])
    except DomainError:
        return None


@bp.post("/tasks/<task_id>/code")
@login_required()
def send_code(task_id: str):
    """Send the one-time code for the signing task to the tenant's phone."""
    try:
        sent = signing.send_code(require_user(), task_id)
        flash(t("验证码已发送至 {phone}，5 分钟内有效", phone=sent["phone_masked"]), "ok")
    except DomainError as exc:
        flash(translate(exc.detail), "error")
    return redirect(url_for("web.task_page.show", task_id=task_id))


def _result(verdict: dict) -> dict:
    return verdict | {"reason_texts": [t(REASONS.get(r, r)) if r in REASONS else r for r in verdict["reasons"]]}


@bp.route("/verify", methods=["GET", "POST"])
def verify():
    """Public: is a contract intact (by number, or an uploaded PDF)."""
    result, error, status = None, None, 200
    lease_no = request.values.get("lease_no", "").strip()
    try:
        if request.method == "POST" and "file" in request.files:
            data = request.files["file"].read(MAX_UPLOAD + 1)
            if len(data) > MAX_UPLOAD:
                error, status = t("文件过大"), 413
            elif not data.startswith(b"%PDF"):
                error, status = t("请上传 PDF 文件"), 422
            else:
                result = _result(signing.verify_upload(data))
        elif lease_no:
            result = _result(signing.verify_lease(lease_no[:32]))
    except DomainError as exc:
        error, status = translate(exc.detail), 404
    return render_template("contracts/verify.html", result=result, error=error, lease_no=lease_no), status


@bp.get("/certificate.pem")
def certificate():
    """The platform's signing certificate, to validate a contract with any PDF tool."""
    return Response(signing.certificate_pem(), mimetype="application/x-pem-file",
                    headers={"Content-Disposition": "attachment; filename=contract-signing.pem"})
