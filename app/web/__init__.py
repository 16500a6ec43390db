"""Server-rendered pages (zh-CN first, English available).

Every page blueprint hangs under one parent blueprint ``web`` so the page error handlers, the
CSRF check and the template helpers apply to all of them; views call the same services as the
JSON API, passing the session's identity.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, get_flashed_messages, request

from app.api.input_guard import EN as INPUT_GUARD_EN
from app.api.input_guard import refuse_unstorable_input
from app.web import csrf, errors, i18n, nav
from app.web.batch_import_catalogue import EN as BATCH_IMPORT_EN
from app.web.case_data import EN as CASE_DATA_EN
from app.web.formatting import FILTERS
from app.web.i18n import LANGUAGES, current_lang, html_lang, register_catalogue, t
from app.web.labels import EN as LABELS_EN
from app.web.modeler.texts import EN as MODELER_EN
from app.web.session_auth import current_user, elder_mode

#: paths the CSRF check leaves alone: the bearer-token API
CSRF_EXEMPT = ("/api/",)
register_catalogue(MODELER_EN)
register_catalogue(BATCH_IMPORT_EN)
register_catalogue(INPUT_GUARD_EN)
register_catalogue(LABELS_EN)
register_catalogue(CASE_DATA_EN)


def register_web(app: Flask) -> None:
    """Attach the page blueprints, session settings, CSRF protection and template helpers."""
    from app.audit import views as audit_views
    from app.contracts import web as contracts
    from app.web import (
        account,
        admin,
        allocation,
        batch_import,
        home,
        inbox,
        modeler,
        portal,
        publicity,
        task_page,
        vendor,
    )

    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    settings = app.extensions["housing.settings"]
    app.config["SESSION_COOKIE_SECURE"] = settings.env == "production"
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(seconds=settings.session_ttl_seconds))

    web = Blueprint("web", __name__, template_folder="templates", static_folder="static",
                    static_url_path="/static/web")
    for module in (home, account, inbox, task_page, portal, publicity, admin, batch_import, allocation, vendor,
                   modeler, contracts):
        web.register_blueprint(module.bp)
    audit_views.init_web(web)
    errors.register(web)
    web.before_request(refuse_unstorable_input)
    app.register_blueprint(web)

    app.before_request(lambda: csrf.protect(CSRF_EXEMPT))
    app.jinja_env.filters.update(FILTERS)
    i18n.init_app(app)
    app.context_processor(_template_globals)

    @app.after_request
    def page_headers(response):
        if not request.path.startswith(CSRF_EXEMPT) and response.mimetype == "text/html":
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("Referrer-Policy", "same-origin")
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _template_globals() -> dict:
    identity = current_user() if request.blueprint and request.blueprint.startswith("web") else None
    main_nav = nav.menu(nav.MAIN_NAV, identity)
    return {
        "t": t, "lang": current_lang(), "html_lang": html_lang(), "languages": LANGUAGES,
        "csrf_field": csrf.field, "csrf_token": csrf.token, "user": identity, "elder_mode": elder_mode(),
        "main_nav": main_nav, "nav_badges": nav.badges(main_nav, identity),
        "admin_nav": nav.menu(nav.ADMIN_NAV, identity),
        "flashes": get_flashed_messages(with_categories=True),
    }
