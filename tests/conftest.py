"""Fixtures: real PostgreSQL and Redis (a missing service fails the run), apps, clients, tokens."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg2
import pytest
import redis
from sqlalchemy import create_engine, text

import tests.support.operators  # noqa: F401  (registers the test operators)
from app import models as _models  # noqa: F401  (every table is known to the metadata)
from app.auth.identity import Identity
from app.cli import migrate_database
from app.config import Settings
from app.db import Base
from app.factory import create_app
from app.jobs.runner import InlineRunner
from app.services import job_service
from tests.support.users import bearer_for

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
PG_ADMIN_URL = os.environ.get("HOUSING_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("HOUSING_TEST_REDIS", "redis://127.0.0.1:6379/13")


def _admin_connection():
    try:
        conn = psycopg2.connect(PG_ADMIN_URL, connect_timeout=5)
    except psycopg2.OperationalError as exc:  # fail, never skip: CI must see a missing service
        pytest.exit(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {exc}", returncode=3)
    conn.autocommit = True
    return conn


@pytest.fixture(scope="session")
def pg_url():
    """A fresh PostgreSQL database migrated to head, dropped after the session."""
    name = f"housing_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    conn = _admin_connection()
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    url = f"{base}/{name}"
    migrate_database(url)
    yield url
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


@pytest.fixture(scope="session")
def redis_url():
    """An empty Redis database (flushed around each test that uses it)."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.exit(f"Redis is not reachable at {REDIS_URL}: {exc}", returncode=3)
    return REDIS_URL


#: Secrets as long as production wants, so the log stays free of development warnings.
TEST_JWT_SECRET = "test-jwt-secret-0123456789abcdef-0123456789"
TEST_SECRET_KEY = "test-session-secret-0123456789abcdef-01234"


def signing_key_for_tests() -> Path:
    """A contract signing key and self-signed certificate for tests (made once, kept under instance/)."""
    from app.contracts.keys import dev_file

    return dev_file(ROOT / "instance" / "test-contract-signing.pem")


def make_settings(database_url: str, **overrides) -> Settings:
    """Settings for tests (development mode, chosen explicitly): fixture forms and a short script limit."""
    values = dict(database_url=database_url, forms_dir=str(FIXTURES / "forms"), script_timeout=1.0,
                  jwt_secret=TEST_JWT_SECRET, secret_key=TEST_SECRET_KEY, env="test", log_level="WARNING",
                  contract_signing_key_file=str(signing_key_for_tests()))
    values.update(overrides)
    return Settings(**values)


def truncate(url: str) -> None:
    """Empty every table (services commit for real, so tests clean up after themselves).

    Identities restart, so definition ids repeat: an app's compiled-spec cache, keyed by those
    (normally immutable) ids, must not outlive this; each test builds a new app, hence a new cache.
    """
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]  # every model's table
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
    try:
        with engine.begin() as conn:
            if url.startswith("sqlite"):
                for table in tables:
                    conn.execute(text(f"DELETE FROM {table}"))
            else:
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


def close(application) -> None:
    """Close the pooled connections of an app a fixture made (the database may be dropped next)."""
    application.extensions["housing.db"].dispose()


@pytest.fixture
def app(pg_url):
    """The app on PostgreSQL with a synchronous inline job runner."""
    runner = InlineRunner(job_service.execute_batch, synchronous=True)
    application = create_app(make_settings(pg_url), runner=runner)
    with application.app_context():
        yield application
    close(application)
    truncate(pg_url)


@pytest.fixture
def sqlite_app(tmp_path):
    """The embedded default: SQLite file and the inline runner."""
    url = f"sqlite:///{tmp_path / 'housing.sqlite3'}"
    migrate_database(url)
    runner = InlineRunner(job_service.execute_batch, synchronous=True)
    application = create_app(make_settings(url), runner=runner)
    with application.app_context():
        yield application
    close(application)


@pytest.fixture
def client(app):
    return app.test_client()


IDENTITIES = {
    "admin": Identity("admin", "管理员", roles=("admin",), groups=("admin",)),
    "policy": Identity("policy", "政策", roles=("policy",), groups=("policy",)),
    "operator": Identity("operator", "运维", roles=("operator",), groups=("operator",)),
    "reviewer": Identity("reviewer", "审核员", roles=("reviewer",), groups=("reviewers",), district="渝中区"),
    "reviewer_jb": Identity("reviewer_jb", "江北审核员", roles=("reviewer",), groups=("reviewers",),
                            district="江北区"),
    "applicant": Identity("applicant", "申请人", roles=("applicant",), groups=("applicant",)),
}


def bearer(app, who: str = "admin") -> dict:
    """An Authorization header for one of :data:`IDENTITIES`."""
    return bearer_for(app, IDENTITIES[who])


@pytest.fixture
def auth(app):
    return lambda who="admin": bearer(app, who)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / "bpmn" / name).read_bytes()


def deploy_fixture(client, headers, *names: str):
    """Deploy fixture files through the API; returns the response."""
    import io

    data = {"files": [(io.BytesIO(fixture_bytes(n)), n) for n in names]}
    return client.post("/api/v1/process-definitions", data=data, headers=headers,
                       content_type="multipart/form-data")
