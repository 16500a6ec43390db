"""在线选房: households choose a unit online in rank order, each in its own time window.

The turns are drawn in the ``allocation`` diagram (method ``choice``) and run by
:mod:`handlers.choice`; this package holds what people see and do: :mod:`.service` (the live
view of a round, the atomic take of a unit), :mod:`.api` (``/api/v1/choice``), :mod:`.views`
(``/choice``: the household's page and the staff's progress page) and templates.
:func:`init_app` attaches them (``docs/adr/0018-online-choice.md``).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the choice pages and API, and the guard on the plain task form (their English is in
    the gettext catalogue, ``app/translations``)."""
    from app.choice import api, service, views
    from app.services import task_service

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    task_service.COMPLETION_CHECKS[service.FORM] = service.refuse_plain_completion
