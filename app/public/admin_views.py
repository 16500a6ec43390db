"""Editing the policy library and the FAQ (policy staff and admins); every change is audited by the services."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.public import faq_service, policy_service
from app.public.content import EDITOR_ROLES
from app.public.views import TYPE_NAMES, pdf_response
from app.services.errors import ValidationFailed
from app.web.i18n import t
from app.web.session_auth import login_required, require_user

bp = Blueprint("admin", __name__, url_prefix="/admin/public")


def _form(*names: str) -> dict:
    values: dict[str, object] = {k: request.form.get(k, "") for k in names}
    upload = request.files.get("pdf")
    if upload is not None and upload.filename:
        values["pdf"] = (upload.filename, upload.read())
    values["remove_pdf"] = bool(request.form.get("remove_pdf"))
    return values


POLICY_FIELDS = ("title", "doc_no", "issuer", "issued_on", "housing_type", "city", "summary", "body")
FAQ_FIELDS = ("question", "answer", "housing_type", "position")


@bp.get("/policies")
@login_required(*EDITOR_ROLES)
def policies():
    """Every policy document, drafts included."""
    query = (request.args.get("q") or "").strip()[:100]
    return render_template("public/admin_policies.html", documents=policy_service.search(query, include_drafts=True),
                           query=query, type_names=TYPE_NAMES)


@bp.route("/policies/new", methods=["GET", "POST"])
@bp.route("/policies/<int:document_id>/edit", methods=["GET", "POST"])
@login_required(*EDITOR_ROLES)
def policy_form(document_id: int | None = None):
    """Create or edit a document (saved as it is; publishing is a separate step)."""
    values = policy_service.get(document_id, include_drafts=True) if document_id else {"housing_type": "gongzufang"}
    errors, status = {}, 200
    if request.method == "POST":
        submitted = _form(*POLICY_FIELDS)
        try:
            if document_id:
                policy_service.update(require_user(), document_id, submitted)
            else:
                document_id = policy_service.create(require_user(), submitted)["id"]
        except ValidationFailed as exc:
            values, errors, status = values | {k: submitted[k] for k in POLICY_FIELDS}, exc.errors, 422
        else:
            flash(t("已保存"), "ok")
            return redirect(url_for("web_public.admin.policies"))
    return render_template("public/admin_policy_form.html", values=values, errors=errors, document_id=document_id,
                           type_names=TYPE_NAMES), status


@bp.get("/policies/<int:document_id>/pdf")
@login_required(*EDITOR_ROLES)
def policy_pdf(document_id: int):
    """A draft's PDF, for checking before publishing."""
    return pdf_response(*policy_service.pdf(document_id, include_drafts=True))


@bp.post("/policies/<int:document_id>/<any(publish, withdraw, delete):action>")
@login_required(*EDITOR_ROLES)
def policy_action(document_id: int, action: str):
    """Publish, withdraw or delete a document."""
    if action == "delete":
        policy_service.delete(require_user(), document_id)
        flash(t("已删除"), "ok")
    else:
        policy_service.set_published(require_user(), document_id, action == "publish")
        flash(t("已发布") if action == "publish" else t("已撤回"), "ok")
    return redirect(url_for("web_public.admin.policies"))


@bp.get("/faq")
@login_required(*EDITOR_ROLES)
def faq():
    """Every FAQ entry, drafts included."""
    return render_template("public/admin_faq.html", entries=faq_service.entries(include_drafts=True),
                           type_names=TYPE_NAMES)


@bp.route("/faq/new", methods=["GET", "POST"])
@bp.route("/faq/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required(*EDITOR_ROLES)
def faq_form(entry_id: int | None = None):
    """Create or edit a FAQ entry."""
    values = faq_service.get(entry_id) if entry_id else {"housing_type": "general", "position": 0}
    errors, status = {}, 200
    if request.method == "POST":
        submitted = {k: request.form.get(k, "") for k in FAQ_FIELDS}
        try:
            if entry_id:
                faq_service.update(require_user(), entry_id, submitted)
            else:
                faq_service.create(require_user(), submitted)
        except ValidationFailed as exc:
            values, errors, status = values | submitted, exc.errors, 422
        else:
            flash(t("已保存"), "ok")
            return redirect(url_for("web_public.admin.faq"))
    return render_template("public/admin_faq_form.html", values=values, errors=errors, entry_id=entry_id,
                           type_names=TYPE_NAMES), status


@bp.post("/faq/<int:entry_id>/<any(publish, withdraw, delete):action>")
@login_required(*EDITOR_ROLES)
def faq_action(entry_id: int, action: str):
    """Publish, withdraw or delete a FAQ entry."""
    if action == "delete":
        faq_service.delete(require_user(), entry_id)
        flash(t("已删除"), "ok")
    else:
        faq_service.set_published(require_user(), entry_id, action == "publish")
        flash(t("已发布") if action == "publish" else t("已撤回"), "ok")
    return redirect(url_for("web_public.admin.faq"))
