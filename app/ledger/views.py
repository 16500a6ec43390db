"""Ledger pages: the tenant's bills and payments (portal), the staff's list of leases with
arrears, one lease's ledger with the payment form, and the bank-file import."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.ledger import imports, service
from app.ledger.bills import BILL_STATUS
from app.services.errors import ValidationFailed
from app.web import errors
from app.web.i18n import t
from app.web.nav import REVIEWERS
from app.web.session_auth import login_required, require_user

#: "web" prefix: the pages get the site's menu and user (see app.web._template_globals)
bp = Blueprint("web_ledger", __name__, url_prefix="/ledger", template_folder="templates")
errors.register(bp)
STAFF_ROLES = (*REVIEWERS, "admin")


@bp.get("/mine")
@login_required("applicant")
def mine():
    """The tenant's bills and payments, per lease."""
    return render_template("ledger/mine.html", ledgers=service.my_ledgers(require_user()), statuses=BILL_STATUS)


@bp.get("")
@login_required(*STAFF_ROLES)
def index():
    """Active leases in the staff member's scope, those in arrears first."""
    only = request.args.get("arrears") == "1"
    return render_template("ledger/index.html", rows=service.ledgers_in_scope(require_user(), only), only=only,
                           can_import=service.is_ledger_staff(require_user()), report=None)


@bp.post("/import")
@login_required(*STAFF_ROLES)
def import_file():
    """Import a bank / payment-platform CSV file; show each row's result."""
    identity = require_user()
    upload = request.files.get("file")
    report, status = None, 200
    try:
        if upload is None or not upload.filename:
            raise ValidationFailed("请选择要导入的 CSV 文件", {"file": ["请选择文件"]})
        report = imports.import_payments(identity, upload.read())
        flash(t("导入完成：入账 {ok} 笔，重复跳过 {dup} 笔，有误 {bad} 行",
                ok=len(report["imported"]), dup=len(report["duplicates"]), bad=len(report["errors"])),
              "ok" if not report["errors"] else "error")
    except ValidationFailed as exc:
        flash(t("文件未导入：{detail}", detail=t(exc.detail)), "error")
        status = 422
    return render_template("ledger/index.html", rows=service.ledgers_in_scope(identity), only=False,
                           can_import=service.is_ledger_staff(identity), report=report), status


@bp.route("/<lease_no>", methods=["GET", "POST"])
@login_required(*STAFF_ROLES)
def lease(lease_no: str):
    """One lease's ledger; officers record a payment here."""
    identity = require_user()
    errs: dict = {}
    values: dict = {}
    status = 200
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in ("amount", "paid_on", "method", "reference", "note")}
        try:
            service.record_payment(identity, lease_no, values)
            flash(t("已登记缴费 {amount} 元", amount=values["amount"]), "ok")
            return redirect(url_for(".lease", lease_no=lease_no))
        except ValidationFailed as exc:
            errs, status = exc.errors, 422
            flash(t("请检查标红的项目"), "error")
    return render_template("ledger/lease.html", ledger=service.lease_ledger(identity, lease_no), errors=errs,
                           values=values, can_record=service.is_ledger_staff(identity)), status
