"""摇号 that anyone can verify: the public record of every lottery round.

Before a draw the round publishes the SHA-256 of a secret seed (with the time it was
published) and its participants; after the draw it publishes the seed and the order, which
anyone can recompute (``docs/lottery.md``, ``scripts/verify-lottery``). The package holds the
commitment and the draw as the ``allocation`` handlers call them (:mod:`.service`), the public
pages (:mod:`.views`), the JSON download (:mod:`.api`), templates and texts. :func:`init_app`
attaches it; the top menu gains a public 摇号结果 entry after 公示.
"""

from __future__ import annotations

from flask import Flask

PUBLIC_ENTRY_ENDPOINT = "web_lottery.index"


def init_app(app: Flask) -> None:
    """Register the public lottery pages, their JSON API, texts and menu entry with ``app``."""
    from app.lottery import api, views
    from app.web import nav

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    if all(e.endpoint != PUBLIC_ENTRY_ENDPOINT for e in nav.MAIN_NAV):
        position = next((i + 1 for i, e in enumerate(nav.MAIN_NAV) if e.endpoint == "web.publicity.index"),
                        len(nav.MAIN_NAV))
        nav.MAIN_NAV.insert(position, nav.NavEntry("摇号结果", PUBLIC_ENTRY_ENDPOINT, public=True))
