"""Alembic: one head, and the schema migrates up and down on SQLite and PostgreSQL."""

from __future__ import annotations

import ast
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from app.cli import migrate_database

ROOT = Path(__file__).resolve().parent.parent


def _script() -> ScriptDirectory:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(cfg)


def test_single_head_and_every_revision_says_what_it_does():
    script = _script()
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        assert revision.doc and len(revision.doc) > 10


def test_migrations_never_import_application_code():
    for path in (ROOT / "migrations").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith(("app", "connectors", "handlers")), path
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith(("app", "connectors", "handlers")) for a in node.names), path


def test_upgrade_on_sqlite_creates_every_table(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    migrate_database(url)
    tables = set(inspect(create_engine(url)).get_table_names())
    assert {"process_definition", "process_instance", "human_task", "job", "incident", "audit_event",
            "message_subscription", "task_candidate", "app_user", "start_timer"} <= tables


def test_models_match_the_migrated_postgresql_schema(pg_url):
    import app.models  # noqa: F401
    from app.db import Base

    inspector = inspect(create_engine(pg_url.replace("postgresql://", "postgresql+psycopg2://")))
    for table in Base.metadata.sorted_tables:
        migrated = {c["name"] for c in inspector.get_columns(table.name)}
        assert migrated == {c.name for c in table.columns}, table.name
