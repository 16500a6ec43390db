"""在线选房: households choose a unit online in rank order, each in its own time window.

The turns are drawn in the ``allocation`` diagram (method ``choice``) and run by
:mod:`handlers.choice`; this package holds what people see and do: :mod:`.service` (the live
view of a round, the atomic take of a unit), :mod:`.api` (``/api/v1/choice``), :mod:`.views`
(``/choice``: the household's page and the staff's progress page), templates and texts.
:func:`init_app` attaches them (``docs/adr/0018-online-choice.md``).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the choice pages and API, their English texts, and the guard on the plain task form."""
    from app.choice import api, service, texts, views
    from app.services import task_service
    from app.web.i18n import register_catalogue

    register_catalogue(texts.EN)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    task_service.COMPLETION_CHECKS[service.FORM] = service.refuse_plain_completion
