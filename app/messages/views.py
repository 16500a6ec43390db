"""The portal's 消息 page: every SMS the applicant received, newest first."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.messages import service
from app.web.session_auth import login_required, require_user

#: the name starts with "web" so the page gets the site's menu and user (see app.web._template_globals)
bp = Blueprint("web_messages", __name__, url_prefix="/portal/messages", template_folder="templates")


@bp.get("")
@login_required("applicant")
def index():
    """My messages, newest first; the unread ones are marked, then counted as read."""
    identity = require_user()
    items = service.my_messages(identity)
    service.mark_read(identity)
    return render_template("messages/index.html", items=items, texts=service.text_of)
