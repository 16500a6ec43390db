"""Public service (一网通办 style, no login): policy library, service guide, FAQ, progress query.

One package holds the context: models (:mod:`.models`), services (``*_service``), the public
pages (:mod:`.views`), the staff editing pages (:mod:`.admin_views`), the JSON progress query
(:mod:`.api`), templates, texts and the demo documents. :func:`init_app` attaches it to the
app; the top menu gains a public 办事服务 entry and the admin menu the editing pages.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from app.api.input_guard import refuse_unstorable_input
from app.public import models  # noqa: F401  (the tables are known to the metadata)
from app.web import errors as page_errors
from app.web import nav

SERVICE_ENTRY = nav.NavEntry("办事服务", "web_public.pages.index", public=True)
EDITOR_ENTRIES = (nav.NavEntry("政策文件", "web_public.admin.policies", ("policy", "admin")),
                  nav.NavEntry("常见问题", "web_public.admin.faq", ("policy", "admin")))


def init_app(app: Flask) -> None:
    """Register the public-service pages, their editing pages, texts and menu entries."""
    from app.public import admin_views, api, views

    parent = Blueprint("web_public", __name__, template_folder="templates", static_folder="static",
                       static_url_path="/static/public")
    parent.register_blueprint(views.bp)
    parent.register_blueprint(admin_views.bp)
    page_errors.register(parent)
    parent.before_request(refuse_unstorable_input)
    app.register_blueprint(parent)
    app.register_blueprint(api.bp)
    if all(e.endpoint != SERVICE_ENTRY.endpoint for e in nav.MAIN_NAV):
        position = next((i + 1 for i, e in enumerate(nav.MAIN_NAV) if e.endpoint == "web.publicity.index"),
                        len(nav.MAIN_NAV))
        nav.MAIN_NAV.insert(position, SERVICE_ENTRY)
    for entry in EDITOR_ENTRIES:
        nav.add_admin_entry(entry)
