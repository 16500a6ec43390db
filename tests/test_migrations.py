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


#: the tables a case writes at nearly every step
WRITTEN_EVERY_STEP = ("job", "verification_result", "household_member", "application", "human_task",
                      "task_candidate", "audit_event", "process_instance", "process_instance_archive")


def test_no_index_of_a_table_written_at_every_step_is_covered_by_another(pg_url):
    """An index that leads another index (or a unique key) answers nothing the other does not, and
    every row version of the table writes an entry into it (migration 0022)."""
    import app.models  # noqa: F401
    from app.db import Base

    inspector = inspect(create_engine(pg_url.replace("postgresql://", "postgresql+psycopg2://")))
    for table in WRITTEN_EVERY_STEP:
        indexes = inspector.get_indexes(table)
        keys = [(i["name"], i["column_names"]) for i in indexes] + \
               [(u["name"], u["column_names"]) for u in inspector.get_unique_constraints(table)] + \
               [("primary key", inspector.get_pk_constraint(table)["constrained_columns"])]
        for index in indexes:
            if index["unique"]:
                continue
            covering = [name for name, columns in keys if name != index["name"]
                        and len(columns) > len(index["column_names"])
                        and columns[:len(index["column_names"])] == index["column_names"]]
            assert not covering, f"{table}.{index['name']} is covered by {covering}"
        # and the models declare none of them again
        assert not {i.name for i in Base.metadata.tables[table].indexes} - {i["name"] for i in indexes}, table


def test_household_claims_are_backfilled_for_the_oldest_open_application(tmp_path):
    """Data from before one-open-application: the oldest open case of each (type, ID number) claims it."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'c.db'}"
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url)
    command.upgrade(cfg, "0005_batch_import_jobs")
    engine = create_engine(url)
    cases = [(1, "GZF2026-000001", "gongzufang", "rejected", "2026-01-01"),   # closed: claims nothing
             (2, "GZF2026-000002", "gongzufang", "in_review", "2026-01-02"),  # the oldest open one
             (3, "GZF2026-000003", "gongzufang", "submitted", "2026-01-03"),  # a duplicate from before
             (4, "BZF2026-000001", "baozufang", "waiting", "2026-01-04")]      # the other type
    with engine.begin() as connection:
        for id_, number, housing_type, status, at in cases:
            connection.execute(text(
                "INSERT INTO application (id, application_no, housing_type, district, applicant_username, "
                "applicant_name, applicant_name_masked, applicant_id_number, applicant_phone, household_type, "
                "household_size, status, current_step, suggested_opinion, declared, outcome, supplement, "
                "submitted_at, updated_at) VALUES (:id, :no, :type, '渝中区', 'u', '张三', '张*', "
                "'110105199001011234', '', 'single', 1, :status, '受理', '', '{}', '{}', '{}', :at, :at)"),
                {"id": id_, "no": number, "type": housing_type, "status": status, "at": at})
            connection.execute(text(
                "INSERT INTO household_member (application_id, position, name, id_number, relation, "
                "declared_monthly_income, employer) VALUES (:id, 0, '张三', '110105199001011234', 'applicant', 0, '')"),
                {"id": id_})
    command.upgrade(cfg, "head")
    with engine.connect() as connection:
        claims = connection.execute(text(
            "SELECT housing_type, id_number, application_no FROM household_claim ORDER BY housing_type")).all()
    assert [tuple(c) for c in claims] == [("baozufang", "110105199001011234", "BZF2026-000001"),
                                         ("gongzufang", "110105199001011234", "GZF2026-000002")]
    command.downgrade(cfg, "0005_batch_import_jobs")
    assert "household_claim" not in inspect(create_engine(url)).get_table_names()


def test_a_large_state_is_stored_compressed_with_lz4_and_reads_back(app, client, auth):
    """Migration 0021: the columns a step writes large values to compress them with LZ4."""
    from sqlalchemy import text

    from app.db import db
    from tests.conftest import deploy_fixture
    from tests.support.api import start

    deploy_fixture(client, auth(), "smoke.bpmn")
    note = "".join(f"第{i}户家庭成员收入说明；" for i in range(2000))  # ~30 KB, well over the 2 KB threshold
    inst = start(client, auth(), "smoke", {"members": [{"income": 1}], "district": "渝中区", "note": note})
    columns = ["process_instance.state", "process_instance_archive.tasks", "process_instance_archive.nodes",
               "job.result"]
    with app.app_context(), db.session() as session:
        methods = dict(session.execute(text(
            "SELECT c.relname || '.' || a.attname, a.attcompression FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname || '.' || a.attname = ANY(:columns)"),
            {"columns": columns}).all())
        stored = session.scalar(text("SELECT pg_column_compression(state) FROM process_instance WHERE id = :id"),
                                {"id": inst["id"]})
    assert methods == dict.fromkeys(columns, "l")
    assert stored == "lz4"
    assert client.get(f"/api/v1/process-instances/{inst['id']}", headers=auth()).get_json()["data"]["note"] == note
