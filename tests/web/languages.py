"""A bare Flask app for testing the language lookup without a database."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from flask import Flask

from app.web import i18n


def bare_app(instance: Path, forms: Path, processes: Path) -> Flask:
    """An app whose settings name only the ``forms`` and ``processes`` folders."""
    app = Flask(__name__, instance_path=str(instance))
    app.secret_key = "test"
    app.extensions["housing.settings"] = SimpleNamespace(forms_dir=str(forms), processes_dir=str(processes))
    i18n.init_app(app)
    return app


def in_language(app: Flask, lang: str, fn, *args):
    """``fn(*args)`` inside a request of a session that chose ``lang``."""
    with app.test_request_context():
        i18n.set_lang(lang)
        return fn(*args)
