"""Browser libraries installed from npm, served from this server (the machine has no CDN).

``npm ci`` puts them in ``node_modules/``; a deployment may instead copy the same folders to
``app/web/static/vendor/<package>/``. Only the folders listed in :data:`PACKAGES` are served, so
nothing else under ``node_modules`` is reachable.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, send_from_directory

from app.config import ROOT

bp = Blueprint("vendor", __name__)

#: package → the folder inside it that pages may load (dmn-js adds its own line)
PACKAGES = {
    "bpmn-js": "dist",
}
COPIED = Path(__file__).resolve().parent / "static" / "vendor"


def asset_dir(package: str) -> Path | None:
    """Where a package's served folder is on disk, or None."""
    sub = PACKAGES.get(package)
    if sub is None:
        return None
    for base in (COPIED / package, ROOT / "node_modules" / package / sub):
        if base.is_dir():
            return base
    return None


@bp.get("/vendor/<package>/<path:filename>")
def asset(package: str, filename: str):
    """One file of an allowed package (send_from_directory refuses paths leaving the folder)."""
    folder = asset_dir(package)
    if folder is None:
        abort(404)
    return send_from_directory(folder, filename, max_age=86400)
