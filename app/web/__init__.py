"""Server-rendered pages (zh-CN first)."""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    """Attach the page blueprints."""
    from app.web.home import bp

    app.register_blueprint(bp)
