"""房源库 housing stock: projects, buildings and units, their status, matching units to households.

* :mod:`.models` — the tables; :mod:`.catalogue` — types, layouts, statuses, allowed changes;
* :mod:`.service` — add, edit, import (:mod:`.sheet`, :mod:`.units`), list, vacancy figures;
* :mod:`.flow` — the status changes the allocation, lease and exit handlers make;
* :mod:`.matching` — the ``unit_matching`` decisions (``processes/unit_matching.dmn``) and the
  draw's pairing of households with units; :mod:`.rounds` — a round's units from the stock;
* :mod:`.api` (``/api/v1/stock``), :mod:`.views` (``/stock``) and their templates.

:func:`init_app` attaches the pages, the API, their English texts and the menu entry.
"""

from __future__ import annotations

from flask import Flask

from app.stock import models  # noqa: F401  (the tables belong to the metadata)


def init_app(app: Flask) -> None:
    """Register the stock pages and API, their English texts and the 房源库 menu entry."""
    from app.stock import api, views
    from app.web import nav

    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    entry = nav.NavEntry("房源库", "web_stock.index", views.service.ROLES)
    if all(e.endpoint != entry.endpoint for e in nav.MAIN_NAV):
        nav.MAIN_NAV.insert(len(nav.MAIN_NAV) - 1, entry)
