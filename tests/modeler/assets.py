"""The modeler's browser bundles: rebuilt with ``npm run build`` when a source is newer.

``scripts/test`` builds them after ``npm ci``; this keeps a local pytest run after editing a
script from testing a stale bundle. A failed build fails the test (never a skip).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "app" / "web" / "static" / "modeler"
BUILD = ROOT / "app" / "web" / "static" / "build" / "modeler"
BUNDLES = ("bpmn-editor.js", "dmn-editor.js", "diff-view.js")


def stale() -> bool:
    """True when a bundle is missing or older than a source file."""
    built = [BUILD / name for name in BUNDLES]
    if not all(p.is_file() for p in built):
        return True
    oldest = min(p.stat().st_mtime for p in built)
    return any(p.stat().st_mtime > oldest for p in SOURCES.rglob("*") if p.is_file())


def ensure_built() -> None:
    """Run ``npm run build`` if the bundles are stale; raise if it fails."""
    if not stale():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to build the modeler bundles (scripts/test installs it)")
    run = subprocess.run([npm, "run", "--silent", "build"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, check=False)
    if run.returncode != 0:
        raise RuntimeError(f"npm run build failed:\n{run.stdout}\n{run.stderr}")
