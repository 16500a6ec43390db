"""Complaints and feedback (投诉反馈): a context of its own — model, service, pages, templates.

Complaints arrive from the portal, the public page, the hotline and the service window; the
``complaint`` process (``processes/complaint.bpmn``) routes each to a department's inbox, escalates
it when overdue, and closes it once the complainant has rated the reply. :func:`init_app`
attaches the pages, their English texts and the menu entries.
"""

from __future__ import annotations

from flask import Flask

from app.complaints import models  # noqa: F401  (the table belongs to the metadata)


def init_app(app: Flask) -> None:
    """Register the complaint pages, their English texts and menu entries with ``app``."""
    from app.complaints import views
    from app.web import nav

    app.register_blueprint(views.bp)
    entries = [nav.NavEntry("投诉反馈", "web_complaints.public_form", public=True),
               nav.NavEntry("我的投诉", "web_complaints.my_list", ("applicant",)),
               nav.NavEntry("投诉登记", "web_complaints.desk_form", views.DESK_ROLES)]
    for entry in entries:
        if all(e.endpoint != entry.endpoint for e in nav.MAIN_NAV):
            nav.MAIN_NAV.insert(len(nav.MAIN_NAV) - 1, entry)
