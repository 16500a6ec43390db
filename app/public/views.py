"""The public-service pages (no login): landing, policy library, service guide, FAQ, progress query."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from app.public import faq_service, guide_service, policy_service, progress_service, ratelimit
from app.public.errors import ProgressNotMatched, ProgressQueryLimited
from app.public.models import HOUSING_TYPES
from app.services import document_service
from app.services.errors import ValidationFailed
from app.web.portal import CASE_STATUS

bp = Blueprint("pages", __name__, url_prefix="/service")
TYPE_NAMES = {"gongzufang": "公租房", "baozufang": "保租房", "general": "通用"}


def _housing_type(default: str = "") -> str:
    value = request.args.get("type", default)
    return value if value in HOUSING_TYPES else default


@bp.get("")
def index():
    """The public-service start page: what one can read and do here."""
    return render_template("public/index.html")


@bp.get("/policies")
def policies():
    """Published policy documents, filtered by housing type and city, searched by words."""
    query = (request.args.get("q") or "").strip()[:100]
    housing_type, city = _housing_type(), (request.args.get("city") or "").strip()[:64]
    return render_template("public/policies.html", documents=policy_service.search(query, housing_type, city),
                           cities=policy_service.cities(), query=query, housing_type=housing_type, city=city,
                           type_names=TYPE_NAMES)


@bp.get("/policies/<int:document_id>")
def policy(document_id: int):
    """One published document with its full text."""
    return render_template("public/policy.html", doc=policy_service.get(document_id), type_names=TYPE_NAMES)


@bp.get("/policies/<int:document_id>/pdf")
def policy_pdf(document_id: int):
    """The document's PDF."""
    return pdf_response(*policy_service.pdf(document_id))


def pdf_response(name: str, content: bytes) -> Response:
    """A PDF download that keeps the file name (RFC 5987 for Chinese names)."""
    from urllib.parse import quote

    return Response(content, mimetype="application/pdf", headers={
        "Content-Disposition": f"inline; filename=\"document.pdf\"; filename*=UTF-8''{quote(name)}",
        "X-Content-Type-Options": "nosniff"})


@bp.get("/guide")
def guide():
    """服务指南 of one housing type, read from the deployed diagrams and tables."""
    housing_type = request.args.get("type", "gongzufang")[:20]
    return render_template("public/guide.html", guide=guide_service.guide(housing_type),
                           kind_names=document_service.kind_names(), types=guide_service.HOUSING_TYPES)


@bp.get("/faq")
def faq():
    """常见问题 (published entries)."""
    housing_type = _housing_type()
    return render_template("public/faq.html", entries=faq_service.entries(housing_type),
                           housing_type=housing_type, type_names=TYPE_NAMES)


@bp.route("/progress", methods=["GET", "POST"])
def progress():
    """办理进度查询: number + ID suffix → masked stage and dates, or one refusal for every mismatch."""
    values = {"application_no": "", "id_suffix": ""}
    result, refusal, errors, status = None, None, {}, 200
    if request.method == "POST":
        values = {k: (request.form.get(k) or "")[:40] for k in values}
        try:
            result = progress_service.query(values["application_no"], values["id_suffix"], ratelimit.caller())
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        except ProgressQueryLimited as exc:
            refusal, status = exc.detail, 429
        except ProgressNotMatched as exc:
            refusal = exc.detail
        values["id_suffix"] = ""  # never echo the suffix back into the page
    return render_template("public/progress.html", values=values, result=result, refusal=refusal, errors=errors,
                           statuses=CASE_STATUS, type_names=TYPE_NAMES), status
