"""Dynamic supervision (动态监管): a context of its own — model, scheduling, pages, templates.

Every active lease is re-checked on a cadence by the ``supervision`` process
(``processes/supervision.bpmn``): the household through the same data sources as its
application (the ``verification`` call activity), the unit through the 水电气 connector, then the
risk rules of ``processes/supervision_risk.dmn``. Warnings reach the district's supervision
officers, who dismiss them with a reason, send a rectification notice, or start the exit.
Overdue leavers (应退未退) are reminded and escalated by ``processes/supervision_overdue.bpmn``.

:func:`init_app` attaches the pages, their English texts, the menu entry and the scheduler's
periodic batch (:mod:`app.supervision.schedule`).
"""

from __future__ import annotations

from flask import Flask

from app.supervision import models  # noqa: F401  (the table belongs to the metadata)


def init_app(app: Flask) -> None:
    """Register the supervision page, its English texts, menu entry and periodic batch with ``app``."""
    from app.services import scheduler_service
    from app.supervision import schedule, texts, views
    from app.web import nav
    from app.web.i18n import register_catalogue

    register_catalogue(texts.EN)
    app.register_blueprint(views.bp)
    for entry in (nav.NavEntry("动态监管", "web_supervision.warnings", nav.REVIEWERS),
                  nav.NavEntry("整改通知", "web_supervision.notices", ("applicant",))):
        if all(e.endpoint != entry.endpoint for e in nav.MAIN_NAV):
            nav.MAIN_NAV.insert(len(nav.MAIN_NAV) - 1, entry)
    if all(p.name != "supervision" for p in scheduler_service.PERIODIC):
        scheduler_service.PERIODIC.append(
            # looked at every few seconds: ``supervision_batch_seconds`` (at least 1) sets the pace
            scheduler_service.Periodic("supervision", lambda now: schedule.run_if_due(now), every=5.0))
