"""The application's PostgreSQL role may add and read audit rows but never change or remove them."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from psycopg2 import errors

from app.audit import service
from app.db import db
from app.factory import create_app
from app.services import audit_service
from tests.conftest import make_settings, truncate

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_role(pg_url):
    """A fresh role granted with ``housing db grant-roles``; dropped afterwards."""
    role = f"housing_app_{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, HOUSING_ENV="test", HOUSING_DATABASE_URL=pg_url, PYTHONPATH=str(ROOT),
               HOUSING_LOG_LEVEL="WARNING")
    result = subprocess.run([sys.executable, "-m", "app.cli", "db", "grant-roles", "--role", role], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    base, name = pg_url.rsplit("/", 1)
    role_url = base.replace("postgres@", f"{role}@", 1) + "/" + name
    yield role, role_url
    conn = psycopg2.connect(pg_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP OWNED BY {role}")
        cur.execute(f"DROP ROLE {role}")
    conn.close()


def _refused(conn, statement: str) -> bool:
    with conn.cursor() as cur:
        try:
            cur.execute(statement)
        except errors.InsufficientPrivilege:
            conn.rollback()
            return True
    conn.rollback()
    return False


def test_the_app_role_records_and_verifies_but_cannot_rewrite_the_trail(app_role, pg_url):
    role, role_url = app_role
    app = create_app(make_settings(role_url))
    try:
        with app.app_context():
            for n in range(2):  # the app itself works as this role: record, verify, checkpoint
                with db.transaction() as session:
                    audit_service.record(session, "alice", "task.completed", "process_instance", "case-9", {"n": n})
            report, _ = service.run_verification()
            assert report.ok and report.events == 2
            assert service.take_checkpoint()[1]
        conn = psycopg2.connect(role_url)
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM audit_event")
            assert cur.fetchone() == (2,)
        for table in ("audit_event", "audit_checkpoint", "audit_verification"):
            assert _refused(conn, f"UPDATE {table} SET id = id"), table
            assert _refused(conn, f"DELETE FROM {table}"), table
            assert _refused(conn, f"TRUNCATE {table}"), table
        assert _refused(conn, "DELETE FROM audit_chain_head")
        assert not _refused(conn, "UPDATE audit_chain_head SET count = count")  # every event moves its head
        assert not _refused(conn, "UPDATE job SET attempts = attempts")  # the rest of the schema is the app's
        assert _refused(conn, "DELETE FROM alembic_version")
        conn.close()
    finally:
        app.extensions["housing.db"].dispose()
        with create_app(make_settings(pg_url)).app_context():
            truncate(pg_url)


def test_grant_roles_prints_its_sql_and_refuses_a_strange_name(pg_url):
    env = dict(os.environ, HOUSING_ENV="test", HOUSING_DATABASE_URL=pg_url, PYTHONPATH=str(ROOT),
               HOUSING_LOG_LEVEL="WARNING")
    run = lambda *a: subprocess.run([sys.executable, "-m", "app.cli", "db", "grant-roles", *a], cwd=ROOT,  # noqa: E731
                                    env=env, capture_output=True, text=True, timeout=120)
    printed = run("--role", "housing_app", "--print-sql")
    assert printed.returncode == 0
    assert "REVOKE UPDATE, DELETE, TRUNCATE ON audit_event, audit_checkpoint, audit_verification" in printed.stdout
    bad = run("--role", "app; DROP TABLE job")
    assert bad.returncode == 2 and "角色名或数据库名无效" in bad.stderr
