"""Rent, deposit and arrears (租金台账): a context of its own — models, services, pages, API.

Bills come from each lease's schedule; payments are entered by staff or imported from bank
files; arrears are counted in months from the ledger and feed the exit grounds; the scheduler's
``ledger`` sweep (:mod:`app.ledger.sweeps`) reminds tenants by SMS and raises an arrears exit for
an officer to decide. :func:`init_app` attaches the pages, the API, their texts and menu entries.
"""

from __future__ import annotations

from flask import Flask

from app.ledger import models  # noqa: F401  (the tables belong to the metadata)


def init_app(app: Flask) -> None:
    """Register the ledger pages, API, English texts and menu entries with ``app``."""
    from app.ledger import api, views
    from app.web import nav

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    entries = [nav.NavEntry("我的账单", "web_ledger.mine", ("applicant",)),
               nav.NavEntry("租金台账", "web_ledger.index", ("city_reviewer", "district_reviewer"))]
    for entry in entries:
        if all(e.endpoint != entry.endpoint for e in nav.MAIN_NAV):
            nav.MAIN_NAV.insert(len(nav.MAIN_NAV) - 1, entry)
