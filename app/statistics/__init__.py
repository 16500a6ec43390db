"""统计分析: the dashboard of city and district managers.

Summary tables (:mod:`.models`) are rebuilt from the case tables by :mod:`.refresh`
(``housing statistics refresh``); :mod:`.service` reads five panels from them, scoped to the
caller's district; :mod:`.api` serves them as JSON, :mod:`.views` as a page with ECharts charts,
table views and XLSX exports (:mod:`.export`). :func:`init_app` wires it all into the app.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from app.statistics import models  # noqa: F401  (the summary tables belong to the metadata)


@click.group("statistics", help="统计分析 — the dashboard's summary tables.")
def statistics_cli() -> None:
    """Commands of the statistics dashboard."""


@statistics_cli.command("refresh")
@with_appcontext
def refresh_command() -> None:
    """Rebuild the summary tables from the case tables."""
    from app.services.errors import DomainError
    from app.statistics.refresh import refresh

    try:
        seconds = refresh()
    except DomainError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"统计汇总已更新 / summaries rebuilt in {seconds:.2f} s")


def init_app(app: Flask) -> None:
    """Register the page and API blueprints, the 统计分析 menu entry, the texts and the CLI."""
    from app.statistics import api, views
    from app.web import nav

    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    entry = nav.NavEntry("统计分析", "web_statistics.dashboard", ("manager",))
    if all(e.endpoint != entry.endpoint for e in nav.MAIN_NAV):
        nav.MAIN_NAV.insert(len(nav.MAIN_NAV) - 1, entry)
    app.cli.add_command(statistics_cli)
