"""The applicant's messages (消息): every SMS sent to an applicant, kept and shown in the portal.

A context of its own — model, service, page and template. The SMS connector's results are
recorded where job results are stored (:func:`app.messages.service.record_job_results`), the
signing code's where it is sent. :func:`init_app` attaches the page, its English texts, the
menu entry and its unread count.
"""

from __future__ import annotations

from flask import Flask

from app.messages import models  # noqa: F401  (the table belongs to the metadata)

ENDPOINT = "web_messages.index"


def init_app(app: Flask) -> None:
    """Register the messages page, its English texts, the menu entry and its unread badge."""
    from app.messages import views
    from app.web import nav

    app.register_blueprint(views.bp)
    if all(e.endpoint != ENDPOINT for e in nav.MAIN_NAV):
        mine = next((i for i, e in enumerate(nav.MAIN_NAV) if e.endpoint == "web.portal.index"), len(nav.MAIN_NAV))
        nav.MAIN_NAV.insert(mine + 1, nav.NavEntry("消息", ENDPOINT, ("applicant",)))
    nav.add_badge(ENDPOINT, _unread)


def _unread(identity) -> int:
    from app.messages import service

    return service.unread_count(identity.username)
