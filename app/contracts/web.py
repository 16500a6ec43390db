"""Pages of signed contracts: the SMS code for the signing task, and the public verification page.

``/contracts/verify`` needs no login: a contract number, or an uploaded PDF, is checked for an
intact signature by the platform and a hash equal to the stored one. It shows no personal data.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from app.contracts import signing
from app.services.errors import DomainError
from app.web.i18n import register_catalogue, t, translate
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
EN = {
    "合同验真": "Verify a contract", "合同编号": "Contract number", "查验": "Verify",
    "或上传合同 PDF 文件": "or upload the contract PDF", "上传并查验": "Upload and verify",
    "合同完好：签章有效，内容与平台存档一致": "Intact: the signature is valid and the file matches the stored one",
    "合同未通过验真": "This contract failed verification", "签署人": "Signer", "签署时间": "Signed at",
    "平台签章证书": "Platform signing certificate", "获取短信验证码": "Send SMS code",
    "下载租赁合同（PDF）": "Download the lease (PDF)", "租赁合同全文": "The full lease",
    "验证码将发送至登记手机号 {phone}": "The code will be sent to your registered phone {phone}",
    "验证码已发送至 {phone}，5 分钟内有效": "Code sent to {phone}; valid for 5 minutes",
    "请上传 PDF 文件": "Please upload a PDF file", "文件过大": "The file is too large",
    "只有承租人本人可以签署租赁合同": "Only the tenant can sign the lease",
    "请先获取短信验证码": "Request an SMS code first",
    "短信验证码已过期，请重新获取": "The SMS code has expired; request a new one",
    "验证码错误次数过多，请重新获取": "Too many wrong codes; request a new one",
    "短信验证码不正确，还可尝试 {left} 次": "Wrong SMS code; {left} tries left",
    "验证码已发送，请 30 秒后再试": "A code was just sent; try again in 30 seconds",
    "任务 {task} 没有待签署的租赁合同": "Task {task} has no lease to sign",
    "任务 {task} 不是待办的签约任务": "Task {task} is not an open signing task",
    "没有已签署的合同 {no}": "No signed contract {no}",
    "短信验证码发送失败，请稍后再试（{reason}）": "The SMS code could not be sent; try again later ({reason})",
    "输入合同编号（如 L开头的编号）或上传 PDF，查验合同是否由平台签章且未被修改。":
        "Enter a contract number (starting with L) or upload a PDF to check that the platform sealed it "
        "and that it has not been changed.",
    **{zh: en for zh, en in zip(REASONS.values(), (
        "The file's hash differs from the stored one", "The file is not a readable PDF",
        "The file carries no electronic seal", "The contents were changed after signing",
        "The signature is invalid", "The signing certificate is not this platform's",
        "The signature does not cover the whole file (content was appended after signing)",
        "The platform holds no signed contract equal to this file"), strict=True)},
}
register_catalogue(EN)


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
